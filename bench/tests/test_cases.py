"""The case-study benchmarks: skipped rows, throughput rows, the generated library and the import job."""

import re
import statistics
from collections import Counter

import pytest
from django.db import connection
from django.test import Client

from bench import cases
from bench.registry import BARE_VIEW, Benchmark, Job, Registry, Skip, as_page
from bench.report import FAIL, NOT_JUDGED, PASS, SKIPPED, Outcome, exit_status, format_median, format_table
from bench.runner import BenchmarkError, fetch, measure_job, prepare, run
from casestudies.models import CaseStudy
from casestudies.selectors import library

from .test_query_constancy import _difference, _queries

IMPORT = Benchmark("cases-import", lambda: None, baseline="cases-import", min_rate=500, max_queries=250)
PAGE = Benchmark("cases-10000", lambda: None, baseline=BARE_VIEW, target=1.5, max_queries=8)
POSTGRES_ONLY = "runs on PostgreSQL (set DATABASE_URL=postgres://…)"


# The harness: skipped benchmarks and throughput rows.


def test_a_skipped_benchmark_shows_its_reason_in_the_table_and_does_not_fail_the_run():
    outcomes = [
        Outcome(Benchmark(BARE_VIEW, lambda: None, baseline=BARE_VIEW), median=0.001, baseline_median=0.001, queries=0),
        Outcome(PAGE, skipped=POSTGRES_ONLY),
    ]
    lines = format_table(outcomes, database="SQLite 3.40.1 (sqlite) · in-memory test database").splitlines()

    _header, rule, bare, skipped = lines[2:]
    assert skipped.split(None, 1) == ["cases-10000", f"skipped: {POSTGRES_ONLY}"]
    assert skipped.index("skipped") == bare.index("1.00 ms")  # where the figures start
    # The reason widens no column but the names'.
    alone = format_table(outcomes[:1], database="x").splitlines()[3]
    assert rule.split()[1:] == alone.split()[1:]
    assert outcomes[1].verdict == SKIPPED
    assert exit_status(outcomes) == 0


@pytest.mark.parametrize(
    ("median", "verdict"),
    # 5,000 rows: 1,000 rows/s; 500; 499.55, printed "500 rows/s"; 499.0.
    [(5.0, PASS), (10.0, PASS), (10.009, PASS), (10.02, FAIL)],
)
def test_a_throughput_row_is_judged_on_its_rate_as_printed(median, verdict):
    assert Outcome(IMPORT, median=median, queries=57, rows=5_000).verdict == verdict


def test_a_throughput_row_fails_over_its_query_budget_and_is_not_judged_without_limits():
    assert Outcome(IMPORT, median=1.0, queries=251, rows=5_000).verdict == FAIL
    unjudged = Benchmark("job", lambda: None, baseline="job", min_rate=None)
    assert Outcome(unjudged, median=1.0, queries=1, rows=10).verdict == NOT_JUDGED


def test_a_throughput_row_gives_rows_per_second_instead_of_a_ratio():
    outcome = Outcome(IMPORT, median=4.73, queries=57, rows=5_000)
    row = format_table([outcome], database="x").splitlines()[-1]

    assert outcome.ratio is None
    assert round(outcome.rate) == 1_057
    assert row.split() == [
        "cases-import",
        "4.73",
        "s",
        "5,000",
        "rows",
        "1,057",
        "rows/s",
        "≥",
        "500",
        "rows/s",
        "PASS",
        "57",
        "(≤",
        "250)",
    ]


@pytest.mark.parametrize(("seconds", "printed"), [(0.00025, "0.25 ms"), (0.999, "999.00 ms"), (1.0, "1.00 s")])
def test_a_median_of_a_second_or_more_is_printed_in_seconds(seconds, printed):
    assert format_median(seconds) == printed


def test_a_throughput_benchmark_is_its_own_baseline_and_has_no_ratio_target():
    registry = Registry()
    registry.add(Benchmark(BARE_VIEW, lambda: None, baseline=BARE_VIEW))

    registry.benchmark("job", min_rate=10)(lambda: None)
    assert [benchmark.name for benchmark in registry.select(["job"])] == ["job"]
    with pytest.raises(ValueError, match="rows per second"):
        registry.benchmark("job-with-baseline", baseline=BARE_VIEW, min_rate=10)(lambda: None)
    with pytest.raises(ValueError, match="rows per second"):
        registry.benchmark("job-with-target", min_rate=10, target=2.0)(lambda: None)


@pytest.mark.django_db
def test_a_job_is_prepared_before_each_run_and_its_counted_run_is_untimed():
    calls = []

    def prepare_run():
        calls.append("prepare")

        def work():
            calls.append("run")
            list(CaseStudy.objects.all())  # one query

        return work

    measurement = measure_job(Job(prepare=prepare_run, rows=10, repetitions=3), repetitions=30)

    assert calls == ["prepare", "run"] * 4  # the counted run, then three timed
    assert measurement.queries == 1
    assert measurement.median > 0
    assert measurement.baseline_median is None
    calls.clear()
    measure_job(Job(prepare=prepare_run, rows=10, repetitions=3), repetitions=1)
    assert calls == ["prepare", "run"] * 2  # fewer when the command line asks fewer


@pytest.mark.django_db
def test_run_reports_a_skip_a_job_and_a_job_given_a_baseline():
    def skipped():
        raise Skip(POSTGRES_ONLY)

    def job():
        return Job(prepare=lambda: lambda: None, rows=100)

    bare = Benchmark(BARE_VIEW, lambda: (Client(), "/__bench__/bare/"), baseline=BARE_VIEW)
    benchmarks = [
        bare,
        Benchmark("needs-postgres", skipped, target=1.5),
        Benchmark("job", job, baseline="job", min_rate=1),
        Benchmark("job-against-bare", job, baseline=BARE_VIEW),
    ]

    _bare, skip, timed, wrong = run(benchmarks, warmup=1, repetitions=2)

    assert (skip.verdict, skip.skipped) == (SKIPPED, POSTGRES_ONLY)
    assert timed.verdict == PASS and timed.rows == 100 and timed.queries == 0
    assert "has no baseline" in wrong.error


# The generated library.


def _shipped_mean(field):
    return statistics.mean(len(entry.get(field) or "") for entry in cases.shipped())


def test_the_generated_entries_are_as_long_as_the_shipped_ones_and_spread_over_every_tag_and_region():
    rows = cases.rows("spread", 1_000, matches_in=cases.LARGE_REGION)

    for field in cases.TEXT_FIELDS:
        generated = statistics.mean(len(row[field]) for row in rows)
        assert generated == pytest.approx(_shipped_mean(field), rel=0.25), field
    documents = statistics.mean(len(cases._document(row)) for row in rows)
    shipped = statistics.mean(
        len(cases._document({**entry, **dict.fromkeys(cases.TAGGED)})) for entry in cases.shipped()
    )
    assert documents == pytest.approx(shipped, rel=0.1)
    for kind, keys in cases.TAG_KEYS.items():
        assert {key for row in rows for key in row[kind]} == set(keys), kind
    regions = Counter(row["region"] for row in rows)
    assert set(regions) == set(cases.Region.values)
    published = sum(row["status"] == CaseStudy.Status.PUBLISHED for row in rows) / len(rows)
    assert 0.85 < published < 0.95
    assert len({row["slug"] for row in rows}) == 1_000
    assert all(len(row["summary"]) <= cases.SUMMARY_LIMIT for row in rows)


@pytest.mark.parametrize(
    ("count", "region", "other"),
    [(100, cases.SMALL_REGION, cases.LARGE_REGION), (1_000, cases.LARGE_REGION, cases.SMALL_REGION)],
)
def test_a_set_matches_the_filters_in_its_own_region_only(count, region, other):
    rows = cases.rows("alone", count, matches_in=region)

    def matching(row, in_region):
        text = cases._document(row)
        return row["region"] == in_region and row["status"] == "published" and cases._has_the_filters(row, text)

    matches = [row for row in rows if matching(row, region)]
    assert len(matches) == round(count * cases.MATCHING_SHARE)
    assert all(cases.surely_matches(cases._document(row)) for row in matches)
    assert not [row for row in rows if matching(row, other)]


@pytest.mark.django_db
def test_written_entries_carry_their_tags_and_search_text_and_each_set_sees_only_its_own_matches():
    small = cases.write(cases.rows("small", 100, matches_in=cases.SMALL_REGION))
    large = cases.write(cases.rows("large", 400, matches_in=cases.LARGE_REGION))

    assert CaseStudy.objects.count() == 500
    entry = CaseStudy.objects.get(pk=small[0].pk)
    assert entry.search_text == entry.document()
    assert entry.dimensions.exists() and entry.themes.exists() and entry.city_types.exists()
    assert (entry.published_at is None) == (entry.status == CaseStudy.Status.DRAFT)
    # On SQLite every word of the search is looked for with icontains: the same entries as on PostgreSQL.
    small_matches = set(library(cases.filters(cases.SMALL_REGION)).values_list("slug", flat=True))
    large_matches = set(library(cases.filters(cases.LARGE_REGION)).values_list("slug", flat=True))
    assert len(small_matches) == 15 and all(slug.startswith("small-") for slug in small_matches)
    assert len(large_matches) == 60 and all(slug.startswith("large-") for slug in large_matches)
    assert len(large) == 400


def _library_page(client, url):
    page = as_page((client, url))
    fetch(page)  # warm
    return _queries(prepare(page))


@pytest.mark.django_db
def test_the_filtered_library_makes_as_many_queries_at_both_sizes_and_shows_a_full_page(settings):
    settings.ROOT_URLCONF = "bench.urls"
    cases.write(cases.rows("few", 100, matches_in=cases.SMALL_REGION))
    cases.write(cases.rows("many", 1_000, matches_in=cases.LARGE_REGION))
    client = Client()

    small_response, small = _library_page(client, cases.library_url(cases.SMALL_REGION))
    large_response, large = _library_page(client, cases.library_url(cases.LARGE_REGION))

    assert len(small) == len(large) <= 8, _difference(small, large)
    for response, total, pages in ((small_response, 15, 2), (large_response, 150, 13)):
        html = response.content.decode()
        assert html.count('<article class="card') == 12
        assert f"{total} case studies" in html
        assert re.search(rf"Page 1 of {pages}\b", html)


def test_the_pages_are_skipped_off_postgresql():
    if connection.vendor == "postgresql":
        pytest.skip("runs elsewhere than PostgreSQL")
    with pytest.raises(Skip, match=re.escape(POSTGRES_ONLY)):
        cases.SMALL.page()


@pytest.mark.postgres
@pytest.mark.django_db
def test_on_postgresql_a_page_is_checked_to_match_exactly_its_share():
    client, url = cases.LibrarySize("pg-few", 200, cases.SMALL_REGION).page()
    html = fetch((client, url)).content.decode()
    assert "30 case studies" in html and html.count('<article class="card') == 12


# The import.


@pytest.mark.django_db
def test_the_import_job_imports_every_row_new_each_run():
    job = cases.import_job(60, "job-test")
    text = cases.csv_text(cases.rows("job-test", 2))

    assert job.rows == 60
    assert text.splitlines()[0].split(",") == list(cases.COLUMNS)
    for _run in range(2):
        job.prepare()()
        assert CaseStudy.objects.filter(slug__startswith="job-test-").count() == 60
    imported = CaseStudy.objects.filter(slug__startswith="job-test-").first()
    assert imported.search_text == imported.document() and imported.dimensions.exists()


@pytest.mark.django_db
def test_the_import_job_raises_when_the_rows_are_not_all_imported():
    job = cases.import_job(5, "job-refused")
    CaseStudy.objects.filter(slug__startswith="job-refused-").delete()
    run_it = job.prepare()
    cases.write(cases.rows("job-refused", 5))  # the same slugs now exist: the rows update, none is new

    with pytest.raises(BenchmarkError, match="gave 0 new rows, not 5"):
        run_it()
