"""Editors import and export the library: errors by row before anything is written, bulk writes, safe exports."""

import csv
import io
import json
import time

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from casestudies.models import CaseStudy
from casestudies.resources import COLUMNS, CaseStudyResource, case_studies_import
from opencities.imports import EXPORT_FORMATS, MAX_IMPORT_ROWS, ImportFileError, read_dataset
from opencities.tests.test_imports import hand_built_xlsx

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:casestudies_casestudy_import"
CONFIRM_URL = "admin:casestudies_casestudy_process_import"
FORMAT_CSV, FORMAT_XLSX, FORMAT_JSON = "0", "1", "2"  # the order of opencities.imports.IMPORT_FORMATS


def row(slug="welcome-desk", **values):
    base = {
        "slug": slug,
        "title_en": f"Welcome desk {slug}",
        "city": "Łódź",
        "country": "Poland",
        "region": "europe",
        "year_start": "2016",
        "year_end": "",
        "dimensions": "welcome-entry, Integration & inclusion",
        "themes": "welcome-centre",
        "city_types": "secondary-city",
        "summary_en": "A desk where newcomers register and get help.",
        "purpose_en": "",
        "context_en": "",
        "what_was_done_en": "- opened a desk\n- translated forms",
        "results_en": "",
        "cost_en": "",
        "transferability_en": "",
        "contact_en": "",
        "sources": "City of Łódź, press release (2016). https://uml.lodz.pl/welcome",
        "status": "published",
        "last_reviewed": "2026-11-01",
    }
    base.update(values)
    return base


def dataset(*rows):
    data = tablib.Dataset(headers=list(COLUMNS))
    for values in rows:
        data.append([values.get(column, "") for column in COLUMNS])
    return data


def csv_bytes(*rows, encoding="utf-8"):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def latin1_csv():
    """A file saved by a spreadsheet in Latin-1, not UTF-8 ("ü" is one byte)."""
    return csv_bytes(
        row("a", city="Zürich", sources="Stadt Zürich (2016). https://stadt-zuerich.ch"), encoding="latin-1"
    )


def test_a_good_file_creates_entries_with_their_tags_by_key_or_name():
    report = case_studies_import(dataset(row("a"), row("b")), dry_run=False)
    assert report.ok and report.new == 2
    entry = CaseStudy.objects.get(slug="a")
    assert sorted(entry.dimensions.values_list("key", flat=True)) == ["integration-inclusion", "welcome-entry"]
    assert entry.city == "Łódź" and entry.status == "published" and entry.published_at is not None
    assert "translated forms" in entry.search_text


def test_importing_the_same_slug_again_updates_the_entry():
    case_studies_import(dataset(row("a")), dry_run=False)
    report = case_studies_import(dataset(row("a", title_en="Renamed", themes="talent")), dry_run=False)
    assert report.updated == 1 and CaseStudy.objects.count() == 1
    entry = CaseStudy.objects.get(slug="a")
    assert entry.title == "Renamed"
    assert list(entry.themes.values_list("key", flat=True)) == ["talent"]


def test_each_language_has_its_column_and_an_empty_one_leaves_the_english_to_show():
    report = case_studies_import(
        dataset(row("a", title_fr="Un guichet d'accueil", summary_fr="Un guichet où s'inscrire."), row("b")),
        dry_run=False,
    )
    assert report.ok, report.problems
    entry = CaseStudy.objects.get(slug="a")
    assert (entry.title_en, entry.title_fr) == ("Welcome desk a", "Un guichet d'accueil")
    with translation.override("fr"):
        assert entry.title == "Un guichet d'accueil"
        assert CaseStudy.objects.get(slug="b").title == "Welcome desk b"  # the English, for want of French
    # Each language's search text is what its readers see.
    assert "guichet" in entry.search_text_fr and "guichet" not in entry.search_text_en
    assert "translated forms" in entry.search_text_fr  # the body, not translated, reads in English


def test_the_french_title_goes_out_in_its_column_and_comes_back():
    assert case_studies_import(dataset(row("a", title_fr="Un guichet d'accueil")), dry_run=False).ok
    exported = EXPORT_FORMATS[0]().export_data(CaseStudyResource().export())
    header = next(csv.reader(io.StringIO(exported)))
    assert header == list(COLUMNS)
    assert header[:3] == ["slug", "title_en", "title_fr"]
    cells = next(csv.DictReader(io.StringIO(exported)))
    assert cells["title_fr"] == "Un guichet d'accueil" and cells["summary_fr"] == ""
    CaseStudy.objects.all().delete()
    assert case_studies_import(tablib.Dataset().load(exported, format="csv"), dry_run=False).ok
    assert CaseStudy.objects.get(slug="a").title_fr == "Un guichet d'accueil"


@pytest.mark.parametrize(
    ("column", "words"),
    [
        (
            "title_it",
            "Column title_it: “it” is not a language of this site (en, fr, de, es); "
            "use title_en, title_fr, title_de, title_es.",
        ),
        ("summary_xx", "Column summary_xx: “xx” is not a language of this site (en, fr, de, es)"),
        ("what_was_done_FR", "Column what_was_done_FR: “FR” is not a language of this site"),
        ("title", "Column title: name its language, as title_en, title_fr, title_de, title_es."),
    ],
)
def test_a_column_of_an_unknown_language_is_refused_by_its_name_and_nothing_is_written(column, words):
    data = dataset(row("a"), row("b"))
    data.append_col(["Willkommen", "Bienvenue"], header=column)
    report = case_studies_import(data, dry_run=False)
    assert not report.ok
    assert any(words in problem for problem in report.problems), report.problems
    assert CaseStudy.objects.count() == 0


def test_every_unknown_language_column_is_named():
    data = dataset(row("a"))
    data.append_col(["x"], header="title_it")
    data.append_col(["y"], header="summary_pt")
    (problem,) = case_studies_import(data, dry_run=False).problems
    assert "title_it" in problem and "summary_pt" in problem


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ({"dimensions": "welcome-entry, happiness"}, "“happiness”"),
        ({"themes": "Free lunches"}, "“Free lunches”"),
        ({"region": "Atlantis"}, "Unknown region “Atlantis”"),
        ({"year_start": "twenty"}, "“twenty” is not a year"),
        ({"sources": "A book without a link"}, "must end with its link"),
        ({"status": "maybe"}, "Unknown status"),
        ({"title_en": ""}, "title_en"),
    ],
)
def test_a_bad_row_is_reported_by_row_and_nothing_is_written(bad, words):
    report = case_studies_import(dataset(row("a"), row("b", **bad), row("c")), dry_run=False)
    assert not report.ok
    assert any(problem.startswith("Row 3, column") and words in problem for problem in report.problems), report.problems
    assert CaseStudy.objects.count() == 0


def test_an_unknown_tag_is_never_created():
    from casestudies.models import DimensionTag

    before = DimensionTag.objects.count()
    case_studies_import(dataset(row("a", dimensions="new-dimension")), dry_run=False)
    assert DimensionTag.objects.count() == before


def test_a_slug_used_twice_in_the_file_names_both_rows():
    report = case_studies_import(dataset(row("same"), row("other"), row("same")), dry_run=False)
    assert any("Row 4" in problem and "also used on row 2" in problem for problem in report.problems)
    assert CaseStudy.objects.count() == 0


def test_a_file_without_the_key_column_is_refused_with_the_expected_columns():
    data = tablib.Dataset(headers=["name", "town"])
    data.append(["x", "y"])
    report = case_studies_import(data, dry_run=False)
    assert not report.ok and "slug" in report.problems[0] and "summary_en" in report.problems[0]


def test_more_rows_than_one_import_takes_are_refused_before_reading(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(csv_bytes(*(row(f"entry-{number}") for number in range(MAX_IMPORT_ROWS + 1))))
    with pytest.raises(ImportFileError, match="more than 5,000 rows; one import takes at most 5,000"):
        read_dataset(path)


def test_a_file_that_is_not_utf8_gets_a_clear_message(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(latin1_csv())
    with pytest.raises(ImportFileError, match="not UTF-8 text"):
        read_dataset(path)


def test_the_writes_are_bulk_not_one_per_row():
    def queries(count):
        data = dataset(*(row(f"entry-{number}") for number in range(count)))
        with CaptureQueriesContext(connection) as captured:
            assert case_studies_import(data, dry_run=False).ok
        CaseStudy.objects.all().delete()
        return len(captured)

    few, many = queries(40), queries(400)
    assert many < 100, "a query or more per row"
    # Only more batches: SQLite takes 999 values a statement, so as many rows as fit in 999 of the table's columns
    # (one per language of each translated field); PostgreSQL takes each batch of 500 in one.
    columns = len(CaseStudy._meta.concrete_fields)
    per_insert = 999 // columns if connection.vendor == "sqlite" else 500
    batches = -(-400 // per_insert) - -(-40 // per_insert)
    assert many - few <= batches + 2


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_cells_that_look_like_formulas_are_kept_as_text_and_exported_harmless(start):
    value = f'{start}HYPERLINK("https://evil.example","click")'
    assert case_studies_import(dataset(row("a", title_en=value, what_was_done_en=value)), dry_run=False).ok
    assert CaseStudy.objects.get(slug="a").title == value  # stored as typed; pages escape it

    exported = EXPORT_FORMATS[0]().export_data(CaseStudyResource().export())
    cells = next(csv.DictReader(io.StringIO(exported)))
    assert cells["title_en"] == f"'{value}" and cells["what_was_done_en"] == f"'{value}"

    # …and the exported file imports back to the same text.
    CaseStudy.objects.all().delete()
    assert case_studies_import(tablib.Dataset().load(exported, format="csv"), dry_run=False).ok
    assert CaseStudy.objects.get(slug="a").title == value


def _library():
    return sorted(
        (
            entry.slug,
            entry.title_en,
            entry.title_fr or "",
            entry.summary_fr or "",
            entry.what_was_done,
            entry.sources,
            entry.status,
            entry.year_start,
            entry.last_reviewed,
            tuple(sorted(entry.dimensions.values_list("key", flat=True))),
            tuple(sorted(entry.themes.values_list("key", flat=True))),
            tuple(sorted(entry.city_types.values_list("key", flat=True))),
        )
        for entry in CaseStudy.objects.all()
    )


@pytest.mark.parametrize("format_index", [0, 1, 2])
def test_export_then_import_gives_the_same_library(format_index):
    assert case_studies_import(
        dataset(
            row("a"),
            row("b", status="draft", what_was_done_en="-1 is a number", title_fr="Guichet b", summary_fr="Un guichet."),
        ),
        dry_run=False,
    ).ok
    before = _library()
    file_format = EXPORT_FORMATS[format_index]()
    exported = file_format.export_data(CaseStudyResource().export())
    CaseStudy.objects.all().delete()
    reloaded = tablib.Dataset().load(exported, format=file_format.get_title())
    assert case_studies_import(reloaded, dry_run=False).ok
    assert _library() == before


def test_the_shipped_library_loads_through_the_same_import(settings):
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "data" / "case-studies.json"
    report = case_studies_import(read_dataset(path), dry_run=False)
    assert report.ok, report.problems
    assert CaseStudy.objects.published().count() >= 25


class TestTheAdminImport:
    def _upload(self, client, content, name="cases.csv", format_index=FORMAT_CSV):
        return client.post(
            reverse(IMPORT_URL),
            {"resource": "0", "format": format_index, "import_file": SimpleUploadedFile(name, content)},
        )

    def test_the_dry_run_lists_the_bad_row_then_a_fixed_file_imports(self, client, editor):
        client.force_login(editor)
        bad = csv_bytes(row("a"), row("b", dimensions="welcome-entry, nonsense"), row("c"))
        response = self._upload(client, bad)
        html = response.content.decode()
        assert response.status_code == 200
        assert "Nothing was written: the file has 1 problem." in html
        assert "Unknown dimensions: “nonsense”" in html
        assert 'name="import_file_name"' not in html  # no confirm button while a row is bad
        assert CaseStudy.objects.count() == 0

        response = self._upload(client, csv_bytes(row("a"), row("b"), row("c")))
        html = response.content.decode()
        assert 'name="import_file_name"' in html  # the confirm form, offered only without errors
        assert CaseStudy.objects.count() == 0  # the dry run wrote nothing
        form = {
            name: value
            for name, value in (
                ("import_file_name", _hidden(html, "import_file_name")),
                ("original_file_name", _hidden(html, "original_file_name")),
                ("format", _hidden(html, "format")),
                ("resource", _hidden(html, "resource")),
            )
        }
        response = client.post(reverse(CONFIRM_URL), form)
        assert response.status_code == 302
        assert sorted(CaseStudy.objects.values_list("slug", flat=True)) == ["a", "b", "c"]

    def test_the_dry_run_previews_what_each_row_will_write(self, client, editor):
        client.force_login(editor)
        case_studies_import(dataset(row("old", title_en="Old title")), dry_run=False)

        html = self._upload(
            client, csv_bytes(row("a"), row("old", title_en="New title", status="draft"))
        ).content.decode()

        preview = html[html.index('id="import-preview"') :]
        for words in ("New", "Welcome desk a", "Łódź, Poland", "Welcome &amp; entry", "Integration &amp; inclusion"):
            assert words in preview
        for words in ("Welcome centre &amp; multilingual information", "Ambitious secondary city", "Published"):
            assert words in preview
        assert "Update" in preview and "New title" in preview and "Draft" in preview
        assert CaseStudy.objects.get(slug="old").title == "Old title"

    def test_every_problem_is_listed_in_the_page_by_row_and_column(self, client, editor):
        client.force_login(editor)
        bad = csv_bytes(row("a"), row("b", dimensions="nonsense", region="Atlantis"), row("c", year_start="x"))

        html = self._upload(client, bad).content.decode()

        problems = html[html.index('id="import-problems"') :]
        assert "Rows are numbered as a spreadsheet shows them: the header is row 1." in problems
        assert "Row 3, column dimensions: Unknown dimensions: “nonsense”" in problems
        assert "Row 3, column region: Unknown region “Atlantis”" in problems
        assert "Row 4, column year_start: “x” is not a year." in problems
        assert "validation-error-container" not in html  # no longer behind a badge shown on hover

    def test_a_non_utf8_upload_is_explained(self, client, editor):
        client.force_login(editor)
        html = self._upload(
            client,
            csv_bytes(
                row("a", city="Zürich", sources="Stadt Zürich (2016). https://stadt-zuerich.ch"), encoding="latin-1"
            ),
        ).content.decode()
        assert "not UTF-8 text" in html
        assert CaseStudy.objects.count() == 0

    def test_a_sheet_of_300000_rows_is_refused_with_the_limit_and_nothing_is_imported(self, client, editor):
        client.force_login(editor)
        content = hand_built_xlsx(list(COLUMNS), ["a"], 300_000)  # 15 MB unpacked: under the size limit
        started = time.monotonic()
        html = self._upload(client, content, name="cases.xlsx", format_index=FORMAT_XLSX).content.decode()
        assert time.monotonic() - started < 10
        assert "The file has more than 5,000 rows; one import takes at most 5,000." in html
        assert 'name="import_file_name"' not in html
        assert CaseStudy.objects.count() == 0

    def test_an_unknown_language_column_is_listed_in_the_page_and_nothing_can_be_confirmed(self, client, editor):
        client.force_login(editor)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=[*COLUMNS, "title_it"])
        writer.writeheader()
        writer.writerow({**row("a"), "title_it": "Sportello di benvenuto"})
        html = self._upload(client, out.getvalue().encode()).content.decode()
        assert "Column title_it: “it” is not a language of this site" in html
        assert 'name="import_file_name"' not in html
        assert CaseStudy.objects.count() == 0

    def test_json_imports_too(self, client, editor):
        client.force_login(editor)
        content = json.dumps([row("a")]).encode()
        html = self._upload(client, content, name="cases.json", format_index=FORMAT_JSON).content.decode()
        assert 'name="import_file_name"' in html


def _hidden(html, name):
    import re

    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html
    )
    assert match, f"no hidden field {name}"
    return match.group(1)
