"""Runs benchmarks on a freshly migrated test database, through the full middleware stack."""

import gc
import statistics
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
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

from .registry import Benchmark
from .report import Outcome

WARMUP = 5
REPETITIONS = 30

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
    baseline_median: float  # seconds, of the baseline's requests taken in turn with these


def fetch(client: Client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        raise BenchmarkError(f"GET {url} answered {response.status_code}, not 200.")
    return response


def measure(page, baseline=None, *, warmup: int = WARMUP, repetitions: int = REPETITIONS) -> Measurement:
    """Median time of `repetitions` requests to `page` after `warmup` ones, and the queries of one request.

    `page` and `baseline` are (client, url) pairs. The baseline's requests alternate with the page's,
    so a machine that slows down in the middle of a run slows both and the ratio holds.
    """
    pages = [page] if baseline is None else [page, baseline]
    for _ in range(warmup):
        for client, url in pages:
            fetch(client, url)
    with CaptureQueriesContext(connection) as captured:
        fetch(*page)
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
                start = time.perf_counter()
                fetch(*pages[index])
                timings[index].append(time.perf_counter() - start)
    finally:
        gc.enable()
    medians = [statistics.median(samples) for samples in timings]
    return Measurement(median=medians[0], queries=queries, baseline_median=medians[-1])


def run(benchmarks: list[Benchmark], *, warmup: int = WARMUP, repetitions: int = REPETITIONS) -> list[Outcome]:
    """Measure each benchmark together with its baseline; each in a transaction rolled back after it."""
    by_name = {benchmark.name: benchmark for benchmark in benchmarks}
    outcomes = []
    with override_settings(**BENCH_SETTINGS):
        for benchmark in benchmarks:
            try:
                with transaction.atomic():
                    baseline = None
                    if benchmark.baseline != benchmark.name:
                        baseline = by_name[benchmark.baseline].setup()
                    measurement = measure(benchmark.setup(), baseline, warmup=warmup, repetitions=repetitions)
                    transaction.set_rollback(True)
            except Exception:
                outcomes.append(Outcome(benchmark, error=traceback.format_exc()))
                continue
            outcomes.append(
                Outcome(
                    benchmark,
                    median=measurement.median,
                    queries=measurement.queries,
                    baseline_median=measurement.baseline_median,
                )
            )
    return outcomes


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
