"""Languages in the address: a shared link opens in its language; an address without one follows the account's
choice, then the browser's, then English; the switcher keeps the reader on the same page (docs/languages.md)."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from opencities.models import NoticePreferences
from opencities.notices import language_save
from recommendations.services import unsubscribe_token
from recommendations.tests.factories import PartnerFactory, follow

pytestmark = pytest.mark.django_db
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def html_language(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


@pytest.mark.parametrize("language", LANGUAGE_CODES)
def test_a_shared_link_opens_in_its_language_whatever_the_browser_asks(client, language):
    response = client.get(f"/{language}/case-studies/", headers={"accept-language": "en"})
    assert response.status_code == 200
    assert html_language(response) == language


@pytest.mark.parametrize(
    ("browser", "expected"),
    [
        ("fr-FR,fr;q=0.9,en;q=0.5", "fr"),
        ("en-GB,en;q=0.8", "en"),
        ("it-CH,it;q=0.9", "en"),
        ("de-CH,de;q=0.9", "de"),
        ("es-ES,es;q=0.9", "es"),
        ("", "en"),
    ],
    ids=[
        "french-browser",
        "english-browser",
        "unconfigured-language",
        "german-browser",
        "spanish-browser",
        "no-preference",
    ],
)
def test_an_address_without_a_language_follows_the_browser_then_english(client, browser, expected):
    response = client.get("/case-studies/?dimension=welcome-entry", headers={"accept-language": browser})
    assert response.status_code == 302
    assert response.url == f"/{expected}/case-studies/?dimension=welcome-entry"


def test_an_address_without_a_language_follows_the_signed_in_accounts_choice_before_the_browser(client, lead):
    language_save(user=lead, language="fr")
    client.force_login(lead)
    response = client.get("/cities/", headers={"accept-language": "en"})
    assert response.status_code == 302 and response.url == "/fr/cities/"


@pytest.mark.parametrize("address", ["/healthz", "/admin/login/", "/favicon.ico"])
def test_machines_and_the_admin_are_reached_without_a_language(client, address):
    assert client.get(address).status_code in (200, 301, 302, 503)
    assert client.get(f"/fr{address}").status_code == 404


def test_the_unsubscribe_link_is_outside_the_prefixes_so_a_sent_link_keeps_working(client, city):
    following = follow(PartnerFactory(), city)
    path = reverse("partner_unsubscribe", kwargs={"token": unsubscribe_token(following)})
    assert not path.startswith(tuple(f"/{code}/" for code in LANGUAGE_CODES))
    assert client.get(path).status_code == 200


def test_the_admin_follows_the_editors_own_language(client, editor):
    language_save(user=editor, language="fr")
    client.force_login(editor)
    response = client.get("/admin/", headers={"accept-language": "en"})
    assert html_language(response) == "fr"


def test_every_page_offers_each_language_and_marks_the_current_one(client):
    html = client.get("/fr/downloads/").content.decode()
    form = re.search(r'<form class="language-switcher.*?</form>', html, re.DOTALL).group(0)
    for code in LANGUAGE_CODES:
        assert f'value="{code}"' in form
    assert re.search(r'value="fr" lang="fr"[^>]*aria-current="true"', form)
    assert 'name="next" value="/fr/downloads/"' in form


def test_switching_keeps_the_page_and_its_filters_and_a_visitors_choice_lasts(client):
    response = client.post(
        reverse("language_choose"), {"language": "fr", "next": "/en/case-studies/?dimension=welcome-entry"}
    )
    assert response.status_code == 302 and response.url == "/fr/case-studies/?dimension=welcome-entry"
    later = client.get("/downloads/", headers={"accept-language": "en"})
    assert later.url == "/fr/downloads/"  # the cookie the switcher set, before the browser's languages


def test_switching_keeps_the_choice_on_the_account(client, lead):
    client.force_login(lead)
    client.post(reverse("language_choose"), {"language": "fr", "next": "/en/cities/"})
    assert NoticePreferences.objects.get(user=lead).language == "fr"
    other_device = client.__class__()
    other_device.force_login(lead)
    assert other_device.get("/cities/", headers={"accept-language": "en"}).url == "/fr/cities/"


@pytest.mark.parametrize(
    ("language", "next_page", "expected"),
    [
        ("xx", "/en/downloads/", "/en/downloads/"),  # no such language: nothing changes
        ("fr", "https://evil.example/phish", "/"),  # never to another site
    ],
    ids=["unknown-language", "foreign-next"],
)
def test_a_switch_that_makes_no_sense_changes_nothing(client, lead, language, next_page, expected):
    client.force_login(lead)
    response = client.post(reverse("language_choose"), {"language": language, "next": next_page})
    assert response.status_code == 302 and response.url == expected
    assert not NoticePreferences.objects.filter(user=lead, language="xx").exists()


def test_links_built_in_a_language_keep_it(settings):
    with translation.override("fr"):
        assert reverse("casestudies:library") == "/fr/case-studies/"
    with translation.override("en"):
        assert reverse("casestudies:library") == "/en/case-studies/"


@pytest.mark.parametrize(
    ("language", "written"), [("en", "4 December 2026"), ("fr", "4 décembre 2026")], ids=["en", "fr"]
)
def test_dates_are_written_day_month_year_in_each_language(language, written):
    from datetime import date

    from django.utils.formats import date_format

    with translation.override(language):
        assert date_format(date(2026, 12, 4)) == written


def test_the_error_page_speaks_the_readers_language_without_the_database(rf):
    from opencities.errors import server_error

    with translation.override("fr"), pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.db.backends.base.base.BaseDatabaseWrapper.connect", lambda self: 1 / 0)
        response = server_error(rf.get("/fr/"))
    html = response.content.decode()
    assert response.status_code == 500 and '<html lang="fr">' in html
    assert "Something went wrong" not in html
