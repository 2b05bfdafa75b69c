"""The tailored openness report and the general recommendations as PDF, built with reportlab.

Pure: data in, bytes out (no ORM, no request, no settings). Every string that comes from a city, an editor or
the database is escaped before it reaches a Paragraph; the little Markdown editors write is turned into markup
that this module generates itself, so no user text can ever become reportlab markup (CVE-2023-33733).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from assessments.radar import radar_drawing
from opencities.documents import INK, MUTED, RULE, OutlinedDocTemplate, derived, house_styles, house_table_style
from opencities.fonts import BOLD, REGULAR, register_fonts

from .report_data import CaseStudyRef, EvidenceLine, FrameworkLine, Highlight, RecommendationLine, ReportData

AUTHOR = "OPENCities"
GENERAL_TITLE = "General policy recommendations"

NOTICE = colors.HexColor("#fff3cd")
NOTICE_RULE = colors.HexColor("#c9a227")
LINK = "#1d4f91"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 22 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN
FOOTER_SIZE = 8
PAGE_COUNT_FORM = "opencitiesPageCount"

MINUS = "\u2212"
DASH = "—"
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
BAND_NAMES = {"low": "Low", "medium": "Medium", "high": "High"}

SECTION_SUMMARY = "Executive summary"
SECTION_RADAR = "Profile at a glance"
SECTION_SCORES = "Scores by dimension"
SECTION_HIGHLIGHTS = "Strengths and weaknesses"
SECTION_RECOMMENDATIONS = "Tailored recommendations"
SECTION_FRAMEWORK = "Strategic framework review"
SECTION_EVIDENCE = "Evidence annex"
SECTION_METHOD = "Method annex"
SECTIONS = (
    SECTION_SUMMARY,
    SECTION_RADAR,
    SECTION_SCORES,
    SECTION_HIGHLIGHTS,
    SECTION_RECOMMENDATIONS,
    SECTION_FRAMEWORK,
    SECTION_EVIDENCE,
    SECTION_METHOD,
)


@dataclass(frozen=True)
class RenderedReport:
    content: bytes
    pages: int


@dataclass(frozen=True)
class GeneralTheme:
    name: str
    description: str
    recommendations: tuple[tuple[str, str, str], ...]  # (title, text markdown, actions markdown)


# --- Text: everything escaped, then only markup generated here ---

# C0 control characters (other than tab and newline) are not allowed in reportlab's markup parser.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\(([^()\s]+)\)")
_MD_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_MD_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_MD_NUMBER = re.compile(r"^\s*(\d{1,3})[.)]\s+(.*)$")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_PLACEHOLDER = re.compile("\x00(\\d+)\x00")


def _clean(text: object) -> str:
    """A string with normalised line ends and without the control characters the markup parser rejects."""
    return _CONTROL.sub("", str(text or "").replace("\r\n", "\n").replace("\r", "\n"))


def _text(value: object) -> str:
    """Any user, editor or database string made safe to place in Paragraph markup: it prints literally."""
    return escape(_clean(value))


def _lines(value: object) -> str:
    """Escaped text whose line breaks are kept."""
    return "<br/>".join(_text(line) for line in _clean(value).split("\n"))


def _is_web_url(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def _url(url: str) -> str:
    """A URL as a clickable link when it is http(s), else as plain text; both escaped."""
    url = _clean(url).strip()
    if not _is_web_url(url):
        return _text(url)
    href = escape(url, {'"': "&quot;"})
    return f'<link href="{href}" color="{LINK}">{escape(url)}</link>'


def _inline(raw: str) -> str:
    """One block of editor Markdown as markup: **bold** and [text](url) → text (url); everything else literal."""
    text = _clean(raw)
    links: list[str] = []

    def keep_link(match: re.Match) -> str:
        label = _MD_BOLD.sub(r"<b>\1</b>", escape(match.group(1)))
        links.append(f"{label} ({_url(match.group(2))})")
        return f"\x00{len(links) - 1}\x00"

    # Links become placeholders first, so that ** inside a URL can never open a tag inside an attribute.
    text = _MD_LINK.sub(keep_link, text)
    markup = _MD_BOLD.sub(r"<b>\1</b>", escape(text))
    return _PLACEHOLDER.sub(lambda match: links[int(match.group(1))], markup)


def _markdown_blocks(raw: str) -> list[tuple[str, str, str]]:
    """Editor Markdown as (kind, bullet, text) blocks; kind is "p", "h" or "li". Text is still raw."""
    blocks: list[tuple[str, str, str]] = []
    current: list[str] = []
    kind, bullet = "p", ""

    def flush() -> None:
        nonlocal current, kind, bullet
        if current:
            blocks.append((kind, bullet, " ".join(part.strip() for part in current)))
        current, kind, bullet = [], "p", ""

    for line in _clean(raw).split("\n"):
        if not line.strip():
            flush()
        elif match := _MD_HEADING.match(line):
            flush()
            blocks.append(("h", "", match.group(1)))
        elif match := _MD_BULLET.match(line):
            flush()
            kind, bullet, current = "li", "•", [match.group(1)]
        elif match := _MD_NUMBER.match(line):
            flush()
            kind, bullet, current = "li", f"{match.group(1)}.", [match.group(2)]
        else:
            current.append(line)
    flush()
    return blocks


def _paragraph(markup: str, style: ParagraphStyle, fallback: str, **kwargs) -> Paragraph:
    """A Paragraph of markup built here; should it ever fail to parse, the escaped plain text instead."""
    try:
        return Paragraph(markup, style, **kwargs)
    except ValueError:
        return Paragraph(_text(fallback), style, **kwargs)


def _markdown(raw: str, s: dict[str, ParagraphStyle], *, as_bullets: bool = False) -> list[Flowable]:
    """Editor Markdown as flowables; with `as_bullets`, plain paragraphs become bullets too (lists of actions)."""
    flowables: list[Flowable] = []
    for kind, bullet, text in _markdown_blocks(raw):
        if kind == "h":
            flowables.append(_paragraph(f"<b>{_inline(text)}</b>", s["body"], text))
        elif kind == "li" or as_bullets:
            flowables.append(_paragraph(_inline(text), s["bullet"], text, bulletText=bullet or "•"))
        else:
            flowables.append(_paragraph(_inline(text), s["body"], text))
    return flowables


def _note(raw: str, style: ParagraphStyle) -> list[Flowable]:
    """Free text from city staff as paragraphs (never a table cell: a long note must be able to split)."""
    return [Paragraph(_lines(part.strip("\n")), style) for part in re.split(r"\n\s*\n", _clean(raw)) if part.strip()]


# --- Numbers and words ---


def _fmt(value: Decimal | float | int | None) -> str:
    """A score shown with one decimal, rounded half up; a dash when there is none."""
    if value is None:
        return DASH
    return str(Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _change(score: Decimal | None, previous: Decimal | None) -> str:
    if score is None:
        return DASH
    if previous is None:
        return "new"
    delta = Decimal(score - previous).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if delta > 0:
        return f"+{delta}"
    if delta < 0:
        return f"{MINUS}{-delta}"
    return "0.0"


def _band(band: str) -> str:
    band = str(band or "").strip()
    return BAND_NAMES.get(band.lower(), band) if band else "Not scored"


def _date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _cities(n: int) -> str:
    return f"{n} city" if n == 1 else f"{n} cities"


# --- Styles, template and footer ---


def _styles() -> dict[str, ParagraphStyle]:
    """The house styles with the report's own: cover, captions, answers and notes, numeric table heads."""
    styles = house_styles()

    def style(name: str, **kwargs) -> ParagraphStyle:
        return derived(styles, name, **kwargs)

    styles.update(
        brand=style("Brand", fontName=BOLD, fontSize=11, leading=15, textColor=MUTED, spaceAfter=30),
        subtitle=style("Subtitle", fontSize=18, leading=24, spaceAfter=18),
        h3=style("Heading3", fontName=BOLD, fontSize=10, leading=14, spaceBefore=6, spaceAfter=2, keepWithNext=True),
        meta=style("Meta", fontSize=9, leading=13, textColor=MUTED, spaceAfter=4, keepWithNext=True),
        caption=style("Caption", fontSize=8.5, leading=12, textColor=MUTED, alignment=TA_CENTER, spaceAfter=10),
        answer=style("Answer", fontSize=9.5, leading=13.5, leftIndent=10, spaceAfter=3),
        note=style("Note", fontSize=9.5, leading=13.5, leftIndent=10, spaceAfter=4),
        cell=style("Cell", fontSize=8.5, leading=11, spaceAfter=0, bulletFontSize=8.5),
        cell_head=style("CellHead", fontName=BOLD, fontSize=8.5, leading=11, spaceAfter=0),
        cell_head_number=style(
            "CellHeadNumber", fontName=BOLD, fontSize=8.5, leading=11, spaceAfter=0, alignment=TA_RIGHT
        ),
        notice=style("Notice", fontSize=10, leading=14, spaceAfter=0),
    )
    return styles


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
    page = f" · page {doc.page} of "
    text = _fit(label, doc.width - stringWidth(page + "9999", REGULAR, FOOTER_SIZE)) + page
    canvas.drawString(doc.leftMargin, 9.5 * mm, text)
    canvas.translate(doc.leftMargin + stringWidth(text, REGULAR, FOOTER_SIZE), 9.5 * mm)
    canvas.doForm(PAGE_COUNT_FORM)
    canvas.restoreState()


def _no_footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:
    return None


def _build(
    story: list[Flowable],
    *,
    title: str,
    subject: str,
    footer: str,
    footer_on_first_page: bool,
) -> RenderedReport:
    register_fonts()
    buffer = io.BytesIO()
    doc = OutlinedDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=24 * mm,
        title=title,
        author=AUTHOR,
        subject=subject,
        creator=AUTHOR,
        keywords="OPENCities, openness, recommendations",
        lang="en",
        # Without these reportlab writes Helvetica into the PDF as the canvas's first font.
        initialFontName=REGULAR,
        initialFontSize=10,
    )
    on_page: Callable = partial(_footer, _clean(footer).replace("\n", " "))
    first_page = on_page if footer_on_first_page else _no_footer
    doc.build(story, onFirstPage=first_page, onLaterPages=on_page, canvasmaker=_PageCountCanvas)
    return RenderedReport(content=buffer.getvalue(), pages=doc.canv.page_count)


# --- Building blocks ---


def _bullets(items: Iterable[str], style: ParagraphStyle) -> list[Flowable]:
    return [Paragraph(item, style, bulletText="•") for item in items]


def _table(data: list[list], widths: list[float], extra: Sequence[tuple] = ()) -> Table:
    """A table whose header row repeats on every page it spans; every cell in DejaVu."""
    table = Table(data, colWidths=widths, hAlign="LEFT", repeatRows=1)
    table.setStyle(
        house_table_style(
            ("FONTNAME", (0, 0), (-1, 0), BOLD),
            ("FONTSIZE", (0, 0), (-1, -1), 8.5),
            ("LEADING", (0, 0), (-1, -1), 11),
            ("TEXTCOLOR", (0, 0), (-1, -1), INK),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            *extra,
        )
    )
    return table


def _box(flowables: list[Flowable], background, border) -> Table:
    """A shaded box around a few short paragraphs (the demonstration notice)."""
    table = Table([[flowables]], colWidths=[FRAME_WIDTH], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("BACKGROUND", (0, 0), (-1, -1), background),
                ("BOX", (0, 0), (-1, -1), 0.8, border),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ("RIGHTPADDING", (0, 0), (-1, -1), 10),
            ]
        )
    )
    return table


def _demo_notice(s) -> Table:
    return _box(
        [
            Paragraph("<b>Demonstration data</b>", s["notice"]),
            Paragraph(
                "This report was built from a synthetic assessment made to show how the platform works. Its answers, "
                "scores and comparisons do not describe the real policies of this city.",
                s["notice"],
            ),
        ],
        NOTICE,
        NOTICE_RULE,
    )


# --- The tailored report, section by section ---


def _section_break(new_page: bool) -> Flowable:
    """A long section starts on a new page; a short one only when less than a third of the page is left."""
    return PageBreak() if new_page else CondPageBreak(85 * mm)


def _cover(data: ReportData, s) -> list[Flowable]:
    facts = [
        f"<b>City type:</b> {_text(data.city_type)}",
        f"<b>Generated on:</b> {_date(data.generated_on)}",
        f"<b>Questionnaire version:</b> {_text(data.questionnaire_version)}",
    ]
    if data.previous_year:
        facts.append(f"<b>Compared with the assessment of:</b> {data.previous_year}")
    flowables: list[Flowable] = [
        Spacer(1, 30 * mm),
        Paragraph("OPENCities", s["brand"]),
        Paragraph(f"Openness report {data.year}", s["title"]),
        Paragraph(f"{_text(data.city)}, {_text(data.country)}", s["subtitle"]),
        *[Paragraph(fact, s["body"]) for fact in facts],
        Spacer(1, 8 * mm),
    ]
    if data.is_demo:
        flowables += [_demo_notice(s), Spacer(1, 8 * mm)]
    flowables += [
        Paragraph("Contents", s["h3"]),
        *[Paragraph(f"{number}. {escape(name)}", s["body"]) for number, name in enumerate(SECTIONS, start=1)],
    ]
    if data.site_url and _is_web_url(data.site_url):
        flowables += [Spacer(1, 8 * mm), Paragraph(f"Made with OPENCities: {_url(data.site_url)}", s["small"])]
    flowables.append(PageBreak())
    return flowables


def _highlight_items(items: Sequence[Highlight]) -> list[str]:
    return [f"<b>{_text(item.name)}</b>: {_text(item.words)}" for item in items]


def _position(data: ReportData) -> str:
    if data.peer_n <= 0:
        return f"<b>Peer group:</b> {_text(data.peer_group)}"
    sentence = f"<b>Peer group:</b> {_text(data.peer_group)} ({_cities(data.peer_n)})."
    if data.index_rank is None:
        return sentence + " The openness index has no percentile rank in this group."
    return (
        sentence + f" The openness index has a percentile rank of <b>{_fmt(data.index_rank)}</b> in this group: "
        "the share of these cities that score lower, with ties counted as half."
    )


def _summary(data: ReportData, s) -> list[Flowable]:
    if data.index is None:
        index = "The openness index could not be calculated for this assessment."
    else:
        index = f"<b>Openness index: {_fmt(data.index)}</b> out of 100, in the {_band(data.index_band).lower()} band."
    about_type = f"{_text(data.city)} is classified as <b>{_text(data.city_type)}</b>."
    if data.city_type_description:
        about_type += f" {_text(data.city_type_description)}"
    flowables: list[Flowable] = [
        Paragraph(SECTION_SUMMARY, s["h1"]),
        Paragraph(index, s["body"]),
        Paragraph(_position(data), s["body"]),
        Paragraph(about_type, s["body"]),
    ]
    if data.city_type_reason:
        flowables.append(Paragraph(f"Why this type: {_text(data.city_type_reason)}", s["small"]))
    flowables.append(Paragraph("Main strengths", s["h2"]))
    if data.strengths:
        flowables += _bullets(_highlight_items(data.strengths[:3]), s["bullet"])
    else:
        flowables.append(Paragraph("No dimension stands out as a strength yet.", s["body"]))
    flowables.append(Paragraph("Main weaknesses", s["h2"]))
    if data.weaknesses:
        flowables += _bullets(_highlight_items(data.weaknesses[:3]), s["bullet"])
    else:
        flowables.append(Paragraph("No dimension stands out as a weakness.", s["body"]))
    count = len(data.recommendations)
    if count:
        follow = (
            f"This report makes {count} tailored recommendation{'s' if count != 1 else ''}, "
            "each with the reasons it was chosen, the actions it involves and examples from other cities."
        )
    else:
        follow = "No tailored recommendation applies to this assessment."
    flowables += [Spacer(1, 4), Paragraph(follow, s["body"])]
    return flowables


def _radar(data: ReportData, s) -> list[Flowable]:
    flowables: list[Flowable] = [PageBreak(), Paragraph(SECTION_RADAR, s["h1"])]
    if len(data.scores) < 3:
        flowables.append(Paragraph("Too few dimensions were scored to draw the radar chart.", s["body"]))
        return flowables
    peer = [data.peer_medians.get(line.key) for line in data.scores] if data.peer_medians else None
    drawing = radar_drawing(
        [line.name for line in data.scores],
        [line.score for line in data.scores],
        peer,
        size=(FRAME_WIDTH, 310),
        city_label=data.city,
        peer_label="Peer median",
        font_size=8.5,
    )
    drawing.hAlign = "CENTER"
    # renderPDF starts a drawing in Helvetica unless told otherwise, even when every String names DejaVu.
    drawing.initialFontName, drawing.initialFontSize = REGULAR, 8.5
    if peer is not None:
        group = f" ({_cities(data.peer_n)})" if data.peer_n > 0 else ""
        caption = f"Each axis runs from 0 at the centre to 100; the dashed line is the median of the peer group{group}."
    else:
        caption = "Each axis runs from 0 at the centre to 100; there is no peer line, as no peer group can be compared."
    unscored = [line.name for line in data.scores if line.score is None]
    if unscored:
        caption += " Not scored, drawn at the centre: " + ", ".join(_text(name) for name in unscored) + "."
    flowables += [drawing, Spacer(1, 4), Paragraph(caption, s["caption"])]
    return flowables


def _scores(data: ReportData, s) -> list[Flowable]:
    with_change = data.previous_year is not None
    head = ["Dimension", "Score", "Band", "Peer median", "25th–75th", "Percentile rank"]
    widths = [136, 38, 54, 50, 66, 62]
    if with_change:
        head.append(f"Change since {data.previous_year}")
        widths.append(FRAME_WIDTH - sum(widths))
    else:
        widths[0] += FRAME_WIDTH - sum(widths)
    rows: list[list] = [
        [
            Paragraph(escape(cell), s["cell_head"] if number in (0, 2) else s["cell_head_number"])
            for number, cell in enumerate(head)
        ]
    ]
    for line in data.scores:
        spread = f"{_fmt(line.p25)}–{_fmt(line.p75)}" if line.p25 is not None and line.p75 is not None else DASH
        row = [
            Paragraph(_text(line.name), s["cell"]),
            _fmt(line.score),
            _band(line.band),
            _fmt(line.median),
            spread,
            _fmt(line.rank),
        ]
        if with_change:
            row.append(_change(line.score, line.previous))
        rows.append(row)
    flowables: list[Flowable] = [
        Spacer(1, 6),
        Paragraph(SECTION_SCORES, s["h1"]),
        _table(rows, widths, [("ALIGN", (1, 1), (-1, -1), "RIGHT"), ("ALIGN", (2, 1), (2, -1), "LEFT")]),
        Spacer(1, 6),
    ]
    if data.peer_n > 0:
        notes = [f"Peer columns compare with {_cities(data.peer_n)}: {_text(data.peer_group)}"]
    else:
        notes = [f"The peer columns are empty. {_text(data.peer_group)}"]
    if with_change:
        notes.append(
            f"Change is measured against the assessment of {data.previous_year}; “new” marks a dimension "
            "not scored then."
        )
    else:
        notes.append("There is no earlier assessment on this questionnaire version to show the change against.")
    flowables += [Paragraph(note, s["small"]) for note in notes]
    return flowables


def _highlights(data: ReportData, s) -> list[Flowable]:
    by_name = {line.name: line for line in data.scores}

    def item(highlight: Highlight) -> str:
        line = by_name.get(highlight.name)
        detail = ""
        if line is not None and line.score is not None:
            detail = f" Score {_fmt(line.score)}, {_band(line.band).lower()} band."
        return f"<b>{_text(highlight.name)}</b>: {_text(highlight.words)}.{detail}"

    basis = (
        "Strengths are the dimensions furthest above the peer median, weaknesses those furthest below."
        if data.peer_n > 0
        else "Without a peer group, strengths and weaknesses are read from the bands of the scores."
    )
    flowables: list[Flowable] = [Spacer(1, 10), Paragraph(SECTION_HIGHLIGHTS, s["h1"]), Paragraph(basis, s["body"])]
    flowables.append(Paragraph("Strengths", s["h2"]))
    if data.strengths:
        flowables += _bullets([item(highlight) for highlight in data.strengths], s["bullet"])
    else:
        flowables.append(Paragraph("No dimension stands out as a strength yet.", s["body"]))
    flowables.append(Paragraph("Weaknesses", s["h2"]))
    if data.weaknesses:
        flowables += _bullets([item(highlight) for highlight in data.weaknesses], s["bullet"])
    else:
        flowables.append(Paragraph("No dimension stands out as a weakness.", s["body"]))
    return flowables


def _case_study(case_study: CaseStudyRef) -> str:
    return f"<b>{_text(case_study.title)}</b> ({_text(case_study.city)}): {_url(case_study.url)}"


def _recommendation(number: int, line: RecommendationLine, s) -> list[Flowable]:
    head: list[Flowable] = [
        Paragraph(f"{number}. {_text(line.title)}", s["h2"]),
        Paragraph(f"Theme: {_text(line.theme)} · Priority: {_text(line.priority)}", s["meta"]),
    ]
    reasons = [reason for reason in line.reasons if str(reason).strip()]
    if reasons:
        head.append(Paragraph("<b>Why:</b> " + "; ".join(_text(reason) for reason in reasons) + ".", s["body"]))
    flowables: list[Flowable] = [KeepTogether(head), *_markdown(line.text, s)]
    actions = _markdown(line.actions, s, as_bullets=True)
    if actions:
        flowables += [Paragraph("What to do", s["h3"]), *actions]
    if line.case_studies:
        flowables += [
            Paragraph("Case studies", s["h3"]),
            *_bullets([_case_study(case_study) for case_study in line.case_studies], s["bullet"]),
        ]
    return flowables


def _recommendations(data: ReportData, s) -> list[Flowable]:
    flowables: list[Flowable] = [
        _section_break(bool(data.recommendations)),
        Paragraph(SECTION_RECOMMENDATIONS, s["h1"]),
    ]
    if not data.recommendations:
        flowables.append(
            Paragraph(
                "No recommendation rule matched this assessment's scores, city type and framework gaps. The general "
                "policy recommendations, open to every city, still apply.",
                s["body"],
            )
        )
        return flowables
    flowables.append(
        Paragraph(
            f"These recommendations were chosen for {_text(data.city)} from its weakest dimensions, its strategic "
            f"framework gaps and its city type ({_text(data.city_type)}), most urgent first.",
            s["body"],
        )
    )
    for number, line in enumerate(data.recommendations, start=1):
        flowables += _recommendation(number, line, s)
    return flowables


# A table row cannot split across pages: the cell names at most this many recommendations (the rest are counted;
# each appears in full in the recommendations section).
CLOSED_BY_SHOWN = 4


def _framework_cell(line: FrameworkLine, s) -> list[Flowable]:
    cell: list[Flowable] = []
    if line.link:
        cell.append(Paragraph(_url(line.link), s["cell"]))
    if line.closed_by:
        shown = "; ".join(_text(title) for title in line.closed_by[:CLOSED_BY_SHOWN])
        more = len(line.closed_by) - CLOSED_BY_SHOWN
        if more > 0:
            shown += f"; and {more} more"
        cell.append(Paragraph("closed by: " + shown, s["cell"]))
    return cell or [Paragraph(DASH, s["cell"])]


def _framework(data: ReportData, s) -> list[Flowable]:
    flowables: list[Flowable] = [_section_break(False), Paragraph(SECTION_FRAMEWORK, s["h1"])]
    if not data.framework:
        flowables.append(Paragraph("The strategic framework review was not filled in.", s["body"]))
        return flowables
    counts: dict[str, int] = {}
    for line in data.framework:
        counts[line.status] = counts.get(line.status, 0) + 1
    summary = ", ".join(f"{_text(status)}: {count}" for status, count in counts.items())
    flowables.append(
        Paragraph(
            f"The review checks {len(data.framework)} elements of a city openness strategy ({summary}). Gaps show "
            "the recommendations in this report that would close them.",
            s["body"],
        )
    )
    rows: list[list] = [[Paragraph(cell, s["cell_head"]) for cell in ("Element", "Status", "Document, or gap")]]
    rows += [
        [Paragraph(_text(line.name), s["cell"]), Paragraph(_text(line.status), s["cell"]), _framework_cell(line, s)]
        for line in data.framework
    ]
    flowables.append(_table(rows, [170, 70, FRAME_WIDTH - 240]))
    return flowables


def _evidence_item(line: EvidenceLine, s, heading: list[Flowable]) -> list[Flowable]:
    """The question and its answer, kept together (with the dimension's heading before its first question)."""
    item: list[Flowable] = [
        KeepTogether(
            [
                *heading,
                Paragraph(_text(line.question), s["h3"]),
                Paragraph(f"<b>Answer:</b> {_text(line.answer)}", s["answer"]),
            ]
        ),
        *_note(line.note, s["note"]),
    ]
    if line.url:
        item.append(Paragraph(f"<b>Link:</b> {_url(line.url)}", s["answer"]))
    return item


def _evidence(data: ReportData, s) -> list[Flowable]:
    flowables: list[Flowable] = [_section_break(bool(data.evidence)), Paragraph(SECTION_EVIDENCE, s["h1"])]
    if not data.evidence:
        flowables.append(Paragraph("No answer in this assessment carries a note or a link as evidence.", s["body"]))
        return flowables
    flowables.append(
        Paragraph(
            "The notes and links that the city's team attached to its answers, by dimension, in the order of the "
            "questionnaire.",
            s["body"],
        )
    )
    dimension = None
    for line in data.evidence:
        heading = []
        if line.dimension != dimension:
            dimension = line.dimension
            heading.append(Paragraph(_text(dimension), s["h2"]))
        flowables += _evidence_item(line, s, heading)
    return flowables


def _method(data: ReportData, s) -> list[Flowable]:
    paragraphs = (
        "<b>Scores.</b> Each answer in the questionnaire is worth between 0 and 100 points: policy questions use a "
        "five-step ladder from none to established and evaluated, figures are scored by bands set with their "
        "question, and yes-or-no questions score 0 or 100. Don't know scores 0; Not applicable is left out of the "
        "calculation. A dimension's score is the weighted mean of its questions, and the openness index is the mean "
        "of the nine dimensions. Figures are rounded to one decimal only when they are shown.",
        "<b>Bands.</b> Every score falls in a low, medium or high band. The thresholds belong to the questionnaire "
        f"version ({_text(data.questionnaire_version)}), so a change to them is reviewed and never alters an "
        "earlier result; scores are only compared within the same major version.",
        "<b>City types.</b> A city is placed in one of five types from a few facts in its profile: metropolitan "
        "population, capital or largest city, world-city tier, an international niche, and a past global role. "
        "Ordered rules decide, and when none fits the nearest typical profile wins. An editor can override the type "
        "with a recorded reason; the type in force chooses the peers, the recommendations and the case studies.",
        "<b>Peer groups.</b> The city is compared with cities of its type, or with all cities when too few share it. "
        "Each peer counts once, with its latest submitted assessment from the last three years. The report shows the "
        "group's median and quartiles and the city's percentile rank – the share of peers scoring lower, ties "
        "counting half – but never a league table, and a group of fewer than five cities shows no figures at all.",
    )
    return [
        _section_break(False),
        Paragraph(SECTION_METHOD, s["h1"]),
        *[Paragraph(text, s["body"]) for text in paragraphs],
    ]


def render_report(data: ReportData) -> RenderedReport:
    """The tailored openness report of one assessment as PDF bytes and their page count."""
    s = _styles()
    story = [
        *_cover(data, s),
        *_summary(data, s),
        *_radar(data, s),
        *_scores(data, s),
        *_highlights(data, s),
        *_recommendations(data, s),
        *_framework(data, s),
        *_evidence(data, s),
        *_method(data, s),
    ]
    city = _clean(data.city).replace("\n", " ")
    return _build(
        story,
        title=f"Openness report {data.year}: {city}",
        subject=f"The OPENCities openness self-assessment of {city}, {_clean(data.country)}, {data.year}",
        footer=f"{city} · Openness report {data.year}",
        footer_on_first_page=False,
    )


# --- The general recommendations ---


def render_general_recommendations(themes: Sequence[GeneralTheme]) -> RenderedReport:
    """Every active recommendation, grouped by theme: the public PDF that any city can download."""
    s = _styles()
    story: list[Flowable] = [
        Paragraph("OPENCities", s["brand"]),
        Paragraph(GENERAL_TITLE, s["title"]),
        Paragraph(
            "These recommendations gather what cities that attract and keep international people tend to do well. "
            "They are grouped by policy theme and written for any city, whatever its size or starting point. A "
            "city that completes the OPENCities self-assessment receives a report that picks from them the ones "
            "that fit its weakest dimensions, its strategy gaps and its type, and explains each choice.",
            s["body"],
        ),
    ]
    if not themes:
        story.append(Paragraph("No recommendation has been published yet.", s["body"]))
    for theme in themes:
        story += [CondPageBreak(60 * mm), Paragraph(_text(theme.name), s["h1"])]
        if theme.description:
            story += _note(theme.description, s["body"])
        for title, text, actions in theme.recommendations:
            body = _markdown(text, s)
            story += [KeepTogether([Paragraph(_text(title), s["h2"]), *body[:1]]), *body[1:]]
            steps = _markdown(actions, s, as_bullets=True)
            if steps:
                story += [Paragraph("What to do", s["h3"]), *steps]
        story.append(Spacer(1, 6))
    return _build(
        story,
        title=GENERAL_TITLE,
        subject="OPENCities policy recommendations for cities that want to attract and keep international people",
        footer=f"OPENCities · {GENERAL_TITLE}",
        footer_on_first_page=True,
    )
