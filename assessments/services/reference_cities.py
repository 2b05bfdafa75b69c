"""Importing the indicative reference cities: each City created or updated by slug, all or nothing."""

from dataclasses import dataclass, field, fields

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from opencities import caching

from ..models import City
from ..reference_data import ReferenceCity, ReferenceDataError, parse_reference_cities

REFERENCE_FIELDS = tuple(f.name for f in fields(ReferenceCity))


@dataclass(frozen=True)
class ImportSummary:
    """Slugs in file order; `changes` names the fields each updated city changes, `names` each city's name."""

    created: list[str]
    updated: list[str]
    unchanged: list[str]
    changes: dict[str, list[str]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)


def reference_cities_import(*, text: str, dry_run: bool = False) -> ImportSummary:
    """Create or update the file's cities as reference cities; with `dry_run`, only say what would change.

    Raises ReferenceDataError listing every problem; then nothing is written.
    """
    rows = parse_reference_cities(text)
    try:
        with transaction.atomic():
            return _import(rows, dry_run=dry_run)
    except IntegrityError:
        # Only a second import creating the same slugs at the same moment gets here.
        raise ReferenceDataError(
            [gettext("Another import wrote some of these cities at the same time; nothing was written: try again")]
        ) from None


def _import(rows, *, dry_run):
    existing = City.objects.select_for_update().in_bulk([row.slug for row in rows], field_name="slug")
    summary = ImportSummary(created=[], updated=[], unchanged=[], names={row.slug: row.name for row in rows})
    new_cities, changed_cities, changed_fields = [], [], set()
    for row in rows:
        values = {name: getattr(row, name) for name in REFERENCE_FIELDS}
        values["is_reference"] = True
        city = existing.get(row.slug)
        if city is None:
            new_cities.append(City(**values))
            summary.created.append(row.slug)
            continue
        changes = [name for name, value in values.items() if getattr(city, name) != value]
        if not changes:
            summary.unchanged.append(row.slug)
            continue
        for name in changes:
            setattr(city, name, values[name])
        changed_cities.append(city)
        changed_fields.update(changes)
        summary.updated.append(row.slug)
        summary.changes[row.slug] = changes
    if not dry_run:
        City.objects.bulk_create(new_cities)
        if changed_cities:
            City.objects.bulk_update(changed_cities, sorted(changed_fields))
        caching.peer_data_changed()  # bulk writes send no signals
    return summary
