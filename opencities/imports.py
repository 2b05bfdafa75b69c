"""The editors' import and export machinery shared by the case-study library and the recommendation rules.

A file is read in one of the formats below (at most MAX_IMPORT_ROWS rows), every row is checked through a
django-import-export resource and every problem is reported with its row; nothing is written while any row is
bad. The admin, the import commands and the tests all go through `import_dataset`.
"""

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from import_export import widgets
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats
from import_export.forms import ExportForm
from openpyxl.reader.excel import ExcelReader
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from . import spreadsheets
from .spreadsheets import formula_unescaped

MAX_IMPORT_ROWS = 5_000
# What one file may hold once unpacked: CSV or JSON text, or an XLSX's parts (sheet XML, shared strings…) in all.
# 5,000 entries of the shipped library's average size unpack to about 21 MB as XLSX and read in about a second;
# three times that is allowed, and a bigger file is refused before it is parsed.
MAX_IMPORT_BYTES = 64 * 1024 * 1024
# Columns read from a sheet: more than any import has, so that a cell placed in column XFD cannot make every
# row 16,384 cells wide.
MAX_IMPORT_COLUMNS = 100


class ImportTooLarge(ValueError):
    pass


def _too_many_rows():
    return ImportTooLarge(
        _("The file has more than %(limit)s rows; one import takes at most %(limit)s. Split it and import each part.")
        % {"limit": f"{MAX_IMPORT_ROWS:,}"}
    )


def _check_size(size: int):
    if size > MAX_IMPORT_BYTES:
        raise ImportTooLarge(
            _("The file unpacks to %(size)s; one import takes at most %(limit)s. Split it and import each part.")
            % {"size": filesizeformat(size), "limit": filesizeformat(MAX_IMPORT_BYTES)}
        )


def _limited(format_class):
    """The format, refusing a file of more rows than one import may hold (rows counted as they are read, so that
    a refused file is never read whole) or of more data than MAX_IMPORT_BYTES."""

    class Limited(format_class):
        def create_dataset(self, in_stream, **kwargs):
            if isinstance(in_stream, str):
                _check_size(len(in_stream.encode()))
                if self.get_extension() == "csv":
                    _count_csv_rows(in_stream)
            else:
                _check_size(len(in_stream))
            dataset = super().create_dataset(in_stream, **kwargs)
            if len(dataset) > MAX_IMPORT_ROWS:
                raise _too_many_rows()
            dataset.counts_entries = self.get_extension() == "json"
            return dataset

    Limited.__name__ = Limited.__qualname__ = format_class.__name__
    return Limited


def _count_csv_rows(text: str) -> None:
    for number, _row in enumerate(csv.reader(io.StringIO(text))):
        if number > MAX_IMPORT_ROWS:  # the header, then one row too many
            raise _too_many_rows()


class _UnsizedSheet(ReadOnlyWorksheet):
    def _get_size(self):
        # The size a sheet states is not trusted, and finding out that it states none parses the whole sheet.
        pass


class _StreamingReader(ExcelReader):
    """openpyxl's read-only reader, its worksheets opened without reading their size first."""

    def read_worksheets(self):
        for sheet, rel in self.parser.find_sheets():
            if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                self.wb._sheets.append(_UnsizedSheet(self.wb, sheet.name, rel.target, self.shared_strings))


class StreamedXLSX(base_formats.XLSX):
    """XLSX read as a stream: the parts' unpacked sizes checked before parsing, the rows counted as they are
    read and the sheet's own dimension (the size it claims) ignored; the same dataset as the library's XLSX."""

    def create_dataset(self, in_stream, **kwargs):
        archive = zipfile.ZipFile(io.BytesIO(in_stream))
        # A part is never read past its stated size (zipfile stops there and fails its checksum), so the stated
        # sizes bound what the parser sees.
        _check_size(sum(member.file_size for member in archive.infolist()))
        reader = _StreamingReader(io.BytesIO(in_stream), read_only=True, data_only=True)
        reader.read()
        try:
            rows = reader.wb.active.iter_rows(max_col=MAX_IMPORT_COLUMNS, values_only=True)
            headers = list(next(rows, ()))
            while headers and headers[-1] is None:
                headers.pop()
            dataset = tablib.Dataset(headers=headers)
            for number, row in enumerate(rows, start=1):
                if number > MAX_IMPORT_ROWS:
                    raise _too_many_rows()
                values = list(row[: len(headers)])
                dataset.append(values + [None] * (len(headers) - len(values)))
            return dataset
        finally:
            reader.wb.close()


IMPORT_FORMATS = [_limited(base_formats.CSV), _limited(StreamedXLSX), _limited(base_formats.JSON)]
# JSON is no spreadsheet: its text goes out as it is.
EXPORT_FORMATS = [spreadsheets.CSV, spreadsheets.XLSX, base_formats.JSON]
FORMAT_BY_SUFFIX = {format_class().get_extension(): format_class for format_class in IMPORT_FORMATS}


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        value = formula_unescaped(super().clean(value, row, **kwargs))
        return "" if value is None else str(value).strip()


class TagWidget(widgets.ManyToManyWidget):
    """Tags by stable key or by name, comma-separated; an unknown tag is an error, never a new tag."""

    def __init__(self, model):
        super().__init__(model, separator=",", field="key")
        self._tags = None

    def _known(self):
        if self._tags is None:  # one query per import, not per row
            self._tags = list(self.model.objects.all())
        return self._tags

    def clean(self, value, row=None, **kwargs):
        wanted = [part.strip() for part in str(formula_unescaped(value) or "").split(",") if part.strip()]
        by_word = {}
        for tag in self._known():
            by_word[tag.key.casefold()] = tag
            by_word[tag.name.casefold()] = tag
        unknown = [word for word in wanted if word.casefold() not in by_word]
        if unknown:
            raise ValueError(
                _("Unknown %(what)s: %(unknown)s. Known keys: %(known)s.")
                % {
                    "what": self.model._meta.verbose_name_plural,
                    "unknown": ", ".join(f"“{word[:60]}”" for word in unknown[:10]),
                    "known": ", ".join(tag.key for tag in self._known()),
                }
            )
        return list(dict.fromkeys(by_word[word.casefold()] for word in wanted))

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return ", ".join(tag.key for tag in value.all())


def row_place(number: int, *, counts_entries: bool) -> str:
    """Where a row is, as the editor finds it: a spreadsheet's row (the header is row 1), or a JSON list's entry.

    import-export numbers the data rows from 1, which in a spreadsheet is row 2 ("row 2" was read both ways)."""
    if counts_entries:
        return _("entry %(number)s") % {"number": number}
    return _("row %(number)s") % {"number": number + 1}


def row_problem(number: int, column: str | None, message, *, counts_entries: bool) -> str:
    """One problem, named by its row and column as the reference-city import names them."""
    place = row_place(number, counts_entries=counts_entries)
    place = place[:1].upper() + place[1:]
    if column is None:
        return _("%(place)s: %(message)s") % {"place": place, "message": message}
    what = _("field") if counts_entries else _("column")
    return _("%(place)s, %(what)s %(column)s: %(message)s") % {
        "place": place,
        "what": what,
        "column": column,
        "message": message,
    }


class RowCheckMixin:
    """Every problem of a row reported together, before anything is written: its fields, its related tags (checked
    here, since import-export would otherwise meet them only after saving the row), and a key used twice.

    A resource sets `related_fields` (its many-to-many columns), `key_field` and `duplicate_message`
    (with %(key)s and %(row)s); the cleaned related objects are left on the instance as `imported_related`.
    """

    related_fields: tuple[str, ...] = ()
    key_field = "slug"
    duplicate_message = ""

    def check_row(self, instance, row, row_number, import_fields):
        errors = {}
        try:
            import_fields(instance, row)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        instance.imported_related = {}
        for name in self.related_fields:
            field = self.fields[name]
            if field.column_name not in row:
                continue
            try:
                instance.imported_related[name] = field.clean(row)
            except ValueError as error:
                errors[name] = ValidationError(str(error), code="invalid")
        key = getattr(instance, self.key_field)
        first = self._rows_of_key.setdefault(key, row_number)
        if key and first != row_number:
            place = row_place(first, counts_entries=self.counts_entries)
            errors[self.key_field] = ValidationError(
                self.duplicate_message % {"key": key, "row": place}, code="duplicate"
            )
        if errors:
            raise ValidationError(errors)

    counts_entries = False  # the rows are a JSON list's entries, not a spreadsheet's rows (see row_place)

    def import_data(self, dataset, *args, **kwargs):
        self.counts_entries = getattr(dataset, "counts_entries", False)
        return super().import_data(dataset, *args, **kwargs)

    @property
    def _rows_of_key(self) -> dict:
        if not hasattr(self, "_first_row_of_key"):
            self._first_row_of_key = {}
        return self._first_row_of_key


class ImportFileError(ValueError):
    pass


@dataclass(frozen=True)
class ImportReport:
    new: int
    updated: int
    problems: list[str]  # one line per problem, naming its row

    @property
    def ok(self) -> bool:
        return not self.problems


def read_dataset(path: Path):
    format_class = FORMAT_BY_SUFFIX.get(path.suffix.lower().lstrip("."))
    if format_class is None:
        raise ImportFileError(
            _("%(name)s: use a .csv, .xlsx or .json file.") % {"name": path.name},
        )
    file_format = format_class()
    data = path.read_bytes()
    if not file_format.is_binary():
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportFileError(
                _("%(name)s is not UTF-8 text (byte %(position)d). Save it as “CSV UTF-8”.")
                % {"name": path.name, "position": error.start}
            ) from None
    try:
        return file_format.create_dataset(data)
    except ValueError as error:  # too many rows, or JSON that is not a list of objects
        raise ImportFileError(f"{path.name}: {error}") from None


def import_dataset(dataset, *, resource, dry_run: bool) -> ImportReport:
    """Check every row through the resource and, unless dry_run or any row is bad, write them all."""
    result = resource.import_data(
        dataset, dry_run=dry_run, raise_errors=False, use_transactions=True, rollback_on_validation_errors=True
    )
    totals = result.totals
    return ImportReport(
        new=totals.get("new", 0),
        updated=totals.get("update", 0),
        problems=import_problems(result, resource=resource, counts_entries=getattr(dataset, "counts_entries", False)),
    )


def import_problems(result, *, resource, counts_entries: bool) -> list[str]:
    """Every problem of an import's result, one line each, by row and column (the admin and the commands)."""
    columns = {field.attribute: field.column_name for field in resource.fields.values() if field.attribute}
    problems = [str(error.error) for error in result.base_errors]
    for row_number, errors in result.row_errors():
        problems += [row_problem(row_number, None, error.error, counts_entries=counts_entries) for error in errors]
    for invalid in result.invalid_rows:
        for field, messages in invalid.error_dict.items():
            column = None if field == NON_FIELD_ERRORS else columns.get(field, field)
            problems += [row_problem(invalid.number, column, m, counts_entries=counts_entries) for m in messages]
    return problems


class ImportFileCommand(BaseCommand):
    """A command that imports one file through a resource: checked in full first, then all rows or none."""

    noun = "rows"

    def resource(self):
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check every row and write nothing")

    def handle(self, *args, file, dry_run, **options):
        if not file.is_file():
            raise CommandError(f"No file at {file}.")
        try:
            dataset = read_dataset(file)
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        # Checked in full first, so that a bad row leaves everything as it was.
        report = import_dataset(dataset, resource=self.resource(), dry_run=True)
        if report.ok and not dry_run:
            report = import_dataset(dataset, resource=self.resource(), dry_run=False)
        if not report.ok:
            raise CommandError(
                f"{file.name}: nothing imported; {len(report.problems)} problem(s):\n  " + "\n  ".join(report.problems)
            )
        verb = "would import" if dry_run else "imported"
        self.stdout.write(f"{file.name}: {verb} {report.new} new and {report.updated} updated {self.noun}.")


class EditorsImportExportAdmin(ImportExportModelAdmin):
    """The admin of a content that editors import and export in full: the formats above, every column."""

    # Every column, always: an export must import back to the same content. (The per-field picker's
    # "select all" box also relies on an inline script, which the site's CSP blocks.)
    export_form_class = ExportForm
    import_formats = IMPORT_FORMATS
    export_formats = EXPORT_FORMATS
    # The page lists every problem by row and column, and the dry run previews what each row will write.
    import_template_name = "admin/opencities/import.html"
    # (heading, function of a row's checked instance giving the cell's text) for that preview.
    import_preview_columns: tuple = ()

    def get_import_data_kwargs(self, **kwargs):
        return {**super().get_import_data_kwargs(**kwargs), "retain_instance_in_row_result": True}

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        if context.get("result") is not None:
            context.update(self._import_report_context(context["result"], context["form"], request))
        return response

    def _import_report_context(self, result, form, request) -> dict:
        format_class = self.get_import_formats()[int(form.cleaned_data["format"])]
        counts_entries = format_class().get_extension() == "json"
        resource = self.choose_import_resource_class(form, request)()
        problems = import_problems(result, resource=resource, counts_entries=counts_entries)
        if problems:
            return {"problems": problems, "counts_entries": counts_entries}
        rows = [
            (row.import_type, [(heading, cell(row.instance)) for heading, cell in self.import_preview_columns])
            for row in result.valid_rows()
        ]
        return {"preview_headings": [heading for heading, _cell in self.import_preview_columns], "preview_rows": rows}

    def add_data_read_fail_error_to_form(self, form, error):
        if isinstance(error, ImportTooLarge):
            form.add_error("import_file", str(error))
        else:
            super().add_data_read_fail_error_to_form(form, error)
