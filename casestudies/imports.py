"""Reading a case-study file and importing it through the admin's resource, for commands and tests."""

from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
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


def import_dataset(dataset, *, dry_run: bool, resource=None) -> ImportReport:
    """Check every row and, unless dry_run or any row is bad, write them all; the problems name their rows.

    `resource` is a django-import-export resource (the case studies' by default): the admin's import, the
    commands and the tests all go through here.
    """
    result = (resource or CaseStudyResource()).import_data(
        dataset, dry_run=dry_run, raise_errors=False, use_transactions=True, rollback_on_validation_errors=True
    )
    problems = [str(error.error) for error in result.base_errors]
    for row_number, errors in result.row_errors():
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
        report = import_dataset(dataset, dry_run=True, resource=self.resource())
        if report.ok and not dry_run:
            report = import_dataset(dataset, dry_run=False, resource=self.resource())
        if not report.ok:
            raise CommandError(
                f"{file.name}: nothing imported; {len(report.problems)} problem(s):\n  " + "\n  ".join(report.problems)
            )
        verb = "would import" if dry_run else "imported"
        self.stdout.write(f"{file.name}: {verb} {report.new} new and {report.updated} updated {self.noun}.")
