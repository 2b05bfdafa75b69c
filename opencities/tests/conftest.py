"""A real Celery worker on the configured broker, for the tests that need one to answer."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def solo_worker(request):
    """One worker process (solo pool) on REDIS_URL, stopped after the test; its output is kept for failures."""
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "opencities", "worker"),
            *("--pool=solo", "--concurrency=1", "--loglevel=warning", "--without-gossip", "--without-mingle"),
            *("-n", f"{request.node.name[:40]}-{os.getpid()}@%h"),
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "opencities.settings"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
