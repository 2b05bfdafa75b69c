"""Peer comparison as docs/method.md states it: percentiles, rank, privacy rules, strengths and weaknesses."""

import statistics
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from assessments.calibration import PeerGroupRules
from assessments.comparison import (
    ABSOLUTE_BANDS,
    INDEX_KEY,
    PEER_MEDIAN,
    DimensionComparison,
    GroupStatistics,
    Highlight,
    compare,
    gap_in_words,
    percentile,
    strengths_and_weaknesses,
)
from assessments.tests.calibration_helpers import DEFAULT_CALIBRATION

D = Decimal
RULES = DEFAULT_CALIBRATION.peer_groups
BANDS = DEFAULT_CALIBRATION.bands


def decimals(*values: str | int) -> list[Decimal]:
    return [D(value) for value in values]


# The page, the CSV, the profile and the report all read statistics and ranks through compare(); so do these tests.
EVERY_GROUP = PeerGroupRules(min_for_aggregates=1, min_for_extremes=1, hand_picked_max=50, year_window=2)


def group_statistics(values, rules) -> GroupStatistics:
    """One dimension's statistics over the peers' scores, as compare() gives them."""
    return compare({}, [{"x": value} for value in values], {"x": "x"}, rules)[0].stats


def percentile_rank(value, values) -> Decimal | None:
    """The subject's rank among the peers on one dimension, with no minimum group size."""
    return compare({"x": value}, [{"x": peer} for peer in values], {"x": "x"}, EVERY_GROUP)[0].rank


def test_the_literal_examples_use_the_default_rules_and_bands():
    assert (RULES.min_for_aggregates, RULES.min_for_extremes) == (5, 10)
    assert (BANDS.low_below, BANDS.high_from) == (D(40), D(70))


# --- percentile ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        # [40, 50, 50, 60, 90]: position = fraction × 4.
        (decimals(40, 50, 50, 60, 90), "0.5", "50"),  # position 2.0 → 50
        (decimals(40, 50, 50, 60, 90), "0.25", "50"),  # position 1.0 → 50 (the tie)
        (decimals(40, 50, 50, 60, 90), "0.75", "60"),  # position 3.0 → 60
        (decimals(90, 40, 60, 50, 50), "0.75", "60"),  # the input order does not matter
        # [1, 2, 3, 4]: position = fraction × 3.
        (decimals(1, 2, 3, 4), "0.25", "1.75"),  # position 0.75 → 1 + 0.75 × (2 − 1)
        (decimals(1, 2, 3, 4), "0.5", "2.5"),  # position 1.5 → 2 + 0.5 × (3 − 2)
        (decimals(1, 2, 3, 4), "0.75", "3.25"),  # position 2.25 → 3 + 0.25 × (4 − 3)
        (decimals(1, 2, 3, 4), "0", "1"),  # the minimum
        (decimals(1, 2, 3, 4), "1", "4"),  # the maximum
        (decimals(10, 20), "0.9", "19"),  # position 0.9 → 10 + 0.9 × 10
        (decimals("0.1", "0.2"), "0.3", "0.13"),  # 0.1 + 0.3 × 0.1, no float on the way
        (decimals("72.5"), "0.25", "72.5"),  # one value is every percentile
    ],
)
def test_percentile_interpolates_between_closest_ranks(values, fraction, expected):
    assert percentile(values, D(fraction)) == D(expected)


def test_percentile_is_exact_beyond_the_default_precision():
    # 1.0000000000000000000000000001 has 29 digits; halving it in a 28-digit context would drop the last one.
    top = D("1.0000000000000000000000000001")
    assert percentile([D(0), top], D("0.5")) == D("0.50000000000000000000000000005")


@pytest.mark.parametrize(
    ("values", "fraction"),
    [
        ([], "0.5"),
        (decimals(1, 2), "-0.1"),
        (decimals(1, 2), "1.1"),
        ([D(1), D("NaN")], "0.5"),
        ([D(1), D("Infinity")], "0.5"),
    ],
)
def test_percentile_refuses_empty_lists_fractions_outside_0_to_1_and_non_finite_values(values, fraction):
    with pytest.raises(ValueError):
        percentile(values, D(fraction))


scores = st.decimals(min_value=0, max_value=100, places=2)


@given(st.lists(scores, min_size=2, max_size=30), st.sampled_from([2, 4, 10, 100]))
def test_percentile_matches_statistics_quantiles_inclusive(values, parts):
    # i/parts is exact in decimal for these parts, so the two computations must agree to the last digit.
    expected = statistics.quantiles(values, n=parts, method="inclusive")
    assert [percentile(values, D(i) / D(parts)) for i in range(1, parts)] == expected


@given(st.lists(scores, min_size=1, max_size=30), st.decimals(min_value=0, max_value=1, places=3))
def test_percentile_lies_between_the_minimum_and_the_maximum(values, fraction):
    assert min(values) <= percentile(values, fraction) <= max(values)


# --- percentile rank ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "values", "expected"),
    [
        (D(50), decimals(40, 50, 50, 60, 90), D(40)),  # (1 below + ½ × 2 equal) ÷ 5 × 100 = 2/5 × 100
        (D(60), decimals(40, 50, 50, 90), D(75)),  # (3 + ½ × 0) ÷ 4 × 100; the subject is not in the group
        (D(50), decimals(50, 50, 50), D(50)),  # (0 + ½ × 3) ÷ 3 × 100
        (D(100), decimals(40, 50), D(100)),  # (2 + 0) ÷ 2 × 100
        (D(10), decimals(40, 50), D(0)),  # nobody below
        (D(45), decimals(40, 50, 60), D(100) / D(3)),  # (1 + 0) ÷ 3 × 100 = 33.33…
    ],
)
def test_percentile_rank_counts_ties_half(value, values, expected):
    assert percentile_rank(value, values) == expected


def test_there_is_no_percentile_rank_without_a_group():
    assert percentile_rank(D(50), []) is None


@given(scores, st.lists(scores, min_size=1, max_size=30))
def test_percentile_rank_is_between_0_and_100(value, values):
    assert 0 <= percentile_rank(value, values) <= 100


@given(scores, st.lists(scores, min_size=1, max_size=30), st.data())
def test_a_peer_above_the_subject_never_raises_its_rank(value, values, data):
    above = data.draw(st.decimals(min_value=value + D("0.01"), max_value=200, places=2))
    assert percentile_rank(value, [*values, above]) <= percentile_rank(value, values)


# --- group statistics and the privacy rules -----------------------------------------------------------------------


def test_a_group_of_four_is_too_few_for_any_aggregate():
    assert group_statistics(decimals(1, 2, 3, 4), RULES) == GroupStatistics(4, None, None, None, None, None)
    assert group_statistics(decimals(1, 2, 3, 4), RULES).too_few


def test_a_group_of_five_shows_quartiles_but_no_extremes():
    # [40, 50, 50, 60, 90]: median at position 2, p25 at 1, p75 at 3.
    stats = group_statistics(decimals(40, 50, 50, 60, 90), RULES)
    assert stats == GroupStatistics(n=5, median=D(50), p25=D(50), p75=D(60), minimum=None, maximum=None)
    assert not stats.too_few


def test_a_group_of_nine_still_hides_min_and_max():
    # Positions on 8: median 4 → 50, p25 2 → 30, p75 6 → 70.
    stats = group_statistics(decimals(10, 20, 30, 40, 50, 60, 70, 80, 90), RULES)
    assert stats == GroupStatistics(n=9, median=D(50), p25=D(30), p75=D(70), minimum=None, maximum=None)


def test_a_group_of_ten_shows_min_and_max():
    # Positions on 9: median 4.5 → 35 + 0.5 × 15 = 42.5; p25 2.25 → 20 + 0.25 × 0 = 20 (a tie);
    # p75 6.75 → 60 + 0.75 × 15 = 71.25.
    stats = group_statistics(decimals(5, 10, 20, 20, 35, 50, 60, 75, 80, 95), RULES)
    assert stats == GroupStatistics(n=10, median=D("42.5"), p25=D(20), p75=D("71.25"), minimum=D(5), maximum=D(95))


def test_cities_without_a_score_are_left_out_of_the_group():
    # Six peers, one not scored: n = 5, as [40, 50, 50, 60, 90].
    stats = group_statistics([D(90), None, D(50), D(40), D(60), D(50)], RULES)
    assert stats == GroupStatistics(n=5, median=D(50), p25=D(50), p75=D(60), minimum=None, maximum=None)
    assert group_statistics([None, None], RULES) == GroupStatistics(0, None, None, None, None, None)


def test_extremes_never_show_without_aggregates_even_if_the_rules_allow_them_earlier():
    rules = PeerGroupRules(min_for_aggregates=5, min_for_extremes=3, hand_picked_max=50, year_window=2)
    assert group_statistics(decimals(1, 2, 3, 4), rules).too_few
    assert group_statistics(decimals(1, 2, 3, 4, 5), rules).minimum == D(1)


def test_an_empty_group_is_too_few_whatever_the_rules():
    rules = PeerGroupRules(min_for_aggregates=1, min_for_extremes=1, hand_picked_max=50, year_window=2)
    assert group_statistics([], rules).too_few


@given(st.lists(st.one_of(st.none(), scores), max_size=25))
def test_group_statistics_follow_the_privacy_rules(values):
    stats = group_statistics(values, RULES)
    assert stats.n == sum(1 for value in values if value is not None)
    if stats.n < 5:
        assert stats.too_few
        assert (stats.median, stats.p25, stats.p75, stats.minimum, stats.maximum) == (None,) * 5
        return
    assert stats.p25 <= stats.median <= stats.p75
    if stats.n < 10:
        assert (stats.minimum, stats.maximum) == (None, None)
    else:
        assert stats.minimum <= stats.p25
        assert stats.p75 <= stats.maximum


# --- compare ------------------------------------------------------------------------------------------------------

NAMES = {
    "welcome-entry": "Welcome & entry",
    "global-presence": "Global presence",
    "talent-education": "Talent & education",
    INDEX_KEY: "Openness index",
}
SUBJECT = {"welcome-entry": D(50), "global-presence": None, "talent-education": D(70), INDEX_KEY: D(62)}
# One mapping per peer city; read down a column for one dimension's group.
PEERS = [
    {"welcome-entry": D(40), "global-presence": D(20), "talent-education": None, INDEX_KEY: D(55)},
    {"welcome-entry": D(50), "global-presence": D(40), "talent-education": None, INDEX_KEY: D(60)},
    {"welcome-entry": D(50), "global-presence": D(60), "talent-education": D(20), INDEX_KEY: D(65)},
    {"welcome-entry": D(60), "global-presence": D(80), "talent-education": D(40), INDEX_KEY: D(70)},
    {"welcome-entry": D(90), "global-presence": D(100), "talent-education": D(60), INDEX_KEY: D(75)},
    {"welcome-entry": None, "global-presence": D(30), INDEX_KEY: D(80)},  # talent-education absent: not scored
]


def test_compare_gives_one_row_per_dimension_and_one_for_the_index_in_order():
    comparisons = compare(SUBJECT, PEERS, NAMES, RULES)
    assert [(row.key, row.name) for row in comparisons] == list(NAMES.items())


def test_compare_a_dimension_with_ties_and_an_unscored_peer():
    welcome = compare(SUBJECT, PEERS, NAMES, RULES)[0]
    # Peers [40, 50, 50, 60, 90] (one not scored); rank of 50 = (1 + ½ × 2) ÷ 5 × 100 = 40; gap 50 − 50 = 0.
    assert welcome == DimensionComparison(
        key="welcome-entry",
        name="Welcome & entry",
        score=D(50),
        stats=GroupStatistics(n=5, median=D(50), p25=D(50), p75=D(60), minimum=None, maximum=None),
        rank=D(40),
        gap=D(0),
    )


def test_compare_a_dimension_the_subject_did_not_score_still_shows_the_group():
    presence = compare(SUBJECT, PEERS, NAMES, RULES)[1]
    # Peers [20, 30, 40, 60, 80, 100]: median position 2.5 → 40 + 0.5 × 20 = 50;
    # p25 position 1.25 → 30 + 0.25 × 10 = 32.5; p75 position 3.75 → 60 + 0.75 × 20 = 75.
    assert presence.stats == GroupStatistics(n=6, median=D(50), p25=D("32.5"), p75=D(75), minimum=None, maximum=None)
    assert (presence.score, presence.rank, presence.gap) == (None, None, None)


def test_compare_a_dimension_with_too_few_peers_shows_no_rank_and_no_gap():
    talent = compare(SUBJECT, PEERS, NAMES, RULES)[2]
    # Only three peers scored it, [20, 40, 60]: two gave None and one has no such key.
    assert talent.stats == GroupStatistics(3, None, None, None, None, None)
    assert talent.stats.too_few
    assert (talent.score, talent.rank, talent.gap) == (D(70), None, None)


def test_compare_the_openness_index():
    index = compare(SUBJECT, PEERS, NAMES, RULES)[3]
    # Peers [55, 60, 65, 70, 75, 80]: median position 2.5 → 67.5; p25 1.25 → 61.25; p75 3.75 → 73.75;
    # rank of 62 = (2 + 0) ÷ 6 × 100 = 33.33…; gap 62 − 67.5 = −5.5.
    assert index.key == INDEX_KEY
    assert index.stats == GroupStatistics(
        n=6, median=D("67.5"), p25=D("61.25"), p75=D("73.75"), minimum=None, maximum=None
    )
    assert index.rank == D(200) / D(6)
    assert index.gap == D("-5.5")


def test_compare_with_no_peers_shows_no_aggregates():
    for row in compare(SUBJECT, [], NAMES, RULES):
        assert row.stats == GroupStatistics(0, None, None, None, None, None)
        assert (row.rank, row.gap) == (None, None)


# --- strengths and weaknesses -------------------------------------------------------------------------------------


def row(key: str, score: str | None, median: str | None = None) -> DimensionComparison:
    """A comparison as compare() would give it; without a median the group is too small."""
    if median is None:
        stats = GroupStatistics(3, None, None, None, None, None)
    else:
        stats = GroupStatistics(5, D(median), D(median), D(median), None, None)
    value = None if score is None else D(score)
    gap = None if value is None or median is None else value - D(median)
    return DimensionComparison(key, key.upper(), value, stats, D(50) if gap is not None else None, gap)


# Gaps to the median of 50: a +10, b +20, c −5, d +10, e −15, f +3, g −5, h −1, i 0, j not scored; index +30.
PEER_ROWS = [
    row("a", "60", "50"),
    row("b", "70", "50"),
    row("c", "45", "50"),
    row("d", "60", "50"),
    row("e", "35", "50"),
    row("f", "53", "50"),
    row("g", "45", "50"),
    row("h", "49", "50"),
    row("i", "50", "50"),
    row("j", None, "50"),
    row(INDEX_KEY, "80", "50"),
]


def keys(highlights) -> list[str]:
    return [highlight.comparison.key for highlight in highlights]


def test_strengths_and_weaknesses_are_the_largest_gaps_to_the_peer_median():
    strengths, weaknesses = strengths_and_weaknesses(PEER_ROWS, BANDS)
    # b +20 first; a and d tie at +10 and keep the dimension order; f +3 is fourth, past the limit.
    assert keys(strengths) == ["b", "a", "d"]
    # e −15 first; c and g tie at −5 and keep the dimension order; h −1 is past the limit.
    assert keys(weaknesses) == ["e", "c", "g"]
    assert strengths.basis == weaknesses.basis == PEER_MEDIAN
    assert {highlight.basis for highlight in [*strengths, *weaknesses]} == {PEER_MEDIAN}


@pytest.mark.parametrize(
    ("limit", "expected_strengths", "expected_weaknesses"),
    [
        (0, [], []),
        (1, ["b"], ["e"]),
        (3, ["b", "a", "d"], ["e", "c", "g"]),
        # Everything above or below: a zero gap (i), no score (j) and the index are never listed.
        (10, ["b", "a", "d", "f"], ["e", "c", "g", "h"]),
    ],
)
def test_the_limit_and_what_is_never_listed(limit, expected_strengths, expected_weaknesses):
    strengths, weaknesses = strengths_and_weaknesses(PEER_ROWS, BANDS, limit=limit)
    assert (keys(strengths), keys(weaknesses)) == (expected_strengths, expected_weaknesses)
    assert len(strengths) == len(expected_strengths)


def test_the_index_is_never_a_strength_even_when_it_is_furthest_above():
    strengths, weaknesses = strengths_and_weaknesses([row(INDEX_KEY, "90", "50"), row("a", "51", "50")], BANDS)
    assert (keys(strengths), keys(weaknesses)) == (["a"], [])


def test_a_negative_limit_is_refused():
    with pytest.raises(ValueError):
        strengths_and_weaknesses(PEER_ROWS, BANDS, limit=-1)


# No group (too few cities): scores only. Bands: low < 40 ≤ medium < 70 ≤ high.
BAND_ROWS = [
    row("a", "78"),  # high
    row("b", "40"),  # medium: 40 is the low band's edge
    row("c", "39.9"),  # low
    row("d", "70"),  # high: 70 is where the high band starts
    row("e", "95"),  # high
    row("f", "10"),  # low
    row("g", "70"),  # high, tied with d
    row("h", None),  # not scored
    row(INDEX_KEY, "99"),  # high, but the index is never listed
]


def test_without_a_group_strengths_and_weaknesses_fall_back_to_absolute_bands():
    strengths, weaknesses = strengths_and_weaknesses(BAND_ROWS, BANDS)
    # High band, highest first: e 95, a 78, then d and g tie at 70 and d comes first in dimension order.
    assert keys(strengths) == ["e", "a", "d"]
    # Low band, lowest first: f 10, c 39.9; b at 40 is medium.
    assert keys(weaknesses) == ["f", "c"]
    assert strengths.basis == weaknesses.basis == ABSOLUTE_BANDS
    assert [highlight.band for highlight in strengths] == ["high", "high", "high"]
    assert [highlight.basis for highlight in weaknesses] == [ABSOLUTE_BANDS, ABSOLUTE_BANDS]


def test_the_basis_is_known_even_when_nothing_stands_out():
    strengths, weaknesses = strengths_and_weaknesses([row("a", "50"), row("b", "60")], BANDS)
    assert (len(strengths), len(weaknesses)) == (0, 0)
    assert strengths.basis == weaknesses.basis == ABSOLUTE_BANDS


# --- gap in words -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "median", "words"),
    [
        ("67.5", "55", "12.5 points above the peer median of 55.0"),
        ("58", "61", "3.0 points below the peer median of 61.0"),
        ("50", "50", "level with the peer median of 50.0"),
        # Rounded half up for display only: 0.05 → 0.1, −0.05 → −0.1, 0.04 → 0.0, which reads as level.
        ("50.05", "50", "0.1 points above the peer median of 50.0"),
        ("49.95", "50", "0.1 points below the peer median of 50.0"),
        ("50.04", "50", "level with the peer median of 50.0"),
        ("49.96", "50", "level with the peer median of 50.0"),
        # 60 − 42.25 = 17.75 → 17.8; the median 42.25 → 42.3.
        ("60", "42.25", "17.8 points above the peer median of 42.3"),
    ],
)
def test_gap_in_words(score, median, words):
    assert gap_in_words(row("a", score, median)) == words


def test_gap_in_words_without_a_score_or_a_group():
    assert gap_in_words(row("a", None, "50")) == "not scored"
    assert gap_in_words(row("a", "50")) == "too few cities to compare"


def test_gap_in_words_for_highlights_on_either_basis():
    strengths, weaknesses = strengths_and_weaknesses([row("a", "78"), row("b", "12.45")], BANDS)
    assert [gap_in_words(highlight) for highlight in [*strengths, *weaknesses]] == [
        "in the high band (score 78.0)",
        "in the low band (score 12.5)",  # 12.45 rounds half up to 12.5
    ]
    (strength,), _ = strengths_and_weaknesses([row("a", "67.5", "55")], BANDS)
    assert isinstance(strength, Highlight)
    assert gap_in_words(strength) == "12.5 points above the peer median of 55.0"


def test_the_gap_in_words_writes_its_numbers_the_way_of_the_readers_language():
    with translation.override("fr"):
        words = gap_in_words(row("a", "67.5", "55"))
        (strength,), _ = strengths_and_weaknesses([row("a", "78")], BANDS)
        band_words = gap_in_words(strength)
    assert "12,5" in words and "55,0" in words and "." not in words
    assert "78,0" in band_words
