"""Optimistic updates: a row changes only if nobody changed it since the member opened the page."""

from django.db.models import F, QuerySet


def update_from_revision(rows: QuerySet, *, base_revision: int, field: str = "revision", **values) -> int:
    """Update `rows` still at `base_revision` and move them to the next revision.

    Returns the number of rows changed: 0 means someone saved first, and their values stay.
    """
    return rows.filter(**{field: base_revision}).update(**values, **{field: F(field) + 1})
