"""On PostgreSQL, the search text's tsvector is stored (a generated column) and indexed, instead of computed per query.

Computing `to_tsvector` at query time parsed every candidate entry's text on each request, for the filter and
again for the ranking: at 10,000 entries that was a second per page. A generated column is kept by PostgreSQL
itself, so saves, bulk imports and raw SQL need no code for it. SQLite has no full-text search here; nothing
changes there.
"""

from django.db import migrations

ADD = (
    "ALTER TABLE casestudies_casestudy ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, COALESCE(search_text, ''::text))) STORED",
    "CREATE INDEX IF NOT EXISTS casestudy_search_vector ON casestudies_casestudy USING gin (search_vector)",
    "DROP INDEX IF EXISTS casestudy_search_english",
)
REMOVE = (
    "ALTER TABLE casestudies_casestudy DROP COLUMN IF EXISTS search_vector",
    "CREATE INDEX IF NOT EXISTS casestudy_search_english ON casestudies_casestudy "
    "USING gin (to_tsvector('english'::regconfig, COALESCE(search_text, ''::text)))",
)


def add_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in ADD:
            schema_editor.execute(statement)


def remove_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in REMOVE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("casestudies", "0002_tags_and_search_index")]

    operations = [migrations.RunPython(add_search_vector, remove_search_vector)]
