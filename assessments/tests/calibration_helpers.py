"""A calibration for tests: the README's proposal, built in code."""

from decimal import Decimal

from assessments.calibration import Bands, Calibration, CityTypeCalibration, PeerGroupRules, PolicyTheme, Prototype


def _default_prototype(metro: int, capital: str, largest: str, niche: str, declined: str, tier: str) -> Prototype:
    return Prototype(metro, Decimal(capital), Decimal(largest), Decimal(niche), Decimal(declined), tier)


# The README's proposal, which the tests take as a known calibration; the file's own section is what counts for a
# loaded questionnaire (test_calibration checks that the README states this one).
DEFAULT_CALIBRATION = Calibration(
    bands=Bands(low_below=Decimal(40), high_from=Decimal(70)),
    not_applicable_max_share=Decimal("0.5"),
    evidence_required_from=Decimal(75),
    framework_points={"present": Decimal(100), "partial": Decimal(50), "absent": Decimal(0)},
    size_bands=(500_000, 1_000_000, 3_000_000, 10_000_000),
    peer_groups=PeerGroupRules(min_for_aggregates=5, min_for_extremes=10, hand_picked_max=50, year_window=2),
    policy_themes=(
        PolicyTheme(
            key="leadership-governance",
            name="Leadership & Governance",
            dimensions=("leadership-governance",),
            include_framework=True,
        ),
        PolicyTheme(
            key="internationalisation",
            name="Internationalisation",
            dimensions=("global-presence", "talent-education", "connectivity-flows"),
        ),
        PolicyTheme(
            key="managing-diversity",
            name="Managing Diversity",
            dimensions=(
                "international-population",
                "welcome-entry",
                "integration-inclusion",
                "intercultural-climate",
                "quality-cost-of-living",
            ),
        ),
    ),
    city_type=CityTypeCalibration(
        world_city_tiers=("alpha++", "alpha+"),
        world_city_metro_min=5_000_000,
        world_city_global_presence_min=Decimal(80),
        world_city_connectivity_min=Decimal(80),
        mega_city_metro_min=10_000_000,
        niche_hub_metro_below=2_000_000,
        secondary_city_metro_min=1_000_000,
        metro_scale_max=40_000_000,
        prototypes={
            "world-city": _default_prototype(10_000_000, "1", "1", "0.5", "0", "alpha+"),
            "mega-city": _default_prototype(20_000_000, "0.5", "1", "0", "0", "alpha"),
            "niche-hub": _default_prototype(1_000_000, "0", "0.5", "1", "0", "beta"),
            "secondary-city": _default_prototype(2_500_000, "0", "0", "0", "0", "beta"),
            "historic-world-city": _default_prototype(5_000_000, "1", "1", "0.5", "1", "alpha"),
        },
    ),
)
