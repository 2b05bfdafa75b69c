"""The library's full-text search columns on PostgreSQL: one per configured language, made from settings alone.

Each language with a text-search configuration in TEXT_SEARCH_CONFIGURATIONS (opencities/settings.py) gets a
generated tsvector column over its search text (`search_text_<code>`, the column django-modeltranslation adds)
and a GIN index on it, after every `migrate`. So a new language needs no migration written by hand: its content
columns come from `makemigrations`, its search column from here (docs/languages.md, Adding a language).
English keeps the names migration 0006 gave it (search_vector, casestudy_search_vector).
"""

from django.conf import settings
from django.db import connection

TABLE = "casestudies_casestudy"


def column_of(language: str) -> str:
    return "search_vector" if language == settings.LANGUAGE_CODE else f"search_vector_{language}"


def configurations() -> dict[str, tuple[str, str]]:
    """language -> (PostgreSQL text-search configuration, column), for the configured languages that have one."""
    languages = {code for code, _name in settings.LANGUAGES}
    return {
        code: (config, column_of(code))
        for code, config in settings.TEXT_SEARCH_CONFIGURATIONS.items()
        if code in languages
    }


def _existing_columns(cursor) -> set[str]:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = %s",
        [TABLE],
    )
    return {row[0] for row in cursor.fetchall()}


def search_columns_sync(sender=None, using="default", **kwargs) -> list[str]:
    """Add the missing columns and indexes (a post_migrate receiver); returns the columns added. Not on SQLite."""
    from django.db import connections

    database = connections[using] if using else connection
    if database.vendor != "postgresql":
        return []
    added = []
    with database.cursor() as cursor:
        existing = _existing_columns(cursor)
        for code, (config, column) in configurations().items():
            text = f"search_text_{code}"
            if column in existing or text not in existing:
                continue  # in place already, or the language's content columns are not migrated yet
            # Names and configurations come from settings and this module, never from a user.
            cursor.execute(
                f"ALTER TABLE {TABLE} ADD COLUMN {column} tsvector GENERATED ALWAYS AS "
                f"(to_tsvector('{config}'::regconfig, COALESCE({text}, ''::text))) STORED"
            )
            cursor.execute(f"CREATE INDEX IF NOT EXISTS casestudy_{column} ON {TABLE} USING gin ({column})")
            added.append(column)
    return added
