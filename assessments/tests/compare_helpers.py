"""Submitted assessments with given scores, written directly, for comparison tests and benchmarks."""

from decimal import Decimal

from django.utils import timezone

from assessments.models import Assessment, AssessmentResult, DimensionScore
from opencities.vocabulary import DIMENSION_KEYS

from .factories import CityFactory
from .wizard_helpers import load_questionnaire

DIMENSIONS = DIMENSION_KEYS


def scored_assessment(
    city, year, scores, *, index=None, city_type="niche-hub", public=False, demo=False, population=1_200_000
):
    """A submitted assessment whose dimension scores are `scores` (a number for all, or by key)."""
    version = load_questionnaire()
    if not isinstance(scores, dict):
        scores = dict.fromkeys(DIMENSIONS, scores)
    assessment = Assessment.objects.create(
        city=city,
        questionnaire=version,
        year=year,
        status=Assessment.Status.SUBMITTED,
        submitted_at=timezone.now(),
        is_public=public,
        is_demo=demo,
        metro_population=population,
    )
    dimensions = {d.key: d for d in version.dimensions.all()}
    DimensionScore.objects.bulk_create(
        DimensionScore(
            assessment=assessment,
            dimension=dimensions[key],
            score=Decimal(str(value)),
            applicable=6,
            answered=6,
            dont_know=0,
            not_applicable=0,
        )
        for key, value in scores.items()
    )
    mean = sum(Decimal(str(v)) for v in scores.values()) / len(scores)
    AssessmentResult.objects.create(
        assessment=assessment,
        openness_index=Decimal(str(index)) if index is not None else mean.quantize(Decimal("0.1")),
        completeness=Decimal(100),
        city_type=city_type,
        rule_fired="small-with-niche",
        explanation="",
        runner_up="secondary-city",
        scores_by_dimension={key: str(Decimal(str(value))) for key, value in scores.items()},
    )
    return assessment


def peer_city(name, **fields):
    return CityFactory(name=name, slug=name.lower().replace(" ", "-"), **fields)
