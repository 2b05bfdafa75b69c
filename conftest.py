"""Suite-wide rules: in CI, a test marked for PostgreSQL or Redis must run, never be skipped."""

import os

import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def _static_files_without_collectstatic(settings):
    """Production serves hashed names from a manifest that only `collectstatic` writes."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Tasks run in the test's own process and transaction, even where REDIS_URL points at a real broker (CI).

    Tests marked `redis` start real workers and need the broker; those marked `celery_config` check the
    configuration that the settings produce.
    """
    if request.node.get_closest_marker("redis") or request.node.get_closest_marker("celery_config"):
        yield
        return
    from opencities.celery import app

    keys = ("task_always_eager", "task_eager_propagates", "task_store_eager_result")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(task_always_eager=True, task_eager_propagates=True, task_store_eager_result=True)
    yield
    app.conf.update(saved)


@pytest.fixture(autouse=True)
def _uploads_and_reports_in_a_temporary_folder(settings, tmp_path_factory):
    # Submitting generates a report PDF; tests must not leave files in the developer's var/media.
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _nothing_cached_from_another_test():
    # Each test's data is rolled back with its data versions, so a later test can meet the same version with
    # other data; in production a committed version is never reused (see opencities/caching.py).
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The production hasher is slow by design; tests create many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
    if (
        report.skipped
        and os.environ.get("CI")
        and (item.get_closest_marker("postgres") or item.get_closest_marker("redis"))
    ):
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid} was skipped in CI, where PostgreSQL and Redis must run it"
    return report


# Shared fixtures: a city (its name with an accent) with one member per role, another city's lead,
# and an editor.
@pytest.fixture
def city(db):
    from assessments.tests.factories import CityFactory

    return CityFactory(name="Zürich", slug="zurich", country="Switzerland")


def _member(city, role, email):
    from assessments.tests.factories import MembershipFactory, UserFactory

    return MembershipFactory(city=city, role=role, user=UserFactory(email=email)).user


@pytest.fixture
def lead(city):
    return _member(city, "lead", "lead@zurich.test")


@pytest.fixture
def contributor(city):
    return _member(city, "contributor", "contrib@zurich.test")


@pytest.fixture
def viewer(city):
    return _member(city, "viewer", "viewer@zurich.test")


@pytest.fixture
def outsider(db):
    from assessments.tests.factories import CityFactory

    return _member(CityFactory(name="Kraków", slug="krakow", country="Poland"), "lead", "lead@krakow.test")


@pytest.fixture
def editor(db):
    from django.contrib.auth.models import Group

    from assessments.tests.factories import UserFactory
    from opencities.editors import EDITORS_GROUP

    user = UserFactory(email="editor@bak.test", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    return user
