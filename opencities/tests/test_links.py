"""Links in emails are built on SITE_URL (opencities.links.absolute_url), never on the request's Host header.

The requests here arrive for another host than SITE_URL's (as a forged Host header would, or a server on another
port): every link in every email must still start with SITE_URL. The report's PDF links: e2e/test_site_url.py.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse

from assessments.tests.factories import AccessRequestFactory
from assessments.tests.test_access_requests import approve

pytestmark = pytest.mark.django_db

SITE_URL = "http://127.0.0.1:8100"
OTHER_HOST = "localhost"  # allowed by the suite's ALLOWED_HOSTS, unlike SITE_URL's


@pytest.fixture(autouse=True)
def _site_elsewhere(settings):
    settings.SITE_URL = SITE_URL


def links_of(message) -> list[str]:
    bodies = [message.body, *(content for content, _type in getattr(message, "alternatives", []))]
    return [link for body in bodies for link in re.findall(r"https?://[^\s\"'<>]+", body)]


def assert_links_on_site_url(messages):
    assert messages
    for message in messages:
        links = links_of(message)
        assert links, message.body
        assert all(link.startswith(SITE_URL + "/") for link in links), (message.subject, links)


def test_invitation_and_password_reset_links_ignore_the_host_header(
    client, city, lead, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("member_invite", kwargs={"slug": city.slug}),
            {"email": "new@zurich.test", "role": "contributor"},
            HTTP_HOST=OTHER_HOST,
        )
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": lead.email}, HTTP_HOST=OTHER_HOST)
    assert [message.to for message in mail.outbox] == [["new@zurich.test"], [lead.email]]
    assert_links_on_site_url(mail.outbox)


def test_access_approval_links_ignore_the_host_header(client, editor, django_capture_on_commit_callbacks):
    client.defaults["HTTP_HOST"] = OTHER_HOST
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        approve(client, AccessRequestFactory(email="ada@lodz.test"))
    assert_links_on_site_url([message for message in mail.outbox if message.to == ["ada@lodz.test"]])
