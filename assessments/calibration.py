"""The `[calibration]` section of a questionnaire file: every judged number of the method (docs/method.md#calibration).

A calibration is a value: frozen, hashable, and rebuilt exactly from `to_dict()`, so a stored copy can be
compared with the file it came from.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from .citytype import CITY_TYPE_KEYS, GAWC_TIER_INDEX
from .scoring import FRAMEWORK_STATUSES

ROOT = "calibration"


class _FrozenMapping(Mapping[str, Any]):
    """A read-only mapping that hashes and pickles, so the dataclasses holding it stay values."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, Any]) -> None:
        self._items = dict(items)

    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(frozenset(self._items.items()))

    def __repr__(self) -> str:
        return repr(self._items)


@dataclass(frozen=True)
class Bands:
    """Score bands for recommendations: low < low_below <= medium < high_from <= high."""

    low_below: Decimal
    high_from: Decimal


@dataclass(frozen=True)
class PeerGroupRules:
    """How large a peer group must be to show aggregates or extremes, and which years it takes."""

    min_for_aggregates: int
    min_for_extremes: int
    hand_picked_max: int
    year_window: int


@dataclass(frozen=True)
class PolicyTheme:
    """A policy theme: the mean of its dimensions, plus the framework score as one more item if included."""

    key: str
    name: str
    dimensions: tuple[str, ...]
    include_framework: bool = False


@dataclass(frozen=True)
class Prototype:
    """A city type's prototype, in the distance's coordinates (metro, capital, largest, niche, declined, tier)."""

    metro: int
    capital: Decimal
    largest: Decimal
    niche: Decimal
    declined: Decimal
    tier: str


@dataclass(frozen=True)
class CityTypeCalibration:
    """Thresholds of the five city-type rules and the prototypes of the nearest-type fallback."""

    world_city_tiers: tuple[str, ...]
    world_city_metro_min: int
    world_city_global_presence_min: Decimal
    world_city_connectivity_min: Decimal
    mega_city_metro_min: int
    niche_hub_metro_below: int
    secondary_city_metro_min: int
    metro_scale_max: int
    prototypes: Mapping[str, Prototype]

    def __post_init__(self) -> None:
        object.__setattr__(self, "world_city_tiers", tuple(self.world_city_tiers))
        object.__setattr__(self, "prototypes", _FrozenMapping(self.prototypes))


@dataclass(frozen=True)
class Calibration:
    """Every calibrated number of one questionnaire version."""

    bands: Bands
    not_applicable_max_share: Decimal
    evidence_required_from: Decimal
    framework_points: Mapping[str, Decimal]
    size_bands: tuple[int, ...]
    peer_groups: PeerGroupRules
    policy_themes: tuple[PolicyTheme, ...]
    city_type: CityTypeCalibration

    def __post_init__(self) -> None:
        object.__setattr__(self, "framework_points", _FrozenMapping(self.framework_points))
        object.__setattr__(self, "size_bands", tuple(self.size_bands))
        object.__setattr__(self, "policy_themes", tuple(self.policy_themes))

    @classmethod
    def from_dict(cls, table: Mapping[str, Any]) -> Calibration:
        """Build and check a calibration from the parsed TOML `calibration` table; ValueError names the key."""
        root = _Table(table, ROOT)
        root.only(
            "bands",
            "not_applicable_max_share",
            "evidence_required_from",
            "framework_points",
            "size_bands",
            "peer_groups",
            "policy_themes",
            "city_type",
        )
        return cls(
            bands=_bands(root.table("bands")),
            not_applicable_max_share=root.number("not_applicable_max_share", 0, 1),
            evidence_required_from=root.number("evidence_required_from", 0, 100),
            framework_points=_framework_points(root.table("framework_points")),
            size_bands=_size_bands(root, "size_bands"),
            peer_groups=_peer_groups(root.table("peer_groups")),
            policy_themes=_policy_themes(root.table("policy_themes")),
            city_type=_city_type(root.table("city_type")),
        )

    def to_dict(self) -> dict[str, Any]:
        """The calibration as a JSON-serialisable table shaped like the file; non-whole numbers become strings."""
        city_type = self.city_type
        return {
            "bands": {"low_below": _plain(self.bands.low_below), "high_from": _plain(self.bands.high_from)},
            "not_applicable_max_share": _plain(self.not_applicable_max_share),
            "evidence_required_from": _plain(self.evidence_required_from),
            "framework_points": {status: _plain(points) for status, points in self.framework_points.items()},
            "size_bands": list(self.size_bands),
            "peer_groups": {
                "min_for_aggregates": self.peer_groups.min_for_aggregates,
                "min_for_extremes": self.peer_groups.min_for_extremes,
                "hand_picked_max": self.peer_groups.hand_picked_max,
                "year_window": self.peer_groups.year_window,
            },
            "policy_themes": {
                theme.key: {
                    "name": theme.name,
                    "dimensions": list(theme.dimensions),
                    "include_framework": theme.include_framework,
                }
                for theme in self.policy_themes
            },
            "city_type": {
                "world_city_tiers": list(city_type.world_city_tiers),
                "world_city_metro_min": city_type.world_city_metro_min,
                "world_city_global_presence_min": _plain(city_type.world_city_global_presence_min),
                "world_city_connectivity_min": _plain(city_type.world_city_connectivity_min),
                "mega_city_metro_min": city_type.mega_city_metro_min,
                "niche_hub_metro_below": city_type.niche_hub_metro_below,
                "secondary_city_metro_min": city_type.secondary_city_metro_min,
                "metro_scale_max": city_type.metro_scale_max,
                "prototypes": {
                    key: {
                        "metro": prototype.metro,
                        "capital": _plain(prototype.capital),
                        "largest": _plain(prototype.largest),
                        "niche": _plain(prototype.niche),
                        "declined": _plain(prototype.declined),
                        "tier": prototype.tier,
                    }
                    for key, prototype in city_type.prototypes.items()
                },
            },
        }


def _plain(number: Decimal) -> int | str:
    # JSON has no decimal type: whole numbers stay numbers, others go as strings so that nothing is lost.
    return int(number) if number == number.to_integral_value() else str(number)


class _Table:
    """A table of the file being read, with its dotted path for error messages."""

    def __init__(self, value: object, path: str) -> None:
        if not isinstance(value, Mapping):
            raise ValueError(f"{path} must be a table, got {value!r}")
        self.items: Mapping[str, Any] = value
        self.path = path

    def at(self, key: str) -> str:
        return f"{self.path}.{key}"

    def only(self, *keys: str) -> None:
        unknown = [key for key in self.items if key not in keys]
        if unknown:
            raise ValueError(f"{self.at(unknown[0])} is not a known key")

    def value(self, key: str) -> Any:
        if key not in self.items:
            raise ValueError(f"{self.at(key)} is missing")
        return self.items[key]

    def table(self, key: str) -> _Table:
        return _Table(self.value(key), self.at(key))

    def number(self, key: str, low: int | None = None, high: int | None = None) -> Decimal:
        return _number(self.value(key), self.at(key), low, high)

    def integer(self, key: str, minimum: int) -> int:
        return _integer(self.value(key), self.at(key), minimum)

    def text(self, key: str) -> str:
        value = self.value(key)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{self.at(key)} must be a non-empty string, got {value!r}")
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        values = self.value(key)
        if not isinstance(values, list | tuple):
            raise ValueError(f"{self.at(key)} must be a list, got {values!r}")
        for index, value in enumerate(values):
            if not isinstance(value, str) or not value:
                raise ValueError(f"{self.at(key)}[{index}] must be a non-empty string, got {value!r}")
        if len(set(values)) != len(values):
            raise ValueError(f"{self.at(key)} lists a value twice")
        return tuple(values)

    def flag(self, key: str, default: bool) -> bool:
        value = self.items.get(key, default)
        if not isinstance(value, bool):
            raise ValueError(f"{self.at(key)} must be true or false, got {value!r}")
        return value


def _number(value: object, path: str, low: int | None, high: int | None) -> Decimal:
    # A string is accepted so that a decimal can be written (and stored) without passing through a float.
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise ValueError(f"{path} must be a number, got {value!r}")
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{path} must be a number, got {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"{path} must be a finite number, got {value!r}")
    if (low is not None and number < low) or (high is not None and number > high):
        raise ValueError(f"{path} must be between {low} and {high}, got {number}")
    return number


def _integer(value: object, path: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{path} must be a whole number, got {value!r}")
    if value < minimum:
        raise ValueError(f"{path} must be at least {minimum}, got {value}")
    return value


def _bands(table: _Table) -> Bands:
    table.only("low_below", "high_from")
    bands = Bands(low_below=table.number("low_below", 0, 100), high_from=table.number("high_from", 0, 100))
    if bands.low_below > bands.high_from:
        raise ValueError(f"{table.at('low_below')} ({bands.low_below}) must not exceed high_from ({bands.high_from})")
    return bands


def _framework_points(table: _Table) -> dict[str, Decimal]:
    table.only(*FRAMEWORK_STATUSES)
    return {status: table.number(status, 0, 100) for status in FRAMEWORK_STATUSES}


def _size_bands(root: _Table, key: str) -> tuple[int, ...]:
    edges = root.value(key)
    path = root.at(key)
    if not isinstance(edges, list | tuple) or not edges:
        raise ValueError(f"{path} must be a non-empty list of populations, got {edges!r}")
    checked = tuple(_integer(edge, f"{path}[{index}]", 1) for index, edge in enumerate(edges))
    for index in range(1, len(checked)):
        if checked[index] <= checked[index - 1]:
            raise ValueError(f"{path}[{index}] must be greater than the edge before it, got {checked[index]}")
    return checked


def _peer_groups(table: _Table) -> PeerGroupRules:
    table.only("min_for_aggregates", "min_for_extremes", "hand_picked_max", "year_window")
    return PeerGroupRules(
        min_for_aggregates=table.integer("min_for_aggregates", 1),
        min_for_extremes=table.integer("min_for_extremes", 1),
        hand_picked_max=table.integer("hand_picked_max", 1),
        year_window=table.integer("year_window", 0),
    )


def _policy_themes(table: _Table) -> tuple[PolicyTheme, ...]:
    if not table.items:
        raise ValueError(f"{table.path} must define at least one theme")
    themes = []
    for key in table.items:
        theme = table.table(key)
        theme.only("name", "dimensions", "include_framework")
        dimensions = theme.texts("dimensions")
        include_framework = theme.flag("include_framework", default=False)
        if not dimensions and not include_framework:
            raise ValueError(f"{theme.at('dimensions')} is empty and the framework is not included")
        themes.append(PolicyTheme(key, theme.text("name"), dimensions, include_framework))
    return tuple(themes)


def _tier(table: _Table, key: str) -> str:
    tier = table.value(key)
    if tier not in GAWC_TIER_INDEX:
        raise ValueError(f"{table.at(key)} must be one of {', '.join(GAWC_TIER_INDEX)}, got {tier!r}")
    return tier


def _city_type(table: _Table) -> CityTypeCalibration:
    table.only(
        "world_city_tiers",
        "world_city_metro_min",
        "world_city_global_presence_min",
        "world_city_connectivity_min",
        "mega_city_metro_min",
        "niche_hub_metro_below",
        "secondary_city_metro_min",
        "metro_scale_max",
        "prototypes",
    )
    tiers = table.texts("world_city_tiers")
    for index, tier in enumerate(tiers):
        if tier not in GAWC_TIER_INDEX:
            raise ValueError(f"{table.at('world_city_tiers')}[{index}] is not a GaWC tier: {tier!r}")
    prototypes = table.table("prototypes")
    prototypes.only(*CITY_TYPE_KEYS)
    return CityTypeCalibration(
        world_city_tiers=tiers,
        world_city_metro_min=table.integer("world_city_metro_min", 1),
        world_city_global_presence_min=table.number("world_city_global_presence_min", 0, 100),
        world_city_connectivity_min=table.number("world_city_connectivity_min", 0, 100),
        mega_city_metro_min=table.integer("mega_city_metro_min", 1),
        niche_hub_metro_below=table.integer("niche_hub_metro_below", 1),
        secondary_city_metro_min=table.integer("secondary_city_metro_min", 1),
        # log10 of the scale's top divides every metro coordinate, so it must exceed 1.
        metro_scale_max=table.integer("metro_scale_max", 2),
        prototypes={key: _prototype(prototypes.table(key)) for key in CITY_TYPE_KEYS},
    )


def _prototype(table: _Table) -> Prototype:
    table.only("metro", "capital", "largest", "niche", "declined", "tier")
    return Prototype(
        metro=table.integer("metro", 1),
        capital=table.number("capital", 0, 1),
        largest=table.number("largest", 0, 1),
        niche=table.number("niche", 0, 1),
        declined=table.number("declined", 0, 1),
        tier=_tier(table, "tier"),
    )
