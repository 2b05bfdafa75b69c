"""Limits on guessing and flooding: login lockout per account, failures per address, password-reset limits.

See docs/architecture.md, Limits on guessing and flooding.
"""

import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.core.cache.backends.base import BaseCache
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from assessments.tests.factories import PASSWORD, UserFactory
from opencities.throttling import client_address

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-new-zurich-secret-2026"


def log_in(client, email, password, address="198.51.100.1", **headers):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address, **headers)


@pytest.fixture
def request_reset(client, django_capture_on_commit_callbacks):
    """Ask for a password reset as a visitor would, with whatever the request's commit sends."""

    def request_reset(email, address="198.51.100.1"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)

    return request_reset


def reset_link(message):
    return re.search(r"http://testserver(/en/accounts/password/reset/\S+/)", message.body).group(1)


def choose_new_password(client, link, password=NEW_PASSWORD):
    form = client.get(link, follow=True)
    return client.post(form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}, follow=True)


def lock_out(client, email, settings, address=None):
    """As many wrong passwords as the limit allows, each from another address unless one is given."""
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, email, "a-guess", address=address or f"203.0.113.{attempt + 1}")


def test_wrong_passwords_from_many_addresses_lock_the_account(client, lead, settings):
    lock_out(client, "lead@zurich.test", settings)
    response = log_in(client, "LEAD@zurich.test", PASSWORD, address="192.0.2.200")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many attempts" in page
    assert reverse("password_reset") in page
    assert "_auth_user_id" not in client.session


def test_a_locked_out_lead_gets_in_by_resetting_the_password(client, lead, settings, request_reset):
    lock_out(client, "lead@zurich.test", settings)
    request_reset("lead@zurich.test")
    done = choose_new_password(client, reset_link(mail.outbox[-1]))
    # The reset proves the owner: it logs them in, whatever the lockout said.
    assert "you are logged in" in done.content.decode()
    assert int(client.session["_auth_user_id"]) == lead.pk
    # And it ends the lockout: the new password works at the login page too, from any address.
    client.logout()
    assert log_in(client, "lead@zurich.test", NEW_PASSWORD, address="192.0.2.201").status_code == 302


def test_changing_the_password_ends_the_lockout(client, lead, settings):
    lock_out(client, "lead@zurich.test", settings, address="198.51.100.1")
    client.force_login(lead)  # the lead is still logged in on another device
    client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    client.logout()
    assert log_in(client, "lead@zurich.test", NEW_PASSWORD).status_code == 302


def test_guesses_over_many_accounts_from_one_address_are_limited(client, lead, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = "20/h"
    for number in range(20):
        assert log_in(client, f"someone{number}@city.test", "a-guess", address="198.51.100.7").status_code == 200
    refused = log_in(client, "lead@zurich.test", PASSWORD, address="198.51.100.7")
    assert refused.status_code == 429
    assert "from your network" in refused.content.decode()
    assert reverse("password_reset") in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not affected, and the accounts guessed at are not locked: each saw one failure.
    assert log_in(client, "lead@zurich.test", PASSWORD, address="198.51.100.8").status_code == 302
    assert not AccessAttempt.objects.filter(failures_since_start__gt=1).exists()


def test_the_address_limit_counts_failures_only(client, lead, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = "3/h"
    for _login in range(5):
        assert log_in(client, "lead@zurich.test", PASSWORD).status_code == 302
        client.logout()
    for _failure in range(3):
        log_in(client, "lead@zurich.test", "a-guess")
    assert log_in(client, "lead@zurich.test", PASSWORD).status_code == 429


def test_the_admin_login_shares_the_address_limit(client, editor, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = "2/h"
    for number in range(2):
        log_in(client, f"someone{number}@city.test", "a-guess", address="198.51.100.9")
    response = client.post(
        reverse("admin:login"), {"username": editor.email, "password": PASSWORD}, REMOTE_ADDR="198.51.100.9"
    )
    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_client_is_the_address_it_saw(client, lead, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    log_in(client, "lead@zurich.test", "a-guess", address="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9")
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"


@pytest.mark.parametrize(
    ("remote_addr", "forwarded_for", "proxies", "client"),
    [
        ("203.0.113.5", "", 0, "203.0.113.5"),
        # Without a trusted proxy the header is the client's own words.
        ("203.0.113.5", "1.1.1.1", 0, "203.0.113.5"),
        # One proxy appends the address it saw; what the client sent stands to its left.
        ("10.0.0.2", "1.1.1.1, 203.0.113.9", 1, "203.0.113.9"),
        ("10.0.0.2", "203.0.113.9", 1, "203.0.113.9"),
        ("10.0.0.3", "1.1.1.1, 203.0.113.9, 10.0.0.2", 2, "203.0.113.9"),
        ("10.0.0.2", "2001:db8::1", 1, "2001:db8::1"),
        # A chain shorter than the proxies configured did not come through them all: the peer stays.
        ("10.0.0.2", "203.0.113.9", 2, "10.0.0.2"),
        ("10.0.0.2", "", 1, "10.0.0.2"),
        # Something that is no address never becomes one.
        ("10.0.0.2", "1.1.1.1, not-an-address", 1, "10.0.0.2"),
    ],
)
def test_client_address(remote_addr, forwarded_for, proxies, client):
    assert client_address(remote_addr=remote_addr, forwarded_for=forwarded_for, trusted_proxies=proxies) == client


def test_password_resets_to_one_address_are_limited_and_answer_as_usual(lead, settings, request_reset):
    settings.PASSWORD_RESETS_PER_EMAIL = "3/h"
    emails = ["lead@zurich.test", "Lead@Zurich.test", "lead@zurich.test", "LEAD@zurich.test"]
    answers = [request_reset(email, address=f"203.0.113.{number}") for number, email in enumerate(emails)]
    assert len(mail.outbox) == 3
    assert {(answer.status_code, answer.url) for answer in answers} == {(302, reverse("password_reset_done"))}
    # Another account is not affected.
    UserFactory(email="other@zurich.test")
    request_reset("other@zurich.test")
    assert mail.outbox[-1].to == ["other@zurich.test"]


def test_password_resets_from_one_address_are_limited(lead, settings, request_reset):
    settings.PASSWORD_RESETS_PER_ADDRESS = "10/h"
    for number in range(10):
        request_reset(f"nobody{number}@city.test", address="198.51.100.3")
    limited = request_reset("lead@zurich.test", address="198.51.100.3")
    assert (limited.status_code, limited.url) == (302, reverse("password_reset_done"))
    assert not mail.outbox
    request_reset("lead@zurich.test", address="198.51.100.4")
    assert mail.outbox[0].to == ["lead@zurich.test"]


class UnreachableCache(BaseCache):
    """A cache server that is down: every call fails as Django's Redis cache does then."""

    def __init__(self, location, params):
        super().__init__(params)

    def __getattribute__(self, name):
        if name in {"add", "get", "incr", "set"}:
            raise RedisConnectionError("Connection refused")
        return super().__getattribute__(name)


def test_limits_let_requests_through_when_the_cache_cannot_count(client, lead, settings, request_reset):
    settings.CACHES = {**settings.CACHES, "limits": {"BACKEND": "opencities.tests.test_limits.UnreachableCache"}}
    settings.RATELIMIT_USE_CACHE = "limits"
    settings.PASSWORD_RESETS_PER_EMAIL = "1/h"
    for _request in range(3):
        request_reset("lead@zurich.test")
    assert len(mail.outbox) == 3
    assert log_in(client, "lead@zurich.test", PASSWORD).status_code == 302


@pytest.mark.redis
def test_the_counts_live_in_the_shared_redis_cache(client, lead, settings):
    from django.core.cache import caches

    assert type(caches[settings.RATELIMIT_USE_CACHE]).__name__ == "RedisCache"
    settings.LOGIN_FAILURES_PER_ADDRESS = "2/h"
    for number in range(2):
        log_in(client, f"someone{number}@city.test", "a-guess", address="198.51.100.11")
    assert log_in(client, "lead@zurich.test", PASSWORD, address="198.51.100.11").status_code == 429
