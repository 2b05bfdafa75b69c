"""What the lead is told on starting an assessment from the previous one."""

import pytest

from assessments.models import Assessment
from assessments.services.assessments import assessment_start

from .wizard_helpers import fill_in, started

pytestmark = pytest.mark.django_db


def test_with_only_demonstration_years_before_the_note_says_why_nothing_is_copied(city, lead):
    demo_year = fill_in(started(city, lead, year=2025), lead)
    Assessment.objects.filter(pk=demo_year.pk).update(is_demo=True)
    assessment, notes = assessment_start(city=city, year=2026, user=lead, copy_previous=True)
    assert assessment.answers.count() == 0
    assert notes == [
        "The earlier assessments hold demonstration data, which is never copied; the questionnaire starts empty."
    ]


def test_with_no_year_before_the_note_says_there_is_nothing_to_copy(city, lead):
    started(city, lead, year=2027)  # a later year is no earlier assessment
    _assessment, notes = assessment_start(city=city, year=2026, user=lead, copy_previous=True)
    assert notes == ["There is no earlier assessment to copy from; the questionnaire starts empty."]
