"""The OPENCities city type of a city profile: five ordered rules, else the nearest prototype, always explained."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy

# The vocabulary's order of the types also breaks ties between equally near prototypes.
from opencities.vocabulary import CITY_TYPE_KEYS

from .scoring import round_half_up

if TYPE_CHECKING:
    from .calibration import CityTypeCalibration

# The platform's GaWC tiers from the lowest up (models.GawcTier gives their names); the one order of the tiers.
GAWC_TIER_ORDER: tuple[str, ...] = ("none", "gamma", "beta", "alpha-", "alpha", "alpha+", "alpha++")
GAWC_TIER_INDEX: dict[str, int] = {tier: rank for rank, tier in enumerate(GAWC_TIER_ORDER)}
UNKNOWN_TIER = "unknown"  # the city profile's answer when the team does not know the tier
UNKNOWN_TIER_NAME = gettext_lazy("Don't know")
GAWC_TIERS: tuple[str, ...] = (*GAWC_TIER_INDEX, UNKNOWN_TIER)

NO_NICHE = "none"
NICHES: tuple[str, ...] = (
    "finance",
    "culture-festivals",
    "universities-research",
    "international-organisations",
    "tourism",
    NO_NICHE,
)
_NICHE_WORDS = {
    "finance": "finance",
    "culture-festivals": "culture and festivals",
    "universities-research": "universities and research",
    "international-organisations": "international organisations",
    "tourism": "tourism",
}

# What each rule says, in the reader's language (the pages and the report show it under "why this type").
RULE_DESCRIPTIONS: dict[str, str] = {
    "declined-historic-role": gettext_lazy(
        "The city had a global role in the past that has since declined, and it is its country's capital "
        "or largest city."
    ),
    "gawc-alpha-top": gettext_lazy(
        "The city's GaWC tier is one of the top tiers that mark a world city (Alpha++ or Alpha+)."
    ),
    "large-metro-strong-presence": gettext_lazy(
        "The city has a large metro population and high Global presence and Connectivity scores."
    ),
    "mega-metro": gettext_lazy("The city's metro population reaches the mega-city threshold."),
    "small-with-niche": gettext_lazy(
        "The city's metro population is below the niche-hub threshold and it has an international niche."
    ),
    "ambitious-secondary": gettext_lazy(
        "The city is not its country's largest city and its metro population reaches the secondary-city threshold."
    ),
    "nearest-prototype": gettext_lazy(
        "No rule matched, so the city takes the type whose prototype is nearest to its profile."
    ),
}


@dataclass(frozen=True)
class CityProfile:
    """The city-profile step of an assessment: the inputs the typology reads."""

    metro_population: int
    is_capital: bool
    is_largest_city: bool
    gawc_tier: str
    niche: str
    past_role_declined: bool

    def __post_init__(self) -> None:
        if isinstance(self.metro_population, bool) or not isinstance(self.metro_population, int):
            raise ValueError(f"metro population must be a whole number, got {self.metro_population!r}")
        if self.metro_population < 0:
            raise ValueError(f"metro population cannot be negative, got {self.metro_population}")
        if self.gawc_tier not in GAWC_TIERS:
            raise ValueError(f"unknown GaWC tier {self.gawc_tier!r}; expected one of {', '.join(GAWC_TIERS)}")
        if self.niche not in NICHES:
            raise ValueError(f"unknown niche {self.niche!r}; expected one of {', '.join(NICHES)}")


@dataclass(frozen=True)
class Classification:
    """The computed city type, the rule that fired, a sentence with the numbers, and the runner-up."""

    city_type: str
    rule: str
    explanation: str
    runner_up: str
    distances: dict[str, float]


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def _metro_coordinate(metro: int, calibration: CityTypeCalibration) -> float:
    # A metro of 0 or 1 has no meaningful logarithm; both sit at the bottom of the scale.
    return _clamp(math.log10(max(metro, 1)) / math.log10(calibration.metro_scale_max))


def _tier_coordinate(tier: str) -> float:
    # "Don't know" counts as no tier: guessing a rank would move the city towards a type on no evidence.
    return GAWC_TIER_INDEX.get(tier, 0) / max(GAWC_TIER_INDEX.values())


def profile_coordinates(profile: CityProfile, calibration: CityTypeCalibration) -> tuple[float, ...]:
    """The profile as (metro, capital, largest, niche, declined, tier), each in 0–1."""
    return (
        _metro_coordinate(profile.metro_population, calibration),
        float(profile.is_capital),
        float(profile.is_largest_city),
        float(profile.niche != NO_NICHE),
        float(profile.past_role_declined),
        _tier_coordinate(profile.gawc_tier),
    )


def prototype_distances(profile: CityProfile, calibration: CityTypeCalibration) -> dict[str, float]:
    """Euclidean distance, equal weights, from the profile to each type's prototype, in CITY_TYPE_KEYS order."""
    point = profile_coordinates(profile, calibration)
    distances = {}
    for key in CITY_TYPE_KEYS:
        prototype = calibration.prototypes[key]
        corner = (
            _metro_coordinate(prototype.metro, calibration),
            float(prototype.capital),
            float(prototype.largest),
            float(prototype.niche),
            float(prototype.declined),
            _tier_coordinate(prototype.tier),
        )
        distances[key] = math.dist(point, corner)
    return distances


def _nearest(distances: dict[str, float], excluding: str | None = None) -> str:
    # min() keeps the first of equal distances, and the dict follows CITY_TYPE_KEYS: ties go to the earlier type.
    return min((key for key in distances if key != excluding), key=distances.__getitem__)


def _number(value: Decimal) -> str:
    text = str(round_half_up(value, 1))
    return text.removesuffix(".0")


def _population(metro: int) -> str:
    if metro >= 1_000_000:
        return f"{_number(Decimal(metro) / 1_000_000)} M"
    return f"{metro:,}"


def _below(metro: int, threshold: int) -> str:
    """Metro below a threshold, in full figures where rounding to 0.1 M would show the two equal."""
    shown, limit = _population(metro), _population(threshold)
    if shown == limit:
        shown, limit = f"{metro:,}", f"{threshold:,}"
    return f"{shown} is below {limit}"


def _role(profile: CityProfile) -> str:
    if profile.is_capital and profile.is_largest_city:
        return "capital and largest city"
    return "capital" if profile.is_capital else "largest city"


def _first_rule(
    profile: CityProfile,
    global_presence: Decimal | None,
    connectivity: Decimal | None,
    calibration: CityTypeCalibration,
) -> tuple[str, str, str] | None:
    """(city type, rule key, explanation) of the first of the five rules that matches, or None."""
    metro = profile.metro_population
    if profile.past_role_declined and (profile.is_capital or profile.is_largest_city):
        return (
            "historic-world-city",
            "declined-historic-role",
            f"Its past global role has declined and it is its country's {_role(profile)}.",
        )
    if profile.gawc_tier in calibration.world_city_tiers:
        tiers = ", ".join(tier.capitalize() for tier in calibration.world_city_tiers)
        return (
            "world-city",
            "gawc-alpha-top",
            f"Its GaWC tier, {profile.gawc_tier.capitalize()}, is one of the world-city tiers ({tiers}).",
        )
    if (
        global_presence is not None
        and connectivity is not None
        and metro >= calibration.world_city_metro_min
        and global_presence >= calibration.world_city_global_presence_min
        and connectivity >= calibration.world_city_connectivity_min
    ):
        return (
            "world-city",
            "large-metro-strong-presence",
            f"Metro population of {_population(metro)} is at least {_population(calibration.world_city_metro_min)}, "
            f"Global presence of {_number(global_presence)} is at least "
            f"{_number(calibration.world_city_global_presence_min)} and Connectivity of {_number(connectivity)} "
            f"is at least {_number(calibration.world_city_connectivity_min)}.",
        )
    if metro >= calibration.mega_city_metro_min:
        return (
            "mega-city",
            "mega-metro",
            f"Metro population of {_population(metro)} is at least {_population(calibration.mega_city_metro_min)}.",
        )
    if metro < calibration.niche_hub_metro_below and profile.niche != NO_NICHE:
        return (
            "niche-hub",
            "small-with-niche",
            f"Metro population of {_below(metro, calibration.niche_hub_metro_below)} and it has an international "
            f"niche in {_NICHE_WORDS[profile.niche]}.",
        )
    if not profile.is_largest_city and metro >= calibration.secondary_city_metro_min:
        return (
            "secondary-city",
            "ambitious-secondary",
            f"It is not its country's largest city and its metro population of {_population(metro)} is at least "
            f"{_population(calibration.secondary_city_metro_min)}.",
        )
    return None


def classify(
    profile: CityProfile,
    global_presence: Decimal | None,
    connectivity: Decimal | None,
    calibration: CityTypeCalibration,
) -> Classification:
    """The city type by the method's rules (first match wins), else the nearest prototype; with the runner-up."""
    distances = prototype_distances(profile, calibration)
    fired = _first_rule(profile, global_presence, connectivity, calibration)
    if fired is None:
        city_type = _nearest(distances)
        fired = (
            city_type,
            "nearest-prototype",
            f"No rule matched; its profile is nearest the {city_type} prototype (distance {distances[city_type]:.2f}).",
        )
    city_type, rule, explanation = fired
    return Classification(
        city_type=city_type,
        rule=rule,
        explanation=explanation,
        runner_up=_nearest(distances, excluding=city_type),
        distances=distances,
    )
