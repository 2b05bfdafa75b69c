"""Reading a questionnaire file: parse and validate it, collecting every problem (pure, no ORM).

The format is described in assessments/questionnaires/README.md.
"""

import hashlib
import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import translation

from opencities.vocabulary import (
    DIMENSION_KEYS,
    KIND_CHOICE,
    KIND_MULTI,
    KIND_NUMBER,
    POLICY_THEMES,
    QUESTION_KIND_KEYS,
    QUESTION_TAG_KEYS,
)

from .calibration import Calibration
from .scoring import not_applicable_limit

FRAMEWORK_SIZE = 12
QUESTIONS_PER_DIMENSION = range(5, 8)
KEY_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
VERSION_PATTERN = re.compile(r"^(\d+)\.(\d+)$")

# The maturity ladder that policy questions share (see docs/method.md, Questions).
MATURITY_LADDER = (
    ("none", "None", Decimal(0)),
    ("planned", "Planned", Decimal(25)),
    ("partial", "Partial or pilot", Decimal(50)),
    ("established", "Established", Decimal(75)),
    ("evaluated", "Established and evaluated", Decimal(100)),
)


class QuestionnaireError(ValueError):
    """The file cannot be loaded; `problems` names each question and what is wrong with it."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class OptionDef:
    key: str
    label: str
    points: Decimal


@dataclass(frozen=True)
class BandDef:
    below: Decimal | None  # None: every number from the last edge up
    points: Decimal


@dataclass(frozen=True)
class QuestionDef:
    key: str
    kind: str
    tag: str
    text: str
    help: str
    weight: Decimal
    allows_not_applicable: bool
    options: tuple[OptionDef, ...] = ()
    unit: str = ""
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    bands: tuple[BandDef, ...] = ()


@dataclass(frozen=True)
class DimensionDef:
    key: str
    name: str
    description: str
    weight: Decimal
    questions: tuple[QuestionDef, ...]


@dataclass(frozen=True)
class FrameworkElement:
    key: str
    name: str
    help: str


@dataclass(frozen=True)
class QuestionnaireDef:
    version: str
    major: int
    minor: int
    title: str
    calibration: Calibration
    dimensions: tuple[DimensionDef, ...]
    framework: tuple[FrameworkElement, ...]
    source_sha256: str


def calibration_of_source(text: str) -> Calibration:
    """The calibration of a loaded version, from its source file.

    Read from the file rather than a stored JSON copy: PostgreSQL's jsonb does not keep key order, and the
    order of the policy themes is part of the method.
    """
    return Calibration.from_dict(tomllib.loads(text)["calibration"])


def source_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Reader:
    """Walks the parsed document, collecting problems instead of stopping at the first."""

    def __init__(self):
        self.problems = []

    def problem(self, where, message):
        self.problems.append(f"{where}: {message}")

    def text(self, table, name, where, *, required=True):
        value = table.get(name, "")
        if not isinstance(value, str) or (required and not value.strip()):
            self.problem(where, f"'{name}' must be a non-empty text")
            return ""
        return value.strip()

    def number(self, table, name, where, *, default=None, low=None, high=None):
        value = table.get(name, default)
        if value is None:
            self.problem(where, f"'{name}' is missing")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.problem(where, f"'{name}' must be a number, not {value!r}")
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.problem(where, f"'{name}' must be a number, not {value!r}")
            return None
        if (low is not None and number < low) or (high is not None and number > high):
            self.problem(where, f"'{name}' is {number}, outside {low}–{high}")
            return None
        return number

    def key(self, table, where, seen):
        key = table.get("key")
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            self.problem(where, f"key {key!r} must be lowercase letters, digits and hyphens")
            return ""
        if key in seen:
            self.problem(where, f"duplicate key '{key}'")
        seen.add(key)
        return key

    def options(self, question, where):
        if question.get("ladder") == "maturity":
            return tuple(OptionDef(key, label, points) for key, label, points in MATURITY_LADDER)
        if "ladder" in question:
            self.problem(where, f"unknown ladder {question['ladder']!r} (the only ladder is 'maturity')")
            return ()
        raw_options = question.get("options")
        if not isinstance(raw_options, list) or len(raw_options) < 2:
            self.problem(where, 'needs at least two options (or ladder = "maturity")')
            return ()
        seen, options = set(), []
        for position, option in enumerate(raw_options, start=1):
            option_where = f"{where}, option {position}"
            key = self.key(option, option_where, seen)
            label = self.text(option, "label", option_where)
            points = self.number(option, "points", option_where, low=0, high=100)
            if points is not None:
                options.append(OptionDef(key, label, points))
        return tuple(options)

    def bands(self, question, where):
        raw_bands = question.get("bands")
        if not isinstance(raw_bands, list) or not raw_bands:
            self.problem(where, "a number question needs scoring bands")
            return ()
        bands, last_edge = [], None
        for position, band in enumerate(raw_bands, start=1):
            band_where = f"{where}, band {position}"
            points = self.number(band, "points", band_where, low=0, high=100)
            is_last = position == len(raw_bands)
            if band.get("else") is True:
                if not is_last:
                    self.problem(band_where, "the 'else' band must come last")
                bands.append(BandDef(None, points or Decimal(0)))
                continue
            edge = self.number(band, "below", band_where)
            if edge is not None and last_edge is not None and edge <= last_edge:
                self.problem(band_where, f"'below' edges must increase ({edge} follows {last_edge})")
            last_edge = edge if edge is not None else last_edge
            bands.append(BandDef(edge, points or Decimal(0)))
        if bands and bands[-1].below is not None:
            self.problem(where, "the last band must be { else = true, points = … }")
        return tuple(bands)

    def question(self, raw, where, seen):
        key = self.key(raw, where, seen)
        where = f"question '{key}'" if key else where
        kind = raw.get("kind")
        if kind not in QUESTION_KIND_KEYS:
            self.problem(where, f"unknown kind {kind!r} (one of {', '.join(QUESTION_KIND_KEYS)})")
        tag = raw.get("tag")
        if tag not in QUESTION_TAG_KEYS:
            self.problem(where, f"unknown tag {tag!r} (one of {', '.join(QUESTION_TAG_KEYS)})")
        fields = {
            "key": key,
            "kind": kind,
            "tag": tag,
            "text": self.text(raw, "text", where),
            "help": self.text(raw, "help", where),
            "weight": self.number(raw, "weight", where, default=1, low=Decimal("0.01"), high=100) or Decimal(1),
            "allows_not_applicable": raw.get("not_applicable", False) is True,
        }
        if kind in (KIND_CHOICE, KIND_MULTI):
            fields["options"] = self.options(raw, where)
            if kind == KIND_MULTI and fields["options"] and sum(o.points for o in fields["options"]) < 100:
                self.problem(where, "a checklist's option points must add up to at least 100")
        elif kind == KIND_NUMBER:
            fields["unit"] = raw.get("unit", "") if isinstance(raw.get("unit", ""), str) else ""
            fields["min_value"] = self.number(raw, "min", where)
            fields["max_value"] = self.number(raw, "max", where)
            if None not in (fields["min_value"], fields["max_value"]) and fields["min_value"] >= fields["max_value"]:
                self.problem(where, "'min' must be below 'max'")
            fields["bands"] = self.bands(raw, where)
        return QuestionDef(**fields)

    def policy_themes(self, calibration):
        """The file orders the themes; their keys and names are the vocabulary's."""
        with translation.override(None):  # the file names them in the source language
            expected = {theme.key: str(theme.name) for theme in POLICY_THEMES}
        where = "[calibration.policy_themes]"
        found = {theme.key: theme.name for theme in calibration.policy_themes}
        if set(found) != set(expected):
            self.problem(where, f"the themes must be {', '.join(expected)}, not {', '.join(found)}")
        for key in expected.keys() & found.keys():
            if found[key] != expected[key]:
                self.problem(where, f"theme '{key}' is named {found[key]!r}; the method names it {expected[key]!r}")

    def dimension(self, raw, position, question_keys, dimension_keys, not_applicable_max_share):
        key = self.key(raw, f"dimension {position}", dimension_keys)
        where = f"dimension '{key}'"
        if key and key not in DIMENSION_KEYS:
            self.problem(where, f"unknown dimension key (the nine keys are: {', '.join(DIMENSION_KEYS)})")
        raw_questions = raw.get("questions") or []
        if len(raw_questions) not in QUESTIONS_PER_DIMENSION:
            self.problem(where, f"has {len(raw_questions)} questions; each dimension needs 5–7")
        questions = tuple(
            self.question(question, f"{where}, question {number}", question_keys)
            for number, question in enumerate(raw_questions, start=1)
        )
        allowing = sum(question.allows_not_applicable for question in questions)
        # Without a readable calibration the file is refused already; there is no share to check against.
        if not_applicable_max_share is not None and allowing > not_applicable_limit(
            len(questions), not_applicable_max_share
        ):
            self.problem(
                where,
                f"{allowing} of {len(questions)} questions offer Not applicable; the calibration allows at most "
                f"{not_applicable_limit(len(questions), not_applicable_max_share)} "
                f"(a share of {not_applicable_max_share})",
            )
        return DimensionDef(
            key=key,
            name=self.text(raw, "name", where),
            description=self.text(raw, "description", where),
            weight=self.number(raw, "weight", where, default=1, low=Decimal("0.01"), high=100) or Decimal(1),
            questions=questions,
        )


def parse_questionnaire(text: str) -> QuestionnaireDef:
    """Parse and validate a questionnaire file; raise QuestionnaireError listing every problem."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise QuestionnaireError([f"the file is not valid TOML: {error}"]) from None
    reader = _Reader()
    header = document.get("questionnaire", {})
    version = header.get("version", "")
    match = VERSION_PATTERN.match(version) if isinstance(version, str) else None
    if not match:
        reader.problem("[questionnaire]", f"version {version!r} must look like 1.0 (major.minor)")
    title = reader.text(header, "title", "[questionnaire]")

    calibration = None
    try:
        calibration = Calibration.from_dict(document.get("calibration", {}))
    except (ValueError, TypeError, KeyError) as error:
        reader.problem("[calibration]", str(error))
    if calibration:
        reader.policy_themes(calibration)
    max_share = calibration.not_applicable_max_share if calibration else None

    raw_dimensions = document.get("dimensions", [])
    question_keys, dimension_keys = set(), set()
    dimensions = tuple(
        reader.dimension(raw, position, question_keys, dimension_keys, max_share)
        for position, raw in enumerate(raw_dimensions, start=1)
    )
    missing = [key for key in DIMENSION_KEYS if key not in dimension_keys]
    if missing:
        reader.problem("[[dimensions]]", f"missing dimensions: {', '.join(missing)}")

    framework_keys = set()
    framework = tuple(
        FrameworkElement(
            key=reader.key(raw, f"framework element {position}", framework_keys),
            name=reader.text(raw, "name", f"framework element {position}"),
            help=reader.text(raw, "help", f"framework element {position}"),
        )
        for position, raw in enumerate(document.get("framework", []), start=1)
    )
    if len(framework) != FRAMEWORK_SIZE:
        reader.problem("[[framework]]", f"has {len(framework)} elements; the review has {FRAMEWORK_SIZE}")

    if reader.problems:
        raise QuestionnaireError(reader.problems)
    return QuestionnaireDef(
        version=version,
        major=int(match.group(1)),
        minor=int(match.group(2)),
        title=title,
        calibration=calibration,
        dimensions=dimensions,
        framework=framework,
        source_sha256=source_digest(text),
    )
