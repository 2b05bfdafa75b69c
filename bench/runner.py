"""Runs benchmarks on a freshly migrated test database, through the full middleware stack."""

import gc
import statistics
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlencode

from django.db import connection, transaction
from django.http import HttpResponse
from django.template import Template
from django.test import Client
from django.test.utils import (
    CaptureQueriesContext,
    override_settings,
    setup_databases,
    setup_test_environment,
    teardown_databases,
    teardown_test_environment,
)

from .registry import Benchmark, Job, Page, Skip, as_page
from .report import Outcome

WARMUP = 5
REPETITIONS = 30
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"

BENCH_SETTINGS = {
    "ROOT_URLCONF": "bench.urls",
    # With DEBUG off the project's static storage needs collectstatic's manifest; the plain storage
    # builds the same kind of URL without it.
    "STORAGES": {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    },
    # A production environment would answer every request with a redirect to HTTPS.
    "SECURE_SSL_REDIRECT": False,
}


class BenchmarkError(Exception):
    pass


@dataclass(frozen=True)
class Measurement:
    median: float  # seconds
    queries: int
    baseline_median: float | None  # seconds, of the baseline's requests taken in turn with these (none for a job)


def prepare(page: Page) -> Callable[[], HttpResponse]:
    """The request to time, its body (if any) built now: building it is not part of what is timed."""
    if page.before is not None:
        page.before()
    if page.method == "POST":
        body = urlencode(page.body(), doseq=True)
        return partial(page.client.post, page.url, body, content_type=FORM_CONTENT_TYPE)
    return partial(page.client.get, page.url)


def check(page: Page, response: HttpResponse) -> HttpResponse:
    if response.status_code != page.status:
        raise BenchmarkError(
            f"{page.method} {page.url} answered {response.status_code}, not {page.status}." + _where_to(response)
        )
    return response


def _where_to(response) -> str:
    location = response.headers.get("Location")
    return f" (to {location})" if location else ""


def fetch(page: Page | tuple[Client, str]) -> HttpResponse:
    """One request to the page, checked; untimed."""
    page = as_page(page)
    return check(page, prepare(page)())


def measure(page, baseline=None, *, warmup: int = WARMUP, repetitions: int = REPETITIONS) -> Measurement:
    """Median time of `repetitions` requests to `page` after `warmup` ones, and the queries of one request.

    `page` and `baseline` are Pages or (client, url) pairs. The baseline's requests alternate with
    the page's, so a machine that slows down in the middle of a run slows both and the ratio holds.
    Only sending the request and receiving its response is timed, not building a POST's body.
    """
    pages = [as_page(page)] if baseline is None else [as_page(page), as_page(baseline)]
    for _ in range(warmup):
        for each in pages:
            fetch(each)
    send = prepare(pages[0])
    with CaptureQueriesContext(connection) as captured:
        response = send()
    check(pages[0], response)
    # Counted now: the captured list is a window on the connection's log, which the next request clears.
    queries = len(captured)
    timings = [[] for _ in pages]
    gc.collect()
    gc.disable()  # as timeit does: a collection landing in one sample is noise
    try:
        for repetition in range(repetitions):
            # Alternating who goes first keeps any cost of following the other off one side.
            order = range(len(pages)) if repetition % 2 == 0 else reversed(range(len(pages)))
            for index in order:
                send = prepare(pages[index])
                start = time.perf_counter()
                response = send()
                timings[index].append(time.perf_counter() - start)
                check(pages[index], response)
    finally:
        gc.enable()
    medians = [statistics.median(samples) for samples in timings]
    return Measurement(median=medians[0], queries=queries, baseline_median=medians[-1])


def measure_job(job: Job, baseline: Job | None = None, *, repetitions: int = REPETITIONS) -> Measurement:
    """Median time of the job's runs, each prepared untimed, after untimed ones, the first counted for queries.

    A run takes milliseconds to seconds: the job's own `repetitions` (fewer if `repetitions` is fewer),
    after its `warmup` untimed runs; the collector left on (its pauses are part of a long run) but
    emptied before each run. A job without rows is judged like a page: its runs alternate with its
    baseline's (itself when it has none), and each median is divided by the job's `per`.
    """
    work = job.prepare()
    with CaptureQueriesContext(connection) as captured:  # the run's queries, not its preparation's
        work()
    queries = len(captured)
    jobs = [job] if baseline is None else [job, baseline]
    for index, each in enumerate(jobs):
        for _ in range(each.warmup - (1 if index == 0 else 0)):
            each.prepare()()
    timings = [[] for _ in jobs]
    for repetition in range(min(repetitions, job.repetitions)):
        # Alternating who goes first keeps any cost of following the other off one side.
        order = range(len(jobs)) if repetition % 2 == 0 else reversed(range(len(jobs)))
        for index in order:
            work = jobs[index].prepare()
            gc.collect()
            start = time.perf_counter()
            work()
            timings[index].append(time.perf_counter() - start)
    medians = [statistics.median(samples) / each.per for samples, each in zip(timings, jobs, strict=True)]
    return Measurement(
        median=medians[0], queries=queries, baseline_median=None if job.rows is not None else medians[-1]
    )


def run(benchmarks: list[Benchmark], *, warmup: int = WARMUP, repetitions: int = REPETITIONS) -> list[Outcome]:
    """Measure each benchmark together with its baseline; each in a transaction rolled back after it.

    A setup that raises Skip (the benchmark needs another database) gives a skipped outcome, not an error.
    """
    by_name = {benchmark.name: benchmark for benchmark in benchmarks}
    outcomes = []
    # Files a benchmark stores (a report's PDF) go to a directory of the run's own, removed after it.
    with (
        tempfile.TemporaryDirectory(prefix="bench-media-") as media_root,
        override_settings(**BENCH_SETTINGS, MEDIA_ROOT=media_root),
    ):
        for benchmark in benchmarks:
            job = None
            try:
                with transaction.atomic():
                    baseline = None
                    if benchmark.baseline != benchmark.name:
                        baseline = by_name[benchmark.baseline].setup()
                    timed = benchmark.setup()
                    if isinstance(timed, Job):
                        job = timed
                        if baseline is not None and job.rows is not None:
                            raise BenchmarkError(f"{benchmark.name} is judged in rows per second: it has no baseline.")
                        if baseline is not None and not isinstance(baseline, Job):
                            raise BenchmarkError(f"{benchmark.name} times a job: its baseline must be a job too.")
                        measurement = measure_job(timed, baseline, repetitions=repetitions)
                    elif isinstance(baseline, Job):
                        raise BenchmarkError(f"{benchmark.name} times a page: its baseline must be a page too.")
                    else:
                        measurement = measure(timed, baseline, warmup=warmup, repetitions=repetitions)
                    transaction.set_rollback(True)
            except Skip as skip:
                outcomes.append(Outcome(benchmark, skipped=str(skip)))
                continue
            except Exception:
                outcomes.append(Outcome(benchmark, error=traceback.format_exc()))
                continue
            outcomes.append(
                Outcome(
                    benchmark,
                    median=measurement.median,
                    queries=measurement.queries,
                    baseline_median=measurement.baseline_median,
                    **(_job_fields(job, baseline) if job else {"note": as_page(timed).note}),
                )
            )
    return outcomes


def _job_fields(job: Job, baseline: Job | None) -> dict:
    """What a job's outcome shows besides its times: its rows, or the units of its ratio; its note."""
    if job.rows is not None:
        return {"rows": job.rows, "note": job.note}
    return {"unit": job.unit, "baseline_unit": (baseline or job).unit, "note": job.note}


@contextmanager
def fresh_database() -> Iterator[None]:
    """A new, migrated test database on the configured server (test_<name>_bench, or in-memory SQLite)."""
    # The test environment sends email to memory and allows the test client's host, but its
    # template instrumentation copies every context the client renders: keep templates as in production.
    production_render = Template._render
    setup_test_environment(debug=False)
    Template._render = production_render
    try:
        test_settings = connection.settings_dict.setdefault("TEST", {})
        if connection.vendor != "sqlite" and not test_settings.get("NAME"):
            # Not test_<name>: a test suite running against the same server at the same time owns that one.
            test_settings["NAME"] = f"test_{connection.settings_dict['NAME']}_bench"
        old_config = setup_databases(verbosity=0, interactive=False, serialized_aliases=set())
        try:
            yield
        finally:
            teardown_databases(old_config, verbosity=0)
    finally:
        teardown_test_environment()


def describe_database() -> str:
    """Vendor, version and name of the database in use, e.g. `PostgreSQL 16.4 · test_x on 127.0.0.1:5432`."""
    version = ".".join(str(part) for part in connection.get_database_version())
    settings = connection.settings_dict
    name = settings["NAME"]
    if connection.vendor == "sqlite" and connection.creation.is_in_memory_db(name):
        name = "in-memory test database"
    where = f" on {settings['HOST']}:{settings['PORT'] or 'default port'}" if settings.get("HOST") else ""
    return f"{connection.display_name} {version} ({connection.vendor}) · {name}{where}"
