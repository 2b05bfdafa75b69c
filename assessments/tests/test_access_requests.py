"""A visitor asks for access to a city; an editor approves it in the admin."""

import re

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.urls import reverse

from assessments.models import AccessRequest, City, Membership, Role
from opencities.models import Notice

from .factories import AccessRequestFactory, CityFactory

pytestmark = pytest.mark.django_db

FORM = {
    "full_name": "Ada Łukasiewicz",
    "email": "ada@lodz.test",
    "job_title": "International relations office",
    "city_name": "Łódź",
    "country": "Poland",
    "region": "europe",
    "message": "We want to assess our openness.",
}


def log_in(client, email, password):
    return client.post(reverse("login"), {"username": email, "password": password})


def approve(client, *requests):
    return client.post(
        reverse("admin:assessments_accessrequest_changelist"),
        {"action": "approve", "_selected_action": [r.pk for r in requests]},
        follow=True,
    )


def test_visitor_sends_a_request(client):
    response = client.post(reverse("access_request"), FORM)
    assert response.status_code == 200
    assert "your request was sent" in response.content.decode()
    request = AccessRequest.objects.get()
    assert (request.city_name, request.status) == ("Łódź", AccessRequest.Status.PENDING)


def test_the_admin_names_the_requester_and_the_form_speaks_to_them(client, editor):
    AccessRequestFactory()
    client.force_login(editor)
    page = _changelist(client)
    headings = [
        re.search(rf"column-{name}.*?<a [^>]*>([^<]+)</a>", page, re.S).group(1) for name in ("full_name", "email")
    ]
    assert headings == ["Requester’s name", "Requester’s email"]
    form = client.get(reverse("access_request")).content.decode()
    assert "Your name" in form and "Work email" in form


def _changelist(client):
    return client.get(reverse("admin:assessments_accessrequest_changelist")).content.decode()


def test_the_requester_is_acknowledged_and_each_editor_told_through_the_outbox(
    client, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("access_request"), FORM)
    request = AccessRequest.objects.get()
    rows = Notice.objects.filter(object_id=request.pk).order_by("kind")
    assert [(row.kind, row.email) for row in rows] == [
        ("access_received", FORM["email"]),
        ("access_requested", editor.email),
    ]
    sent = {message.to[0]: message for message in mail.outbox}
    assert "we received your request for access to Łódź" in sent[FORM["email"]].body
    assert "We want to assess our openness." not in sent[FORM["email"]].body  # nothing typed is echoed back
    to_editor = sent[editor.email]
    assert "Ada Łukasiewicz" in to_editor.subject and "Łódź" in to_editor.subject
    assert reverse("admin:assessments_accessrequest_change", args=[request.pk]) in to_editor.body

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("access_request"), FORM)  # the same request again: merged, and nobody told twice
    assert Notice.objects.filter(object_id=request.pk).count() == 2 and len(mail.outbox) == 2


def test_incomplete_request_keeps_what_was_typed(client):
    response = client.post(reverse("access_request"), {**FORM, "email": "ada-at-lodz", "country": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid email address" in page
    assert "This field is required" in page
    assert 'value="Łódź"' in page
    assert not AccessRequest.objects.exists()


def test_editor_approval_creates_the_city_and_makes_the_requester_lead(
    client, editor, django_capture_on_commit_callbacks
):
    access_request = AccessRequestFactory(email="ada@lodz.test")
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = approve(client, access_request)
    assert "1 request approved" in response.content.decode()
    city = City.objects.get(name="Łódź")
    assert city.slug == "lodz"
    membership = Membership.objects.get(city=city)
    assert (membership.user.email, membership.role) == ("ada@lodz.test", Role.LEAD)

    # The email lets the new lead choose a password and log in.
    assert mail.outbox[0].to == ["ada@lodz.test"]
    link = re.search(r"http://testserver(/en/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    client.logout()
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "lodz-openness-2026", "new_password2": "lodz-openness-2026"}
    )
    assert log_in(client, "ada@lodz.test", "lodz-openness-2026").status_code == 302
    assert "Łódź" in client.get(reverse("my_cities")).content.decode()


def test_approval_for_an_existing_city_with_a_lead_is_refused(client, editor, city, lead):
    access_request = AccessRequestFactory(city=city)
    client.force_login(editor)
    response = approve(client, access_request)
    assert "already has a lead (lead@zurich.test)" in response.content.decode()
    access_request.refresh_from_db()
    assert access_request.status == AccessRequest.Status.PENDING
    assert Membership.objects.get(city=city, role=Role.LEAD).user == lead


def test_approval_for_an_existing_city_without_a_lead(client, editor):
    existing = CityFactory(name="Łódź", slug="lodz", country="Poland")
    access_request = AccessRequestFactory()
    client.force_login(editor)
    approve(client, access_request)
    assert City.objects.filter(name="Łódź").count() == 1
    assert Membership.objects.get(city=existing).role == Role.LEAD


def test_a_request_is_decided_once(client, editor):
    access_request = AccessRequestFactory()
    client.force_login(editor)
    approve(client, access_request)
    response = approve(client, access_request)
    assert "already decided" in response.content.decode()
    assert Membership.objects.count() == 1


def test_rejection_tells_the_requester(client, editor, django_capture_on_commit_callbacks):
    access_request = AccessRequestFactory(decision_note="Please apply with your city email address.")
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:assessments_accessrequest_changelist"),
            {"action": "reject", "_selected_action": [access_request.pk]},
        )
    access_request.refresh_from_db()
    assert access_request.status == AccessRequest.Status.REJECTED
    assert "city email address" in mail.outbox[0].body
    assert not City.objects.filter(name="Łódź").exists()


def test_a_line_break_in_the_names_becomes_a_space(client):
    # The page's one-line inputs cannot hold one (browsers drop it on paste), so only a hand-made post has one.
    client.post(
        reverse("access_request"), {**FORM, "full_name": "Ada\r\nŁukasiewicz", "city_name": "Łódź\r\nBcc: x@evil.test"}
    )
    request = AccessRequest.objects.get()
    assert (request.full_name, request.city_name) == ("Ada Łukasiewicz", "Łódź Bcc: x@evil.test")


def test_a_stored_request_with_a_line_break_is_approved_and_told(client, editor, django_capture_on_commit_callbacks):
    # Rows saved before names were cleaned still hold the line break.
    access_request = AccessRequestFactory(full_name="Ada\nŁukasiewicz", city_name='Łódź & "Co"\r\nBcc: x@evil.test')
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = approve(client, access_request)
    assert response.status_code == 200
    assert "1 request approved" in response.content.decode()
    city = City.objects.get(slug="lodz-co-bcc-x-evil-test")
    assert city.name == 'Łódź & "Co" Bcc: x@evil.test'
    message = mail.outbox[0]
    assert message.subject == 'Your access to Łódź & "Co" Bcc: x@evil.test on OPENCities was approved'
    assert message.recipients() == [access_request.email]


def test_a_city_name_is_cleaned_when_an_editor_renames_it(city):
    city.name = "Zürich\r\nBcc: x@evil.test"
    city.full_clean()
    assert city.name == "Zürich Bcc: x@evil.test"


def test_the_same_request_twice_keeps_one_pending_row(client):
    client.post(reverse("access_request"), FORM)
    again = client.post(
        reverse("access_request"),
        {**FORM, "email": "Ada@Lodz.test", "city_name": "ŁÓDŹ", "country": "poland", "message": "Still keen."},
    )
    assert again.status_code == 200
    assert "already received" in again.content.decode()
    request = AccessRequest.objects.get()
    # The first row keeps its place in the queue and takes what the requester wrote last.
    assert (request.city_name, request.message) == ("Łódź", "Still keen.")


def test_a_request_for_another_city_or_after_a_decision_is_a_new_one(client, editor):
    client.post(reverse("access_request"), FORM)
    client.post(reverse("access_request"), {**FORM, "city_name": "Kraków"})
    assert AccessRequest.objects.filter(status=AccessRequest.Status.PENDING).count() == 2
    AccessRequest.objects.filter(city_name="Kraków").update(status=AccessRequest.Status.REJECTED)
    response = client.post(reverse("access_request"), {**FORM, "city_name": "Kraków"})
    assert "your request was sent" in response.content.decode()
    assert AccessRequest.objects.filter(city_name="Kraków").count() == 2


def test_the_database_keeps_one_pending_request_per_email_and_city(db):
    from django.db import IntegrityError, transaction

    AccessRequestFactory(email="ada@lodz.test", city_name="Łódź", country="Poland")
    AccessRequestFactory(
        email="ada@lodz.test", city_name="Łódź", country="Poland", status=AccessRequest.Status.REJECTED
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessRequestFactory(email="ADA@lodz.test", city_name="Łódź", country="POLAND")


def test_requests_from_one_address_are_throttled(client, settings):
    settings.ACCESS_REQUESTS_PER_ADDRESS = "3/h"
    for number in range(3):
        client.post(
            reverse("access_request"), {**FORM, "email": f"person{number}@lodz.test"}, REMOTE_ADDR="198.51.100.5"
        )
    refused = client.post(reverse("access_request"), {**FORM, "email": "late@lodz.test"}, REMOTE_ADDR="198.51.100.5")
    page = refused.content.decode()
    assert refused.status_code == 429
    assert "Too many requests from your network" in page
    assert 'value="late@lodz.test"' in page and 'value="Łódź"' in page
    assert AccessRequest.objects.count() == 3
    other = client.post(reverse("access_request"), {**FORM, "email": "late@lodz.test"}, REMOTE_ADDR="198.51.100.6")
    assert "your request was sent" in other.content.decode()


def test_the_migration_merges_pending_requests_sent_twice_before(db):
    import importlib

    from django.db import connection

    migration = importlib.import_module("assessments.migrations.0009_access_request_one_pending_per_city")
    with connection.cursor() as cursor:  # as before the migration (rolled back with the test)
        cursor.execute("DROP INDEX access_request_one_pending_per_city")
    fields = {key: value for key, value in FORM.items() if key != "message"}
    AccessRequest.objects.bulk_create(
        [
            AccessRequest(**fields, message="First."),
            AccessRequest(**{**fields, "email": "ADA@lodz.test"}, message="Second."),
            AccessRequest(**fields, message="Decided.", status=AccessRequest.Status.REJECTED),
            AccessRequest(**{**fields, "city_name": "Kraków"}, message="Another city."),
        ]
    )
    first = AccessRequest.objects.get(message="First.")
    migration.merge_pending_duplicates(django_apps, None)
    # The first keeps its place with the last one's words; the decided one and another city's stay apart.
    assert sorted(AccessRequest.objects.values_list("message", flat=True)) == ["Another city.", "Decided.", "Second."]
    assert AccessRequest.objects.get(message="Second.").pk == first.pk
    assert not AccessRequest.objects.filter(requester_key="").exists()


def test_the_request_form_speaks_to_the_requester_without_editors_notes(client):
    html = client.get(reverse("access_request")).content.decode()
    assert "On one line" not in html
    assert "Choose a region" in html and "---------" not in html
