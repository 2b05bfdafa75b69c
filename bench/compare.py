"""Benchmarks of the compare page: a subject city against 50, 1,000 and 10,000 other cities.

The peer cities are written directly with bulk_create (no answers, no scoring): each has ten
submitted assessments, 2017–2026, so that at the subject's year (2026) the comparison window
2024–2026 holds three of them and the seven older ones must be left out. The cities are spread
over the seven regions and the size bands (metropolitan populations from 200,000 to 30 million),
their latest assessments over the five city types, and about 40% of the assessments are public
(10% at 10,000 cities).

`BENCH_PEER_CACHE=off` in the environment moves the peer-data version before every request
(untimed), so each request reads every city's latest row itself instead of the cached ones.
"""

import os
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.db import connection
from django.urls import reverse

from assessments.models import (
    Assessment,
    AssessmentResult,
    City,
    DimensionScore,
    GawcTier,
    Membership,
    QuestionnaireVersion,
    Region,
    Role,
)
from assessments.services.questionnaires import questionnaire_load
from assessments.tests.wizard_helpers import QUESTIONNAIRE_FILE
from opencities import caching
from opencities.vocabulary import CITY_TYPE_KEYS

from .pages import BASE_LAYOUT, _logged_in, _users
from .registry import Page, benchmark

SUBJECT_YEAR = 2026
YEARS = tuple(range(2017, SUBJECT_YEAR + 1))  # ten submitted assessments per city
PUBLIC_SHARE = 0.4
LOWEST_POPULATION, HIGHEST_POPULATION = 200_000, 30_000_000
REGIONS = tuple(Region.values)
TYPES = CITY_TYPE_KEYS
TIERS = ("", *GawcTier.values)
BATCH = 2_000
# Cities whose assessments are planned and written at a time: 10,000 assessments, 90,000 scores.
CITIES_PER_WRITE = 1_000
COMPARE_50 = "compare-50"
# The biggest group, so the most rows to read and the most values to sort.
GROUP = "all"


def questionnaire(major: int = 1) -> QuestionnaireVersion:
    """Questionnaire 1.0; with another `major`, the same file as version `<major>.0`.

    The peer groups take only assessments of the subject's major version, so a benchmark and its
    baseline, whose data stand in the database side by side while they are timed, each on a major
    of its own see only their own cities.
    """
    text = QUESTIONNAIRE_FILE.read_text(encoding="utf-8")
    if major != 1:
        text = text.replace('version = "1.0"', f'version = "{major}.0"', 1)
    version, _created = questionnaire_load(text=text)
    return version


def _population(rng: random.Random) -> int:
    """Log-uniform from 200,000 to 30 million: every size band gets a fair share (about 14–24% each)."""
    return int(LOWEST_POPULATION * (HIGHEST_POPULATION / LOWEST_POPULATION) ** rng.random())


def _scores(rng: random.Random, dimensions) -> dict:
    return {dimension.key: Decimal(rng.randint(50, 950)) / 10 for dimension in dimensions}


def _index(scores: dict) -> Decimal:
    return (sum(scores.values()) / len(scores)).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class Planned:
    """One assessment to write: its row, its scores by dimension and its result's city type."""

    assessment: Assessment
    scores: dict
    city_type: str
    override_type: str = ""


def _write(version: QuestionnaireVersion, planned: list[Planned]) -> list[Assessment]:
    """The assessments, their nine dimension scores and their results, in a few bulk inserts."""
    dimensions = dict(version.dimensions.values_list("key", "pk"))
    # Both SQLite (3.35+) and PostgreSQL return the new ids.
    assessments = Assessment.objects.bulk_create([item.assessment for item in planned], batch_size=BATCH)
    DimensionScore.objects.bulk_create(
        (
            # Ids rather than instances: nine hundred thousand related-object checks saved at 10,000 cities.
            DimensionScore(
                assessment_id=assessment.pk,
                dimension_id=dimensions[key],
                score=score,
                applicable=6,
                answered=6,
                dont_know=0,
                not_applicable=0,
            )
            for assessment, item in zip(assessments, planned, strict=True)
            for key, score in item.scores.items()
        ),
        batch_size=BATCH,
    )
    AssessmentResult.objects.bulk_create(
        (
            AssessmentResult(
                assessment_id=assessment.pk,
                openness_index=_index(item.scores),
                completeness=Decimal(100),
                city_type=item.city_type,
                override_type=item.override_type,
                override_reason="Set by the benchmark." if item.override_type else "",
                rule_fired="benchmark",
                explanation="Written by the benchmark.",
                runner_up=TYPES[(TYPES.index(item.city_type) + 1) % len(TYPES)],
                **_score_copy(item.scores),
            )
            for assessment, item in zip(assessments, planned, strict=True)
        ),
        batch_size=BATCH,
    )
    caching.peer_data_changed()  # bulk writes send no signals
    return assessments


def _score_copy(scores: dict) -> dict:
    """The result's JSON copy of its scores, while the model keeps one."""
    if "scores_by_dimension" not in {field.name for field in AssessmentResult._meta.get_fields()}:
        return {}
    return {"scores_by_dimension": {key: str(score) for key, score in scores.items()}}


def peer_cache_on() -> bool:
    return os.environ.get("BENCH_PEER_CACHE", "on").lower() not in ("off", "0", "false", "no")


def peer_cities(
    prefix: str, count: int, version: QuestionnaireVersion, *, years=YEARS, public_share: float = PUBLIC_SHARE
) -> list[City]:
    """`count` cities named `<prefix> City 0001`…, each with a submitted assessment per year of `years`.

    Written a thousand cities at a time, so that 10,000 cities never hold a million rows in memory.
    """
    rng = random.Random(f"bench-compare/{prefix}/{count}")
    dimensions = list(version.dimensions.all())
    cities = []
    for number in range(count):
        name = f"{prefix} City {number:04d}"
        cities.append(
            City(
                name=name,
                slug=f"{prefix.lower()}-city-{number:04d}",
                country=f"Benchland {number % 23}",
                region=REGIONS[number % len(REGIONS)],
                metro_population=_population(rng),
                gawc_tier=rng.choice(TIERS),
                foreign_born_share=Decimal(rng.randint(10, 600)) / 10,
                foreign_born_year=2021,
            )
        )
    cities = City.objects.bulk_create(cities, batch_size=BATCH)
    if any(city.pk is None for city in cities):  # a database that returns no ids
        cities = list(City.objects.filter(slug__in=[city.slug for city in cities]).order_by("slug"))
    for first in range(0, len(cities), CITIES_PER_WRITE):
        chunk = cities[first : first + CITIES_PER_WRITE]
        _write(version, _planned(rng, version, dimensions, chunk, years, public_share))
    return cities


def _planned(rng: random.Random, version, dimensions, cities, years, public_share: float) -> list[Planned]:
    planned = []
    for city in cities:
        base_type = rng.choice(TYPES)
        for year in years:
            # A city's type is mostly stable; about one year in five it comes out as another one.
            city_type = rng.choice(TYPES) if rng.random() < 0.2 else base_type
            planned.append(
                Planned(
                    Assessment(
                        city=city,
                        questionnaire=version,
                        year=year,
                        status=Assessment.Status.SUBMITTED,
                        submitted_at=datetime(year, rng.randint(1, 12), rng.randint(1, 28), 12, tzinfo=UTC),
                        is_public=rng.random() < public_share,
                        # Growing a little each year, so now and then a city crosses into the next band.
                        metro_population=int(city.metro_population * (1 + (year - years[0]) / 100)),
                        gawc_tier=city.gawc_tier or "unknown",
                        niche="none",
                    ),
                    _scores(rng, dimensions),
                    city_type,
                    override_type=rng.choice(TYPES) if rng.random() < 0.05 else "",
                )
            )
    return planned


def subject(prefix: str, version: QuestionnaireVersion):
    """The subject city (Europe, 1.2 M, a niche hub) with its 2026 assessment, and its lead."""
    rng = random.Random(f"bench-compare/{prefix}/subject")
    city = City.objects.create(
        name=f"{prefix} Subject City",
        slug=f"{prefix.lower()}-subject-city",
        country="Benchland",
        region=Region.EUROPE,
        metro_population=1_200_000,
        gawc_tier=GawcTier.BETA,
        foreign_born_share=Decimal("18.5"),
        foreign_born_year=2021,
    )
    lead = _users([f"{city.slug}-lead@bench.test"])[0]
    Membership.objects.create(user=lead, city=city, role=Role.LEAD)
    (assessment,) = _write(
        version,
        [
            Planned(
                Assessment(
                    city=city,
                    questionnaire=version,
                    year=SUBJECT_YEAR,
                    status=Assessment.Status.SUBMITTED,
                    submitted_at=datetime(SUBJECT_YEAR, 3, 1, 12, tzinfo=UTC),
                    metro_population=1_200_000,
                    gawc_tier=GawcTier.BETA,
                    niche="finance",
                ),
                _scores(rng, version.dimensions.all()),
                "niche-hub",
            )
        ],
    )
    return assessment, lead


def compare_url(assessment: Assessment, query: str = "") -> str:
    url = reverse("assessment_compare", kwargs={"slug": assessment.city.slug, "pk": assessment.pk})
    return f"{url}?{query}" if query else url


def compare_page(
    prefix: str, count: int, *, major: int = 1, group: str = GROUP, public_share: float = PUBLIC_SHARE, note=None
) -> Page:
    """The lead of the subject city opens the compare page against `count` other cities.

    `note`, if given, is called with the seconds the data took to write and gives the row's note.
    """
    started = time.perf_counter()
    version = questionnaire(major)
    peer_cities(prefix, count, version, public_share=public_share)
    assessment, lead = subject(prefix, version)
    if connection.vendor == "postgresql":
        _analysed()
    built = time.perf_counter() - started
    notes = [] if note is None else [note(built)]
    if not peer_cache_on():
        notes.append("peer rows read afresh by every request (BENCH_PEER_CACHE=off)")
    return Page(
        _logged_in(lead),
        compare_url(assessment, f"group={group}"),
        # A write moving the version, as a submission would: the next request misses the cached rows.
        before=None if peer_cache_on() else caching.peer_data_changed,
        note="; ".join(notes) or None,
    )


def _analysed():
    """Statistics of the new rows for the planner, as autovacuum would have gathered them by then."""
    with connection.cursor() as cursor:
        for model in (City, Assessment, AssessmentResult, DimensionScore):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


# Its own major version, so that under compare-1000 its group stays 50 cities (see questionnaire()).
@benchmark(COMPARE_50, baseline=BASE_LAYOUT)
def compare_50():
    """50 other cities, 500 submitted assessments (150 in the window): the baseline of compare-1000."""
    return compare_page("C50", 50, major=2)


# Twenty times the cities should cost at most twice the time: the queries are the same, and the
# statistics of the group are sorts of a thousand numbers each.
@benchmark("compare-1000", baseline=COMPARE_50, target=2.0, max_queries=10)
def compare_1000():
    """1,000 other cities, 10,000 submitted assessments (3,000 in the window), all of them the group."""
    return compare_page("C1K", 1_000)


# The size the platform aims at. No target yet (a later issue sets one); the note gives the build time.
@benchmark("compare-10000", baseline=COMPARE_50)
def compare_10000():
    """10,000 other cities, 100,000 submitted assessments (30,000 in the window), a tenth of them public."""
    return compare_page(
        "C10K",
        10_000,
        public_share=0.1,
        note=lambda seconds: (
            f"10,000 cities, 100,000 assessments, 900,000 dimension scores, built in {seconds:.0f} s; no target yet"
        ),
    )
