"""The city's language: its lead chooses it on the city's page; editors see and change it in the admin."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments.models import City
from assessments.services.team import city_language_set
from opencities import caching

pytestmark = pytest.mark.django_db


def language_url(city) -> str:
    return reverse("city_language", kwargs={"slug": city.slug})


def test_a_new_city_is_in_the_site_s_language(city):
    assert city.language == "en"


def test_the_lead_chooses_the_city_s_language_on_the_city_page(client, city, lead):
    client.force_login(lead)
    page = client.get(city.get_absolute_url()).content.decode()
    assert f'action="{language_url(city)}"' in page
    assert '<option value="en" selected>' in page

    response = client.post(language_url(city), {"language": "fr"}, follow=True)

    city.refresh_from_db()
    assert city.language == "fr"
    assert response.redirect_chain == [(city.get_absolute_url(), 302)]
    assert "Language of the city&#x27;s reports saved: French." in response.content.decode()
    assert '<option value="fr" selected>' in response.content.decode()


@pytest.mark.parametrize("member", ["contributor", "viewer"])
def test_other_members_see_the_language_and_cannot_change_it(client, city, lead, member, request):
    client.force_login(request.getfixturevalue(member))
    page = client.get(city.get_absolute_url()).content.decode()
    assert language_url(city) not in page
    assert "<strong>English</strong>" in page and "The city's lead chooses it." in page

    assert client.post(language_url(city), {"language": "fr"}).status_code == 403
    city.refresh_from_db()
    assert city.language == "en"


def test_the_lead_of_another_city_cannot_change_it(client, city, lead, outsider):
    client.force_login(outsider)
    assert client.post(language_url(city), {"language": "fr"}).status_code == 404
    city.refresh_from_db()
    assert city.language == "en"


def test_a_language_not_configured_is_refused(client, city, lead):
    client.force_login(lead)
    response = client.post(language_url(city), {"language": "it"}, follow=True)
    assert "Choose one of the languages in the list." in response.content.decode()
    city.refresh_from_db()
    assert city.language == "en"
    with pytest.raises(ValidationError):
        city_language_set(city=city, language="it")


def test_changing_the_language_leaves_the_peer_data_alone(city):
    # The peer rows do not hold the language: their cache must not be thrown away for it.
    before = caching.peer_data_version()
    city_language_set(city=city, language="fr")
    assert caching.peer_data_version() == before
    assert City.objects.get(pk=city.pk).language == "fr"


def test_editors_see_and_change_the_language_in_the_admin(client, city, editor):
    client.force_login(editor)
    change_url = reverse("admin:assessments_city_change", args=[city.pk])
    assert 'name="language"' in client.get(change_url).content.decode()
    changelist = client.get(reverse("admin:assessments_city_changelist"), {"language": "fr"})
    assert changelist.status_code == 200
