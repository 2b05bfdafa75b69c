"""City types as docs/method.md states them: the eleven example cities, each rule's edges, the nearest prototype."""

import csv
import dataclasses
import math
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments.citytype import (
    CITY_TYPE_KEYS,
    GAWC_TIER_ORDER,
    GAWC_TIERS,
    NICHES,
    RULE_DESCRIPTIONS,
    CityProfile,
    classify,
    prototype_distances,
)
from assessments.models import GawcTier
from assessments.tests.calibration_helpers import DEFAULT_CALIBRATION

CALIBRATION = DEFAULT_CALIBRATION.city_type
EXAMPLES = Path(__file__).resolve().parent / "data" / "city-type-examples.csv"


def _example_profile(row: dict[str, str]) -> CityProfile:
    return CityProfile(
        metro_population=int(row["metro_population"]),
        is_capital=row["is_capital"] == "true",
        is_largest_city=row["is_largest_national_city"] == "true",
        # An empty tier is the seed's "don't know"; the file writes tiers as GaWC does ("Alpha-").
        gawc_tier=row["gawc_tier"].lower() or "unknown",
        niche=row["niche"],
        past_role_declined=row["past_global_role_declined"] == "true",
    )


with EXAMPLES.open(encoding="utf-8", newline="") as examples:
    EXAMPLE_ROWS = list(csv.DictReader(examples))


def profile(**changes) -> CityProfile:
    """A city no rule matches by default: largest city, 3 M, no niche, tier unknown, no declined role."""
    fields = {
        "metro_population": 3_000_000,
        "is_capital": False,
        "is_largest_city": True,
        "gawc_tier": "unknown",
        "niche": "none",
        "past_role_declined": False,
    }
    return CityProfile(**(fields | changes))


def test_all_eleven_seed_examples_are_present():
    assert len(EXAMPLE_ROWS) == 11


@pytest.mark.parametrize("row", EXAMPLE_ROWS, ids=[row["slug"] for row in EXAMPLE_ROWS])
def test_each_seed_example_gets_the_seeds_type(row):
    result = classify(_example_profile(row), None, None, CALIBRATION)

    assert result.city_type == row["expected_type"]
    assert result.runner_up != result.city_type


def test_the_default_profile_matches_no_rule():
    assert classify(profile(), None, None, CALIBRATION).rule == "nearest-prototype"


def test_an_explanation_gives_the_actual_numbers():
    result = classify(profile(metro_population=21_650_000), None, None, CALIBRATION)
    assert result.explanation == "Metro population of 21.7 M is at least 10 M."


def test_an_explanation_never_rounds_a_city_onto_its_threshold():
    result = classify(profile(metro_population=1_999_999, niche="tourism"), None, None, CALIBRATION)
    assert result.explanation.startswith("Metro population of 1,999,999 is below 2,000,000 ")


PRESENCE = {"global_presence": None, "connectivity": None}


@pytest.mark.parametrize(
    ("changes", "scores", "city_type", "rule"),
    [
        # 1. historic-world-city: declined AND (capital OR largest)
        ({"past_role_declined": True}, PRESENCE, "historic-world-city", "declined-historic-role"),
        (
            {"past_role_declined": True, "is_largest_city": False, "is_capital": True},
            PRESENCE,
            "historic-world-city",
            "declined-historic-role",
        ),
        ({"past_role_declined": True, "is_largest_city": False}, PRESENCE, "secondary-city", "ambitious-secondary"),
        ({"is_capital": True}, PRESENCE, None, "nearest-prototype"),
        # rule 1 comes before rule 2
        (
            {"past_role_declined": True, "gawc_tier": "alpha++"},
            PRESENCE,
            "historic-world-city",
            "declined-historic-role",
        ),
        # 2. world-city by tier
        ({"gawc_tier": "alpha++"}, PRESENCE, "world-city", "gawc-alpha-top"),
        ({"gawc_tier": "alpha+"}, PRESENCE, "world-city", "gawc-alpha-top"),
        ({"gawc_tier": "alpha"}, PRESENCE, None, "nearest-prototype"),
        ({"gawc_tier": "unknown"}, PRESENCE, None, "nearest-prototype"),
        # rule 2 comes before rule 3
        ({"gawc_tier": "alpha+", "metro_population": 30_000_000}, PRESENCE, "world-city", "gawc-alpha-top"),
        # 2. world-city by scores: metro ≥ 5 M and both scores ≥ 80
        (
            {"metro_population": 5_000_000},
            {"global_presence": Decimal(80), "connectivity": Decimal(80)},
            "world-city",
            "large-metro-strong-presence",
        ),
        (
            {"metro_population": 4_999_999},
            {"global_presence": Decimal(80), "connectivity": Decimal(80)},
            None,
            "nearest-prototype",
        ),
        (
            {"metro_population": 5_000_000},
            {"global_presence": Decimal("79.99"), "connectivity": Decimal(100)},
            None,
            "nearest-prototype",
        ),
        (
            {"metro_population": 5_000_000},
            {"global_presence": Decimal(100), "connectivity": Decimal("79.99")},
            None,
            "nearest-prototype",
        ),
        (
            {"metro_population": 5_000_000},
            {"global_presence": None, "connectivity": Decimal(100)},
            None,
            "nearest-prototype",
        ),
        # 3. mega-city: metro ≥ 10 M
        ({"metro_population": 10_000_000}, PRESENCE, "mega-city", "mega-metro"),
        ({"metro_population": 9_999_999}, PRESENCE, None, "nearest-prototype"),
        ({"metro_population": 9_999_999, "is_largest_city": False}, PRESENCE, "secondary-city", "ambitious-secondary"),
        # 4. niche-hub: metro < 2 M and a niche
        ({"metro_population": 1_999_999, "niche": "finance"}, PRESENCE, "niche-hub", "small-with-niche"),
        ({"metro_population": 2_000_000, "niche": "finance"}, PRESENCE, None, "nearest-prototype"),
        ({"metro_population": 1_999_999, "niche": "none"}, PRESENCE, None, "nearest-prototype"),
        # rule 4 comes before rule 5
        (
            {"metro_population": 1_500_000, "niche": "tourism", "is_largest_city": False},
            PRESENCE,
            "niche-hub",
            "small-with-niche",
        ),
        # 5. secondary-city: not the largest city and metro ≥ 1 M
        ({"metro_population": 1_000_000, "is_largest_city": False}, PRESENCE, "secondary-city", "ambitious-secondary"),
        ({"metro_population": 999_999, "is_largest_city": False}, PRESENCE, None, "nearest-prototype"),
    ],
)
def test_each_rule_at_its_edges(changes, scores, city_type, rule):
    result = classify(profile(**changes), scores["global_presence"], scores["connectivity"], CALIBRATION)

    assert result.rule == rule
    if city_type is not None:
        assert result.city_type == city_type
    else:
        assert result.city_type == min(result.distances, key=result.distances.__getitem__)


def test_distances_use_the_coordinates_of_domain_md():
    # Exactly the secondary-city prototype: 2.5 M, not capital, not largest, no niche, not declined, Beta.
    secondary = profile(metro_population=2_500_000, is_largest_city=False, gawc_tier="beta")
    assert prototype_distances(secondary, CALIBRATION)["secondary-city"] == 0
    # From it to the niche-hub prototype (1 M, 0, 0.5, 1, 0, Beta): only metro, largest and niche differ.
    scale = math.log10(40_000_000)
    metro_gap = math.log10(2_500_000) / scale - math.log10(1_000_000) / scale
    expected = math.sqrt(metro_gap**2 + 0.5**2 + 1**2)
    assert prototype_distances(secondary, CALIBRATION)["niche-hub"] == pytest.approx(expected)


def test_an_unknown_tier_counts_as_none_in_the_distance():
    assert prototype_distances(profile(gawc_tier="unknown"), CALIBRATION) == prototype_distances(
        profile(gawc_tier="none"), CALIBRATION
    )


def test_metro_beyond_the_scale_is_clamped():
    assert prototype_distances(profile(metro_population=80_000_000), CALIBRATION) == prototype_distances(
        profile(metro_population=40_000_000), CALIBRATION
    )
    assert prototype_distances(profile(metro_population=0), CALIBRATION) == prototype_distances(
        profile(metro_population=1), CALIBRATION
    )


def test_ties_go_to_the_type_listed_first():
    twin = dataclasses.replace(CALIBRATION.prototypes["mega-city"], metro=3_000_000, capital=Decimal(0))
    prototypes = dict(CALIBRATION.prototypes) | {"world-city": twin, "mega-city": twin}
    twins = dataclasses.replace(CALIBRATION, prototypes=prototypes)

    result = classify(profile(gawc_tier="alpha"), None, None, twins)
    assert result.distances["world-city"] == result.distances["mega-city"] == 0
    assert (result.rule, result.city_type, result.runner_up) == ("nearest-prototype", "world-city", "mega-city")


def test_the_runner_up_is_the_nearest_other_type_also_when_a_rule_fired():
    result = classify(profile(metro_population=21_650_000, niche="finance"), None, None, CALIBRATION)
    others = {key: distance for key, distance in result.distances.items() if key != "mega-city"}
    assert result.rule == "mega-metro"
    assert result.runner_up == min(others, key=others.__getitem__)


@pytest.mark.parametrize(
    "changes",
    [{"gawc_tier": "Alpha+"}, {"niche": "sport"}, {"metro_population": -1}, {"metro_population": 2.5e6}],
)
def test_a_profile_outside_the_vocabulary_is_refused(changes):
    with pytest.raises(ValueError):
        profile(**changes)


def test_every_rule_has_a_description():
    assert set(RULE_DESCRIPTIONS) == {
        "declined-historic-role",
        "gawc-alpha-top",
        "large-metro-strong-presence",
        "mega-metro",
        "small-with-niche",
        "ambitious-secondary",
        "nearest-prototype",
    }


SCORES = st.none() | st.decimals(min_value=0, max_value=100, places=2)
PROFILES = st.builds(
    CityProfile,
    metro_population=st.integers(min_value=0, max_value=60_000_000),
    is_capital=st.booleans(),
    is_largest_city=st.booleans(),
    gawc_tier=st.sampled_from(GAWC_TIERS),
    niche=st.sampled_from(NICHES),
    past_role_declined=st.booleans(),
)


@given(PROFILES, SCORES, SCORES)
def test_every_profile_gets_one_of_the_five_types(city, presence, connectivity):
    result = classify(city, presence, connectivity, CALIBRATION)

    assert result.city_type in CITY_TYPE_KEYS
    assert result.runner_up in CITY_TYPE_KEYS
    assert result.runner_up != result.city_type
    assert result.rule in RULE_DESCRIPTIONS
    assert list(result.distances) == list(CITY_TYPE_KEYS)
    assert all(distance >= 0 and math.isfinite(distance) for distance in result.distances.values())
    assert result.explanation.endswith(".")


def test_the_gawc_tier_choices_are_the_tiers_of_the_one_order():
    assert set(GawcTier.values) == set(GAWC_TIER_ORDER)
