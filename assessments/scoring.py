"""Scores of a self-assessment: question points, dimension scores, openness index, completeness and themes.

Pure functions over plain specs and answers; they compute with unrounded decimals (see docs/method.md, Scoring).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_HALF_UP, Decimal, localcontext
from typing import TYPE_CHECKING

from opencities.vocabulary import (
    BAND_HIGH,
    BAND_LOW,
    BAND_MEDIUM,
    KIND_CHOICE,
    KIND_MULTI,
    KIND_NUMBER,
    KIND_YESNO,
    QUESTION_KIND_KEYS,
)

if TYPE_CHECKING:
    from .calibration import Bands, PolicyTheme

QuestionKind = str  # one of QUESTION_KIND_KEYS
BandName = str  # one of BAND_KEYS

FRAMEWORK_STATUSES: tuple[str, ...] = ("present", "partial", "absent")

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)


def _decimal(value: Decimal | int | float, what: str) -> Decimal:
    """The value as a finite Decimal; a float goes through its shortest repr so 0.1 stays 0.1."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float):
        raise ValueError(f"{what} must be a number, got {value!r}")
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    return number


def _points(value: Decimal | int | float, what: str) -> Decimal:
    points = _decimal(value, what)
    if not ZERO <= points <= HUNDRED:
        raise ValueError(f"{what} must be between 0 and 100, got {points}")
    return points


def _weight(value: Decimal | int | float, what: str) -> Decimal:
    # A zero weight would let a dimension's denominator vanish; leaving a question out is what N/A is for.
    weight = _decimal(value, what)
    if weight <= 0:
        raise ValueError(f"{what} must be greater than 0, got {weight}")
    return weight


def round_half_up(value: Decimal, places: int = 1) -> Decimal:
    """Round half up for storing or showing a score; never round before computing."""
    if not value.is_finite():
        raise ValueError(f"cannot round {value}")
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class OptionSpec:
    """One option of a choice or multi question and the points it is worth (0–100)."""

    key: str
    points: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "points", _points(self.points, f"option {self.key!r} points"))


@dataclass(frozen=True)
class Band:
    """Points for a number below `below`; `below=None` is the final `else` band."""

    below: Decimal | None
    points: Decimal

    def __post_init__(self) -> None:
        if self.below is not None:
            object.__setattr__(self, "below", _decimal(self.below, "band edge"))
        object.__setattr__(self, "points", _points(self.points, "band points"))


# The maturity ladder that policy questions share; keys are stored in answers, so they never change.
MATURITY_LADDER: tuple[OptionSpec, ...] = (
    OptionSpec("none", Decimal(0)),
    OptionSpec("planned", Decimal(25)),
    OptionSpec("partial", Decimal(50)),
    OptionSpec("established", Decimal(75)),
    OptionSpec("evaluated", Decimal(100)),
)


@dataclass(frozen=True)
class QuestionSpec:
    """A question as scoring sees it: its kind, weight, options or number bands, and whether N/A is offered."""

    key: str
    kind: QuestionKind
    weight: Decimal = ONE
    options: tuple[OptionSpec, ...] = ()
    bands: tuple[Band, ...] = ()
    allows_not_applicable: bool = False

    def __post_init__(self) -> None:
        if self.kind not in QUESTION_KIND_KEYS:
            raise ValueError(f"question {self.key!r}: unknown kind {self.kind!r}")
        object.__setattr__(self, "weight", _weight(self.weight, f"question {self.key!r} weight"))
        object.__setattr__(self, "options", tuple(self.options))
        object.__setattr__(self, "bands", tuple(self.bands))
        if self.kind in (KIND_CHOICE, KIND_MULTI):
            keys = [option.key for option in self.options]
            if not keys:
                raise ValueError(f"question {self.key!r}: a {self.kind} question needs options")
            if len(set(keys)) != len(keys):
                raise ValueError(f"question {self.key!r}: option keys must be unique")
        elif self.options:
            raise ValueError(f"question {self.key!r}: only choice and multi questions have options")
        if self.kind == KIND_NUMBER:
            self._check_bands()
        elif self.bands:
            raise ValueError(f"question {self.key!r}: only number questions have bands")

    def _check_bands(self) -> None:
        if not self.bands or self.bands[-1].below is not None:
            raise ValueError(f"question {self.key!r}: number bands must end with an `else` band")
        edges = [band.below for band in self.bands[:-1]]
        if None in edges:
            raise ValueError(f"question {self.key!r}: only the last band may be `else`")
        if any(lower >= upper for lower, upper in itertools.pairwise(edges)):
            raise ValueError(f"question {self.key!r}: band edges must increase")

    def option(self, key: str) -> OptionSpec:
        """The option with this key; ValueError if the question has none."""
        for option in self.options:
            if option.key == key:
                return option
        raise ValueError(f"question {self.key!r} has no option {key!r}")


@dataclass(frozen=True)
class DimensionSpec:
    """A dimension: its stable key, its weight in the openness index, and its questions."""

    key: str
    weight: Decimal
    questions: tuple[QuestionSpec, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "weight", _weight(self.weight, f"dimension {self.key!r} weight"))
        object.__setattr__(self, "questions", tuple(self.questions))
        keys = [question.key for question in self.questions]
        if not keys:
            raise ValueError(f"dimension {self.key!r} has no questions")
        if len(set(keys)) != len(keys):
            raise ValueError(f"dimension {self.key!r}: question keys must be unique")


# A checklist answered with no item ticked; never a real option key, and worth no points.
NONE_OF_THESE = "__none__"


@dataclass(frozen=True)
class AnswerValue:
    """What a member entered for one question, evidence included; scoring reads only the value.

    Option keys are kept sorted, so that two values with the same ticks are equal.
    """

    option_keys: tuple[str, ...] = ()
    number: Decimal | None = None
    yes: bool | None = None
    dont_know: bool = False
    not_applicable: bool = False
    evidence_note: str = ""
    evidence_url: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "option_keys", tuple(sorted(set(self.option_keys))))
        if self.number is not None:
            object.__setattr__(self, "number", _decimal(self.number, "answer number"))
        if self.dont_know and self.not_applicable:
            raise ValueError("an answer is either Don't know or Not applicable, not both")
        if (self.dont_know or self.not_applicable) and self._has_value():
            raise ValueError("a Don't know or Not applicable answer carries no value")

    def _has_value(self) -> bool:
        return bool(self.option_keys) or self.number is not None or self.yes is not None

    @property
    def is_answered(self) -> bool:
        """A value, Don't know or Not applicable; evidence alone answers nothing."""
        return self.dont_know or self.not_applicable or self._has_value()


def _refuse(question: QuestionSpec, problem: str) -> ValueError:
    return ValueError(f"question {question.key!r} ({question.kind}): {problem}")


def _check_shape(question: QuestionSpec, answer: AnswerValue) -> None:
    """Refuse values that belong to another kind of question, so a stale field never scores silently."""
    if question.kind not in (KIND_CHOICE, KIND_MULTI) and answer.option_keys:
        raise _refuse(question, "options given")
    if question.kind != KIND_NUMBER and answer.number is not None:
        raise _refuse(question, "a number given")
    if question.kind != KIND_YESNO and answer.yes is not None:
        raise _refuse(question, "a yes/no given")


def question_points(question: QuestionSpec, answer: AnswerValue | None) -> Decimal | None:
    """Points 0–100 for one answer; None means Not applicable, left out of the denominator."""
    if answer is None:
        # Unanswered scores like Don't know: a draft's live score must not look better for leaving gaps,
        # and submitting needs every answer anyway.
        return ZERO
    if answer.not_applicable:
        if not question.allows_not_applicable:
            raise _refuse(question, "Not applicable is not offered")
        return None
    if answer.dont_know:
        return ZERO
    _check_shape(question, answer)
    if question.kind == KIND_CHOICE:
        if len(answer.option_keys) != 1:
            raise _refuse(question, f"exactly one option is needed, got {len(answer.option_keys)}")
        (key,) = answer.option_keys
        return question.option(key).points
    if question.kind == KIND_MULTI:
        ticked = sum((question.option(key).points for key in answer.option_keys if key != NONE_OF_THESE), ZERO)
        return min(ticked, HUNDRED)
    if question.kind == KIND_NUMBER:
        if answer.number is None:
            raise _refuse(question, "a number is needed")
        return next(band.points for band in question.bands if band.below is None or answer.number < band.below)
    if answer.yes is None:
        raise _refuse(question, "yes or no is needed")
    return HUNDRED if answer.yes else ZERO


def _weighted_mean(pairs: Iterable[tuple[Decimal, Decimal]]) -> Decimal | None:
    """Weighted mean of (weight, value) pairs, or None if there are none."""
    pairs = list(pairs)
    if not pairs:
        return None
    # Exact sums keep the mean monotone and inside its inputs' range; only the final division rounds,
    # in the caller's context (28 digits by default).
    with localcontext() as exact:
        exact.prec, exact.Emax, exact.Emin = MAX_PREC, MAX_EMAX, MIN_EMIN
        total = sum((weight * value for weight, value in pairs), ZERO)
        weights = sum((weight for weight, _value in pairs), ZERO)
    return total / weights


@dataclass(frozen=True)
class DimensionResult:
    """A dimension's unrounded score and its counts; N/A questions are not counted as applicable.

    `answered` counts applicable questions with an answer, Don't know included.
    """

    key: str
    score: Decimal | None
    applicable: int
    answered: int
    dont_know: int
    not_applicable: int


def score_dimension(dimension: DimensionSpec, answers: Mapping[str, AnswerValue]) -> DimensionResult:
    """Weighted mean of the dimension's scored questions; None if every question is Not applicable."""
    scored: list[tuple[Decimal, Decimal]] = []
    answered = dont_know = not_applicable = 0
    for question in dimension.questions:
        answer = answers.get(question.key)
        points = question_points(question, answer)
        if points is None:
            not_applicable += 1
            continue
        scored.append((question.weight, points))
        if answer is not None:
            answered += 1
            dont_know += answer.dont_know
    return DimensionResult(
        key=dimension.key,
        score=_weighted_mean(scored),
        applicable=len(scored),
        answered=answered,
        dont_know=dont_know,
        not_applicable=not_applicable,
    )


def openness_index(results: Iterable[DimensionResult], weights: Mapping[str, Decimal] | None = None) -> Decimal | None:
    """Weighted mean of the dimension scores (equal weights by default), skipping dimensions without a score."""
    pairs = []
    for result in results:
        if result.score is None:
            continue
        if weights is None:
            weight = ONE
        elif result.key in weights:
            weight = _weight(weights[result.key], f"dimension {result.key!r} weight")
        else:
            raise ValueError(f"no weight for dimension {result.key!r}")
        pairs.append((weight, result.score))
    return _weighted_mean(pairs)


def completeness(results: Iterable[DimensionResult]) -> Decimal:
    """Percentage of applicable questions answered other than Don't know; 0 when nothing is applicable."""
    results = list(results)
    applicable = sum(result.applicable for result in results)
    if applicable == 0:
        return ZERO
    known = sum(result.answered - result.dont_know for result in results)
    return Decimal(known) * HUNDRED / Decimal(applicable)


def framework_score(statuses: Mapping[str, str], points: Mapping[str, Decimal]) -> Decimal | None:
    """Mean points of the framework elements given (present/partial/absent); None if none is given."""
    values = []
    for element, status in statuses.items():
        if status not in points:
            raise ValueError(f"framework element {element!r}: unknown status {status!r}")
        values.append((ONE, points[status]))
    return _weighted_mean(values)


def policy_theme_scores(
    dimension_scores: Mapping[str, Decimal | None],
    framework: Decimal | None,
    themes: Iterable[PolicyTheme],
) -> dict[str, Decimal | None]:
    """Each theme's mean of its dimensions' scores, with the framework score as one more item where included."""
    scores: dict[str, Decimal | None] = {}
    for theme in themes:
        missing = [key for key in theme.dimensions if key not in dimension_scores]
        if missing:
            raise ValueError(f"policy theme {theme.key!r}: no score for dimension {missing[0]!r}")
        items = [dimension_scores[key] for key in theme.dimensions]
        if theme.include_framework:
            items.append(framework)
        scores[theme.key] = _weighted_mean((ONE, item) for item in items if item is not None)
    return scores


def band(score: Decimal, bands: Bands) -> BandName:
    """The recommendation band of a score: low < low_below <= medium < high_from <= high."""
    if score < bands.low_below:
        return BAND_LOW
    if score < bands.high_from:
        return BAND_MEDIUM
    return BAND_HIGH


def not_applicable_limit(question_count: int, max_share: Decimal | float) -> int:
    """The most of a dimension's questions that may be Not applicable: the allowed share of them, rounded down."""
    return int(_decimal(max_share, "Not applicable share") * question_count)
