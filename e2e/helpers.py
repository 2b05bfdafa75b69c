"""Helpers for the browser tests: visit a page, check that it loaded cleanly, check its accessibility.

Call `visit(page, path)` for every page a test opens, and `check_page(page)` after every navigation
that a click or a form caused: both assert that the page answered without a server error, that its
CSS, scripts and images loaded, that the browser logged no error, and that axe-core finds no
serious or critical accessibility violation on it, and that at 390 px (a phone) nothing sticks out
sideways and no chart text is smaller than 11 px (`assert_fits_phone`).
"""

import re
import weakref
from pathlib import Path

AXE_SOURCE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")
MAX_NODES_LISTED = 10
PHONE = {"width": 390, "height": 844}
MIN_CHART_TEXT_PX = 11

# Requests the browser makes on its own, whose 404 would say nothing about our pages. None today: /favicon.ico
# redirects to the site's icon, so a 404 for it is a fault like any other.
IGNORED_PATHS = ()

_logs = weakref.WeakKeyDictionary()


class PageLog:
    """What went wrong while a page loaded: server errors, failed resources, console errors."""

    def __init__(self):
        self.documents = []  # (status, url) of the page's own navigations, redirects included
        self.failed_resources = []
        self.console_errors = []
        self.page_errors = []

    def clear(self):
        self.documents.clear()
        self.failed_resources.clear()
        self.console_errors.clear()
        self.page_errors.clear()


def _ignored(url):
    return any(url.split("?", 1)[0].endswith(path) for path in IGNORED_PATHS)


def track(page):
    """Start recording what goes wrong on `page` (the `page` fixture does this)."""
    log = PageLog()
    _logs[page] = log

    def on_response(response):
        request = response.request
        if request.resource_type == "document" and response.frame == page.main_frame:
            log.documents.append((response.status, response.url))
        elif response.status >= 400 and not _ignored(response.url):
            log.failed_resources.append(f"{response.status} {request.resource_type} {response.url}")

    def on_request_failed(request):
        # A request the browser dropped because the page moved on (net::ERR_ABORTED, often the icon) says nothing
        # of a missing file; a 404 still shows in on_response.
        aborted = "ERR_ABORTED" in (request.failure or "")
        if request.resource_type != "document" and not aborted and not _ignored(request.url):
            log.failed_resources.append(f"failed {request.resource_type} {request.url}: {request.failure}")

    def on_console(message):
        if message.type == "error":
            location = message.location or {}
            if _ignored(location.get("url", "")):
                return
            log.console_errors.append(f"{message.text} ({location.get('url', '?')}:{location.get('lineNumber', '?')})")

    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)
    page.on("console", on_console)
    page.on("pageerror", lambda error: log.page_errors.append(str(error)))
    return log


def page_log(page):
    return _logs.get(page) or track(page)


def visit(page, path, *, expected_status=200):
    """Open `path` (relative to the live server), then check the page as `check_page` does."""
    response = page.goto(path)
    assert response is not None, f"No response for {path}"
    assert response.status < 500, f"GET {path} answered {response.status} (server error)"
    if expected_status is not None:
        assert response.status == expected_status, f"GET {path} answered {response.status}, not {expected_status}"
    check_page(page)
    return response


def check_page(page):
    """After a navigation: no 5xx, every resource loaded, no console error, no serious axe violation."""
    page.wait_for_load_state("load")
    log = page_log(page)
    try:
        server_errors = [f"{status} {url}" for status, url in log.documents if status >= 500]
        assert not server_errors, f"Server error while loading {page.url}:\n  " + "\n  ".join(server_errors)
        assert not log.failed_resources, (
            f"Resources of {page.url} did not load (missing static file?):\n  " + "\n  ".join(log.failed_resources)
        )
        assert not log.page_errors, f"JavaScript errors on {page.url}:\n  " + "\n  ".join(log.page_errors)
        assert not log.console_errors, f"Console errors on {page.url}:\n  " + "\n  ".join(log.console_errors)
    finally:
        log.clear()
    check_accessibility(page)
    assert_fits_phone(page)


def assert_fits_phone(page):
    """At 390 × 844 px the page is no wider than the screen and every visible chart label is at least 11 px high.

    A chart's SVG scales with its box, so its text is measured as rendered: the font size times the scale the
    SVG is drawn at. The viewport the test used is restored afterwards.
    """
    viewport = page.viewport_size
    page.set_viewport_size(PHONE)
    try:
        found = page.evaluate(
            """(minimum) => {
                const root = document.documentElement;
                const small = [];
                for (const text of document.querySelectorAll("svg text")) {
                    const box = text.getBoundingClientRect();
                    if (!box.width || !box.height || !text.getClientRects().length) continue;  // not shown
                    const matrix = text.getScreenCTM();  // the SVG's scale and every group's transform
                    const scale = matrix ? Math.hypot(matrix.b, matrix.d) : 1;
                    const size = parseFloat(getComputedStyle(text).fontSize) * scale;
                    if (size < minimum) small.push(`${size.toFixed(1)} px: ${text.textContent.trim().slice(0, 40)}`);
                }
                // What sticks out: the deepest elements whose right edge passes the screen's.
                const edge = root.clientWidth + 0.5;
                const wide = [];
                for (const element of document.body.querySelectorAll("*")) {
                    const box = element.getBoundingClientRect();
                    if (box.right <= edge || !box.width) continue;
                    const out = (child) => child.getBoundingClientRect().right > edge;
                    if ([...element.children].some(out)) continue;
                    const label = element.textContent.trim().slice(0, 40);
                    wide.push(`${element.tagName.toLowerCase()} (right edge ${Math.round(box.right)} px): ${label}`);
                }
                return {width: root.scrollWidth, client: root.clientWidth, small, wide};
            }""",
            MIN_CHART_TEXT_PX,
        )
        assert found["width"] <= PHONE["width"], (
            f"{page.url} is {found['width']} px wide on a {PHONE['width']} px phone: it scrolls sideways; "
            "past the screen's edge:\n  " + "\n  ".join(found["wide"][:MAX_NODES_LISTED])
        )
        assert not found["small"], (
            f"Chart text on {page.url} smaller than {MIN_CHART_TEXT_PX} px at {PHONE['width']} px:\n  "
            + "\n  ".join(found["small"][:MAX_NODES_LISTED])
        )
    finally:
        if viewport:
            page.set_viewport_size(viewport)


def check_accessibility(page):
    """Run axe-core on the current page; fail on any serious or critical violation.

    Lesser violations (moderate, minor) are printed, so they show in the output of a failing test.
    axe-core is evaluated as the test's own code, not added as a <script>, so the site's strict
    Content-Security-Policy stays on and a template that breaks it shows up as a console error.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    violations = page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({target: n.target, html: n.html, summary: n.failureSummary})),
            }));
        }"""
    )
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    lesser = [v for v in violations if v["impact"] not in FAILING_IMPACTS]
    if lesser:
        print(_describe(f"Lesser accessibility findings on {page.url}", lesser))
    assert not failing, _describe(f"Serious or critical accessibility violations on {page.url}", failing)


def _describe(title, violations):
    lines = [f"{title}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} [{violation['impact']}]: {violation['help']} ({violation['helpUrl']})")
        nodes = violation["nodes"]
        for node in nodes[:MAX_NODES_LISTED]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}: {node['html'][:200]}")
            if node.get("summary"):
                lines.extend(f"      {line}" for line in node["summary"].splitlines())
        if len(nodes) > MAX_NODES_LISTED:
            lines.append(f"    … and {len(nodes) - MAX_NODES_LISTED} more elements")
    return "\n".join(lines)


def log_in(page, email, password):
    """Fill and send the login form of the page that is open (the login page)."""
    form = page.locator("main form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=username]").fill(email)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("[type=submit]").click()
    check_page(page)


def log_out(page, user_display_name):
    """Log out through the user menu in the navigation bar (needs Bootstrap's JavaScript)."""
    navigation = page.get_by_role("navigation", name="Main")
    navigation.get_by_role("button", name=user_display_name).click()
    with page.expect_navigation():
        navigation.get_by_role("button", name="Log out").click()
    check_page(page)


def fill_city_profile(page):
    """The wizard's city-profile step as the demo city answers it (1,350,000 people, largest city, finance)."""
    form = page.locator("#step-form")
    form.get_by_label("Metropolitan population").fill("1350000")
    form.get_by_role("group", name="Capital city").get_by_label("No", exact=True).check()
    form.get_by_role("group", name="Largest city of its country").get_by_label("Yes", exact=True).check()
    form.get_by_label("GaWC tier").select_option(label="Don't know")
    form.get_by_label("International niche").select_option(label="Finance")
    form.get_by_role("group", name=re.compile("past global role", re.I)).get_by_label("No", exact=True).check()
