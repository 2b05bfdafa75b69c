"""The research brief in each configured language: /fr/… is French, each language rendered once and kept under
its own cache entry (opencities/caching.py)."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from casestudies import brief
from recommendations.tests.factories import pdf_text

pytestmark = pytest.mark.django_db
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def test_each_language_s_brief_is_in_that_language_and_rendered_once(client, monkeypatch):
    renders = []
    render = brief._render
    monkeypatch.setattr(brief, "_render", lambda: renders.append(translation.get_language()) or render())

    texts = {}
    for language in LANGUAGES:
        with translation.override(language):
            url = reverse("casestudies:brief")
        assert url.startswith(f"/{language}/")
        content = client.get(url).content
        assert client.get(url).content == content, "the second download is the kept one"
        texts[language] = pdf_text(content)
    assert renders == LANGUAGES

    for language in LANGUAGES:
        with translation.override(language):
            title, label = str(brief.TITLE), gettext("Monitor areas:")
        flat = texts[language].replace("\xa0", " ")  # text extraction gives a no-break space as a plain one
        assert title in flat and label.replace("\xa0", " ") in flat
    titles = {}
    for language in ("en", "fr"):
        with translation.override(language):
            titles[language] = str(brief.TITLE)
    assert titles["fr"] != titles["en"], "the French catalogue translates the title"
    assert titles["fr"] not in texts["en"]
