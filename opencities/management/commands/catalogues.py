from django.core.management.base import BaseCommand, CommandError

from opencities import catalogues


class Command(BaseCommand):
    help = (
        "Update the interface's translation catalogues: extract the marked strings into locale/<language>/ "
        "(needs GNU gettext) and compile the .mo files with Babel. Use --compile-only after editing a .po file."
    )

    def add_arguments(self, parser):
        parser.add_argument("--compile-only", action="store_true", help="compile the .po files, extract nothing")

    def handle(self, *args, compile_only=False, **options):
        if not compile_only:
            try:
                for path in catalogues.extract():
                    self.stdout.write(f"updated {path.relative_to(catalogues.BASE_DIR)}")
            except RuntimeError as error:
                raise CommandError(str(error)) from error
        for path in catalogues.compile_all():
            self.stdout.write(f"compiled {path.relative_to(catalogues.BASE_DIR)}")
