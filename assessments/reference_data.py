"""Reading the reference-cities CSV: parse and validate it, collecting every problem (pure, no ORM).

The columns are those of assessments/data/reference-cities.csv; its sources and caveats are in
reference-cities-sources.md. Every figure is indicative and keeps its year (which may be missing) and
its source. Problems name the row as a spreadsheet shows it (the header is row 1) and the column, in the
active language (the editor's in the admin, English in the management command); they are translated as
they are built, so nothing here is translated at import time.
"""

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .citytype import CITY_TYPE_KEYS
from .numbers import figure

COLUMNS = (
    "slug",
    "name",
    "country_iso2",
    "country",
    "world_region",
    "is_capital",
    "is_largest_national_city",
    "metro_population",
    "metro_population_year",
    "metro_population_source",
    "foreign_born_share_pct",
    "foreign_born_year",
    "foreign_born_definition",
    "foreign_born_source",
    "gawc_tier",
    "gawc_year",
    "opencities_type_example",
    "notes",
)

# The labels of models.Region, as the file writes them (a test keeps the two lists in step).
REGIONS = {
    "Europe": "europe",
    "North America": "north-america",
    "Latin America": "latin-america",
    "Asia": "asia",
    "Middle East": "middle-east",
    "Africa": "africa",
    "Oceania": "oceania",
}

# GaWC's published levels onto the platform's coarser scale (models.GawcTier). The sub-levels of Beta
# and Gamma count alike in the city-type rules, and the Sufficiency levels are below every world-city
# tier, so they become "none" (not ranked as a world city).
GAWC_LEVELS = {
    "alpha++": "alpha++",
    "alpha+": "alpha+",
    "alpha": "alpha",
    "alpha-": "alpha-",
    "beta+": "beta",
    "beta": "beta",
    "beta-": "beta",
    "gamma+": "gamma",
    "gamma": "gamma",
    "gamma-": "gamma",
    "high sufficiency": "none",
    "sufficiency": "none",
}
GAWC_LEVEL_NAMES = (
    "Alpha++, Alpha+, Alpha, Alpha-, Beta+, Beta, Beta-, Gamma+, Gamma, Gamma-, High Sufficiency, Sufficiency"
)
# Named in reference-cities-sources.md (source 5); the file's gawc rows carry no source column.
GAWC_SOURCE = "GaWC, The World According to GaWC"

FOREIGN_BORN_DEFINITIONS = ("foreign-born", "foreign-citizens")
BOOLEANS = {"true": True, "false": False}
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
WHOLE_NUMBER = re.compile(r"^-?[0-9]+$")
PERCENTAGE = re.compile(r"^[0-9]+(\.[0-9]+)?$")
COUNTRY_CODE = re.compile(r"^[A-Za-z]{2}$")
YEARS = range(1900, 2101)
MAX_POPULATION = 100_000_000  # the wizard's bound too: no metropolitan area is larger
# The City model's field lengths (a test keeps them in step).
MAX_LENGTHS = {"slug": 80, "name": 120, "country": 80, "source": 300}


class ReferenceDataError(ValueError):
    """The file cannot be imported; `problems` names each row and column and what is wrong there."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class ReferenceCity:
    """One validated row, named as the City model names its fields."""

    slug: str
    name: str
    country_code: str
    country: str
    region: str
    is_capital: bool
    is_largest_city: bool
    metro_population: int | None
    metro_population_year: int | None
    metro_population_source: str
    foreign_born_share: Decimal | None
    foreign_born_year: int | None
    foreign_born_definition: str
    foreign_born_source: str
    gawc_tier: str
    gawc_year: int | None
    gawc_source: str
    type_example: str
    reference_notes: str


def figure_problems(*, value: str, year: str, source: str, extra: str = "", value_name: str) -> dict[str, str]:
    """What is wrong with one figure's value, year, source (and definition, `extra`), by part.

    A value needs a source but may lack a year; a year, source or definition needs a value.
    """
    problems = {}
    if value:
        if not source:
            problems["source"] = _("is empty, but every figure keeps its source")
    else:
        for part, given in (("year", year), ("source", source), ("extra", extra)):
            if given:
                problems[part] = _(
                    "%(given)s is given but %(value_name)s is empty: give the value or leave this empty"
                ) % {"given": given, "value_name": value_name}
    return problems


def reference_text_from_bytes(data: bytes, *, name: str | None = None) -> str:
    """The file's text; UTF-8, with or without Excel's byte-order mark. `name` names it in the problem."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ReferenceDataError(
            [
                _(
                    '%(name)s is not UTF-8 text: save it as UTF-8 ("CSV UTF-8" in Excel) and import it again '
                    "(the first character that is not UTF-8 is on line %(line)s)"
                )
                % {"name": name or _("the file"), "line": line}
            ]
        ) from None


def _either(first: str, second: str) -> str:
    return _("%(first)s or %(second)s") % {"first": first, "second": second}


def _column_name(name: str) -> str:
    return name or _("(empty)")


class _Reader:
    """Checks rows one cell at a time, collecting problems instead of stopping at the first."""

    def __init__(self):
        self.problems = []

    def problem(self, row, column, message):
        self.problems.append(
            _("Row %(row)s, column %(column)s: %(message)s") % {"row": row, "column": column, "message": message}
        )

    def row_problem(self, row, message):
        self.problems.append(_("Row %(row)s: %(message)s") % {"row": row, "message": message})

    def header(self, cells):
        names = [cell.strip() for cell in cells]
        if len(names) == 1 and ";" in names[0]:
            self.row_problem(
                1,
                _(
                    "the columns are separated by semicolons; save the file with commas "
                    '("CSV UTF-8 (Comma delimited)" in Excel)'
                ),
            )
            return None
        for name in sorted({name for name in names if names.count(name) > 1}):
            self.row_problem(1, _("column %(column)s appears more than once") % {"column": _column_name(name)})
        for name in names:
            if name not in COLUMNS:
                self.row_problem(
                    1,
                    _("column %(column)s is not a reference-cities column; the columns are %(columns)s")
                    % {"column": _column_name(name), "columns": ", ".join(COLUMNS)},
                )
        for column in COLUMNS:
            if column not in names:
                self.row_problem(
                    1, _("column %(column)s is missing; the first row must name every column") % {"column": column}
                )
        return None if self.problems else names

    def text(self, row, cells, column, *, required=False, max_length=None):
        value = cells[column]
        if required and not value:
            self.problem(row, column, _("is empty"))
        elif max_length and len(value) > max_length:
            self.problem(
                row,
                column,
                _("has %(count)s characters; at most %(limit)s fit")
                % {"count": figure(len(value)), "limit": figure(max_length)},
            )
        return value

    def choice(self, row, cells, column, choices, allowed):
        value = cells[column]
        if value and value not in choices:
            self.problem(
                row,
                column,
                _('"%(value)s" is not one of %(allowed)s (or leave it empty)') % {"value": value, "allowed": allowed},
            )
            return ""
        return choices.get(value, "")

    def boolean(self, row, cells, column):
        value = cells[column].lower()
        if value not in BOOLEANS:
            self.problem(row, column, _('"%(value)s" must be true or false') % {"value": cells[column]})
            return False
        return BOOLEANS[value]

    def year(self, row, cells, column):
        value = cells[column]
        if not value:
            return None
        if not WHOLE_NUMBER.match(value) or int(value) not in YEARS:
            # Years are written as years, never grouped: 1900, not "1,900".
            self.problem(
                row,
                column,
                _("%(value)s is not a year from %(first)s to %(last)s")
                % {"value": value, "first": YEARS[0], "last": YEARS[-1]},
            )
            return None
        return int(value)

    def population(self, row, cells, column):
        value = cells[column]
        if not value:
            return None
        if not WHOLE_NUMBER.match(value) or int(value) < 1:
            self.problem(
                row, column, _("%(value)s is not a population (a whole number of at least 1)") % {"value": value}
            )
            return None
        if int(value) > MAX_POPULATION:
            self.problem(
                row,
                column,
                _("%(value)s is more than any metropolitan area holds (at most %(limit)s)")
                % {"value": value, "limit": figure(MAX_POPULATION)},
            )
            return None
        return int(value)

    def percentage(self, row, cells, column):
        value = cells[column]
        if not value:
            return None
        try:
            share = Decimal(value) if PERCENTAGE.match(value) else None
        except InvalidOperation:
            share = None
        if share is None or share > 100 or share != share.quantize(Decimal("0.1")):
            # The example is as the file writes it, with a point, in every language (docs/languages.md).
            self.problem(
                row,
                column,
                _("%(value)s is not a percentage from 0 to 100 with at most one decimal (e.g. %(example)s)")
                % {"value": value, "example": "31.6"},
            )
            return None
        return share.quantize(Decimal("0.1"))

    def figure(self, row, cells, value, year, source, extra=None):
        columns = {"year": year, "source": source, "extra": extra}
        problems = figure_problems(
            value=cells[value],
            year=cells[year],
            source=cells[source],
            extra=cells[extra] if extra else "",
            value_name=value,
        )
        for part, message in problems.items():
            self.problem(row, columns[part], message)

    def city(self, row, cells, first_row_of_slug):
        slug = cells["slug"]
        if not slug:
            self.problem(row, "slug", _("is empty: every city needs one (lowercase ASCII, e.g. sao-paulo)"))
        elif not SLUG_PATTERN.match(slug) or len(slug) > MAX_LENGTHS["slug"]:
            self.problem(
                row,
                "slug",
                _(
                    '"%(slug)s" is not a slug: lowercase ASCII letters, digits and hyphens, at most '
                    "%(limit)s characters (e.g. sao-paulo for São Paulo)"
                )
                % {"slug": slug, "limit": figure(MAX_LENGTHS["slug"])},
            )
        elif slug in first_row_of_slug:
            self.problem(
                row,
                "slug",
                _("%(slug)s is already used in row %(first_row)s")
                % {"slug": slug, "first_row": first_row_of_slug[slug]},
            )
        else:
            first_row_of_slug[slug] = row

        country_code = cells["country_iso2"]
        if country_code and not COUNTRY_CODE.match(country_code):
            self.problem(
                row, "country_iso2", _('"%(code)s" is not a two-letter country code (e.g. CH)') % {"code": country_code}
            )
            country_code = ""

        region = cells["world_region"]
        region_key = REGIONS.get(region) or {label.lower(): key for label, key in REGIONS.items()}.get(region.lower())
        if not region_key:
            self.problem(
                row,
                "world_region",
                _('"%(region)s" is not a world region; use one of %(regions)s')
                % {"region": region, "regions": ", ".join(REGIONS)},
            )

        gawc_level = re.sub(r"\s+", " ", cells["gawc_tier"].replace("−", "-").replace("–", "-")).lower()
        gawc_tier = GAWC_LEVELS.get(gawc_level, "")
        if gawc_level and not gawc_tier:
            self.problem(
                row,
                "gawc_tier",
                _('"%(level)s" is not a GaWC level; use one of %(levels)s')
                % {"level": cells["gawc_tier"], "levels": GAWC_LEVEL_NAMES},
            )
        gawc_year = self.year(row, cells, "gawc_year")
        if cells["gawc_year"] and not gawc_level:
            self.problem(
                row,
                "gawc_year",
                _("%(year)s is given but %(column)s is empty") % {"year": cells["gawc_year"], "column": "gawc_tier"},
            )
        gawc_source = ""
        if gawc_tier:
            gawc_source = f"{GAWC_SOURCE} {gawc_year}" if gawc_year else GAWC_SOURCE

        self.figure(row, cells, "metro_population", "metro_population_year", "metro_population_source")
        self.figure(
            row, cells, "foreign_born_share_pct", "foreign_born_year", "foreign_born_source", "foreign_born_definition"
        )
        if cells["foreign_born_share_pct"] and not cells["foreign_born_definition"]:
            self.problem(
                row,
                "foreign_born_definition",
                _("is empty: say what the share counts, foreign-born (people born abroad) or foreign-citizens"),
            )
        definition = self.choice(
            row,
            cells,
            "foreign_born_definition",
            {key: key for key in FOREIGN_BORN_DEFINITIONS},
            _either(*FOREIGN_BORN_DEFINITIONS),
        )
        return ReferenceCity(
            slug=slug,
            name=self.text(row, cells, "name", required=True, max_length=MAX_LENGTHS["name"]),
            country_code=country_code.upper(),
            country=self.text(row, cells, "country", required=True, max_length=MAX_LENGTHS["country"]),
            region=region_key or "",
            is_capital=self.boolean(row, cells, "is_capital"),
            is_largest_city=self.boolean(row, cells, "is_largest_national_city"),
            metro_population=self.population(row, cells, "metro_population"),
            metro_population_year=self.year(row, cells, "metro_population_year"),
            metro_population_source=self.text(row, cells, "metro_population_source", max_length=MAX_LENGTHS["source"]),
            foreign_born_share=self.percentage(row, cells, "foreign_born_share_pct"),
            foreign_born_year=self.year(row, cells, "foreign_born_year"),
            foreign_born_definition=definition,
            foreign_born_source=self.text(row, cells, "foreign_born_source", max_length=MAX_LENGTHS["source"]),
            gawc_tier=gawc_tier,
            gawc_year=gawc_year,
            gawc_source=gawc_source,
            type_example=self.choice(
                row,
                cells,
                "opencities_type_example",
                {key: key for key in CITY_TYPE_KEYS},
                ", ".join(CITY_TYPE_KEYS),
            ),
            reference_notes=cells["notes"],
        )


def parse_reference_cities(text: str) -> tuple[ReferenceCity, ...]:
    """Parse and validate the reference-cities CSV; raise ReferenceDataError listing every problem."""
    reader = _Reader()
    records = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    row = 1
    try:
        header = next(records, None)
        if header is None:
            raise ReferenceDataError([_("The file is empty: its first row must name the columns")])
        names = reader.header(header)
        if names is None:
            raise ReferenceDataError(reader.problems)
        cities, first_row_of_slug = [], {}
        for row, record in enumerate(records, start=2):  # the except clause names the row
            if not any(cell.strip() for cell in record):
                continue  # a blank line, or the empty rows a spreadsheet leaves at the end
            if len(record) != len(names):
                # The header named every column, so `names` is always plural; the cells may be one.
                reader.row_problem(
                    row,
                    ngettext(
                        "has %(cells)s cell but the first row names %(columns)s columns "
                        "(a value with a comma needs quotes around it)",
                        "has %(cells)s cells but the first row names %(columns)s columns "
                        "(a value with a comma needs quotes around it)",
                        len(record),
                    )
                    % {"cells": figure(len(record)), "columns": figure(len(names))},
                )
                continue
            cells = {name: cell.strip() for name, cell in zip(names, record, strict=True)}
            cities.append(reader.city(row, cells, first_row_of_slug))
    except csv.Error as error:
        # Python's own reason, in English: it names what the csv module found.
        reader.row_problem(row + 1, _("the CSV cannot be read: %(error)s") % {"error": error})
    if not reader.problems and not cities:
        reader.problems.append(_("The file has no cities: only the first row, which names the columns"))
    if reader.problems:
        raise ReferenceDataError(reader.problems)
    return tuple(cities)
