"""Peer comparison: a group's median, quartiles and extremes, a city's percentile rank, strengths and weaknesses.

Pure functions over plain scores; the compare page, its CSV export and the PDF report all take their numbers here.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, localcontext
from typing import Literal

from django.utils.translation import gettext as _

from opencities.vocabulary import BAND_HIGH, BAND_LOW, BAND_WORDS

from .calibration import Bands, PeerGroupRules
from .numbers import figure
from .scoring import BandName, band, round_half_up

Basis = Literal["peer median", "absolute bands"]

INDEX_KEY = "index"
PEER_MEDIAN: Basis = "peer median"
ABSOLUTE_BANDS: Basis = "absolute bands"

ZERO = Decimal(0)
HUNDRED = Decimal(100)
P25 = Decimal("0.25")
MEDIAN = Decimal("0.5")
P75 = Decimal("0.75")


def scores_with_index(dimension_scores: Iterable[tuple[str, Decimal | str | None]], index) -> dict[str, Decimal | None]:
    """A city's scores as a comparison takes them: each dimension by key, and the index under INDEX_KEY beside them.

    Scores may come as Decimals or as their decimal strings (a result's stored copy, a cached peer row).
    """
    scores = {key: None if score is None else Decimal(score) for key, score in dimension_scores}
    scores[INDEX_KEY] = None if index is None else Decimal(index)
    return scores


def _exact() -> AbstractContextManager[Context]:
    # Unbounded precision, so interpolating and subtracting never round: the page, the CSV and PostgreSQL agree.
    return localcontext(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


def _checked(values: Sequence[Decimal], what: str) -> list[Decimal]:
    if not values:
        raise ValueError(f"{what} needs at least one value")
    values = list(values)
    # One C-level pass for the usual case (groups run to a thousand values for each of ten rows);
    # the slow loop only runs to name the bad value.
    try:
        if all(map(Decimal.is_finite, values)):
            return values
    except TypeError:
        pass
    for value in values:
        if not isinstance(value, Decimal) or not value.is_finite():
            raise ValueError(f"{what} needs finite Decimals, got {value!r}")
    return values


def percentile(values: Sequence[Decimal], fraction: Decimal) -> Decimal:
    """The value at `fraction` (0–1) of the sorted values, interpolating linearly between closest ranks.

    The same as PostgreSQL's `percentile_cont` and `statistics.quantiles(method="inclusive")`.
    """
    return _percentile_of_sorted(sorted(_checked(values, "a percentile")), fraction)


def _percentile_of_sorted(ordered: list[Decimal], fraction: Decimal) -> Decimal:
    if not ZERO <= fraction <= 1:
        raise ValueError(f"a percentile's fraction must be between 0 and 1, got {fraction}")
    with _exact():
        position = fraction * (len(ordered) - 1)
        index = int(position)
        if position == index:
            return ordered[index]
        lower = ordered[index]
        return lower + (ordered[index + 1] - lower) * (position - index)


def _rank_in_sorted(value: Decimal, ordered: list[Decimal]) -> Decimal:
    below = bisect_left(ordered, value)
    equal = bisect_right(ordered, value) - below
    # Doubled so that the half stays whole until the one division.
    return Decimal(2 * below + equal) * HUNDRED / Decimal(2 * len(ordered))


@dataclass(frozen=True)
class GroupStatistics:
    """A peer group's n and aggregates; None where the group is too small to show them without revealing a city."""

    n: int
    median: Decimal | None
    p25: Decimal | None
    p75: Decimal | None
    minimum: Decimal | None
    maximum: Decimal | None

    @property
    def too_few(self) -> bool:
        """Whether the group is too small for any aggregate ("too few cities to compare")."""
        return self.median is None


def _statistics_of_sorted(ordered: list[Decimal], rules: PeerGroupRules) -> GroupStatistics:
    # One sort serves every statistic: groups run to a thousand cities for each of ten rows.
    n = len(ordered)
    if n == 0 or n < rules.min_for_aggregates:
        return GroupStatistics(n, None, None, None, None, None)
    # Extremes are one city's own score, so they wait for the larger group even if the rules say otherwise.
    extremes = n >= rules.min_for_extremes
    return GroupStatistics(
        n=n,
        median=_percentile_of_sorted(ordered, MEDIAN),
        p25=_percentile_of_sorted(ordered, P25),
        p75=_percentile_of_sorted(ordered, P75),
        minimum=ordered[0] if extremes else None,
        maximum=ordered[-1] if extremes else None,
    )


def figure_statistics(values: Iterable[Decimal | None], rules: PeerGroupRules) -> GroupStatistics:
    """The group's aggregates of one figure (a population, a share, a tier's rank), under the same minimum n."""
    given = [value for value in values if value is not None]
    return _statistics_of_sorted(sorted(_checked(given, "a figure")) if given else [], rules)


@dataclass(frozen=True)
class DimensionComparison:
    """One dimension (or the index) of the subject city against its peer group; gap is score − median."""

    key: str
    name: str
    score: Decimal | None
    stats: GroupStatistics
    rank: Decimal | None
    gap: Decimal | None


def compare(
    subject_scores: Mapping[str, Decimal | None],
    peer_scores: Sequence[Mapping[str, Decimal | None]],
    names: Mapping[str, str],
    rules: PeerGroupRules,
) -> list[DimensionComparison]:
    """One comparison per key of `names`, in its order (dimensions, then "index"); a missing score is not scored."""
    comparisons = []
    for key, name in names.items():
        score = subject_scores.get(key)
        scored = [value for value in (scores.get(key) for scores in peer_scores) if value is not None]
        ordered = sorted(_checked(scored, "group statistics")) if scored else []
        stats = _statistics_of_sorted(ordered, rules)
        rank = gap = None
        # A rank against a group too small for aggregates would reveal as much as the aggregates would.
        if score is not None and not stats.too_few:
            rank = _rank_in_sorted(score, ordered)
            with _exact():
                gap = score - stats.median
        comparisons.append(DimensionComparison(key, name, score, stats, rank, gap))
    return comparisons


@dataclass(frozen=True)
class Highlight:
    """A strength or weakness: the dimension's comparison, what it was judged against, and its score's band."""

    comparison: DimensionComparison
    basis: Basis
    band: BandName


@dataclass(frozen=True)
class Highlights:
    """The strengths (or weaknesses), best first, with the basis they were chosen on even when there are none."""

    basis: Basis
    items: tuple[Highlight, ...]

    def __iter__(self) -> Iterator[Highlight]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def strengths_and_weaknesses(
    comparisons: Sequence[DimensionComparison], bands: Bands, limit: int = 3
) -> tuple[Highlights, Highlights]:
    """Up to `limit` dimensions most above and most below the peer median; by absolute bands when there is no group."""
    if limit < 0:
        raise ValueError(f"the limit must not be negative, got {limit}")
    dimensions = [comparison for comparison in comparisons if comparison.key != INDEX_KEY]
    # One basis for both lists: a page mixing peer gaps and absolute bands would compare unlike things.
    if any(comparison.gap is not None for comparison in dimensions):
        basis = PEER_MEDIAN
        above = [comparison for comparison in dimensions if comparison.gap is not None and comparison.gap > 0]
        below = [comparison for comparison in dimensions if comparison.gap is not None and comparison.gap < 0]
        # sorted() is stable, so equal gaps keep the dimension order.
        strengths = sorted(above, key=lambda comparison: -comparison.gap)
        weaknesses = sorted(below, key=lambda comparison: comparison.gap)
    else:
        basis = ABSOLUTE_BANDS
        scored = [comparison for comparison in dimensions if comparison.score is not None]
        strengths = sorted(
            (comparison for comparison in scored if band(comparison.score, bands) == BAND_HIGH),
            key=lambda comparison: -comparison.score,
        )
        weaknesses = sorted(
            (comparison for comparison in scored if band(comparison.score, bands) == BAND_LOW),
            key=lambda comparison: comparison.score,
        )

    def highlights(chosen: list[DimensionComparison]) -> Highlights:
        items = tuple(Highlight(comparison, basis, band(comparison.score, bands)) for comparison in chosen[:limit])
        return Highlights(basis, items)

    return highlights(strengths), highlights(weaknesses)


def _shown(value: Decimal) -> str:
    return figure(value, places=1)  # rounded half up, in the language's way (49,5 in French)


def gap_in_words(item: DimensionComparison | Highlight) -> str:
    """The gap to the peer median in words, or for a highlight on absolute bands, the score's band."""
    if isinstance(item, Highlight):
        if item.basis == ABSOLUTE_BANDS:
            return _("in the %(band)s band (score %(score)s)") % {
                "band": BAND_WORDS.get(item.band, item.band),
                "score": _shown(item.comparison.score),
            }
        item = item.comparison
    if item.score is None:
        return _("not scored")
    if item.gap is None or item.stats.median is None:
        return _("too few cities to compare")
    median = _shown(item.stats.median)
    # Judged on the rounded gap, so the words never say "0.0 points above".
    shown_gap = round_half_up(item.gap, 1)
    if shown_gap > 0:
        return _("%(gap)s points above the peer median of %(median)s") % {"gap": _shown(shown_gap), "median": median}
    if shown_gap < 0:
        return _("%(gap)s points below the peer median of %(median)s") % {"gap": _shown(-shown_gap), "median": median}
    return _("level with the peer median of %(median)s") % {"median": median}
