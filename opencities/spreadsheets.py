"""Spreadsheet exports that cannot run a formula, and imports that read those cells back as they were.

A spreadsheet program runs a cell that starts with = + - @ (or a tab or carriage return) as a formula,
which a crafted text can use to leak data ("CSV injection"). Exports prefix such a text with an apostrophe,
which the program shows as text; imports remove that apostrophe again, so an export imports back unchanged.

Two kinds of CSV (docs/languages.md, Numbers): what members download to read (the compare table, their answers)
follows the page's language, so that a spreadsheet program set up for that language opens it in columns with
numbers it can add up: ";" between columns and decimal commas in French, "," and points in English, with an XLSX
beside it that holds numbers as numbers. What editors import and export keeps "," and points in every language,
so that a file exported by one editor imports for any other.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import tablib
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from import_export.formats import base_formats
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_escaped(value):
    """A text a spreadsheet would run, with a leading apostrophe; any other value as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def formula_unescaped(value):
    """The inverse of formula_escaped, for a cell read back from an exported file."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def dataset_escaped(dataset: tablib.Dataset) -> tablib.Dataset:
    """A copy of the dataset with every cell escaped (the headers are ours, never a user's text)."""
    escaped = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        escaped.append([formula_escaped(cell) for cell in row])
    return escaped


@dataclass(frozen=True)
class CSVConvention:
    """The list separator of the language's CSV, and the words that tell a member what to expect."""

    delimiter: str
    in_words: str


def csv_convention() -> CSVConvention:
    """The active language's CSV: a semicolon between columns where decimals take a comma, else a comma.

    Spreadsheet programs take the list separator from the system's language: where the decimal mark is a comma,
    the comma cannot also separate columns, and they expect a semicolon.
    """
    if str(get_format("DECIMAL_SEPARATOR")) == ",":
        return CSVConvention(";", _("semicolons between columns, decimal commas"))
    return CSVConvention(",", _("commas between columns, decimal points"))


Cell = str | int | Decimal | float | None


def csv_content(rows: Iterable[Sequence[Cell]], *, number: Callable[[Decimal | float], str]) -> bytes:
    """Rows as the language's CSV: its list separator, decimals written by `number` (the language's mark), texts
    defused, UTF-8 with a byte-order mark so that Excel reads accents.

    A number is written after the texts are defused: "-3,5" is a number, not a formula to stop.
    """
    stream = io.StringIO()
    writer = csv.writer(stream, delimiter=csv_convention().delimiter)
    for row in rows:
        writer.writerow(
            [
                "" if cell is None else number(cell) if isinstance(cell, Decimal | float) else formula_escaped(cell)
                for cell in row
            ]
        )
    return stream.getvalue().encode("utf-8-sig")


def xlsx_content(rows: Iterable[Sequence[Cell]], *, title: str, bold_rows: Iterable[int] = (0,)) -> bytes:
    """Rows as a one-sheet XLSX: numbers stay numbers, whatever the language, and texts are defused.

    `bold_rows` are headings (by index); a heading in the first row stays in view as the sheet scrolls.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = re.sub(r"[\\*?:/\[\]]", "-", title)[:31] or "Sheet"  # what a sheet's name may hold
    bold, bold_rows = Font(bold=True), set(bold_rows)
    widths: dict[int, int] = {}
    for index, row in enumerate(rows):
        sheet.append([formula_escaped(cell) for cell in row])
        for column, cell in enumerate(row, start=1):
            widths[column] = max(widths.get(column, 0), min(len(str(cell or "")), 60))
        if index in bold_rows:
            for cell in sheet[index + 1]:
                cell.font = bold
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width + 2
    if 0 in bold_rows:
        sheet.freeze_panes = "A2"
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()


def _escaping(format_class):
    class Escaping(format_class):
        def export_data(self, dataset, **kwargs):
            return super().export_data(dataset_escaped(dataset), **kwargs)

    Escaping.__name__ = Escaping.__qualname__ = format_class.__name__
    return Escaping


# django-import-export formats for the admin exports; JSON is no spreadsheet, so its text goes out as it is.
CSV = _escaping(base_formats.CSV)
XLSX = _escaping(base_formats.XLSX)
