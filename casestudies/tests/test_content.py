"""Checks on the seed case studies (data/case-studies.json) that a reader of the library would notice.

No database: the file is read as JSON and compared with the sourced facts it was written from
(data/case-study-facts.md).
"""

import datetime
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from assessments.models import Region
from casestudies.content_languages import SOURCE_LANGUAGE, localized, translations
from casestudies.resources import COLUMNS
from opencities.vocabulary import CITY_TYPE_KEYS, DIMENSION_KEYS, RECOMMENDATION_THEME_KEYS

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
ENTRIES = json.loads((DATA_DIR / "case-studies.json").read_text(encoding="utf-8"))
FACTS = (DATA_DIR / "case-study-facts.md").read_text(encoding="utf-8")

# The shipped file has exactly the import's columns, in its order.
KEYS = list(COLUMNS)
TAG_FIELDS = {
    "dimensions": set(DIMENSION_KEYS),
    "city_types": set(CITY_TYPE_KEYS),
    "themes": set(RECOMMENDATION_THEME_KEYS),
}
URL_RE = re.compile(r"https?://\S+")
WORD_RE = re.compile(r"[\w']+")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
YEAR_RE = re.compile(r"^\d{4}$")
HTML_RE = re.compile(r"</?[a-zA-Z][^>]*>")
RUN = 8  # the longest run of words the copy may share with the facts file is RUN - 1
NUMBER_RE = re.compile(r"\d[\d,.]*\d|\d")


def french_number(number: str) -> str:
    """A number of the English as French writes it: 20,408 → 20 408, 1.5 → 1,5 (a year stays as it is)."""
    return number.replace(",", " ").replace(".", ",")


def entry_id(entry):
    return entry.get("slug", "?")


def clean_url(url):
    return url.rstrip(".,;)")


def words(text):
    return [word.lower() for word in WORD_RE.findall(URL_RE.sub(" ", text))]


def runs(text):
    found = words(text)
    return {tuple(found[i : i + RUN]) for i in range(len(found) - RUN + 1)}


FACT_RUNS = runs(FACTS)
FACT_URLS = {clean_url(url) for url in URL_RE.findall(FACTS)}


def tags(entry, field):
    return [key.strip() for key in entry[field].split(",") if key.strip()]


parametrize_entries = pytest.mark.parametrize("entry", ENTRIES, ids=entry_id)


def test_there_are_enough_published_entries():
    published = [entry for entry in ENTRIES if entry.get("status") == "published"]
    assert len(published) >= 25, f"only {len(published)} published case studies"


def test_slugs_are_unique():
    duplicates = [slug for slug, count in Counter(entry["slug"] for entry in ENTRIES).items() if count > 1]
    assert not duplicates, f"slugs used twice: {duplicates}"


@parametrize_entries
def test_entry_has_exactly_the_expected_string_fields(entry):
    assert list(entry) == KEYS, f"keys differ: {sorted(set(entry) ^ set(KEYS))}"
    not_strings = [key for key, value in entry.items() if not isinstance(value, str)]
    assert not not_strings, f"not strings: {not_strings}"


@parametrize_entries
def test_entry_basics(entry):
    assert SLUG_RE.match(entry["slug"]), f"not a lower-case ASCII slug: {entry['slug']!r}"
    assert entry["status"] == "published"
    assert entry["region"] in Region.values, f"unknown region {entry['region']!r}"
    for field in ("title_en", "city", "country", "summary_en", "what_was_done_en", "results_en", "cost_en"):
        assert entry[field].strip(), f"{field} is empty"
    assert entry["transferability_en"].strip(), "transferability_en is empty"
    for field in ("summary_en", "summary_fr"):
        assert len(entry[field]) <= 600, f"{field} has {len(entry[field])} characters"
    datetime.date.fromisoformat(entry["last_reviewed"])


@parametrize_entries
@pytest.mark.parametrize("language", translations())
def test_every_title_and_summary_is_translated(entry, language):
    for field in ("title", "summary"):
        assert entry[localized(field, language)].strip(), f"{field} has no {language} text"
    # A title may be a name the same in every language (Global Detroit); a summary never reads the same.
    assert entry[localized("summary", language)] != entry[localized("summary", SOURCE_LANGUAGE)], "summary is English"


@parametrize_entries
def test_the_french_keeps_the_figures_years_and_names_of_the_english(entry):
    """A translation changes the words, never the facts: each number and year of the English is in the French,
    written the French way (20 408, 1,5)."""
    for field in ("title", "summary"):
        english, french = entry[f"{field}_en"], entry[f"{field}_fr"]
        for number in NUMBER_RE.findall(english):
            assert french_number(number) in french.replace("\u202f", " ").replace("\xa0", " "), (field, number)


@parametrize_entries
def test_years_are_four_digits_in_order(entry):
    for field in ("year_start", "year_end"):
        assert not entry[field] or YEAR_RE.match(entry[field]), f"{field} is {entry[field]!r}"
    if entry["year_start"] and entry["year_end"]:
        assert entry["year_start"] <= entry["year_end"]


@parametrize_entries
def test_tags_are_known_keys_one_to_three_each(entry):
    for field, known in TAG_FIELDS.items():
        keys = tags(entry, field)
        assert 1 <= len(keys) <= 3, f"{field}: {keys}"
        assert len(set(keys)) == len(keys), f"{field} repeats a key: {keys}"
        assert set(keys) <= known, f"unknown {field}: {set(keys) - known}"


@pytest.mark.parametrize(("field", "minimum"), [("dimensions", 2), ("city_types", 2), ("themes", 1)])
def test_every_tag_is_used_often_enough(field, minimum):
    used = Counter(key for entry in ENTRIES for key in tags(entry, field))
    too_few = {key: used[key] for key in sorted(TAG_FIELDS[field]) if used[key] < minimum}
    assert not too_few, f"{field} used by fewer than {minimum} entries: {too_few}"


@parametrize_entries
def test_no_html_in_the_text(entry):
    offending = {key: HTML_RE.search(value).group() for key, value in entry.items() if HTML_RE.search(value)}
    assert not offending, f"HTML in {offending}"


@parametrize_entries
def test_sources_are_one_citation_per_line_ending_with_a_link(entry):
    lines = [line for line in entry["sources"].split("\n") if line.strip()]
    assert lines, "no sources"
    for line in lines:
        assert re.search(r"\S\s+https?://\S+$", line), f"not 'citation URL': {line!r}"


@parametrize_entries
def test_every_link_comes_from_the_facts_file(entry):
    invented = [url for value in entry.values() for url in URL_RE.findall(value) if clean_url(url) not in FACT_URLS]
    assert not invented, f"links not in the facts file: {invented}"


@parametrize_entries
def test_copy_is_not_lifted_from_the_facts_file(entry):
    for field, value in entry.items():
        shared = sorted(runs(value) & FACT_RUNS)
        assert not shared, f"{entry['slug']}.{field} repeats the facts file word for word: {' '.join(shared[0])!r}"
