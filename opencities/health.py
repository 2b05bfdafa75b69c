"""The checks behind /healthz: the database, and with REDIS_URL set the broker and the workers."""

import logging

from django.conf import settings
from django.db import DatabaseError, connections
from kombu import Connection

from .celery import app as celery_app

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2
WORKER_PING_TIMEOUT_SECONDS = 1.5


def check_database(alias="default"):
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.error("Health check: database %s did not answer: %s", alias, error)
        return False, "did not answer"
    return True, "ok"


def check_broker(url):
    try:
        with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS) as connection:
            connection.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as error:  # kombu raises transport-specific errors
        logger.error("Health check: broker did not answer: %s", error)
        return False, "did not answer"
    return True, "ok"


def check_workers(url):
    try:
        with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS) as connection:
            replies = celery_app.control.ping(timeout=WORKER_PING_TIMEOUT_SECONDS, connection=connection)
    except Exception as error:
        logger.error("Health check: worker ping failed: %s", error)
        return False, "ping failed"
    if not replies:
        return False, "no worker replied"
    return True, f"{len(replies)} replied"


def run_checks():
    """Return {check name: (passed, detail)}; the broker and workers only when Redis is used."""
    results = {"database": check_database()}
    if settings.REDIS_URL:
        results["broker"] = check_broker(settings.CELERY_BROKER_URL)
        if results["broker"][0]:
            results["workers"] = check_workers(settings.CELERY_BROKER_URL)
        else:
            results["workers"] = (False, "broker unreachable")
    return results
