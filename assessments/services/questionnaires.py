"""Loading a questionnaire file as an immutable published version."""

import tomllib

from django.db import transaction

from ..models import Dimension, Option, Question, QuestionnaireVersion
from ..questionnaire import QuestionnaireError, parse_questionnaire


@transaction.atomic
def questionnaire_load(*, text: str) -> tuple[QuestionnaireVersion, bool]:
    """Load the file's version; (version, False) when exactly this file was loaded before.

    A published version never changes: a file with the same version number and other content is refused. A file
    that differs from the loaded one only in comments or layout is the same version: it loads nothing.
    """
    definition = parse_questionnaire(text)
    existing = QuestionnaireVersion.objects.filter(version=definition.version).first()
    if existing:
        if existing.source_sha256 == definition.source_sha256 or tomllib.loads(existing.source) == tomllib.loads(text):
            return existing, False
        raise QuestionnaireError(
            [
                f"version {definition.version} is already loaded from a different file; published versions "
                f"never change, so give the changed file a new version number (e.g. "
                f"{definition.major}.{definition.minor + 1})"
            ]
        )
    version = QuestionnaireVersion.objects.create(
        version=definition.version,
        major=definition.major,
        minor=definition.minor,
        title=definition.title,
        status=QuestionnaireVersion.Status.PUBLISHED,
        source=text,
        source_sha256=definition.source_sha256,
        framework=[{"key": e.key, "name": e.name, "help": e.help} for e in definition.framework],
    )
    dimensions = Dimension.objects.bulk_create(
        Dimension(
            questionnaire=version,
            key=dimension.key,
            name=dimension.name,
            description=dimension.description,
            weight=dimension.weight,
            position=position,
        )
        for position, dimension in enumerate(definition.dimensions, start=1)
    )
    questions = []
    for dimension_row, dimension in zip(dimensions, definition.dimensions, strict=True):
        for position, question in enumerate(dimension.questions, start=1):
            questions.append(
                Question(
                    questionnaire=version,
                    dimension=dimension_row,
                    key=question.key,
                    kind=question.kind,
                    tag=question.tag,
                    text=question.text,
                    help=question.help,
                    weight=question.weight,
                    allows_not_applicable=question.allows_not_applicable,
                    unit=question.unit,
                    min_value=question.min_value,
                    max_value=question.max_value,
                    bands=[
                        {"below": None if band.below is None else str(band.below), "points": str(band.points)}
                        for band in question.bands
                    ],
                    position=position,
                )
            )
    questions = Question.objects.bulk_create(questions)
    definitions = [question for dimension in definition.dimensions for question in dimension.questions]
    Option.objects.bulk_create(
        Option(question=row, key=option.key, label=option.label, points=option.points, position=position)
        for row, question in zip(questions, definitions, strict=True)
        for position, option in enumerate(question.options, start=1)
    )
    return version, True
