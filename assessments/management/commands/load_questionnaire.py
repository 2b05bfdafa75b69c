from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.questionnaire import QuestionnaireError, parse_questionnaire
from assessments.selectors import translations_check
from assessments.services.questionnaires import questionnaire_load


class Command(BaseCommand):
    help = (
        "Validate a questionnaire file and load it as an immutable published version; the translation files of its "
        "major version must fit it."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        try:
            # The translations are checked first: a version their files do not fit would show in English.
            problems, missing = translations_check(parse_questionnaire(text))
            if problems:
                raise QuestionnaireError(problems)
            version, created = questionnaire_load(text=text)
        except QuestionnaireError as error:
            problems = "\n".join(f"  - {problem}" for problem in error.problems)
            raise CommandError(f"{file} was not loaded (nothing was written):\n{problems}") from None
        if created:
            self.stdout.write(self.style.SUCCESS(f"Loaded {version} ({version.questions.count()} questions)."))
        else:
            self.stdout.write(f"{version} is already loaded from this file; nothing changed.")
        for name in missing:
            self.stdout.write(self.style.WARNING(f"No translation file {name}: that language shows the English texts."))
