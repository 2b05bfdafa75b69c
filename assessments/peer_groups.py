"""Peer groups: which other cities an assessment is compared with, and the one rule of membership.

Each other city counts once, with its latest submitted assessment (by year, then submission time)
on the same major questionnaire version, from the subject's year − 2 to its year. The group's
conditions apply to that latest assessment, never to an older one.
"""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.db.models import F, OuterRef, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from opencities import caching
from opencities.vocabulary import city_type_name

from .citytype import GAWC_TIER_INDEX
from .comparison import compare, scores_with_index
from .models import Answer, Assessment, City, Region
from .numbers import figure

TYPE, REGION, SIZE, ALL, PICKED = "type", "region", "size", "all", "picked"
GROUP_KINDS = (TYPE, REGION, SIZE, ALL, PICKED)


def group_kind_labels():
    return {
        TYPE: _("Same city type"),
        REGION: _("Same region"),
        SIZE: _("Same size band"),
        ALL: _("All cities"),
        PICKED: _("Cities you pick"),
    }


@dataclass(frozen=True)
class SizeBand:
    low: int
    high: int | None  # None: no upper edge

    def __str__(self):
        def millions(value):
            # Trailing zeros of the fraction only: 10 M stays 10 M; 1.5 M is 1,5 M in French.
            return figure(Decimal(value) / 1_000_000) + " M"

        if self.high is None:
            return _("%(low)s or more") % {"low": millions(self.low)}
        if not self.low:
            return _("under %(high)s") % {"high": millions(self.high)}
        return _("%(low)s to under %(high)s") % {"low": millions(self.low), "high": millions(self.high)}

    @property
    def key(self) -> str:
        """The band in an address: "1000000-3000000", "10000000-" for the last."""
        return f"{self.low}-{'' if self.high is None else self.high}"


def size_band(population: int | None, edges) -> SizeBand | None:
    """The half-open band [low, high) that holds the population."""
    if not population:
        return None
    low = 0
    for edge in edges:
        if population < edge:
            return SizeBand(low, edge)
        low = edge
    return SizeBand(low, None)


def size_bands(edges) -> list[SizeBand]:
    """Every band the edges make, smallest first."""
    lows = (0, *edges)
    return [SizeBand(low, high) for low, high in zip(lows, (*edges, None), strict=True)]


@dataclass(frozen=True)
class PeerGroup:
    """A group's definition in words and the subject's side of its membership rule, worked out once."""

    kind: str
    definition: str
    picked: tuple[str, ...] = ()
    city_type: str = ""
    region: str = ""
    band: SizeBand | None = None


class PeerRow(NamedTuple):
    """One other city's latest assessment in the window: what groups test and the pages show.

    Plain values only (scores as their decimal strings), so that the cached list of every city's row is quick to
    read back; `scores()` gives the Decimals.
    """

    assessment_id: int
    city_id: int
    city_name: str
    city_slug: str
    city_country: str
    region: str
    year: int
    is_public: bool
    is_demo: bool
    metro_population: int | None  # as the assessment's city profile gave it: what the size groups test
    # The figures the compare page sets beside the subject's: the assessment's own, else the city's reference record.
    population_figure: int | None
    foreign_born_share: str | None
    gawc_tier: str
    effective_type: str
    index: str | None
    dimension_scores: tuple[tuple[str, str | None], ...]

    def scores(self) -> dict[str, Decimal | None]:
        """The dimension scores by key, with the openness index under INDEX_KEY beside them."""
        return scores_with_index(self.dimension_scores, self.index)


class ReferenceCity(NamedTuple):
    """A reference city as a group candidate: its indicative figures, and the type it exemplifies."""

    city_slug: str
    region: str
    metro_population: int | None
    effective_type: str
    foreign_born_share: Decimal | None
    gawc_tier: str
    # Reference figures are published data; hand-picked slugs were checked against published profiles.
    is_public: bool = True

    @property
    def population_figure(self) -> int | None:
        return self.metro_population


def is_member(group: PeerGroup, candidate: PeerRow | ReferenceCity) -> bool:
    """Whether a candidate city belongs to the group: the one membership rule (see docs/method.md#peer-groups)."""
    if group.kind == TYPE:
        return candidate.effective_type == group.city_type
    if group.kind == REGION:
        return candidate.region == group.region
    if group.kind == SIZE:
        band = group.band
        population = candidate.metro_population
        return bool(
            band is not None and population and population >= band.low and (band.high is None or population < band.high)
        )
    if group.kind == PICKED:
        return candidate.is_public and candidate.city_slug in group.picked
    return True


def members(group: PeerGroup, candidates: Iterable) -> list:
    return [candidate for candidate in candidates if is_member(group, candidate)]


def group_definition(subject: Assessment, kind: str, picked: tuple[str, ...] = ()) -> PeerGroup:
    """The group of `kind` for the subject, with its definition in words."""
    calibration = subject.questionnaire.calibration
    years = _("%(start)s–%(end)s") % {
        "start": subject.year - calibration.peer_groups.year_window,
        "end": subject.year,
    }
    base = _("each city's latest assessment of %(years)s, questionnaire %(major)s.x") % {
        "years": years,
        "major": subject.questionnaire.major,
    }
    city_type = subject.result.effective_type
    band = size_band(subject.metro_population, calibration.size_bands)
    if kind == TYPE:
        words = _("Cities of the same type (%(type)s)") % {"type": city_type_name(city_type).name}
    elif kind == REGION:
        words = _("Cities in %(region)s") % {"region": Region(subject.city.region).label}
    elif kind == SIZE:
        words = _("Cities with a metropolitan population of %(band)s") % {"band": band}
    elif kind == PICKED and not picked:
        words = _("You have not picked any cities yet")
    elif kind == PICKED:
        words = _("The %(count)d published cities you picked") % {"count": len(picked)}
    else:
        words = _("All cities")
    return PeerGroup(
        kind=kind,
        definition=f"{words}: {base}" if kind != PICKED or picked else f"{words}.",
        picked=picked,
        city_type=city_type,
        # Only the region group reads the subject's city (one query the other groups need not make).
        region=subject.city.region if kind == REGION else "",
        band=band,
    )


# --- Reads ------------------------------------------------------------------------------------------------------


def _latest_per_city(major: int, first_year: int, last_year: int, demo: bool):
    """Ids of each city's latest submitted assessment of the questionnaire major from first_year to last_year."""
    candidates = Assessment.objects.filter(
        status=Assessment.Status.SUBMITTED,
        questionnaire__major=major,
        year__gte=first_year,
        year__lte=last_year,
    )
    if not demo:
        candidates = candidates.filter(is_demo=False)
    ranked = candidates.annotate(
        latest=Window(RowNumber(), partition_by=[F("city_id")], order_by=[F("year").desc(), F("submitted_at").desc()])
    )
    return ranked.filter(latest=1).values("id")


# The questionnaire's fact question whose answer is an assessment's own foreign-born share.
FOREIGN_BORN_SHARE_QUESTION = "ip-foreign-born-share"


def foreign_born_share_answer():
    """The assessment's answer to the foreign-born share, as a subquery (None when not given or not known)."""
    return Subquery(
        Answer.objects.filter(
            assessment=OuterRef("pk"), question__key=FOREIGN_BORN_SHARE_QUESTION, dont_know=False, number__isnull=False
        ).values("number")[:1]
    )


def own_foreign_born_share(assessment: Assessment) -> Decimal | None:
    """The assessment's own answer to the foreign-born share, if it gave one."""
    return (
        Assessment.objects.filter(pk=assessment.pk)
        .annotate(share=foreign_born_share_answer())
        .values_list("share", flat=True)
        .first()
    )


def own_else_reference(own, reference):
    """A figure of the assessment's own (its city profile, its answers), else the city's reference figure."""
    return reference if own in (None, "") else own


def own_tier(tier: str) -> str:
    """The city profile's GaWC tier, or "" when the team did not know it (the reference record's then counts)."""
    return tier if tier in GAWC_TIER_INDEX else ""


ROW_FIELDS = (
    "id",
    "city_id",
    "city__name",
    "city__slug",
    "city__country",
    "city__region",
    "year",
    "is_public",
    "is_demo",
    "metro_population",
    "city__metro_population",
    "own_foreign_born_share",
    "city__foreign_born_share",
    "gawc_tier",
    "city__gawc_tier",
    "result__effective_type",
    "result__openness_index",
    "result__scores_by_dimension",
)


def _row(values) -> tuple:
    *fields, population, reference_population, own_share, share, tier, reference_tier, city_type, index, scores = values
    share = own_else_reference(own_share, share)
    return (
        *fields,
        population,
        own_else_reference(population, reference_population),
        None if share is None else str(share),
        own_else_reference(own_tier(tier), reference_tier),
        city_type,
        None if index is None else str(index),
        tuple((scores or {}).items()),  # the result's copy of its nine scores: one row per city, not nine
    )


def _read_rows(major: int, first_year: int, last_year: int, demo: bool) -> list[tuple]:
    query = Assessment.objects.filter(id__in=_latest_per_city(major, first_year, last_year, demo)).annotate(
        own_foreign_born_share=foreign_born_share_answer()
    )
    return [_row(values) for values in query.values_list(*ROW_FIELDS).order_by("city__name")]


def candidates(subject: Assessment) -> list[PeerRow]:
    """Every other city's latest assessment in the subject's window: the candidates of every group.

    Read once per data version for all cities (see opencities/caching.py) and shared by the group, the pick list
    and the reference figures of a request.
    """
    window = {
        "major": subject.questionnaire.major,
        "first_year": subject.year - subject.questionnaire.calibration.peer_groups.year_window,
        "last_year": subject.year,
        "demo": settings.DEMO_MODE,
    }
    every_city = caching.cached(caching.peer_rows_key(**window, shape=PeerRow._fields), lambda: _read_rows(**window))
    return [PeerRow._make(row) for row in every_city if row[1] != subject.city_id]


def reference_cities(subject: Assessment) -> list[ReferenceCity]:
    """The reference cities other than the subject's own, as group candidates for the indicative figures."""
    rows = (
        City.objects.filter(is_reference=True)
        .exclude(pk=subject.city_id)
        .values_list("slug", "region", "metro_population", "type_example", "foreign_born_share", "gawc_tier")
    )
    return [ReferenceCity(*row) for row in rows]  # _make would not fill in is_public's default


def publishable(rows: list[PeerRow]) -> list[PeerRow]:
    """Cities that may be hand-picked: those whose latest assessment in the window is public."""
    return [row for row in rows if row.is_public]


def _folded(text: str) -> str:
    """Text as a search compares it: case and accents aside ("Zürich" is found as "zurich")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def search(rows: list[PeerRow], query: str) -> list[PeerRow]:
    """The rows whose city name or country holds every word of the query."""
    words = _folded(query).split()
    if not words:
        return rows
    return [row for row in rows if all(word in _folded(f"{row.city_name} {row.city_country}") for word in words)]


def check_picked(rows: list[PeerRow], requested: list[str], limit: int) -> tuple[tuple[str, ...], list[str]]:
    """The valid hand-picked slugs and a message for each problem with the request."""
    problems = []
    unique = list(dict.fromkeys(requested))
    if len(unique) > limit:
        return (), [
            _("At most %(limit)d cities can be picked; the address asked for %(count)d. Pick again below.")
            % {"limit": limit, "count": len(unique)}
        ]
    allowed = {row.city_slug for row in publishable(rows)}
    rejected = [slug for slug in unique if slug not in allowed]
    if rejected:
        known = set(City.objects.filter(slug__in=rejected).values_list("slug", flat=True))
        unknown = [slug for slug in rejected if slug not in known]
        unpublished = [slug for slug in rejected if slug in known]
        if unknown:
            problems.append(_("No city with these addresses: %(slugs)s.") % {"slugs": ", ".join(unknown[:10])})
        if unpublished:
            problems.append(
                _(
                    "These cities have not published a profile for the comparison years, "
                    "so they cannot be picked: %(slugs)s."
                )
                % {"slugs": ", ".join(unpublished[:10])}
            )
    return tuple(slug for slug in unique if slug in allowed), problems


@dataclass(frozen=True)
class RadarPeerLine:
    """The peer median the profile's radar draws, or why it draws none."""

    medians: dict[str, Decimal] | None
    note: str


@dataclass(frozen=True)
class DefaultComparison:
    """The profile's comparison: with the same-type group, else all cities, else none (group None)."""

    group: PeerGroup | None
    n: int
    comparisons: list  # comparison.DimensionComparison per dimension key, in the subject's order


def default_comparison(subject: Assessment, scores: dict[str, Decimal | None]) -> DefaultComparison:
    """`scores` (dimension key → score) against the first group big enough for aggregates."""
    rules = subject.questionnaire.calibration.peer_groups
    keys = {key: key for key in scores}
    rows = candidates(subject)
    for kind in (TYPE, ALL):
        group = group_definition(subject, kind)
        group_rows = members(group, rows)
        if len(group_rows) >= rules.min_for_aggregates:
            peer_scores = [row.scores() for row in group_rows]
            return DefaultComparison(group, len(group_rows), compare(scores, peer_scores, keys, rules))
    return DefaultComparison(None, 0, compare(scores, [], keys, rules))


def radar_peer_line(subject: Assessment, default: DefaultComparison) -> RadarPeerLine:
    """The default comparison's median per dimension, or none, with a sentence why."""
    if default.group is not None:
        medians = {row.key: row.stats.median for row in default.comparisons if row.stats.median is not None}
        note = _("The dashed line is the median of %(n)d cities: %(group)s") % {
            "n": default.n,
            "group": default.group.definition,
        }
        return RadarPeerLine(medians, note)
    return RadarPeerLine(
        None,
        _(
            "No peer line: fewer than %(min)d other cities of the same type, or in all, have comparable "
            "submitted assessments for these years."
        )
        % {"min": subject.questionnaire.calibration.peer_groups.min_for_aggregates},
    )
