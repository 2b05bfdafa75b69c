"""The research brief "Internationalisation of cities": the method explained as a PDF, built with reportlab.

Pure: no database, no request. Its figures come from the shipped questionnaire's calibration and its names from the
vocabulary; the bytes are cached per language and release (opencities/caching.py). Its sentences are written in
Markdown (**bold**), translated, then set by the same converter as editors' text.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import pairwise

from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Paragraph, Spacer, Table

from assessments.calibration import Calibration
from assessments.models import GawcTier
from assessments.numbers import figure
from assessments.questionnaire import MATURITY_LADDER
from assessments.radar import radar_drawing
from opencities import caching, method, vocabulary
from opencities.documents import (
    FRAME_WIDTH,
    build_document,
    bullets,
    contents,
    derived,
    escaped,
    filled,
    house_styles,
    house_table,
    markdown_inline,
    numbered,
    url_markup,
)
from opencities.fonts import BOLD, REGULAR
from opencities.languages import list_separator

TITLE = gettext_lazy("Internationalisation of cities")
SUBTITLE = gettext_lazy("A research brief on how open cities attract, welcome and keep international people")
# The day the brief's text last changed: move it with every change to what the brief says.
EDITION_DATE = date(2026, 12, 3)


# The brief's edition: move both with every change to what the brief says (the date is shown on the downloads page).
EDITION = "1.1"

# Sources as (citation, link or None), numbered in this order in the brief and cited in its text as [n]. The facts
# about OPENCities and their links come from the project's sourced fact file (opencities-sources.md, and for the
# URBACT network the case-study facts it points to); a work whose page was not read is cited without a link.
SOURCES = (
    (
        gettext_lazy(
            "BAK Economics, “OPENCities Monitor” (service page): the definition of openness; the Monitor's "
            "54 indicators in 11 areas under three policy themes; 26 cities at the time, with more than 100 as its "
            "stated goal."
        ),
        "https://www.bak-economics.com/en/services/regional-analysis/region-international/opencities-monitor",
    ),
    (
        gettext_lazy(
            "British Council, four reports of 2010: “Understanding OPENCities”, “Leadership and "
            "Governance of OPENCities”, “Internationalisation of OPENCities” and “Managing "
            "Diversity in OPENCities”; listed on the OPENCities site's “Understanding OPENCities” page."
        ),
        "https://opencities.eu/index.php?understanding_en",
    ),
    (
        gettext_lazy(
            "OPENCities site, methodology page: the OPENCities Monitor's one-year feasibility study by BAK Basel, "
            "its cities and its data sources."
        ),
        "http://opencities.eu/index.php?methodology_en",
    ),
    (
        gettext_lazy(
            "British Council and BAK Basel, “OPEN Cities Monitor: Benchmarking the openness of cities” "
            "(leaflet): comparison with a group of cities the user selects, without ranking; case studies and "
            "policy recommendations by theme."
        ),
        "https://docslib.org/doc/6977235/open-cities-monitoropen-cities-monitor-benchmarking-thebenchmarking-the-"
        "openness-of-cities-openness-of-cities",
    ),
    (
        gettext_lazy(
            "URBACT, the OPENCities network (October 2008 to September 2011, led by Belfast, with Bilbao, "
            "Bucharest, Dublin, Düsseldorf, Madrid, Nitra, Poznań, Sofia and Vienna)."
        ),
        "https://archive.urbact.eu/opencities",
    ),
    (
        gettext_lazy(
            "Council of Europe, the Intercultural Cities (ICC) Index: its split of questions into facts, inputs "
            "and impacts is the model for the questionnaire."
        ),
        None,
    ),
    (gettext_lazy("OECD, a checklist for public action on migrant integration at local level."), None),
    (gettext_lazy("The Stuttgart Pact for Integration, one of the models for the strategic framework review."), None),
    (
        gettext_lazy(
            "GaWC, The World According to GaWC 2024 (Loughborough University): the world-city tiers used when a "
            "city is classified."
        ),
        None,
    ),
    (
        gettext_lazy(
            "UN DESA Population Division, World Urbanization Prospects: The 2018 Revision: the metropolitan "
            "populations of the reference cities."
        ),
        None,
    ),
)


def _styles() -> dict[str, ParagraphStyle]:
    """The house styles with the brief's own: a quieter subtitle, contents, numbered items, table cells."""
    styles = house_styles()
    styles.update(
        # Sections follow one another on the page, so a section's heading needs room above it.
        h1=ParagraphStyle("Heading1", parent=styles["h1"], spaceBefore=18),
        subtitle=derived(styles, "Subtitle", fontSize=14, leading=19, spaceAfter=24),
        contents=derived(
            styles, "ContentsHeading", fontName=BOLD, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4
        ),
        numbered=derived(styles, "Numbered", leftIndent=18, bulletIndent=0, spaceAfter=4),
        cell=derived(styles, "Cell", fontSize=9, leading=12, spaceAfter=0),
        cell_head=derived(styles, "CellHead", fontName=BOLD, fontSize=9, leading=12, spaceAfter=0),
    )
    return styles


def _para(sentence: str, style: ParagraphStyle) -> Paragraph:
    """One translated sentence of the brief's Markdown as a paragraph."""
    return Paragraph(markdown_inline(sentence), style)


def _heading(words: object, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escaped(words), style)


def _items(sentences: list[str]) -> list[str]:
    return [markdown_inline(sentence) for sentence in sentences]


def _table(rows: list[list[str]], widths: list[float], s: dict[str, ParagraphStyle]) -> Table:
    """A small reference table; the cells are Paragraphs so that long text wraps."""
    cells = [
        [Paragraph(escaped(cell), s["cell_head"] if index == 0 else s["cell"]) for cell in row]
        for index, row in enumerate(rows)
    ]
    return house_table(cells, widths)


def _figure(number: object) -> str:
    """A calibrated number as the brief writes it: 40, 0.5."""
    return figure(number)


def _millions(people: int) -> str:
    return _figure(Decimal(people) / 1_000_000)


def _listed(names: list[str]) -> str:
    """Names in a sentence: "A, B, and C"."""
    if len(names) < 2:
        return "".join(names)
    return _("%(names)s, and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}


def _either(names: list[str]) -> str:
    """Alternatives in a sentence: "A or B", "A, B or C"."""
    if len(names) < 2:
        return "".join(names)
    return _("%(names)s or %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}


def _size_bands(edges: tuple[int, ...]) -> str:
    """The size bands by metropolitan population, in words: "under 0.5 million; …; 10 million or more"."""
    millions = [_millions(edge) for edge in edges]

    # The count picks the noun's form: French writes "0,5 million", "1 million" but "2 millions" (English: one form).
    def count(edge: int) -> int:
        return 1 if edge < 2_000_000 else 2

    bands = [ngettext("under %(upper)s million", "under %(upper)s million", count(edges[0])) % {"upper": millions[0]}]
    bands += [
        ngettext("%(lower)s to under %(upper)s million", "%(lower)s to under %(upper)s million", count(upper))
        % {"lower": lower_words, "upper": upper_words}
        for (lower_words, upper_words), upper in zip(pairwise(millions), edges[1:], strict=True)
    ]
    bands.append(
        ngettext("%(lower)s million or more", "%(lower)s million or more", count(edges[-1])) % {"lower": millions[-1]}
    )
    return list_separator().join(bands)


def _title_page(s) -> list[Flowable]:
    return [
        Spacer(1, 45 * mm),
        _heading(TITLE, s["title"]),
        _heading(SUBTITLE, s["subtitle"]),
        _para(
            _(
                "This brief explains the method behind the OPENCities self-assessment: what we mean by an open "
                "city, how a city's answers become scores, how a city is placed in one of five types, how it is "
                "compared with its peers, and where the numbers stop being reliable. It is written for the people "
                "in city halls, agencies and universities who fill in the assessment or act on its results."
            ),
            s["body"],
        ),
        Spacer(1, 10 * mm),
        _heading(_("Contents"), s["contents"]),
        contents(s),  # the sections' headings with their page numbers, each a link
        Spacer(1, 20 * mm),
        _para(
            _("Edition %(edition)s, %(date)s") % {"edition": EDITION, "date": date_format(EDITION_DATE)},
            s["small"],
        ),
        _para(
            _(
                "Published by OPENCities. The method follows the OPENCities programme of the British Council and "
                "the OPENCities Monitor of BAK Economics; the wording here is our own."
            ),
            s["small"],
        ),
        PageBreak(),
    ]


def _openness(s) -> list[Flowable]:
    return [
        _heading(_("1. What openness means"), s["h1"]),
        _para(
            _(
                "Cities compete for people as much as for investment. Firms locate where they can hire, "
                "researchers move where they can work with peers, and students stay where they can build a life. "
                "A city that wants a strong place in international networks of production and knowledge "
                "therefore needs people from abroad, and needs them to stay."
            ),
            s["body"],
        ),
        _para(
            _(
                "OPENCities calls this capacity **openness**, which it defines as “the capacity of a city to "
                "attract international populations and to enable them to contribute to the future success of the "
                "city” [1]. The international people meant are workers, students, entrepreneurs, investors, "
                "visitors and refugees alike. Openness is not one policy but the sum of many: a clear welcome, "
                "services newcomers can use, a climate in which people of different backgrounds meet as equals, "
                "and a visible presence abroad."
            ),
            s["body"],
        ),
        _para(
            _(
                "National governments set most immigration rules, yet much of what decides whether newcomers "
                "arrive and stay lies with the city: the first weeks after arrival, schools, housing, jobs, the "
                "tone of public life, and the way the city presents itself abroad. The British Council started "
                "OPENCities to help cities become more open and more competitive; from October 2008 to September "
                "2011 it ran as an URBACT network of ten European cities led by Belfast [5]. In 2010 the British "
                "Council set out its thinking in four reports, “Understanding OPENCities”, “Leadership "
                "and Governance of OPENCities”, “Internationalisation of OPENCities” and “Managing "
                "Diversity in OPENCities”; the first of them appeared in English, Spanish, Bulgarian, German and "
                "Polish [2]. The platform turns those ideas into a self-assessment that a city team can repeat year "
                "after year."
            ),
            s["body"],
        ),
        _para(
            _(
                "The OPENCities Monitor, built by BAK Economics (then BAK Basel) for the British Council, measured "
                "openness with 54 internationally comparable indicators in 11 areas, grouped under three policy "
                "themes: %(themes)s [1]. A one-year feasibility study tried it on sixteen European cities, drawing "
                "on official statistics such as Eurostat's Urban Audit, the European Social Survey and the OECD "
                "[3]. The Monitor compared a city with the average of a group of cities that the user chose, and "
                "deliberately avoided ranking cities, so as not to set them against one another; from each area of "
                "its charts the user could reach related case studies, and it offered recommendations for each "
                "theme [4]. The platform keeps those three themes and that stance."
            )
            % {"themes": _listed([str(theme.name) for theme in vocabulary.POLICY_THEMES])},
            s["body"],
        ),
    ]


def _journey(s) -> list[Flowable]:
    steps = [f"<b>{escaped(step.title)}.</b> {escaped(step.description)}" for step in method.JOURNEY]
    return [
        _heading(_("2. The journey through the platform"), s["h1"]),
        _para(
            _(
                "A city uses the platform in seven steps. Each step builds on the one before, and a city can come "
                "back to any of them."
            ),
            s["body"],
        ),
        *numbered(steps, s["numbered"]),
    ]


def _dimensions(s) -> list[Flowable]:
    flowables: list[Flowable] = [
        _heading(_("3. The nine dimensions"), s["h1"]),
        _para(
            _(
                "The questionnaire has about fifty questions in nine dimensions, five to seven each. Every question "
                "is marked as a **fact** (a figure about the city), an **input** (a policy or service the city "
                "runs) or an **impact** (an outcome or an attitude), a split borrowed from the Council of Europe's "
                "Intercultural Cities Index. Each dimension draws on one or more areas of the OPENCities Monitor."
            ),
            s["body"],
        ),
    ]
    for number, dimension in enumerate(vocabulary.DIMENSIONS, start=1):
        areas = ", ".join(escaped(area) for area in dimension.monitor_areas)
        themes = escaped(list_separator()).join(escaped(theme) for theme in dimension.question_themes)
        # Outside the f-string below: xgettext does not read inside one, so these never reached the catalogue.
        areas_label, themes_label = _("Monitor areas:"), _("The questions ask about:")
        flowables.append(
            KeepTogether(
                [
                    Paragraph(f"3.{number} {escaped(dimension.name)}", s["h2"]),
                    Paragraph(escaped(dimension.description), s["body"]),
                    Paragraph(
                        f"<b>{escaped(areas_label)}</b> {areas}. <b>{escaped(themes_label)}</b> {themes}.",
                        s["body"],
                    ),
                ]
            )
        )
    return flowables


def _scoring(s, calibration: Calibration) -> list[Flowable]:
    # The ladder's own labels are the file's; these are the brief's translated words for its levels.
    levels = {
        "none": _("None"),
        "planned": _("Planned"),
        "partial": _("Partial or pilot"),
        "established": _("Established"),
        "evaluated": _("Established and evaluated"),
    }
    ladder = [
        [_("Level"), _("Points")],
        *([levels[key], _figure(points)] for key, _label, points in MATURITY_LADDER),
    ]
    edges = {"low": _figure(calibration.bands.low_below), "high": _figure(calibration.bands.high_from)}
    scores = {
        vocabulary.BAND_LOW: _("below %(low)s") % edges,
        vocabulary.BAND_MEDIUM: _("%(low)s or more, and below %(high)s") % edges,
        vocabulary.BAND_HIGH: _("%(high)s or more") % edges,
    }
    bands = [[_("Band"), _("Scores")], *([str(term.name), scores[term.key]] for term in vocabulary.BANDS)]
    themes = [
        [_("Policy theme"), _("How it is calculated")],
        *([str(row.name), str(row.calculated_as)] for row in method.policy_theme_rows()),
    ]
    return [
        _heading(_("4. Scoring and bands"), s["h1"]),
        _para(_("Every answer becomes a score between 0 and 100. How depends on the kind of question."), s["body"]),
        _heading(_("Kinds of question"), s["h2"]),
        *bullets(
            _items(
                [
                    _(
                        "**One choice.** Each option is worth a set number of points. Questions about a policy use "
                        "the same five-step maturity ladder (table below)."
                    ),
                    _("**Checklist.** The points of every ticked option are added up; the total never exceeds 100."),
                    _(
                        "**Number.** A figure such as the share of residents born abroad, scored by bands that the "
                        "question defines."
                    ),
                    _("**Yes or no.** Yes scores 100, no scores 0."),
                ]
            ),
            s["bullet"],
        ),
        Spacer(1, 4),
        KeepTogether([_table(ladder, [70 * mm, 25 * mm], s)]),
        Spacer(1, 8),
        _heading(_("Don't know and Not applicable"), s["h2"]),
        _para(
            _(
                "**Don't know** is always allowed. It scores 0 and lowers the assessment's completeness, so an "
                "honest gap stays visible instead of being guessed away. **Not applicable** is offered where the "
                "power lies with national government; such a question is left out of the calculation. At most "
                "half of a dimension's questions may be marked not applicable. An assessment can be submitted only "
                "when every question has an answer, and both of these count as answers."
            ),
            s["body"],
        ),
        _heading(_("Evidence"), s["h2"]),
        _para(
            _(
                "Every answer can carry a note and a link. The two highest ladder levels need one of them: a city "
                "that says a policy is established should be able to show it. The evidence is listed in an annex "
                "to the city's report."
            ),
            s["body"],
        ),
        _heading(_("From answers to an index"), s["h2"]),
        *bullets(
            _items(
                [
                    _("A **dimension score** is the weighted mean of its scored questions."),
                    _(
                        "The **openness index** is the weighted mean of the nine dimension scores; by default every "
                        "dimension counts the same."
                    ),
                    _(
                        "**Completeness** is the share of applicable questions answered with something other than "
                        "Don't know."
                    ),
                    _(
                        "Calculations keep full precision. Scores are rounded half up to one decimal only when "
                        "shown, so 67.45 appears as 67.5."
                    ),
                    _("Choosing an option worth more points never lowers the score of its dimension."),
                ]
            ),
            s["bullet"],
        ),
        _sample_profile(s),
        KeepTogether(
            [
                _heading(_("Bands"), s["h2"]),
                _para(
                    _(
                        "Dimension scores fall into three bands. Each recommendation names the dimensions and bands "
                        "that call for it, so a city is offered advice that matches where it stands."
                    ),
                    s["body"],
                ),
                _table(bands, [25 * mm, 60 * mm], s),
            ]
        ),
        Spacer(1, 8),
        KeepTogether(
            [
                _heading(_("Policy themes"), s["h2"]),
                _para(
                    _(
                        "The three policy themes of the OPENCities Monitor are kept as summaries built from the "
                        "dimension scores:"
                    ),
                    s["body"],
                ),
                _table(themes, [45 * mm, FRAME_WIDTH - 45 * mm], s),
            ]
        ),
    ]


# An invented city's scores and its peers' medians, in the order of the dimensions: the figure shows how a profile
# reads, not any city's result.
SAMPLE_SCORES = (62, 48, 71, 39, 55, 44, 67, 58, 50)
SAMPLE_PEER_MEDIANS = (50, 52, 58, 47, 50, 49, 55, 60, 53)
FIGURE_WIDTH = 112 * mm


def _sample_profile(s) -> Flowable:
    """Figure 1: the radar the platform draws for a profile (the same drawing as the page's and the report's)."""
    drawing = radar_drawing(
        [str(dimension.name) for dimension in vocabulary.DIMENSIONS],
        [Decimal(score) for score in SAMPLE_SCORES],
        [Decimal(median) for median in SAMPLE_PEER_MEDIANS],
        size=(FIGURE_WIDTH, 68 * mm),
        city_label=_("An invented city"),
        peer_label=_("Median of its peer group"),
    )
    # renderPDF starts a drawing in Helvetica unless told otherwise, even when every String names DejaVu.
    drawing.initialFontName, drawing.initialFontSize = REGULAR, 8.5
    caption = _para(
        _(
            "**Figure 1.** How a profile reads: an invented city's nine dimension scores (solid line) "
            "against the median of its peer group (dashed), every axis from 0 at the centre to 100 at the "
            "outer ring. The city is ahead on Leadership & governance and behind on Integration & "
            "inclusion; the numbers are made up for this brief."
        ),
        s["small"],
    )
    # The caption beside the chart rather than under it: the figure then fits the rest of most pages.
    figure = Table([[drawing, caption]], colWidths=[FIGURE_WIDTH, FRAME_WIDTH - FIGURE_WIDTH])
    figure.setStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), REGULAR),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (0, 0), 0),
        ]
    )
    return KeepTogether([Spacer(1, 6), figure])


def _city_types(s, calibration: Calibration) -> list[Flowable]:
    rule = calibration.city_type
    tiers = [escaped(GawcTier(tier).label) for tier in rule.world_city_tiers]
    types = {city_type.key: f"<b>{escaped(city_type.name)}</b>" for city_type in vocabulary.CITY_TYPES}
    described = [
        filled(
            _("%(type)s: %(description)s For example: %(examples)s."),
            type=f"<b>{escaped(city_type.name)}</b>",
            description=escaped(city_type.description),
            examples=", ".join(escaped(example) for example in city_type.examples),
        )
        for city_type in vocabulary.CITY_TYPES
    ]
    rules = [
        filled(
            _(
                "%(type)s when the city once had a global role that has since declined, and it is its country's "
                "capital or largest city."
            ),
            type=types["historic-world-city"],
        ),
        filled(
            _(
                "%(type)s when GaWC ranks it %(tiers)s, or when its metropolitan area has %(millions)s million "
                "people or more and it scores at least %(presence)s on Global presence and %(connectivity)s on "
                "Connectivity."
            )
            if rule.world_city_global_presence_min != rule.world_city_connectivity_min
            else _(
                "%(type)s when GaWC ranks it %(tiers)s, or when its metropolitan area has %(millions)s million "
                "people or more and it scores at least %(presence)s on both Global presence and Connectivity."
            ),
            type=types["world-city"],
            tiers=_either(tiers),
            millions=_millions(rule.world_city_metro_min),
            presence=_figure(rule.world_city_global_presence_min),
            connectivity=_figure(rule.world_city_connectivity_min),
        ),
        filled(
            _("%(type)s when its metropolitan area has %(millions)s million people or more."),
            type=types["mega-city"],
            millions=_millions(rule.mega_city_metro_min),
        ),
        filled(
            _(
                "%(type)s when its metropolitan area has fewer than %(millions)s million people and it has an "
                "international niche."
            ),
            type=types["niche-hub"],
            millions=_millions(rule.niche_hub_metro_below),
        ),
        filled(
            _(
                "%(type)s when it is not its country's largest city and its metropolitan area has at least "
                "%(millions)s million people."
            ),
            type=types["secondary-city"],
            millions=_millions(rule.secondary_city_metro_min),
        ),
    ]
    return [
        _heading(_("5. The five city types"), s["h1"]),
        _para(
            _(
                "OPENCities research found that, beside the well-known world cities, other kinds of city have set "
                "out to internationalise, each from a different starting point. A small city famous for one thing "
                "does not need the same policies as a metropolis of twenty million. The platform places every "
                "assessed city in one of five types and uses that type to choose its peers, its recommendations "
                "and the case studies it is shown."
            ),
            s["body"],
        ),
        *bullets(described, s["bullet"]),
        _heading(_("How a city is classified"), s["h2"]),
        _para(
            _(
                "The classification uses a few facts from the city-profile step of the assessment: the "
                "metropolitan population; whether the city is the capital; whether it is its country's largest "
                "city; its GaWC world-city tier, or “don't know”; its international niche, if any "
                "(finance, culture and festivals, universities and research, international organisations, or "
                "tourism); whether it once had a global role that has since declined, with a short reason; and its "
                "scores for Global presence and Connectivity. The rules are tried in this order, and the first that "
                "fits decides:"
            ),
            s["body"],
        ),
        *numbered(rules, s["numbered"]),
        _para(
            _(
                "When no rule fits, the city gets the type it most resembles. Each fact is turned into a number "
                "between 0 and 1 – population on a logarithmic scale, yes-or-no facts as 0 or 1, the GaWC tier in "
                "seven steps – and the platform measures the straight-line distance from the city to a typical "
                "profile of each type. The nearest type wins; the next nearest is reported as the runner-up, "
                "whichever way the type was found."
            ),
            s["body"],
        ),
        _para(
            _(
                "The result always says which rule decided it, in plain words. An editor can override the type but "
                "must record a reason; the type in force, the override if there is one, is the one that peer "
                "groups, recommendations and case-study suggestions use. The thresholds are first proposals, set in "
                "each version of the questionnaire so that a change is reviewed and never silently rewrites old "
                "results."
            ),
            s["body"],
        ),
    ]


def _peers(s, calibration: Calibration) -> list[Flowable]:
    groups = calibration.peer_groups
    return [
        _heading(_("6. Comparing with peer cities"), s["h1"]),
        _para(
            _(
                "A score means most beside the scores of similar cities. The platform compares a city with a peer "
                "group of its choice and follows a few rules so that the comparison is fair and no city's private "
                "result leaks out."
            ),
            s["body"],
        ),
        _heading(_("Who is in a group"), s["h2"]),
        *bullets(
            _items(
                [
                    _(
                        "All cities; cities of the same type, region or size band; or a list the city picks itself, "
                        "of up to %(most)s cities that have published their profile."
                    )
                    % {"most": groups.hand_picked_max},
                    _(
                        "Regions: Europe, North America, Latin America, Asia, Middle East, Africa and Oceania. Size "
                        "bands by metropolitan population: %(bands)s."
                    )
                    % {"bands": _size_bands(calibration.size_bands)},
                    _(
                        "Each other city counts once, with its latest submitted assessment on the same major version "
                        "of the questionnaire, from the two years before the compared year up to that year. A city "
                        "is never part of its own group."
                    ),
                ]
            ),
            s["bullet"],
        ),
        _heading(_("What is shown"), s["h2"]),
        *bullets(
            _items(
                [
                    _(
                        "For each dimension: the city's score, the group's median and its 25th and 75th "
                        "percentiles, and the city's percentile rank – the share of the group scoring below it, "
                        "with ties counted as half."
                    ),
                    _("The group's definition and its number of cities are always stated."),
                    _(
                        "A group of fewer than %(aggregates)s cities shows no figures, only the message that there "
                        "are too few cities to compare. The lowest and highest scores appear only from %(extremes)s "
                        "cities up."
                    )
                    % {"aggregates": groups.min_for_aggregates, "extremes": groups.min_for_extremes},
                    _("Other cities are named with their scores only if they chose to publish their profile."),
                    _("There is no league table: a position is only ever a percentile."),
                    _(
                        "Strengths are up to three dimensions furthest above the group median, weaknesses up to "
                        "three furthest below. Without a usable group, the bands are used instead."
                    ),
                ]
            ),
            s["bullet"],
        ),
    ]


def _limits(s) -> list[Flowable]:
    return [
        _heading(_("7. What the numbers can and cannot say"), s["h1"]),
        _heading(_("The numbers can:"), s["h2"]),
        *bullets(
            _items(
                [
                    _(
                        "show where a city stands on each dimension by its own account, and how that changes from "
                        "one year to the next on the same questionnaire version;"
                    ),
                    _(
                        "show how a city compares with the middle of a group of similar cities, and which "
                        "dimensions stand out;"
                    ),
                    _(
                        "point to the recommendations and case studies that fit a city's weaker dimensions and its "
                        "type."
                    ),
                ]
            ),
            s["bullet"],
        ),
        _heading(_("The numbers cannot:"), s["h2"]),
        *bullets(
            _items(
                [
                    _(
                        "replace an independent audit. The scores are a **self-assessment**; their weight rests on "
                        "the evidence a team attaches. A team in Zürich and a team in São Paulo may read the same "
                        "question a little differently, which is why the evidence travels with the answers."
                    ),
                    _(
                        "rank cities. Small differences between cities, a few points on a dimension, are within the "
                        "margin of honest disagreement about an answer."
                    ),
                    _(
                        "be compared across major versions of the questionnaire. An assessment keeps the version it "
                        "was started on for good, and comparisons never mix major versions."
                    ),
                    _(
                        "stand in for official statistics. Figures about reference cities are **indicative**, always "
                        "given with their year and source, and their definitions differ: foreign-born is not the "
                        "same as foreign citizens, and a city proper is not a metropolitan area."
                    ),
                    _(
                        "prove cause and effect. A high score on welcome services next to a rising foreign-born "
                        "share does not show that one caused the other."
                    ),
                ]
            ),
            s["bullet"],
        ),
        _para(
            _(
                "Demonstration assessments, where the platform shows them, are synthetic and labelled as such. City "
                "names keep their own spelling throughout, from Łódź to Düsseldorf."
            ),
            s["body"],
        ),
    ]


def _sources(s) -> list[Flowable]:
    entries = [f"{escaped(citation)} {url_markup(link)}" if link else escaped(citation) for citation, link in SOURCES]
    return [
        _heading(_("8. Sources"), s["h1"]),
        _para(
            _(
                "The method draws on the following work; the numbers in brackets in the text refer to this list. A "
                "work whose page we have not read ourselves is cited by publisher and title, without a link."
            ),
            s["body"],
        ),
        *numbered(entries, s["numbered"]),
    ]


def _build() -> tuple[bytes, int]:
    """The brief's bytes and page count, built once per language and release (see opencities/caching.py)."""
    return caching.cached(caching.research_brief_key(get_language() or ""), _render)


def _render() -> tuple[bytes, int]:
    s = _styles()
    calibration = method.shipped_calibration()
    story = [
        *_title_page(s),
        *_openness(s),
        *_journey(s),
        *_dimensions(s),
        *_scoring(s, calibration),
        *_city_types(s, calibration),
        *_peers(s, calibration),
        *_limits(s),
        *_sources(s),
    ]
    document = build_document(
        story, title=str(TITLE), subject=str(SUBTITLE), footer=f"OPENCities · {TITLE}", footer_on_first_page=False
    )
    return document.content, document.pages


def research_brief_pdf() -> bytes:
    """The research brief as PDF bytes."""
    return _build()[0]


def research_brief_facts() -> tuple[int, int]:
    """The brief's page count and size in bytes, for the downloads page."""
    pdf, pages = _build()
    return pages, len(pdf)
