"""The compare page caches every city's latest assessment; each kind of change shows on the next visit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.services.assessments import assessment_publish, assessment_reopen, assessment_type_override
from opencities import caching

from .compare_helpers import peer_city, scored_assessment
from .test_compare import compare_url, table_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(client, lead, city):
    """The subject's compare page against all cities, as its lead sees it; warmed by a first visit."""
    subject = scored_assessment(city, 2026, 50)
    client.force_login(lead)

    def visit(query="group=all"):
        return client.get(compare_url(subject, query)).content.decode()

    return visit


def _peers(count, **fields):
    return [scored_assessment(peer_city(f"Peer {n}"), 2025, 60, **fields) for n in range(count)]


def test_a_repeated_visit_reads_no_peer_rows(page):
    _peers(5)
    page()
    with CaptureQueriesContext(connection) as first_again:
        page()
    caching.peer_data_changed()  # as any write to what peer groups read does
    with CaptureQueriesContext(connection) as cold:
        page()
    assert len(cold) == len(first_again) + 1


def test_a_new_submission_joins_the_group_on_the_next_visit(page):
    _peers(4)
    assert "Too few cities" in page()
    scored_assessment(peer_city("Latecomer"), 2026, 80)
    assert "5 cities are in this group." in page()


def test_publishing_and_unpublishing_show_on_the_next_visit(page):
    peers = _peers(5)
    assert "Peer 0" not in page()
    assessment_publish(assessment=peers[0], public=True)
    assert "Peer 0" in page()
    assessment_publish(assessment=peers[0], public=False)
    assert "Peer 0" not in page()


def test_a_reopened_assessment_leaves_the_group(page, editor):
    peers = _peers(6)
    assert "6 cities are in this group." in page()
    assessment_reopen(assessment=peers[0], editor=editor, reason="Numbers to check.")
    assert "5 cities are in this group." in page()


def test_a_type_override_moves_a_city_between_type_groups(page, editor):
    # The subject is a niche hub; the peers start as secondary cities.
    peers = _peers(5, city_type="secondary-city")
    assert "Too few cities" in page("group=type")
    for peer in peers:
        assessment_type_override(result=peer.result, city_type="niche-hub", reason="Known finance hub.", editor=editor)
    assert "5 cities are in this group." in page("group=type")


def test_a_renamed_city_shows_its_new_name(page):
    peers = _peers(5, public=True)
    assert "Peer 0" in page()
    city = peers[0].city
    city.name = "Renamed Town"
    city.save()
    html = page()
    assert "Renamed Town" in html and "Peer 0<" not in html


def test_new_scores_change_the_median_on_the_next_visit(page):
    _peers(5)
    assert table_rows(page())["Welcome &amp; entry"][1] == "60.0"
    _peers_high = [scored_assessment(peer_city(f"High {n}"), 2025, 90) for n in range(6)]
    assert table_rows(page())["Welcome &amp; entry"][1] == "90.0"
