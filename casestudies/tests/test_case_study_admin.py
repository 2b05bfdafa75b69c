"""The case-study list in the admin: which entries need a review, said in words on those entries only."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from .factories import CaseStudyFactory

pytestmark = pytest.mark.django_db


def test_the_list_says_needs_review_on_old_entries_only(client, editor):
    CaseStudyFactory(title="Reviewed last month", last_reviewed=timezone.localdate() - timedelta(days=30))
    CaseStudyFactory(title="Reviewed long ago", last_reviewed=timezone.localdate() - timedelta(days=3 * 365))
    client.force_login(editor)

    page = client.get(reverse("admin:casestudies_casestudy_changelist")).content.decode()

    rows = {line.split("</a>")[0].rsplit(">", 1)[-1]: line for line in page.split("<tr")[1:] if "field-title" in line}
    assert "Needs review" in rows["Reviewed long ago"]
    assert "Needs review" not in rows["Reviewed last month"]
    assert "icon-no.svg" not in page and "icon-yes.svg" not in page
    assert "Zürich, Switzerland" in rows["Reviewed long ago"]


def _titles(changelist_response):
    return sorted(entry.title_en for entry in changelist_response.context["cl"].result_list)


def test_the_list_shows_which_translations_an_entry_lacks_and_filters_by_them(client, editor):
    CaseStudyFactory(
        title="Translated",
        **{
            f"{field}_{language}": f"{field} ({language})"
            for field in ("title", "summary", "what_was_done")
            for language in ("fr", "de", "es")
        },
    )
    CaseStudyFactory(title="Title only", title_fr="Titre seul")  # its summary and body wait for French
    CaseStudyFactory(title="English only")
    client.force_login(editor)
    url = reverse("admin:casestudies_casestudy_changelist")

    page = client.get(url).content.decode()
    rows = {line.split("</a>")[0].rsplit(">", 1)[-1]: line for line in page.split("<tr")[1:] if "field-title" in line}
    assert 'class="field-missing_translations">French, German, Spanish<' in rows["English only"]
    assert 'class="field-missing_translations">French, German, Spanish<' in rows["Title only"]
    assert 'class="field-missing_translations">—<' in rows["Translated"]
    assert "missing translation" in page and "?missing=fr" in page  # the filter, by language

    assert _titles(client.get(url, {"missing": "fr"})) == ["English only", "Title only"]
    assert client.get(url, {"missing": "xx"}).url.endswith("?e=1")  # a language the site lacks: invalid lookup


def test_the_form_has_each_text_in_each_language_and_requires_only_the_english(client, editor):
    client.force_login(editor)
    page = client.get(reverse("admin:casestudies_casestudy_add")).content.decode()
    for name in ("title_en", "title_fr", "summary_en", "summary_fr", "what_was_done_en", "what_was_done_fr"):
        assert f'name="{name}"' in page, name
    assert 'name="title"' not in page and 'name="city_fr"' not in page  # a city is a name in every language
