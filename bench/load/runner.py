"""`make load`: gunicorn and a Celery worker on a fresh PostgreSQL database, driven by Locust at a few user levels.

Everything it starts listens on 127.0.0.1 only and is stopped at the end, on failure and on Ctrl-C; its database
(`opencities_load_<pid>` on the configured server) is dropped and its Redis database emptied. Exits non-zero when
a level has an error or a lost save, or when the run did not finish within its ten minutes.
"""

import argparse
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil

from .saves import Save, SavesCheck, saves_check
from .stats import ALL, Request, error_lines, format_rows, page_rows

BASE_DIR = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/opencities"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
BUDGET_SECONDS = 600  # the whole run, set-up and clean-up included
SETUP_ALLOWANCE = 150  # what the set-up (migrate, seed, collectstatic, start) may take of the budget
REDIS_CLAIM_KEY = "opencities-load:claimed-by"
STOP_TIMEOUT = 20  # seconds Locust lets a user finish the request it is in, so that no save is cut off unrecorded


def parse_arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="10,25,50", help="the user levels, one after another (default 10,25,50)")
    parser.add_argument("--seconds", type=int, default=90, help="length of each level, its ramp included (90)")
    parser.add_argument("--ramp", type=int, default=10, help="seconds to start a level's users (10)")
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn's sync workers (2 × cores + 1)"
    )
    parser.add_argument("--redis-db", type=int, default=None, help="the Redis database to use (the highest empty one)")
    arguments = parser.parse_args(argv)
    arguments.levels = [int(users) for users in arguments.users.split(",") if users.strip()]
    planned = SETUP_ALLOWANCE + len(arguments.levels) * (arguments.seconds + STOP_TIMEOUT + 10)
    if planned > BUDGET_SECONDS:
        parser.error(f"{len(arguments.levels)} levels of {arguments.seconds} s do not fit in {BUDGET_SECONDS} s")
    if not 0 < arguments.ramp < arguments.seconds:
        parser.error("--ramp must be shorter than --seconds")
    return arguments


class OutOfTime(Exception):
    pass


@dataclass
class Level:
    users: int
    rows: list
    saves: SavesCheck
    errors: list[str]
    cpu: dict[str, float]
    users_by_kind: dict[str, int] = field(default_factory=dict)
    measured_seconds: float = 0.0

    @property
    def passed(self) -> bool:
        total_errors = sum(row.errors for row in self.rows if row.name != ALL)
        return total_errors == 0 and not self.saves.lost and self.saves.saved > 0


# --- Services: a database and a Redis database of the run's own ---


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@contextlib.contextmanager
def fresh_database(base_url: str):
    """A new database on the configured PostgreSQL server, dropped afterwards whatever happens."""
    import psycopg
    from psycopg import sql

    if urlsplit(base_url).scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit(f"make load needs PostgreSQL (DATABASE_URL is {urlsplit(base_url).scheme}://…)")
    name = f"opencities_load_{os.getpid()}"
    maintenance = _with_database(base_url, "postgres")
    with psycopg.connect(maintenance, autocommit=True, connect_timeout=5) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield _with_database(base_url, name), name
    finally:
        from django.conf import settings

        if settings.configured:
            from django.db import connections

            connections.close_all()
        with psycopg.connect(maintenance, autocommit=True, connect_timeout=5) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextlib.contextmanager
def own_redis_database(base_url: str, chosen: int | None):
    """The highest Redis database that is empty (never the configured one), claimed, and emptied afterwards."""
    import redis

    base = urlsplit(base_url)
    taken = int(base.path.strip("/") or 0)
    claim = f"{os.getpid()}@{socket.gethostname()}"
    for number in [chosen] if chosen is not None else range(15, 0, -1):
        if number == taken:
            continue
        url = urlunsplit(base._replace(path=f"/{number}"))
        client = redis.Redis.from_url(url, socket_timeout=5)
        if (chosen is not None or client.dbsize() == 0) and client.set(REDIS_CLAIM_KEY, claim, nx=True):
            break
    else:
        raise SystemExit("No empty Redis database to use; name one with --redis-db.")
    try:
        yield url, number
    finally:
        if client.get(REDIS_CLAIM_KEY) == claim.encode():
            client.flushdb()


def environment(*, database_url, redis_url, port, scratch: Path) -> dict[str, str]:
    """Production settings (DEBUG off) over plain HTTP on 127.0.0.1, with limits high enough for the run."""
    env = {key: value for key, value in os.environ.items() if key not in ("CACHE_URL", "EMAIL_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="opencities.settings",
        PYTHONPATH=str(BASE_DIR),
        ENV_FILE="",  # the development .env that make setup writes must not reach a production-like run
        DEBUG="false",
        DEMO_MODE="true",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=f"http://127.0.0.1:{port}",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        MEDIA_ROOT=str(scratch / "media"),
        STATIC_ROOT=str(scratch / "static"),
        EMAIL_FILE_PATH=str(scratch / "outbox"),
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        # Members are logged in with session cookies made before the run; should anything post the login form,
        # neither the account lockout nor the limit per address (every user here is 127.0.0.1) may refuse it.
        AXES_FAILURE_LIMIT="1000000",
        LOGIN_FAILURES_PER_ADDRESS="1000000/h",
        LOG_LEVEL="WARNING",
    )
    return env


# --- Processes ---


def spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def process(name: str, command: list[str], env: dict, log: Path):
    """A child in a session of its own, stopped (its process group, by its id) when the block ends."""
    with open(log, "wb") as output:
        child = subprocess.Popen(  # noqa: S603
            command, cwd=BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield child
    finally:
        _stop(child)


def _stop(child: subprocess.Popen) -> None:
    if child.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGTERM)
    try:
        child.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        child.wait(timeout=5)


def tail(log: Path, lines: int = 15) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def wait_until(check, *, seconds: float, what: str, child=None, log=None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if child is not None and child.poll() is not None:
            raise RuntimeError(f"{what}: the process ended ({child.returncode}).\n{tail(log)}")
        if check():
            return
        time.sleep(0.5)
    raise RuntimeError(f"{what}: not within {seconds:.0f} s.\n{tail(log) if log else ''}")


def _answers(url: str, cookie: str | None = None) -> bool:
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"} if cookie else {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (http://127.0.0.1 only, made above)
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def warm_up(host: str, plan: dict, rounds: int) -> None:
    """Each page a few times, so that every gunicorn worker has imported and cached what it needs."""
    visitor = plan["visitor"]
    member = plan["members"][0]
    public = [visitor["home"], f"{visitor['library']}?q=housing", visitor["case studies"][0], visitor["downloads"]]
    private = [member["step"], *member["pages"].values()]
    for _round in range(rounds):
        for path in public:
            _answers(host + path)
        for path in private:
            _answers(host + path, member["session"])


# --- CPU by process group, sampled during a level ---


class CpuSampler(threading.Thread):
    """CPU seconds used by each group of processes while it runs (processes that start meanwhile from zero)."""

    def __init__(self, groups: dict[str, callable]):
        super().__init__(daemon=True)
        self.groups = groups
        self.first: dict[tuple[str, int], float] = {}
        self.last: dict[tuple[str, int], float] = {}
        self.done = threading.Event()
        self.started_at = self.ended_at = 0.0
        self.machine_start = self.machine_end = None

    @staticmethod
    def _busy(times) -> float:
        return sum(times) - times.idle - getattr(times, "iowait", 0.0)

    def _sample(self, initial: bool) -> None:
        for group, processes in self.groups.items():
            for proc in processes():
                with contextlib.suppress(psutil.Error):
                    used = sum(proc.cpu_times()[:2])
                    key = (group, proc.pid)
                    self.first.setdefault(key, used if initial else 0.0)
                    self.last[key] = used

    def run(self):
        self.started_at = time.monotonic()
        self.machine_start = psutil.cpu_times()
        self._sample(initial=True)
        while not self.done.wait(1.0):
            self._sample(initial=False)
        self._sample(initial=False)
        self.machine_end = psutil.cpu_times()
        self.ended_at = time.monotonic()

    def shares(self) -> dict[str, float]:
        """Per group, and for the whole machine, CPU as a percentage of one core over the sampled time."""
        seconds = max(self.ended_at - self.started_at, 1e-9)
        used: dict[str, float] = dict.fromkeys(self.groups, 0.0)
        for (group, pid), last in self.last.items():
            used[group] += last - self.first[(group, pid)]
        shares = {group: 100 * value / seconds for group, value in used.items()}
        machine = 100 * (self._busy(self.machine_end) - self._busy(self.machine_start)) / seconds
        shares["everything else"] = max(0.0, machine - sum(shares.values()))
        shares["machine"] = machine
        return shares


def _family(child: subprocess.Popen):
    def processes():
        with contextlib.suppress(psutil.Error):
            parent = psutil.Process(child.pid)
            return [parent, *parent.children(recursive=True)]
        return []

    return processes


def _postgres_backends(database: str):
    def processes():
        found = []
        for proc in psutil.process_iter(["cmdline"]):
            with contextlib.suppress(psutil.Error):
                if f" {database} " in " ".join(proc.info["cmdline"] or []) + " ":
                    found.append(proc)
        return found

    return processes


def _named(name: str):
    return lambda: [proc for proc in psutil.process_iter(["name"]) if proc.info["name"] == name]


# --- A level ---


def level_run(*, users, arguments, host, env, scratch, groups, plan) -> Level:
    from . import seed

    results = scratch / f"results-{users}.json"
    log = scratch / f"locust-{users}.log"
    command = [
        str(BIN / "locust"),
        *("-f", str(LOCUSTFILE), "--headless", "--host", host),
        *("--users", str(users), "--spawn-rate", f"{users / arguments.ramp:.2f}"),
        *("--run-time", f"{arguments.seconds}s", "--stop-timeout", str(STOP_TIMEOUT)),
        *("--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"),
    ]
    level_env = {**env, "LOAD_RESULTS": str(results)}
    with process("locust", command, level_env, log) as locust:
        sampler = CpuSampler({**groups, "locust": _family(locust)})
        sampler.start()
        try:
            locust.wait(timeout=arguments.seconds + STOP_TIMEOUT + 30)
        finally:
            sampler.done.set()
            sampler.join()
        if locust.returncode != 0 or not results.exists():
            raise RuntimeError(f"Locust failed at {users} users ({locust.returncode}).\n{tail(log)}")
    recorded = json.loads(results.read_text())
    requests = [Request(*row) for row in recorded["requests"]]
    measured_from = recorded["ramp_end"] or min(request.started for request in requests)
    measured_to = recorded["stopping"] or max(request.started for request in requests)
    saves = [Save(**row) for row in recorded["saves"]]
    return Level(
        users=users,
        rows=page_rows(requests, measured_from=measured_from, measured_to=measured_to),
        saves=saves_check(saves, seed.stored_answers(plan["drafts"])),
        errors=error_lines(requests),
        cpu=sampler.shares(),
        users_by_kind=recorded["users"],
        measured_seconds=measured_to - measured_from,
    )


def format_level(level: Level, *, workers: int) -> str:
    kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(level.users_by_kind.items()))
    cpu = ", ".join(f"{group} {share:.0f}%" for group, share in level.cpu.items() if group != "machine")
    lines = [
        f"\n== {level.users} users ({kinds}): times and req/s over {level.measured_seconds:.0f} s after the ramp, "
        "errors over the whole level ==",
        format_rows(level.rows),
        level.saves.summary,
        f"CPU, % of one core (the machine has {os.cpu_count()} = {100 * (os.cpu_count() or 1)}%), "
        f"gunicorn with {workers} workers: {cpu}; machine {level.cpu['machine']:.0f}%",
    ]
    lines += [f"  lost: {save.answer} {save.token} (revision {save.revision})" for save in level.saves.lost[:10]]
    lines += [f"  error: {line}" for line in level.errors]
    return "\n".join(lines)


# --- The run ---


def _interrupted(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv=None) -> int:
    arguments = parse_arguments(argv)
    deadline = time.monotonic() + BUDGET_SECONDS
    # SIGINT too: a shell that starts the run in the background leaves it ignored, and Ctrl-C must clean up.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupted)
    levels: list[Level] = []
    try:
        with contextlib.ExitStack() as stack:
            scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="opencities-load-")))
            database_url, database = stack.enter_context(
                fresh_database(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
            )
            redis_url, redis_number = stack.enter_context(
                own_redis_database(os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL, arguments.redis_db)
            )
            port = spare_port()
            host = f"http://127.0.0.1:{port}"
            env = environment(database_url=database_url, redis_url=redis_url, port=port, scratch=scratch)
            os.environ.update(env)
            for key in ("CACHE_URL", "EMAIL_URL"):
                os.environ.pop(key, None)

            import django

            django.setup()
            from django.db import connection

            from . import seed

            print(f"Setting up {database} (PostgreSQL {connection.cursor().connection.info.server_version}) "
                  f"and Redis database {redis_number}…", flush=True)  # fmt: skip
            seed.setup_commands_run()
            most_members = max(arguments.levels)  # more than enough: a share of the users are members
            plan = seed.load_cities_seed(cities=max(3, -(-most_members // seed.MEMBERS_PER_CITY)))
            plan_file = scratch / "plan.json"
            plan_file.write_text(json.dumps(plan))
            env["LOAD_PLAN"] = str(plan_file)

            worker_log, web_log = scratch / "worker.log", scratch / "gunicorn.log"
            worker = stack.enter_context(
                process(
                    "worker",
                    [str(BIN / "celery"), "-A", "opencities", "worker", "--concurrency", "1", "--loglevel", "WARNING",
                     "--without-gossip", "--without-mingle", "--hostname", f"load-{os.getpid()}@127.0.0.1"],
                    env,
                    worker_log,
                )
            )  # fmt: skip
            web = stack.enter_context(
                process(
                    "gunicorn",
                    [str(BIN / "gunicorn"), "opencities.wsgi", "--bind", f"127.0.0.1:{port}",
                     "--workers", str(arguments.workers), "--timeout", "30", "--graceful-timeout", "5",
                     "--log-level", "warning"],
                    env,
                    web_log,
                )
            )  # fmt: skip
            wait_until(lambda: _answers(f"{host}/healthz"), seconds=60, what="/healthz", child=web, log=web_log)
            wait_until(
                lambda: seed.reports_waiting(plan["submitted"]) == 0,
                seconds=60,
                what="the reports of the load cities",
                child=worker,
                log=worker_log,
            )
            warm_up(host, plan, rounds=arguments.workers)
            groups = {
                "gunicorn": _family(web),
                "postgres": _postgres_backends(database),
                "celery worker": _family(worker),
                "redis": _named("redis-server"),
            }
            print(f"Ready after {BUDGET_SECONDS - (deadline - time.monotonic()):.0f} s: gunicorn on {host}.")
            for users in arguments.levels:
                if time.monotonic() + arguments.seconds + STOP_TIMEOUT + 15 > deadline:
                    raise OutOfTime(f"no time left for {users} users within {BUDGET_SECONDS} s")
                level = level_run(
                    users=users, arguments=arguments, host=host, env=env, scratch=scratch, groups=groups, plan=plan
                )
                levels.append(level)
                print(format_level(level, workers=arguments.workers), flush=True)
                for child, log in ((web, web_log), (worker, worker_log)):
                    if child.poll() is not None:
                        raise RuntimeError(f"{child.args[0]} ended during the run.\n{tail(log)}")
    except KeyboardInterrupt:
        print("\nInterrupted: everything started is stopped, the database dropped.", file=sys.stderr)
        return 130
    except (RuntimeError, OutOfTime) as error:
        print(f"\nmake load failed: {error}", file=sys.stderr)
        return 1
    passed = all(level.passed for level in levels) and len(levels) == len(arguments.levels)
    print(
        f"\nTargets (0 errors, 0 lost saves at {', '.join(map(str, arguments.levels))} users): "
        f"{'PASS' if passed else 'FAIL'} · {BUDGET_SECONDS - (deadline - time.monotonic()):.0f} s in all. "
        "How to read this on a shared machine: bench/README.md, make load."
    )
    return 0 if passed else 1
