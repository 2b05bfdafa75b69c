"""The compare page and its CSV make as many queries for 50 cities as for 120, whatever the group.

The benchmarks time the page at 50 and 1,000 cities with a budget of queries; this checks the
sizes against each other for every kind of group, so that an N+1 shows even when it fits the budget.
"""

import re

import pytest
from django.urls import reverse

from assessments.models import Assessment
from bench import compare
from bench.pages import _logged_in
from bench.registry import as_page
from bench.runner import fetch, prepare

from .test_query_constancy import _difference, _queries

# Both sizes give every group at least five cities, so both take the same path (a smaller group reads
# reference cities instead for its indicative figures: one fixed query more, at any size).
SMALL, LARGE = 50, 120
PICKED = 3
KINDS = ("all", "type", "region", "size", "picked")


def _published(cities):
    """The first cities whose latest assessment (2026, the subject's year) is public: the ones that can be picked."""
    public = set(
        Assessment.objects.filter(city__in=cities, year=compare.SUBJECT_YEAR, is_public=True).values_list(
            "city__slug", flat=True
        )
    )
    return [city.slug for city in cities if city.slug in public][:PICKED]


def _setting(prefix, count, major):
    """`count` peer cities and a subject, on a questionnaire major of their own (the sizes stay apart)."""
    version = compare.questionnaire(major)
    cities = compare.peer_cities(prefix, count, version)
    assessment, lead = compare.subject(prefix, version)
    return _logged_in(lead), assessment, cities


def _query(kind, cities):
    if kind == "picked":
        return "group=picked&" + "&".join(f"city={slug}" for slug in _published(cities))
    return f"group={kind}"


def _counted(client, url):
    page = as_page((client, url))
    fetch(page)  # warm: the first request of a client may differ
    response, queries = _queries(prepare(page))
    assert response.status_code == 200
    return response, queries


def _group_size(html):
    """The page's sentence giving the group's n."""
    return re.search(r"\d+ cit(?:y is|ies are) in this group\.", html).group()


def _measured(kind, client, assessment, cities):
    """The group's n as the page gives it, and the queries of the page and of its CSV."""
    query = _query(kind, cities)
    page, page_queries = _counted(client, compare.compare_url(assessment, query))
    csv_url = reverse("assessment_compare_csv", kwargs={"slug": assessment.city.slug, "pk": assessment.pk})
    _csv, csv_queries = _counted(client, f"{csv_url}?{query}")
    return _group_size(page.content.decode()), page_queries, csv_queries


# One pair of settings for every kind of group: writing 170 cities' ten years is the costly part.
@pytest.mark.django_db
def test_the_compare_page_makes_as_many_queries_at_both_sizes_for_every_kind_of_group():
    small_client, small, small_cities = _setting("Few", SMALL, major=1)
    large_client, large, large_cities = _setting("Many", LARGE, major=2)

    for kind in KINDS:
        small_n, small_page, small_csv = _measured(kind, small_client, small, small_cities)
        large_n, large_page, large_csv = _measured(kind, large_client, large, large_cities)
        if kind == "all":  # each city once, with its latest assessment: the seven before 2024 are left out
            assert (small_n, large_n) == (f"{SMALL} cities are in this group.", f"{LARGE} cities are in this group.")
        elif kind == "picked":
            assert small_n == large_n == f"{PICKED} cities are in this group."
        else:  # a part of the cities, more of them at the larger size
            assert int(small_n.split()[0]) < int(large_n.split()[0]), kind
        assert len(small_page) == len(large_page), (kind, _difference(small_page, large_page))
        assert len(small_csv) == len(large_csv), (kind, _difference(small_csv, large_csv))


@pytest.mark.django_db
def test_the_generated_cities_cover_every_region_size_band_and_type():
    version = compare.questionnaire()
    cities = compare.peer_cities("Spread", 70, version)
    latest = Assessment.objects.filter(city__in=cities, year=compare.SUBJECT_YEAR).select_related("result", "city")

    assert Assessment.objects.filter(city__in=cities, status="submitted").count() == 70 * len(compare.YEARS) == 700
    assert {assessment.city.region for assessment in latest} == set(compare.REGIONS)
    assert {assessment.result.city_type for assessment in latest} == set(compare.TYPES)
    bands = version.calibration.size_bands
    assert {sum(assessment.metro_population >= edge for edge in bands) for assessment in latest} == set(
        range(len(bands) + 1)
    )
    populations = [city.metro_population for city in cities]
    assert min(populations) >= compare.LOWEST_POPULATION and max(populations) <= compare.HIGHEST_POPULATION
    public = Assessment.objects.filter(city__in=cities, is_public=True).count() / 700
    assert 0.3 < public < 0.5
    assert all(assessment.dimension_scores.count() == 9 for assessment in latest[:5])
