"""Reads for cities, their teams and their assessments, with the joins done once."""

import copy
import logging
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from opencities import caching
from opencities.languages import configured
from opencities.vocabulary import BAND_WORDS, KIND_CHOICE, POLICY_THEMES, CityTypeName, city_type_name

from .calibration import Bands
from .citytype import RULE_DESCRIPTIONS, UNKNOWN_TIER, UNKNOWN_TIER_NAME
from .models import (
    Answer,
    Assessment,
    AssessmentResult,
    City,
    Dimension,
    DimensionScore,
    FrameworkAnswer,
    FrameworkStatus,
    GawcTier,
    Invitation,
    Membership,
    Question,
    QuestionnaireVersion,
    Reopening,
    Role,
)
from .numbers import figure
from .peer_groups import SizeBand, size_band, size_bands
from .questionnaire import QuestionnaireDef
from .questionnaire_translations import (
    SOURCE_LANGUAGE,
    QuestionnaireShape,
    QuestionnaireTranslation,
    QuestionShape,
    QuestionTexts,
    TranslationError,
    parse_translation,
    shape_of,
    translation_file_name,
)
from .scoring import NONE_OF_THESE, AnswerValue, Band, DimensionSpec, OptionSpec, QuestionSpec, band

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CityCard:
    """A city on My cities: its open draft with its progress, its last result, and the year a lead may start."""

    membership: Membership
    draft: Assessment | None
    draft_percent: int | None
    last_result: Assessment | None
    start_year: int | None  # this year, when the city has neither a draft nor an assessment for it

    @property
    def city(self) -> City:
        return self.membership.city


def _count(queryset) -> Coalesce:
    """The number of rows of `queryset` (filtered on OuterRef("pk")) as a subquery, 0 for none."""
    return Coalesce(Subquery(queryset.order_by().values("assessment").annotate(n=Count("pk")).values("n")), 0)


# An answer is answered as `AnswerValue.is_answered` says: a value, Don't know or Not applicable.
ANSWERED = (
    Q(dont_know=True) | Q(not_applicable=True) | Q(number__isnull=False) | Q(yes__isnull=False) | ~Q(option_keys=[])
)


def city_cards(*, user, this_year: int) -> list[CityCard]:
    """The user's cities for My cities, in a fixed number of queries however many cities and years.

    A draft's progress counts what the wizard counts (see `step_progress`): profile fields, answered questions
    and marked framework elements, over all of them.
    """
    assessments = (
        Assessment.objects.select_related("result")
        .annotate(
            answered=_count(Answer.objects.filter(ANSWERED, assessment=OuterRef("pk"))),
            marked=_count(FrameworkAnswer.objects.filter(assessment=OuterRef("pk")).exclude(status="")),
        )
        .order_by("-year", "-submitted_at")
    )
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("city")
        .prefetch_related(Prefetch("city__assessments", queryset=assessments, to_attr="assessments_newest_first"))
        .annotate(member_count=Count("city__memberships"))
        .order_by("city__name")
    )
    # Each version's size, read once: a version row carries its whole source file, too heavy to join per year.
    version_ids = {item.questionnaire_id for m in memberships for item in m.city.assessments_newest_first}
    sizes = {
        version.pk: version.question_count + len(version.framework) + len(PROFILE_PROGRESS_FIELDS)
        for version in QuestionnaireVersion.objects.filter(pk__in=version_ids)
        .annotate(question_count=Count("questions"))
        .only("pk", "framework")
    }
    return [_city_card(membership, this_year, sizes) for membership in memberships]


def _city_card(membership: Membership, this_year: int, sizes: dict[int, int]) -> CityCard:
    years = membership.city.assessments_newest_first
    draft = next((assessment for assessment in years if assessment.is_open), None)
    percent = None
    if draft is not None:
        total = sizes[draft.questionnaire_id]
        done = _profile_done(draft) + draft.answered + draft.marked
        percent = round(100 * done / total) if total else 100
    last_result = next(
        (
            assessment
            for assessment in years
            if hasattr(assessment, "result")
            and (assessment.status == Assessment.Status.SUBMITTED or assessment.result.is_superseded)
        ),
        None,
    )
    start_year = None if draft or any(assessment.year == this_year for assessment in years) else this_year
    return CityCard(membership, draft, percent, last_result, start_year)


def city_team(*, city: City) -> QuerySet[Membership]:
    order = {Role.LEAD: 0, Role.CONTRIBUTOR: 1, Role.VIEWER: 2}
    memberships = list(Membership.objects.filter(city=city).select_related("user"))
    return sorted(memberships, key=lambda m: (order[m.role], m.user.email))


def open_invitations(*, city: City) -> QuerySet[Invitation]:
    return Invitation.objects.filter(city=city, accepted_at=None, revoked_at=None).select_related("invited_by")


# --- The questionnaire and an assessment's answers ---

PROFILE_STEP = "profile"
FRAMEWORK_STEP = "framework"


@dataclass(frozen=True)
class Structure:
    """A questionnaire version's dimensions and questions (with options) and framework elements, read in three
    queries, with their texts in one language (`language`).

    The texts of a translated structure are on copies of the rows (see `questionnaire_structure`): never save them.
    """

    version: QuestionnaireVersion
    dimensions: list[Dimension]
    questions_by_dimension: dict[int, list[Question]]
    framework: tuple[dict, ...] = ()  # {"key", "name", "help"} per element, in the version's order
    title: str = ""
    language: str = SOURCE_LANGUAGE

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

    @property
    def shape(self) -> QuestionnaireShape:
        """The keys a translation of this version must have."""
        return QuestionnaireShape(
            version=self.version.version,
            major=self.version.major,
            dimension_keys=tuple(dimension.key for dimension in self.dimensions),
            questions=tuple(
                QuestionShape(
                    key=question.key,
                    kind=question.kind,
                    option_keys=tuple(option.key for option in question.options.all()),
                    has_unit=bool(question.unit),
                )
                for dimension in self.dimensions
                for question in self.questions_by_dimension[dimension.pk]
            ),
            framework_keys=tuple(element["key"] for element in self.framework),
        )

    def translated(self, texts: QuestionnaireTranslation) -> "Structure":
        """The same structure with the texts of `texts`, a translation checked against this version."""
        return Structure(
            version=self.version,
            dimensions=[
                _with_texts(
                    dimension,
                    name=texts.dimensions[dimension.key].name,
                    description=texts.dimensions[dimension.key].description,
                )
                for dimension in self.dimensions
            ],
            questions_by_dimension={
                pk: [_translated_question(question, texts.questions[question.key]) for question in questions]
                for pk, questions in self.questions_by_dimension.items()
            },
            framework=tuple(
                {
                    **element,
                    "name": texts.framework[element["key"]].name,
                    "help": texts.framework[element["key"]].help,
                }
                for element in self.framework
            ),
            title=texts.title,
            language=texts.language,
        )


def _with_texts(row, **texts):
    """A copy of a row with other texts; the row itself stays as stored."""
    shown = copy.copy(row)
    for name, text in texts.items():
        setattr(shown, name, text)
    return shown


OPTIONS = Question.options.rel.cache_name  # where a prefetch keeps a question's options


def _translated_question(question: Question, texts: QuestionTexts) -> Question:
    shown = _with_texts(question, text=texts.text, help=texts.help, unit=texts.unit if question.unit else "")
    stored_options = question.options.all()
    # What `question.options.all()` answers for a prefetched relation, as Django's prefetch leaves it, so that
    # forms and templates read the labels without a query and without knowing of translations.
    options = stored_options._chain()
    options._result_cache = [_with_texts(option, label=texts.options[option.key]) for option in stored_options]
    options._prefetch_done = True
    shown._prefetched_objects_cache = {**question._prefetched_objects_cache, OPTIONS: options}
    return shown


# In the cache keys of structures: a release that changes what a structure holds never reads an older one's.
STRUCTURE_SHAPE = tuple(field.name for field in fields(Structure))


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


def stored_structure(version: QuestionnaireVersion) -> Structure:
    """A version's structure with its texts as stored (English); a published version never changes, so it is read
    once (see opencities/caching.py)."""
    if version.status != QuestionnaireVersion.Status.PUBLISHED:
        return _read_structure(version)
    key = caching.structure_key(
        version.pk, version.source_sha256, version.loaded_at, shape=STRUCTURE_SHAPE, texts=SOURCE_LANGUAGE
    )
    return caching.cached(key, lambda: _read_structure(version))


def questionnaire_structure(version: QuestionnaireVersion) -> Structure:
    """A version's structure in the active language: what the wizard, the review, the print view, the exports, the
    profile, the compare page and the report show (docs/languages.md).

    The texts come from the translation file of the version's major version, read from disk and checked against
    every loaded version of it; they are never stored in the version. English gets the texts as stored, and so does
    a language whose file is missing or refused, with the fault logged. Scores read only keys, weights and points,
    which are the same in every language.
    """
    language = _questionnaire_language()
    if language is None:
        return stored_structure(version)
    path = translation_path(version.major, language)
    try:
        stat = path.stat()
    except OSError as error:
        logger.error("Questionnaire %s is shown with its English texts in %s: %s", version.version, language, error)
        return stored_structure(version)
    if version.status != QuestionnaireVersion.Status.PUBLISHED:
        return _translated_structure(version, language, path)
    # The file's time and size in the key: a corrected translation is read again, with no new version.
    key = caching.structure_key(
        version.pk,
        version.source_sha256,
        version.loaded_at,
        shape=STRUCTURE_SHAPE,
        texts=f"{language}:{stat.st_mtime_ns}:{stat.st_size}",
    )
    # The stored structure is read only on a miss: a page reads one entry, not two.
    return caching.cached(key, lambda: _translated_structure(version, language, path))


def _translated_structure(version: QuestionnaireVersion, language: str, path: Path) -> Structure:
    stored = stored_structure(version)
    try:
        texts = questionnaire_translation(version.major, language, path=path)
    except (OSError, UnicodeDecodeError, TranslationError) as error:
        # Kept under the file's key like a translation, so the fault is logged once, not on every page.
        logger.error("Questionnaire %s is shown with its English texts in %s: %s", version.version, language, error)
        return stored
    return stored.translated(texts)


def _read_structure(version: QuestionnaireVersion) -> Structure:
    dimensions = list(version.dimensions.all())
    questions = version.questions.prefetch_related("options").order_by("dimension__position", "position")
    by_dimension = {dimension.pk: [] for dimension in dimensions}
    for question in questions:
        by_dimension[question.dimension_id].append(question)
    return Structure(
        version=version,
        dimensions=dimensions,
        questions_by_dimension=by_dimension,
        framework=tuple(dict(element) for element in version.framework),
        title=version.title,
    )


# --- Questionnaire translations: a file per language and major version, beside the questionnaire files ---

QUESTIONNAIRES_DIR = Path(__file__).resolve().parent / "questionnaires"


def questionnaire_languages() -> list[str]:
    """The configured languages the questionnaire needs a translation into: all but its source language."""
    return [code for code, _name in settings.LANGUAGES if code != SOURCE_LANGUAGE]


def translation_path(major: int, language: str) -> Path:
    return QUESTIONNAIRES_DIR / translation_file_name(major, language)


def _questionnaire_language() -> str | None:
    """The active language if the questionnaire is shown translated in it; None: the texts as stored."""
    language = translation.get_language()
    if language and not configured(language):
        language = language.split("-")[0]  # fr-ca reads the French
    return language if language in questionnaire_languages() else None


def questionnaire_translation(
    major: int, language: str, *, path: Path | None = None, also: Sequence[QuestionnaireShape] = ()
) -> QuestionnaireTranslation:
    """A major version's translation file, checked against every loaded version of it (and `also`, a version about
    to be loaded); raises TranslationError naming the file and each question that is wrong."""
    path = path or translation_path(major, language)
    versions = QuestionnaireVersion.objects.filter(major=major).defer("source").order_by("minor")
    shapes = [stored_structure(version).shape for version in versions]
    return parse_translation(path.read_text(encoding="utf-8"), [*shapes, *also], language=language, source=path.name)


def translations_check(definition: QuestionnaireDef) -> tuple[list[str], list[str]]:
    """Whether the translation files fit a version about to be loaded: (the problems of each file, the names of the
    files missing). A missing file leaves its language with the English texts; a refused one is a mistake."""
    problems, missing = [], []
    for language in questionnaire_languages():
        path = translation_path(definition.major, language)
        if not path.exists():
            missing.append(path.name)
            continue
        try:
            questionnaire_translation(definition.major, language, path=path, also=[shape_of(definition)])
        except TranslationError as error:
            problems.extend(error.problems)
        except (OSError, UnicodeDecodeError) as error:
            problems.append(f"{path.name}: cannot be read: {error}")
    return problems, missing


def answers_by_question(assessment: Assessment, questions=None) -> dict[int, Answer]:
    """The assessment's answers by question id; only those of `questions` when given."""
    answers = Answer.objects.filter(assessment=assessment).select_related("answered_by", "question")
    if questions is not None:
        answers = answers.filter(question__in=questions)
    return {answer.question_id: answer for answer in answers}


def answer_value(answer: Answer | None) -> AnswerValue:
    """A saved answer as the value a member entered (empty when there is none): the one conversion."""
    if answer is None:
        return AnswerValue()
    return AnswerValue(
        option_keys=answer.option_keys,
        # 12.50 as 12.5, the way the form reads it back.
        number=None if answer.number is None else answer.number.normalize(),
        yes=answer.yes,
        dont_know=answer.dont_know,
        not_applicable=answer.not_applicable,
        evidence_note=answer.evidence_note,
        evidence_url=answer.evidence_url,
    )


def is_answered(answer: Answer | None) -> bool:
    return answer_value(answer).is_answered


def scoring_answers(answers: dict[int, Answer]) -> dict[str, AnswerValue]:
    """The answered questions as the scoring module takes them, by question key."""
    values = {answer.question.key: answer_value(answer) for answer in answers.values()}
    return {key: value for key, value in values.items() if value.is_answered}


def gawc_tier_name(tier: str) -> str:
    """A city profile's GaWC tier by name, Don't know included; a value without a name stands for itself."""
    return str({UNKNOWN_TIER: UNKNOWN_TIER_NAME, **dict(GawcTier.choices)}.get(tier, tier))


def value_in_words(question: Question, value) -> str:
    """An answer in words, as conflict messages and the answers export show it."""
    if value.dont_know:
        return str(_("Don't know"))
    if value.not_applicable:
        return str(_("Not applicable"))
    if value.number is not None:
        return f"{figure(value.number)} {question.unit}".strip()
    if value.yes is not None:
        return str(_("Yes") if value.yes else _("No"))
    if value.option_keys:
        labels = {option.key: option.label for option in question.options.all()}
        labels[NONE_OF_THESE] = str(_("None of these"))
        return "; ".join(labels.get(key, key) for key in value.option_keys)
    return str(_("no answer"))


@dataclass(frozen=True)
class Gap:
    step: str
    anchor: str
    message: str


def evidence_levels(question: Question, threshold: Decimal | None) -> tuple[str, ...]:
    """The options of a choice question that need an evidence note or link (docs/method.md, Evidence)."""
    if question.kind != KIND_CHOICE or threshold is None:
        return ()
    return tuple(option.key for option in question.options.all() if option.points >= threshold)


def lacks_evidence(question: Question, value: AnswerValue, threshold: Decimal | None) -> bool:
    """The answer is a level that needs evidence, and has neither a note nor a link."""
    if not value.option_keys or value.evidence_note or value.evidence_url:
        return False
    return value.option_keys[0] in evidence_levels(question, threshold)


def _needs_evidence(question: Question, answer: Answer, threshold: Decimal) -> bool:
    return lacks_evidence(question, answer_value(answer), threshold)


def assessment_gaps(assessment: Assessment, structure: Structure, answers: dict[int, Answer]) -> list[Gap]:
    """Everything that stops the submission, step by step, each with where to fix it."""
    gaps = []
    if not assessment.metro_population:
        gaps.append(
            Gap(PROFILE_STEP, "id_metro_population", _("City profile: the metropolitan population is missing."))
        )
    for name, label in (
        ("is_capital", _("capital city")),
        ("is_largest_city", _("largest city")),
        ("past_role_declined", _("past global role")),
    ):
        if getattr(assessment, name) is None:
            gaps.append(
                Gap(PROFILE_STEP, f"id_{name}", _("City profile: “%(field)s” is not answered.") % {"field": label})
            )
    if not assessment.gawc_tier:
        gaps.append(
            Gap(
                PROFILE_STEP,
                "id_gawc_tier",
                _("City profile: the GaWC tier is not chosen (“Don't know” is an answer)."),
            )
        )
    if not assessment.niche:
        gaps.append(Gap(PROFILE_STEP, "id_niche", _("City profile: the international niche is not chosen.")))
    if assessment.past_role_declined and not assessment.declined_reason.strip():
        gaps.append(
            Gap(PROFILE_STEP, "id_declined_reason", _("City profile: say briefly how the global role declined."))
        )
    threshold = assessment.questionnaire.calibration.evidence_required_from
    for dimension in structure.dimensions:
        for question in structure.questions_by_dimension[dimension.pk]:
            answer = answers.get(question.pk)
            if not is_answered(answer):
                gaps.append(
                    Gap(
                        dimension.key,
                        f"q-{question.key}",
                        _("%(dimension)s: “%(question)s” is not answered.")
                        % {"dimension": dimension.name, "question": question.text},
                    )
                )
            elif _needs_evidence(question, answer, threshold):
                gaps.append(
                    Gap(
                        dimension.key,
                        f"q-{question.key}",
                        _("%(dimension)s: “%(question)s” needs an evidence note or link for the level chosen.")
                        % {"dimension": dimension.name, "question": question.text},
                    )
                )
    reviewed = set(assessment.framework_answers.exclude(status="").values_list("element", flat=True))
    for element in structure.framework:
        if element["key"] not in reviewed:
            gaps.append(
                Gap(
                    FRAMEWORK_STEP,
                    f"fw-{element['key']}",
                    _("Strategic framework: “%(element)s” is not marked.") % {"element": element["name"]},
                )
            )
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


# The city-profile answers that count towards a draft's progress.
PROFILE_PROGRESS_FIELDS = (
    "metro_population",
    "is_capital",
    "is_largest_city",
    "gawc_tier",
    "niche",
    "past_role_declined",
)


def _profile_done(assessment: Assessment) -> int:
    return sum(getattr(assessment, name) not in (None, "") for name in PROFILE_PROGRESS_FIELDS)


def step_progress(assessment: Assessment, structure: Structure, answers: dict[int, Answer]) -> list[StepProgress]:
    steps = [StepProgress(PROFILE_STEP, _("City profile"), _profile_done(assessment), len(PROFILE_PROGRESS_FIELDS))]
    for dimension in structure.dimensions:
        questions = structure.questions_by_dimension[dimension.pk]
        answered = sum(is_answered(answers.get(question.pk)) for question in questions)
        steps.append(StepProgress(dimension.key, dimension.name, answered, len(questions)))
    framework_done = assessment.framework_answers.exclude(status="").count()
    steps.append(
        StepProgress(FRAMEWORK_STEP, _("Strategic framework"), framework_done, len(assessment.questionnaire.framework))
    )
    return steps


def profile_url(assessment: Assessment) -> str:
    return reverse("assessment_profile", kwargs={"slug": assessment.city.slug, "pk": assessment.pk})


# --- The openness profile of an assessment ---


@dataclass(frozen=True)
class ScoreRow:
    """A score with its band in words (low, medium, high); a score of None was not scored."""

    key: str
    name: str
    score: Decimal | None
    band: str
    band_label: str


@dataclass(frozen=True)
class FrameworkRow:
    key: str
    name: str
    status: str
    status_label: str
    link: str


@dataclass(frozen=True)
class HistoryRow:
    assessment_pk: int
    year: int
    openness_index: Decimal | None
    band_label: str
    city_type: CityTypeName
    questionnaire_version: str
    is_superseded: bool
    is_current: bool
    is_demo: bool = False


@dataclass(frozen=True)
class Profile:
    """Everything the openness profile shows; `result` is None while the assessment has never been submitted."""

    assessment: Assessment
    result: AssessmentResult | None
    bands: Bands | None = None
    index: ScoreRow | None = None
    dimensions: tuple[ScoreRow, ...] = ()
    policy_themes: tuple[ScoreRow, ...] = ()
    city_type: CityTypeName | None = None
    computed_type: CityTypeName | None = None
    runner_up: CityTypeName | None = None
    rule_description: str = ""
    # The classifier's own sentence with the city's figures (assessments/citytype.py), stored in English when the
    # result is computed: other languages show the rule's translated description alone, never an English sentence.
    type_explanation: str = ""
    framework: tuple[FrameworkRow, ...] = ()
    reopening: Reopening | None = None
    history: tuple[HistoryRow, ...] = ()

    @property
    def history_spans_major_versions(self) -> bool:
        return len({row.questionnaire_version.split(".")[0] for row in self.history}) > 1

    @property
    def history_mixes_demo(self) -> bool:
        """Some years are demonstration data and some are not: the history must say which."""
        return len({row.is_demo for row in self.history}) > 1


def _score_row(key: str, name: str, score: Decimal | None, bands: Bands) -> ScoreRow:
    if score is None:
        return ScoreRow(key, name, None, "", _("not scored"))
    level = band(score, bands)
    return ScoreRow(key, name, score, level, str(BAND_WORDS[level]))


def _framework_row(element: dict, answer: FrameworkAnswer | None) -> FrameworkRow:
    if answer is None or not answer.status:
        return FrameworkRow(element["key"], element["name"], "", _("not marked"), "")
    link = answer.link if answer.link.lower().startswith(("http://", "https://")) else ""
    return FrameworkRow(element["key"], element["name"], answer.status, FrameworkStatus(answer.status).label, link)


def assessments_with_result():
    """Assessments with a result to show: submitted ones, and reopened ones whose last result stands superseded."""
    return Assessment.objects.filter(Q(status=Assessment.Status.SUBMITTED) | Q(result__is_superseded=True))


def reopening_of(assessment: Assessment) -> Reopening | None:
    """The editors' latest reopening while the assessment's last result stands superseded, with their reason."""
    return Reopening.objects.filter(assessment=assessment, assessment__result__is_superseded=True).first()


def profile_data(assessment: Assessment) -> Profile:
    """The profile of an assessment read with `select_related("questionnaire", "result")`, in four more queries.

    The history has every assessment of the city with a result, by year; a reopened one is marked superseded.
    """
    try:
        result = assessment.result
    except AssessmentResult.DoesNotExist:
        return Profile(assessment=assessment, result=None)
    calibration = assessment.questionnaire.calibration
    bands = calibration.bands
    # Names in the reader's language: the dimensions' from the questionnaire's texts, the themes' from the method's
    # vocabulary (the file names them in English only, as the loader checks).
    structure = questionnaire_structure(assessment.questionnaire)
    names = {dimension.key: dimension.name for dimension in structure.dimensions}
    theme_names = {theme.key: theme.name for theme in POLICY_THEMES}
    dimensions = tuple(
        _score_row(row.dimension.key, names.get(row.dimension.key, row.dimension.name), row.score, bands)
        for row in DimensionScore.objects.filter(assessment=assessment).select_related("dimension")
    )
    stored_themes = result.policy_themes
    themes = tuple(
        _score_row(
            theme.key,
            str(theme_names.get(theme.key, theme.name)),
            None if stored_themes.get(theme.key) is None else Decimal(stored_themes[theme.key]),
            bands,
        )
        for theme in calibration.policy_themes
    )
    answers = {item.element: item for item in FrameworkAnswer.objects.filter(assessment=assessment)}
    framework = tuple(_framework_row(element, answers.get(element["key"])) for element in structure.framework)
    reopening = reopening_of(assessment) if result.is_superseded else None
    history = tuple(
        HistoryRow(
            assessment_pk=past.pk,
            year=past.year,
            openness_index=past.result.openness_index,
            band_label=_score_row("", "", past.result.openness_index, bands).band_label,
            city_type=city_type_name(past.result.effective_type),
            questionnaire_version=past.questionnaire.version,
            is_superseded=past.result.is_superseded,
            is_current=past.pk == assessment.pk,
            is_demo=past.is_demo,
        )
        for past in Assessment.objects.filter(city_id=assessment.city_id, result__isnull=False)
        .select_related("result", "questionnaire")
        .order_by("year", "submitted_at")
    )
    return Profile(
        assessment=assessment,
        result=result,
        bands=bands,
        index=_score_row("openness-index", _("Openness index"), result.openness_index, bands),
        dimensions=dimensions,
        policy_themes=themes,
        city_type=city_type_name(result.effective_type),
        computed_type=city_type_name(result.city_type),
        runner_up=city_type_name(result.runner_up),
        rule_description=str(RULE_DESCRIPTIONS.get(result.rule_fired, "")),
        type_explanation=result.explanation if translation.get_language() == settings.LANGUAGE_CODE else "",
        framework=framework,
        reopening=reopening,
        history=history,
    )


# --- Published profiles, for anyone ---


def public_profile(*, slug: str, year: int) -> Profile | None:
    """The profile a city published for a year (its submitted assessment marked public), else None.

    Only scores, city type and themes: no framework documents, no reopening reason, and no other years,
    which the city may not have published.
    """
    assessment = (
        Assessment.objects.filter(
            city__slug=slug, year=year, status=Assessment.Status.SUBMITTED, is_public=True, result__isnull=False
        )
        .select_related("city", "questionnaire", "result")
        .order_by("-submitted_at")
        .first()
    )
    if assessment is None:
        return None
    return replace(profile_data(assessment), framework=(), reopening=None, history=())


def public_profile_years(*, city: City) -> list[int]:
    """The years whose profile the city published, oldest first."""
    return sorted(
        set(
            Assessment.objects.filter(
                city=city, status=Assessment.Status.SUBMITTED, is_public=True, result__isnull=False
            ).values_list("year", flat=True)
        )
    )


# --- The directory of published profiles, for anyone ---


@dataclass(frozen=True)
class DirectoryEntry:
    """One city in the directory: its latest published profile, with its type and size band in words."""

    assessment: Assessment
    city_type: CityTypeName
    band: SizeBand | None


def directory_size_bands() -> list[SizeBand]:
    """The size bands of the questionnaire cities assess with now (its calibration's edges)."""
    version = QuestionnaireVersion.objects.filter(status=QuestionnaireVersion.Status.PUBLISHED).first()
    return size_bands(version.calibration.size_bands) if version is not None else []


def published_profiles(
    *, query: str = "", region: str = "", city_type: str = "", band: SizeBand | None = None
) -> QuerySet[Assessment]:
    """Each city's latest published profile (the ones `public_profile` shows), filtered, by city name.

    The filters apply to that profile, as peer groups do: its effective type, and its own population for the band.
    """
    published = Assessment.objects.filter(status=Assessment.Status.SUBMITTED, is_public=True, result__isnull=False)
    if not settings.DEMO_MODE:
        published = published.filter(is_demo=False)
    latest = published.annotate(
        latest=Window(RowNumber(), partition_by=[F("city_id")], order_by=[F("year").desc(), F("submitted_at").desc()])
    )
    profiles = Assessment.objects.filter(id__in=latest.filter(latest=1).values("id"))
    if query:
        profiles = profiles.filter(Q(city__name__icontains=query) | Q(city__country__icontains=query))
    if region:
        profiles = profiles.filter(city__region=region)
    if city_type:
        profiles = profiles.filter(result__effective_type=city_type)
    if band is not None:
        profiles = profiles.filter(metro_population__gte=band.low)
        if band.high is not None:
            profiles = profiles.filter(metro_population__lt=band.high)
    return profiles.select_related("city", "result").order_by("city__name", "city_id")


def directory_entries(profiles, bands: list[SizeBand]) -> list[DirectoryEntry]:
    edges = [band.low for band in bands[1:]]
    return [
        DirectoryEntry(
            profile, city_type_name(profile.result.effective_type), size_band(profile.metro_population, edges)
        )
        for profile in profiles
    ]
