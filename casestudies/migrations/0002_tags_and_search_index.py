"""Fills the tag tables with their stable keys and, on PostgreSQL, indexes the search text for full-text search."""

from django.db import migrations

# Frozen copies: a later rename in opencities.method changes the labels through a new migration.
DIMENSIONS = (
    ("international-population", "International population & diversity"),
    ("welcome-entry", "Welcome & entry"),
    ("leadership-governance", "Leadership & governance"),
    ("integration-inclusion", "Integration & inclusion"),
    ("intercultural-climate", "Intercultural climate & participation"),
    ("global-presence", "Global presence & internationalisation"),
    ("talent-education", "Talent & education"),
    ("connectivity-flows", "Connectivity & flows"),
    ("quality-cost-of-living", "Quality & cost of living"),
)
CITY_TYPES = (
    ("world-city", "Established world city"),
    ("mega-city", "Large mega-city with critical mass"),
    ("niche-hub", "Small hub with an international niche"),
    ("secondary-city", "Ambitious secondary city"),
    ("historic-world-city", "Historic world city regaining its place"),
)
THEMES = (
    ("openness-strategy", "Openness strategy & coalition"),
    ("newcomer-unit", "Newcomer unit & monitoring"),
    ("welcome-centre", "Welcome centre & multilingual information"),
    ("entry-advocacy", "Advocacy on entry and recognition"),
    ("talent", "Talent attraction & retention"),
    ("students-graduates", "International students & graduate retention"),
    ("language-learning", "Language learning incl. early years"),
    ("employability-entrepreneurship", "Employability & migrant entrepreneurship"),
    ("housing-mixing", "Housing & neighbourhood mixing"),
    ("anti-discrimination", "Anti-discrimination & intercultural space"),
    ("participation", "Civic & political participation"),
    ("investment-brand", "Investment promotion & city brand"),
    ("international-events", "International events"),
    ("connectivity-visitors", "Connectivity & visitor strategy"),
    ("quality-cost-of-living", "Newcomer quality and cost of living"),
)

# Replaced by a stored, indexed column in 0003 (computing the vector per query was too slow at scale).
SEARCH_INDEX = (
    "CREATE INDEX IF NOT EXISTS casestudy_search_english ON casestudies_casestudy "
    "USING gin (to_tsvector('english'::regconfig, COALESCE(search_text, ''::text)))"
)


def fill_tags(apps, schema_editor):
    for model_name, rows in (("DimensionTag", DIMENSIONS), ("CityTypeTag", CITY_TYPES), ("RecommendationTheme", THEMES)):
        model = apps.get_model("casestudies", model_name)
        for position, (key, name) in enumerate(rows, start=1):
            model.objects.update_or_create(key=key, defaults={"name": name, "position": position})


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
