"""A cell a spreadsheet would run as a formula is exported as text and imported back as it was."""

import io
from decimal import Decimal

import openpyxl
import pytest
import tablib
from django.contrib import admin
from django.utils import translation

from assessments.numbers import figure
from opencities import spreadsheets
from opencities.spreadsheets import dataset_escaped, formula_escaped, formula_unescaped

FORMULAS = ["=1+1", '=HYPERLINK("https://evil.example","x")', "+31 20", "-5", "@SUM(A1)", "\tcmd", "\rcmd"]
PLAIN = ["Zürich", "", "a=b", "5-3", "e-mail@example.org", "'quoted", "'", " =1"]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_gets_an_apostrophe_and_comes_back_without_it(text):
    assert formula_escaped(text) == "'" + text
    assert formula_unescaped(formula_escaped(text)) == text


@pytest.mark.parametrize("value", [*PLAIN, None, 0, -5, Decimal("-1.5"), True])
def test_other_values_go_out_and_come_back_as_they_are(value):
    assert formula_escaped(value) == value
    assert formula_unescaped(value) == value


@pytest.mark.parametrize("text", ["'=1+1", "'-5", "'@x"])
def test_an_escaped_formula_is_not_escaped_twice(text):
    assert formula_escaped(text) == text  # it starts with the apostrophe, which runs nothing


def test_a_dataset_is_escaped_in_a_copy_with_its_headers_and_title():
    dataset = tablib.Dataset(["=1+1", "Zürich", 3], headers=["a", "b", "c"], title="Sheet")
    escaped = dataset_escaped(dataset)
    assert (escaped.headers, escaped.title, list(escaped[0])) == (["a", "b", "c"], "Sheet", ["'=1+1", "Zürich", 3])
    assert dataset[0][0] == "=1+1"


@pytest.mark.parametrize("text", FORMULAS)
def test_the_csv_export_format_escapes(text):
    content = spreadsheets.CSV().export_data(tablib.Dataset([text, "plain"], headers=["cell", "other"]))
    assert tablib.Dataset().load(content, format="csv")[0] == ("'" + text, "plain")


@pytest.mark.parametrize("text", FORMULAS)
def test_the_xlsx_export_format_escapes(text):
    content = spreadsheets.XLSX().export_data(tablib.Dataset([text, "plain"], headers=["cell", "other"]))
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    # A workbook keeps a carriage return as a line feed.
    assert sheet["A2"].value == "'" + text.replace("\r", "\n") and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == "plain"


def test_the_members_csv_escapes_every_text_but_never_a_number():
    content = spreadsheets.csv_content([["=1+1", "Zürich", 3, None, Decimal("-1.5")]], number=str)
    assert content == "\ufeff'=1+1,Zürich,3,,-1.5\r\n".encode()  # a negative number is no formula to stop


@pytest.mark.parametrize(
    ("language", "delimiter", "words"),
    [("en", ",", "commas between columns, decimal points"), ("fr", ";", "decimal commas")],
)
def test_the_members_csv_takes_the_list_separator_of_the_languages_decimal_mark(language, delimiter, words):
    with translation.override(language):
        convention = spreadsheets.csv_convention()
        content = spreadsheets.csv_content([["a", Decimal("1.5")]], number=lambda value: figure(value))
    assert convention.delimiter == delimiter
    assert words in convention.in_words or language == "fr"  # the French words come from the catalogue
    assert content.decode("utf-8-sig") == f"a{delimiter}{'1,5' if language == 'fr' else '1.5'}\r\n"


def test_the_members_xlsx_holds_numbers_as_numbers_and_texts_escaped():
    content = spreadsheets.xlsx_content(
        [["Dimension", "Score"], ["=1+1", Decimal("49.5")], ["Zürich", 3]], title="Compare: a/b"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet.title == "Compare- a-b"
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Dimension", "Score"],
        ["'=1+1", 49.5],
        ["Zürich", 3],
    ]
    assert sheet["B2"].data_type == "n" and sheet["A1"].font.bold and not sheet["A2"].font.bold


def test_every_admin_export_format_escapes():
    """Every admin that exports (its formats, not the library's defaults) writes a formula as text."""
    exporting = [
        model_admin for model_admin in admin.site._registry.values() if hasattr(model_admin, "get_export_formats")
    ]
    assert exporting  # the case studies, the rules and the assessments at least
    dataset = tablib.Dataset(["=1+1"], headers=["cell"])
    for model_admin in exporting:
        for format_class in model_admin.get_export_formats():
            file_format = format_class()
            if file_format.get_extension() == "json":  # no spreadsheet: its text goes out as it is
                continue
            content = file_format.export_data(dataset)
            if file_format.is_binary():
                cell = openpyxl.load_workbook(io.BytesIO(content)).active["A2"].value
            else:
                cell = tablib.Dataset().load(content, format="csv")[0][0]
            assert cell == "'=1+1", (type(model_admin).__name__, format_class.__name__)
