"""On PostgreSQL, a search vector per language: each language's search text (0005) with that language's text-search
configuration, so that a French search stems French words ("étudiants" finds "étudiant").

The English column keeps its name (search_vector, and its index casestudy_search_vector) and is now generated from
the English search text; the French one is search_vector_fr. A language added later gets its column in a
column after migrate (casestudies/search_columns.py). SQLite has no full-text search here; nothing changes there.
"""

from django.db import migrations

VECTORS = (("search_vector", "search_text_en", "english"), ("search_vector_fr", "search_text_fr", "french"))

ADD = [
    "ALTER TABLE casestudies_casestudy DROP COLUMN IF EXISTS search_vector",  # and its index
    *(
        statement
        for column, text, config in VECTORS
        for statement in (
            f"ALTER TABLE casestudies_casestudy ADD COLUMN {column} tsvector GENERATED ALWAYS AS "
            f"(to_tsvector('{config}'::regconfig, COALESCE({text}, ''::text))) STORED",
            f"CREATE INDEX casestudy_{column} ON casestudies_casestudy USING gin ({column})",
        )
    ),
]
REMOVE = [
    *(f"ALTER TABLE casestudies_casestudy DROP COLUMN IF EXISTS {column}" for column, _text, _config in VECTORS),
    "ALTER TABLE casestudies_casestudy ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, COALESCE(search_text, ''::text))) STORED",
    "CREATE INDEX casestudy_search_vector ON casestudies_casestudy USING gin (search_vector)",
]


def add_vectors(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in ADD:
            schema_editor.execute(statement)


def remove_vectors(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in REMOVE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("casestudies", "0005_content_languages")]

    operations = [migrations.RunPython(add_vectors, remove_vectors)]
