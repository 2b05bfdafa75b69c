"""Reads for cities and their teams, with the joins done once."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Answer, Assessment, City, Dimension, Invitation, Membership, Question, QuestionnaireVersion, Role
from .scoring import Answer as ScoringAnswer
from .scoring import Band, DimensionSpec, OptionSpec, QuestionSpec


def cities_for_user(*, user) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("city")
        .annotate(member_count=Count("city__memberships"))
        .order_by("city__name")
    )


def city_team(*, city: City) -> QuerySet[Membership]:
    order = {Role.LEAD: 0, Role.CONTRIBUTOR: 1, Role.VIEWER: 2}
    memberships = list(Membership.objects.filter(city=city).select_related("user"))
    return sorted(memberships, key=lambda m: (order[m.role], m.user.email))


def open_invitations(*, city: City) -> QuerySet[Invitation]:
    return Invitation.objects.filter(city=city, accepted_at=None, revoked_at=None).select_related("invited_by")


# --- The questionnaire and an assessment's answers ---

NONE_OF_THESE = "__none__"  # a checklist answered with no item ticked; never a real option key
PROFILE_STEP = "profile"
FRAMEWORK_STEP = "framework"


@dataclass(frozen=True)
class Structure:
    """A questionnaire version's dimensions and questions (with options), read in three queries."""

    version: QuestionnaireVersion
    dimensions: list[Dimension]
    questions_by_dimension: dict[int, list[Question]]

    @property
    def specs(self) -> list[DimensionSpec]:
        return [
            DimensionSpec(
                key=dimension.key,
                weight=dimension.weight,
                questions=tuple(question_spec(q) for q in self.questions_by_dimension[dimension.pk]),
            )
            for dimension in self.dimensions
        ]

    def dimension(self, key: str) -> Dimension | None:
        return next((d for d in self.dimensions if d.key == key), None)

    @property
    def step_keys(self) -> list[str]:
        return [PROFILE_STEP, *(d.key for d in self.dimensions), FRAMEWORK_STEP]


def question_spec(question: Question) -> QuestionSpec:
    return QuestionSpec(
        key=question.key,
        kind=question.kind,
        weight=question.weight,
        options=tuple(OptionSpec(option.key, option.points) for option in question.options.all()),
        bands=tuple(
            Band(None if band["below"] is None else Decimal(band["below"]), Decimal(band["points"]))
            for band in question.bands
        ),
        allows_not_applicable=question.allows_not_applicable,
    )


def questionnaire_structure(version: QuestionnaireVersion) -> Structure:
    dimensions = list(version.dimensions.all())
    questions = version.questions.prefetch_related("options").order_by("dimension__position", "position")
    by_dimension = {dimension.pk: [] for dimension in dimensions}
    for question in questions:
        by_dimension[question.dimension_id].append(question)
    return Structure(version=version, dimensions=dimensions, questions_by_dimension=by_dimension)


def answers_by_question(assessment: Assessment) -> dict[int, Answer]:
    return {
        answer.question_id: answer
        for answer in Answer.objects.filter(assessment=assessment).select_related("answered_by")
    }


def is_answered(answer: Answer | None) -> bool:
    return bool(
        answer
        and (answer.option_keys or answer.number is not None or answer.yes is not None or answer.dont_know
             or answer.not_applicable)
    )


def scoring_answers(answers: dict[int, Answer]) -> dict[str, ScoringAnswer]:
    """The answered questions as the scoring module takes them, by question key."""
    return {
        answer.question.key: ScoringAnswer(
            option_keys=frozenset(key for key in answer.option_keys if key != NONE_OF_THESE),
            number=answer.number,
            yes=answer.yes,
            dont_know=answer.dont_know,
            not_applicable=answer.not_applicable,
        )
        for answer in answers.values()
        if is_answered(answer)
    }


@dataclass(frozen=True)
class Gap:
    step: str
    anchor: str
    message: str


def _needs_evidence(question: Question, answer: Answer, threshold: Decimal) -> bool:
    if question.kind != "choice" or not answer.option_keys or answer.evidence_note or answer.evidence_url:
        return False
    points = {option.key: option.points for option in question.options.all()}
    return points.get(answer.option_keys[0], Decimal(0)) >= threshold


def assessment_gaps(assessment: Assessment, structure: Structure, answers: dict[int, Answer]) -> list[Gap]:
    """Everything that stops the submission, step by step, each with where to fix it."""
    gaps = []
    if not assessment.metro_population:
        gaps.append(Gap(PROFILE_STEP, "id_metro_population", _("City profile: the metropolitan population is missing.")))
    for name, label in (("is_capital", _("capital city")), ("is_largest_city", _("largest city")),
                        ("past_role_declined", _("past global role"))):
        if getattr(assessment, name) is None:
            gaps.append(Gap(PROFILE_STEP, f"id_{name}", _("City profile: “%(field)s” is not answered.") % {"field": label}))
    if not assessment.gawc_tier:
        gaps.append(Gap(PROFILE_STEP, "id_gawc_tier", _("City profile: the GaWC tier is not chosen (“Don't know” is an answer).")))
    if not assessment.niche:
        gaps.append(Gap(PROFILE_STEP, "id_niche", _("City profile: the international niche is not chosen.")))
    if assessment.past_role_declined and not assessment.declined_reason.strip():
        gaps.append(Gap(PROFILE_STEP, "id_declined_reason", _("City profile: say briefly how the global role declined.")))
    threshold = Decimal(str(assessment.questionnaire.calibration.get("evidence_required_from", 75)))
    for dimension in structure.dimensions:
        for question in structure.questions_by_dimension[dimension.pk]:
            answer = answers.get(question.pk)
            if not is_answered(answer):
                gaps.append(Gap(dimension.key, f"q-{question.key}", _("%(dimension)s: “%(question)s” is not answered.")
                                % {"dimension": dimension.name, "question": question.text}))
            elif _needs_evidence(question, answer, threshold):
                gaps.append(Gap(dimension.key, f"q-{question.key}",
                                _("%(dimension)s: “%(question)s” needs an evidence note or link for the level chosen.")
                                % {"dimension": dimension.name, "question": question.text}))
    reviewed = set(assessment.framework_answers.exclude(status="").values_list("element", flat=True))
    for element in assessment.questionnaire.framework:
        if element["key"] not in reviewed:
            gaps.append(Gap(FRAMEWORK_STEP, f"fw-{element['key']}",
                            _("Strategic framework: “%(element)s” is not marked.") % {"element": element["name"]}))
    return gaps


@dataclass(frozen=True)
class StepProgress:
    key: str
    title: str
    answered: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 100


def step_progress(assessment: Assessment, structure: Structure, answers: dict[int, Answer]) -> list[StepProgress]:
    profile_done = sum(
        getattr(assessment, name) not in (None, "")
        for name in ("metro_population", "is_capital", "is_largest_city", "gawc_tier", "niche", "past_role_declined")
    )
    steps = [StepProgress(PROFILE_STEP, _("City profile"), profile_done, 6)]
    for dimension in structure.dimensions:
        questions = structure.questions_by_dimension[dimension.pk]
        answered = sum(is_answered(answers.get(question.pk)) for question in questions)
        steps.append(StepProgress(dimension.key, dimension.name, answered, len(questions)))
    framework_done = assessment.framework_answers.exclude(status="").count()
    steps.append(StepProgress(FRAMEWORK_STEP, _("Strategic framework"), framework_done, len(assessment.questionnaire.framework)))
    return steps


def profile_url(assessment: Assessment) -> str:
    return reverse("assessment_profile", kwargs={"slug": assessment.city.slug, "pk": assessment.pk})
