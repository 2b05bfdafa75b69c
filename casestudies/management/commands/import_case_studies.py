from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from casestudies.imports import ImportFileError, import_dataset, read_dataset


class Command(BaseCommand):
    help = "Import case studies from a CSV, XLSX or JSON file (the admin's format): all rows or none."

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
        # Checked in full first, so that a bad row leaves the library as it was.
        report = import_dataset(dataset, dry_run=True)
        if report.ok and not dry_run:
            report = import_dataset(dataset, dry_run=False)
        if not report.ok:
            raise CommandError(
                f"{file.name}: nothing imported; {len(report.problems)} problem(s):\n  " + "\n  ".join(report.problems)
            )
        verb = "would import" if dry_run else "imported"
        self.stdout.write(f"{file.name}: {verb} {report.new} new and {report.updated} updated case studies.")
