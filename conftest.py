"""Suite-wide rules: in CI, a test marked for PostgreSQL or Redis must run, never be skipped.

`make test` runs the suite in parallel (pytest-xdist): each worker has its own test database (pytest-django
suffixes its name), its own caches and its own temporary folders.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.test.utils import override_settings
from hypothesis import settings as hypothesis_settings

QUESTIONNAIRE_FILE = Path(__file__).resolve().parent / "assessments" / "questionnaires" / "opencities-1.0.toml"
# The tests that talk to the machine's Redis itself (a worker on its broker, or none expected there) run one
# after another, on one xdist worker; those that start their own Redis (marked postgres too) run anywhere.
SHARED_REDIS_GROUP = "shared-redis"
LOCAL_MEMORY = "django.core.cache.backends.locmem.LocMemCache"
REDIS_DATABASES = 16  # redis-server's default
_configured_caches: dict = {}  # settings.CACHES as the environment made them, for the tests marked `redis`

# With parallel workers on a shared machine, how long one example takes says more about the load than about
# the code: the properties are checked without Hypothesis's deadline (200 ms by default).
hypothesis_settings.register_profile("opencities", deadline=None)
hypothesis_settings.load_profile("opencities")


def _worker() -> tuple[str, int]:
    """This xdist worker's name and number ("gw3", 3); ("main", 0) without xdist."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "")
    return (name, int(name.removeprefix("gw"))) if name.startswith("gw") else ("main", 0)


@pytest.fixture(scope="session", autouse=True)
def _local_caches_per_worker():
    """Local-memory caches under this worker's key prefix, for every test not marked `redis`."""
    name, _number = _worker()
    _configured_caches.update(settings.CACHES)
    local = {
        alias: {"BACKEND": LOCAL_MEMORY, "LOCATION": f"tests-{alias}", "KEY_PREFIX": f"tests-{name}"}
        | {key: config[key] for key in ("TIMEOUT", "VERSION", "OPTIONS") if key in config}
        for alias, config in settings.CACHES.items()
    }
    with override_settings(CACHES=local):
        yield


def _redis_database_of(worker_number: int, location: str) -> str:
    """The Redis URL with a database of this worker's, never the broker's: a cache clear (FLUSHDB) stays its own."""
    url = urlsplit(location)
    broker_database = int(urlsplit(settings.REDIS_URL).path.strip("/") or 0)
    databases = [number for number in range(REDIS_DATABASES) if number != broker_database]
    return urlunsplit(url._replace(path=f"/{databases[worker_number % len(databases)]}"))


@pytest.fixture(autouse=True)
def _caches_of_this_worker(request, settings):
    """A test marked `redis` gets the configured caches back, under this worker's prefix and Redis database.

    Its name sorts before `_nothing_cached_from_another_test`: pytest sets up one file's autouse fixtures in name
    order, and that one must clear this worker's cache, never the configured one.
    """
    if not request.node.get_closest_marker("redis"):
        return
    name, number = _worker()
    caches = {}
    for alias, config in _configured_caches.items():
        config = {**config, "KEY_PREFIX": f"tests-{name}-{config.get('KEY_PREFIX', '')}"}
        if config["BACKEND"].endswith("RedisCache") and isinstance(config.get("LOCATION"), str):
            config["LOCATION"] = _redis_database_of(number, config["LOCATION"])
        caches[alias] = config
    settings.CACHES = caches


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """After the migrations, the shipped questionnaire, loaded once per worker: loading it again in a test finds it."""
    from django.db import connections

    from assessments.services.questionnaires import questionnaire_load

    with django_db_blocker.unblock():
        questionnaire_load(text=QUESTIONNAIRE_FILE.read_text(encoding="utf-8"))
        # A test with serialized_rollback starts from this copy, taken after the migrations: take it again.
        for connection in connections.all():
            if hasattr(connection, "_test_serialized_contents"):
                connection._test_serialized_contents = connection.creation.serialize_db_to_string()
    yield


@pytest.fixture
def without_questionnaire(db):
    """The test database as the migrations leave it, before anyone loads a questionnaire (rolled back after)."""
    from assessments.models import QuestionnaireVersion

    QuestionnaireVersion.objects.all().delete()


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
def _no_sweeping_after_requests(settings):
    # The embedded default sweeps after a request now and then (opencities/sweeping.py); in tests that would send a
    # notice a test expects to wait. The tests of that sweeping turn it on.
    settings.SWEEP_ON_REQUESTS = False


@pytest.fixture(autouse=True)
def _no_language_left_from_another_test():
    """Each test starts in the default language: a request to a French page leaves French active in the thread,
    and then reverse() would build /fr/ addresses, numbers would be written the French way and translated model
    fields would read their French columns."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


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


@pytest.hookimpl(tryfirst=True)  # before xdist's worker reads the groups
def pytest_collection_modifyitems(config, items):
    for item in items:
        reason = _skip_reason(item)
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))
        if item.get_closest_marker("redis") and not item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.xdist_group(SHARED_REDIS_GROUP))


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
