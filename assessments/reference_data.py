"""Reading the reference-cities CSV: parse and validate it, collecting every problem (pure, no ORM).

The columns are those of assessments/data/reference-cities.csv; its sources and caveats are in
reference-cities-sources.md. Every figure is indicative and keeps its year (which may be missing) and
its source. Problems name the row as a spreadsheet shows it (the header is row 1) and the column.
"""

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .citytype import CITY_TYPE_KEYS

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
            problems["source"] = "is empty, but every figure keeps its source"
    else:
        for part, given in (("year", year), ("source", source), ("extra", extra)):
            if given:
                problems[part] = f"{given} is given but {value_name} is empty: give the value or leave this empty"
    return problems


def reference_text_from_bytes(data: bytes, *, name: str = "the file") -> str:
    """The file's text; UTF-8, with or without Excel's byte-order mark."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ReferenceDataError(
            [
                f'{name} is not UTF-8 text: save it as UTF-8 ("CSV UTF-8" in Excel) and import it again '
                f"(the first character that is not UTF-8 is on line {line})"
            ]
        ) from None


class _Reader:
    """Checks rows one cell at a time, collecting problems instead of stopping at the first."""

    def __init__(self):
        self.problems = []

    def problem(self, row, column, message):
        self.problems.append(f"Row {row}, column {column}: {message}")

    def header(self, cells):
        names = [cell.strip() for cell in cells]
        if len(names) == 1 and ";" in names[0]:
            self.problems.append(
                "Row 1: the columns are separated by semicolons; save the file with commas "
                '("CSV UTF-8 (Comma delimited)" in Excel)'
            )
            return None
        for name in sorted({name for name in names if names.count(name) > 1}):
            self.problems.append(f"Row 1: column {name or '(empty)'} appears more than once")
        for name in names:
            if name not in COLUMNS:
                self.problems.append(
                    f"Row 1: column {name or '(empty)'} is not a reference-cities column; "
                    f"the columns are {', '.join(COLUMNS)}"
                )
        for column in COLUMNS:
            if column not in names:
                self.problems.append(f"Row 1: column {column} is missing; the first row must name every column")
        return None if self.problems else names

    def text(self, row, cells, column, *, required=False, max_length=None):
        value = cells[column]
        if required and not value:
            self.problem(row, column, "is empty")
        elif max_length and len(value) > max_length:
            self.problem(row, column, f"has {len(value)} characters; at most {max_length} fit")
        return value

    def choice(self, row, cells, column, choices, allowed):
        value = cells[column]
        if value and value not in choices:
            self.problem(row, column, f'"{value}" is not one of {allowed} (or leave it empty)')
            return ""
        return choices.get(value, "")

    def boolean(self, row, cells, column):
        value = cells[column].lower()
        if value not in BOOLEANS:
            self.problem(row, column, f'"{cells[column]}" must be true or false')
            return False
        return BOOLEANS[value]

    def year(self, row, cells, column):
        value = cells[column]
        if not value:
            return None
        if not WHOLE_NUMBER.match(value) or int(value) not in YEARS:
            self.problem(row, column, f"{value} is not a year from {YEARS[0]} to {YEARS[-1]}")
            return None
        return int(value)

    def population(self, row, cells, column):
        value = cells[column]
        if not value:
            return None
        if not WHOLE_NUMBER.match(value) or int(value) < 1:
            self.problem(row, column, f"{value} is not a population (a whole number of at least 1)")
            return None
        if int(value) > MAX_POPULATION:
            self.problem(row, column, f"{value} is more than any metropolitan area holds (at most {MAX_POPULATION:,})")
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
            self.problem(row, column, f"{value} is not a percentage from 0 to 100 with at most one decimal (e.g. 31.6)")
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
            self.problem(row, "slug", "is empty: every city needs one (lowercase ASCII, e.g. sao-paulo)")
        elif not SLUG_PATTERN.match(slug) or len(slug) > MAX_LENGTHS["slug"]:
            self.problem(
                row,
                "slug",
                f'"{slug}" is not a slug: lowercase ASCII letters, digits and hyphens, at most '
                f"{MAX_LENGTHS['slug']} characters (e.g. sao-paulo for São Paulo)",
            )
        elif slug in first_row_of_slug:
            self.problem(row, "slug", f"{slug} is already used in row {first_row_of_slug[slug]}")
        else:
            first_row_of_slug[slug] = row

        country_code = cells["country_iso2"]
        if country_code and not COUNTRY_CODE.match(country_code):
            self.problem(row, "country_iso2", f'"{country_code}" is not a two-letter country code (e.g. CH)')
            country_code = ""

        region = cells["world_region"]
        region_key = REGIONS.get(region) or {label.lower(): key for label, key in REGIONS.items()}.get(region.lower())
        if not region_key:
            self.problem(row, "world_region", f'"{region}" is not a world region; use one of {", ".join(REGIONS)}')

        gawc_level = re.sub(r"\s+", " ", cells["gawc_tier"].replace("−", "-").replace("–", "-")).lower()
        gawc_tier = GAWC_LEVELS.get(gawc_level, "")
        if gawc_level and not gawc_tier:
            self.problem(row, "gawc_tier", f'"{cells["gawc_tier"]}" is not a GaWC level; use one of {GAWC_LEVEL_NAMES}')
        gawc_year = self.year(row, cells, "gawc_year")
        if cells["gawc_year"] and not gawc_level:
            self.problem(row, "gawc_year", f"{cells['gawc_year']} is given but gawc_tier is empty")
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
                "is empty: say what the share counts, foreign-born (people born abroad) or foreign-citizens",
            )
        definition = self.choice(
            row,
            cells,
            "foreign_born_definition",
            {key: key for key in FOREIGN_BORN_DEFINITIONS},
            " or ".join(FOREIGN_BORN_DEFINITIONS),
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
            raise ReferenceDataError(["The file is empty: its first row must name the columns"])
        names = reader.header(header)
        if names is None:
            raise ReferenceDataError(reader.problems)
        cities, first_row_of_slug = [], {}
        for row, record in enumerate(records, start=2):  # the except clause names the row
            if not any(cell.strip() for cell in record):
                continue  # a blank line, or the empty rows a spreadsheet leaves at the end
            if len(record) != len(names):
                reader.problems.append(
                    f"Row {row}: has {len(record)} cells but the first row names {len(names)} columns "
                    "(a value with a comma needs quotes around it)"
                )
                continue
            cells = {name: cell.strip() for name, cell in zip(names, record, strict=True)}
            cities.append(reader.city(row, cells, first_row_of_slug))
    except csv.Error as error:
        reader.problems.append(f"Row {row + 1}: the CSV cannot be read: {error}")
    if not reader.problems and not cities:
        reader.problems.append("The file has no cities: only the first row, which names the columns")
    if reader.problems:
        raise ReferenceDataError(reader.problems)
    return tuple(cities)
