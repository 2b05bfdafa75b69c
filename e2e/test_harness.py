"""The browser-test harness itself: axe-core really runs, and static files really load."""

import pytest
from django.templatetags.static import static
from playwright.sync_api import expect

from .helpers import check_accessibility

pytestmark = pytest.mark.e2e


def test_axe_fails_on_a_serious_violation(page):
    page.set_content('<!doctype html><html lang="en"><title>t</title><main><img src="data:,"></main></html>')
    with pytest.raises(AssertionError, match=r"image-alt \[critical\][\s\S]*at img"):
        check_accessibility(page)


def test_axe_passes_an_accessible_page(page):
    page.set_content(
        '<!doctype html><html lang="en"><title>t</title><main><h1>Fine</h1><img src="data:," alt="x"></main></html>'
    )
    check_accessibility(page)


def test_bootstrap_is_served_and_applied(page, live_server):
    for name, content_type in (
        ("vendor/bootstrap/bootstrap.min.css", "text/css"),
        ("vendor/bootstrap/bootstrap.bundle.min.js", "javascript"),
        ("css/site.css", "text/css"),
    ):
        response = page.request.get(live_server.url + static(name))
        assert response.status == 200, f"{static(name)} answered {response.status}"
        assert content_type in response.headers["content-type"]

    css = static("vendor/bootstrap/bootstrap.min.css")
    page.set_content(
        f'<!doctype html><html lang="en"><head><link rel="stylesheet" href="{live_server.url}{css}">'
        '</head><body><div class="d-none" id="hidden">x</div></body></html>'
    )
    expect(page.locator("#hidden")).to_be_hidden()
