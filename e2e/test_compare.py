"""The compare page in a real browser: each kind of peer group, hand-picked cities too few to compare, the CSV."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from assessments.models import City
from assessments.tests.compare_helpers import DIMENSIONS, peer_city, scored_assessment
from opencities.vocabulary import city_type_name

from .helpers import check_page, log_in, visit

pytestmark = pytest.mark.e2e

QUESTIONNAIRE_FILE = Path(__file__).resolve().parent.parent / "assessments" / "questionnaires" / "opencities-1.0.toml"
YEAR = 2025
WINDOW = "2023–2025"  # the subject's year and the two before it

# name, region, metropolitan population, city type, year, public. Demoville (the subject) is a niche hub
# in Europe of 1.2 M: six peers share its type, eight its region, five its size band (1 M to under 3 M).
PEERS = [
    ("Amberley", "europe", 1_500_000, "niche-hub", 2025, True),
    ("Brightwater", "europe", 2_500_000, "niche-hub", 2024, True),
    ("Cedar Falls", "north-america", 1_100_000, "niche-hub", 2025, False),
    ("Dunmore", "asia", 400_000, "niche-hub", 2024, False),
    ("Eastport", "africa", 6_000_000, "niche-hub", 2025, False),
    ("Fairhaven", "oceania", 800_000, "niche-hub", 2025, True),
    ("Glenrock", "europe", 2_000_000, "secondary-city", 2025, False),
    ("Highbury", "europe", 700_000, "secondary-city", 2024, True),
    ("Ironbridge", "europe", 12_000_000, "world-city", 2025, False),
    ("Juniper Bay", "europe", 300_000, "historic-world-city", 2024, False),
    ("Kingsmere", "europe", 4_000_000, "mega-city", 2025, False),
    ("Larkspur", "latin-america", 1_800_000, "mega-city", 2025, False),
    ("Millbrook", "middle-east", 9_000_000, "world-city", 2024, True),
    ("Northgate", "europe", 15_000_000, "world-city", 2025, False),
]
PICKED = ("Amberley", "Fairhaven", "Millbrook")  # three of the five published profiles


def _scores(number):
    """Nine different scores for the peer `number`, so the group's figures are not all alike."""
    return {key: 20 + (number * 7 + position * 11) % 70 for position, key in enumerate(DIMENSIONS)}


@pytest.fixture
def compare_setting(demo):
    """Questionnaire 1.0, Demoville's submitted 2025 assessment and 14 other cities' for 2024–2025."""
    call_command("load_questionnaire", str(QUESTIONNAIRE_FILE), stdout=io.StringIO())
    demoville = City.objects.get(slug=demo.city_slug)
    subject = scored_assessment(
        demoville, YEAR, {key: 45 + position * 3 for position, key in enumerate(DIMENSIONS)}, population=1_200_000
    )
    for number, (name, region, population, city_type, year, public) in enumerate(PEERS):
        city = peer_city(name, region=region, metro_population=population)
        scored_assessment(city, year, _scores(number), city_type=city_type, public=public, population=population)
    # Outside the comparison window (2023–2025): in no group.
    scored_assessment(peer_city("Oldham", region="europe"), 2021, 60, public=True)
    return demo, subject


def _definition(words):
    return f"{words}: each city's latest assessment of {WINDOW}, questionnaire 1.x"


def _click_and_check(page, locator):
    with page.expect_navigation():
        locator.click()
    check_page(page)


def _group(page):
    return page.get_by_role("region", name="The group")


def _shown_group(page):
    """The group's definition and n as the page states them."""
    group = _group(page)
    sentence = group.get_by_text(re.compile(r"^\d+ cit(y is|ies are) in this group\.$"))
    expect(sentence).to_have_count(1)
    return group.locator("strong").inner_text(), int(sentence.inner_text().split()[0])


def _choose_group(page, label):
    """Choose a kind of group with its radio button and press Compare: a new page."""
    form = page.locator("#group-form")
    form.get_by_role("radio", name=label, exact=True).check()
    _click_and_check(page, form.get_by_role("button", name="Compare", exact=True))


def _download_csv(page):
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.failure() is None, download.failure()
    assert download.suggested_filename.endswith(".csv")
    return list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))  # a BOM, for Excel


def _csv_value(rows, label):
    return next(row[1] for row in rows if row and row[0] == label)


def test_lead_compares_with_each_kind_of_group_picks_too_few_cities_and_downloads_the_csv(page, compare_setting):
    demo, subject = compare_setting
    niche_hub = city_type_name("niche-hub").name

    visit(page, reverse("login"))
    log_in(page, demo.lead_email, demo.password)
    profile = reverse("assessment_profile", kwargs={"slug": demo.city_slug, "pk": subject.pk})
    compare = reverse("assessment_compare", kwargs={"slug": demo.city_slug, "pk": subject.pk})
    visit(page, profile)
    link = page.locator("main").get_by_role("link", name="Compare with other cities")
    expect(link).to_have_attribute("href", compare)
    _click_and_check(page, link)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Compare {demo.city_name} with other cities ({YEAR})")

    # With no group chosen, the same city type; then each kind in turn, and back to the type.
    expect(page.get_by_role("radio", name="Same city type", exact=True)).to_be_checked()
    shown = _shown_group(page)
    assert shown == (_definition(f"Cities of the same type ({niche_hub})"), 6)
    expect(page.locator("#compare-table")).to_be_visible()
    for label, words, n in [
        ("Same region", "Cities in Europe", 8),
        ("Same size band", "Cities with a metropolitan population of 1 M to under 3 M", 5),
        ("All cities", "All cities", 14),
        ("Same city type", f"Cities of the same type ({niche_hub})", 6),
    ]:
        _choose_group(page, label)
        expect(page.get_by_role("radio", name=label, exact=True)).to_be_checked()
        previous, shown = shown, _shown_group(page)
        assert shown == (_definition(words), n)
        assert shown[0] != previous[0] and shown[1] != previous[1], (previous, shown)
        expect(page.locator("#compare-table")).to_be_visible()
        expect(page.get_by_role("status")).to_have_count(0)

    # The CSV of a group large enough to compare: the same group and n as the page.
    _choose_group(page, "All cities")
    shown = _shown_group(page)
    rows = _download_csv(page)
    assert _csv_value(rows, "Peer group") == shown[0] == _definition("All cities")
    assert _csv_value(rows, "Cities in the group (n)") == str(shown[1]) == "14"

    # Three published cities, picked with the list searched on the server: too few for any figure.
    picker = page.locator("#city-picker")
    cities = picker.get_by_role("list", name="Published cities to pick")
    # The five published profiles of the window, by name; Oldham's (2021) is too old.
    published = [name for name, *_rest, public in PEERS if public]
    expect(cities.locator("li > span")).to_have_text([f"{name} (Testland)" for name in published])
    expect(picker).to_contain_text("You have not picked any cities yet.")
    picker.get_by_label("Search published cities by name or country").fill("brook")
    _click_and_check(page, picker.get_by_role("button", name="Search", exact=True))
    expect(cities.locator("li > span")).to_have_text(["Millbrook (Testland)"])
    # Adding a city keeps the search and compares with the cities picked.
    _click_and_check(page, picker.get_by_role("button", name="Add Millbrook"))
    expect(picker.get_by_label("Search published cities by name or country")).to_have_value("brook")
    expect(page.get_by_role("radio", name="Cities you pick", exact=True)).to_be_checked()
    picker.get_by_label("Search published cities by name or country").fill("")
    _click_and_check(page, picker.get_by_role("button", name="Search", exact=True))
    for name in PICKED[:2]:
        _click_and_check(page, picker.get_by_role("button", name=f"Add {name}"))
    previous, shown = shown, _shown_group(page)
    assert shown == (_definition("The 3 published cities you picked"), 3)
    assert shown != previous
    expect(page.get_by_role("status")).to_contain_text("Too few cities to compare.")
    expect(page.locator("#compare-table")).to_have_count(0)
    expect(picker.get_by_role("heading", name="Your picks (3 of at most 50)")).to_be_visible()
    # Looking at another group and back keeps the picks.
    _choose_group(page, "Same region")
    _choose_group(page, "Cities you pick")
    assert _shown_group(page) == shown

    rows = _download_csv(page)
    assert _csv_value(rows, "Cities in the group (n)") == str(shown[1]) == "3"
    assert _csv_value(rows, "Peer group") == shown[0]
    assert ["Note", "Too few cities to compare: no group figures are given."] in rows
