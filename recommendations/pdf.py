"""The tailored openness report and the general recommendations as PDF, built with reportlab.

Pure: data in, bytes out (no ORM, no request, no settings beyond the active language). Every string that comes
from a city, an editor, the database or a translation is escaped before it reaches a Paragraph; editors'
Markdown goes through the same parse-and-clean step as on the pages (opencities.documents), so no user text can
ever become reportlab markup (CVE-2023-33733).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

from assessments.numbers import figure
from assessments.radar import radar_drawing
from opencities.documents import (
    FRAME_WIDTH,
    INK,
    LINK,
    MUTED,
    RenderedDocument,
    build_document,
    bullets,
    clean_text,
    contents,
    derived,
    escaped,
    escaped_lines,
    filled,
    house_styles,
    house_table,
    is_web_url,
    markdown_flowables,
    url_markup,
)
from opencities.fonts import BOLD, REGULAR
from opencities.languages import list_separator
from opencities.vocabulary import BANDS, choices

from .report_data import CaseStudyRef, EvidenceLine, FrameworkLine, Highlight, RecommendationLine, ReportData

GENERAL_TITLE = gettext_lazy("General policy recommendations")

NOTICE = colors.HexColor("#fff3cd")
NOTICE_RULE = colors.HexColor("#c9a227")

MINUS = "\u2212"
DASH = "—"
BAND_NAMES = dict(choices(BANDS))

SECTION_SUMMARY = gettext_lazy("Executive summary")
SECTION_RADAR = gettext_lazy("Profile at a glance")
SECTION_SCORES = gettext_lazy("Scores by dimension")
SECTION_HIGHLIGHTS = gettext_lazy("Strengths and weaknesses")
SECTION_RECOMMENDATIONS = gettext_lazy("Tailored recommendations")
SECTION_FRAMEWORK = gettext_lazy("Strategic framework review")
SECTION_EVIDENCE = gettext_lazy("Evidence annex")
SECTION_METHOD = gettext_lazy("Method annex")
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
class GeneralRecommendation:
    title: str
    text: str  # Markdown from editors
    actions: str = ""  # Markdown from editors
    case_studies: tuple[CaseStudyRef, ...] = ()
    city_types: tuple[str, ...] = ()  # the names of the types it is meant for; empty: every city
    in_english_only: bool = False  # some of its text is the English, not yet translated into this language


@dataclass(frozen=True)
class GeneralTheme:
    name: str
    description: str
    recommendations: tuple[GeneralRecommendation, ...]


def _after_label() -> str:
    """The colon after a bold label, as the language sets it (French puts a no-break space before it)."""
    return escaped(pgettext("after a label", ":"))


def _label(words: object) -> str:
    """A translated label in bold, such as "City type:"."""
    return f"<b>{escaped(words)}</b>"


def _labelled(words: object, markup: str) -> str:
    """A label in bold followed by its value (markup already escaped). The label's gettext call stays outside any
    f-string: xgettext does not read inside one, so a label written there never reached the catalogue."""
    return f"{_label(words)} {markup}"


def _heading(words: object, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escaped(words), style)


def _note(raw: str, style: ParagraphStyle) -> list[Flowable]:
    """Free text from city staff as paragraphs (never a table cell: a long note must be able to split)."""
    parts = re.split(r"\n\s*\n", clean_text(raw))
    return [Paragraph(escaped_lines(part.strip("\n")), style) for part in parts if part.strip()]


# --- Numbers and words ---


def _fmt(value: Decimal | float | int | None) -> str:
    """A score shown with one decimal, rounded half up, in the language's way (49,5 in French); a dash for none."""
    if value is None:
        return DASH
    return figure(value, places=1)


def _change(score: Decimal | None, previous: Decimal | None) -> str:
    if score is None:
        return DASH
    if previous is None:
        return _("new")
    delta = Decimal(score - previous).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if delta > 0:
        return f"+{figure(delta, places=1)}"
    if delta < 0:
        return f"{MINUS}{figure(-delta, places=1)}"
    return figure(0, places=1)


def _band(band: str) -> str:
    band = str(band or "").strip()
    return str(BAND_NAMES.get(band.lower(), band)) if band else _("Not scored")


def _date(day: date) -> str:
    """A day as the language writes it: 4 December 2026, 4 décembre 2026 (its DATE_FORMAT)."""
    return date_format(day)


def _cities(n: int) -> str:
    return ngettext("%(count)d city", "%(count)d cities", n) % {"count": n}


# --- Styles ---


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


# The report's tables set plain (non-Paragraph) cells in the small cell face, with tighter padding.
_TABLE_COMMANDS = (
    ("FONTNAME", (0, 0), (-1, 0), BOLD),
    ("FONTSIZE", (0, 0), (-1, -1), 8.5),
    ("LEADING", (0, 0), (-1, -1), 11),
    ("TEXTCOLOR", (0, 0), (-1, -1), INK),
    ("LEFTPADDING", (0, 0), (-1, -1), 4),
    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
)


def _table(data: list[list], widths: list[float], extra: Sequence[tuple] = ()) -> Table:
    return house_table(data, widths, *_TABLE_COMMANDS, *extra)


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
            Paragraph(_label(_("Demonstration data")), s["notice"]),
            Paragraph(
                escaped(
                    _(
                        "This report was built from a synthetic assessment made to show how the platform works. "
                        "Its answers, scores and comparisons do not describe the real policies of this city."
                    )
                ),
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
        _labelled(_("City type:"), escaped(data.city_type)),
        _labelled(_("Generated on:"), escaped(_date(data.generated_on))),
        _labelled(_("Questionnaire version:"), escaped(data.questionnaire_version)),
    ]
    if data.previous_year:
        previous = (
            _("%(year)s (demonstration data)") % {"year": data.previous_year}
            if data.previous_is_demo
            else str(data.previous_year)
        )
        facts.append(_labelled(_("Compared with the assessment of:"), escaped(previous)))
    flowables: list[Flowable] = [
        Spacer(1, 30 * mm),
        Paragraph("OPENCities", s["brand"]),
        _heading(_("Openness report %(year)s") % {"year": data.year}, s["title"]),
        Paragraph(f"{escaped(data.city)}, {escaped(data.country)}", s["subtitle"]),
        *[Paragraph(fact, s["body"]) for fact in facts],
        Spacer(1, 8 * mm),
    ]
    if data.is_demo:
        flowables += [_demo_notice(s), Spacer(1, 8 * mm)]
    flowables += [
        _heading(_("Contents"), s["h3"]),
        contents(s),
    ]
    if data.site_url and is_web_url(data.site_url):
        made_with = filled(_("Made with OPENCities: %(url)s"), url=url_markup(data.site_url))
        flowables += [Spacer(1, 8 * mm), Paragraph(made_with, s["small"])]
    flowables.append(PageBreak())
    return flowables


def _highlight_items(items: Sequence[Highlight]) -> list[str]:
    return [f"<b>{escaped(item.name)}</b>{_after_label()} {escaped(item.words)}" for item in items]


def _position(data: ReportData) -> str:
    group = _labelled(_("Peer group:"), escaped(data.peer_group))
    if data.peer_n <= 0:
        return group
    sentence = f"{group} ({escaped(_cities(data.peer_n))})."
    if data.index_rank is None:
        no_rank = _("The openness index has no percentile rank in this group.")
        return f"{sentence} {escaped(no_rank)}"
    rank = filled(
        _(
            "The openness index has a percentile rank of %(rank)s in this group: the share of these cities that "
            "score lower, with ties counted as half."
        ),
        rank=f"<b>{_fmt(data.index_rank)}</b>",
    )
    return f"{sentence} {rank}"


def _none_stands_out(strength: bool) -> str:
    if strength:
        return escaped(_("No dimension stands out as a strength yet."))
    return escaped(_("No dimension stands out as a weakness."))


def _summary(data: ReportData, s) -> list[Flowable]:
    if data.index is None:
        index = escaped(_("The openness index could not be calculated for this assessment."))
    else:
        index = filled(
            _("%(index)s out of 100, in the %(band)s band."),
            index="<b>" + filled(_("Openness index: %(score)s"), score=_fmt(data.index)) + "</b>",
            band=escaped(_band(data.index_band).lower()),
        )
    about_type = filled(
        _("%(city)s is classified as %(type)s."),
        city=escaped(data.city),
        type=f"<b>{escaped(data.city_type)}</b>",
    )
    if data.city_type_description:
        about_type += f" {escaped(data.city_type_description)}"
    flowables: list[Flowable] = [
        _heading(SECTION_SUMMARY, s["h1"]),
        Paragraph(index, s["body"]),
        Paragraph(_position(data), s["body"]),
        Paragraph(about_type, s["body"]),
    ]
    if data.city_type_reason:
        reason = filled(_("Why this type: %(reason)s"), reason=escaped(data.city_type_reason))
        flowables.append(Paragraph(reason, s["small"]))
    for strength, title, items in (
        (True, _("Main strengths"), data.strengths),
        (False, _("Main weaknesses"), data.weaknesses),
    ):
        flowables.append(_heading(title, s["h2"]))
        if items:
            flowables += bullets(_highlight_items(items[:3]), s["bullet"])
        else:
            flowables.append(Paragraph(_none_stands_out(strength), s["body"]))
    count = len(data.recommendations)
    if count:
        follow = ngettext(
            "This report makes %(count)d tailored recommendation, each with the reasons it was chosen, the actions it "
            "involves and examples from other cities.",
            "This report makes %(count)d tailored recommendations, each with the reasons it was chosen, the "
            "actions it involves and examples from other cities.",
            count,
        ) % {"count": count}
    else:
        follow = _("No tailored recommendation applies to this assessment.")
    flowables += [Spacer(1, 4), Paragraph(escaped(follow), s["body"])]
    return flowables


def _radar(data: ReportData, s) -> list[Flowable]:
    flowables: list[Flowable] = [PageBreak(), _heading(SECTION_RADAR, s["h1"])]
    if len(data.scores) < 3:
        flowables.append(_heading(_("Too few dimensions were scored to draw the radar chart."), s["body"]))
        return flowables
    peer = [data.peer_medians.get(line.key) for line in data.scores] if data.peer_medians else None
    drawing = radar_drawing(
        [line.name for line in data.scores],
        [line.score for line in data.scores],
        peer,
        size=(FRAME_WIDTH, 310),
        city_label=data.city,
        peer_label=_("Peer median"),
        font_size=8.5,
    )
    drawing.hAlign = "CENTER"
    # renderPDF starts a drawing in Helvetica unless told otherwise, even when every String names DejaVu.
    drawing.initialFontName, drawing.initialFontSize = REGULAR, 8.5
    if peer is not None and data.peer_n > 0:
        caption = _(
            "Each axis runs from 0 at the centre to 100; the dashed line is the median of the peer group (%(cities)s)."
        ) % {"cities": _cities(data.peer_n)}
    elif peer is not None:
        caption = _("Each axis runs from 0 at the centre to 100; the dashed line is the median of the peer group.")
    else:
        caption = _(
            "Each axis runs from 0 at the centre to 100; there is no peer line, as no peer group can be compared."
        )
    caption = escaped(caption)
    unscored = [line.name for line in data.scores if line.score is None]
    if unscored:
        caption += " " + filled(
            _("Not scored, drawn at the centre: %(dimensions)s."),
            dimensions=", ".join(escaped(name) for name in unscored),
        )
    flowables += [drawing, Spacer(1, 4), Paragraph(caption, s["caption"])]
    return flowables


def _scores(data: ReportData, s) -> list[Flowable]:
    with_change = data.previous_year is not None
    # Column headings, short enough for their narrow columns in every language (the glossary's "peer median" in
    # full would break mid-word in French).
    head = [
        _("Dimension"),
        _("Score"),
        _("Band"),
        pgettext("table column", "Peer median"),
        _("25th–75th"),
        _("Percentile rank"),
    ]
    widths = [136, 38, 54, 50, 66, 62]
    if with_change:
        since = _("%(year)s (demo)") % {"year": data.previous_year} if data.previous_is_demo else data.previous_year
        head.append(_("Change since %(year)s") % {"year": since})
        widths.append(FRAME_WIDTH - sum(widths))
    else:
        widths[0] += FRAME_WIDTH - sum(widths)
    rows: list[list] = [
        [
            Paragraph(escaped(cell), s["cell_head"] if number in (0, 2) else s["cell_head_number"])
            for number, cell in enumerate(head)
        ]
    ]
    for line in data.scores:
        spread = f"{_fmt(line.p25)}–{_fmt(line.p75)}" if line.p25 is not None and line.p75 is not None else DASH
        row = [
            Paragraph(escaped(line.name), s["cell"]),
            _fmt(line.score),
            _band(line.band),
            _fmt(line.median),
            spread,
            _fmt(line.rank),
        ]
        if with_change:
            row.append(_change(line.score, line.previous))
        rows.append(row)
    table = _table(rows, widths, [("ALIGN", (1, 1), (-1, -1), "RIGHT"), ("ALIGN", (2, 1), (2, -1), "LEFT")])
    if data.peer_n > 0:
        notes = [
            filled(
                _("Peer columns compare with %(cities)s: %(group)s"),
                cities=escaped(_cities(data.peer_n)),
                group=escaped(data.peer_group),
            )
        ]
    else:
        notes = [filled(_("The peer columns are empty. %(group)s"), group=escaped(data.peer_group))]
    if with_change and data.previous_is_demo:
        notes.append(
            filled(
                _(
                    "Change is measured against the assessment of %(year)s, which is demonstration data: synthetic "
                    "figures, not the city's answers, so the change says nothing about the city; “new” marks a "
                    "dimension not scored then."
                ),
                year=str(data.previous_year),
            )
        )
    elif with_change:
        notes.append(
            filled(
                _("Change is measured against the assessment of %(year)s; “new” marks a dimension not scored then."),
                year=str(data.previous_year),
            )
        )
    else:
        notes.append(
            escaped(_("There is no earlier assessment on this questionnaire version to show the change against."))
        )
    # The heading, the table and the notes that say how to read it stay on one page: none starts a page alone.
    notes_flowables = [Paragraph(note, s["small"]) for note in notes]
    return [Spacer(1, 6), KeepTogether([_heading(SECTION_SCORES, s["h1"]), table, Spacer(1, 6), *notes_flowables])]


def _highlights(data: ReportData, s) -> list[Flowable]:
    by_name = {line.name: line for line in data.scores}

    def item(highlight: Highlight) -> str:
        line = by_name.get(highlight.name)
        detail = ""
        if line is not None and line.score is not None:
            detail = " " + escaped(
                _("Score %(score)s, %(band)s band.") % {"score": _fmt(line.score), "band": _band(line.band).lower()}
            )
        return f"<b>{escaped(highlight.name)}</b>{_after_label()} {escaped(highlight.words)}.{detail}"

    if data.peer_n > 0:
        basis = _("Strengths are the dimensions furthest above the peer median, weaknesses those furthest below.")
    else:
        basis = _("Without a peer group, strengths and weaknesses are read from the bands of the scores.")
    flowables: list[Flowable] = [Spacer(1, 10), _heading(SECTION_HIGHLIGHTS, s["h1"]), _heading(basis, s["body"])]
    for strength, title, items in ((True, _("Strengths"), data.strengths), (False, _("Weaknesses"), data.weaknesses)):
        flowables.append(_heading(title, s["h2"]))
        if items:
            flowables += bullets([item(highlight) for highlight in items], s["bullet"])
        else:
            flowables.append(Paragraph(_none_stands_out(strength), s["body"]))
    return flowables


def _case_study(case_study: CaseStudyRef) -> str:
    return f"<b>{escaped(case_study.title)}</b> ({escaped(case_study.city)}): {url_markup(case_study.url)}"


def _headed_list(heading: Flowable, items: list[Flowable]) -> list[Flowable]:
    """A heading and its list, free to run over a page break but never leaving the heading or one item alone.

    Keeping the whole list on one page pushed a long one to the next page, away from the text it belongs to, and
    left a quarter of the page before it empty; here the heading keeps its first two items and the last item keeps
    the one before it, so no item is widowed either.
    """
    if len(items) <= 3:
        return [KeepTogether([heading, *items])]
    return [KeepTogether([heading, *items[:2]]), *items[2:-2], KeepTogether(items[-2:])]


def _what_to_do(actions: str, s) -> list[Flowable]:
    """The rule's actions, every paragraph a bullet, under their heading; nothing when there are none."""
    steps = markdown_flowables(actions, s, as_bullets=True)
    return _headed_list(_heading(_("What to do"), s["h3"]), steps) if steps else []


def _case_studies(case_studies: Sequence[CaseStudyRef], s) -> list[Flowable]:
    """The linked case studies under their heading; nothing when there are none."""
    if not case_studies:
        return []
    items = bullets([_case_study(case_study) for case_study in case_studies], s["bullet"])
    return _headed_list(_heading(_("Case studies"), s["h3"]), items)


def _english_only(s) -> Paragraph:
    """The pages' label for an editor's text shown in English because it has no translation yet."""
    return Paragraph(f"<i>{escaped(_('available in English only'))}</i>", s["meta"])


def _recommendation(number: int, line: RecommendationLine, s) -> list[Flowable]:
    head: list[Flowable] = [
        Paragraph(f"{number}. {escaped(line.title)}", s["h2"]),
        Paragraph(
            filled(
                _("Theme: %(theme)s · Priority: %(priority)s"),
                theme=escaped(line.theme),
                priority=escaped(line.priority),
            ),
            s["meta"],
        ),
    ]
    if line.in_english_only:
        head.append(_english_only(s))
    reasons = [reason for reason in line.reasons if str(reason).strip()]
    if reasons:
        why = escaped(list_separator()).join(escaped(reason) for reason in reasons)
        head.append(Paragraph(_labelled(_("Why:"), f"{why}."), s["body"]))
    return [
        KeepTogether(head),
        *markdown_flowables(line.text, s),
        *_what_to_do(line.actions, s),
        *_case_studies(line.case_studies, s),
    ]


def _recommendations(data: ReportData, s) -> list[Flowable]:
    flowables: list[Flowable] = [
        _section_break(bool(data.recommendations)),
        _heading(SECTION_RECOMMENDATIONS, s["h1"]),
    ]
    if not data.recommendations:
        none = _(
            "No recommendation rule matched this assessment's scores, city type and framework gaps. The general "
            "policy recommendations, open to every city, still apply."
        )
        flowables.append(_heading(none, s["body"]))
        return flowables
    chosen = filled(
        _(
            "These recommendations were chosen for %(city)s from its weakest dimensions, its strategic framework "
            "gaps and its city type (%(type)s), most urgent first."
        ),
        city=escaped(data.city),
        type=escaped(data.city_type),
    )
    flowables.append(Paragraph(chosen, s["body"]))
    for number, line in enumerate(data.recommendations, start=1):
        flowables += _recommendation(number, line, s)
    return flowables


# A link in a narrow table cell shows its host and the end of its path, never the raw URL broken mid-word.
SHORT_LINK = 40


def short_link_text(url: str) -> str:
    """A web address as a reader can take it in: without its scheme, and shortened in the middle when long."""
    shown = re.sub(r"^https?://(www\.)?", "", clean_text(url).strip(), flags=re.IGNORECASE).rstrip("/")
    if len(shown) <= SHORT_LINK:
        return shown
    host, _slash, path = shown.partition("/")
    last = path.rstrip("/").rsplit("/", 1)[-1]
    if len(host) + len(last) + 3 > SHORT_LINK:
        last = last[: max(0, SHORT_LINK - len(host) - 4)] + "…"
    return f"{host}/…/{last}" if last else host


def _cell_link(url: str) -> str:
    """A link for a table cell: its short text, clickable when it is http(s)."""
    url = clean_text(url).strip()
    if not is_web_url(url):
        return url_markup(url)
    href = escaped(url).replace('"', "&quot;")
    return f'<link href="{href}" color="{LINK}">{escaped(short_link_text(url))}</link>'


# A table row cannot split across pages: the cell names at most this many recommendations (the rest are counted;
# each appears in full in the recommendations section).
CLOSED_BY_SHOWN = 4


def _framework_cell(line: FrameworkLine, s) -> list[Flowable]:
    cell: list[Flowable] = []
    if line.link:
        cell.append(Paragraph(_cell_link(line.link), s["cell"]))
    if line.closed_by:
        shown = escaped(list_separator()).join(escaped(title) for title in line.closed_by[:CLOSED_BY_SHOWN])
        more = len(line.closed_by) - CLOSED_BY_SHOWN
        if more > 0:
            shown += escaped(list_separator()) + escaped(_("and %(count)d more") % {"count": more})
        cell.append(Paragraph(filled(_("closed by: %(titles)s"), titles=shown), s["cell"]))
    return cell or [Paragraph(DASH, s["cell"])]


def _framework(data: ReportData, s) -> list[Flowable]:
    flowables: list[Flowable] = [_section_break(False), _heading(SECTION_FRAMEWORK, s["h1"])]
    if not data.framework:
        flowables.append(_heading(_("The strategic framework review was not filled in."), s["body"]))
        return flowables
    counts: dict[str, int] = {}
    for line in data.framework:
        counts[line.status] = counts.get(line.status, 0) + 1
    summary = ", ".join(f"{escaped(status)}: {count}" for status, count in counts.items())
    checks = filled(
        _(
            "The review checks %(count)s elements of a city openness strategy (%(summary)s). Gaps show the "
            "recommendations in this report that would close them."
        ),
        count=str(len(data.framework)),
        summary=summary,
    )
    flowables.append(Paragraph(checks, s["body"]))
    head = (_("Element"), _("Status"), _("Document, or gap"))
    rows: list[list] = [[Paragraph(escaped(cell), s["cell_head"]) for cell in head]]
    rows += [
        [Paragraph(escaped(line.name), s["cell"]), Paragraph(escaped(line.status), s["cell"]), _framework_cell(line, s)]
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
                Paragraph(escaped(line.question), s["h3"]),
                Paragraph(_labelled(_("Answer:"), escaped(line.answer)), s["answer"]),
            ]
        ),
        *_note(line.note, s["note"]),
    ]
    if line.url:
        item.append(Paragraph(_labelled(_("Link:"), url_markup(line.url)), s["answer"]))
    return item


def _evidence(data: ReportData, s) -> list[Flowable]:
    flowables: list[Flowable] = [_section_break(bool(data.evidence)), _heading(SECTION_EVIDENCE, s["h1"])]
    if not data.evidence:
        none = _("No answer in this assessment carries a note or a link as evidence.")
        flowables.append(_heading(none, s["body"]))
        return flowables
    about = _(
        "The notes and links that the city's team attached to its answers, by dimension, in the order of the "
        "questionnaire."
    )
    flowables.append(_heading(about, s["body"]))
    dimension = None
    for line in data.evidence:
        heading = []
        if line.dimension != dimension:
            dimension = line.dimension
            heading.append(Paragraph(escaped(dimension), s["h2"]))
        flowables += _evidence_item(line, s, heading)
    return flowables


def _method_paragraphs(version: str) -> list[tuple[str, str]]:
    """The method annex as (lead-in, text) pairs."""
    return [
        (
            _("Scores."),
            _(
                "Each answer in the questionnaire is worth between 0 and 100 points: policy questions use a "
                "five-step ladder from none to established and evaluated, figures are scored by bands set with "
                "their question, and yes-or-no questions score 0 or 100. Don't know scores 0; Not applicable is "
                "left out of the calculation. A dimension's score is the weighted mean of its questions, and the "
                "openness index is the mean of the nine dimensions. Figures are rounded to one decimal only when "
                "they are shown."
            ),
        ),
        (
            _("Bands."),
            _(
                "Every score falls in a low, medium or high band. The thresholds belong to the questionnaire "
                "version (%(version)s), so a change to them is reviewed and never alters an earlier result; scores "
                "are only compared within the same major version."
            )
            % {"version": version},
        ),
        (
            _("City types."),
            _(
                "A city is placed in one of five types from a few facts in its profile: metropolitan population, "
                "capital or largest city, world-city tier, an international niche, and a past global role. Ordered "
                "rules decide, and when none fits the nearest typical profile wins. An editor can override the "
                "type with a recorded reason; the type in force chooses the peers, the recommendations and the "
                "case studies."
            ),
        ),
        (
            _("Peer groups."),
            _(
                "The city is compared with cities of its type, or with all cities when too few share it. Each peer "
                "counts once, with its latest submitted assessment from the last three years. The report shows the "
                "group's median and quartiles and the city's percentile rank – the share of peers scoring lower, "
                "ties counting half – but never a league table, and a group of fewer than five cities shows no "
                "figures at all."
            ),
        ),
    ]


def _method(data: ReportData, s) -> list[Flowable]:
    return [
        _section_break(False),
        _heading(SECTION_METHOD, s["h1"]),
        *[
            Paragraph(f"{_label(lead)} {escaped(text)}", s["body"])
            for lead, text in _method_paragraphs(clean_text(data.questionnaire_version))
        ],
    ]


def render_report(data: ReportData) -> RenderedDocument:
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
    city = clean_text(data.city).replace("\n", " ")
    title = _("Openness report %(year)s") % {"year": data.year}
    return build_document(
        story,
        title=_("Openness report %(year)s: %(city)s") % {"year": data.year, "city": city},
        subject=_("The OPENCities openness self-assessment of %(city)s, %(country)s, %(year)s")
        % {"city": city, "country": clean_text(data.country), "year": data.year},
        footer=f"{city} · {title}",
        footer_on_first_page=False,
        keywords=_("OPENCities, openness, recommendations"),
    )


# --- The general recommendations ---


def _general_recommendation(recommendation: GeneralRecommendation, s) -> list[Flowable]:
    head: list[Flowable] = [Paragraph(escaped(recommendation.title), s["h2"])]
    if recommendation.city_types:
        names = ", ".join(escaped(name) for name in recommendation.city_types)
        head.append(Paragraph(filled(_("For these city types: %(types)s"), types=names), s["meta"]))
    if recommendation.in_english_only:
        head.append(_english_only(s))
    body = markdown_flowables(recommendation.text, s)
    return [
        KeepTogether([*head, *body[:1]]),
        *body[1:],
        *_what_to_do(recommendation.actions, s),
        *_case_studies(recommendation.case_studies, s),
    ]


def render_general_recommendations(themes: Sequence[GeneralTheme], *, as_of: date | None = None) -> RenderedDocument:
    """Every active recommendation, grouped by theme: the public PDF that any city can download.

    `as_of` is the day the recommendations last changed, printed under the title.
    """
    s = _styles()
    introduction = _(
        "These recommendations gather what cities that attract and keep international people tend to do well. "
        "They are grouped by policy theme. Most suit any city, whatever its size or starting point; the few meant "
        "for particular city types say so under their title. A city that completes the OPENCities "
        "self-assessment receives a report that picks from them the ones that fit its weakest dimensions, its "
        "strategy gaps and its type, and explains each choice."
    )
    story: list[Flowable] = [
        Paragraph("OPENCities", s["brand"]),
        _heading(GENERAL_TITLE, s["title"]),
    ]
    if as_of is not None:
        story.append(Paragraph(_labelled(_("Last updated:"), escaped(_date(as_of))), s["body"]))
    story.append(_heading(introduction, s["body"]))
    if not themes:
        story.append(_heading(_("No recommendation has been published yet."), s["body"]))
    else:
        story += [_heading(_("Contents"), s["h3"]), contents(s), PageBreak()]
    for theme in themes:
        story += [CondPageBreak(60 * mm), Paragraph(escaped(theme.name), s["h1"])]
        if theme.description:
            story += _note(theme.description, s["body"])
        for recommendation in theme.recommendations:
            story += _general_recommendation(recommendation, s)
        story.append(Spacer(1, 6))
    return build_document(
        story,
        title=str(GENERAL_TITLE),
        subject=_("OPENCities policy recommendations for cities that want to attract and keep international people"),
        footer=f"OPENCities · {GENERAL_TITLE}",
        footer_on_first_page=True,
        keywords=_("OPENCities, openness, recommendations"),
    )
