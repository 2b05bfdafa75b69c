"""Spreadsheet exports that cannot run a formula, and imports that read those cells back as they were.

A spreadsheet program runs a cell that starts with = + - @ (or a tab or carriage return) as a formula,
which a crafted text can use to leak data ("CSV injection"). Exports prefix such a text with an apostrophe,
which the program shows as text; imports remove that apostrophe again, so an export imports back unchanged.
"""

import csv

import tablib
from import_export.formats import base_formats

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


class EscapedCSVWriter:
    """csv.writer for a hand-built export (the compare CSV): every cell escaped as formula_escaped does."""

    def __init__(self, stream, **kwargs):
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([formula_escaped(cell) for cell in row])


def _escaping(format_class):
    class Escaping(format_class):
        def export_data(self, dataset, **kwargs):
            return super().export_data(dataset_escaped(dataset), **kwargs)

    Escaping.__name__ = Escaping.__qualname__ = format_class.__name__
    return Escaping


# django-import-export formats for the admin exports; JSON is no spreadsheet, so its text goes out as it is.
CSV = _escaping(base_formats.CSV)
XLSX = _escaping(base_formats.XLSX)
