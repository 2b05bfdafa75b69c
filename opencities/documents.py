"""What every PDF of the platform shares: the palette, the house styles, one page template with its footer and page
numbers, bullets and tables, and the one converter from editors' Markdown to reportlab.

The research brief (casestudies.brief), the tailored report and the general recommendations (recommendations.pdf)
build on these, so that all of them look alike and use only the embedded DejaVu faces. Paragraph text is markup
(reportlab's markup once allowed code execution, CVE-2023-33733), so every string is escaped on its way in and
only tags made here, or by the modules above, reach reportlab.
"""

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from html.parser import HTMLParser
from xml.sax.saxutils import escape

from django.utils.translation import get_language, gettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, HRFlowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.tableofcontents import TableOfContents

from .fonts import BOLD, REGULAR, register_fonts
from .markdown import clean_markdown_html

AUTHOR = "OPENCities"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 22 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN
FOOTER_SIZE = 8
PAGE_COUNT_FORM = "opencitiesPageCount"
LINK = "#1d4f91"

INK = colors.HexColor("#212529")
MUTED = colors.HexColor("#56606b")
ACCENT = colors.HexColor("#1d4f91")
RULE = colors.HexColor("#c3cbd6")
SHADE = colors.HexColor("#eef2f7")


def house_styles() -> dict[str, ParagraphStyle]:
    """Body, title, headings, bullets, small print and table cells, every one in a DejaVu face.

    Registers the fonts first: a Paragraph resolves its style's face (and <b>) as soon as it is made, and
    reportlab's default Helvetica cannot draw "Łódź".
    """
    register_fonts()
    body = ParagraphStyle(
        "Body",
        fontName=REGULAR,
        fontSize=10,
        leading=14.5,
        textColor=INK,
        spaceAfter=6,
        alignment=TA_LEFT,
        bulletFontName=REGULAR,
        bulletFontSize=10,
        splitLongWords=1,
    )

    def style(name: str, **kwargs) -> ParagraphStyle:
        return ParagraphStyle(name, parent=body, **kwargs)

    return {
        "body": body,
        "title": style("Title", fontName=BOLD, fontSize=28, leading=34, textColor=ACCENT, spaceAfter=10),
        "h1": style(
            "Heading1",
            fontName=BOLD,
            fontSize=17,
            leading=22,
            textColor=ACCENT,
            spaceBefore=4,
            spaceAfter=10,
            keepWithNext=True,
        ),
        "h2": style(
            "Heading2", fontName=BOLD, fontSize=12, leading=16, spaceBefore=10, spaceAfter=4, keepWithNext=True
        ),
        "bullet": style("Bullet", leftIndent=14, bulletIndent=3, spaceAfter=3),
        "small": style("Small", fontSize=8.5, leading=12, textColor=MUTED),
    }


def house_table_style(*extra: tuple) -> TableStyle:
    """A shaded header row, a thin rule under every row, text at the top of its cell; then `extra` commands."""
    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), REGULAR),
            ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            *extra,
        ]
    )


def derived(styles: dict[str, ParagraphStyle], name: str, **kwargs) -> ParagraphStyle:
    """Another style on the house body style."""
    return ParagraphStyle(name, parent=styles["body"], **kwargs)


class OutlinedDocTemplate(SimpleDocTemplate):
    """Adds each Heading1 and Heading2 to the PDF's outline, so that readers can jump between sections; each
    Heading1 is also an entry of the contents (`contents`), with its page number and a link to it."""

    def afterFlowable(self, flowable):
        if isinstance(flowable, Paragraph) and flowable.style.name in ("Heading1", "Heading2"):
            text = flowable.getPlainText()
            # The key must be the same on every pass of a multiBuild, so that the contents' links find it.
            key = f"h{self.seq.nextf('heading')}"
            level = 0 if flowable.style.name == "Heading1" else 1
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(text, key, level=level, closed=True)
            if level == 0:
                # The contents lay the text out as Paragraph markup again: escaped, as every string on its way in.
                self.notify("TOCEntry", (0, escape(text), self.page, key))


def contents(styles: dict[str, ParagraphStyle]) -> TableOfContents:
    """A list of the document's Heading1 sections with their page numbers, each a link to its page.

    Put it in the story and `build_document` lays the document out twice, to learn the page numbers.
    """
    # Its table would set reportlab's default Helvetica as each cell's font, even with no text in it.
    table_style = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), REGULAR),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ]
    )
    toc = TableOfContents(dotsMinLevel=0, tableStyle=table_style)
    toc.levelStyles = [
        ParagraphStyle("Contents1", parent=styles["body"], leftIndent=0, firstLineIndent=0, spaceBefore=0, spaceAfter=2)
    ]
    return toc


# --- Text: every string escaped; only the tags made here and by the document modules reach reportlab ---

# C0 control characters (other than tab and newline) are not allowed in reportlab's markup parser.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: object) -> str:
    """A string with normalised line ends and without the control characters the markup parser rejects."""
    return _CONTROL.sub("", str(value or "").replace("\r\n", "\n").replace("\r", "\n"))


def escaped(value: object) -> str:
    """Any user, editor, database or translated string made safe for Paragraph markup: it prints literally."""
    return escape(clean_text(value))


def escaped_lines(value: object) -> str:
    """Escaped text whose line breaks are kept."""
    return "<br/>".join(escaped(line) for line in clean_text(value).split("\n"))


def filled(template: object, **values: str) -> str:
    """A translated sentence escaped, then `values` (markup made here, already escaped) put in its placeholders."""
    return escaped(template) % values if values else escaped(template)


def is_web_url(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def url_markup(url: object) -> str:
    """A URL as a clickable link when it is http(s), else as plain text; both escaped."""
    url = clean_text(url).strip()
    if not is_web_url(url):
        return escape(url)
    href = escape(url, {'"': "&quot;"})
    return f'<link href="{href}" color="{LINK}">{escape(url)}</link>'


# --- Editors' Markdown: the pages' parse-and-clean step, then the cleaned HTML mapped to reportlab ---


class _Element:
    __slots__ = ("attrs", "children", "tag")

    def __init__(self, tag: str, attrs: dict[str, str]):
        self.tag, self.attrs, self.children = tag, attrs, []


_VOID = {"br", "hr"}
_BLOCKS = {"p", "h3", "h4", "h5", "h6", "ul", "ol", "pre", "blockquote", "hr", "table"}
_EMPHASIS = {"strong": "b", "em": "i"}


class _Tree(HTMLParser):
    """The cleaned HTML as a small tree; character references arrive decoded, and are escaped again on output."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.root = _Element("root", {})
        self._open = [self.root]
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        element = _Element(tag, {name: value or "" for name, value in attrs})
        self._open[-1].children.append(element)
        if tag not in _VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        for depth in range(len(self._open) - 1, 0, -1):
            if self._open[depth].tag == tag:
                del self._open[depth:]
                return

    def handle_data(self, data):
        self._open[-1].children.append(data)


def _words(node: _Element | str) -> str:
    return node if isinstance(node, str) else "".join(_words(child) for child in node.children)


def _anchor(element: _Element) -> str:
    """A link prints its label and then its address, which stays readable on paper; only http(s) is clickable."""
    label = _inline(element.children)
    href = clean_text(element.attrs.get("href", "")).strip()
    if not href:
        return label
    if _words(element).strip() == href:
        return url_markup(href)
    return f"{label} ({url_markup(href)})"


def _inline(nodes: list) -> str:
    parts = []
    for node in nodes:
        if isinstance(node, str):
            parts.append(escaped(node))
        elif node.tag == "br":
            parts.append("<br/>")
        elif node.tag in _EMPHASIS:
            tag = _EMPHASIS[node.tag]
            parts.append(f"<{tag}>{_inline(node.children)}</{tag}>")
        elif node.tag == "a":
            parts.append(_anchor(node))
        else:
            parts.append(_inline(node.children))
    return "".join(parts)


def _nested(style: ParagraphStyle, depth: int) -> ParagraphStyle:
    if not depth:
        return style
    indent = 14 * depth
    return ParagraphStyle(
        f"{style.name}{depth}",
        parent=style,
        leftIndent=style.leftIndent + indent,
        bulletIndent=style.bulletIndent + indent,
    )


def _list(element: _Element, styles: dict[str, ParagraphStyle], depth: int) -> list[Flowable]:
    """A bullet or numbered list; a list inside an item is indented one step further."""
    style = _nested(styles["bullet"], depth)
    items = [child for child in element.children if isinstance(child, _Element) and child.tag == "li"]
    flowables: list[Flowable] = []
    for number, item in enumerate(items, start=1):
        segments, nested = [""], []
        for child in item.children:
            if isinstance(child, _Element) and child.tag in ("ul", "ol"):
                nested.append(child)
            elif isinstance(child, _Element) and child.tag in _BLOCKS:
                segments += [_inline(child.children), ""]
            else:
                segments[-1] += _inline([child])
        marker = f"{number}." if element.tag == "ol" else "•"
        markup = "<br/>".join(segment.strip() for segment in segments if segment.strip())
        flowables.append(Paragraph(markup, style, bulletText=marker))
        for inner in nested:
            flowables += _list(inner, styles, depth + 1)
    return flowables


def _table_of(element: _Element, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    cell_style = styles.get("cell", styles["body"])
    rows: list[list[Flowable]] = []

    def collect(node: _Element) -> None:
        for child in node.children:
            if isinstance(child, _Element) and child.tag == "tr":
                cells = [cell for cell in child.children if isinstance(cell, _Element) and cell.tag in ("th", "td")]
                rows.append([Paragraph(_inline(cell.children), cell_style) for cell in cells])
            elif isinstance(child, _Element):
                collect(child)

    collect(element)
    columns = max((len(row) for row in rows), default=0)
    if not columns:
        return []
    rows = [row + [""] * (columns - len(row)) for row in rows]
    return [house_table(rows, [FRAME_WIDTH / columns] * columns), Spacer(1, 6)]


def _block(element: _Element, styles: dict[str, ParagraphStyle], as_bullets: bool) -> list[Flowable]:
    if element.tag == "p":
        return _paragraph(_inline(element.children), styles, as_bullets)
    if element.tag in ("ul", "ol"):
        return _list(element, styles, 0)
    if element.tag == "pre":
        return [Paragraph(escaped_lines(_words(element).strip("\n")), styles["body"])]
    if element.tag == "blockquote":
        quote = ParagraphStyle("Quote", parent=styles["body"], leftIndent=14, textColor=MUTED)
        return _blocks(element.children, {**styles, "body": quote}, as_bullets)
    if element.tag == "hr":
        return [HRFlowable(width="100%", thickness=0.4, color=RULE, spaceBefore=2, spaceAfter=6)]
    if element.tag == "table":
        return _table_of(element, styles)
    # Editors' headings stay inside the section they belong to: bold body text, as on the page's small headings.
    markup = _inline(element.children).strip()
    return [Paragraph(f"<b>{markup}</b>", styles["body"])] if markup else []


def _paragraph(markup: str, styles: dict[str, ParagraphStyle], as_bullets: bool) -> list[Flowable]:
    markup = markup.strip()
    if not markup:
        return []
    if as_bullets:
        return [Paragraph(markup, styles["bullet"], bulletText="•")]
    return [Paragraph(markup, styles["body"])]


def _blocks(nodes: list, styles: dict[str, ParagraphStyle], as_bullets: bool) -> list[Flowable]:
    flowables: list[Flowable] = []
    loose: list = []  # text outside any block (left where nh3 removed a raw HTML block) is a paragraph of its own
    for node in [*nodes, None]:
        if node is not None and (isinstance(node, str) or node.tag not in _BLOCKS):
            loose.append(node)
            continue
        flowables += _paragraph(_inline(loose), styles, as_bullets)
        loose = []
        if node is not None:
            flowables += _block(node, styles, as_bullets)
    return flowables


def markdown_flowables(text: object, styles: dict[str, ParagraphStyle], *, as_bullets: bool = False) -> list[Flowable]:
    """Editors' Markdown as flowables, from the same cleaned HTML a page shows (see opencities.markdown).

    With `as_bullets`, plain paragraphs become bullets too (lists of actions). Needs the "body" and "bullet" styles.
    """
    return _blocks(_Tree(clean_markdown_html(clean_text(text))).root.children, styles, as_bullets)


def markdown_inline(text: object) -> str:
    """One sentence of Markdown (**bold**, [links](…)) as inline markup, for a heading, a bullet or a table cell."""
    root = _Tree(clean_markdown_html(clean_text(text))).root
    return " ".join(_inline(node.children if isinstance(node, _Element) else [node]) for node in root.children).strip()


# --- Building blocks ---


def bullets(items: Iterable[str], style: ParagraphStyle) -> list[Flowable]:
    """One bullet per item of markup."""
    return [Paragraph(item, style, bulletText="•") for item in items]


def numbered(items: Iterable[str], style: ParagraphStyle) -> list[Flowable]:
    """One numbered paragraph per item of markup, from 1."""
    return [Paragraph(item, style, bulletText=f"{number}.") for number, item in enumerate(items, start=1)]


def house_table(rows: list[list], widths: list[float], *extra: tuple) -> Table:
    """A table in the house style whose header row repeats on every page it spans; then `extra` commands."""
    table = Table(rows, colWidths=widths, hAlign="LEFT", repeatRows=1)
    table.setStyle(house_table_style(*extra))
    return table


# --- The document: A4, the house margins, a footer with "page N of M", an outline, DejaVu only ---


@dataclass(frozen=True)
class RenderedDocument:
    content: bytes
    pages: int


class _PageCountCanvas(Canvas):
    """Writes the page count once, as a form that every footer shows: "page N of M" in a single pass."""

    page_count = 0

    def save(self):
        if len(self._code):
            self.showPage()
        self.page_count = self.getPageNumber() - 1
        self.beginForm(PAGE_COUNT_FORM, lowery=-FOOTER_SIZE, uppery=2 * FOOTER_SIZE)
        self.setFont(REGULAR, FOOTER_SIZE)
        self.setFillColor(MUTED)
        self.drawString(0, 0, str(self.page_count))
        self.endForm()
        super().save()


def _fit(text: str, width: float) -> str:
    """The text cut with an ellipsis so that it fits the width in the footer's font."""
    if stringWidth(text, REGULAR, FOOTER_SIZE) <= width:
        return text
    text = text[:200]
    while text and stringWidth(text + "…", REGULAR, FOOTER_SIZE) > width:
        text = text[:-1]
    return text + "…"


def _footer(label: str, canvas: Canvas, doc: SimpleDocTemplate) -> None:
    canvas.saveState()
    canvas.setFont(REGULAR, FOOTER_SIZE)
    canvas.setFillColor(MUTED)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(doc.leftMargin, 14 * mm, PAGE_WIDTH - doc.rightMargin, 14 * mm)
    # The total is not known yet: the canvas draws it once at the end, as a form placed after these words.
    page = " · " + gettext("page %(number)s of") % {"number": doc.page} + " "
    text = _fit(label, doc.width - stringWidth(page + "9999", REGULAR, FOOTER_SIZE)) + page
    canvas.drawString(doc.leftMargin, 9.5 * mm, text)
    canvas.translate(doc.leftMargin + stringWidth(text, REGULAR, FOOTER_SIZE), 9.5 * mm)
    canvas.doForm(PAGE_COUNT_FORM)
    canvas.restoreState()


def _no_footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:
    return None


def build_document(
    story: list[Flowable],
    *,
    title: str,
    subject: str,
    footer: str,
    footer_on_first_page: bool,
    keywords: str = "",
) -> RenderedDocument:
    """The story as a PDF of the house template, with `footer` and the page numbers at the foot of each page."""
    register_fonts()
    buffer = io.BytesIO()
    doc = OutlinedDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=24 * mm,
        title=clean_text(title),
        author=AUTHOR,
        subject=clean_text(subject),
        creator=AUTHOR,
        keywords=keywords,
        lang=get_language() or "en",
        # Without these reportlab writes Helvetica into the PDF as the canvas's first font.
        initialFontName=REGULAR,
        initialFontSize=10,
    )
    on_page: Callable = partial(_footer, clean_text(footer).replace("\n", " "))
    first_page = on_page if footer_on_first_page else _no_footer
    build = doc.multiBuild if any(isinstance(flowable, TableOfContents) for flowable in story) else doc.build
    build(story, onFirstPage=first_page, onLaterPages=on_page, canvasmaker=_PageCountCanvas)
    return RenderedDocument(content=buffer.getvalue(), pages=doc.canv.page_count)
