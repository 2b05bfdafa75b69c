"""The public directory of published profiles: only what cities published, filtered, paged, in few queries."""

import re

import pytest
from django.urls import reverse

from assessments.models import Assessment, Reopening
from assessments.peer_groups import SizeBand

from .compare_helpers import peer_city, scored_assessment

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("profile_directory")


def listed(client, query=""):
    """The cities the directory lists, in order, as "Name year"."""
    html = client.get(f"{DIRECTORY}?{query}" if query else DIRECTORY).content.decode()
    return re.findall(r'<h2 class="h5 card-title"><a href="/en/profiles/[^"]+">([^<]+)</a> <span[^>]*>(\d{4})', html)


def test_only_the_latest_published_submitted_profile_of_each_city_is_listed(client):
    # Published 2024, an unpublished 2025: the 2024 profile is listed.
    older = peer_city("Aarhus")
    scored_assessment(older, 2024, 50, public=True)
    scored_assessment(older, 2025, 60)
    # Two published years: the latest only.
    scored_assessment(peer_city("Bergen"), 2024, 50, public=True)
    bergen = scored_assessment(Assessment.objects.get(city__slug="bergen").city, 2025, 55, public=True)
    # Never: a city that did not publish, a published draft, a published assessment reopened by the editors.
    scored_assessment(peer_city("Cork"), 2025, 50)
    draft = scored_assessment(peer_city("Dundee"), 2025, 50, public=True)
    Assessment.objects.filter(pk=draft.pk).update(status=Assessment.Status.DRAFT)
    draft.result.delete()
    reopened = scored_assessment(peer_city("Espoo"), 2025, 50, public=True)
    Assessment.objects.filter(pk=reopened.pk).update(status=Assessment.Status.DRAFT)
    reopened.result.is_superseded = True
    reopened.result.save()
    Reopening.objects.create(assessment=reopened, reason="A figure was wrong.")

    assert listed(client) == [("Aarhus", "2024"), ("Bergen", "2025")]
    html = client.get(DIRECTORY).content.decode()
    assert reverse("public_profile", kwargs={"slug": "bergen", "year": bergen.year}) in html
    for name in ("Cork", "Dundee", "Espoo"):
        assert name not in html


def test_filters_by_region_type_and_size_band_from_the_profile(client):
    scored_assessment(peer_city("Lyon", region="europe"), 2025, 50, public=True, population=2_300_000)
    scored_assessment(
        peer_city("Osaka", region="asia"), 2025, 50, public=True, city_type="world-city", population=19_000_000
    )
    small = scored_assessment(peer_city("Tartu", region="europe"), 2025, 50, public=True, population=100_000)
    # An editor's override is the type that counts.
    small.result.override_type = "secondary-city"
    small.result.override_reason = "Checked by hand."
    small.result.save()

    assert listed(client, "region=europe") == [("Lyon", "2025"), ("Tartu", "2025")]
    assert listed(client, "type=world-city") == [("Osaka", "2025")]
    assert listed(client, "type=secondary-city") == [("Tartu", "2025")]
    assert listed(client, "size=1000000-3000000") == [("Lyon", "2025")]
    assert listed(client, "size=0-500000&region=europe") == [("Tartu", "2025")]
    assert listed(client, "region=asia&type=niche-hub") == []
    assert listed(client, "q=osa") == [("Osaka", "2025")]
    html = client.get(DIRECTORY).content.decode()
    # The bands are the calibration's, in words; the cards say each city's type and band.
    assert "under 0.5 M" in html and "10 M or more" in html
    assert "Established world city" in html


def test_a_filter_that_cannot_be_used_is_left_out_and_said(client):
    scored_assessment(peer_city("Lyon"), 2025, 50, public=True)
    response = client.get(f"{DIRECTORY}?size=7-9&region=atlantis")
    assert response.status_code == 200
    assert "Some filters could not be used and were left out" in response.content.decode()
    assert listed(client, "size=7-9&region=atlantis") == [("Lyon", "2025")]


def test_pages_keep_the_filters_and_the_queries_do_not_grow_with_the_cities(client, django_assert_max_num_queries):
    for number in range(23):
        scored_assessment(peer_city(f"Town {number:02d}", region="africa"), 2025, 50, public=True)
    scored_assessment(peer_city("Elsewhere", region="asia"), 2025, 50, public=True)

    with django_assert_max_num_queries(4):
        first = client.get(f"{DIRECTORY}?region=africa").content.decode()
    assert len(listed(client, "region=africa")) == 20
    assert "Page 1 of 2" in first
    assert "?region=africa&amp;page=2" in first
    assert listed(client, "region=africa&page=2") == [(f"Town {n}", "2025") for n in (20, 21, 22)]
    assert "23 published profiles" in first


def test_demonstration_profiles_are_listed_labelled_in_demo_mode_only(client, settings):
    scored_assessment(peer_city("Demoville"), 2025, 50, public=True, demo=True)
    settings.DEMO_MODE = False
    assert listed(client) == []
    settings.DEMO_MODE = True
    assert listed(client) == [("Demoville", "2025")]
    assert "demonstration data" in client.get(DIRECTORY).content.decode()


def test_the_home_and_case_studies_pages_link_to_the_directory(client):
    for page in (reverse("home"), reverse("casestudies:library")):
        assert f'href="{DIRECTORY}"' in client.get(page).content.decode()


@pytest.mark.parametrize(
    ("band", "words"),
    [
        (SizeBand(0, 500_000), "under 0.5 M"),  # it read " M to under 0.5 M"
        (SizeBand(3_000_000, 10_000_000), "3 M to under 10 M"),  # it read "3 M to under 1 M"
        (SizeBand(10_000_000, None), "10 M or more"),
        (SizeBand(1_250_000, 2_500_000), "1.25 M to under 2.5 M"),
    ],
)
def test_size_bands_in_words(band, words):
    assert str(band) == words


def test_a_size_band_writes_its_millions_the_way_of_the_readers_language():
    from django.utils import translation

    with translation.override("fr"):
        assert "1,5 M" in str(SizeBand(1_500_000, 3_000_000)) and "3 M" in str(SizeBand(1_500_000, 3_000_000))
