"""The general recommendations PDF in each configured language: /fr/… is French, and each language is rendered
once and kept under its own cache entry (opencities/caching.py)."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from recommendations import pdf

from .factories import RecommendationRuleFactory, pdf_text

pytestmark = pytest.mark.django_db
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def general_pdf(client, language: str) -> bytes:
    with translation.override(language):
        url = reverse("general_recommendations_pdf")
    assert url.startswith(f"/{language}/")
    return client.get(url).getvalue()


def test_each_language_s_general_pdf_is_in_that_language_and_rendered_once(client, monkeypatch):
    RecommendationRuleFactory()
    renders = []
    render = pdf.render_general_recommendations
    monkeypatch.setattr(
        pdf,
        "render_general_recommendations",
        lambda *a, **k: renders.append(translation.get_language()) or render(*a, **k),
    )

    texts = {}
    for language in LANGUAGES:
        content = general_pdf(client, language)
        assert general_pdf(client, language) == content, "the second download is the kept one"
        texts[language] = pdf_text(content)
    assert renders == LANGUAGES

    for language in LANGUAGES:
        with translation.override(language):
            title, label = str(pdf.GENERAL_TITLE), gettext("Last updated:")
        # Text extraction gives a no-break space as a plain one.
        assert title in texts[language] and label.replace("\xa0", " ") in texts[language].replace("\xa0", " ")
    titles = {}
    for language in ("en", "fr"):
        with translation.override(language):
            titles[language] = str(pdf.GENERAL_TITLE)
    assert titles["fr"] != titles["en"], "the French catalogue translates the title"
    assert titles["fr"] not in texts["en"]


def test_a_rule_not_yet_translated_says_so_in_the_french_pdf_and_a_translated_one_does_not(client):
    from recommendations.models import RecommendationRule

    RecommendationRuleFactory(key="untranslated", title="Teach the language early")
    RecommendationRuleFactory(key="translated", title="Open a welcome desk")
    RecommendationRule.objects.filter(key="translated").update(
        title_fr="Ouvrir un guichet d'accueil", text_fr="Un seul guichet.", actions="", actions_fr=""
    )
    text = pdf_text(general_pdf(client, "fr"))
    with translation.override("fr"):
        label = gettext("available in English only")
    assert label != "available in English only"
    assert text.count(label) == 1
    untranslated = text.split("Teach the language early", 1)[1]
    assert untranslated.lstrip().startswith(label) or label in untranslated.split("Ouvrir un guichet")[0]
