"""The cache saves time and nothing else: when it does not answer, values are loaded as if it were empty."""

import pytest
from django.core.cache.backends.redis import RedisCache

from opencities import caching

CLOSED_PORT = 1  # nothing listens on port 1


def test_a_value_is_loaded_once_then_kept():
    loads = []

    def load():
        loads.append(1)
        return {"answer": 42}

    assert caching.cached("test-kept", load) == {"answer": 42}
    assert caching.cached("test-kept", load) == {"answer": 42}
    assert len(loads) == 1


@pytest.fixture
def unanswering_cache(monkeypatch):
    options = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    monkeypatch.setattr(caching, "cache", RedisCache(f"redis://127.0.0.1:{CLOSED_PORT}/0", {"OPTIONS": options}))


def test_a_cache_that_does_not_answer_costs_a_load_not_an_error(unanswering_cache, caplog):
    # A worker rendering a report while Redis restarts must finish the report (its rule set, its peers).
    loads = []

    def load():
        loads.append(1)
        return ["rules"]

    assert caching.cached("test-unanswered", load) == ["rules"]
    assert caching.cached("test-unanswered", load) == ["rules"]
    assert len(loads) == 2
    assert "Cache unavailable" in caplog.text
