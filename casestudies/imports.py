"""Reading a case-study file and importing it through the admin's resource, for commands and tests."""

from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from .resources import IMPORT_FORMATS, CaseStudyResource

FORMAT_BY_SUFFIX = {format_class().get_extension(): format_class for format_class in IMPORT_FORMATS}


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


def import_dataset(dataset, *, dry_run: bool) -> ImportReport:
    """Check every row and, unless dry_run or any row is bad, write them all; the problems name their rows."""
    result = CaseStudyResource().import_data(dataset, dry_run=dry_run, raise_errors=False, use_transactions=True)
    problems = [str(error.error) for error in result.base_errors]
    for row_error in result.row_errors():
        row_number, errors = row_error
        problems += [_("row %(row)s: %(error)s") % {"row": row_number, "error": error.error} for error in errors]
    for invalid in result.invalid_rows:
        for field, messages in invalid.error_dict.items():
            for message in messages:
                problems.append(
                    _("row %(row)s, %(field)s: %(message)s")
                    % {"row": invalid.number, "field": field, "message": message}
                )
    totals = result.totals
    return ImportReport(new=totals.get("new", 0), updated=totals.get("update", 0), problems=problems)
