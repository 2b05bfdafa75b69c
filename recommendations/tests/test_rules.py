"""The rule engine as docs/method.md states it: when a rule fires, why, one per rule and theme, in tailored order."""

import itertools
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from opencities.vocabulary import CITY_TYPE_KEYS, DIMENSIONS, RECOMMENDATION_THEME_KEYS
from recommendations.models import FRAMEWORK_ELEMENTS
from recommendations.rules import (
    TYPE_THEME_PREFERENCE,
    DimensionInput,
    FrameworkGap,
    FrameworkInput,
    Rule,
    framework_gaps,
    recommend,
)

THEME_KEYS = list(RECOMMENDATION_THEME_KEYS)
TYPE_KEYS = list(CITY_TYPE_KEYS)
DIMENSION_KEYS = [dimension.key for dimension in DIMENSIONS]
DIMENSION_NAMES = {dimension.key: str(dimension.name) for dimension in DIMENSIONS}
BANDS = ("low", "medium", "high")


def band_of(score: Decimal) -> str:
    """The bands of docs/method.md: low < 40 ≤ medium < 70 ≤ high."""
    return "low" if score < 40 else "medium" if score < 70 else "high"


def rule(
    key="welcome",
    theme="welcome-centre",
    dimensions=("welcome-entry",),
    bands=("low",),
    framework=(),
    types=(),
    priority=2,
) -> Rule:
    return Rule(
        key=key,
        title=f"Rule {key}",
        theme_key=theme,
        theme_name=theme,
        dimension_keys=dimensions,
        bands=bands,
        framework_elements=framework,
        city_types=types,
        priority=priority,
        text="Do this.",
        actions="- first step",
    )


def dim(key="welcome-entry", score="32", median=None) -> DimensionInput:
    score = None if score is None else Decimal(score)
    return DimensionInput(
        key=key,
        name=DIMENSION_NAMES[key],
        score=score,
        band=None if score is None else band_of(score),
        peer_median=None if median is None else Decimal(median),
    )


def element(key="budget", status="absent", name="Budget") -> FrameworkInput:
    return FrameworkInput(key=key, name=name, status=status)


def keys(recommendations) -> list[str]:
    return [recommendation.rule.key for recommendation in recommendations]


# --- When a rule fires ---


@pytest.mark.parametrize(
    ("band", "city_type"), list(itertools.product([*BANDS, None], TYPE_KEYS)), ids=lambda value: str(value)
)
def test_a_low_band_rule_for_secondary_cities_fires_only_for_a_low_secondary_city(band, city_type):
    scores = {"low": "20", "medium": "50", "high": "80", None: None}
    limited = rule(bands=("low",), types=("secondary-city",))
    fired = recommend([limited], [dim(score=scores[band])], [], city_type)
    assert bool(fired) == (band == "low" and city_type == "secondary-city")


@pytest.mark.parametrize(
    ("rule_bands", "score", "fires"),
    [
        (("low",), "39.9", True),
        (("low",), "40", False),
        (("medium",), "40", True),
        (("medium",), "69.9", True),
        (("medium",), "70", False),
        (("high",), "70", True),
        (("low", "medium"), "55", True),
        (("low", "medium"), "85", False),
        (("low", "medium", "high"), "100", True),
        (("low",), None, False),  # not scored: no band, nothing to fire on
    ],
)
def test_a_rule_fires_when_a_triggering_dimension_scores_in_one_of_its_bands(rule_bands, score, fires):
    assert bool(recommend([rule(bands=rule_bands)], [dim(score=score)], [], "niche-hub")) == fires


@pytest.mark.parametrize(
    ("rule_types", "city_type", "fires"),
    [
        ((), "world-city", True),
        ((), "niche-hub", True),
        (("niche-hub",), "niche-hub", True),
        (("niche-hub",), "world-city", False),
        (("mega-city", "world-city"), "world-city", True),
        (("mega-city", "world-city"), "historic-world-city", False),
    ],
)
def test_a_rule_fires_only_for_the_city_types_it_names_and_for_all_when_it_names_none(rule_types, city_type, fires):
    assert bool(recommend([rule(types=rule_types)], [dim(score="20")], [], city_type)) == fires


@pytest.mark.parametrize(("status", "fires"), [("absent", True), ("partial", True), (None, True), ("present", False)])
def test_a_framework_element_absent_partial_or_not_answered_fires_the_rule_that_closes_it(status, fires):
    closing = rule(dimensions=(), framework=("budget",))
    assert bool(recommend([closing], [], [element(status=status)], "mega-city")) == fires


def test_an_element_left_out_of_the_review_fires_nothing():
    closing = rule(dimensions=(), framework=("budget",))
    assert recommend([closing], [dim(score="90")], [element("strategy", "absent", "Strategy")], "mega-city") == []


def test_a_dimension_the_rule_does_not_name_fires_nothing():
    assert recommend([rule(dimensions=("talent-education",))], [dim("welcome-entry", "10")], [], "mega-city") == []


# --- Why: reasons in plain words, one decimal place ---


@pytest.mark.parametrize(
    ("score", "median", "reason"),
    [
        ("32", "55", "Welcome & entry scored 32.0, below your peer median of 55.0"),
        ("32", None, "Welcome & entry scored 32.0, in the low band"),
        ("45", "40", "Welcome & entry scored 45.0, in the medium band and above your peer median of 40.0"),
        ("30", "30", "Welcome & entry scored 30.0, in the low band and at your peer median of 30.0"),
        ("12.345", "40.05", "Welcome & entry scored 12.3, below your peer median of 40.1"),
        ("39.95", None, "Welcome & entry scored 40.0, in the low band"),  # rounded half up, as the platform shows
        # Compared as shown: 54.96 and 55 both read 55.0, so "below 55.0" would contradict itself.
        ("54.96", "55", "Welcome & entry scored 55.0, in the medium band and at your peer median of 55.0"),
        ("54.94", "55", "Welcome & entry scored 54.9, below your peer median of 55.0"),
        ("55.05", "55", "Welcome & entry scored 55.1, in the medium band and above your peer median of 55.0"),
        ("0", "0", "Welcome & entry scored 0.0, in the low band and at your peer median of 0.0"),
    ],
)
def test_a_dimension_reason_gives_the_score_and_the_peer_median_to_one_decimal_place(score, median, reason):
    bands = ("low", "medium")
    (recommendation,) = recommend([rule(bands=bands)], [dim(score=score, median=median)], [], "world-city")
    assert recommendation.reasons == (reason,)


@pytest.mark.parametrize(
    ("status", "name", "reason"),
    [
        ("absent", "Budget", "Your strategic framework has no budget (absent)"),
        ("partial", "Budget", "Your strategic framework has budget only in part (partial)"),
        (None, "Budget", "Your strategic framework review leaves budget unmarked (not answered)"),
        (
            "absent",
            "Newcomer voice or consultative body",
            "Your strategic framework has no newcomer voice or consultative body (absent)",
        ),
        ("partial", "ICT plan", "Your strategic framework has ICT plan only in part (partial)"),
    ],
)
def test_a_framework_reason_names_the_element_and_its_status(status, name, reason):
    closing = rule(dimensions=(), framework=("budget",))
    (recommendation,) = recommend([closing], [], [element("budget", status, name)], "world-city")
    assert recommendation.reasons == (reason,)
    assert recommendation.framework_gaps == ("budget",)


# --- Once per rule, once per theme ---


def test_a_rule_fired_several_ways_appears_once_with_every_reason_in_its_own_order():
    broad = rule(dimensions=("welcome-entry", "integration-inclusion"), framework=("welcome-services", "advocacy"))
    fired = recommend(
        [broad],
        [dim("integration-inclusion", "20"), dim("welcome-entry", "30", median="50")],
        [
            element("advocacy", "present", "Advocacy to national government"),
            element("welcome-services", "partial", "Welcome services"),
        ],
        "mega-city",
    )
    assert len(fired) == 1
    assert fired[0].reasons == (
        "Welcome & entry scored 30.0, below your peer median of 50.0",
        "Integration & inclusion scored 20.0, in the low band",
        "Your strategic framework has welcome services only in part (partial)",
    )
    assert fired[0].dimension_keys == ("welcome-entry", "integration-inclusion")
    assert fired[0].framework_gaps == ("welcome-services",)


def test_the_same_rule_given_twice_is_recommended_once():
    assert keys(recommend([rule(), rule()], [dim()], [], "niche-hub")) == ["welcome"]


def test_two_different_rules_under_one_key_are_refused():
    with pytest.raises(ValueError, match="share the key"):
        recommend([rule(priority=1), rule(priority=2)], [dim()], [], "niche-hub")


@pytest.mark.parametrize(
    ("first", "second", "kept"),
    [
        (rule("a", priority=2), rule("b", priority=1), "b"),  # the higher priority
        (rule("a", dimensions=("talent-education",)), rule("b"), "a"),  # the larger gap below the median
        (rule("a", dimensions=(), framework=("budget",)), rule("b"), "b"),  # scores before framework-only
        (rule("a"), rule("b"), "a"),  # a full tie: the rule key
    ],
    ids=["priority", "gap", "framework-only-last", "key"],
)
def test_a_theme_appears_once_with_its_best_rule_and_only_that_rules_reasons(first, second, kept):
    scores = [dim("welcome-entry", "35", median="45"), dim("talent-education", "20", median="60")]
    fired = recommend([first, second], scores, [element("budget", "present")], "mega-city")
    assert keys(fired) == [kept]
    expected_reasons = recommend(
        [next(r for r in (first, second) if r.key == kept)], scores, [element("budget", "present")], "mega-city"
    )
    assert fired[0].reasons == expected_reasons[0].reasons


# --- In what order ---


def test_priority_comes_before_everything_else():
    urgent = rule("urgent", theme="talent", priority=1)
    minor = rule("minor", theme="openness-strategy", dimensions=("leadership-governance",), priority=3)
    scores = [dim("welcome-entry", "38", median="40"), dim("leadership-governance", "1", median="99")]
    assert keys(recommend([minor, urgent], scores, [], "mega-city")) == ["urgent", "minor"]


def test_within_a_priority_the_types_preferred_themes_come_before_a_larger_gap():
    talent = rule("talent-rule", theme="talent", dimensions=("talent-education",))
    strategy = rule("strategy-rule", theme="openness-strategy", dimensions=("leadership-governance",))
    scores = [dim("talent-education", "35", median="40"), dim("leadership-governance", "5", median="80")]
    assert keys(recommend([strategy, talent], scores, [], "niche-hub")) == ["talent-rule", "strategy-rule"]
    # For a mega-city neither theme is preferred, so the larger gap leads.
    assert keys(recommend([strategy, talent], scores, [], "mega-city")) == ["strategy-rule", "talent-rule"]


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        # The largest gap below the peer median first, then smaller ones, then gaps above the median.
        ([("a", "30", "70"), ("b", "20", "40"), ("c", "35", "30")], ["a", "b", "c"]),
        # Without peer medians: the lowest score first.
        ([("a", "30", None), ("b", "20", None), ("c", "35", None)], ["b", "a", "c"]),
        # A rule's largest gap among its triggering dimensions counts.
        ([("a", "30", "40"), ("b", "39", "40"), ("c", "10", "40")], ["c", "a", "b"]),
    ],
)
def test_within_a_priority_and_preference_the_most_urgent_scores_come_first(scores, expected):
    dimension_of = dict(zip("abc", ["welcome-entry", "talent-education", "connectivity-flows"], strict=True))
    themes = dict(zip("abc", ["participation", "entry-advocacy", "talent"], strict=True))  # none preferred
    rules = [rule(name, theme=themes[name], dimensions=(dimension_of[name],), bands=BANDS) for name in "abc"]
    inputs = [dim(dimension_of[name], score, median) for name, score, median in scores]
    assert keys(recommend(rules, inputs, [], "mega-city")) == expected


def test_framework_only_rules_follow_the_rules_fired_by_scores_and_ties_go_by_key():
    # None of these themes is among a mega-city's preferred ones.
    rules = [
        rule("z-framework", theme="investment-brand", dimensions=(), framework=("monitoring",)),
        rule("b-score", theme="participation", dimensions=("intercultural-climate",)),
        rule("a-score", theme="entry-advocacy", dimensions=("intercultural-climate",)),
        rule("y-framework", theme="openness-strategy", dimensions=(), framework=("strategy",)),
    ]
    fired = recommend(
        rules,
        [dim("intercultural-climate", "25")],
        [element("monitoring", None, "Data and published monitoring"), element("strategy", "partial", "Strategy")],
        "mega-city",
    )
    assert keys(fired) == ["a-score", "b-score", "y-framework", "z-framework"]


# One rule per theme, all of one priority and fired by the same score: only the type's preference orders them.
# Each expected list: the type's preferred themes, in its order, then the others by rule key.
TAILORING_THEMES = [
    "openness-strategy",
    "talent",
    "investment-brand",
    "international-events",
    "entry-advocacy",
    "connectivity-visitors",
    "language-learning",
    "employability-entrepreneurship",
    "quality-cost-of-living",
]


@pytest.mark.parametrize(
    ("city_type", "expected"),
    [
        pytest.param(
            "niche-hub",
            [
                "talent",
                "investment-brand",
                "connectivity-visitors",
                "international-events",
                "employability-entrepreneurship",
                "entry-advocacy",
                "language-learning",
                "openness-strategy",
                "quality-cost-of-living",
            ],
            id="niche-hub: talent and brand before events",
        ),
        pytest.param(
            "secondary-city",
            [
                "entry-advocacy",
                "connectivity-visitors",
                "investment-brand",
                "talent",
                "international-events",
                "employability-entrepreneurship",
                "language-learning",
                "openness-strategy",
                "quality-cost-of-living",
            ],
            id="secondary-city: advocacy and connectivity",
        ),
        pytest.param(
            "mega-city",
            [
                "language-learning",
                "employability-entrepreneurship",
                "connectivity-visitors",
                "entry-advocacy",
                "international-events",
                "investment-brand",
                "openness-strategy",
                "quality-cost-of-living",
                "talent",
            ],
            id="mega-city: integration at scale",
        ),
        pytest.param(
            "historic-world-city",
            [
                "investment-brand",
                "international-events",
                "connectivity-visitors",
                "talent",
                "employability-entrepreneurship",
                "entry-advocacy",
                "language-learning",
                "openness-strategy",
                "quality-cost-of-living",
            ],
            id="historic-world-city: presence and brand",
        ),
        pytest.param(
            "world-city",
            [
                "talent",
                "quality-cost-of-living",
                "connectivity-visitors",
                "employability-entrepreneurship",
                "entry-advocacy",
                "international-events",
                "investment-brand",
                "language-learning",
                "openness-strategy",
            ],
            id="world-city: retention and inclusion",
        ),
    ],
)
def test_each_city_type_gets_its_own_themes_first(city_type, expected):
    rules = [rule(theme, theme=theme, dimensions=("global-presence",)) for theme in TAILORING_THEMES]
    assert keys(recommend(rules, [dim("global-presence", "30")], [], city_type)) == expected


def test_the_preferences_cover_every_city_type_with_known_themes_each_once():
    assert sorted(TYPE_THEME_PREFERENCE) == sorted(TYPE_KEYS)
    for themes in TYPE_THEME_PREFERENCE.values():
        assert set(themes) <= set(THEME_KEYS) and len(set(themes)) == len(themes)


@pytest.mark.parametrize(("limit", "expected"), [(None, 3), (0, 0), (2, 2), (10, 3)])
def test_a_limit_keeps_the_first_recommendations(limit, expected):
    rules = [rule(theme, theme=theme) for theme in ("talent", "participation", "housing-mixing")]
    fired = recommend(rules, [dim()], [], "world-city", limit=limit)
    assert len(fired) == expected
    assert fired == recommend(rules, [dim()], [], "world-city")[:expected]


# --- Framework gaps and the recommendations that close them ---


def test_framework_gaps_list_each_element_not_present_in_checklist_order_with_the_rules_closing_it():
    framework = [
        element("strategy", "present", "Adopted openness or international strategy with goals"),
        element("budget", "absent", "Budget"),
        element("monitoring", None, "Data and published monitoring"),
        element("advocacy", "partial", "Advocacy to national government"),
    ]
    rules = [
        rule("fund-it", theme="openness-strategy", dimensions=(), framework=("budget", "strategy")),
        rule("count-it", theme="newcomer-unit", dimensions=(), framework=("monitoring", "budget")),
    ]
    chosen = recommend(rules, [], framework, "secondary-city")
    assert framework_gaps(framework, chosen) == [
        FrameworkGap("budget", "Budget", "absent", closed_by=("count-it", "fund-it")),
        FrameworkGap("monitoring", "Data and published monitoring", "not answered", closed_by=("count-it",)),
        FrameworkGap("advocacy", "Advocacy to national government", "partial", closed_by=()),
    ]


def test_a_gap_the_themes_best_rules_leave_open_brings_in_the_first_rule_that_closes_it():
    framework = [element("budget", "absent", "Budget"), element("advocacy", "partial", "Advocacy")]
    best = rule("best", theme="talent", dimensions=("talent-education",), priority=1)
    closer = rule("closer", theme="talent", dimensions=(), framework=("budget",), priority=3)
    later = rule("later", theme="talent", dimensions=(), framework=("budget",), priority=3)
    chosen = recommend([later, best, closer], [dim("talent-education", "10")], framework, "world-city")
    assert keys(chosen) == ["best", "closer"]  # the theme twice, because "best" does nothing for the budget
    assert framework_gaps(framework, chosen) == [
        FrameworkGap("budget", "Budget", "absent", closed_by=("closer",)),
        FrameworkGap("advocacy", "Advocacy", "partial", closed_by=()),  # no rule closes it at all
    ]


def test_no_rule_is_added_for_a_gap_a_chosen_rule_already_closes():
    framework = [element("budget", "absent", "Budget")]
    best = rule("best", theme="talent", dimensions=(), framework=("budget",), priority=1)
    other = rule("other", theme="talent", dimensions=(), framework=("budget",), priority=2)
    assert keys(recommend([best, other], [], framework, "world-city")) == ["best"]


# --- Inputs that make no sense are refused ---


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: DimensionInput("welcome-entry", "Welcome & entry", Decimal(30), "terrible"), "unknown band"),
        (lambda: DimensionInput("welcome-entry", "Welcome & entry", None, "low"), "a band needs a score"),
        (lambda: DimensionInput("welcome-entry", "Welcome & entry", Decimal(130), "high"), "from 0 to 100"),
        (lambda: DimensionInput("welcome-entry", "Welcome & entry", Decimal("NaN"), "low"), "from 0 to 100"),
        (lambda: DimensionInput("welcome-entry", "W", Decimal(30), "low", Decimal(-1)), "peer median"),
        (lambda: FrameworkInput("budget", "Budget", "maybe"), "unknown status"),
        (lambda: rule(bands=("lowish",)), "unknown bands"),
        (lambda: rule(types=("village",)), "unknown city types"),
        (lambda: rule(priority=4), "priority"),
        (lambda: recommend([rule()], [dim()], [], "village"), "unknown city type"),
        (lambda: recommend([rule()], [dim(), dim()], [], "mega-city"), "given twice"),
        (lambda: recommend([rule()], [dim()], [element(), element()], "mega-city"), "given twice"),
        (lambda: recommend([rule()], [dim()], [], "mega-city", limit=-1), "limit"),
    ],
)
def test_inputs_outside_the_method_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# --- Properties ---

scores = st.decimals(min_value=0, max_value=100, places=1)
random_rules = st.lists(
    st.builds(
        lambda key, theme, dimensions, bands, framework, types, priority: rule(
            key, theme, tuple(dimensions), tuple(bands), tuple(framework), tuple(types), priority
        ),
        st.sampled_from([f"rule-{number}" for number in range(40)]),
        st.sampled_from(THEME_KEYS),
        st.lists(st.sampled_from(DIMENSION_KEYS), max_size=3, unique=True),
        st.lists(st.sampled_from(BANDS), min_size=1, max_size=3, unique=True),
        st.lists(st.sampled_from(FRAMEWORK_ELEMENTS), max_size=3, unique=True),
        st.lists(st.sampled_from(TYPE_KEYS), max_size=3, unique=True),
        st.sampled_from([1, 2, 3]),
    ),
    max_size=25,
    unique_by=lambda generated: generated.key,
)


@st.composite
def city_inputs(draw):
    dimensions = []
    for key in DIMENSION_KEYS:
        score = draw(st.one_of(st.none(), scores))
        median = draw(st.one_of(st.none(), scores)) if score is not None else None
        dimensions.append(dim(key, None if score is None else str(score), None if median is None else str(median)))
    statuses = st.sampled_from(["present", "partial", "absent", None])
    framework = [element(key, draw(statuses), key.replace("-", " ").capitalize()) for key in FRAMEWORK_ELEMENTS]
    return dimensions, framework, draw(st.sampled_from(TYPE_KEYS))


@given(random_rules, city_inputs())
def test_every_recommendation_says_why_with_one_reason_per_trigger(rules, inputs):
    for recommendation in recommend(rules, *inputs):
        assert recommendation.reasons
        assert len(recommendation.reasons) == len(recommendation.dimension_keys) + len(recommendation.framework_gaps)


@given(random_rules, city_inputs())
def test_a_theme_comes_twice_only_to_close_a_gap_and_priorities_never_go_backwards(rules, inputs):
    chosen = recommend(rules, *inputs)
    first_of_theme: dict[str, object] = {}
    for recommendation in chosen:
        first_of_theme.setdefault(recommendation.rule.theme_key, recommendation)
    for recommendation in chosen:
        if first_of_theme[recommendation.rule.theme_key] is not recommendation:
            others = {key for other in chosen if other is not recommendation for key in other.framework_gaps}
            assert set(recommendation.framework_gaps) - others  # it closes a gap no other recommendation does
    priorities = [recommendation.rule.priority for recommendation in chosen]
    assert priorities == sorted(priorities)


@given(random_rules, city_inputs())
def test_every_gap_some_rule_for_the_type_closes_is_closed_by_a_chosen_recommendation(rules, inputs):
    dimensions, framework, city_type = inputs
    chosen = recommend(rules, dimensions, framework, city_type)
    for gap in framework_gaps(framework, chosen):
        closable = any(gap.key in candidate.framework_elements and candidate.suits(city_type) for candidate in rules)
        assert bool(gap.closed_by) == closable


@given(random_rules, city_inputs(), st.randoms())
def test_the_order_does_not_depend_on_the_order_the_rules_come_in(rules, inputs, random):
    shuffled = list(rules)
    random.shuffle(shuffled)
    assert recommend(shuffled, *inputs) == recommend(rules, *inputs)


@given(random_rules, city_inputs())
def test_a_rule_limited_to_other_city_types_never_appears(rules, inputs):
    city_type = inputs[2]
    for recommendation in recommend(rules, *inputs):
        assert not recommendation.rule.city_types or city_type in recommendation.rule.city_types


@given(random_rules, city_inputs())
def test_every_gap_a_chosen_rule_closes_is_listed_with_that_rule(rules, inputs):
    dimensions, framework, city_type = inputs
    chosen = recommend(rules, dimensions, framework, city_type)
    gaps = {gap.key: gap for gap in framework_gaps(framework, chosen)}
    for recommendation in chosen:
        for key in recommendation.framework_gaps:
            assert recommendation.rule.key in gaps[key].closed_by


def test_a_dimension_reason_writes_its_scores_the_way_of_the_readers_language():
    with translation.override("fr"):
        (recommendation,) = recommend([rule(bands=("low",))], [dim(score="32.25", median="55")], [], "world-city")
    (reason,) = recommendation.reasons
    assert "32,3" in reason and "55,0" in reason and "32.3" not in reason


def test_a_german_reason_keeps_the_capital_of_the_element_a_german_noun_always_has():
    from django.utils import translation

    closing = rule(dimensions=(), framework=("budget",))
    with translation.override("de"):
        (recommendation,) = recommend([closing], [], [element("budget", "absent", "Budget")], "world-city")
    assert "Budget" in recommendation.reasons[0]
    (english,) = recommend([closing], [], [element("budget", "absent", "Budget")], "world-city")
    assert english.reasons == ("Your strategic framework has no budget (absent)",)
