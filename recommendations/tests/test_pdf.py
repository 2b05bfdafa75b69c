"""The tailored report and the general recommendations as a reader meets them: PDFs that open, say what the
city needs, draw every name in embedded DejaVu and print whatever a city or an editor typed literally."""

import io
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from django.utils import translation
from django.utils.html import strip_tags
from pypdf import PdfReader
from pypdf.generic import IndirectObject
from reportlab import rl_config

from opencities.markdown import render_markdown
from recommendations import pdf
from recommendations.report_data import (
    CaseStudyRef,
    EvidenceLine,
    FrameworkLine,
    Highlight,
    RecommendationLine,
    ReportData,
    ScoreLine,
)

DIMENSIONS = (
    ("international-population", "International population & diversity"),
    ("welcome-entry", "Welcome & entry"),
    ("leadership-governance", "Leadership & governance"),
    ("integration-inclusion", "Integration & inclusion"),
    ("intercultural-climate", "Intercultural climate & participation"),
    ("global-presence", "Global presence & internationalisation"),
    ("talent-education", "Talent & education"),
    ("connectivity-flows", "Connectivity & flows"),
    ("quality-cost-of-living", "Quality & cost of living"),
)
NASTY = '<font size=40> <img src="x"/> <para> &amp; & </para>'
LONG_NOTE_END = "and the long note ends with these final words about Piotrkowska street"
LONG_NOTE = ("The welcome centre opened in 2019 and answers newcomers in six languages. " * 60)[:3930] + LONG_NOTE_END


def _scores(with_peers: bool = True, with_previous: bool = True) -> tuple[ScoreLine, ...]:
    lines = []
    for number, (key, name) in enumerate(DIMENSIONS):
        score = Decimal(30 + 7 * number) + Decimal("0.45")
        lines.append(
            ScoreLine(
                key=key,
                name=name,
                score=score,
                band="low" if score < 40 else "medium" if score < 70 else "high",
                median=Decimal(50 + number) if with_peers else None,
                p25=Decimal(40 + number) if with_peers else None,
                p75=Decimal(60 + number) if with_peers else None,
                rank=Decimal(10 * number) if with_peers else None,
                previous=(None if number == 4 else score - Decimal(3 - number)) if with_previous else None,
            )
        )
    return tuple(lines)


def _recommendation(number: int) -> RecommendationLine:
    return RecommendationLine(
        title=f"Recommendation {number}: open a one-stop welcome centre",
        theme="Welcome centre & multilingual information",
        priority=("High", "Medium", "Low")[number % 3],
        reasons=("Welcome & entry scored 37.5, below your peer median of 51.0", "Welcome services are absent"),
        text=(
            f"Newcomers to **Łódź** need one door to knock on (rule {number}).\n\n"
            "A centre run with the [OECD checklist](https://www.oecd.org/migration/?a=1&b=2) works best.\n"
            "It should open in year one."
        ),
        actions="- Name a lead\n- Publish **multilingual** guides\n- Review after a year",
        case_studies=(
            CaseStudyRef("Welcome Center Stuttgart", "Stuttgart", "https://opencities.example/case-studies/stuttgart/"),
            CaseStudyRef("Expat Centre", "Kraków", "https://opencities.example/case-studies/krakow/"),
        ),
    )


def _evidence() -> tuple[EvidenceLine, ...]:
    lines = []
    for number in range(54):
        _key, dimension = DIMENSIONS[number // 6]
        note = LONG_NOTE if number == 53 else f"Evidence note {number}: the city council adopted the plan.\n\nSee p. 4."
        lines.append(
            EvidenceLine(
                dimension=dimension,
                question=f"Question {number}: does the city run this service?",
                answer="Established and evaluated",
                note=note,
                url=f"https://lodz.example/evidence/{number}?lang=en&page=2" if number % 2 else "",
            )
        )
    return tuple(lines)


def rich_data(**changes) -> ReportData:
    data = ReportData(
        city="Łódź",
        country="Poland",
        year=2024,
        questionnaire_version="1.2",
        generated_on=date(2024, 5, 17),
        city_type="Ambitious secondary city",
        city_type_description="A city that is not its country's largest and is building an international role.",
        city_type_reason="Not the largest city of its country, with at least 1 million people.",
        index=Decimal("58.35"),
        index_band="medium",
        peer_group="Cities of the same type: Ambitious secondary city",
        peer_n=12,
        index_rank=Decimal("62.5"),
        strengths=(
            Highlight("Quality & cost of living", "14.5 points above the peer median of 58.0"),
            Highlight("Connectivity & flows", "9.5 points above the peer median of 57.0"),
            Highlight("Talent & education", "5.5 points above the peer median of 56.0"),
        ),
        weaknesses=(
            Highlight("Welcome & entry", "13.5 points below the peer median of 51.0"),
            Highlight("International population & diversity", "19.5 points below the peer median of 50.0"),
            Highlight("Leadership & governance", "7.5 points below the peer median of 52.0"),
        ),
        scores=_scores(),
        previous_year=2023,
        recommendations=tuple(_recommendation(number) for number in range(1, 11)),
        framework=(
            FrameworkLine("Adopted openness strategy", "Present", "https://lodz.example/strategy.pdf"),
            FrameworkLine("Budget", "Partial"),
            FrameworkLine(
                "Welcome services", "Absent", closed_by=("Recommendation 1: open a one-stop welcome centre",)
            ),
            FrameworkLine("Evaluation and review cycle", "Not answered"),
        ),
        evidence=_evidence(),
        peer_medians={key: Decimal(50 + number) for number, (key, _name) in enumerate(DIMENSIONS)},
        site_url="https://opencities.example/",
    )
    return replace(data, **changes)


def bare_data(**changes) -> ReportData:
    """No peer group, no previous year, no recommendations, no evidence, no framework review."""
    bare = {
        "peer_group": "Too few comparable cities have assessed for a peer group yet; "
        "strengths and weaknesses use bands.",
        "peer_n": 0,
        "index_rank": None,
        "strengths": (Highlight("Quality & cost of living", "in the high band (score 86.5)"),),
        "weaknesses": (),
        "scores": _scores(with_peers=False, with_previous=False),
        "previous_year": None,
        "recommendations": (),
        "framework": (),
        "evidence": (),
        "peer_medians": {},
    }
    return rich_data(**{**bare, **changes})


def page_words(markdown: str) -> str:
    """The words a page shows for editors' Markdown."""
    return " ".join(unescape(strip_tags(render_markdown(markdown))).split())


def words(content: bytes) -> str:
    """The text a reader can search; lines wrap wherever the page ends them."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _fonts_in(resources, seen: set) -> set[str]:
    fonts: set[str] = set()
    if resources is None:
        return fonts
    resources = resources.get_object()
    for font in (resources.get("/Font") or {}).values():
        fonts.add(str(font.get_object()["/BaseFont"]))
    for xobject in (resources.get("/XObject") or {}).values():
        key = xobject.idnum if isinstance(xobject, IndirectObject) else id(xobject)
        xobject = xobject.get_object()
        if key in seen or xobject.get("/Subtype") != "/Form":
            continue
        seen.add(key)
        fonts |= _fonts_in(xobject.get("/Resources"), seen)
    return fonts


def fonts(content: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(content))
    seen: set = set()
    found: set[str] = set()
    for page in reader.pages:
        found |= _fonts_in(page.get("/Resources"), seen)
    return found


def assert_only_dejavu(content: bytes) -> None:
    found = fonts(content)
    assert found, "no fonts found"
    for name in found:
        assert re.fullmatch(r"/([A-Z]{6}\+)?DejaVuSans(-Bold)?", name), name
    assert b"Helvetica" not in content


def link_targets(content: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(content))
    return [
        str(annotation.get_object()["/A"]["/URI"])
        for page in reader.pages
        for annotation in page.get("/Annots") or []
        if "/A" in annotation.get_object() and "/URI" in annotation.get_object()["/A"]
    ]


@pytest.fixture(scope="module")
def rich():
    return pdf.render_report(rich_data())


@pytest.fixture(scope="module")
def rich_text(rich):
    return words(rich.content)


@pytest.fixture(scope="module")
def bare():
    return pdf.render_report(bare_data())


@pytest.fixture(scope="module")
def bare_text(bare):
    return words(bare.content)


# --- The tailored report ---


def test_the_report_is_a_pdf_whose_page_count_is_the_one_returned(rich):
    assert rich.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(rich.content))
    assert rich.pages == len(reader.pages) > 5


def test_metadata_names_the_report_and_the_city(rich):
    metadata = PdfReader(io.BytesIO(rich.content)).metadata
    assert metadata.title == "Openness report 2024: Łódź"
    assert metadata.author == "OPENCities"
    assert "Łódź, Poland" in metadata.subject


def test_the_cover_names_the_city_the_year_the_type_and_the_version(rich):
    cover = " ".join(PdfReader(io.BytesIO(rich.content)).pages[0].extract_text().split())
    for phrase in ("Łódź, Poland", "Openness report 2024", "Ambitious secondary city", "17 May 2024", "1.2"):
        assert phrase in cover
    assert "Demonstration data" not in cover


@pytest.mark.parametrize("heading", [str(section) for section in pdf.SECTIONS])
def test_every_section_is_there(rich_text, heading):
    assert rich_text.count(heading) >= 2  # in the contents and as the section's heading


def test_the_summary_gives_the_index_the_peer_position_and_the_highlights(rich_text):
    assert "Openness index: 58.4 out of 100, in the medium band" in rich_text
    assert "(12 cities)" in rich_text
    assert "percentile rank of 62.5" in rich_text
    assert "Welcome & entry: 13.5 points below the peer median of 51.0" in rich_text
    assert "Quality & cost of living: 14.5 points above the peer median of 58.0" in rich_text


def test_the_scores_table_shows_peers_and_the_change_since_last_year(rich_text):
    assert "Change since 2023" in rich_text
    assert "+3.0" in rich_text
    assert "\u22122.0" in rich_text  # a typographic minus
    assert "new" in rich_text
    assert "40.0–60.0" in rich_text  # the first dimension's 25th–75th percentiles


def test_the_french_report_writes_its_numbers_and_dates_the_french_way():
    with translation.override("fr"):
        text = words(pdf.render_report(rich_data(index=Decimal("49.45"))).content)
    assert "49,5" in text and "49.5" not in text  # the index, rounded half up
    assert "+3,0" in text and "\u22122,0" in text
    assert "40,0–60,0" in text  # the first dimension's 25th–75th percentiles
    assert "62,5" in text  # the percentile rank
    assert "17 mai 2024" in text


def test_the_recommendations_say_why_and_what_to_do(rich_text):
    assert "1. Recommendation 1: open a one-stop welcome centre" in rich_text
    assert "10. Recommendation 10: open a one-stop welcome centre" in rich_text
    assert "Why: Welcome & entry scored 37.5, below your peer median of 51.0; Welcome services are absent." in (
        rich_text
    )
    assert "Priority: Medium" in rich_text
    assert "• Publish multilingual guides" in rich_text
    assert "**" not in rich_text
    assert "OECD checklist (https://www.oecd.org/migration/?a=1&b=2) works best" in rich_text
    assert "Welcome Center Stuttgart (Stuttgart): https://opencities.example/case-studies/stuttgart/" in rich_text


def test_links_are_clickable(rich):
    targets = link_targets(rich.content)
    assert "https://www.oecd.org/migration/?a=1&b=2" in targets
    assert "https://opencities.example/case-studies/krakow/" in targets
    assert "https://lodz.example/evidence/1?lang=en&page=2" in targets


def test_framework_gaps_name_the_recommendations_that_close_them(rich_text):
    assert "closed by: Recommendation 1: open a one-stop welcome centre" in rich_text
    assert "lodz.example/strategy.pdf" in rich_text


def test_a_long_link_in_the_framework_table_shows_short_text_and_keeps_its_target():
    url = "https://www.city.example/documents/strategies/2024/" + "long-name-" * 12 + "plan.pdf"
    rendered = pdf.render_report(bare_data(framework=(FrameworkLine("Budget", "Present", url),))).content
    assert url in link_targets(rendered)
    assert "city.example/…/long-name-" in words(rendered)
    assert pdf.short_link_text("https://e.example/a/b/") == "e.example/a/b"


def test_the_contents_give_every_section_with_its_page_number(rich, rich_text):
    contents = rich_text.split("Contents", 1)[1].split("Made with OPENCities")[0]
    pages = [int(number) for number in re.findall(r"[ .](\d+)(?= |$)", contents)]
    assert len(pages) == len(pdf.SECTIONS) and pages == sorted(pages) and pages[0] == 2
    for section in pdf.SECTIONS:
        assert str(section) in contents


def test_the_evidence_annex_lists_every_answer_and_the_whole_long_note(rich_text):
    for number in (0, 27, 53):
        assert f"Question {number}: does the city run this service?" in rich_text
    assert "Evidence note 52: the city council adopted the plan." in rich_text
    assert LONG_NOTE_END in rich_text


def test_every_page_after_the_cover_has_the_footer_with_its_number_and_the_total(rich):
    reader = PdfReader(io.BytesIO(rich.content))
    for number, page in enumerate(reader.pages[1:], start=2):
        text = " ".join(page.extract_text().split())
        assert re.search(rf"Łódź · Openness report 2024 · page {number} of ?{rich.pages}\b", text), text[-200:]


def test_only_embedded_dejavu_fonts_are_used(rich):
    assert_only_dejavu(rich.content)


def test_the_radar_is_the_shared_drawing_with_the_peer_medians(monkeypatch):
    calls = []
    original = pdf.radar_drawing

    def spy(*args, **kwargs):
        calls.append((args, kwargs))
        return original(*args, **kwargs)

    monkeypatch.setattr(pdf, "radar_drawing", spy)
    data = rich_data(recommendations=(), evidence=(), peer_medians={DIMENSIONS[0][0]: Decimal(50)})
    pdf.render_report(data)
    (labels, scores, peer), kwargs = calls[0]
    assert labels == [name for _key, name in DIMENSIONS]
    assert scores == [line.score for line in data.scores]
    assert peer == [Decimal(50), *[None] * 8]
    assert kwargs["city_label"] == "Łódź"


def test_a_report_without_peers_history_recommendations_or_evidence_says_so(bare, bare_text):
    assert bare.pages == len(PdfReader(io.BytesIO(bare.content)).pages)
    assert "Too few comparable cities have assessed for a peer group yet" in bare_text
    assert "there is no peer line" in bare_text
    assert "There is no earlier assessment on this questionnaire version" in bare_text
    assert "Change since" not in bare_text
    assert "No recommendation rule matched this assessment" in bare_text
    assert "No answer in this assessment carries a note or a link" in bare_text
    assert "The strategic framework review was not filled in." in bare_text
    assert "No dimension stands out as a weakness." in bare_text
    assert "Without a peer group, strengths and weaknesses are read from the bands" in bare_text
    assert_only_dejavu(bare.content)


def test_demonstration_data_is_labelled_on_the_cover():
    content = pdf.render_report(bare_data(is_demo=True)).content
    cover = " ".join(PdfReader(io.BytesIO(content)).pages[0].extract_text().split())
    assert "Demonstration data" in cover
    assert "synthetic assessment" in cover


@pytest.mark.parametrize(
    ("city", "country"), [("São Paulo", "Brazil"), ("Zürich", "Switzerland"), ("Kraków", "Poland")]
)
def test_city_names_print_with_their_own_letters(city, country):
    content = pdf.render_report(bare_data(city=city, country=country)).content
    text = words(content)
    assert f"{city}, {country}" in text
    assert f"{city} · Openness report 2024 · page 2 of" in text


def test_what_cities_and_editors_type_prints_literally_and_never_becomes_markup():
    text_markdown = (
        f"Text {NASTY}\n\n**bold <b>not</b>** and [x <i>](javascript:alert(1)) and [y](http://a.example/**z**)"
    )
    actions_markdown = f"- Action {NASTY}\nLazy line\n\n1. Numbered step\n## Heading <u>"
    data = bare_data(
        city=f"Zürich {NASTY}",
        city_type_description=f"Described as {NASTY}",
        strengths=(Highlight(f"Talent {NASTY}", f"words {NASTY}"),),
        recommendations=(
            RecommendationLine(
                title=f"Title {NASTY}",
                theme=f"Theme {NASTY}",
                priority="High",
                reasons=(f"Reason {NASTY}",),
                text=text_markdown,
                actions=actions_markdown,
                case_studies=(CaseStudyRef(f"Case {NASTY}", "Kraków", 'https://e.example/"><font>'),),
            ),
        ),
        framework=(FrameworkLine(f"Element {NASTY}", "Absent", "javascript:alert(1)", (f"Fix {NASTY}",)),),
        evidence=(EvidenceLine(f"Dimension {NASTY}", f"Question {NASTY}", f"Answer {NASTY}", f"Note {NASTY}", NASTY),),
    )
    content = pdf.render_report(data).content
    text = words(content)
    # Plain text prints literally, markup and all.
    for prefix in ("Zürich", "Described as", "Talent", "words", "Title", "Theme", "Reason", "Case"):
        assert f"{prefix} {NASTY}" in text, prefix
    for prefix in ("Element", "Fix", "Dimension", "Question", "Answer", "Note"):
        assert f"{prefix} {NASTY}" in text, prefix
    # Editors' Markdown prints the words its page shows: raw HTML dropped, never rendered.
    assert page_words(f"Text {NASTY}") == "Text & &"
    assert "Text & & bold not and x and y (http://a.example/**z**)" in text
    assert "• Action & & Lazy line 1. Numbered step Heading" in text
    assert "What to do • Action" in text
    assert not [target for target in link_targets(content) if not target.startswith("http")]
    assert_only_dejavu(content)


def test_a_report_without_an_index_or_with_unscored_dimensions_still_renders():
    scores = bare_data().scores
    unscored = replace(scores[1], score=None, band="")
    text = words(pdf.render_report(bare_data(index=None, scores=(scores[0], unscored, *scores[2:]))).content)
    assert "The openness index could not be calculated for this assessment." in text
    assert "Not scored, drawn at the centre: Welcome & entry." in text
    assert "Not scored" in text
    text = words(pdf.render_report(bare_data(scores=(), strengths=())).content)
    assert "Too few dimensions were scored to draw the radar chart." in text
    assert "No dimension stands out as a strength yet." in text


def test_an_unbroken_wall_of_text_in_a_note_or_link_still_renders():
    data = bare_data(
        evidence=(
            EvidenceLine("Welcome & entry", "Question", "Yes", "x" * 4000 + " END", "https://e.example/" + "y" * 480),
        ),
        framework=(FrameworkLine("Budget", "Present", "https://e.example/" + "z" * 480),),
    )
    assert "END" in words(pdf.render_report(data).content)


def test_the_same_data_gives_the_same_bytes_when_reportlab_is_invariant(monkeypatch):
    monkeypatch.setattr(rl_config, "invariant", 1)
    assert pdf.render_report(bare_data()).content == pdf.render_report(bare_data()).content


# --- The general recommendations ---

THEMES = (
    pdf.GeneralTheme(
        name="Welcome centre & multilingual information",
        description="One door for newcomers.\n\nIn many languages.",
        recommendations=(
            pdf.GeneralRecommendation(
                "Open a welcome centre in Łódź",
                "Start **small**, then grow.",
                "- Name a lead\n- Find a building",
                case_studies=(
                    CaseStudyRef("Expat Centre", "Kraków", "https://opencities.example/case-studies/krakow/"),
                ),
            ),
            pdf.GeneralRecommendation(
                "Publish guides",
                "See [the guide](https://e.example/guide).",
                "Translate them\n\nKeep them current",
                city_types=("Established world city", "Large mega-city"),
            ),
        ),
    ),
    pdf.GeneralTheme(
        name=f"Theme {NASTY}",
        description=f"About {NASTY}",
        recommendations=(pdf.GeneralRecommendation(f"Title {NASTY}", f"Text {NASTY}", f"- Action {NASTY}"),),
    ),
)


@pytest.fixture(scope="module")
def general():
    return pdf.render_general_recommendations(THEMES, as_of=date(2026, 3, 4))


def test_the_general_recommendations_have_a_date_contents_with_pages_case_studies_and_types(general):
    text = words(general.content)
    assert "Last updated: 4 March 2026" in text
    contents = text.split("Contents", 1)[1].split("One door for newcomers")[0]
    assert re.search(r"Welcome centre & multilingual information[ .]+2 ", contents)
    assert f"Theme {NASTY}" in contents, "the contents print a theme's name literally"
    assert "Case studies • Expat Centre (Kraków): https://opencities.example/case-studies/krakow/" in text
    assert "For these city types: Established world city, Large mega-city" in text
    assert "For these city types" not in text.split("Publish guides")[0]


def test_the_general_recommendations_are_a_pdf_with_every_theme(general):
    reader = PdfReader(io.BytesIO(general.content))
    assert general.content.startswith(b"%PDF-")
    assert general.pages == len(reader.pages)
    assert reader.metadata.title == "General policy recommendations"
    text = words(general.content)
    assert "General policy recommendations" in text
    for phrase in (
        "Welcome centre & multilingual information",
        "Open a welcome centre in Łódź",
        "Start small, then grow.",
        "• Find a building",
        "• Keep them current",
        "the guide (https://e.example/guide)",
        f"OPENCities · General policy recommendations · page 1 of {general.pages}",
    ):
        assert phrase in text, phrase


def test_the_general_recommendations_print_editor_text_literally_in_dejavu(general):
    text = words(general.content)
    for prefix in ("Theme", "About", "Title"):
        assert f"{prefix} {NASTY}" in text, prefix
    for prefix in ("Text", "Action"):
        assert page_words(f"{prefix} {NASTY}") in text, prefix
    assert "<img" not in text.split(f"Title {NASTY}")[1]
    assert_only_dejavu(general.content)


@pytest.mark.parametrize(
    "markdown",
    [
        "Start with **one roof** for *every* newcomer, & keep it open.",
        "Ask the [city council](https://council.example/plan?a=1&b=2) first.\n\nThen hire two advisers.",
        "- Name a lead\n- Publish **multilingual** guides\n\n1. Open\n2. Review <b>after</b> a year",
        "Budget < 5 <script>alert(1)</script> & rising <font size=40>fast</font>",
    ],
)
def test_one_rule_text_gives_the_same_words_on_the_page_and_in_the_pdf(markdown):
    recommendation = pdf.GeneralRecommendation("Title", markdown)
    theme = pdf.GeneralTheme(name="Theme", description="", recommendations=(recommendation,))
    text = words(pdf.render_general_recommendations([theme]).content)
    body = text.split("Title ", 1)[1].split(" OPENCities ·")[0]
    # The PDF adds what paper needs and a page has by other means: list markers and each link's address.
    body = re.sub(r" \(https?://[^)]*\)", "", body)
    body = re.sub(r"(?:(?<=^)|(?<= ))(?:•|\d+\.) ", "", body)
    assert body == page_words(markdown)


def test_the_general_recommendations_render_without_any_theme():
    rendered = pdf.render_general_recommendations([])
    assert "No recommendation has been published yet." in words(rendered.content)
    assert_only_dejavu(rendered.content)
