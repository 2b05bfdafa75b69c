"""The active rules and the general PDF are cached; every change an editor makes shows on the next read."""

import pytest
from django.utils import translation
from pypdf import PdfReader

from casestudies.models import CaseStudy
from casestudies.services import case_studies_publish
from recommendations import general
from recommendations.models import RecommendationRule
from recommendations.selectors import active_rule_set, active_rules

from .factories import RecommendationRuleFactory, published_case_study

pytestmark = pytest.mark.django_db


def test_edits_to_rules_and_their_case_studies_show_on_the_next_read():
    case_study = published_case_study(title="Welcome desk")
    rule = RecommendationRuleFactory(title="Open a welcome desk", case_studies=[case_study])
    assert [(r.title, r.case_study_slugs) for r in active_rules()] == [("Open a welcome desk", (case_study.slug,))]

    rule.title = "Open a one-stop shop"
    rule.save()
    assert [r.title for r in active_rules()] == ["Open a one-stop shop"]

    case_studies_publish(case_studies=CaseStudy.objects.filter(pk=case_study.pk), publish=False)
    assert active_rules()[0].case_study_slugs == ()

    RecommendationRuleFactory(title="Teach the language early", key="language")
    assert len(active_rules()) == 2

    RecommendationRule.objects.filter(key="language").update(is_active=False)  # no save(), no new updated_at
    assert [r.title for r in active_rules()] == ["Open a one-stop shop"]


def test_an_edited_theme_description_shows_in_the_next_general_pdf():
    rule = RecommendationRuleFactory(title="Open a welcome desk")
    theme = rule.theme
    theme.description = "Help newcomers find their way."
    theme.save()
    assert "find their way" in _pdf_text(general.pdf_bytes())

    theme.description = "One address for every newcomer."
    theme.save()
    text = _pdf_text(general.pdf_bytes())
    assert "One address for every newcomer" in text
    assert "find their way" not in text


def _pdf_text(content) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(content).pages)


def test_each_language_reads_its_own_texts_and_a_french_edit_shows_on_the_next_read():
    rule = RecommendationRuleFactory(title="Open a welcome desk", title_fr="Ouvrir un guichet d’accueil")
    with translation.override("fr"):
        assert [r.title for r in active_rules()] == ["Ouvrir un guichet d’accueil"]
        assert [r.theme_name for r in active_rules()] == ["Guichet d'accueil et information multilingue"]
    with translation.override("en"):
        assert [r.title for r in active_rules()] == ["Open a welcome desk"]  # not the French entry's copy

    rule.title_fr = "Ouvrir un guichet unique"
    rule.save()
    with translation.override("fr"):
        assert [r.title for r in active_rules()] == ["Ouvrir un guichet unique"]
    rule.title_fr = ""  # gone: the English shows, marked so
    rule.save()
    with translation.override("fr"):
        assert [r.title for r in active_rules()] == ["Open a welcome desk"]
        assert active_rule_set().in_source_only["title"] == {rule.key}
