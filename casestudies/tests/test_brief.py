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
        "https://en.wikipedia.org/wiki/OPENCities",
        "https://archive.urbact.eu/opencities",
    ],
)
def test_the_sources_are_cited(text, source):
    assert source in text


def test_every_link_comes_from_the_projects_sourced_fact_files():
    known = (PROJECT / "casestudies" / "data" / "case-study-facts.md").read_text(encoding="utf-8")
    known += (PROJECT / "assessments" / "data" / "reference-cities-sources.md").read_text(encoding="utf-8")
    links = [link for _citation, link in brief.SOURCES if link]
    assert links
    for link in links:
        assert link in known, f"{link} is not in the sourced fact files"


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
