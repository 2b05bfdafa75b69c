from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from opencities.method import JOURNEY
from opencities.vocabulary import CITY_TYPES, DIMENSIONS, POLICY_THEMES

DOMAIN_DIMENSION_KEYS = [
    "international-population",
    "welcome-entry",
    "leadership-governance",
    "integration-inclusion",
    "intercultural-climate",
    "global-presence",
    "talent-education",
    "connectivity-flows",
    "quality-cost-of-living",
]


class _LinkCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href is not None:
            self.hrefs.append(href)


def _internal_links(html):
    collector = _LinkCollector()
    collector.feed(html)
    for href in collector.hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or href.startswith("#") or not parts.path:
            continue
        yield href


def _positions(content, texts):
    return [content.index(escape(str(text))) for text in texts]


@pytest.mark.django_db
def test_home_shows_the_five_city_types(client):
    content = client.get(reverse("home")).content.decode()

    assert len(CITY_TYPES) == 5
    for city_type in CITY_TYPES:
        assert escape(str(city_type.name)) in content


@pytest.mark.django_db
def test_home_shows_the_seven_journey_steps_in_order(client):
    content = client.get(reverse("home")).content.decode()

    assert len(JOURNEY) == 7
    positions = _positions(content, [step.title for step in JOURNEY])
    assert positions == sorted(positions)
    assert '<ol class="journey' in content


@pytest.mark.django_db
def test_logged_out_home_offers_log_in_and_access_request(client):
    content = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("login")}"' in content
    assert "Assess your city" in content
    assert f'href="{reverse("access_request")}"' in content
    assert "Go to my cities" not in content


@pytest.mark.django_db
def test_logged_in_home_offers_my_cities(client, django_user_model):
    user = django_user_model.objects.create_user(username="lead@city.test", email="lead@city.test", password="x")
    client.force_login(user)

    content = client.get(reverse("home")).content.decode()

    assert "Go to my cities" in content
    assert f'href="{reverse("my_cities")}"' in content
    assert f'href="{reverse("login")}"' not in content


@pytest.mark.django_db
def test_method_page_explains_dimensions_bands_and_small_groups(client):
    content = client.get(reverse("about_method")).content.decode()

    for dimension in DIMENSIONS:
        assert escape(str(dimension.name)) in content
    assert "below 40" in content
    assert "70 or more" in content
    assert "fewer than 5" in content
    assert content.count("<h1") == 1


@pytest.mark.django_db
def test_method_page_names_the_policy_themes_and_the_type_of_each_rule(client):
    content = client.get(reverse("about_method")).content.decode()

    for theme in POLICY_THEMES:
        assert f'<th scope="row">{escape(str(theme.name))}</th>' in content
    assert "<strong>Historic world city regaining its place</strong> if its global role has declined" in content
    assert "<strong>Ambitious secondary city</strong> if it is not its country" in content


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["home", "about_method"])
def test_every_link_on_public_pages_works_for_a_visitor(client, page):
    content = client.get(reverse(page)).content.decode()
    login_paths = (reverse("login"), reverse("admin:login"))

    links = set(_internal_links(content))
    assert links
    for href in sorted(links):
        response = client.get(href)
        if response.status_code == 302:
            assert urlsplit(response["Location"]).path in login_paths, href
        else:
            assert response.status_code == 200, href


def test_dimensions_are_exactly_the_nine_of_the_method():
    assert [dimension.key for dimension in DIMENSIONS] == DOMAIN_DIMENSION_KEYS


@pytest.mark.parametrize(("position", "key"), list(enumerate(DOMAIN_DIMENSION_KEYS)))
def test_dimension_key_is_stable(position, key):
    assert DIMENSIONS[position].key == key
