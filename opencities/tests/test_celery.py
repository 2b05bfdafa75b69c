"""Celery's loaded configuration (it ignores misspelt setting names silently), and a real worker."""

import time
from pathlib import Path

import pytest
from django.conf import settings

from opencities.celery import app
from opencities.tasks import ping

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.celery_config
def test_loaded_configuration_is_safe_for_long_tasks():
    conf = app.conf
    assert conf.task_serializer == "json"
    assert conf.result_serializer == "json"
    assert list(conf.accept_content) == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    # A message held by a killed worker must not come back while the task could still be running.
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit


@pytest.mark.celery_config
def test_broker_follows_redis_url():
    if settings.REDIS_URL:
        assert app.conf.broker_url == settings.REDIS_URL
        assert app.conf.task_always_eager is False
    else:
        # An empty broker URL would mean AMQP on localhost: the in-process mode is explicit.
        assert app.conf.broker_url == "memory://localhost/"
        assert app.conf.task_always_eager is True


@pytest.mark.celery_config
def test_tasks_run_in_process_without_redis(settings):
    if settings.REDIS_URL:
        pytest.skip("runs only with the embedded default (tasks in process)")
    assert ping.delay().get(timeout=1) == "pong"


@pytest.mark.redis
def test_a_real_task_goes_through_redis_to_a_worker(solo_worker):
    result = ping.delay()
    deadline = time.monotonic() + 60
    while not result.ready() and time.monotonic() < deadline and solo_worker.poll() is None:
        time.sleep(0.2)
    assert solo_worker.poll() is None, solo_worker.stdout.read()
    assert result.get(timeout=5) == "pong"
    assert result.backend.__class__.__name__ == "RedisBackend"
