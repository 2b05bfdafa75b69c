"""The tag rows are the vocabulary's: the admin shows their key and name and lets nobody rename, add or delete them."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from casestudies.models import CityTypeTag, DimensionTag, RecommendationTheme

pytestmark = pytest.mark.django_db
TAG_MODELS = [DimensionTag, CityTypeTag, RecommendationTheme]


def _change_url(tag):
    return reverse(f"admin:casestudies_{tag._meta.model_name}_change", args=[tag.pk])


@pytest.mark.parametrize("model", TAG_MODELS, ids=lambda model: model.__name__)
def test_an_editors_change_form_shows_the_key_and_name_read_only(client, editor, model):
    tag = model.objects.first()
    client.force_login(editor)
    response = client.get(_change_url(tag))
    assert response.status_code == 200
    page = response.content.decode()
    assert {"key", "name"} <= set(response.context["adminform"].readonly_fields)
    assert escape(tag.key) in page and escape(tag.name) in page
    assert 'name="key"' not in page and 'name="name"' not in page
    assert not response.context["has_add_permission"] and not response.context["has_delete_permission"]
    # A post changes nothing either.
    client.post(_change_url(tag), {"key": "renamed", "name": "Renamed", "position": tag.position})
    tag.refresh_from_db()
    assert (tag.key, tag.name) != ("renamed", "Renamed")


@pytest.mark.parametrize("model", TAG_MODELS, ids=lambda model: model.__name__)
def test_even_a_superuser_cannot_rename_add_or_delete_a_tag(admin_client, model):
    tag = model.objects.first()
    response = admin_client.get(_change_url(tag))
    page = response.content.decode()
    assert set(response.context["adminform"].readonly_fields) == {"key", "name"}
    assert 'name="key"' not in page and 'name="name"' not in page
    assert 'name="position"' in page
    admin_client.post(_change_url(tag), {"key": "renamed", "name": "Renamed", "position": tag.position})
    tag.refresh_from_db()
    assert (tag.key, tag.name) != ("renamed", "Renamed")
    info = tag._meta.app_label, tag._meta.model_name
    assert admin_client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 403
    assert admin_client.get(reverse("admin:{}_{}_delete".format(*info), args=[tag.pk])).status_code == 403


def test_a_superuser_may_still_edit_a_themes_description(admin_client):
    theme = RecommendationTheme.objects.first()
    page = admin_client.get(_change_url(theme)).content.decode()
    assert 'name="description"' in page
