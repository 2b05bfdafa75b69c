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


def fetch(client: Client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        raise BenchmarkError(f"GET {url} answered {response.status_code}, not 200.")
    return response


def measure(client: Client, url: str, *, warmup: int = WARMUP, repetitions: int = REPETITIONS) -> Measurement:
    """Median time of `repetitions` requests after `warmup` ones, and the queries of one request."""
    for _ in range(warmup):
        fetch(client, url)
    with CaptureQueriesContext(connection) as queries:
        fetch(client, url)
    timings = []
    gc.collect()
    gc.disable()  # as timeit does: a collection landing in one sample is noise
    try:
        for _ in range(repetitions):
            start = time.perf_counter()
            fetch(client, url)
            timings.append(time.perf_counter() - start)
    finally:
        gc.enable()
    return Measurement(median=statistics.median(timings), queries=len(queries))


def run(benchmarks: list[Benchmark], *, warmup: int = WARMUP, repetitions: int = REPETITIONS) -> list[Outcome]:
    """Each benchmark's data lives in a transaction rolled back after it, so none sees another's."""
    medians: dict[str, float] = {}
    outcomes = []
    with override_settings(**BENCH_SETTINGS):
        for benchmark in benchmarks:
            try:
                with transaction.atomic():
                    client, url = benchmark.setup()
                    measurement = measure(client, url, warmup=warmup, repetitions=repetitions)
                    transaction.set_rollback(True)
            except Exception:
                outcomes.append(Outcome(benchmark, error=traceback.format_exc()))
                continue
            medians[benchmark.name] = measurement.median
            outcomes.append(
                Outcome(
                    benchmark,
                    median=measurement.median,
                    queries=measurement.queries,
                    baseline_median=medians.get(benchmark.baseline),
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
