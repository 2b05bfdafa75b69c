"""The case-study library in a real browser: from a weakness to a case study, the admin's import, export and publish."""

import csv
import importlib
import io
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from assessments.models import Assessment
from casestudies.content_languages import SOURCE_LANGUAGE, localized
from casestudies.models import BODY_SECTIONS, CaseStudy
from casestudies.resources import COLUMNS, TRANSLATED_FIELDS

from . import helpers
from .conftest import DEFAULT_TIMEOUT_MS
from .helpers import check_page, log_in, visit

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
QUESTIONNAIRE_FILE = ROOT / "assessments" / "questionnaires" / "opencities-1.0.toml"
SHIPPED_LIBRARY = ROOT / "casestudies" / "data" / "case-studies.json"
IMPORT_URL = reverse("admin:casestudies_casestudy_import")
EXPORT_URL = reverse("admin:casestudies_casestudy_export")
CHANGELIST_URL = reverse("admin:casestudies_casestudy_changelist")

# The dimension the three new entries help, and a shipped entry of it that is taken back to draft.
DIMENSION = "international-population"
DRAFT_SLUG = "global-detroit"
BAD_DIMENSION = "space-exploration"
NEW_ENTRIES = [
    ("e2e-night-mayor-office", "Night Mayor office for newcomers", "Utrecht", "Netherlands"),
    ("e2e-diaspora-ambassadors", "Diaspora ambassadors programme", "Porto", "Portugal"),
    ("e2e-multilingual-city-hall", "Multilingual city hall desk", "Ghent", "Belgium"),
]


@pytest.fixture
def library(demo):
    """The demo city with its submitted assessments of the last three years, and the shipped case studies.

    The tag tables are filled by a data migration, which an earlier browser test's flush empties: refilled here.
    `seed_demo` runs again once the questionnaire is loaded, to write the demo city's assessments.
    """
    tags_migration = importlib.import_module("casestudies.migrations.0002_tags_and_search_index")
    tags_migration.fill_tags(apps, None)
    call_command("load_questionnaire", str(QUESTIONNAIRE_FILE), stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    call_command("import_case_studies", str(SHIPPED_LIBRARY), stdout=io.StringIO())
    assert CaseStudy.objects.published().count() >= 25
    return demo


@pytest.fixture
def visitor_page(browser, live_server):
    """A page in a browser context of its own: an anonymous visitor, while the editor stays logged in."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    helpers.track(page)
    yield page
    context.close()


# --- Helpers ---


def _click_and_check(page, locator, check=check_page):
    with page.expect_navigation():
        locator.click()
    check(page)


def _without_axe_noise(page):
    """Drop the console errors of axe-core's own code (no URL: an evaluated script) from the page's log.

    On admin pages that link admin/css/forms.css (which @imports widgets.css), axe's CSS preload copies the
    imported sheet into <style> elements, which the site's CSP blocks: errors about axe, not about the page.
    """
    log = helpers.page_log(page)
    log.console_errors[:] = [error for error in log.console_errors if not re.search(r" \(:\d+\)$", error)]


def _check_admin_page(page):
    _without_axe_noise(page)
    check_page(page)
    _without_axe_noise(page)


def _row(slug, title, city, country, *, dimensions=DIMENSION):
    return {
        "slug": slug,
        "title": title,
        "city": city,
        "country": country,
        "region": "europe",
        "year_start": "2019",
        "year_end": "",
        "dimensions": f"{dimensions}, welcome-entry",
        "themes": "welcome-centre",
        "city_types": "secondary-city, niche-hub",
        "summary": f"{city} helps international newcomers settle. A browser test wrote this entry.",
        "purpose": "To welcome newcomers.",
        "context": "",
        "what_was_done": "- a desk\n- a website",
        "results": "More newcomers stayed.",
        "cost": "",
        "transferability": "Any city can do it.",
        "contact": "",
        "sources": f"City of {city}, annual report (2023). https://example.org/{slug}",
        "status": "draft",
        "last_reviewed": "2025-03-01",
    }


def _write_csv(path, rows):
    """The rows in the import's columns: each text in English (title_en), the other languages' columns empty."""
    english = {field: localized(field, SOURCE_LANGUAGE) for field in TRANSLATED_FIELDS}
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS, restval="")
        writer.writeheader()
        writer.writerows({english.get(name, name): value for name, value in row.items()} for row in rows)
    return path


def _upload(page, path, file_format):
    """The admin's import form: the file, its format, Submit; the dry run's result page follows."""
    page.locator("input[name=import_file]").set_input_files(str(path))
    page.locator("select[name=format]").select_option(label=file_format)
    _click_and_check(page, page.get_by_role("button", name="Submit"), _check_admin_page)


def _confirm_import(page):
    confirm = page.get_by_role("button", name="Confirm import")
    expect(confirm).to_be_visible()
    _click_and_check(page, confirm, _check_admin_page)
    expect(page.locator(".messagelist")).to_contain_text("Import finished")


def _expect_preview_of(page, rows):
    """The dry run shows what each new entry will be: its title, city, tags by name and status, within the page."""
    expect(page.get_by_role("heading", name="What the import will write")).to_be_visible()
    preview = page.locator("#import-preview tbody tr")
    expect(preview).to_have_count(len(rows))
    for row, values in zip(preview.all(), rows, strict=True):
        cells = row.locator("td")
        expect(cells.nth(0)).to_have_text("New")
        expect(cells.nth(1)).to_contain_text(values["title"])
        expect(cells.nth(2)).to_have_text(f"{values['city']}, {values['country']}")
        expect(cells.nth(3)).to_contain_text("Welcome & entry")
        expect(cells.nth(3)).to_contain_text("Welcome centre & multilingual information")
        expect(cells.nth(3)).to_contain_text("Ambitious secondary city, Small hub with an international niche")
        expect(cells.nth(4)).to_have_text("Draft")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"wider than {width} px"
    page.set_viewport_size({"width": 1280, "height": 900})


def _library_snapshot():
    """The library as a reader and the file see it: every text, tag (by key) and status, by slug."""
    texts = ["title", "city", "country", "region", "year_start", "year_end", "summary", "sources", "status"]
    texts += [name for name, _label in BODY_SECTIONS]
    return {
        case_study.slug: {
            **{name: getattr(case_study, name) for name in texts},
            "last_reviewed": case_study.last_reviewed,
            "published": case_study.published_at is not None,
            "search_text": case_study.search_text,
            "dimensions": sorted(tag.key for tag in case_study.dimensions.all()),
            "themes": sorted(tag.key for tag in case_study.themes.all()),
            "city_types": sorted(tag.key for tag in case_study.city_types.all()),
        }
        for case_study in CaseStudy.objects.prefetch_related("dimensions", "themes", "city_types")
    }


# --- Tests ---


def test_lead_follows_a_case_study_from_a_weakness_of_the_latest_profile(page, library):
    latest = Assessment.objects.filter(city__slug=library.city_slug, status=Assessment.Status.SUBMITTED).latest("year")

    visit(page, reverse("login"))
    log_in(page, library.lead_email, library.password)
    visit(page, reverse("assessment_list", kwargs={"slug": library.city_slug}))
    _click_and_check(page, page.locator("main").get_by_role("link", name=f"Openness profile {latest.year}"))
    expect(page).to_have_url(re.compile(re.escape(reverse("assessment_profile", args=[library.city_slug, latest.pk]))))

    section = page.get_by_role("region", name="Strengths and weaknesses")
    weaknesses = section.locator("ul.weaknesses > li")
    expect(weaknesses.first).to_be_visible()
    # The first weakness that lists case studies: its dimension's name, and its first link.
    with_links = weaknesses.filter(has=page.locator("a[href^='/en/case-studies/']"))
    expect(with_links.first).to_be_visible()
    weakness = with_links.first
    dimension_name = weakness.locator("strong").first.inner_text()
    links = weakness.locator("a[href^='/en/case-studies/']")
    assert 1 <= links.count() <= 3
    link = links.first
    title = link.inner_text()
    slug = link.get_attribute("href").strip("/").split("/")[-1]
    assert CaseStudy.objects.published().filter(slug=slug, dimensions__name=dimension_name).exists()

    _click_and_check(page, link)
    expect(page).to_have_url(re.compile(re.escape(f"/case-studies/{slug}/") + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    helps = page.locator("dl.case-study-tags dt", has_text="Dimensions it helps").locator(
        "xpath=following-sibling::dd[1]"
    )
    expect(helps.get_by_role("link", name=dimension_name, exact=True)).to_be_visible()


def test_editor_imports_a_file_fixes_a_bad_row_publishes_and_visitors_find_the_entries(
    page, visitor_page, library, tmp_path
):
    CaseStudy.objects.filter(slug=DRAFT_SLUG).update(status=CaseStudy.Status.DRAFT, published_at=None)
    before = CaseStudy.objects.count()
    rows = [_row(*entry) for entry in NEW_ENTRIES]
    rows[1]["dimensions"] = f"{DIMENSION}, {BAD_DIMENSION}"
    bad_file = _write_csv(tmp_path / "bad.csv", rows)

    visit(page, reverse("login"))
    log_in(page, library.editor_email, library.password)
    visit(page, CHANGELIST_URL)
    _click_and_check(page, page.get_by_role("link", name="Import"), _check_admin_page)
    expect(page).to_have_url(re.compile(re.escape(IMPORT_URL) + "$"))

    # The dry run lists, in the page, the bad row (the file's second entry: row 3 under the header) with its column
    # and unknown tag; nothing can be confirmed.
    _upload(page, bad_file, "csv")
    problems = page.locator("#import-problems li")
    expect(problems).to_have_count(1)
    expect(problems).to_contain_text([f"Row 3, column dimensions: Unknown dimensions: “{BAD_DIMENSION}”"])
    expect(problems.first).to_be_visible()
    expect(page.get_by_role("button", name="Confirm import")).to_have_count(0)
    assert CaseStudy.objects.count() == before
    assert not CaseStudy.objects.filter(slug__startswith="e2e-").exists()

    # Fixed: the dry run previews three new entries, and the import writes them as drafts.
    rows[1]["dimensions"] = f"{DIMENSION}, welcome-entry"
    good_file = _write_csv(tmp_path / "good.csv", rows)
    page.goto(IMPORT_URL)
    _check_admin_page(page)
    _upload(page, good_file, "csv")
    _expect_preview_of(page, rows)
    assert not CaseStudy.objects.filter(slug__startswith="e2e-").exists()
    _confirm_import(page)
    imported = CaseStudy.objects.filter(slug__startswith="e2e-")
    assert sorted(imported.values_list("slug", "status")) == sorted((slug, "draft") for slug, *_rest in NEW_ENTRIES)
    assert CaseStudy.objects.count() == before + 3

    # Select the three drafts in the changelist and publish them.
    visit(page, f"{CHANGELIST_URL}?q=e2e-")
    results = page.locator("#result_list tbody tr")
    expect(results).to_have_count(3)
    for _slug, title, *_rest in NEW_ENTRIES:
        page.get_by_role("row").filter(has=page.get_by_role("link", name=title, exact=True)).get_by_role(
            "checkbox"
        ).check()
    page.locator("select[name=action]").select_option(label="Publish the selected case studies")
    _click_and_check(page, page.get_by_role("button", name="Go"), _check_admin_page)
    expect(page.locator(".messagelist")).to_contain_text("3 case studies published.")
    assert sorted(imported.values_list("status", flat=True)) == ["published"] * 3
    assert all(imported.values_list("published_at", flat=True))

    # An anonymous visitor filters the public library by the dimension, in the form: the three new entries and
    # the published ones of that dimension; not the shipped entry taken back to draft.
    visitor = visitor_page
    visit(visitor, reverse("casestudies:library"))
    search = visitor.get_by_role("search", name="Filter the case studies")
    search.get_by_label("Dimension").select_option(DIMENSION)
    _click_and_check(visitor, search.get_by_role("button", name="Show case studies"))
    expect(visitor).to_have_url(re.compile(rf"[?&]dimension={DIMENSION}(&|$)"))
    shown = set(visitor.locator("main .case-study-cards h2").all_inner_texts())
    expected = set(CaseStudy.objects.published().filter(dimensions__key=DIMENSION).values_list("title", flat=True))
    assert {title for _slug, title, *_rest in NEW_ENTRIES} <= shown
    assert shown == expected
    assert CaseStudy.objects.get(slug=DRAFT_SLUG).title not in shown
    expect(visitor.locator("main")).to_contain_text(f"{len(expected)} case studies match these filters.")


def test_an_exported_library_imports_back_to_the_same_library(page, library):
    # A draft, an entry with no tags of one kind and an entry whose text a spreadsheet would run as a formula.
    CaseStudy.objects.filter(slug=DRAFT_SLUG).update(status=CaseStudy.Status.DRAFT, published_at=None)
    formula = CaseStudy.objects.get(slug="welcome-dayton")
    formula.summary = "=SUM(A1:A2) is not a formula here. " + formula.summary
    formula.save()
    CaseStudy.objects.get(slug="cape-town-air-access").city_types.clear()
    before = _library_snapshot()
    assert len(before) >= 25

    visit(page, reverse("login"))
    log_in(page, library.editor_email, library.password)
    visit(page, CHANGELIST_URL)
    # Not check_page: django-import-export's export page breaks the site's CSP (see the test after this one).
    with page.expect_navigation():
        page.get_by_role("link", name="Export").click()
    expect(page).to_have_url(re.compile(re.escape(EXPORT_URL)))
    page.locator("select[name=format]").select_option(label="csv")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Submit").click()
    download = download_info.value
    assert download.failure() is None, download.failure()
    assert download.suggested_filename.endswith(".csv"), download.suggested_filename
    exported = Path(download.path())
    with exported.open(encoding="utf-8-sig", newline="") as file:
        header = next(csv.reader(file))
    assert tuple(header) == COLUMNS

    # The export page's own CSP errors (the test after this one) are known: not blamed on the import page.
    helpers.page_log(page).clear()

    CaseStudy.objects.all().delete()
    assert CaseStudy.objects.count() == 0

    page.goto(IMPORT_URL)
    _check_admin_page(page)
    _upload(page, exported.rename(exported.with_suffix(".csv")), "csv")
    expect(page.get_by_role("heading", name="What the import will write")).to_be_visible()
    expect(page.locator("#import-preview tbody tr.oc-import-new")).to_have_count(len(before))
    assert CaseStudy.objects.count() == 0
    _confirm_import(page)

    after = _library_snapshot()
    assert sorted(after) == sorted(before)
    differing = {slug: (before[slug], after[slug]) for slug in before if before[slug] != after[slug]}
    assert not differing, differing


def test_the_admin_export_page_works_under_the_content_security_policy(page, library):
    visit(page, reverse("login"))
    log_in(page, library.editor_email, library.password)
    visit(page, EXPORT_URL)
