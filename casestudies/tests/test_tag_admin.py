"""The tag rows are the vocabulary's: the admin shows their key and names (one per language) and lets nobody rename,
add or delete them."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from casestudies.models import CityTypeTag, DimensionTag, RecommendationTheme
from casestudies.services import tag_names_sync

pytestmark = pytest.mark.django_db
TAG_MODELS = [DimensionTag, CityTypeTag, RecommendationTheme]
NAMES = {f"name_{code}" for code, _name in settings.LANGUAGES}


def _change_url(tag):
    return reverse(f"admin:casestudies_{tag._meta.model_name}_change", args=[tag.pk])


@pytest.mark.parametrize("model", TAG_MODELS, ids=lambda model: model.__name__)
def test_an_editors_change_form_shows_the_key_and_name_read_only(client, editor, model):
    tag = model.objects.first()
    client.force_login(editor)
    response = client.get(_change_url(tag))
    assert response.status_code == 200
    page = response.content.decode()
    assert {"key", *NAMES} <= set(response.context["adminform"].readonly_fields)
    assert escape(tag.key) in page and escape(tag.name_en) in page and escape(tag.name_fr) in page
    assert 'name="key"' not in page and not any(f'name="{name}"' in page for name in NAMES)
    assert not response.context["has_add_permission"] and not response.context["has_delete_permission"]
    # A post changes nothing either.
    client.post(_change_url(tag), {"key": "renamed", "name_fr": "Renamed", "position": tag.position})
    tag.refresh_from_db()
    assert (tag.key, tag.name_fr) != ("renamed", "Renamed")


@pytest.mark.parametrize("model", TAG_MODELS, ids=lambda model: model.__name__)
def test_even_a_superuser_cannot_rename_add_or_delete_a_tag(admin_client, model):
    tag = model.objects.first()
    response = admin_client.get(_change_url(tag))
    page = response.content.decode()
    assert set(response.context["adminform"].readonly_fields) == {"key", *NAMES}
    assert 'name="key"' not in page and not any(f'name="{name}"' in page for name in NAMES)
    assert 'name="position"' in page
    admin_client.post(_change_url(tag), {"key": "renamed", "name_en": "Renamed", "position": tag.position})
    tag.refresh_from_db()
    assert (tag.key, tag.name_en) != ("renamed", "Renamed")
    info = tag._meta.app_label, tag._meta.model_name
    assert admin_client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 403
    assert admin_client.get(reverse("admin:{}_{}_delete".format(*info), args=[tag.pk])).status_code == 403


def test_a_superuser_may_still_edit_a_themes_description_in_each_language(admin_client):
    theme = RecommendationTheme.objects.first()
    page = admin_client.get(_change_url(theme)).content.decode()
    assert 'name="description_en"' in page and 'name="description_fr"' in page


def test_the_names_in_each_language_are_the_vocabularys_as_its_catalogue_words_them():
    theme = RecommendationTheme.objects.get(key="welcome-centre")
    # The glossary's words (locale/fr/glossary.toml), brought in by the catalogue after migrate.
    assert (theme.name_en, theme.name_fr) == (
        "Welcome centre & multilingual information",
        "Guichet d'accueil et information multilingue",
    )
    assert DimensionTag.objects.get(key="welcome-entry").name_fr == "Accueil et arrivée"
    assert CityTypeTag.objects.get(key="world-city").name_fr == "Ville mondiale établie"
    # A name changed by hand is put back at the next migrate; one in step is left alone.
    RecommendationTheme.objects.filter(pk=theme.pk).update(name_fr="Autre chose")
    assert tag_names_sync() == 1
    theme.refresh_from_db()
    assert theme.name_fr == "Guichet d'accueil et information multilingue"
    assert tag_names_sync() == 0


def test_the_admin_lists_and_filters_the_themes_lacking_a_description_in_french(admin_client):
    described = RecommendationTheme.objects.get(key="talent")
    RecommendationTheme.objects.filter(pk=described.pk).update(description_en="Attract and keep skilled people.")
    url = reverse("admin:casestudies_recommendationtheme_changelist")
    rows = admin_client.get(url, {"missing": "fr"}).context["cl"].result_list
    assert [row.key for row in rows] == ["talent"]
    RecommendationTheme.objects.filter(pk=described.pk).update(description_fr="Attirer et retenir les talents.")
    assert not admin_client.get(url, {"missing": "fr"}).context["cl"].result_list
