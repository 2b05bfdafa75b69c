"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's live server.

Run with `make e2e` (that is `.venv/bin/pytest e2e`). Never `playwright install`: it downloads a
browser, and this project uses the system's `chromium` package instead.
"""

import os

# Playwright's sync API keeps an event loop in the main thread, and Django then refuses every
# database query a test makes (SynchronousOnlyOperation). Set before anything imports Django.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import io
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from . import helpers

CHROMIUM_ARGS = [
    "--no-sandbox",  # we run as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOT_DIR = Path(__file__).resolve().parent.parent / "var"
DEFAULT_TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def chromium_executable():
    path = shutil.which("chromium")
    if not path:
        pytest.fail(
            "Chromium is missing. The browser tests use Debian's package, never a downloaded browser: "
            "apt-get update && apt-get install -y chromium",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def browser(chromium_executable):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _static_files_without_collectstatic(settings):
    """Serve static files from the apps' folders, as `collectstatic` never ran.

    With DEBUG off the settings use WhiteNoise's manifest storage, whose `{% static %}` fails without
    the manifest that `collectstatic` writes. The live server serves /static/ from the finders.
    """
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def context(browser, live_server):
    # The site's Content-Security-Policy stays on: the tests see what users' browsers enforce.
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    helpers.track(page)
    yield page
    page.close()


@pytest.fixture
def demo(settings, transactional_db):
    """The demo city and accounts of `manage.py seed_demo`, committed so the live server sees them."""
    from assessments.management.commands import seed_demo
    from assessments.models import QuestionnaireVersion

    settings.DEMO_MODE = True
    # The demo city starts with no assessment: seed_demo adds past years only where a questionnaire is loaded,
    # and the test database may hold the one the unit tests load for every worker.
    QuestionnaireVersion.objects.all().delete()
    call_command("seed_demo", stdout=io.StringIO())
    return SimpleNamespace(
        lead_email=seed_demo.DEMO_LEAD,
        lead_name="Dana Demo-Lead",
        editor_email=seed_demo.DEMO_EDITOR,
        password=seed_demo.DEMO_PASSWORD,
        city_name="Demoville",
        city_slug="demo",
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """When a browser test fails, keep a full-page screenshot in var/e2e-<test name>.png."""
    report = yield
    if report.when == "call" and report.failed:
        page = getattr(item, "funcargs", {}).get("page")
        if page is not None and not page.is_closed():
            path = SCREENSHOT_DIR / f"e2e-{re.sub(r'[^A-Za-z0-9_.-]+', '_', item.name)}.png"
            try:
                SCREENSHOT_DIR.mkdir(exist_ok=True)
                page.screenshot(path=str(path), full_page=True)
                report.sections.append(("e2e screenshot", f"{page.url}\nsaved to {path}"))
            except Exception as error:  # the test failed already; say why there is no screenshot
                report.sections.append(("e2e screenshot", f"could not be saved: {error}"))
    return report
