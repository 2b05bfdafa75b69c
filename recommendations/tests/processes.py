"""Real processes for the delivery and fault tests: a Redis server, an SMTP server and Celery workers.

Every test starts its own on spare ports and stops them afterwards; the machine's shared Redis (6379) and
PostgreSQL are never stopped or flushed. Each xdist worker takes its ports from a block of its own, so two
workers never pick the same one. A worker is a subprocess that shares the test's database (the tests
are transactional, so that it sees what they commit), its Redis, its SMTP server and its MEDIA_ROOT; the test
process's own Celery app sends to the same Redis while the test runs.

The fixtures are plain functions here; a test module takes the ones it needs by assigning them
(`redis_server = processes.redis_server`), which pytest finds like fixtures defined in the module.
"""

import email
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from email.policy import default as default_policy
from io import StringIO
from itertools import count, cycle
from pathlib import Path
from random import randrange
from urllib.parse import quote

import kombu.pools
import pytest
import redis
from aiosmtpd.controller import Controller
from celery import Celery
from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections

from assessments.models import City
from opencities.celery import app
from recommendations.models import Following, Partner, Report, ReportDelivery

ROOT = Path(__file__).resolve().parents[2]
SHARED_REDIS_PORT = 6379
HOST = "127.0.0.1"
# Below Linux's ephemeral range (32768 and up), where the kernel picks the local ports of outgoing connections.
FIRST_PORT, PORTS_PER_WORKER, WORKER_BLOCKS = 20_000, 400, 30
_names = count(1)


def _port_block() -> range:
    """This process's ports: a block per xdist worker (gw0, gw1, …); the first block without xdist."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    number = int(worker.removeprefix("gw")) if worker.startswith("gw") else 0
    start = FIRST_PORT + (number % WORKER_BLOCKS) * PORTS_PER_WORKER
    return range(start, start + PORTS_PER_WORKER)


# Where the next search starts: a random place in the block, so that two suites run side by side (without
# xdist both take the first block) rarely try the same ports; each port handed out is then skipped.
_start = randrange(PORTS_PER_WORKER)
_next_ports = cycle([*_port_block()[_start:], *_port_block()[:_start]])


def free_port() -> int:
    """A TCP port of this worker's block that nobody listens on right now, never the shared Redis's."""
    for _attempt in range(PORTS_PER_WORKER):
        port = next(_next_ports)
        if port == SHARED_REDIS_PORT:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                continue  # taken, or still closing after an earlier test
            return port
    pytest.fail(f"no free port among {_port_block()}")


def wait_until(predicate: Callable[[], object], *, timeout: float, what: str, interval: float = 0.1, details=None):
    """Poll `predicate` until it returns something true; fail the test with `what` (and `details()`) after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            extra = f"\n{details()}" if details else ""
            pytest.fail(f"Timed out after {timeout:.0f} s waiting for {what}.{extra}")
        time.sleep(interval)


def _stop(process: subprocess.Popen, *, grace: float) -> None:
    """Ask the process (and its process group, which it leads) to stop; kill the group if it has not in time."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    # Children it left behind (a worker's pool) are in its group; the group id is its own pid.
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


# --- Redis ---


class RedisServer:
    """A throwaway `redis-server` on a spare port: nothing saved, nothing shared; it can stop and start again."""

    def __init__(self, log_dir: Path, port: int | None = None):
        self.port = port or free_port()
        assert self.port != SHARED_REDIS_PORT, "the tests never touch the machine's shared Redis"
        self.log_path = log_dir / f"redis-{self.port}.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def ping(self) -> bool:
        try:
            return redis.Redis(host=HOST, port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def start(self) -> "RedisServer":
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed (Debian's redis-server package); .ci/run installs it")
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [binary, "--port", str(self.port), "--bind", HOST, "--save", "", "--appendonly", "no"],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(self.ping, timeout=20, what=f"redis-server on port {self.port}", details=self.log)
        return self

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process, grace=10)
            self.process = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


# --- SMTP ---


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.content, policy=default_policy)

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])


@dataclass
class SmtpHandler:
    """aiosmtpd's handler: keeps every accepted message; refuses as a test tells it to.

    `defer[address] = n`: the first n messages to that address get a temporary failure (451 after DATA).
    `reject[address] = reply`: that recipient is refused for good at RCPT (a 550 reply, say).
    """

    messages: list[Received] = field(default_factory=list)
    attempts: Counter = field(default_factory=Counter)  # DATA commands per recipient, accepted or not
    attempted_at: dict[str, list[float]] = field(default_factory=dict)  # their time.monotonic(), per recipient
    defer: dict[str, int] = field(default_factory=dict)
    reject: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.reject.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            recipients = tuple(address.lower() for address in envelope.rcpt_tos)
            self.attempts.update(recipients)
            for address in recipients:
                self.attempted_at.setdefault(address, []).append(time.monotonic())
            if any(self.attempts[address] <= self.defer.get(address, 0) for address in recipients):
                return "451 4.3.0 Temporary local problem, try again later"
            self.messages.append(Received(envelope.mail_from, recipients, bytes(envelope.content)))
        return "250 Message accepted for delivery"

    def to(self, address: str, *, subject_contains: str = "") -> list[Received]:
        with self.lock:
            return [
                message
                for message in self.messages
                if address.lower() in message.rcpt_tos and subject_contains in message.subject
            ]


class SmtpServer:
    """An aiosmtpd server in a thread of the test process, on a spare port."""

    def __init__(self):
        self.handler = SmtpHandler()
        self.port = free_port()
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://{HOST}:{self.port}"

    def start(self) -> "SmtpServer":
        """Listen (again, after a stop: a controller runs once, so each start makes one), keeping what it received."""
        self.controller = Controller(self.handler, hostname=HOST, port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


# --- The test process's Celery app ---


def _drop_broker_connections() -> None:
    """Forget the app's cached connections, producers and result backend, so that the next send uses the conf."""
    kombu.pools.reset()  # kombu keeps connection and producer pools per broker URL, for the whole process
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@contextmanager
def celery_sending_to(redis_url: str) -> Iterator[None]:
    """The test process's Celery app sends tasks to (and reads results from) this Redis, never eagerly."""
    keys = ("broker_url", "result_backend", "task_always_eager")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(broker_url=redis_url, result_backend=redis_url, task_always_eager=False)
    _drop_broker_connections()
    try:
        yield
    finally:
        app.conf.update(saved)
        _drop_broker_connections()


@contextmanager
def table_locked(model) -> Iterator[None]:
    """Hold an ACCESS EXCLUSIVE lock on the model's table from a second connection: anyone reading it waits."""
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        other.set_autocommit(False)
        with other.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {other.ops.quote_name(model._meta.db_table)} IN ACCESS EXCLUSIVE MODE")
        yield
    finally:
        other.rollback()
        other.close()


# --- Workers ---


def database_url() -> str:
    """The URL of the database this test uses (the test database, not the configured one)."""
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.fail("a worker can share only a PostgreSQL test database (mark the test `postgres`)")
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    where = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{where}/{quote(db['NAME'], safe='')}"


class Worker:
    """`celery worker` with the prefork pool as production runs it, pointed at the test's services."""

    def __init__(self, *, environment: dict[str, str], log_dir: Path, concurrency: int = 1, label: str = "worker"):
        self.name = f"{label}-{os.getpid()}-{next(_names)}"
        self.environment = environment
        self.concurrency = concurrency
        self.log_path = log_dir / f"{self.name}.log"
        self.process: subprocess.Popen | None = None

    def start(self, *, wait: bool = True) -> "Worker":
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "opencities",
            "worker",
            "--pool=prefork",
            f"--concurrency={self.concurrency}",
            "-n",
            f"{self.name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=info",
        ]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if wait:
            wait_until(self.is_ready, timeout=60, what=f"the worker {self.name} to be ready", details=self.log)
        return self

    @property
    def node(self) -> str:
        return f"{self.name}@{socket.gethostname()}"

    def is_ready(self) -> bool:
        """The worker answers a ping through the broker.

        Not its log's "ready." line: with the settings' LOGGING (`celery` not propagating) and Celery's root-logger
        hijack, a worker logs no celery.* record at all.
        """
        if self.process.poll() is not None:
            pytest.fail(f"The worker {self.name} exited with {self.process.returncode}:\n{self.log()}")
        probe = Celery("probe", broker=self.environment["REDIS_URL"], set_as_current=False)
        try:
            return bool(probe.control.ping(destination=[self.node], timeout=0.5))
        finally:
            probe.close()

    def pool_pids(self) -> list[int]:
        """The pool's processes (they run the tasks): the worker's direct children, read from /proc."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                # "pid (command) state ppid …": the command may hold spaces and ")", so split after the last one.
                state_and_parent = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue  # the process has just ended
            if int(state_and_parent[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return children

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process, grace=30)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def worker_environment(*, redis_url: str, smtp_url: str, media_root: Path, **extra: str) -> dict[str, str]:
    """What a worker needs to work on this test's data: its database, Redis, mail server and files."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "opencities.settings",
        "DEBUG": "false",
        "DEMO_MODE": "false",
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": ",".join(settings.ALLOWED_HOSTS) or "testserver",
        "SITE_URL": settings.SITE_URL,
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "EMAIL_URL": smtp_url,
        "MEDIA_ROOT": str(media_root),
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


# --- Fixtures ---


# The marks of a test with a real worker: transactional, so that the worker sees what the test commits;
# serialized_rollback brings back the rows the migrations wrote (dimensions, themes, city types) after
# another transactional test flushed them.
REAL_PROCESSES = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def process_logs(tmp_path) -> Path:
    logs = tmp_path / "logs"
    logs.mkdir()
    return logs


@pytest.fixture
def media_root(tmp_path, settings) -> Path:
    """One MEDIA_ROOT for the test and its workers: reports written by a worker can be read here."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


@pytest.fixture
def redis_server(process_logs) -> Iterator[RedisServer]:
    server = RedisServer(process_logs).start()
    yield server
    server.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def celery_via_redis(redis_server, settings) -> Iterator[RedisServer]:
    """The test process sends its tasks to the test's Redis, as a web process does in production."""
    settings.REDIS_URL = redis_server.url
    with celery_sending_to(redis_server.url):
        yield redis_server


@pytest.fixture
def start_worker(transactional_db, redis_server, smtp_server, media_root, process_logs):
    """Start workers on the test's services (`start_worker(concurrency=2, CELERY_TASK_TIME_LIMIT="30")`).

    They are stopped before the database is flushed: this fixture depends on `transactional_db`, so its
    teardown comes first.
    """
    workers = []

    def start(*, concurrency: int = 1, wait: bool = True, **environment: str) -> Worker:
        env = worker_environment(
            redis_url=redis_server.url, smtp_url=smtp_server.url, media_root=media_root, **environment
        )
        worker = Worker(environment=env, log_dir=process_logs, concurrency=concurrency)
        workers.append(worker)
        return worker.start(wait=wait)

    yield start
    for worker in workers:
        worker.stop()


# --- Demo data, as `make setup` loads it ---

QUESTIONNAIRE_FILE = ROOT / "assessments" / "questionnaires" / "opencities-1.0.toml"
REFERENCE_CITIES_FILE = ROOT / "assessments" / "data" / "reference-cities.csv"
CASE_STUDIES_FILE = ROOT / "casestudies" / "data" / "case-studies.json"
RULES_FILE = ROOT / "recommendations" / "data" / "rules.json"


@pytest.fixture
def demo_data(transactional_db, settings):
    """The questionnaire, reference cities, case studies, recommendation rules and the demo city, committed."""
    settings.DEMO_MODE = True
    out = StringIO()
    call_command("load_questionnaire", QUESTIONNAIRE_FILE, stdout=out)
    call_command("import_reference_cities", REFERENCE_CITIES_FILE, stdout=out)
    call_command("import_case_studies", CASE_STUDIES_FILE, stdout=out)
    call_command("import_recommendation_rules", RULES_FILE, stdout=out)
    call_command("seed_demo", stdout=out)
    return City.objects.get(slug="demo")


def add_partner(city, *, email: str, organisation: str):
    """A partner with a recorded consent that follows the city, as an editor adds one in the admin."""
    partner = Partner.objects.create(organisation=organisation, email=email, consent_date=date.today())
    Following.objects.create(partner=partner, city=city)
    return partner


# --- Waiting for the worker ---


def wait_for_report(assessment, worker: Worker, *, timeout: float = 180):
    """The assessment's report once the worker has finished with it (ready or failed)."""

    def finished():
        report = Report.objects.filter(assessment=assessment).first()
        return report if report and report.status in (Report.Status.READY, Report.Status.FAILED) else None

    return wait_until(finished, timeout=timeout, what="the report to be generated", interval=0.2, details=worker.log)


def wait_for_deliveries(report, worker: Worker, *, timeout: float = 180) -> dict:
    """The report's deliveries by partner email, once none is queued or sending any more."""
    pending = (ReportDelivery.Status.QUEUED, ReportDelivery.Status.SENDING)

    def done():
        deliveries = list(ReportDelivery.objects.filter(report=report))
        return deliveries if deliveries and not any(d.status in pending for d in deliveries) else None

    deliveries = wait_until(done, timeout=timeout, what="the deliveries to be sent", interval=0.2, details=worker.log)
    return {delivery.email: delivery for delivery in deliveries}
