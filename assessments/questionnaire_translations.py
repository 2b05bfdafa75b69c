"""The questionnaire's texts in another language: parse a translation file and check it (pure, no ORM).

A translation file holds, for one language and one major version, every text a reader sees: the title, the
dimensions' names and descriptions, each question's text, help, unit and option labels, and the framework
elements' names and help. It is keyed by the stable keys (dimension, question, option, element) and never by
the English, so that every version of the major version shares it. It is not part of the immutable version:
correcting a translation changes no score and needs no new version, since scores and answers use keys alone.

The English texts stay those stored in the version (the source language of every questionnaire file).
The format is described in assessments/questionnaires/README.md, "Translations".
"""

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass

from opencities.vocabulary import KIND_CHOICE, KIND_MULTI

from .questionnaire import MATURITY_LADDER, QuestionnaireDef

SOURCE_LANGUAGE = "en"  # the language the questionnaire files are written in
LADDER = "maturity"
LADDER_KEYS = tuple(key for key, _label, _points in MATURITY_LADDER)

HEADER_FIELDS = {"questionnaire", "language", "title"}
DIMENSION_FIELDS = {"name", "description"}
QUESTION_FIELDS = {"text", "help", "unit", "options", "ladder"}
ELEMENT_FIELDS = {"name", "help"}
TABLES = {"translation", "maturity_ladder", "dimensions", "questions", "framework"}


def translation_file_name(major: int, language: str) -> str:
    """`opencities-1.fr.toml`: beside `opencities-1.0.toml`, named by the major version it serves."""
    return f"opencities-{major}.{language}.toml"


# --- What a translation must cover: a version's keys, none of its texts ---


@dataclass(frozen=True)
class QuestionShape:
    key: str
    kind: str
    option_keys: tuple[str, ...]  # in the version's order; () for number and yes/no questions
    has_unit: bool


@dataclass(frozen=True)
class QuestionnaireShape:
    version: str
    major: int
    dimension_keys: tuple[str, ...]
    questions: tuple[QuestionShape, ...]
    framework_keys: tuple[str, ...]


def shape_of(definition: QuestionnaireDef) -> QuestionnaireShape:
    """The keys a translation of a parsed questionnaire file must have."""
    return QuestionnaireShape(
        version=definition.version,
        major=definition.major,
        dimension_keys=tuple(dimension.key for dimension in definition.dimensions),
        questions=tuple(
            QuestionShape(
                key=question.key,
                kind=question.kind,
                option_keys=tuple(option.key for option in question.options),
                has_unit=bool(question.unit),
            )
            for dimension in definition.dimensions
            for question in dimension.questions
        ),
        framework_keys=tuple(element.key for element in definition.framework),
    )


# --- The texts of a translation ---


@dataclass(frozen=True)
class DimensionTexts:
    name: str
    description: str


@dataclass(frozen=True)
class QuestionTexts:
    text: str
    help: str
    unit: str  # "" where the question has no unit
    options: dict[str, str]  # option key -> label


@dataclass(frozen=True)
class ElementTexts:
    name: str
    help: str


@dataclass(frozen=True)
class QuestionnaireTranslation:
    """Every text of a major version in one language, by key. Callers must not change it."""

    language: str
    major: int
    title: str
    dimensions: dict[str, DimensionTexts]
    questions: dict[str, QuestionTexts]
    framework: dict[str, ElementTexts]


class TranslationError(ValueError):
    """The translation cannot be used; `problems` names the file, and the question (or element) and what is wrong."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class _Reader:
    """Walks the parsed file, collecting every problem, each prefixed with the file's name."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{self.source}, {where}: {message}")

    def table(self, document: dict, name: str, where: str) -> dict:
        value = document.get(name, {})
        if not isinstance(value, dict):
            self.problem(where, f"'{name}' must be a table")
            return {}
        return value

    def text(self, table: dict, name: str, where: str) -> str:
        value = table.get(name)
        if value is None:
            self.problem(where, f"'{name}' is missing")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.problem(where, f"'{name}' must be a non-empty text")
            return ""
        return value.strip()

    def fields(self, table: dict, allowed: set[str], where: str) -> None:
        for name in sorted(set(table) - allowed):
            self.problem(where, f"unknown field '{name}' (the fields are {', '.join(sorted(allowed))})")

    def entries(self, document: dict, name: str, expected: dict[str, str], what: str) -> dict[str, dict]:
        """The `[name.<key>]` tables: every expected key (-> the version that has it) present, each a table, and no
        other key."""
        found = self.table(document, name, f"[{name}]")
        for key, version in expected.items():
            if key not in found:
                self.problem(f"{what} '{key}'", f"missing (questionnaire version {version} has it)")
        for key in found:
            if key not in expected:
                self.problem(f"{what} '{key}'", "unknown key: no version of the questionnaire has it")
        tables = {}
        for key in expected:
            if key in found:
                if isinstance(found[key], dict):
                    tables[key] = found[key]
                else:
                    self.problem(f"{what} '{key}'", f"must be a table ([{name}.{key}])")
        return tables

    def ladder(self, document: dict, used: bool) -> dict[str, str]:
        where = "[maturity_ladder]"
        if "maturity_ladder" not in document:
            if used:
                self.problem(where, f'missing; a question says ladder = "{LADDER}"')
            return {}
        table = self.table(document, "maturity_ladder", where)
        labels = {}
        for key in LADDER_KEYS:
            labels[key] = self.text(table, key, where)
        for key in sorted(set(table) - set(LADDER_KEYS)):
            self.problem(where, f"unknown option '{key}' (the ladder's options are {', '.join(LADDER_KEYS)})")
        return labels

    def options(self, raw: dict, shape: QuestionShape, ladder: dict[str, str], where: str) -> dict[str, str]:
        has_options = shape.kind in (KIND_CHOICE, KIND_MULTI)
        if not has_options:
            for name in ("options", "ladder"):
                if name in raw:
                    self.problem(where, f"has '{name}', but a {shape.kind} question has no options")
            return {}
        if "ladder" in raw:
            if "options" in raw:
                self.problem(where, "give either 'ladder' or 'options', not both")
            if raw["ladder"] != LADDER:
                self.problem(where, f"unknown ladder {raw['ladder']!r} (the only ladder is '{LADDER}')")
            elif shape.option_keys != LADDER_KEYS:
                self.problem(
                    where,
                    f'says ladder = "{LADDER}", but its options are {", ".join(shape.option_keys)}; '
                    "give a label for each in 'options'",
                )
            return {key: ladder.get(key, "") for key in shape.option_keys}
        raw_options = raw.get("options")
        if raw_options is None:
            self.problem(where, f"'options' is missing: a label for each of {', '.join(shape.option_keys)}")
            return {}
        if not isinstance(raw_options, dict):
            self.problem(where, "'options' must be a table of option key = label")
            return {}
        if len(raw_options) != len(shape.option_keys) or set(raw_options) != set(shape.option_keys):
            missing = [key for key in shape.option_keys if key not in raw_options]
            extra = [key for key in raw_options if key not in shape.option_keys]
            details = [
                f"missing {', '.join(missing)}" if missing else "",
                f"unknown {', '.join(extra)}" if extra else "",
            ]
            self.problem(
                where,
                f"has {len(raw_options)} options; the questionnaire has {len(shape.option_keys)} "
                f"({', '.join(shape.option_keys)}): {'; '.join(detail for detail in details if detail)}",
            )
        # A missing option is named above; only the labels given are read.
        return {
            key: self.text(raw_options, key, f"{where}, option '{key}'")
            for key in shape.option_keys
            if key in raw_options
        }

    def question(self, raw: dict, shape: QuestionShape, ladder: dict[str, str]) -> QuestionTexts:
        where = f"question '{shape.key}'"
        self.fields(raw, QUESTION_FIELDS, where)
        if shape.has_unit:
            unit = self.text(raw, "unit", where)
        else:
            unit = ""
            if "unit" in raw:
                self.problem(where, "has 'unit', but the question has none")
        return QuestionTexts(
            text=self.text(raw, "text", where),
            help=self.text(raw, "help", where),
            unit=unit,
            options=self.options(raw, shape, ladder, where),
        )


def _merged_questions(shapes: Sequence[QuestionnaireShape], reader: _Reader) -> dict[str, tuple[QuestionShape, str]]:
    """The questions of every version, once each, with the first version that has it; a question must mean the
    same in every version that has it."""
    merged: dict[str, tuple[QuestionShape, str]] = {}
    for shape in shapes:
        for question in shape.questions:
            if question.key not in merged:
                merged[question.key] = (question, shape.version)
            elif merged[question.key][0] != question:
                reader.problem(
                    f"question '{question.key}'",
                    f"its kind, options or unit differ between versions {merged[question.key][1]} and "
                    f"{shape.version}, so one translation cannot serve both; give the changed question a new key",
                )
    return merged


def _keys(shapes: Sequence[QuestionnaireShape], name: str) -> dict[str, str]:
    """The keys of every version, in the order they first appear, each with the first version that has it."""
    keys: dict[str, str] = {}
    for shape in shapes:
        for key in getattr(shape, name):
            keys.setdefault(key, shape.version)
    return keys


def parse_translation(
    text: str, shapes: Sequence[QuestionnaireShape], *, language: str, source: str
) -> QuestionnaireTranslation:
    """Parse and check a translation against every version of its major version; raise TranslationError listing
    every problem, each naming `source` (the file) and the question, dimension or element."""
    if not shapes:
        raise TranslationError([f"{source}: there is no questionnaire version to check it against"])
    majors = {shape.major for shape in shapes}
    if len(majors) > 1:
        raise TranslationError([f"{source}: one translation serves one major version, not {sorted(majors)}"])
    major = majors.pop()
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise TranslationError([f"{source}: the file is not valid TOML: {error}"]) from None
    reader = _Reader(source)
    for name in sorted(set(document) - TABLES):
        reader.problem(f"[{name}]", f"unknown table (the tables are {', '.join(sorted(TABLES))})")

    header = reader.table(document, "translation", "[translation]")
    reader.fields(header, HEADER_FIELDS, "[translation]")
    if header.get("questionnaire") != str(major):
        reader.problem("[translation]", f'questionnaire = {header.get("questionnaire")!r}; this file serves "{major}"')
    if header.get("language") != language:
        reader.problem("[translation]", f'language = {header.get("language")!r}; this file is for "{language}"')
    title = reader.text(header, "title", "[translation]")

    dimensions = {}
    for key, raw in reader.entries(document, "dimensions", _keys(shapes, "dimension_keys"), "dimension").items():
        where = f"dimension '{key}'"
        reader.fields(raw, DIMENSION_FIELDS, where)
        dimensions[key] = DimensionTexts(
            name=reader.text(raw, "name", where), description=reader.text(raw, "description", where)
        )

    questions = _merged_questions(shapes, reader)
    expected = {key: version for key, (_question, version) in questions.items()}
    raw_questions = reader.entries(document, "questions", expected, "question")
    ladder = reader.ladder(document, used=any("ladder" in raw for raw in raw_questions.values()))
    question_texts = {key: reader.question(raw, questions[key][0], ladder) for key, raw in raw_questions.items()}

    elements = {}
    for key, raw in reader.entries(document, "framework", _keys(shapes, "framework_keys"), "framework element").items():
        where = f"framework element '{key}'"
        reader.fields(raw, ELEMENT_FIELDS, where)
        elements[key] = ElementTexts(name=reader.text(raw, "name", where), help=reader.text(raw, "help", where))

    if reader.problems:
        raise TranslationError(reader.problems)
    return QuestionnaireTranslation(
        language=language, major=major, title=title, dimensions=dimensions, questions=question_texts, framework=elements
    )
