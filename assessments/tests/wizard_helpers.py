"""Building assessments for tests through the real services."""

from pathlib import Path

from assessments import selectors
from assessments.scoring import AnswerValue
from assessments.services.assessments import (
    answers_save,
    assessment_start,
    framework_save,
    profile_save,
)
from assessments.services.questionnaires import questionnaire_load

QUESTIONNAIRE_FILE = Path(__file__).resolve().parents[1] / "questionnaires" / "opencities-1.0.toml"

PROFILE = {
    "metro_population": 1_400_000,
    "is_capital": False,
    "is_largest_city": True,
    "gawc_tier": "alpha-",
    "niche": "finance",
    "past_role_declined": False,
    "declined_reason": "",
}


def load_questionnaire():
    version, _created = questionnaire_load(text=QUESTIONNAIRE_FILE.read_text(encoding="utf-8"))
    return version


def middle_value(question):
    """A valid, mid-range answer for any question (evidence given, so top levels are allowed)."""
    evidence = {"evidence_note": "Council decision 2024/17", "evidence_url": "https://city.example/decision"}
    if question.kind == "choice":
        return AnswerValue(option_keys=(question.options.all()[len(question.options.all()) // 2].key,), **evidence)
    if question.kind == "multi":
        return AnswerValue(option_keys=(question.options.all()[0].key,), **evidence)
    if question.kind == "yesno":
        return AnswerValue(yes=True, **evidence)
    return AnswerValue(number=(question.min_value + question.max_value) / 2, **evidence)


def fill_in(assessment, user, *, skip_dimensions=(), framework_status="partial"):
    """Answer the profile, every question (except in the skipped dimensions) and the framework."""
    profile_save(assessment=assessment, user=user, values=PROFILE, base_revision=assessment.profile_revision)
    structure = selectors.questionnaire_structure(assessment.questionnaire)
    submitted = {
        question.pk: (middle_value(question), 0)
        for dimension in structure.dimensions
        if dimension.key not in skip_dimensions
        for question in structure.questions_by_dimension[dimension.pk]
    }
    answers_save(assessment=assessment, user=user, submitted=submitted)
    framework_save(
        assessment=assessment,
        user=user,
        submitted={element["key"]: (framework_status, "", 0) for element in assessment.questionnaire.framework},
    )
    assessment.refresh_from_db()
    return assessment


def started(city, user, year=2026):
    load_questionnaire()
    assessment, _notes = assessment_start(city=city, year=year, user=user)
    return assessment
