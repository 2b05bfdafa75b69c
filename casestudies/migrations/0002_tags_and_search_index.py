"""Fills the tag tables with their stable keys and, on PostgreSQL, indexes the search text for full-text search."""

from django.db import migrations
from django.utils import translation

from opencities import vocabulary

# Replaced by a stored, indexed column in 0003 (computing the vector per query was too slow at scale).
SEARCH_INDEX = (
    "CREATE INDEX IF NOT EXISTS casestudy_search_english ON casestudies_casestudy "
    "USING gin (to_tsvector('english'::regconfig, COALESCE(search_text, ''::text)))"
)


# The vocabulary names the rows; a later rename there needs its own data migration for databases filled already.
TAGS = (
    ("DimensionTag", vocabulary.DIMENSIONS),
    ("CityTypeTag", vocabulary.CITY_TYPES),
    ("RecommendationTheme", vocabulary.RECOMMENDATION_THEMES),
)


def fill_tags(apps, schema_editor):
    with translation.override(None):  # the stored names are the untranslated source names
        for model_name, terms in TAGS:
            model = apps.get_model("casestudies", model_name)
            for position, term in enumerate(terms, start=1):
                model.objects.update_or_create(key=term.key, defaults={"name": str(term.name), "position": position})


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SEARCH_INDEX)


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS casestudy_search_english")


class Migration(migrations.Migration):
    dependencies = [("casestudies", "0001_initial")]

    operations = [
        migrations.RunPython(fill_tags, migrations.RunPython.noop),
        migrations.RunPython(create_search_index, drop_search_index),
    ]
