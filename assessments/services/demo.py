"""Demonstration assessments: synthetic, submitted, flagged `is_demo`, scored by the method's own code.

Only `seed_demo` (which needs DEMO_MODE) calls this. Results and the framework review are stored directly:
no answers to the questions (the pages say so), no report, no email. The figures are plausible, never real,
and every page that shows them says so.
"""

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from opencities import caching

from .. import selectors
from ..citytype import GAWC_TIER_INDEX, NICHES, NO_NICHE, UNKNOWN_TIER
from ..models import Assessment, AssessmentResult, City, DimensionScore, FrameworkAnswer, QuestionnaireVersion
from ..scoring import FRAMEWORK_STATUSES, DimensionResult, round_half_up
from .assessments import PROFILE_FIELDS, scored_result

# Dimensions that a city's international standing lifts (or, for the cost of living, weighs on).
STANDING_EFFECT = {
    "global-presence": Decimal("3.5"),
    "connectivity-flows": Decimal("3"),
    "talent-education": Decimal("1.5"),
    "international-population": Decimal("1"),
    "quality-cost-of-living": Decimal("-1"),
}
SMALL_CITY_BELOW = 2_000_000
PUBLISHED_SHARE = 0.6  # enough published profiles for a hand-picked peer group
# From the weakest status up: a higher level draws a better framework.
STATUSES_UPWARDS = tuple(reversed(FRAMEWORK_STATUSES))
DECLINED_REASON = "Demonstration data: a past global role, as the OPENCities text describes the city."


@dataclass(frozen=True)
class DemoAssessment:
    """One synthetic submitted assessment: its dimension scores (0–100), profile snapshot and framework review."""

    city: City
    year: int
    dimension_scores: Mapping[str, Decimal]
    profile: Mapping[str, object]
    framework: Mapping[str, str]
    public: bool
    submitted_at: datetime
    dont_know: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoSaved:
    created: int = 0
    refreshed: int = 0
    left_alone: int = 0


def _rng(*parts) -> random.Random:
    # A string seed gives the same numbers on every run and machine, whatever PYTHONHASHSEED is.
    return random.Random("/".join(str(part) for part in parts))  # noqa: S311 (synthetic figures, not secrets)


def _standing(city: City) -> int:
    """0 (no GaWC tier) to 6 (Alpha++): how internationally established the city is."""
    return GAWC_TIER_INDEX.get(city.gawc_tier or "none", 0)


def demo_profile(city: City) -> dict:
    """The city-profile step filled from the City record; the niche and declined role follow its example type.

    With no niche recorded, a niche-hub example, or a small city that GaWC ranks, gets a synthetic one.
    """
    rng = _rng(city.slug, "profile")
    niche = city.niche or NO_NICHE
    small_and_ranked = (city.metro_population or 0) < SMALL_CITY_BELOW and _standing(city) > 0
    if niche == NO_NICHE and (city.type_example == "niche-hub" or small_and_ranked):
        niche = rng.choice([key for key in NICHES if key != NO_NICHE])
    declined = city.type_example == "historic-world-city"
    return {
        "metro_population": city.metro_population,
        "is_capital": city.is_capital,
        "is_largest_city": city.is_largest_city,
        "gawc_tier": city.gawc_tier or UNKNOWN_TIER,
        "niche": niche,
        "past_role_declined": declined,
        "declined_reason": DECLINED_REASON if declined else "",
    }


def demo_assessment(
    *, city: City, year: int, first_year: int, structure: selectors.Structure, public: bool
) -> DemoAssessment:
    """Plausible synthetic scores: a city level set by its standing, a slow rise by year, noise per dimension."""
    city_rng, year_rng = _rng(city.slug), _rng(city.slug, year)
    standing = _standing(city)
    level = Decimal(38 + 3 * standing) + Decimal(str(round(city_rng.uniform(-8, 8), 1)))
    trend = Decimal("1.5") * (year - first_year)
    scores, dont_know = {}, {}
    for dimension in structure.dimensions:
        noise = Decimal(str(round(year_rng.gauss(0, 7), 1)))
        score = level + trend + STANDING_EFFECT.get(dimension.key, Decimal(0)) * standing + noise
        scores[dimension.key] = round_half_up(min(max(score, Decimal(5)), Decimal(97)))
        questions = len(structure.questions_by_dimension[dimension.pk])
        dont_know[dimension.key] = min(questions - 1, year_rng.choice((0, 0, 0, 1, 2)))
    framework = {
        element["key"]: STATUSES_UPWARDS[min(2, max(0, int(year_rng.gauss(float(level) / 35, 0.8))))]
        for element in structure.version.framework
    }
    submitted_at = datetime(year, year_rng.randint(2, 10), year_rng.randint(1, 28), 10, 0, tzinfo=UTC)
    return DemoAssessment(
        city=city,
        year=year,
        dimension_scores=scores,
        profile=demo_profile(city),
        framework=framework,
        public=public,
        submitted_at=min(submitted_at, timezone.now()),
        dont_know=dont_know,
    )


def demo_publishes(city: City) -> bool:
    """Whether a reference city's demonstration profiles are public: the same answer on every run."""
    return _rng(city.slug, "public").random() < PUBLISHED_SHARE


def _dimension_results(demo: DemoAssessment, structure: selectors.Structure) -> list[DimensionResult]:
    results = []
    for dimension in structure.dimensions:
        questions = len(structure.questions_by_dimension[dimension.pk])
        results.append(
            DimensionResult(
                key=dimension.key,
                score=demo.dimension_scores[dimension.key],
                applicable=questions,
                answered=questions,
                dont_know=demo.dont_know.get(dimension.key, 0),
                not_applicable=0,
            )
        )
    return results


def _fill(assessment: Assessment, demo: DemoAssessment, questionnaire: QuestionnaireVersion) -> None:
    assessment.questionnaire = questionnaire
    assessment.status = Assessment.Status.SUBMITTED
    assessment.submitted_at = demo.submitted_at
    assessment.is_demo = True
    assessment.is_public = demo.public
    for name in PROFILE_FIELDS:
        setattr(assessment, name, demo.profile[name])


REFRESHED_FIELDS = ["questionnaire", "status", "submitted_at", "is_demo", "is_public", *PROFILE_FIELDS]


@transaction.atomic
def demo_assessments_save(*, questionnaire: QuestionnaireVersion, demos: Iterable[DemoAssessment]) -> DemoSaved:
    """Store each demonstration assessment by city and year: create it, or refresh the demonstration one there.

    A city's own assessment (or any draft) for that year is left alone: synthetic data never replaces work.
    """
    demos = list(demos)
    structure = selectors.questionnaire_structure(questionnaire)
    existing: dict[tuple[int, int], list[Assessment]] = {}
    for assessment in Assessment.objects.filter(
        city__in={demo.city.pk for demo in demos}, year__in={demo.year for demo in demos}
    ):
        existing.setdefault((assessment.city_id, assessment.year), []).append(assessment)

    created: list[tuple[Assessment, DemoAssessment]] = []
    refreshed: list[tuple[Assessment, DemoAssessment]] = []
    left_alone = 0
    for demo in demos:
        found = existing.get((demo.city.pk, demo.year), [])
        if not found:
            assessment = Assessment(city=demo.city, year=demo.year)
            _fill(assessment, demo, questionnaire)
            created.append((assessment, demo))
        elif len(found) == 1 and found[0].is_demo and found[0].status == Assessment.Status.SUBMITTED:
            _fill(found[0], demo, questionnaire)
            refreshed.append((found[0], demo))
        else:
            left_alone += 1

    # PostgreSQL and SQLite (3.35+) return the new primary keys, which the rows below need.
    Assessment.objects.bulk_create([assessment for assessment, _demo in created])
    stale = [assessment for assessment, _demo in refreshed]
    Assessment.objects.bulk_update(stale, REFRESHED_FIELDS)
    DimensionScore.objects.filter(assessment__in=stale).delete()
    AssessmentResult.objects.filter(assessment__in=stale).delete()
    FrameworkAnswer.objects.filter(assessment__in=stale).delete()
    _store_results([*created, *refreshed], structure)
    caching.peer_data_changed()  # bulk writes send no signals
    return DemoSaved(created=len(created), refreshed=len(refreshed), left_alone=left_alone)


def _store_results(pairs: Sequence[tuple[Assessment, DemoAssessment]], structure: selectors.Structure) -> None:
    rows, results = [], []
    for assessment, demo in pairs:
        scored = scored_result(
            assessment=assessment,
            structure=structure,
            dimension_results=_dimension_results(demo, structure),
            framework_statuses=demo.framework,
        )
        rows.extend(scored.dimension_scores)
        results.append(AssessmentResult(assessment=assessment, **scored.result_fields))
    DimensionScore.objects.bulk_create(rows, batch_size=500)
    AssessmentResult.objects.bulk_create(results, batch_size=500)
    # The review the framework score was computed from, so that the profile's table, the recommendations' reasons
    # and the report read the same statuses as the score (without them every element read "not marked").
    FrameworkAnswer.objects.bulk_create(
        [
            FrameworkAnswer(assessment=assessment, element=element, status=status)
            for assessment, demo in pairs
            for element, status in demo.framework.items()
        ],
        batch_size=1000,
    )
