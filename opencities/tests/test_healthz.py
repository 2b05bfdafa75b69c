"""/healthz answers 200 when every part works and 503 naming the part that does not."""

import copy
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connections
from django.db.utils import ConnectionHandler

from opencities import health

ROOT = Path(__file__).resolve().parents[2]
CLOSED_PORT = 1  # nothing listens on port 1
UNSERVED_REDIS_DATABASE = 15  # the last of redis-server's 16; no worker is started on it


@pytest.mark.django_db
def test_healthy_without_redis_checks_only_the_database(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": {"ok": True, "detail": "ok"}}}
    assert "no-cache" in response["Cache-Control"]


@pytest.fixture
def unreachable_database(monkeypatch):
    database = copy.deepcopy(connections.settings["default"])
    if database["ENGINE"].endswith("sqlite3"):
        database["NAME"] = "/nonexistent-directory/opencities.sqlite3"
    else:
        database.update(HOST="127.0.0.1", PORT=CLOSED_PORT, OPTIONS={"connect_timeout": 2})
    handler = ConnectionHandler({"default": database})
    monkeypatch.setattr(health, "connections", handler)
    yield
    handler.close_all()


@pytest.mark.django_db
def test_database_down_gives_503_naming_it(client, settings, unreachable_database):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database"]
    assert body["checks"]["database"] == {"ok": False, "detail": "did not answer"}


@pytest.mark.django_db
def test_broker_down_gives_503_naming_it(client, settings):
    settings.REDIS_URL = settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{CLOSED_PORT}/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"]["ok"] is True
    assert body["failing"] == ["broker", "workers"]
    assert body["checks"]["broker"]["detail"] == "did not answer"


@pytest.mark.redis
@pytest.mark.django_db
def test_broker_up_but_no_worker_gives_503(client, settings):
    # A worker may serve the machine's broker database (a developer's `make worker`, another run on a
    # shared CI host), so the ping goes to a database of the same Redis where none listens (Celery's
    # broadcasts are scoped to the database).
    broker = urlsplit(settings.CELERY_BROKER_URL)
    settings.CELERY_BROKER_URL = urlunsplit(broker._replace(path=f"/{UNSERVED_REDIS_DATABASE}"))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["workers"]
    assert response.json()["checks"]["workers"]["detail"] == "no worker replied"


@pytest.mark.redis
@pytest.mark.django_db
def test_healthy_with_redis_and_a_worker(client, solo_worker):
    deadline = time.monotonic() + 60
    while True:
        response = client.get("/healthz")
        if response.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert response.status_code == 200, response.json()
    checks = response.json()["checks"]
    assert set(checks) == {"database", "broker", "workers"}
    assert checks["workers"]["detail"].endswith("replied")
