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
        "title": f"Welcome desk {slug}",
        "city": "Łódź",
        "country": "Poland",
        "region": "europe",
        "year_start": "2016",
        "year_end": "",
        "dimensions": "welcome-entry, Integration & inclusion",
        "themes": "welcome-centre",
        "city_types": "secondary-city",
        "summary": "A desk where newcomers register and get help.",
        "purpose": "",
        "context": "",
        "what_was_done": "- opened a desk\n- translated forms",
        "results": "",
        "cost": "",
        "transferability": "",
        "contact": "",
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
    report = case_studies_import(dataset(row("a", title="Renamed", themes="talent")), dry_run=False)
    assert report.updated == 1 and CaseStudy.objects.count() == 1
    entry = CaseStudy.objects.get(slug="a")
    assert entry.title == "Renamed"
    assert list(entry.themes.values_list("key", flat=True)) == ["talent"]


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ({"dimensions": "welcome-entry, happiness"}, "“happiness”"),
        ({"themes": "Free lunches"}, "“Free lunches”"),
        ({"region": "Atlantis"}, "Unknown region “Atlantis”"),
        ({"year_start": "twenty"}, "“twenty” is not a year"),
        ({"sources": "A book without a link"}, "must end with its link"),
        ({"status": "maybe"}, "Unknown status"),
        ({"title": ""}, "title"),
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
    assert not report.ok and "slug" in report.problems[0] and "summary" in report.problems[0]


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
    assert many < 60, "a query or more per row"
    assert many - few <= 12  # only more batches


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_cells_that_look_like_formulas_are_kept_as_text_and_exported_harmless(start):
    value = f'{start}HYPERLINK("https://evil.example","click")'
    assert case_studies_import(dataset(row("a", title=value, what_was_done=value)), dry_run=False).ok
    assert CaseStudy.objects.get(slug="a").title == value  # stored as typed; pages escape it

    exported = EXPORT_FORMATS[0]().export_data(CaseStudyResource().export())
    cells = next(csv.DictReader(io.StringIO(exported)))
    assert cells["title"] == f"'{value}" and cells["what_was_done"] == f"'{value}"

    # …and the exported file imports back to the same text.
    CaseStudy.objects.all().delete()
    assert case_studies_import(tablib.Dataset().load(exported, format="csv"), dry_run=False).ok
    assert CaseStudy.objects.get(slug="a").title == value


def _library():
    return sorted(
        (
            entry.slug,
            entry.title,
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
        dataset(row("a"), row("b", status="draft", what_was_done="-1 is a number")), dry_run=False
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
        case_studies_import(dataset(row("old", title="Old title")), dry_run=False)

        html = self._upload(client, csv_bytes(row("a"), row("old", title="New title", status="draft"))).content.decode()

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
