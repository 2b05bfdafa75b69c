"""Which recommendation rules fire for a city, why, and in what order (see docs/method.md#recommendations).

Pure: plain rules, scores and framework statuses in; recommendations with their reasons out.

A rule fires when the city's type is among its types (none listed: every type) and either one of its
dimensions scored in one of its bands or one of its framework elements is absent, partial or not answered.
Each rule appears once, with every reason that fired it, and each theme once: the best of its rules by
the order below; then, for each framework gap no chosen rule closes, the first fired rule that closes it,
even in a theme already recommended. The order is stable and total:

1. priority (1 high, 2 medium, 3 low);
2. the city type's preferred themes first, in `TYPE_THEME_PREFERENCE` order (the tailoring by type);
3. the largest gap below the peer median among the rule's triggering dimensions; with no peer median,
   the lowest triggering score; rules fired only by framework gaps come after those fired by scores;
4. the rule key.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from assessments.numbers import figure
from assessments.scoring import FRAMEWORK_STATUSES, round_half_up
from opencities.languages import in_sentence
from opencities.vocabulary import BAND_KEYS, BAND_WORDS, CITY_TYPE_KEYS

# RecommendationRule.Priority's values; the engine imports no model, so a test holds the two equal.
PRIORITIES = (1, 2, 3)
NOT_ANSWERED = "not answered"
GAP_STATUSES = ("absent", "partial")

# The tailoring by type (docs/method.md#tailoring-by-type), a judgement: within one priority, these themes come first.
TYPE_THEME_PREFERENCE: dict[str, tuple[str, ...]] = {
    # Retention and inclusion: keep the talent it already draws, and keep the city livable and fair for it.
    "world-city": (
        "talent",
        "students-graduates",
        "quality-cost-of-living",
        "anti-discrimination",
        "participation",
        "housing-mixing",
    ),
    # Integration at scale: language, work, housing and anti-discrimination for very large numbers.
    "mega-city": (
        "language-learning",
        "employability-entrepreneurship",
        "housing-mixing",
        "anti-discrimination",
        "welcome-centre",
        "newcomer-unit",
    ),
    # Talent and brand before mega-events: a small hub wins on its niche, not on size.
    "niche-hub": (
        "talent",
        "students-graduates",
        "investment-brand",
        "welcome-centre",
        "connectivity-visitors",
        "international-events",
    ),
    # Advocacy and connectivity: the national system and the missing links are what hold it back.
    "secondary-city": (
        "entry-advocacy",
        "connectivity-visitors",
        "investment-brand",
        "talent",
        "students-graduates",
        "international-events",
    ),
    # Presence and brand: making the world notice the city again.
    "historic-world-city": (
        "investment-brand",
        "international-events",
        "connectivity-visitors",
        "talent",
        "students-graduates",
    ),
}
CITY_TYPES: tuple[str, ...] = CITY_TYPE_KEYS


def _as_tuple(instance, *names: str) -> None:
    for name in names:
        object.__setattr__(instance, name, tuple(getattr(instance, name)))


@dataclass(frozen=True)
class Rule:
    key: str
    title: str
    theme_key: str
    theme_name: str
    dimension_keys: tuple[str, ...]
    bands: tuple[str, ...]
    framework_elements: tuple[str, ...]
    city_types: tuple[str, ...]  # empty = every type
    priority: int  # 1 high, 2 medium, 3 low
    text: str
    actions: str
    case_study_slugs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _as_tuple(self, "dimension_keys", "bands", "framework_elements", "city_types", "case_study_slugs")
        unknown_bands = [band for band in self.bands if band not in BAND_KEYS]
        if unknown_bands:
            raise ValueError(f"rule {self.key!r}: unknown bands {unknown_bands}; use {', '.join(BAND_KEYS)}")
        unknown_types = [city_type for city_type in self.city_types if city_type not in CITY_TYPES]
        if unknown_types:
            raise ValueError(f"rule {self.key!r}: unknown city types {unknown_types}")
        if self.priority not in PRIORITIES:
            raise ValueError(f"rule {self.key!r}: priority must be 1, 2 or 3, got {self.priority!r}")

    def suits(self, city_type: str) -> bool:
        return not self.city_types or city_type in self.city_types


@dataclass(frozen=True)
class DimensionInput:
    key: str
    name: str
    score: Decimal | None
    band: str | None  # "low", "medium", "high"; None when not scored
    peer_median: Decimal | None = None

    def __post_init__(self) -> None:
        if self.band is not None and self.band not in BAND_KEYS:
            raise ValueError(f"dimension {self.key!r}: unknown band {self.band!r}; use {', '.join(BAND_KEYS)}")
        if self.band is not None and self.score is None:
            raise ValueError(f"dimension {self.key!r}: a band needs a score")
        for what, value in (("score", self.score), ("peer median", self.peer_median)):
            if value is not None and not (isinstance(value, Decimal) and value.is_finite() and 0 <= value <= 100):
                raise ValueError(f"dimension {self.key!r}: the {what} must be a Decimal from 0 to 100, got {value!r}")


@dataclass(frozen=True)
class FrameworkInput:
    key: str
    name: str
    status: str | None  # "present", "partial", "absent"; None when not answered

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in FRAMEWORK_STATUSES:
            raise ValueError(f"framework element {self.key!r}: unknown status {self.status!r}")

    @property
    def gap_status(self) -> str | None:
        """The element's status as a gap (absent, partial or not answered); None when it is present."""
        if self.status is None:
            return NOT_ANSWERED
        return self.status if self.status in GAP_STATUSES else None


@dataclass(frozen=True)
class Recommendation:
    rule: Rule
    reasons: tuple[str, ...]  # plain words, one per trigger
    dimension_keys: tuple[str, ...]  # the dimensions that triggered it
    framework_gaps: tuple[str, ...]  # the framework elements it closes that are absent, partial or not answered


@dataclass(frozen=True)
class FrameworkGap:
    key: str
    name: str
    status: str  # "absent", "partial" or "not answered"
    closed_by: tuple[str, ...]  # rule keys of the chosen recommendations that close it


def _one_decimal(value: Decimal) -> str:
    return figure(value, places=1)  # rounded half up, in the language's way (49,5 in French)


def dimension_reason(dimension: DimensionInput) -> str:
    """Why a dimension fired a rule, with scores to one decimal place as the platform shows them."""
    values = {"name": dimension.name, "score": _one_decimal(dimension.score), "band": str(BAND_WORDS[dimension.band])}
    if dimension.peer_median is None:
        return _("%(name)s scored %(score)s, in the %(band)s band") % values
    # Compared as shown, so that "55.0, below your peer median of 55.0" can never be printed.
    shown_score, shown_median = round_half_up(dimension.score), round_half_up(dimension.peer_median)
    values["median"] = _one_decimal(dimension.peer_median)
    if shown_score < shown_median:
        return _("%(name)s scored %(score)s, below your peer median of %(median)s") % values
    if shown_score == shown_median:
        return _("%(name)s scored %(score)s, in the %(band)s band and at your peer median of %(median)s") % values
    return _("%(name)s scored %(score)s, in the %(band)s band and above your peer median of %(median)s") % values


def framework_reason(element: FrameworkInput) -> str:
    """Why a framework gap fired a rule, in the element's own name."""
    values = {"name": in_sentence(element.name)}
    if element.status == "absent":
        return _("Your strategic framework has no %(name)s (absent)") % values
    if element.status == "partial":
        return _("Your strategic framework has %(name)s only in part (partial)") % values
    return _("Your strategic framework review leaves %(name)s unmarked (not answered)") % values


def _by_key(items, what: str) -> dict:
    found = {}
    for item in items:
        if item.key in found:
            raise ValueError(f"{what} {item.key!r} is given twice")
        found[item.key] = item
    return found


def _unique_rules(rules: Sequence[Rule]) -> list[Rule]:
    # The same rule twice is harmless; two different rules under one key would make the result depend on order.
    by_key: dict[str, Rule] = {}
    for rule in rules:
        if rule.key in by_key and by_key[rule.key] != rule:
            raise ValueError(f"two different rules share the key {rule.key!r}")
        by_key.setdefault(rule.key, rule)
    return list(by_key.values())


def _fire(rule: Rule, dimensions: dict[str, DimensionInput], framework: dict[str, FrameworkInput]):
    """The recommendation a rule makes for these scores and this framework, or None."""
    triggering = [
        dimensions[key]
        for key in rule.dimension_keys
        if key in dimensions and dimensions[key].band is not None and dimensions[key].band in rule.bands
    ]
    gaps = [framework[key] for key in rule.framework_elements if key in framework and framework[key].gap_status]
    if not triggering and not gaps:
        return None
    return Recommendation(
        rule=rule,
        reasons=tuple(dimension_reason(d) for d in triggering) + tuple(framework_reason(e) for e in gaps),
        dimension_keys=tuple(d.key for d in triggering),
        framework_gaps=tuple(element.key for element in gaps),
    )


def _urgency(recommendation: Recommendation, dimensions: dict[str, DimensionInput]) -> tuple:
    """Smaller is more urgent: a gap below the peer median, then a low score, then framework gaps only."""
    triggering = [dimensions[key] for key in recommendation.dimension_keys]
    gaps = [d.peer_median - d.score for d in triggering if d.peer_median is not None]
    if gaps:
        return (0, -max(gaps))
    if triggering:
        return (1, min(d.score for d in triggering))
    return (2, Decimal(0))


def _order(recommendation: Recommendation, dimensions: dict[str, DimensionInput], preference: tuple[str, ...]):
    rule = recommendation.rule
    preferred = preference.index(rule.theme_key) if rule.theme_key in preference else len(preference)
    return (rule.priority, preferred, _urgency(recommendation, dimensions), rule.key)


def recommend(
    rules: Sequence[Rule],
    dimensions: Sequence[DimensionInput],
    framework: Sequence[FrameworkInput],
    city_type: str,
    *,
    limit: int | None = None,
) -> list[Recommendation]:
    """The recommendations for a city of this type, best first, each with its reasons: one per theme, and one for
    every framework gap the others leave open.

    Only the framework elements passed in count: an element missing from `framework` was not reviewed.
    """
    if city_type not in TYPE_THEME_PREFERENCE:
        raise ValueError(f"unknown city type {city_type!r}; use one of {', '.join(CITY_TYPES)}")
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be 0 or more, got {limit}")
    scores = _by_key(dimensions, "dimension")
    elements = _by_key(framework, "framework element")
    fired = [
        recommendation
        for rule in _unique_rules(rules)
        if rule.suits(city_type) and (recommendation := _fire(rule, scores, elements)) is not None
    ]
    preference = TYPE_THEME_PREFERENCE[city_type]
    fired.sort(key=lambda recommendation: _order(recommendation, scores, preference))
    best_of_theme: dict[str, Recommendation] = {}
    for recommendation in fired:
        best_of_theme.setdefault(recommendation.rule.theme_key, recommendation)
    chosen = list(best_of_theme.values())
    chosen += _closing_open_gaps(fired, chosen, framework)
    chosen.sort(key=lambda recommendation: _order(recommendation, scores, preference))
    return chosen if limit is None else chosen[:limit]


def _closing_open_gaps(
    fired: Sequence[Recommendation], chosen: Sequence[Recommendation], framework: Sequence[FrameworkInput]
) -> list[Recommendation]:
    """For each framework gap that no chosen recommendation closes, the first fired rule that does.

    One per theme would otherwise leave a gap with nothing to do about it, because the theme's best rule was
    fired by a score and closes other elements; a report must never list a gap with no recommendation.
    """
    closed = {key for recommendation in chosen for key in recommendation.framework_gaps}
    taken = {recommendation.rule.key for recommendation in chosen}
    added = []
    for element in framework:
        if not element.gap_status or element.key in closed:
            continue
        closer = next(
            (
                recommendation
                for recommendation in fired
                if element.key in recommendation.framework_gaps and recommendation.rule.key not in taken
            ),
            None,
        )
        if closer is not None:
            added.append(closer)
            taken.add(closer.rule.key)
            closed.update(closer.framework_gaps)
    return added


def framework_gaps(
    framework: Sequence[FrameworkInput], recommendations: Sequence[Recommendation]
) -> list[FrameworkGap]:
    """Every element that is absent, partial or not answered, in the checklist's order, with the rules closing it."""
    _by_key(framework, "framework element")
    return [
        FrameworkGap(
            key=element.key,
            name=element.name,
            status=element.gap_status,
            closed_by=tuple(
                recommendation.rule.key
                for recommendation in recommendations
                if element.key in recommendation.rule.framework_elements
            ),
        )
        for element in framework
        if element.gap_status
    ]
