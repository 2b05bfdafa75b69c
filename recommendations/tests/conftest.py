import pytest
from django.utils import translation

# The fixtures that start real processes (Redis, an SMTP server, a Celery worker), for the tests that need them.
from .processes import (  # noqa: F401
    celery_via_redis,
    demo_data,
    media_root,
    process_logs,
    redis_server,
    smtp_server,
    start_worker,
)


@pytest.fixture(autouse=True)
def _tasks_in_process_like_a_worker(request, _tasks_in_process):
    """Tasks in process as the settings run them without Redis: a failure reaches `on_failure`, as on a worker.

    The suite-wide fixture propagates task exceptions, which would skip `on_failure` (the row would not say
    why) and surface in the code that sent the task; a retry here runs again at once, without its countdown.
    """
    if request.node.get_closest_marker("redis") or request.node.get_closest_marker("celery_config"):
        yield
        return
    from opencities.celery import app

    propagates = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = propagates


@pytest.fixture(autouse=True)
def _no_language_left_from_another_test():
    """Each test starts in the default language: a request to a French page leaves French active in the thread,
    and a rule's translated attribute (rule.title, RecommendationRule(title=…)) follows the active language."""
    translation.deactivate()
    yield
    translation.deactivate()
