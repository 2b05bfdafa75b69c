"""queue-200: 200 tailored reports generated through Redis by one Celery worker with two pool processes.

The worker is a real `celery worker --pool=prefork --concurrency=2` subprocess on the bench database, fed by
a redis-server of its own on a spare port (so that a developer's worker on the shared Redis cannot take its
tasks, and nothing is left behind). The reports are those of 200 of the demonstration assessments that
`make setup` loads (the reference cities over four years). Deliveries are excluded: nothing is approved.

The timed run requests the 200 reports as the report page's button does (`services.report_request`, the task
sent once the request commits) and ends when the last one is ready. The ideal is 200 × the mean time of one
whole generation (`services.report_generate`: reading, rendering, storing, telling the members) measured in
this process on 20 of the same assessments just before the run, ÷ 2 for the two pool processes; the target is
at most 1.5 × that. The runner has no row for a ratio to an ideal that the benchmark measures itself, so the
row is a throughput row (reports per second, not judged) and the ratio to the ideal, with its verdict, is
printed as each run ends (the runner makes one untimed run, then the timed one).

It needs Redis (`REDIS_URL` set: the machine has one, so `redis-server` is on it) and PostgreSQL (the worker,
another process, must share the database); otherwise it is skipped and says why. The data must be committed
for the worker to see it, which the runner's rolled-back transaction cannot do, and no other benchmark may
meet it: so it lives in a database of its own (`<bench database>_queue`, created, migrated and loaded here,
dropped afterwards), which this process reaches from threads whose default connection points at it, in
autocommit. Settings and the Celery app point at its own MEDIA_ROOT and Redis only while its code runs. Its
processes and database go when the runner lets go of the job, at the latest when Python exits.
"""

import copy
import shutil
import statistics
import sys
import tempfile
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.utils import load_backend
from django.test.utils import override_settings
from django.utils import timezone

from assessments.models import Assessment
from recommendations import services
from recommendations.models import Report
from recommendations.tests import processes

from .registry import Job, Skip, benchmark
from .report import FAIL, PASS, format_ratio, within_target
from .runner import BenchmarkError

NAME = "queue-200"
REPORTS = 200
CONCURRENCY = 2
TARGET = 1.5  # × the ideal
SAMPLE = 20  # generations timed in process for the ideal, after one untimed
TIMEOUT_FACTOR = 10  # a run taking ten times the ideal has stalled

NEEDS_REDIS = "needs Redis (set REDIS_URL=redis://…); it starts its own redis-server and worker"
NEEDS_POSTGRES = "needs PostgreSQL (set DATABASE_URL=postgres://…): the worker must share the bench database"
NEEDS_REDIS_SERVER = "needs the redis-server binary (Debian's redis-server package)"


class OwnDatabase:
    """A database beside the bench database, reached from threads whose default connection points at it."""

    def __init__(self):
        self.settings_dict = copy.deepcopy(connection.settings_dict)
        self.settings_dict["NAME"] = f"{connection.settings_dict['NAME']}_queue"
        self.name = connection.ops.quote_name(self.settings_dict["NAME"])

    def _server(self, sql: str) -> None:
        with connection._nodb_cursor() as cursor:  # a connection of its own to the server's maintenance database
            cursor.execute(sql)

    def create(self) -> None:
        self._server(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")  # left by a run that was killed
        self._server(f"CREATE DATABASE {self.name}")
        self.run(lambda: call_command("migrate", interactive=False, verbosity=0))

    def drop(self) -> None:
        self._server(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")

    def run(self, work):
        """Run `work` in a thread whose default connection is to this database, in autocommit."""

        def in_thread():
            own = load_backend(self.settings_dict["ENGINE"]).DatabaseWrapper(self.settings_dict, DEFAULT_DB_ALIAS)
            connections[DEFAULT_DB_ALIAS] = own  # for this thread only
            try:
                return work()
            finally:
                own.close()

        with ThreadPoolExecutor(max_workers=1) as executor:
            return executor.submit(in_thread).result()


def load_demo_data() -> list[int]:
    """What `make setup` loads, committed; the ids of the 200 latest submitted assessments."""
    out = StringIO()
    with override_settings(DEMO_MODE=True):
        call_command("load_questionnaire", processes.QUESTIONNAIRE_FILE, stdout=out)
        call_command("import_reference_cities", processes.REFERENCE_CITIES_FILE, stdout=out)
        call_command("import_case_studies", processes.CASE_STUDIES_FILE, stdout=out)
        call_command("import_recommendation_rules", processes.RULES_FILE, stdout=out)
        call_command("seed_demo", stdout=out)
    ids = list(
        Assessment.objects.filter(status=Assessment.Status.SUBMITTED)
        .order_by("-year", "city__slug")
        .values_list("pk", flat=True)[:REPORTS]
    )
    if len(ids) < REPORTS:
        raise BenchmarkError(f"The demonstration data has {len(ids)} submitted assessments, not {REPORTS}.")
    return ids


def forget_reports(ids: list[int], media_root: Path) -> None:
    """No report for these assessments, and no file: the next generation starts from nothing."""
    Report.objects.filter(assessment_id__in=ids).delete()
    shutil.rmtree(media_root / "reports", ignore_errors=True)


def generation_seconds(ids: list[int], media_root: Path) -> float:
    """The mean time of one whole generation in this process, over SAMPLE of the assessments."""
    sample = ids[:: len(ids) // SAMPLE][:SAMPLE]
    timings = []
    for index, assessment_id in enumerate([sample[-1], *sample]):  # the first one warms up, untimed
        report = Report.objects.create(
            assessment_id=assessment_id, status=Report.Status.QUEUED, queued_at=timezone.now()
        )
        start = time.perf_counter()
        services.report_generate(report_id=report.pk)
        if index:
            timings.append(time.perf_counter() - start)
        report.refresh_from_db()
        if report.status != Report.Status.READY:
            raise BenchmarkError(f"A report generated in process ended {report.status}: {report.error}")
        forget_reports([assessment_id], media_root)
    return statistics.fmean(timings)


def request_all(ids: list[int]) -> None:
    for assessment in Assessment.objects.filter(pk__in=ids):
        services.report_request(assessment=assessment)  # autocommit: the task is sent at once


def wait_until_ready(ids: list[int], *, timeout: float, worker: processes.Worker) -> None:
    deadline = time.monotonic() + timeout
    while True:
        reports = Report.objects.filter(assessment_id__in=ids)
        failed = reports.filter(status=Report.Status.FAILED).values_list("error", flat=True).first()
        if failed is not None:
            raise BenchmarkError(f"A report failed in the worker: {failed}")
        if reports.filter(status=Report.Status.READY).count() == len(ids):
            return
        if time.monotonic() > deadline:
            raise BenchmarkError(f"The {len(ids)} reports were not ready after {timeout:.0f} s.\n{worker.log()}")
        time.sleep(0.05)


def generation_in_worker(ids: list[int]) -> float:
    """The mean time the worker spent in each generation (started to finished, as the reports record it)."""
    spans = Report.objects.filter(assessment_id__in=ids).values_list("started_at", "finished_at")
    return statistics.fmean((finished - started).total_seconds() for started, finished in spans)


class _Verdict:
    """A note whose text the run writes: the table is printed after the runs."""

    text = "did not run"

    def __str__(self):
        return self.text


@benchmark(NAME, baseline=NAME)
def queue_200():
    if not settings.REDIS_URL:
        raise Skip(NEEDS_REDIS)
    if connection.vendor != "postgresql":
        raise Skip(NEEDS_POSTGRES)
    if shutil.which("redis-server") is None:
        raise Skip(NEEDS_REDIS_SERVER)

    stack = ExitStack()
    try:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-queue-")))
        media_root = workdir / "media"
        media_root.mkdir()
        database = OwnDatabase()
        database.create()
        stack.callback(database.drop)
        redis_server = processes.RedisServer(workdir).start()
        stack.callback(redis_server.stop)

        @contextmanager
        def ours():
            """Files in the temporary MEDIA_ROOT, tasks to the benchmark's Redis: only while its own code runs."""
            with (
                override_settings(MEDIA_ROOT=str(media_root), REDIS_URL=redis_server.url),
                processes.celery_sending_to(redis_server.url),
            ):
                try:
                    yield
                finally:
                    cache.clear()  # entries read from its database, kept in this process's cache

        with ours():
            ids = database.run(load_demo_data)
        environment = processes.worker_environment(
            redis_url=redis_server.url,
            smtp_url="",  # the members' "report ready" emails go to files
            media_root=media_root,
            DATABASE_URL=database.run(processes.database_url),
            EMAIL_FILE_PATH=str(workdir / "outbox"),
        )
        worker = processes.Worker(environment=environment, log_dir=workdir, concurrency=CONCURRENCY, label="bench")
        stack.callback(worker.stop)  # before the Redis server stops and the database goes: the stack unwinds
        worker.start()
    except BaseException:
        stack.close()
        raise

    ideal = {}

    def prepare():
        with ours():
            database.run(lambda: forget_reports(ids, media_root))
            # Measured again before each run, so that the ideal and the run see the machine in the same state.
            ideal["seconds"] = REPORTS * database.run(lambda: generation_seconds(ids, media_root)) / CONCURRENCY
        return run

    def run():
        timeout = max(120, TIMEOUT_FACTOR * ideal["seconds"])
        with ours():
            start = time.perf_counter()
            database.run(lambda: request_all(ids))
            database.run(lambda: wait_until_ready(ids, timeout=timeout, worker=worker))
            wall = time.perf_counter() - start
        ratio = wall / ideal["seconds"]
        in_worker = database.run(lambda: generation_in_worker(ids))
        verdict.text = (
            f"{REPORTS} reports in {wall:.1f} s; ideal {ideal['seconds']:.1f} s "
            f"({REPORTS} × {ideal['seconds'] * CONCURRENCY / REPORTS:.3f} s ÷ {CONCURRENCY}): {format_ratio(ratio)}, "
            f"target ≤ {format_ratio(TARGET)}: {PASS if within_target(ratio, TARGET) else FAIL} "
            f"(one generation took {in_worker:.3f} s in the worker)"
        )
        print(f"{NAME}: {verdict}", file=sys.stderr)

    # The ratio to the ideal, measured by the run itself, is the row's note under the table.
    verdict = _Verdict()
    job = Job(prepare=prepare, rows=REPORTS, repetitions=1, note=verdict)
    weakref.finalize(job, stack.close)
    return job
