"""Writes of the self-assessment: start, save answers (with optimistic locking), submit, reopen."""

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencities import caching
from opencities.models import Notice
from recommendations.services import report_request

from .. import selectors
from ..citytype import CITY_TYPE_KEYS, CityProfile, classify
from ..models import (
    Answer,
    Assessment,
    AssessmentResult,
    City,
    DimensionScore,
    FrameworkAnswer,
    Question,
    QuestionnaireVersion,
    Reopening,
    WizardPosition,
)
from ..notices import submission_event, team_notice_add
from ..scoring import (
    AnswerValue,
    DimensionResult,
    completeness,
    framework_score,
    openness_index,
    policy_theme_scores,
    round_half_up,
    score_dimension,
)
from .revisions import update_from_revision

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnswerConflict:
    """Someone saved this question after the member opened the step: both values are shown."""

    question: Question
    yours: AnswerValue
    theirs: AnswerValue
    theirs_by: str
    theirs_at: object
    current_revision: int


@dataclass
class StepSaved:
    """How many answers changed, the conflicts, and the revision each other question now has."""

    saved: int = 0
    conflicts: list[AnswerConflict] = field(default_factory=list)
    revisions: dict[int, int] = field(default_factory=dict)


_web_link = URLValidator(schemes=["http", "https"])


def _check_link(link: str) -> None:
    """Links end up in pages and PDFs: only web addresses, whatever the caller checked before."""
    if link:
        _web_link(link)


def _require_open(assessment: Assessment):
    if not assessment.is_open:
        raise ValidationError(_("This assessment was submitted and is read-only."))


def latest_questionnaire() -> QuestionnaireVersion:
    version = QuestionnaireVersion.objects.filter(status=QuestionnaireVersion.Status.PUBLISHED).first()
    if version is None:
        raise ValidationError(_("No questionnaire is loaded yet. Run `make setup` (or load_questionnaire)."))
    return version


@transaction.atomic
def assessment_start(*, city: City, year: int, user, copy_previous: bool = False) -> tuple[Assessment, list[str]]:
    """Start the city's assessment for a year; optionally copy the previous one's answers.

    Returns the assessment and sentences telling the user what could not be copied.
    """
    existing = Assessment.objects.filter(city=city, year=year).first()
    if existing:
        raise ValidationError(
            _("%(city)s already has an assessment for %(year)s (%(status)s): continue it instead.")
            % {"city": city.name, "year": year, "status": existing.get_status_display().lower()}
        )
    version = latest_questionnaire()
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                city=city,
                questionnaire=version,
                year=year,
                created_by=user,
                metro_population=city.metro_population,
                is_capital=city.is_capital,
                is_largest_city=city.is_largest_city,
                gawc_tier=city.gawc_tier or "",
                niche=city.niche or "",
            )
    except IntegrityError:
        raise ValidationError(
            _("Someone else started this year's assessment a moment ago: open it from the list.")
        ) from None
    notes = []
    if copy_previous:
        notes = _copy_previous_answers(assessment, user)
    return assessment, notes


def _copy_previous_answers(assessment: Assessment, user) -> list[str]:
    previous = (
        # Synthetic demonstration results are never a city's own answers to start from.
        Assessment.objects.filter(city=assessment.city, year__lt=assessment.year, is_demo=False)
        .select_related("questionnaire")
        .order_by("-year")
        .first()
    )
    if previous is None:
        if Assessment.objects.filter(city=assessment.city, year__lt=assessment.year, is_demo=True).exists():
            return [
                _(
                    "The earlier assessments hold demonstration data, which is never copied; "
                    "the questionnaire starts empty."
                )
            ]
        return [_("There is no earlier assessment to copy from; the questionnaire starts empty.")]
    if previous.questionnaire.major != assessment.questionnaire.major:
        return [
            _(
                "The %(year)s assessment used questionnaire %(old)s, which is not comparable with %(new)s: "
                "nothing was copied."
            )
            % {"year": previous.year, "old": previous.questionnaire.version, "new": assessment.questionnaire.version}
        ]
    questions = {
        q.key: q for q in Question.objects.filter(questionnaire=assessment.questionnaire).prefetch_related("options")
    }
    copied, not_copied = [], []
    for answer in previous.answers.select_related("question"):
        question = questions.get(answer.question.key)
        if question is None:
            not_copied.append(answer.question.key)
            continue
        valid_options = {option.key for option in question.options.all()} | {selectors.NONE_OF_THESE}
        if any(key not in valid_options for key in answer.option_keys):
            not_copied.append(answer.question.key)
            continue
        copied.append(
            Answer(
                assessment=assessment,
                question=question,
                answered_by=user,
                **{name: getattr(answer, name) for name in ANSWER_VALUE_FIELDS},
            )
        )
    Answer.objects.bulk_create(copied)
    element_keys = {element["key"] for element in assessment.questionnaire.framework}
    FrameworkAnswer.objects.bulk_create(
        FrameworkAnswer(
            assessment=assessment, element=item.element, status=item.status, link=item.link, answered_by=user
        )
        for item in previous.framework_answers.all()
        if item.element in element_keys
    )
    for field_name in PROFILE_FIELDS:
        setattr(assessment, field_name, getattr(previous, field_name))
    assessment.save()
    notes = [
        _("%(count)d answers and their evidence were copied from %(year)s.")
        % {"count": len(copied), "year": previous.year}
    ]
    if not_copied:
        notes.append(
            _("Not copied, because the question changed or no longer exists: %(keys)s.")
            % {"keys": ", ".join(not_copied)}
        )
    return notes


# What a member answers; copied to a new year's assessment as it is.
ANSWER_VALUE_FIELDS = (
    "option_keys",
    "number",
    "yes",
    "dont_know",
    "not_applicable",
    "evidence_note",
    "evidence_url",
)

# The city-profile step: what the member enters, what a new year copies, what the form shows.
PROFILE_FIELDS = (
    "metro_population",
    "is_capital",
    "is_largest_city",
    "gawc_tier",
    "niche",
    "past_role_declined",
    "declined_reason",
)


def _stored_fields(value: AnswerValue) -> dict:
    return {name: getattr(value, name) for name in ANSWER_VALUE_FIELDS} | {"option_keys": list(value.option_keys)}


def _conflict(question: Question, value: AnswerValue, existing: Answer | None) -> AnswerConflict:
    return AnswerConflict(
        question=question,
        yours=value,
        theirs=selectors.answer_value(existing),
        theirs_by=(existing.answered_by.get_full_name() or existing.answered_by.email)
        if existing and existing.answered_by
        else _("someone"),
        theirs_at=existing.updated_at if existing else None,
        current_revision=existing.revision if existing else 0,
    )


@transaction.atomic
def answers_save(*, assessment: Assessment, user, submitted: dict[int, tuple[AnswerValue, int]]) -> StepSaved:
    """Save changed answers. `submitted` maps question id to (value, revision the member started from).

    An answer someone else changed since that revision is not overwritten: it comes back as a conflict.
    """
    # The lock keeps a submission from scoring half a save, and two first answers from both inserting.
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _require_open(assessment)
    current = {
        answer.question_id: answer
        for answer in Answer.objects.filter(assessment=assessment, question_id__in=submitted).select_related(
            "answered_by"
        )
    }
    result, now, to_create, lost = StepSaved(), timezone.now(), [], {}
    for question_id, (value, base_revision) in submitted.items():
        _check_link(value.evidence_url)
        existing = current.get(question_id)
        if value == selectors.answer_value(existing):
            result.revisions[question_id] = existing.revision if existing else 0
            continue
        if existing is None and base_revision == 0:
            to_create.append(
                Answer(assessment=assessment, question_id=question_id, answered_by=user, **_stored_fields(value))
            )
            result.revisions[question_id] = 1
            continue
        # A step has at most seven questions: one plain UPDATE each is faster than bulk_update's CASE chains.
        if existing is not None and update_from_revision(
            Answer.objects.filter(pk=existing.pk),
            base_revision=base_revision,
            answered_by=user,
            updated_at=now,
            **_stored_fields(value),
        ):
            result.saved += 1
            result.revisions[question_id] = base_revision + 1
        else:
            lost[question_id] = value
    Answer.objects.bulk_create(to_create)
    result.saved += len(to_create)
    if lost:
        questions = Question.objects.prefetch_related("options").in_bulk(list(lost))
        result.conflicts = [_conflict(questions[pk], value, current.get(pk)) for pk, value in lost.items()]
    return result


@transaction.atomic
def profile_save(*, assessment: Assessment, user, values: dict, base_revision: int) -> bool:
    """Save the city-profile step; False when someone else saved it since `base_revision`."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _require_open(assessment)
    if all(getattr(assessment, name) == values.get(name) for name in PROFILE_FIELDS):
        return True
    return bool(
        update_from_revision(
            Assessment.objects.filter(pk=assessment.pk),
            base_revision=base_revision,
            field="profile_revision",
            profile_updated_by=user,
            profile_updated_at=timezone.now(),
            **{name: values.get(name) for name in PROFILE_FIELDS},
        )
    )


@transaction.atomic
def framework_save(*, assessment: Assessment, user, submitted: dict[str, tuple[str, str, int]]) -> list[str]:
    """Save the framework review: element -> (status, link, base revision). Returns elements in conflict."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _require_open(assessment)
    current = {item.element: item for item in assessment.framework_answers.all()}
    conflicts, now = [], timezone.now()
    for element, (status, link, base_revision) in submitted.items():
        _check_link(link)
        existing = current.get(element)
        stored = (existing.status, existing.link) if existing else ("", "")
        if stored == (status, link):
            continue
        if existing is None and base_revision == 0:
            FrameworkAnswer.objects.create(
                assessment=assessment, element=element, status=status, link=link, answered_by=user
            )
        elif existing is None or not update_from_revision(
            assessment.framework_answers.filter(element=element),
            base_revision=base_revision,
            status=status,
            link=link,
            answered_by=user,
            updated_at=now,
        ):
            conflicts.append(element)
    return conflicts


def wizard_position_set(*, assessment: Assessment, user, step: str) -> None:
    # One statement on every page view of the wizard: insert, or update the row already there.
    WizardPosition.objects.bulk_create(
        [WizardPosition(assessment=assessment, user=user, step=step, updated_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["assessment", "user"],
        update_fields=["step", "updated_at"],
    )


def assessment_city_profile(assessment: Assessment) -> CityProfile:
    """The city-profile step as the typology reads it: an empty tier is "don't know", an empty niche none."""
    return CityProfile(
        metro_population=assessment.metro_population,
        is_capital=bool(assessment.is_capital),
        is_largest_city=bool(assessment.is_largest_city),
        gawc_tier=assessment.gawc_tier or "unknown",
        niche=assessment.niche or "none",
        past_role_declined=bool(assessment.past_role_declined),
    )


@dataclass(frozen=True)
class ScoredResult:
    """What a submission stores, not yet saved: one row per dimension and the result's fields."""

    dimension_scores: list[DimensionScore]
    result_fields: dict


def _stored(value: Decimal | None) -> Decimal | None:
    return None if value is None else round_half_up(value)


def scored_result(
    *,
    assessment: Assessment,
    structure: selectors.Structure,
    dimension_results: Sequence[DimensionResult],
    framework_statuses: Mapping[str, str],
) -> ScoredResult:
    """The index, themes, framework score and city type of dimension results, by the assessment's calibration.

    Writes nothing, so that submitting and the demonstration data store results by one method.
    """
    calibration = assessment.questionnaire.calibration
    by_key = {result.key: result.score for result in dimension_results}
    index = openness_index(dimension_results, {d.key: d.weight for d in structure.dimensions})
    framework = framework_score(framework_statuses, calibration.framework_points)
    themes = policy_theme_scores(by_key, framework, calibration.policy_themes)
    classification = classify(
        assessment_city_profile(assessment),
        by_key.get("global-presence"),
        by_key.get("connectivity-flows"),
        calibration.city_type,
    )
    rows = [
        DimensionScore(
            assessment=assessment,
            dimension=dimension,
            score=_stored(result.score),
            applicable=result.applicable,
            answered=result.answered,
            dont_know=result.dont_know,
            not_applicable=result.not_applicable,
        )
        for dimension, result in zip(structure.dimensions, dimension_results, strict=True)
    ]
    fields = {
        "openness_index": _stored(index),
        "completeness": round_half_up(completeness(dimension_results)),
        "framework_score": _stored(framework),
        "policy_themes": {key: None if value is None else str(round_half_up(value)) for key, value in themes.items()},
        "city_type": classification.city_type,
        "rule_fired": classification.rule,
        "explanation": classification.explanation,
        "runner_up": classification.runner_up,
        "type_distances": {key: round(value, 4) for key, value in classification.distances.items()},
        "scores_by_dimension": {row.dimension.key: None if row.score is None else str(row.score) for row in rows},
    }
    return ScoredResult(dimension_scores=rows, result_fields=fields)


@transaction.atomic
def assessment_submit(*, assessment: Assessment, user) -> AssessmentResult:
    """Score the assessment, classify the city and store the result, all or nothing."""
    assessment = Assessment.objects.select_for_update().select_related("questionnaire", "city").get(pk=assessment.pk)
    _require_open(assessment)
    structure = selectors.questionnaire_structure(assessment.questionnaire)
    answers = selectors.answers_by_question(assessment)
    gaps = selectors.assessment_gaps(assessment, structure, answers)
    if gaps:
        raise ValidationError(
            _("The assessment cannot be submitted yet: %(count)d things are missing. See the review page.")
            % {"count": len(gaps)}
        )
    scoring_answers = selectors.scoring_answers(answers)
    dimension_results = [score_dimension(spec, scoring_answers) for spec in structure.specs]
    statuses = dict(assessment.framework_answers.values_list("element", "status"))
    scored = scored_result(
        assessment=assessment, structure=structure, dimension_results=dimension_results, framework_statuses=statuses
    )
    DimensionScore.objects.filter(assessment=assessment).delete()
    DimensionScore.objects.bulk_create(scored.dimension_scores)
    # update_or_create keeps an editor's type override across a reopening and a new submission.
    result, _created = AssessmentResult.objects.update_or_create(
        assessment=assessment, defaults={**scored.result_fields, "is_superseded": False}
    )
    assessment.status = Assessment.Status.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.submitted_by = user
    assessment.save(update_fields=["status", "submitted_at", "submitted_by"])
    # Every submission gets its report; the task is sent once the submission commits.
    report_request(assessment=assessment, user=user)
    # The members' "result ready" emails are rows of this transaction: a mail server that is down cannot undo the
    # submission or fail the request, and they go out once it answers.
    team_notice_add(
        city=assessment.city,
        kind=Notice.Kind.RESULT_READY,
        event=submission_event(assessment),
        object_id=assessment.pk,
    )
    return result


@transaction.atomic
def assessment_type_override(*, result: AssessmentResult, city_type: str, reason: str, editor) -> AssessmentResult:
    """An editor sets the city type (or goes back to the computed one, city_type ""), always with a reason.

    The effective type feeds peer groups, recommendations and case-study links, so who and why are kept.
    """
    if city_type and city_type not in CITY_TYPE_KEYS:
        raise ValidationError(_("Unknown city type."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for the city type."))
    result = AssessmentResult.objects.select_for_update().select_related("assessment__city").get(pk=result.pk)
    result.override_type = city_type
    result.override_reason = reason.strip() if city_type else ""
    result.overridden_by = editor if city_type else None
    result.save(update_fields=["override_type", "override_reason", "overridden_by"])
    # The team is told in this transaction, as of a reopening: each change of the type is an event of its own.
    team_notice_add(
        city=result.assessment.city,
        kind=Notice.Kind.TYPE_OVERRIDDEN,
        event=f"assessment:{result.assessment_id}:type:{timezone.now():%Y%m%dT%H%M%S.%f}",
        object_id=result.assessment_id,
    )
    return result


@transaction.atomic
def assessment_reopen(*, assessment: Assessment, editor, reason: str) -> Assessment:
    """Editors reopen a submitted assessment; its result stays, marked superseded, until resubmitted."""
    if not reason.strip():
        raise ValidationError(_("Give the reason for reopening; the city sees it."))
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != Assessment.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted assessment can be reopened."))
    assessment.status = Assessment.Status.DRAFT
    try:
        with transaction.atomic():
            assessment.save(update_fields=["status"])
    except IntegrityError:
        raise ValidationError(_("The city already has an open draft for this year.")) from None
    AssessmentResult.objects.filter(assessment=assessment).update(is_superseded=True)
    caching.peer_data_changed()  # a draft leaves the peer groups, and its save sent no signal that says so
    reopening = Reopening.objects.create(assessment=assessment, reopened_by=editor, reason=reason.strip())
    team_notice_add(
        city=assessment.city, kind=Notice.Kind.REOPENED, event=f"reopening:{reopening.pk}", object_id=reopening.pk
    )
    return assessment


@transaction.atomic
def assessment_publish(*, assessment: Assessment, public: bool) -> Assessment:
    """The lead's choice to show a submitted assessment's profile to anyone, or to stop showing it."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != Assessment.Status.SUBMITTED:
        raise ValidationError(
            _("Only a submitted assessment can be published: submit it first, then publish its profile.")
        )
    if assessment.is_public != public:
        assessment.is_public = public
        assessment.save(update_fields=["is_public"])
    return assessment
