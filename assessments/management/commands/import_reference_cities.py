from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.reference_data import ReferenceDataError, reference_text_from_bytes
from assessments.services.reference_cities import reference_cities_import


class Command(BaseCommand):
    help = (
        "Create or update the indicative reference cities from a reference-cities CSV (UTF-8), by slug. "
        "The whole file is checked first: one bad row and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing.")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        try:
            summary = reference_cities_import(text=reference_text_from_bytes(data, name=str(file)), dry_run=dry_run)
        except ReferenceDataError as error:
            problems = "\n".join(f"  - {problem}" for problem in error.problems)
            raise CommandError(f"{file} was not imported (nothing was written):\n{problems}") from None
        created, updated, unchanged = len(summary.created), len(summary.updated), len(summary.unchanged)
        for slug in summary.updated:
            self.stdout.write(f"  {slug}: {', '.join(summary.changes[slug])}")
        if dry_run:
            self.stdout.write(
                f"Dry run, nothing was written: {created} reference cities would be created, {updated} updated, "
                f"{unchanged} unchanged."
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Reference cities: {created} created, {updated} updated, {unchanged} unchanged.")
            )
