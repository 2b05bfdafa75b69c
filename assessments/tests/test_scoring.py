"""Scoring as docs/method.md states it: question points, dimension scores, index, completeness, themes, bands."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments.calibration import Bands
from assessments.scoring import (
    MATURITY_LADDER,
    NONE_OF_THESE,
    AnswerValue,
    Band,
    DimensionResult,
    DimensionSpec,
    OptionSpec,
    QuestionSpec,
    band,
    completeness,
    framework_score,
    not_applicable_limit,
    openness_index,
    policy_theme_scores,
    question_points,
    round_half_up,
    score_dimension,
)
from assessments.tests.calibration_helpers import DEFAULT_CALIBRATION
from opencities.vocabulary import QUESTION_KIND_KEYS

D = Decimal
DONT_KNOW = AnswerValue(dont_know=True)
NOT_APPLICABLE = AnswerValue(not_applicable=True)

LADDER = QuestionSpec("we-one-stop-service", "choice", options=MATURITY_LADDER)
LADDER_NA = QuestionSpec("we-national-advocacy", "choice", options=MATURITY_LADDER, allows_not_applicable=True)
CHECKLIST = QuestionSpec(
    "we-registration-help",
    "multi",
    weight=D(2),
    options=(OptionSpec("registration", D(40)), OptionSpec("permits", D(30)), OptionSpec("housing-search", D(50))),
)
# Foreign-born share %, as in the questionnaire README's example.
FOREIGN_BORN = QuestionSpec(
    "ip-foreign-born-share",
    "number",
    bands=(Band(D(5), D(0)), Band(D(10), D(25)), Band(D(20), D(50)), Band(D(30), D(75)), Band(None, D(100))),
)
YESNO = QuestionSpec("we-recognition-office", "yesno")


def choose(key: str) -> AnswerValue:
    return AnswerValue(option_keys=frozenset({key}))


def tick(*keys: str) -> AnswerValue:
    return AnswerValue(option_keys=frozenset(keys))


def number(value: str) -> AnswerValue:
    return AnswerValue(number=D(value))


# --- One dimension, six questions, every kind of answer ---------------------------------------------------------

WELCOME = DimensionSpec(
    "welcome-entry",
    D(1),
    (
        LADDER,
        QuestionSpec("we-multilingual-info", "choice", options=MATURITY_LADDER),
        CHECKLIST,
        FOREIGN_BORN,
        YESNO,
        LADDER_NA,
    ),
)
WELCOME_ANSWERS = {
    "we-one-stop-service": choose("established"),  # 75, weight 1
    "we-multilingual-info": DONT_KNOW,  # 0, weight 1
    "we-registration-help": tick("registration", "permits", "housing-search"),  # 40+30+50 = 120 → 100, weight 2
    "ip-foreign-born-share": number("20"),  # 20 is not below 20: the [20, 30) band, 75, weight 1
    "we-recognition-office": AnswerValue(yes=True),  # 100, weight 1
    "we-national-advocacy": NOT_APPLICABLE,  # out of the denominator
}


def test_a_full_dimension_scores_its_weighted_mean():
    result = score_dimension(WELCOME, WELCOME_ANSWERS)

    # (75×1 + 0×1 + 100×2 + 75×1 + 100×1) ÷ (1 + 1 + 2 + 1 + 1) = 450 ÷ 6 = 75
    assert result == DimensionResult(
        key="welcome-entry", score=D("75"), applicable=5, answered=5, dont_know=1, not_applicable=1
    )


# --- A small questionnaire of three dimensions ---------------------------------------------------------------------

PRESENCE = DimensionSpec(
    "global-presence",
    D(1),
    (QuestionSpec("gp-investment-agency", "yesno"), QuestionSpec("gp-convention-bureau", "yesno")),
)
TALENT = DimensionSpec(
    "talent-education",
    D(1),
    tuple(QuestionSpec(f"te-{topic}", "choice", options=MATURITY_LADDER) for topic in ("office", "schools", "alumni")),
)
QUESTIONNAIRE_ANSWERS = {
    **WELCOME_ANSWERS,
    "gp-investment-agency": AnswerValue(yes=True),
    "gp-convention-bureau": AnswerValue(yes=False),
    "te-office": choose("evaluated"),
    "te-schools": choose("planned"),
    # te-alumni left unanswered
}


def test_a_small_questionnaire_gives_its_scores_index_and_completeness():
    results = [score_dimension(dimension, QUESTIONNAIRE_ANSWERS) for dimension in (WELCOME, PRESENCE, TALENT)]

    # welcome-entry 75 (above); global-presence (100 + 0) ÷ 2 = 50;
    # talent-education (100 + 25 + 0 unanswered) ÷ 3 = 41.666…67 (28 significant digits).
    assert [result.score for result in results] == [D("75"), D("50"), D("41.66666666666666666666666667")]
    # (75 + 50 + 41.66666666666666666666666667) ÷ 3 = 55.555…5556: the sum is exact, only the division rounds.
    assert openness_index(results) == D("55.55555555555555555555555556")
    assert round_half_up(openness_index(results)) == D("55.6")
    # Weights 2, 1, 1: (150 + 50 + 41.66666666666666666666666667) ÷ 4 = 60.416…67
    weights = {"welcome-entry": D(2), "global-presence": D(1), "talent-education": D(1)}
    assert openness_index(results, weights) == D("60.41666666666666666666666667")
    # Known answers 4 (5 answered − 1 Don't know) + 2 + 2 (one unanswered) of 5 + 2 + 3 applicable = 8 ÷ 10 = 80 %
    assert completeness(results) == D("80")


# --- Question points, kind by kind -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "points"),
    [("none", 0), ("planned", 25), ("partial", 50), ("established", 75), ("evaluated", 100)],
)
def test_the_maturity_ladder_points(key, points):
    assert question_points(LADDER, choose(key)) == D(points)


@pytest.mark.parametrize(
    ("ticked", "points"),
    [
        ((), 0),
        (("registration",), 40),
        (("registration", "permits"), 70),
        (("permits", "housing-search"), 80),
        (("registration", "housing-search"), 90),
        (("registration", "permits", "housing-search"), 100),  # 120, capped
    ],
)
def test_a_checklist_sums_its_ticks_capped_at_100(ticked, points):
    assert question_points(CHECKLIST, tick(*ticked)) == D(points)


@pytest.mark.parametrize(
    ("value", "points"),
    [
        ("-1", 0),
        ("0", 0),
        ("4.99", 0),
        ("5", 25),  # an edge belongs to the band above it
        ("9.999", 25),
        ("10", 50),
        ("19.99", 50),
        ("20", 75),
        ("29.99", 75),
        ("30", 100),
        ("100", 100),
    ],
)
def test_a_number_takes_the_first_band_it_is_below(value, points):
    assert question_points(FOREIGN_BORN, number(value)) == D(points)


@pytest.mark.parametrize(("yes", "points"), [(True, 100), (False, 0)])
def test_yes_no(yes, points):
    assert question_points(YESNO, AnswerValue(yes=yes)) == D(points)


@pytest.mark.parametrize("question", [LADDER, CHECKLIST, FOREIGN_BORN, YESNO, LADDER_NA], ids=lambda q: q.kind)
def test_dont_know_and_unanswered_score_zero(question):
    assert question_points(question, DONT_KNOW) == 0
    assert question_points(question, None) == 0


def test_not_applicable_is_left_out():
    assert question_points(LADDER_NA, NOT_APPLICABLE) is None


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        (LADDER, AnswerValue()),
        (LADDER, tick("planned", "partial")),
        (LADDER, choose("perfect")),
        (LADDER, AnswerValue(option_keys=frozenset({"planned"}), number=D(3))),
        (LADDER, NOT_APPLICABLE),  # not offered on this question
        (CHECKLIST, tick("registration", "visas")),
        (CHECKLIST, AnswerValue(yes=True)),
        (FOREIGN_BORN, AnswerValue()),
        (FOREIGN_BORN, choose("established")),
        (YESNO, AnswerValue()),
        (YESNO, number("1")),
    ],
)
def test_an_answer_that_does_not_fit_its_question_is_refused(question, answer):
    with pytest.raises(ValueError, match=question.key):
        question_points(question, answer)


@pytest.mark.parametrize(
    "fields",
    [
        {"dont_know": True, "not_applicable": True},
        {"dont_know": True, "yes": True},
        {"not_applicable": True, "option_keys": frozenset({"none"})},
    ],
)
def test_dont_know_and_not_applicable_carry_no_value(fields):
    with pytest.raises(ValueError):
        AnswerValue(**fields)


@pytest.mark.parametrize(
    "build",
    [
        lambda: QuestionSpec("q", "slider"),
        lambda: QuestionSpec("q", "choice"),
        lambda: QuestionSpec("q", "choice", options=(OptionSpec("a", D(1)), OptionSpec("a", D(2)))),
        lambda: QuestionSpec("q", "yesno", weight=D(0)),
        lambda: QuestionSpec("q", "yesno", options=MATURITY_LADDER),
        lambda: QuestionSpec("q", "number"),
        lambda: QuestionSpec("q", "number", bands=(Band(D(5), D(0)),)),
        lambda: QuestionSpec("q", "number", bands=(Band(D(5), D(0)), Band(D(5), D(50)), Band(None, D(100)))),
        lambda: QuestionSpec("q", "number", bands=(Band(None, D(0)), Band(None, D(100)))),
        lambda: OptionSpec("a", D(101)),
        lambda: OptionSpec("a", D(-1)),
        lambda: DimensionSpec("d", D(1), ()),
        lambda: DimensionSpec("d", D(1), (YESNO, YESNO)),
    ],
)
def test_an_inconsistent_spec_is_refused(build):
    with pytest.raises(ValueError):
        build()


# --- Rounding, bands, Not applicable share, framework, themes -------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "places", "rounded"),
    [
        ("72.25", 1, "72.3"),
        ("72.35", 1, "72.4"),
        ("0.05", 1, "0.1"),
        ("72.24", 1, "72.2"),
        ("41.66666666666666666666666667", 1, "41.7"),
        ("100", 1, "100.0"),
        ("2.5", 0, "3"),
    ],
)
def test_round_half_up(value, places, rounded):
    assert str(round_half_up(D(value), places)) == rounded


@pytest.mark.parametrize(
    ("score", "name"),
    [("0", "low"), ("39.99", "low"), ("40", "medium"), ("69.99", "medium"), ("70", "high"), ("100", "high")],
)
def test_bands_low_medium_high(score, name):
    assert band(D(score), DEFAULT_CALIBRATION.bands) == name


def test_bands_follow_the_calibration():
    assert band(D(45), Bands(low_below=D(50), high_from=D(80))) == "low"


@pytest.mark.parametrize(
    ("size", "marked", "allowed"),
    [(6, 0, True), (6, 3, True), (6, 4, False), (5, 2, True), (5, 3, False), (1, 1, False), (2, 1, True)],
)
def test_at_most_half_of_a_dimension_may_be_not_applicable(size, marked, allowed):
    share = DEFAULT_CALIBRATION.not_applicable_max_share
    assert (marked <= not_applicable_limit(size, share)) is allowed


def test_the_not_applicable_limit_counts_a_float_share_as_written():
    assert not_applicable_limit(10, 0.3) == 3
    assert not_applicable_limit(6, 0.25) == 1


def test_none_of_these_ticks_nothing_and_still_answers():
    value = AnswerValue(option_keys=(NONE_OF_THESE,))
    assert value.is_answered
    assert question_points(CHECKLIST, value) == D(0)


def test_an_answer_value_is_equal_whatever_the_order_of_its_ticks():
    assert AnswerValue(option_keys=("permits", "registration")) == AnswerValue(option_keys=["registration", "permits"])
    assert AnswerValue(option_keys=frozenset({"b", "a"})).option_keys == ("a", "b")


@pytest.mark.parametrize(
    ("value", "answered"),
    [
        (AnswerValue(), False),
        (AnswerValue(evidence_note="A note alone answers nothing"), False),
        (AnswerValue(dont_know=True), True),
        (AnswerValue(not_applicable=True), True),
        (AnswerValue(yes=False), True),
        (AnswerValue(number=D(0)), True),
        (AnswerValue(option_keys=("a",)), True),
    ],
)
def test_what_counts_as_answered(value, answered):
    assert value.is_answered is answered


def test_framework_score_averages_the_elements_given():
    points = DEFAULT_CALIBRATION.framework_points
    statuses = {f"element-{i}": "present" for i in range(6)}
    statuses |= {f"element-{i}": "partial" for i in range(6, 10)}
    statuses |= {"element-10": "absent", "element-11": "absent"}
    # (6×100 + 4×50 + 2×0) ÷ 12 = 800 ÷ 12 = 66.666…67
    assert framework_score(statuses, points) == D("66.66666666666666666666666667")
    assert framework_score({}, points) is None
    with pytest.raises(ValueError, match="element-1"):
        framework_score({"element-1": "drafted"}, points)


def test_policy_themes_average_their_dimensions_and_the_framework():
    scores = {
        "leadership-governance": D(60),
        "global-presence": D(30),
        "talent-education": D(45),
        "connectivity-flows": None,  # every question Not applicable
        "international-population": D(10),
        "welcome-entry": D(20),
        "integration-inclusion": D(30),
        "intercultural-climate": D(40),
        "quality-cost-of-living": D(50),
    }
    themes = DEFAULT_CALIBRATION.policy_themes

    assert policy_theme_scores(scores, D(80), themes) == {
        "leadership-governance": D(70),  # (60 + framework 80) ÷ 2
        "internationalisation": D("37.5"),  # (30 + 45) ÷ 2, connectivity has no score
        "managing-diversity": D(30),  # (10 + 20 + 30 + 40 + 50) ÷ 5
    }
    assert policy_theme_scores(scores, None, themes)["leadership-governance"] == D(60)
    with pytest.raises(ValueError, match="welcome-entry"):
        policy_theme_scores({k: v for k, v in scores.items() if k != "welcome-entry"}, None, themes)


def test_openness_index_skips_dimensions_without_a_score():
    results = [
        DimensionResult("a", D(40), 2, 2, 0, 0),
        DimensionResult("b", None, 0, 0, 0, 3),
        DimensionResult("c", D(60), 2, 2, 0, 0),
    ]
    assert openness_index(results) == D(50)
    assert openness_index(results[1:2]) is None
    assert openness_index([]) is None
    with pytest.raises(ValueError, match="'c'"):
        openness_index(results, {"a": D(1)})


def test_completeness_leaves_not_applicable_out_and_counts_gaps_as_missing():
    only_na = DimensionResult("b", None, 0, 0, 0, 3)
    assert completeness([only_na]) == 0
    assert completeness([DimensionResult("a", D(10), 4, 3, 1, 2), only_na]) == D(50)  # (3 − 1) ÷ 4


def test_an_unanswered_question_scores_like_dont_know():
    answers = dict(WELCOME_ANSWERS)
    answers["we-one-stop-service"] = DONT_KNOW
    with_dont_know = score_dimension(WELCOME, answers)
    del answers["we-one-stop-service"]
    unanswered = score_dimension(WELCOME, answers)

    assert unanswered.score == with_dont_know.score
    assert (unanswered.answered, unanswered.dont_know) == (4, 1)
    assert (with_dont_know.answered, with_dont_know.dont_know) == (5, 2)
    assert completeness([unanswered]) == completeness([with_dont_know]) == D(60)


# --- Properties ------------------------------------------------------------------------------------------------------

POINTS = st.decimals(min_value=0, max_value=100, places=2)
WEIGHTS = st.decimals(min_value=D("0.1"), max_value=5, places=1)


@st.composite
def question_specs(draw, key: str, kind: str | None = None, allows_not_applicable: bool | None = None):
    kind = kind or draw(st.sampled_from(QUESTION_KIND_KEYS))
    common = {
        "weight": draw(WEIGHTS),
        "allows_not_applicable": draw(st.booleans()) if allows_not_applicable is None else allows_not_applicable,
    }
    if kind in ("choice", "multi"):
        size = draw(st.integers(min_value=2 if kind == "choice" else 1, max_value=5))
        options = tuple(OptionSpec(f"o{i}", draw(POINTS)) for i in range(size))
        return QuestionSpec(key, kind, options=options, **common)
    if kind == "number":
        edges = sorted(draw(st.sets(st.integers(min_value=-50, max_value=150), max_size=4)))
        bands = (*(Band(D(edge), draw(POINTS)) for edge in edges), Band(None, draw(POINTS)))
        return QuestionSpec(key, kind, bands=bands, **common)
    return QuestionSpec(key, kind, **common)


@st.composite
def answers_to(draw, question: QuestionSpec) -> AnswerValue | None:
    """Any answer the form could save, including Don't know, Not applicable and no answer at all."""
    outcomes = ["unanswered", "dont-know", "value", "value"]
    if question.allows_not_applicable:
        outcomes.append("not-applicable")
    outcome = draw(st.sampled_from(outcomes))
    if outcome == "unanswered":
        return None
    if outcome == "dont-know":
        return DONT_KNOW
    if outcome == "not-applicable":
        return NOT_APPLICABLE
    keys = [option.key for option in question.options]
    if question.kind == "choice":
        return choose(draw(st.sampled_from(keys)))
    if question.kind == "multi":
        return AnswerValue(option_keys=frozenset(draw(st.sets(st.sampled_from(keys)))))
    if question.kind == "number":
        return AnswerValue(number=draw(st.decimals(min_value=-100, max_value=200, places=3)))
    return AnswerValue(yes=draw(st.booleans()))


def _with_answers(draw, questions) -> dict[str, AnswerValue]:
    drawn = {question.key: draw(answers_to(question)) for question in questions}
    return {key: answer for key, answer in drawn.items() if answer is not None}


@st.composite
def answered_dimensions(draw, key: str = "d", min_questions: int = 1):
    size = draw(st.integers(min_value=min_questions, max_value=7))
    questions = tuple(draw(question_specs(f"{key}-q{i}")) for i in range(size))
    return DimensionSpec(key, draw(WEIGHTS), questions), _with_answers(draw, questions)


@given(answered_dimensions())
def test_a_dimension_score_stays_within_0_and_100(case):
    dimension, answers = case
    result = score_dimension(dimension, answers)

    if result.not_applicable == len(dimension.questions):
        assert result.score is None
    else:
        assert D(0) <= result.score <= D(100)
    assert result.applicable + result.not_applicable == len(dimension.questions)
    assert 0 <= result.dont_know <= result.answered <= result.applicable


@given(st.data(), st.sampled_from(["choice", "multi"]))
def test_choosing_an_option_worth_more_never_lowers_the_score(data, kind):
    target = data.draw(question_specs("target", kind=kind))
    others = tuple(data.draw(question_specs(f"q{i}")) for i in range(data.draw(st.integers(0, 6))))
    dimension = DimensionSpec("d", D(1), (target, *others))
    answers = _with_answers(data.draw, others)
    if kind == "choice":
        lower, higher = sorted(
            data.draw(st.lists(st.sampled_from(target.options), min_size=2, max_size=2)),
            key=lambda option: option.points,
        )
        worse, better = choose(lower.key), choose(higher.key)
    else:
        ticked = data.draw(st.sets(st.sampled_from([option.key for option in target.options])))
        extra = data.draw(st.sampled_from([option.key for option in target.options]))
        worse, better = tick(*ticked), tick(*ticked, extra)

    worse_score = score_dimension(dimension, {**answers, "target": worse}).score
    better_score = score_dimension(dimension, {**answers, "target": better}).score
    assert worse_score <= better_score


@given(st.data())
def test_not_applicable_never_counts_as_zero(data):
    dimension, answers = data.draw(answered_dimensions(min_questions=1))
    left_out = data.draw(question_specs("left-out", allows_not_applicable=True))
    position = data.draw(st.integers(0, len(dimension.questions)))
    questions = list(dimension.questions)
    questions.insert(position, left_out)
    with_na = DimensionSpec(dimension.key, dimension.weight, tuple(questions))

    result = score_dimension(with_na, {**answers, "left-out": NOT_APPLICABLE})
    without = score_dimension(dimension, answers)
    assert result.score == without.score
    assert completeness([result]) == completeness([without])


@given(st.lists(answered_dimensions(), min_size=1, max_size=9))
def test_completeness_is_a_percentage(cases):
    results = [score_dimension(dimension, answers) for dimension, answers in cases]
    assert D(0) <= completeness(results) <= D(100)


@given(st.lists(answered_dimensions(), min_size=1, max_size=9), st.data())
def test_the_index_lies_between_the_lowest_and_highest_dimension(cases, data):
    results = [
        score_dimension(DimensionSpec(f"d{i}", dimension.weight, dimension.questions), answers)
        for i, (dimension, answers) in enumerate(cases)
    ]
    scores = [result.score for result in results if result.score is not None]
    weights = {result.key: data.draw(WEIGHTS) for result in results}

    for index in (openness_index(results), openness_index(results, weights)):
        if scores:
            assert min(scores) <= index <= max(scores)
        else:
            assert index is None


@given(st.decimals(min_value=0, max_value=100, places=6))
def test_rounding_moves_a_score_by_at_most_half_a_tenth(score):
    assert abs(round_half_up(score) - score) <= D("0.05")
