"""Log in, log out, throttling against guessing, password change and reset."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from assessments.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def log_in(client, email, password):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_log_in_with_email_in_any_case_lands_on_my_cities(client, lead):
    response = log_in(client, "LEAD@Zurich.test", PASSWORD)
    assert response.status_code == 302 and response.url == reverse("my_cities")
    assert "Zürich" in client.get(reverse("my_cities")).content.decode()


def test_wrong_password_explains_and_keeps_the_email(client, lead):
    response = log_in(client, "lead@zurich.test", "wrong")
    page = response.content.decode()
    assert response.status_code == 200
    assert "enter a correct email and password" in page
    assert 'value="lead@zurich.test"' in page


def test_log_out_needs_post_and_ends_the_session(client, lead):
    client.force_login(lead)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("my_cities")).status_code == 302  # back to the login page


def test_repeated_wrong_passwords_lock_the_account_for_a_while(client, lead, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "lead@zurich.test", "guess")
    response = log_in(client, "lead@zurich.test", PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_change(client, lead):
    client.force_login(lead)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "a-new-zurich-secret", "new_password2": "a-new-zurich-secret"},
    )
    assert response.status_code == 302
    client.logout()
    assert log_in(client, "lead@zurich.test", "a-new-zurich-secret").status_code == 302


def test_password_reset_by_email(client, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "Lead@Zurich.test"})
    assert response.status_code == 302
    assert mail.outbox[0].to == ["lead@zurich.test"]
    link = re.search(r"http://testserver(/en/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    set_url = form.redirect_chain[-1][0]
    client.post(set_url, {"new_password1": "reset-zurich-2026", "new_password2": "reset-zurich-2026"})
    assert log_in(client, "lead@zurich.test", "reset-zurich-2026").status_code == 302
    # The link works once.
    client.logout()
    again = client.get(link, follow=True)
    assert "This link is not valid" in again.content.decode()


def test_password_reset_for_an_unknown_address_reveals_nothing(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@nowhere.test"}, follow=True)
    assert "If an account uses that address" in response.content.decode()
    assert not mail.outbox


def test_post_without_csrf_token_gets_a_clear_page(lead):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "lead@zurich.test", "password": PASSWORD})
    assert response.status_code == 403
    assert "security token" in response.content.decode()
