"""The shipped rule set: covers the method, links case studies that illustrate it, is written in its own words."""

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from casestudies.content_languages import SOURCE_LANGUAGE, localized, translations
from opencities.vocabulary import BAND_KEYS, CITY_TYPE_KEYS, CITY_TYPES, DIMENSIONS, RECOMMENDATION_THEMES
from recommendations.models import FRAMEWORK_ELEMENTS, RecommendationRule, comma_separated
from recommendations.resources import COLUMNS as RULE_COLUMNS
from recommendations.rules import PRIORITIES, DimensionInput, FrameworkInput, Rule, framework_gaps, recommend

APP = Path(__file__).resolve().parents[1]
RULES_FILE = APP / "data" / "rules.json"
CASE_STUDIES_FILE = APP.parent / "casestudies" / "data" / "case-studies.json"
FACTS_FILE = APP.parent / "casestudies" / "data" / "case-study-facts.md"
# The import's columns but "is_active": a rule in the shipped file is active.
COLUMNS = set(RULE_COLUMNS) - {"is_active"}

SHIPPED = json.loads(RULES_FILE.read_text(encoding="utf-8"))
CASE_STUDIES = {entry["slug"]: entry for entry in json.loads(CASE_STUDIES_FILE.read_text(encoding="utf-8"))}
THEME_NAMES = {theme.key: str(theme.name) for theme in RECOMMENDATION_THEMES}


def words(text: str) -> list[str]:
    return re.findall(r"[\w']+", re.sub(r"https?://\S+", " ", text.lower()))


def as_rule(row: dict) -> Rule:
    """A row of the file as the engine sees it (what selectors.active_rules builds from the database)."""
    return Rule(
        key=row["key"],
        title=row["title_en"],
        theme_key=row["theme"],
        theme_name=THEME_NAMES[row["theme"]],
        dimension_keys=tuple(comma_separated(row["dimensions"])),
        bands=tuple(comma_separated(row["bands"])),
        framework_elements=tuple(comma_separated(row["framework_elements"])),
        city_types=tuple(comma_separated(row["city_types"])),
        priority=int(row["priority"]),
        text=row["text_en"],
        actions=row["actions_en"],
        case_study_slugs=tuple(comma_separated(row["case_studies"])),
    )


def test_each_row_has_the_columns_as_strings_and_its_own_key():
    for row in SHIPPED:
        assert set(row) == COLUMNS, row["key"]
        assert all(isinstance(value, str) for value in row.values()), row["key"]
    rule_keys = [row["key"] for row in SHIPPED]
    assert len(rule_keys) == len(set(rule_keys))
    assert 25 <= len(SHIPPED) <= 35


def test_the_rules_cover_every_theme_dimension_and_framework_element_with_known_keys():
    themes = {row["theme"] for row in SHIPPED}
    dimensions = {key for row in SHIPPED for key in comma_separated(row["dimensions"])}
    elements = {key for row in SHIPPED for key in comma_separated(row["framework_elements"])}
    types = {key for row in SHIPPED for key in comma_separated(row["city_types"])}
    assert themes == set(THEME_NAMES)
    assert dimensions == {dimension.key for dimension in DIMENSIONS}
    assert elements == set(FRAMEWORK_ELEMENTS)
    assert types == {city_type.key for city_type in CITY_TYPES}
    assert {band for row in SHIPPED for band in comma_separated(row["bands"])} <= set(BAND_KEYS)
    assert {row["priority"] for row in SHIPPED} == {"1", "2", "3"}


@pytest.mark.parametrize("row", SHIPPED, ids=lambda row: row["key"])
def test_each_rule_has_a_plain_text_of_60_to_150_words_and_three_to_five_first_steps(row):
    assert 60 <= len(words(row["text_en"])) <= 150
    bullets = row["actions_en"].split("\n")
    assert 3 <= len(bullets) <= 5 and all(bullet.startswith("- ") for bullet in bullets)


@pytest.mark.parametrize("row", SHIPPED, ids=lambda row: row["key"])
@pytest.mark.parametrize("language", translations())
def test_each_rule_is_translated_with_the_same_first_steps(row, language):
    for field in ("title", "text", "actions"):
        assert row[localized(field, language)].strip(), f"{field} has no {language} text"
        assert row[localized(field, language)] != row[localized(field, SOURCE_LANGUAGE)], f"{field} is English"
    bullets = row[localized("actions", language)].split("\n")
    assert len(bullets) == len(row["actions_en"].split("\n")) and all(bullet.startswith("- ") for bullet in bullets)


@pytest.mark.parametrize("row", SHIPPED, ids=lambda row: row["key"])
def test_the_french_keeps_the_figures_of_the_english(row):
    for field in ("title", "text", "actions"):
        french = row[f"{field}_fr"].replace("\u202f", " ").replace("\xa0", " ")
        for number in re.findall(r"\d[\d,.]*\d|\d", row[f"{field}_en"]):
            assert number.replace(",", " ").replace(".", ",") in french, (field, number)


def _named_in(case_study: dict, text: str) -> bool:
    title_start = re.split(r":| \(| and ", case_study["title_en"])[0]
    city = case_study["city"].split(" am ")[0]  # "Frankfurt am Main" is "Frankfurt" in running text
    return city in text or title_start in text


@pytest.mark.parametrize("row", SHIPPED, ids=lambda row: row["key"])
def test_each_rule_links_shipped_case_studies_that_share_its_subject_or_that_its_text_cites(row):
    slugs = comma_separated(row["case_studies"])
    assert slugs and len(slugs) == len(set(slugs))
    for slug in slugs:
        case_study = CASE_STUDIES[slug]
        shares = row["theme"] in comma_separated(case_study["themes"]) or set(comma_separated(row["dimensions"])) & set(
            comma_separated(case_study["dimensions"])
        )
        assert shares or _named_in(case_study, row["text_en"]), slug


# London is the reference point of a linked fact ("the first route from a British airport other than London's").
CITED_WITHOUT_A_LINK = {"connectivity-direct-routes": {"London"}, "connectivity-secondary-city": {"London"}}


@pytest.mark.parametrize("row", SHIPPED, ids=lambda row: row["key"])
def test_a_city_whose_case_study_a_rule_cites_is_linked_to_it(row):
    linked_cities = {CASE_STUDIES[slug]["city"] for slug in comma_separated(row["case_studies"])}
    for city in {entry["city"] for entry in CASE_STUDIES.values()} - linked_cities:
        if city in CITED_WITHOUT_A_LINK.get(row["key"], ()):
            continue
        assert not re.search(rf"\b{re.escape(city.split(' am ')[0])}\b", row["text_en"]), city


def test_no_run_of_eight_words_is_copied_from_the_facts_file():
    facts = words(FACTS_FILE.read_text(encoding="utf-8"))
    runs = {tuple(facts[start : start + 8]) for start in range(len(facts) - 7)}
    copied = []
    for row in SHIPPED:
        for column in ("title_en", "text_en", "actions_en", "title_fr", "text_fr", "actions_fr"):
            text = words(row[column])
            copied += [
                (row["key"], " ".join(text[start : start + 8]))
                for start in range(len(text) - 7)
                if tuple(text[start : start + 8]) in runs
            ]
    assert copied == []


# --- The shipped rules realise the tailoring by type (docs/method.md#tailoring-by-type) ---


def weak_city(city_type: str):
    """A city in the low band everywhere, with no peer group and no framework element in place."""
    dimensions = [DimensionInput(d.key, str(d.name), Decimal(30), "low") for d in DIMENSIONS]
    framework = [FrameworkInput(key, key, "absent") for key in FRAMEWORK_ELEMENTS]
    return dimensions, framework, city_type


@pytest.mark.parametrize(
    ("city_type", "first_themes"),
    [
        pytest.param("niche-hub", ["talent", "investment-brand", "welcome-centre"], id="niche-hub"),
        pytest.param(
            "secondary-city", ["entry-advocacy", "connectivity-visitors", "openness-strategy"], id="secondary-city"
        ),
        pytest.param(
            "mega-city",
            ["language-learning", "employability-entrepreneurship", "housing-mixing", "anti-discrimination"],
            id="mega-city",
        ),
        pytest.param(
            "historic-world-city", ["investment-brand", "international-events", "openness-strategy"], id="historic"
        ),
        pytest.param(
            "world-city",
            ["talent", "quality-cost-of-living", "anti-discrimination", "housing-mixing"],
            id="world-city",
        ),
    ],
)
def test_a_weak_city_of_each_type_sees_its_types_themes_first(city_type, first_themes):
    chosen = recommend([as_rule(row) for row in SHIPPED], *weak_city(city_type))
    assert [recommendation.rule.theme_key for recommendation in chosen][: len(first_themes)] == first_themes
    assert {recommendation.rule.theme_key for recommendation in chosen} == set(THEME_NAMES)  # every theme, every type


@pytest.mark.parametrize("city_type", CITY_TYPE_KEYS)
@pytest.mark.parametrize("element", FRAMEWORK_ELEMENTS)
def test_every_framework_element_has_an_active_shipped_rule_closing_it_for_every_city_type(element, city_type):
    closing = [as_rule(row) for row in SHIPPED]
    assert any(element in candidate.framework_elements and candidate.suits(city_type) for candidate in closing)
    # and the engine picks one even when this is the only gap and every theme's best rule was fired by a low score,
    # so the report's framework table never shows a gap without a recommendation
    dimensions, _framework, _type = weak_city(city_type)
    framework = [FrameworkInput(key, key, "absent" if key == element else "present") for key in FRAMEWORK_ELEMENTS]
    (gap,) = framework_gaps(framework, recommend(closing, dimensions, framework, city_type))
    assert gap.closed_by


def test_a_niche_hub_gets_talent_and_brand_before_any_event_and_never_the_mega_event_rules():
    chosen = recommend([as_rule(row) for row in SHIPPED], *weak_city("niche-hub"))
    order = [recommendation.rule.theme_key for recommendation in chosen]
    assert order.index("talent") < order.index("investment-brand") < order.index("international-events")
    events = next(
        recommendation.rule for recommendation in chosen if recommendation.rule.theme_key == "international-events"
    )
    assert events.key == "international-events-niche"


def test_the_engine_knows_the_priorities_of_the_rule_model():
    assert tuple(RecommendationRule.Priority.values) == PRIORITIES
