"""Peer groups: which other cities an assessment is compared with (reads only).

Each other city counts once, with its latest submitted assessment (by year, then submission time)
on the same major questionnaire version, from the subject's year − 2 to its year. The group's
conditions apply to that latest assessment, never to an older one.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from . import peer_cache
from .models import Assessment, City, Region

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
            return f"{Decimal(value) / 1_000_000:f}".rstrip("0").rstrip(".") + " M"

        if self.high is None:
            return _("%(low)s or more") % {"low": millions(self.low)}
        return _("%(low)s to under %(high)s") % {"low": millions(self.low), "high": millions(self.high)}


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


@dataclass(frozen=True)
class PeerGroup:
    kind: str
    definition: str
    picked: tuple[str, ...] = ()


@dataclass
class Peer:
    """One other city's latest assessment in the group."""

    assessment_id: int
    city_name: str
    city_slug: str
    year: int
    is_public: bool
    is_demo: bool
    index: Decimal | None
    scores: dict[str, Decimal | None] = field(default_factory=dict)


def effective_type(assessment: Assessment) -> str:
    result = assessment.result
    return result.override_type or result.city_type


def _latest_per_city(major: int, first_year: int, last_year: int):
    """Ids of each city's latest submitted assessment of the questionnaire major from first_year to last_year."""
    candidates = Assessment.objects.filter(
        status=Assessment.Status.SUBMITTED,
        questionnaire__major=major,
        year__gte=first_year,
        year__lte=last_year,
    )
    if not settings.DEMO_MODE:
        candidates = candidates.filter(is_demo=False)
    ranked = candidates.annotate(
        latest=Window(RowNumber(), partition_by=[F("city_id")], order_by=[F("year").desc(), F("submitted_at").desc()])
    )
    return ranked.filter(latest=1).values("id")


def group_definition(subject: Assessment, kind: str, picked: tuple[str, ...] = ()) -> PeerGroup:
    from .selectors import city_type_name

    years = _("%(start)s–%(end)s") % {
        "start": subject.year - subject.questionnaire.calibration.peer_groups.year_window,
        "end": subject.year,
    }
    base = _("each city's latest assessment of %(years)s, questionnaire %(major)s.x") % {
        "years": years,
        "major": subject.questionnaire.major,
    }
    if kind == TYPE:
        words = _("Cities of the same type (%(type)s)") % {"type": city_type_name(effective_type(subject)).name}
    elif kind == REGION:
        words = _("Cities in %(region)s") % {"region": Region(subject.city.region).label}
    elif kind == SIZE:
        band = size_band(subject.metro_population, subject.questionnaire.calibration.size_bands)
        words = _("Cities with a metropolitan population of %(band)s") % {"band": band}
    elif kind == PICKED:
        words = _("The %(count)d published cities you picked") % {"count": len(picked)}
    else:
        words = _("All cities")
    return PeerGroup(kind=kind, definition=f"{words}: {base}", picked=picked)


LATEST_FIELDS = (
    "id",
    "city_id",
    "year",
    "is_public",
    "is_demo",
    "metro_population",
    "city__name",
    "city__slug",
    "city__country",
    "city__region",
    "city__metro_population",
    "city__foreign_born_share",
    "city__gawc_tier",
    "result__openness_index",
    "result__city_type",
    "result__override_type",
    "result__scores_by_dimension",
)


def latest_rows(subject: Assessment) -> list[dict]:
    """Every other city's latest assessment in the window, with what groups and the page need.

    Kept on the subject for the request, so the group, the pick list and the reference figures share it,
    and between requests by `peer_cache` until the data changes.
    """
    if not hasattr(subject, "_latest_rows"):
        window = (
            subject.questionnaire.major,
            subject.year - subject.questionnaire.calibration.peer_groups.year_window,
            subject.year,
        )
        every_city = peer_cache.rows((*window, settings.DEMO_MODE), lambda: _read_latest_rows(*window))
        subject._latest_rows = [row for row in every_city if row["city_id"] != subject.city_id]
    return subject._latest_rows


def _read_latest_rows(major: int, first_year: int, last_year: int) -> list[dict]:
    query = Assessment.objects.filter(id__in=_latest_per_city(major, first_year, last_year))
    sql, params = query.values_list(*LATEST_FIELDS).order_by("city__name").query.sql_with_params()
    # Read with a plain cursor: at a thousand rows Django's converters cost more than the query, and
    # only three columns need converting (below); the others arrive as the Python values they are.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [_latest_row(values) for values in cursor.fetchall()]


def _decimal(value) -> Decimal | None:
    # SQLite hands decimals back as floats or ints, PostgreSQL as Decimal.
    return value if value is None or isinstance(value, Decimal) else Decimal(str(value))


def _latest_row(values) -> dict:
    row = dict(zip(LATEST_FIELDS, values, strict=True))
    row["is_public"], row["is_demo"] = bool(row["is_public"]), bool(row["is_demo"])
    row["result__openness_index"] = _decimal(row["result__openness_index"])
    row["city__foreign_born_share"] = _decimal(row["city__foreign_born_share"])
    scores = row["result__scores_by_dimension"]
    if isinstance(scores, str):  # jsonb and SQLite's JSON both arrive as text through a plain cursor
        scores = json.loads(scores)
    row["result__scores_by_dimension"] = {
        key: None if score is None else Decimal(score) for key, score in (scores or {}).items()
    }
    return row


def _membership_test(subject: Assessment, group: PeerGroup):
    """Whether a latest row belongs to the group; the subject's side is worked out once, not per row."""
    if group.kind == TYPE:
        city_type = effective_type(subject)
        return lambda row: (row["result__override_type"] or row["result__city_type"]) == city_type
    if group.kind == REGION:
        region = subject.city.region
        return lambda row: row["city__region"] == region
    if group.kind == SIZE:
        band = size_band(subject.metro_population, subject.questionnaire.calibration.size_bands)
        if band is None:
            return lambda row: False
        return lambda row: bool(
            row["metro_population"]
            and row["metro_population"] >= band.low
            and (band.high is None or row["metro_population"] < band.high)
        )
    if group.kind == PICKED:
        return lambda row: row["is_public"] and row["city__slug"] in group.picked
    return lambda row: True


def peer_rows(subject: Assessment, group: PeerGroup) -> list[dict]:
    belongs = _membership_test(subject, group)
    return [row for row in latest_rows(subject) if belongs(row)]


def peers(subject: Assessment, group: PeerGroup) -> list[Peer]:
    """The group's cities with their scores by dimension key, from the one query of `latest_rows`."""
    return [
        Peer(
            assessment_id=row["id"],
            city_name=row["city__name"],
            city_slug=row["city__slug"],
            year=row["year"],
            is_public=row["is_public"],
            is_demo=row["is_demo"],
            index=row["result__openness_index"],
            scores=row["result__scores_by_dimension"],
        )
        for row in peer_rows(subject, group)
    ]


def publishable_cities(subject: Assessment) -> list[dict]:
    """Cities that may be hand-picked: those whose latest assessment in the window is public."""
    return [row for row in latest_rows(subject) if row["is_public"]]


def check_picked(subject: Assessment, requested: list[str], limit: int) -> tuple[tuple[str, ...], list[str]]:
    """The valid hand-picked slugs and a message for each problem with the request."""
    problems = []
    unique = list(dict.fromkeys(requested))
    if len(unique) > limit:
        return (), [
            _("At most %(limit)d cities can be picked; the address asked for %(count)d. Pick again below.")
            % {"limit": limit, "count": len(unique)}
        ]
    allowed = {row["city__slug"] for row in publishable_cities(subject)}
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
    from .comparison import INDEX_KEY, compare

    rules = subject.questionnaire.calibration.peer_groups
    keys = {key: key for key in scores}
    for kind in (TYPE, ALL):
        group = group_definition(subject, kind)
        members = peers(subject, group)
        if len(members) >= rules.min_for_aggregates:
            # The index is a column of its own on a peer, beside its dimension scores.
            peer_scores = [{**member.scores, INDEX_KEY: member.index} for member in members]
            return DefaultComparison(group, len(members), compare(scores, peer_scores, keys, rules))
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
