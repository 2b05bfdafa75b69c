"""Editors import and export the rule set: problems by row before anything is written, round trips, safe previews."""

import io
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.sites import site
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from opencities.imports import EXPORT_FORMATS
from recommendations.admin.rules import RecommendationRuleAdmin
from recommendations.models import RecommendationRule, comma_separated
from recommendations.resources import RecommendationRuleResource

pytestmark = pytest.mark.django_db

APP = Path(__file__).resolve().parents[1]
RULES_FILE = APP / "data" / "rules.json"
CASE_STUDIES_FILE = APP.parent / "casestudies" / "data" / "case-studies.json"
SHIPPED = json.loads(RULES_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def case_studies(db):
    call_command("import_case_studies", str(CASE_STUDIES_FILE), stdout=io.StringIO())


def import_rules(path, *options) -> str:
    out = io.StringIO()
    call_command("import_recommendation_rules", str(path), *options, stdout=out)
    return out.getvalue()


def write_rules(tmp_path, rows) -> Path:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    return path


def rule_set() -> list[tuple]:
    """Everything a rule says, in a form that compares equal whatever the order of its tags."""
    rules = RecommendationRule.objects.select_related("theme").prefetch_related(
        "dimensions", "city_types", "case_studies"
    )
    return sorted(
        (
            rule.key,
            rule.title_en,
            rule.title_fr,
            rule.theme.key,
            sorted(tag.key for tag in rule.dimensions.all()),
            rule.bands,
            rule.framework_elements,
            sorted(tag.key for tag in rule.city_types.all()),
            rule.priority,
            rule.text_en,
            rule.text_fr,
            rule.actions_en,
            rule.actions_fr,
            sorted(case_study.slug for case_study in rule.case_studies.all()),
            rule.is_active,
        )
        for rule in rules
    )


def test_the_shipped_rules_import_cleanly_with_their_tags_and_cover_all_fifteen_themes(case_studies):
    assert "imported 35 new and 0 updated" in import_rules(RULES_FILE)
    assert RecommendationRule.objects.values("theme").distinct().count() == 15
    adopt = RecommendationRule.objects.get(key="openness-strategy-adopt")
    assert adopt.theme.key == "openness-strategy" and adopt.priority == 1
    assert comma_separated(adopt.framework_elements) == ["strategy", "political-lead", "budget"]
    assert sorted(adopt.case_studies.values_list("slug", flat=True)) == [
        "dublin-city-integration-strategy",
        "global-detroit",
        "welcome-dayton",
    ]
    niche = RecommendationRule.objects.get(key="talent-niche-hub")
    assert list(niche.city_types.values_list("key", flat=True)) == ["niche-hub"]
    assert sorted(niche.dimensions.values_list("key", flat=True)) == ["global-presence", "talent-education"]


def test_importing_the_same_file_again_updates_the_rules_in_place(case_studies):
    import_rules(RULES_FILE)
    before = rule_set()
    assert "imported 0 new and 35 updated" in import_rules(RULES_FILE)
    assert rule_set() == before


def test_a_dry_run_checks_every_row_and_writes_nothing(case_studies):
    assert "would import 35 new" in import_rules(RULES_FILE, "--dry-run")
    assert not RecommendationRule.objects.exists()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"theme": "free-lunches"}, "Unknown recommendation theme “free-lunches”"),
        ({"dimensions": "welcome-entry, happiness"}, "“happiness”"),
        ({"city_types": "village"}, "“village”"),
        ({"case_studies": "welcome-dayton, atlantis-welcome-desk"}, "“atlantis-welcome-desk”"),
        ({"bands": "low, terrible"}, "Use low, medium or high"),
        ({"framework_elements": "budget, free-beer"}, "Unknown framework elements: free-beer"),
        ({"priority": "urgent"}, "Unknown priority “urgent”"),
        ({"title_en": ""}, "title_en"),
        ({"key": SHIPPED[0]["key"]}, "also used on entry 1"),
    ],
)
def test_a_bad_row_is_reported_with_its_row_and_nothing_is_written(case_studies, tmp_path, change, words):
    rows = [SHIPPED[0], {**SHIPPED[1], **change}, SHIPPED[2]]
    with pytest.raises(CommandError) as raised:
        import_rules(write_rules(tmp_path, rows))
    message = str(raised.value)
    assert "nothing imported" in message
    assert any(line.strip().startswith("Entry 2, field") and words in line for line in message.splitlines()), message
    assert not RecommendationRule.objects.exists()


def test_rules_linking_case_studies_not_yet_imported_are_refused_by_row(tmp_path):
    with pytest.raises(CommandError, match=r"Entry 1, field case_studies: Unknown case studies"):
        import_rules(write_rules(tmp_path, SHIPPED[:1]))
    assert not RecommendationRule.objects.exists()


def test_a_bad_row_leaves_an_existing_rule_set_as_it_was(case_studies, tmp_path):
    import_rules(RULES_FILE)
    before = rule_set()
    rows = [{**SHIPPED[0], "title_en": "Renamed"}, {**SHIPPED[1], "theme": "nonsense"}]
    with pytest.raises(CommandError):
        import_rules(write_rules(tmp_path, rows))
    assert rule_set() == before


def test_a_rule_with_a_column_of_an_unknown_language_is_refused_by_its_column(case_studies, tmp_path):
    rows = [{**SHIPPED[0], "title_it": "Una strategia di apertura"}]
    with pytest.raises(CommandError) as raised:
        import_rules(write_rules(tmp_path, rows))
    message = (
        "Column title_it: “it” is not a language of this site (en, fr, de, es); "
        "use title_en, title_fr, title_de, title_es."
    )
    assert message in str(raised.value)
    assert not RecommendationRule.objects.exists()


def test_the_french_texts_come_and_go_in_their_own_columns(case_studies, tmp_path):
    import_rules(RULES_FILE)
    adopt = RecommendationRule.objects.get(key="openness-strategy-adopt")
    assert adopt.title_fr == SHIPPED[0]["title_fr"] and adopt.title_en == SHIPPED[0]["title_en"]
    exported = json.loads(EXPORT_FORMATS[2]().export_data(RecommendationRuleResource().export()))
    languages = [code for code, _name in settings.LANGUAGES]
    assert [column for column in exported[0] if column.startswith(("title", "text", "actions"))] == [
        f"{field}_{language}" for field in ("title", "text", "actions") for language in languages
    ]
    assert {row["key"]: row["title_fr"] for row in exported}["openness-strategy-adopt"] == adopt.title_fr


def test_a_theme_is_found_by_its_french_name_too(case_studies, tmp_path):
    import_rules(write_rules(tmp_path, [{**SHIPPED[0], "theme": "Stratégie d'ouverture et coalition d'acteurs"}]))
    assert RecommendationRule.objects.get().theme.key == "openness-strategy"


def test_tags_are_found_by_name_as_well_as_by_key(case_studies, tmp_path):
    row = {
        **SHIPPED[0],
        "theme": "Openness strategy & coalition",
        "dimensions": "Leadership & governance",
        "city_types": "Established world city",
        "priority": "High",
    }
    import_rules(write_rules(tmp_path, [row]))
    rule = RecommendationRule.objects.get()
    assert rule.theme.key == "openness-strategy" and rule.priority == 1
    assert list(rule.dimensions.values_list("key", flat=True)) == ["leadership-governance"]
    assert list(rule.city_types.values_list("key", flat=True)) == ["world-city"]


@pytest.mark.parametrize("format_class", EXPORT_FORMATS, ids=lambda format_class: format_class().get_extension())
def test_export_then_import_gives_the_same_rule_set(case_studies, tmp_path, format_class):
    import_rules(RULES_FILE)
    RecommendationRule.objects.filter(key="connectivity-visitors-to-residents").update(is_active=False)
    before = rule_set()
    file_format = format_class()
    exported = file_format.export_data(RecommendationRuleResource().export())
    path = tmp_path / f"rules.{file_format.get_extension()}"
    if isinstance(exported, str):
        path.write_text(exported, encoding="utf-8")
    else:
        path.write_bytes(exported)
    RecommendationRule.objects.all().delete()
    assert "imported 35 new" in import_rules(path)
    assert rule_set() == before


def test_a_csv_export_never_starts_a_cell_with_a_formula(case_studies):
    import_rules(RULES_FILE)
    csv_format = next(format_class() for format_class in EXPORT_FORMATS if format_class().get_extension() == "csv")
    exported = csv_format.export_data(RecommendationRuleResource().export())
    assert ",- " not in exported and ',"- ' not in exported  # actions start with "- ": exported as "'- "
    assert "'- " in exported


HOSTILE_TEXT = 'Open a desk.<script>alert("text")</script>\n\n[click](javascript:alert(1))'
HOSTILE_ACTIONS = '- call <img src=x onerror=alert("actions")>\n- <script>alert("actions")</script>'


def test_a_script_in_a_rule_never_reaches_the_rendered_preview(case_studies, tmp_path, editor, client):
    import_rules(write_rules(tmp_path, [{**SHIPPED[0], "text_en": HOSTILE_TEXT, "actions_en": HOSTILE_ACTIONS}]))
    rule = RecommendationRule.objects.get()
    preview = str(RecommendationRuleAdmin(RecommendationRule, site).preview(rule))
    assert "Open a desk." in preview and "call" in preview
    assert "<script" not in preview and "<img" not in preview
    assert not re.search(r"<[^>]*(onerror|javascript:)", preview)  # as escaped text it is harmless

    client.force_login(editor)
    page = client.get(reverse("admin:recommendations_recommendationrule_change", args=[rule.pk]))
    assert page.status_code == 200
    assert b"Open a desk." in page.content
    assert b'<script>alert("text")' not in page.content
    assert b'<script>alert("actions")' not in page.content
    assert not re.search(rb"<img[^>]*onerror", page.content)


def test_editors_find_the_rules_and_their_import_in_the_admin(case_studies, editor, client):
    import_rules(RULES_FILE)
    client.force_login(editor)
    listing = client.get(reverse("admin:recommendations_recommendationrule_changelist"), {"priority__exact": "1"})
    assert listing.status_code == 200
    assert b"Recruit talent around your niche" in listing.content
    assert b"Promote the city abroad with one voice" not in listing.content  # a priority 2 rule
    assert client.get(reverse("admin:recommendations_recommendationrule_import")).status_code == 200


def test_the_rule_list_shows_when_each_rule_fires(case_studies, editor, client):
    import_rules(RULES_FILE)
    client.force_login(editor)

    listing = client.get(reverse("admin:recommendations_recommendationrule_changelist")).content.decode()

    assert (
        "Welcome &amp; entry, Talent &amp; education in low, medium<br>framework gaps: advocacy, partnerships<br>"
        "types: Ambitious secondary city"
    ) in listing
    assert "framework gaps: strategy, political-lead, budget<br>all types" in listing


def test_the_rules_dry_run_previews_each_rule(case_studies, editor, client):
    client.force_login(editor)
    upload = SimpleUploadedFile("rules.json", json.dumps(SHIPPED[:2]).encode())

    html = client.post(
        reverse("admin:recommendations_recommendationrule_import"),
        {"resource": "0", "format": "2", "import_file": upload},
    ).content.decode()

    preview = html[html.index('id="import-preview"') :]
    assert SHIPPED[0]["title_en"] in preview and "New" in preview and "all types" in preview
