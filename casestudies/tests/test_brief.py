"""The research brief as a reader meets it: a PDF that opens, covers the method and draws every name correctly."""

import dataclasses
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from assessments.calibration import Bands
from casestudies import brief
from opencities import method
from opencities.vocabulary import CITY_TYPES, DIMENSIONS, POLICY_THEMES

PROJECT = Path(__file__).resolve().parents[2]
URL_RE = re.compile(r"https?://[^\s)]+")


@pytest.fixture(scope="module")
def reader():
    return PdfReader(io.BytesIO(brief.research_brief_pdf()))


@pytest.fixture(scope="module")
def text(reader):
    # Lines wrap wherever the page ends them; a reader searches the words, not the line breaks.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_brief_is_a_pdf_of_at_least_four_pages(reader):
    assert brief.research_brief_pdf().startswith(b"%PDF-")
    assert len(reader.pages) >= 4


def test_the_page_count_and_size_shown_on_the_downloads_page_match_the_file(reader):
    pages, size = brief.research_brief_facts()
    assert pages == len(reader.pages)
    assert size == len(brief.research_brief_pdf())


def test_the_brief_is_built_once_then_served_from_the_cache(monkeypatch):
    first = brief.research_brief_pdf()

    def render_again():
        raise AssertionError("the brief was built again")

    monkeypatch.setattr(brief, "_render", render_again)
    assert brief.research_brief_pdf() == first


def test_metadata_names_the_brief_and_opencities(reader):
    assert reader.metadata.title == "Internationalisation of cities"
    assert reader.metadata.author == "OPENCities"


def test_the_title_page_comes_first(reader):
    first = reader.pages[0].extract_text()
    assert "Internationalisation of cities" in first
    assert "Contents" in first


def test_the_contents_give_each_section_the_page_it_starts_on(reader):
    pages = [page.extract_text() for page in reader.pages]
    headings = re.findall(r"^\d\. .+$", pages[0], re.MULTILINE)
    numbers = re.findall(r"\.\s+(\d+)$", pages[0], re.MULTILINE)  # each at the end of its leader dots
    assert len(headings) == len(numbers) == 8
    for heading, number in zip(headings, numbers, strict=True):
        assert heading in pages[int(number) - 1], f"{heading!r} is not on page {number}"


@pytest.mark.parametrize("city_type", CITY_TYPES, ids=lambda city_type: city_type.key)
def test_every_city_type_is_described(text, city_type):
    assert str(city_type.name) in text


@pytest.mark.parametrize("dimension", DIMENSIONS, ids=lambda dimension: dimension.key)
def test_every_dimension_is_named_with_its_ampersand_intact(text, dimension):
    assert str(dimension.name) in text


@pytest.mark.parametrize(
    "phrase",
    [
        "What openness means",
        "The journey through the platform",
        "Scoring and bands",
        "How a city is classified",
        "Comparing with peer cities",
        "What the numbers can and cannot say",
        "Sources",
        "below 40",
        "70 or more",
        "fewer than 5 cities",
    ],
)
def test_the_brief_covers_the_method(text, phrase):
    assert phrase in text


@pytest.mark.parametrize("name", ["Zürich", "São Paulo", "Łódź", "Düsseldorf", "Poznań"])
def test_accented_city_names_survive_into_the_text(text, name):
    assert name in text


@pytest.mark.parametrize(
    "source",
    [
        "British Council",
        "BAK Economics",
        "URBACT",
        "Intercultural Cities",
        "OECD",
        "GaWC",
        "Understanding OPENCities",
        "Managing Diversity in OPENCities",
        "https://archive.urbact.eu/opencities",
        "https://opencities.eu/index.php?understanding_en",
    ],
)
def test_the_sources_are_cited(text, source):
    assert source in text


def test_the_definition_of_openness_is_quoted_with_its_source(text):
    quoted = "\u201cthe capacity of a city to attract international populations and to enable them to contribute to"
    assert quoted in text
    assert "the future success of the city\u201d [1]" in text
    assert "wikipedia" not in text.lower()


def test_every_link_comes_from_the_opencities_fact_file_or_the_urbact_entry_it_points_to():
    """Only pages someone read are linked: the OPENCities facts, and for the URBACT network the case-study facts'
    first entry, which the OPENCities file names as its source."""
    known = (PROJECT / "casestudies" / "data" / "opencities-sources.md").read_text(encoding="utf-8")
    facts = (PROJECT / "casestudies" / "data" / "case-study-facts.md").read_text(encoding="utf-8")
    known += facts[: facts.index("## A.")]
    links = [link for _citation, link in brief.SOURCES if link]
    assert len(links) >= 4
    for link in links:
        assert link in known, f"{link} is not in the sourced fact files"


def test_the_title_page_gives_the_edition_and_its_date(reader):
    first = " ".join(reader.pages[0].extract_text().split())
    assert f"Edition {brief.EDITION}, {brief.EDITION_DATE:%-d %B %Y}" in first


def test_a_sample_profile_is_drawn_with_its_caption(text):
    assert "Figure 1. How a profile reads" in text
    assert "Median of its peer group" in text  # the chart's own legend, drawn as text


def _lowest_text(page) -> float:
    """The height above the page's foot of its lowest line of text, the footer left out."""
    heights = []

    def visit(text, cm, tm, _font, _size):
        height = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]  # the text's place on the page, through both matrices
        if text.strip() and height > FOOTER_TOP:
            heights.append(height)

    page.extract_text(visitor_text=visit)
    return min(heights)


FOOTER_TOP = 24 * 72 / 25.4  # the bottom margin, in points


def test_no_page_between_the_title_and_the_last_is_left_half_empty(reader):
    """Sections follow one another: text reaches into the bottom third of every page but the title and the last."""
    for number, page in enumerate(reader.pages[1:-1], start=2):
        height = float(page.mediabox.height)
        assert _lowest_text(page) < height / 3, f"page {number} ends {1 - _lowest_text(page) / height:.0%} down"


def test_later_pages_carry_a_page_number_in_the_footer(reader):
    total = len(reader.pages)
    for number, page in enumerate(reader.pages[1:], start=2):
        text = " ".join(page.extract_text().split())
        assert f"OPENCities · Internationalisation of cities · page {number} of {total}" in text


def _words(pdf):
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def test_the_bands_and_thresholds_are_the_shipped_calibrations(text):
    calibration = method.shipped_calibration()
    low, high = calibration.bands.low_below, calibration.bands.high_from
    assert f"below {low}" in text
    assert f"{low} or more, and below {high}" in text
    assert f"{high} or more" in text
    mega = calibration.city_type.mega_city_metro_min // 1_000_000
    assert f"metropolitan area has {mega} million people or more" in text
    assert f"fewer than {calibration.peer_groups.min_for_aggregates} cities" in text


@pytest.mark.parametrize("theme", POLICY_THEMES, ids=lambda theme: theme.key)
def test_every_policy_theme_is_named_with_how_it_is_calculated(text, theme):
    row = next(row for row in method.policy_theme_rows() if row.name == theme.name)
    assert str(theme.name) in text
    assert " ".join(str(row.calculated_as).split()[:6]) in text


def test_a_new_calibration_shows_in_the_brief_without_editing_it(monkeypatch):
    shipped = method.shipped_calibration()
    changed = dataclasses.replace(
        shipped,
        bands=Bands(low_below=Decimal("35"), high_from=Decimal("62.5")),
        city_type=dataclasses.replace(shipped.city_type, mega_city_metro_min=12_000_000),
        size_bands=(250_000, 2_000_000),
    )
    monkeypatch.setattr(method, "shipped_calibration", lambda: changed)
    text = _words(brief._render()[0])
    assert "below 35" in text
    assert "35 or more, and below 62.5" in text
    assert "62.5 or more" in text
    assert "below 40" not in text
    assert "12 million people or more" in text
    assert "under 0.25 million; 0.25 to under 2 million; 2 million or more" in text


def _fonts(reader):
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font")
        if fonts is None:
            continue
        for font in fonts.get_object().values():
            names.add(str(font.get_object()["/BaseFont"]).lstrip("/"))
    return names


def test_only_embedded_dejavu_fonts_are_used(reader):
    fonts = _fonts(reader)
    assert fonts
    for name in fonts:
        assert re.fullmatch(r"([A-Z]{6}\+)?DejaVuSans(-Bold)?", name), name
    assert not any("Helvetica" in name for name in fonts)
    assert b"Helvetica" not in brief.research_brief_pdf()
