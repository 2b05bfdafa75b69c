"""/healthz and the pages under gunicorn, as production serves them, with a database that never answers and with a
monitor polling it.

Real processes (the machinery of recommendations/tests/processes.py): gunicorn, and for the polling test a Redis
and a Celery worker of the test's own.
"""

import base64
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import suppress

import pytest
import redis
from django.conf import settings

from recommendations.tests import processes

# The monitor's budget for /healthz (issue 12): the configured budget is 1 s.
HEALTHZ_LIMIT_SECONDS = 5
CONNECT_TIMEOUT_SECONDS = 3  # the web process's DATABASE_CONNECT_TIMEOUT in these tests
POLLS = 100

redis_server = processes.redis_server
smtp_server = processes.smtp_server
media_root = processes.media_root
process_logs = processes.process_logs
start_worker = processes.start_worker


class SilentServer:
    """A TCP port that accepts connections and never says a word, as a hung database server does."""

    def __init__(self):
        self.port = processes.free_port()
        self.listener = socket.create_server((processes.HOST, self.port))
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        with suppress(OSError):  # the listener is closed at the end
            while True:
                connection, _address = self.listener.accept()
                self.accepted.append(connection)

    def start(self) -> "SilentServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.listener.close()
        for connection in self.accepted:
            connection.close()


class Gunicorn:
    """`gunicorn opencities.wsgi` as the Procfile runs it, on a spare port."""

    def __init__(self, *, environment: dict[str, str], log_dir, workers: int = 2):
        self.port = processes.free_port()
        self.environment = environment
        self.workers = workers
        self.log_path = log_dir / f"gunicorn-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> "Gunicorn":
        command = [
            *(sys.executable, "-m", "gunicorn", "opencities.wsgi"),
            *("--bind", f"{processes.HOST}:{self.port}", "--workers", str(self.workers), "--timeout", "30"),
        ]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=processes.ROOT,
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        processes.wait_until(self.listening, timeout=60, what="gunicorn to listen", details=self.log)
        return self

    def listening(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"gunicorn exited with {self.process.returncode}:\n{self.log()}")
        with socket.socket() as probe:
            return probe.connect_ex((processes.HOST, self.port)) == 0

    def get(self, path: str, *, timeout: float = 60) -> tuple[int, bytes, float]:
        """(status, body, seconds taken)."""
        started = time.monotonic()
        try:
            with urllib.request.urlopen(f"http://{processes.HOST}:{self.port}{path}", timeout=timeout) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        return status, body, time.monotonic() - started

    def stop(self) -> None:
        if self.process is not None:
            processes._stop(self.process, grace=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def web_environment(**values: str) -> dict[str, str]:
    environment = processes.worker_environment(redis_url="", smtp_url="", media_root=settings.MEDIA_ROOT)
    environment.pop("EMAIL_URL")
    # As in production, where beat runs the sweepers: none runs after a request (opencities/sweeping.py).
    environment.update(SWEEP_ON_REQUESTS="false", SECURE_SSL_REDIRECT="false", ALLOWED_HOSTS=processes.HOST)
    return {**environment, **values}


@pytest.fixture
def start_gunicorn(process_logs) -> Iterator:
    servers = []

    def start(environment: dict[str, str], **options) -> Gunicorn:
        server = Gunicorn(environment=environment, log_dir=process_logs, **options)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def silent_database() -> Iterator[SilentServer]:
    server = SilentServer().start()
    yield server
    server.stop()


def test_a_database_that_never_answers_gives_a_quick_503_and_pages_fail_within_their_timeout(
    silent_database, start_gunicorn
):
    web = start_gunicorn(
        web_environment(
            DATABASE_URL=f"postgres://postgres@{processes.HOST}:{silent_database.port}/opencities",
            DATABASE_CONNECT_TIMEOUT=str(CONNECT_TIMEOUT_SECONDS),
        )
    )

    for _poll in range(3):  # the first, and those while the first probe still hangs
        status, body, took = web.get("/healthz")
        assert status == 503, body[:500]
        assert took < HEALTHZ_LIMIT_SECONDS, f"/healthz took {took:.1f} s"
        answer = json.loads(body)
        assert answer["failing"] == ["database"]
        # Over the budget, or a probe of an earlier request that ended meanwhile (its connect timeout).
        assert answer["checks"]["database"]["detail"] in ("no answer within 1 s", "did not answer")

    status, _body, took = web.get("/en/")  # the home page reads the latest case studies
    assert status == 500
    assert took < CONNECT_TIMEOUT_SECONDS + 3, f"the home page failed after {took:.1f} s"
    assert silent_database.accepted, "the web process did try the silent database"


def ping_broadcasts(messages: list[dict]) -> int:
    """The worker pings among the messages seen on the broker's control channel (kombu's fanout)."""
    pings = 0
    for message in messages:
        if message["type"] == "pmessage":
            body = json.loads(base64.b64decode(json.loads(message["data"])["body"]))
            pings += body.get("method") == "ping"
    return pings


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_hundred_polls_of_healthz_ping_the_workers_at_most_once_per_few_seconds(
    redis_server, start_worker, start_gunicorn
):
    every = 5
    start_worker()
    web = start_gunicorn(web_environment(REDIS_URL=redis_server.url, HEALTHZ_WORKERS_EVERY=str(every)), workers=3)
    control = redis.Redis(host=processes.HOST, port=redis_server.port).pubsub()
    control.psubscribe("*pidbox*")
    seen = []
    while message := control.get_message(timeout=0.5):
        seen.append(message)  # the subscription's confirmation

    started = time.monotonic()
    statuses = [web.get("/healthz")[0] for _poll in range(POLLS)]
    took = time.monotonic() - started
    while message := control.get_message(timeout=1):
        seen.append(message)

    assert statuses == [200] * POLLS, web.log()
    pings = ping_broadcasts(seen)
    allowed = 1 + int(took // every)
    assert 1 <= pings <= allowed, f"{pings} pings in {took:.1f} s for {POLLS} polls (at most {allowed})"
