"""The checks behind /healthz: the database, and with REDIS_URL set the broker and the workers.

/healthz answers within `settings.HEALTHZ_BUDGET` whatever is down (docs/architecture.md, "Time limits"). Each
check runs in a thread, and a check still running at the deadline fails as "no answer". A process runs at most
one probe of a service at a time (later requests wait for the same one), so a service that never answers holds
one thread, not one per poll. A worker ping always waits out its timeout, so it goes out at most once per
`HEALTHZ_WORKERS_EVERY` seconds for all web processes, which share its result through the cache.
"""

import functools
import logging
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeoutError

from celery import Celery
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections
from kombu import Connection

from .caching import healthz_ping_turn_key, healthz_workers_key

logger = logging.getLogger(__name__)

WORKER_PING_TIMEOUT_SECONDS = 0.5
# How often a process whose turn it is not looks for the pinging process's result.
RESULT_POLL_SECONDS = 0.05

Result = tuple[bool, str]

_probes = ThreadPoolExecutor(max_workers=4, thread_name_prefix="healthz")
_in_flight: dict[tuple, Future] = {}
_in_flight_lock = threading.Lock()


def check_database(settings_dict: dict, wrapper_class: type) -> Result:
    """`SELECT 1` on a connection of its own, with the budget as its timeouts (the pages' limits are longer)."""
    budget = settings.HEALTHZ_BUDGET
    options = dict(settings_dict.get("OPTIONS", {}))
    if settings_dict["ENGINE"] == "django.db.backends.postgresql":
        # psycopg waits 2 s at least; the probe's deadline answers before, and this ends the thread soon after.
        options["connect_timeout"] = max(2, math.ceil(budget))
    elif settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        options["timeout"] = budget
    probe = wrapper_class({**settings_dict, "OPTIONS": options}, "healthz")
    try:
        with probe.cursor() as cursor:
            if probe.vendor == "postgresql":
                cursor.execute("SELECT set_config('statement_timeout', %s, false)", [f"{int(budget * 1000)}ms"])
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.error("Health check: the database did not answer: %s", error)
        return False, "did not answer"
    finally:
        probe.close()
    return True, "ok"


def check_broker(url: str) -> Result:
    budget = settings.HEALTHZ_BUDGET
    try:
        with Connection(url, connect_timeout=budget, transport_options=_transport_options()) as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=budget)
    except Exception as error:  # kombu raises transport-specific errors
        logger.error("Health check: broker did not answer: %s", error)
        return False, "did not answer"
    return True, "ok"


@functools.cache
def _control_app(url: str) -> Celery:
    """An app of the check's own on `url`: a ping leaves through its app's producer pool, whatever connection it is
    given, so the app's broker must be the one the check reads the replies from."""
    app = Celery("opencities-healthz", broker=url, set_as_current=False)
    app.conf.broker_transport_options = _transport_options()
    return app


def _transport_options() -> dict:
    return {
        key: value
        for key, value in settings.CELERY_BROKER_TRANSPORT_OPTIONS.items()
        if key in ("socket_timeout", "socket_connect_timeout")
    }


def ping_workers(url: str) -> Result:
    try:
        replies = _control_app(url).control.ping(timeout=WORKER_PING_TIMEOUT_SECONDS)
    except Exception as error:
        logger.error("Health check: worker ping failed: %s", error)
        return False, "ping failed"
    if not replies:
        return False, "no worker replied"
    return True, f"{len(replies)} replied"


def check_workers(url: str) -> Result:
    """The last ping's result while it is recent; else a new ping, by the one web process that takes the turn."""
    every = settings.HEALTHZ_WORKERS_EVERY
    key = healthz_workers_key(url)
    try:
        last = cache.get(key)
        if last is not None:
            return tuple(last)
        # The turn expires before the result it leads to, so pings are at least `every` seconds apart.
        if not cache.add(healthz_ping_turn_key(url), True, timeout=every):
            return _result_of_the_other_ping(key)
    except Exception as error:  # the cache's Redis is down: this process pings for itself
        logger.warning("Health check: the cache did not answer (%s); pinging the workers without it", error)
        return ping_workers(url)
    result = ping_workers(url)
    try:
        cache.set(key, result, timeout=every)
    except Exception as error:
        logger.warning("Health check: the worker ping's result could not be cached: %s", error)
    return result


def _result_of_the_other_ping(key: str) -> Result:
    deadline = time.monotonic() + WORKER_PING_TIMEOUT_SECONDS + 0.5
    while time.monotonic() < deadline:
        time.sleep(RESULT_POLL_SECONDS)
        last = cache.get(key)
        if last is not None:
            return tuple(last)
    return False, "no result from the ping of another web process"


def check_redis(url: str) -> dict[str, Result]:
    broker = check_broker(url)
    return {"broker": broker, "workers": check_workers(url) if broker[0] else (False, "broker unreachable")}


def _probe(key: tuple, check: Callable, *args) -> Future:
    """The probe of this service running now in this process, else a new one."""
    with _in_flight_lock:
        future = _in_flight.get(key)
        if future is None or future.done():
            future = _in_flight[key] = _probes.submit(check, *args)
        return future


def _answer(future: Future, deadline: float):
    """The probe's result, or None when it has none by the deadline (or broke: a bug, logged)."""
    try:
        return future.result(timeout=max(0.0, deadline - time.monotonic()))
    except FutureTimeoutError:
        return None
    except Exception:
        logger.exception("Health check: a probe failed")
        return None


def run_checks() -> dict[str, Result]:
    """Return {check name: (passed, detail)} within the budget; the broker and workers only when Redis is used."""
    budget = settings.HEALTHZ_BUDGET
    deadline = time.monotonic() + budget
    late = (False, f"no answer within {budget:g} s")
    database = connections["default"]
    db = database.settings_dict
    database_probe = _probe(
        ("database", db["ENGINE"], db["HOST"], db["PORT"], str(db["NAME"])), check_database, db, type(database)
    )
    redis_probe = None
    if settings.REDIS_URL:
        redis_probe = _probe(("redis", settings.CELERY_BROKER_URL), check_redis, settings.CELERY_BROKER_URL)
    results = {"database": _answer(database_probe, deadline) or late}
    if redis_probe is not None:
        results.update(_answer(redis_probe, deadline) or {"broker": late, "workers": late})
    return results
