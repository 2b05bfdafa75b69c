"""The calibration section: read from the questionnaire file, checked key by key, and stored without loss."""

import copy
import json
import pickle
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments.calibration import Calibration
from assessments.citytype import CITY_TYPE_KEYS
from assessments.tests.calibration_helpers import DEFAULT_CALIBRATION
from opencities.vocabulary import DIMENSION_KEYS

README = Path(__file__).resolve().parents[1] / "questionnaires" / "README.md"


def readme_calibration() -> dict:
    """The `[calibration]` tables of the README's example file (the rest of the example has placeholders)."""
    example = README.read_text(encoding="utf-8").split("```toml", 1)[1].split("```", 1)[0]
    section = example[example.index("[calibration]") : example.index("[[dimensions]]")]
    return tomllib.loads(section)["calibration"]


def table() -> dict:
    return copy.deepcopy(DEFAULT_CALIBRATION.to_dict())


def at(data: dict, path: str) -> tuple[dict, str]:
    *parents, last = path.split("/")
    for key in parents:
        data = data[key]
    return data, last


def test_the_default_is_the_readmes_calibration():
    assert Calibration.from_dict(readme_calibration()) == DEFAULT_CALIBRATION


def test_the_default_holds_domain_mds_numbers():
    calibration = DEFAULT_CALIBRATION
    assert (calibration.bands.low_below, calibration.bands.high_from) == (40, 70)
    assert calibration.not_applicable_max_share == Decimal("0.5")
    assert dict(calibration.framework_points) == {"present": 100, "partial": 50, "absent": 0}
    assert calibration.size_bands == (500_000, 1_000_000, 3_000_000, 10_000_000)
    assert list(calibration.city_type.prototypes) == list(CITY_TYPE_KEYS)
    mega = calibration.city_type.prototypes["mega-city"]
    assert (mega.metro, mega.capital, mega.largest, mega.niche, mega.declined, mega.tier) == (
        20_000_000,
        Decimal("0.5"),
        1,
        0,
        0,
        "alpha",
    )


def test_each_dimension_belongs_to_exactly_one_policy_theme():
    listed = [key for theme in DEFAULT_CALIBRATION.policy_themes for key in theme.dimensions]
    assert sorted(listed) == sorted(DIMENSION_KEYS)
    assert [theme.key for theme in DEFAULT_CALIBRATION.policy_themes if theme.include_framework] == [
        "leadership-governance"
    ]


def test_to_dict_round_trips_through_json():
    stored = json.loads(json.dumps(DEFAULT_CALIBRATION.to_dict()))
    assert Calibration.from_dict(stored) == DEFAULT_CALIBRATION


def test_a_calibration_is_an_immutable_value():
    with pytest.raises(TypeError):
        DEFAULT_CALIBRATION.framework_points["present"] = Decimal(0)
    with pytest.raises(TypeError):
        DEFAULT_CALIBRATION.city_type.prototypes["niche-hub"] = None
    assert hash(DEFAULT_CALIBRATION) == hash(Calibration.from_dict(table()))
    # Our own bytes, so that a stored or cached calibration comes back equal.
    assert pickle.loads(pickle.dumps(DEFAULT_CALIBRATION)) == DEFAULT_CALIBRATION  # noqa: S301
    assert copy.deepcopy(DEFAULT_CALIBRATION) == DEFAULT_CALIBRATION


def test_floats_and_decimal_strings_read_exactly():
    data = table()
    data["not_applicable_max_share"] = 0.1
    data["city_type"]["prototypes"]["niche-hub"]["largest"] = "0.35"
    calibration = Calibration.from_dict(data)

    assert calibration.not_applicable_max_share == Decimal("0.1")
    assert calibration.city_type.prototypes["niche-hub"].largest == Decimal("0.35")
    assert Calibration.from_dict(json.loads(json.dumps(calibration.to_dict()))) == calibration


@given(
    low=st.decimals(min_value=0, max_value=100, places=3),
    width=st.decimals(min_value=0, max_value=100, places=3),
    share=st.decimals(min_value=0, max_value=1, places=4),
    capital=st.decimals(min_value=0, max_value=1, places=3),
)
def test_any_valid_calibration_round_trips(low, width, share, capital):
    data = table()
    data["bands"] = {"low_below": str(low), "high_from": str(min(low + width, Decimal(100)))}
    data["not_applicable_max_share"] = str(share)
    data["city_type"]["prototypes"]["mega-city"]["capital"] = str(capital)
    calibration = Calibration.from_dict(data)

    assert Calibration.from_dict(json.loads(json.dumps(calibration.to_dict()))) == calibration


@pytest.mark.parametrize(
    "path",
    [
        "bands",
        "bands/low_below",
        "bands/high_from",
        "not_applicable_max_share",
        "evidence_required_from",
        "framework_points/partial",
        "size_bands",
        "peer_groups/year_window",
        "policy_themes/internationalisation/name",
        "policy_themes/managing-diversity/dimensions",
        "city_type/world_city_tiers",
        "city_type/metro_scale_max",
        "city_type/prototypes",
        "city_type/prototypes/secondary-city",
        "city_type/prototypes/mega-city/metro",
        "city_type/prototypes/historic-world-city/tier",
    ],
)
def test_a_missing_key_is_named_by_its_path(path):
    data = table()
    parent, key = at(data, path)
    del parent[key]

    expected = "calibration." + path.replace("/", ".") + " is missing"
    with pytest.raises(ValueError) as refused:
        Calibration.from_dict(data)
    assert str(refused.value) == expected


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("bands/low_below", "forty", "calibration.bands.low_below must be a number"),
        ("bands/low_below", True, "calibration.bands.low_below must be a number"),
        ("bands/low_below", "NaN", "calibration.bands.low_below must be a finite number"),
        ("bands/low_below", 80, "calibration.bands.low_below (80) must not exceed high_from (70)"),
        ("bands/high_from", 101, "calibration.bands.high_from must be between 0 and 100"),
        ("bands/lowbelow", 40, "calibration.bands.lowbelow is not a known key"),
        ("colour", "blue", "calibration.colour is not a known key"),
        ("not_applicable_max_share", 1.5, "calibration.not_applicable_max_share must be between 0 and 1"),
        ("framework_points", "generous", "calibration.framework_points must be a table"),
        ("framework_points/missing", 0, "calibration.framework_points.missing is not a known key"),
        ("size_bands", [], "calibration.size_bands must be a non-empty list"),
        ("size_bands", [1_000_000, 500_000], "calibration.size_bands[1] must be greater than the edge before it"),
        ("size_bands", [500_000, 1e6], "calibration.size_bands[1] must be a whole number"),
        ("peer_groups/min_for_aggregates", 0, "calibration.peer_groups.min_for_aggregates must be at least 1"),
        ("peer_groups/year_window", 2.0, "calibration.peer_groups.year_window must be a whole number"),
        ("policy_themes", {}, "calibration.policy_themes must define at least one theme"),
        (
            "policy_themes/internationalisation/include_framework",
            "yes",
            "calibration.policy_themes.internationalisation.include_framework must be true or false",
        ),
        (
            "policy_themes/internationalisation/dimensions",
            [],
            "calibration.policy_themes.internationalisation.dimensions is empty",
        ),
        (
            "policy_themes/internationalisation/dimensions",
            ["global-presence", "global-presence"],
            "calibration.policy_themes.internationalisation.dimensions lists a value twice",
        ),
        ("city_type/world_city_tiers", ["alpha++", "platinum"], "calibration.city_type.world_city_tiers[1]"),
        ("city_type/metro_scale_max", 1, "calibration.city_type.metro_scale_max must be at least 2"),
        ("city_type/prototypes/capital-city", {}, "calibration.city_type.prototypes.capital-city is not a known key"),
        ("city_type/prototypes/niche-hub/capital", 2, "calibration.city_type.prototypes.niche-hub.capital"),
        ("city_type/prototypes/niche-hub/tier", "unknown", "calibration.city_type.prototypes.niche-hub.tier"),
    ],
)
def test_an_invalid_value_is_named_by_its_path(path, value, message):
    data = table()
    parent, key = at(data, path)
    parent[key] = value

    with pytest.raises(ValueError) as refused:
        Calibration.from_dict(data)
    assert str(refused.value).startswith(message)


def test_the_calibration_itself_must_be_a_table():
    with pytest.raises(ValueError, match=r"^calibration must be a table"):
        Calibration.from_dict(["bands"])
