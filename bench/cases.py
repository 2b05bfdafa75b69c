"""Benchmarks of the case-study library at scale: the public list at 100 and 10,000 entries, and the import.

The entries are generated from the shipped library (casestudies/data/case-studies.json): entry n takes
the length of every text field from shipped entry n modulo their number, and fills it with sentences
drawn from the same field of all shipped entries, so the bodies are as long as the shipped ones (and
their words the library's words) without 10,000 copies of the same few texts. Tags spread over the 9
dimensions, 15 themes and 5 city types, regions over the 7 regions, and 90% of the entries are published.

Every page asks for one dimension, one theme, one city type, one region and a two-word search. A share
of each set (MATCHING_SHARE: 15 of 100, 1,500 of 10,000) is written to match all of them, so both pages
show a full page of 12 cards and a pagination; no other entry matches.
"""

import csv
import io
import json
import random
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlencode

from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils.text import slugify

from assessments.models import Region
from casestudies.content_languages import SOURCE_LANGUAGE, localized
from casestudies.models import BODY_SECTIONS, CaseStudy, CityTypeTag, DimensionTag, RecommendationTheme
from casestudies.resources import COLUMNS, TRANSLATED_FIELDS, case_studies_import
from casestudies.selectors import LibraryFilters, library
from opencities.imports import read_dataset
from opencities.vocabulary import CITY_TYPE_KEYS, DIMENSION_KEYS, RECOMMENDATION_THEME_KEYS

from .pages import BASE_LAYOUT
from .registry import Job, Skip, benchmark
from .runner import BenchmarkError

SHIPPED = Path(__file__).resolve().parents[1] / "casestudies" / "data" / "case-studies.json"
POSTGRES_ONLY = "runs on PostgreSQL (set DATABASE_URL=postgres://…)"
CASES_100 = "cases-100"
BATCH = 1_000

# What each page asks for: every filter of the library and a search of two words.
DIMENSION = "welcome-entry"
THEME = "welcome-centre"
CITY_TYPE = "secondary-city"
SEARCH = "welcome centre"
# The words of SEARCH as PostgreSQL's English stemmer keeps them ("centres" and "welcomed" match too),
# which SQLite's icontains fallback also finds: an entry without both could match neither.
SEARCH_STEMS = ("welcom", "centr")
# Forms of the words of SEARCH that both databases find.
SEARCH_WORDS = (r"\bwelcome[sd]?\b", r"\bcentres?\b")
# A sentence that matches SEARCH, for a matching entry whose drawn text happens not to.
SEARCH_SENTENCE = "Newcomers are met at a welcome centre, which answers their first questions."
# cases-100 and cases-10000 stand side by side while cases-10000 is timed against cases-100, and the
# library has no "which set" filter: each set puts its matches in a region of its own, and no entry
# of either set that has the three tags and the search words lies in either of these two regions.
# The two pages send the same filters and search, only the region differs.
SMALL_REGION, LARGE_REGION = Region.OCEANIA.value, Region.EUROPE.value
MATCHING_SHARE = 0.15
PUBLISHED_SHARE = 0.9

# Places for the regions the shipped library has few entries of (or none), so that cities match regions.
EXTRA_PLACES = {
    Region.OCEANIA.value: (("Melbourne", "Australia"), ("Auckland", "New Zealand"), ("Adelaide", "Australia")),
    Region.AFRICA.value: (("Kigali", "Rwanda"), ("Accra", "Ghana")),
    Region.MIDDLE_EAST.value: (("Amman", "Jordan"), ("Doha", "Qatar")),
    Region.LATIN_AMERICA.value: (("Medellín", "Colombia"),),
}
TEXT_FIELDS = ("summary", *(name for name, _label in BODY_SECTIONS))
SUMMARY_LIMIT = 800  # the model's max_length, which the import checks
TAG_KINDS = (("dimensions", DimensionTag), ("themes", RecommendationTheme), ("city_types", CityTypeTag))
# How many tags of each kind an entry has, at least and at most.
TAG_COUNTS = {"dimensions": (1, 3), "themes": (1, 3), "city_types": (1, 2)}
TAGGED = {"dimensions": DIMENSION, "themes": THEME, "city_types": CITY_TYPE}


@cache
def shipped() -> tuple[dict, ...]:
    """The shipped library, as its JSON file gives it, with each text in English under its field's name (title, not
    title_en), as the generated rows carry it."""
    if not SHIPPED.is_file():
        raise BenchmarkError(f"The case-study benchmarks generate their entries from {SHIPPED}, which is missing.")
    return tuple(
        {**entry, **{field: entry[localized(field, SOURCE_LANGUAGE)] for field in TRANSLATED_FIELDS}}
        for entry in json.loads(SHIPPED.read_text(encoding="utf-8"))
    )


def _units(text: str) -> list[str]:
    """The sentences of a text, and its list items and headings whole."""
    units = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if _is_block(line):
            units.append(line)
        else:
            units += [part for part in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9“\"(])", line) if part]
    return units


@cache
def _pools() -> dict[str, tuple[str, ...]]:
    """Each text field's sentences, from every shipped entry."""
    return {name: tuple(unit for entry in shipped() for unit in _units(entry.get(name) or "")) for name in TEXT_FIELDS}


def _text(rng: random.Random, pool: tuple[str, ...], length: int) -> str:
    """Sentences drawn from the pool until the text is as near `length` characters as they bring it."""
    if not length or not pool:
        return ""
    units, total = [], 0
    while total < length:
        unit = rng.choice(pool)
        units.append(unit)
        total += len(unit) + 1
    if len(units) > 1 and total - length > length - (total - len(units[-1]) - 1):
        units.pop()  # nearer without the last one
    text = units[0]
    for previous, unit in pairwise(units):
        # List items and headings stay on lines of their own, so the text stays valid Markdown.
        text += "\n" if _is_block(unit) or _is_block(previous) else " "
        text += unit
    return text


def _is_block(unit: str) -> bool:
    return unit.startswith(("-", "*", "#")) or bool(re.match(r"\d+\.\s", unit))


def could_match(text: str) -> bool:
    """Whether a text might match SEARCH, on PostgreSQL or SQLite (a little more often than either)."""
    text = text.casefold()
    return all(stem in text for stem in SEARCH_STEMS)


def surely_matches(text: str) -> bool:
    """Whether a text matches SEARCH both on PostgreSQL and SQLite: each word, or its plural."""
    return all(re.search(pattern, text, flags=re.IGNORECASE) for pattern in SEARCH_WORDS)


def _sample(rng: random.Random, keys: list[str], kind: str) -> list[str]:
    low, high = TAG_COUNTS[kind]
    return rng.sample(keys, rng.randint(low, high))


TAG_KEYS = {
    "dimensions": list(DIMENSION_KEYS),
    "themes": list(RECOMMENDATION_THEME_KEYS),
    "city_types": list(CITY_TYPE_KEYS),
}


def rows(prefix: str, count: int, *, matches_in: str | None = None) -> list[dict]:
    """`count` entries as rows of the export (tags as lists of keys), slugs starting with `prefix`.

    With `matches_in`, a share MATCHING_SHARE of them (rounded) matches every filter of the pages, in
    that region; no other entry has the three tags and the search words in SMALL_REGION or LARGE_REGION.
    """
    rng = random.Random(f"bench-cases/{prefix}/{count}")
    entries, pools, keys = shipped(), _pools(), TAG_KEYS
    places = {region: list(cities) for region, cities in EXTRA_PLACES.items()}
    for entry in entries:
        places.setdefault(entry["region"], []).append((entry["city"], entry["country"]))
    regions = list(Region.values)
    matching = set(rng.sample(range(count), round(count * MATCHING_SHARE))) if matches_in else set()
    generated = []
    for number in range(count):
        source = entries[number % len(entries)]
        matches = number in matching
        tags = {kind: _sample(rng, keys[kind], kind) for kind in keys}
        if matches:
            for kind, key in TAGGED.items():
                if key not in tags[kind]:
                    tags[kind][0] = key
        texts = {name: _text(rng, pools[name], len(source.get(name) or "")) for name in TEXT_FIELDS}
        if len(texts["summary"]) > SUMMARY_LIMIT:
            texts["summary"] = texts["summary"][:SUMMARY_LIMIT].rsplit(" ", 1)[0]
        region = matches_in if matches else rng.choice(regions)
        city, country = rng.choice(places[region])
        year_start = rng.randint(1996, 2025)
        title = source["title"].replace(source["city"], city)
        title = f"{title} ({year_start})" if city in title else f"{title} ({city}, {year_start})"
        row = {
            "slug": f"{prefix}-{number:05d}-{slugify(title)}"[:120].rstrip("-"),
            "title": title[:200],
            "city": city,
            "country": country,
            "region": region,
            "year_start": year_start,
            "year_end": None if rng.random() < 0.4 else rng.randint(year_start, 2026),
            **tags,
            **texts,
            "sources": source["sources"],
            "status": CaseStudy.Status.PUBLISHED
            if matches or rng.random() < PUBLISHED_SHARE
            else CaseStudy.Status.DRAFT,
            "last_reviewed": date(2025, rng.randint(1, 12), rng.randint(1, 28)),
        }
        text = _document(row)
        if matches and not surely_matches(text):
            body = row["what_was_done"]
            row["what_was_done"] = SEARCH_SENTENCE + (("\n\n" if _is_block(body) else " ") + body if body else "")
        elif not matches and row["region"] in (SMALL_REGION, LARGE_REGION) and _has_the_filters(row, text):
            row["region"] = rng.choice([key for key in regions if key not in (SMALL_REGION, LARGE_REGION)])
            row["city"], row["country"] = rng.choice(places[row["region"]])
        generated.append(row)
    return generated


def _has_the_filters(row: dict, text: str) -> bool:
    return all(key in row[kind] for kind, key in TAGGED.items()) and could_match(text)


def _document(row: dict) -> str:
    return _instance(row).document()


def _instance(row: dict) -> CaseStudy:
    fields = {name: value for name, value in row.items() if name not in TAGGED}
    return CaseStudy(**{name: "" if value is None and name in TEXT_FIELDS else value for name, value in fields.items()})


def write(planned: list[dict]) -> list[CaseStudy]:
    """The entries with their tags, in a few bulk inserts, their search text as save() keeps it."""
    now = datetime.now(UTC)
    instances = []
    for row in planned:
        case_study = _instance(row)
        case_study.search_text = case_study.document()
        if case_study.status == CaseStudy.Status.PUBLISHED:
            case_study.published_at = now
        instances.append(case_study)
    created = CaseStudy.objects.bulk_create(instances, batch_size=BATCH)
    if any(case_study.pk is None for case_study in created):  # a database that returns no ids
        ids = dict(CaseStudy.objects.filter(slug__in=[row["slug"] for row in planned]).values_list("slug", "pk"))
        for case_study in created:
            case_study.pk = ids[case_study.slug]
    for kind, model in TAG_KINDS:
        ids = dict(model.objects.values_list("key", "pk"))
        relation = getattr(CaseStudy, kind)
        through, tag_column = relation.through, relation.field.m2m_reverse_field_name()
        through.objects.bulk_create(
            (
                through(casestudy_id=case_study.pk, **{f"{tag_column}_id": ids[key]})
                for case_study, row in zip(created, planned, strict=True)
                for key in row[kind]
            ),
            batch_size=BATCH * 4,
        )
    if connection.vendor == "postgresql":
        _as_autovacuum_leaves_it()
    return created


def _as_autovacuum_leaves_it():
    """Statistics of the new rows for the planner, and the search index's pending entries in the index proper.

    GIN takes new entries into a pending list that every search reads through, until autovacuum (or
    this) moves them into the index; an ANALYZE by hand does not. The benchmark runs in a transaction
    rolled back afterwards, so the statistics go with it.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list('casestudy_search_vector'::regclass)")
        for table in ("casestudies_casestudy", *(getattr(CaseStudy, kind).through._meta.db_table for kind in TAGGED)):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def filters(region: str) -> LibraryFilters:
    return LibraryFilters(dimension=DIMENSION, theme=THEME, city_type=CITY_TYPE, region=region, query=SEARCH)


def library_url(region: str) -> str:
    query = {"q": SEARCH, "dimension": DIMENSION, "theme": THEME, "type": CITY_TYPE, "region": region}
    return f"{reverse('casestudies:library')}?{urlencode(query)}"


@dataclass(frozen=True)
class LibrarySize:
    prefix: str
    count: int
    region: str

    def page(self) -> tuple[Client, str]:
        """The entries written, checked to give the page exactly its matches, and the page to time."""
        if connection.vendor != "postgresql":
            raise Skip(POSTGRES_ONLY)
        planned = rows(self.prefix, self.count, matches_in=self.region)
        write(planned)
        expected = round(self.count * MATCHING_SHARE)
        found = library(filters(self.region)).count()
        if found != expected:
            raise BenchmarkError(f"{self.prefix}: the filters match {found} entries, not the {expected} written to.")
        return Client(), library_url(self.region)


SMALL = LibrarySize("cases-small", 100, SMALL_REGION)
LARGE = LibrarySize("cases-large", 10_000, LARGE_REGION)


@benchmark(CASES_100, baseline=BASE_LAYOUT)
def cases_100():
    """The library filtered by every filter and searched, at 100 entries (15 match): the baseline of cases-10000."""
    return SMALL.page()


# A hundred times the entries and the matches, at most half as long again: the same five queries (the
# count, the page, the three kinds of tags of its 12 cards) whatever the size.
@benchmark("cases-10000", baseline=CASES_100, target=1.5, max_queries=8)
def cases_10000():
    """The same at 10,000 entries (1,500 match)."""
    return LARGE.page()


IMPORT_ROWS = 5_000
IMPORT_PREFIX = "cases-import"


def csv_text(planned: list[dict]) -> str:
    """The rows as the export writes them: its columns, tags by key, empty cells for none."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    english = {localized(field, SOURCE_LANGUAGE): field for field in TRANSLATED_FIELDS}
    for row in planned:
        cells = []
        for column in COLUMNS:
            value = row.get(english.get(column, column))  # another language's column stays empty
            if column in TAGGED:
                value = ", ".join(value)
            cells.append("" if value is None else str(value))
        writer.writerow(cells)
    return out.getvalue()


def import_job(count: int = IMPORT_ROWS, prefix: str = IMPORT_PREFIX) -> Job:
    """Importing a CSV of `count` new entries as an editor does in the admin: the dry run, then the import.

    Before each run, outside the timed part, the entries of the previous run are deleted, so every run
    imports `count` new entries into the same library.
    """
    # Removed when the job is let go of (the runner keeps it for its runs only).
    directory = tempfile.TemporaryDirectory(prefix="bench-cases-import-")
    path = Path(directory.name) / f"{prefix}.csv"
    path.write_text(csv_text(rows(prefix, count)), encoding="utf-8")

    def imported():
        # As the admin does it: the upload read and checked (the dry run), then on confirmation read again
        # and written. The directory lives as long as this function.
        for dry_run in (True, False):
            report = case_studies_import(read_dataset(Path(directory.name) / path.name), dry_run=dry_run)
            if not report.ok or report.new != count:
                step = "dry run" if dry_run else "import"
                problems = "; ".join(report.problems[:5]) or "no problem reported"
                raise BenchmarkError(f"The {step} gave {report.new} new rows, not {count}: {problems}")

    def prepare():
        CaseStudy.objects.filter(slug__startswith=f"{prefix}-").delete()
        return imported

    return Job(prepare=prepare, rows=count)


# The bound: 5,000 rows well inside 30 s, that is within 10 s. The writes are bulk, a query per
# batch: about 60 on PostgreSQL, 200 on SQLite (whose 999 parameters make batches of 45 entries); a
# query per row would be 5,000 more.
@benchmark("cases-import", min_rate=500, max_queries=250)
def cases_import():
    """A CSV of 5,000 new entries through the import editors use, dry run included: rows per second."""
    return import_job()
