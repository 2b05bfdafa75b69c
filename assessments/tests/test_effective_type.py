"""The effective city type (an editor's override, else the computed type) is one generated column."""

import pytest

from assessments.models import Assessment
from assessments.services.assessments import assessment_type_override

from .compare_helpers import scored_assessment

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("override", "expected"),
    [("", "secondary-city"), ("niche-hub", "niche-hub"), ("world-city", "world-city")],
)
def test_the_override_wins_over_the_computed_type(city, editor, override, expected):
    assessment = scored_assessment(city, 2025, 50, city_type="secondary-city")
    result = assessment_type_override(result=assessment.result, city_type=override, reason="Known hub.", editor=editor)
    assert result.effective_type == expected  # read at once, on the object the service returns
    assert Assessment.objects.filter(result__effective_type=expected).get() == assessment  # and filtered on


def test_going_back_to_the_computed_type(city, editor):
    assessment = scored_assessment(city, 2025, 50, city_type="secondary-city")
    result = assessment_type_override(result=assessment.result, city_type="niche-hub", reason="Hub.", editor=editor)
    result = assessment_type_override(result=result, city_type="", reason="Was wrong.", editor=editor)
    assert result.effective_type == "secondary-city"
