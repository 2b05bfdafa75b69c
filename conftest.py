"""Suite-wide rules: in CI, a test marked for PostgreSQL or Redis must run, never be skipped."""

import os

import pytest
from django.conf import settings


def _skip_reason(item):
    if item.get_closest_marker("postgres") and not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return "needs PostgreSQL (set DATABASE_URL=postgres://…)"
    if item.get_closest_marker("redis") and not settings.REDIS_URL:
        return "needs Redis and a Celery worker (set REDIS_URL=redis://…)"
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        reason = _skip_reason(item)
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.skipped and os.environ.get("CI") and (item.get_closest_marker("postgres") or item.get_closest_marker("redis")):
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid} was skipped in CI, where PostgreSQL and Redis must run it"
    return report
