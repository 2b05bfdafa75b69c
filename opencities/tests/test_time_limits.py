"""Every wait on a service has a limit (docs/architecture.md, "Time limits"): connecting to the database, a web
request's statements on PostgreSQL, Redis for the cache and the broker, the mail server.

Settings are read once at start, so each case that needs other values runs a fresh Python process.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from recommendations.tests import processes

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k3y-for-the-time-limit-checks-9f8e7d6c5b4a39281706f5e4d3c2b1a0-ZYXWVUT",
    "ALLOWED_HOSTS": "opencities.example.org",
    "SITE_URL": "https://opencities.example.org",
}
READ_LIMITS = """
import json
from django.conf import settings as s
from opencities.celery import app
print(json.dumps({
    "database": s.DATABASES["default"].get("OPTIONS", {}),
    "cache": s.CACHES["default"].get("OPTIONS", {}),
    "broker": app.conf.broker_transport_options,
    "result_backend": [app.conf.redis_socket_timeout, app.conf.redis_socket_connect_timeout],
    "statement_timeout_ms": s.DATABASE_STATEMENT_TIMEOUT_MS,
    "healthz": [s.HEALTHZ_BUDGET, s.HEALTHZ_WORKERS_EVERY],
}))
"""
# What a connection's statement timeout is, in a process that serves the site and in one that does not.
SHOW_STATEMENT_TIMEOUT = """
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("SHOW statement_timeout")
    print(cursor.fetchone()[0])
"""


def python(code: str, *, args=(), **environment: str) -> str:
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **PRODUCTION, **environment}
    env.setdefault("ENV_FILE", "")  # the clone's development .env would fill in what a case leaves out
    env.setdefault("DJANGO_SETTINGS_MODULE", "opencities.settings")
    command = [sys.executable, *args] if args else [sys.executable, "-c", code]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def limits(**environment: str) -> dict:
    return json.loads(python(READ_LIMITS, **environment))


def test_postgresql_connections_give_up_after_the_connect_timeout():
    values = limits(DATABASE_URL="postgres://app@db.internal:5432/opencities")
    assert values["database"]["connect_timeout"] == 5
    values = limits(DATABASE_URL="postgres://app@db.internal:5432/opencities", DATABASE_CONNECT_TIMEOUT="2")
    assert values["database"]["connect_timeout"] == 2
    # A value in the URL wins.
    values = limits(DATABASE_URL="postgres://app@db.internal:5432/opencities?connect_timeout=9")
    assert values["database"]["connect_timeout"] == 9


def test_sqlite_waits_for_a_lock_at_most_the_connect_timeout(tmp_path):
    values = limits(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", DATABASE_CONNECT_TIMEOUT="3")
    assert values["database"]["timeout"] == 3


def test_redis_has_socket_timeouts_for_the_cache_the_broker_and_the_result_backend():
    values = limits(REDIS_URL="redis://cache.internal:6379/0", REDIS_SOCKET_TIMEOUT="4")
    expected = {"socket_timeout": 4.0, "socket_connect_timeout": 4.0}
    assert values["cache"] == expected
    assert values["broker"] == {"visibility_timeout": 600, **expected}
    assert values["result_backend"] == [4.0, 4.0]


def test_healthz_budget_and_worker_ping_interval_have_defaults():
    values = limits()
    assert values["healthz"] == [1.0, 5.0]
    assert values["statement_timeout_ms"] == 10_000


def test_the_mail_server_connection_has_the_email_timeout():
    code = "from django.core.mail import get_connection; print(get_connection().timeout)"
    assert python(code, EMAIL_URL="smtp://mail.internal:25").strip() == "20"
    assert python(code, EMAIL_URL="smtp://mail.internal:25", EMAIL_TIMEOUT="7").strip() == "7"


@pytest.mark.postgres
@pytest.mark.django_db
def test_only_the_web_process_has_a_statement_timeout():
    database = {"DATABASE_URL": processes.database_url()}
    web = "import opencities.wsgi\n" + SHOW_STATEMENT_TIMEOUT
    assert python(web, **database).strip() == "10s"
    assert python(web, DATABASE_STATEMENT_TIMEOUT_MS="1500", **database).strip() == "1500ms"
    assert python(web, DATABASE_STATEMENT_TIMEOUT_MS="0", **database).strip() == "0"
    # Management commands (migrations among them), workers and this test process run without one.
    command = ("manage.py", "shell", "-c", SHOW_STATEMENT_TIMEOUT)
    assert python("", args=command, **database).splitlines()[-1] == "0"
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_web_requests_statement_that_runs_too_long_is_cancelled():
    code = """
import time, opencities.wsgi
from django.db import connection, OperationalError
started = time.monotonic()
try:
    connection.cursor().execute("SELECT pg_sleep(20)")
except OperationalError as error:
    print(type(error.__cause__).__name__, round(time.monotonic() - started))
"""
    output = python(code, DATABASE_URL=processes.database_url(), DATABASE_STATEMENT_TIMEOUT_MS="1000")
    assert output.split() == ["QueryCanceled", "1"]
