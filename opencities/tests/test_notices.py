"""The outbox: every email the platform owes is a row written with its event and sent once, whatever is down."""

import re
import threading
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from assessments.models import Invitation
from assessments.notices import team_notice_add
from assessments.services.team import access_request_reject, invitation_create
from assessments.tests.compare_helpers import scored_assessment
from assessments.tests.factories import AccessRequestFactory, MembershipFactory, UserFactory
from opencities import notices, sweeping, tasks
from opencities.celery import app
from opencities.editors import EDITORS_GROUP
from opencities.models import Notice, NoticePreferences

pytestmark = pytest.mark.django_db

DOWN = "opencities.tests.test_notices.MailServerDown"


class MailServerDown(BaseEmailBackend):
    """The mail server refuses connections, as when it is stopped."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")


@pytest.fixture
def with_a_broker(monkeypatch):
    """Tasks go to a broker (not run in process); `sent` lists the notices handed to it, `down()` stops it."""
    sent = []
    monkeypatch.setattr(tasks.send_notice, "delay", lambda notice_id: sent.append(notice_id))

    class Broker:
        def down(self):
            def refuse(notice_id):
                raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

            monkeypatch.setattr(tasks.send_notice, "delay", refuse)

        def up(self):
            monkeypatch.setattr(tasks.send_notice, "delay", lambda notice_id: sent.append(notice_id))

    broker = Broker()
    broker.sent = sent
    with tasks_not_in_process():
        yield broker


@contextmanager
def tasks_not_in_process():
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = eager


def invite(city, lead, email="new@zurich.test", capture=None) -> Invitation:
    with capture(execute=True):
        return invitation_create(city=city, email=email, role="contributor", invited_by=lead)


def notice_of(invitation) -> Notice:
    return Notice.objects.get(kind=Notice.Kind.INVITATION, object_id=invitation.pk)


# --- Written with the event, holding no secret ---


def test_an_invitation_is_a_row_of_its_transaction_and_its_link_is_made_when_sent(
    city, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        invitation = invitation_create(city=city, email="new@zurich.test", role="contributor", invited_by=lead)
    notice = notice_of(invitation)
    assert (notice.status, notice.email) == (Notice.Status.PENDING, "new@zurich.test")
    assert notice.key == f"invitation:{invitation.pk}"
    assert not mail.outbox, "nothing is sent before the invitation commits"
    # The row names what to send; the accept link's token is nowhere in it.
    row = " ".join(str(value) for value in Notice.objects.filter(pk=notice.pk).values().get().values())
    assert "/invitations/" not in row

    for callback in callbacks:
        callback()
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.last_error) == (Notice.Status.SENT, 1, "")
    (message,) = mail.outbox
    assert message.to == ["new@zurich.test"]
    assert re.search(r"http://testserver/en/invitations/\S+/", message.body)
    assert notice.message_id == message.extra_headers["Message-ID"]


def test_the_same_event_never_owes_two_rows(city, lead, django_capture_on_commit_callbacks):
    assessment = scored_assessment(city, 2025, 50)
    with django_capture_on_commit_callbacks(execute=True):
        first = team_notice_add(city=city, kind=Notice.Kind.RESULT_READY, event="submission-1", object_id=assessment.pk)
        again = team_notice_add(city=city, kind=Notice.Kind.RESULT_READY, event="submission-1", object_id=assessment.pk)
    assert [notice.pk for notice in first] == [notice.pk for notice in again]
    assert len(mail.outbox) == 1


def test_an_invitation_withdrawn_before_its_email_went_out_is_not_sent(city, lead, with_a_broker):
    invitation = invitation_create(city=city, email="new@zurich.test", role="contributor", invited_by=lead)
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    assert notices.notice_send(notice_id=notice_of(invitation).pk) is False
    notice = notice_of(invitation)
    assert notice.status == Notice.Status.SKIPPED
    assert "withdrawn" in notice.last_error
    assert not mail.outbox


# --- Sending once ---


def test_a_duplicated_task_sends_nothing_more(city, lead, django_capture_on_commit_callbacks):
    invitation = invite(city, lead, capture=django_capture_on_commit_callbacks)
    notice = notice_of(invitation)
    assert tasks.send_notice.apply(args=(notice.pk,)).get() == "nothing to send"
    assert len(mail.outbox) == 1
    assert Notice.objects.get(pk=notice.pk).attempts == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_duplicate_message_that_arrives_while_the_first_is_sending_sends_nothing(monkeypatch):
    """Two workers with the same message at once (a redelivery, a sweeper that queued it again): the row's lock and
    its `sending` state let one of them send."""
    from assessments.tests.factories import CityFactory

    city = CityFactory(name="Zürich", slug="zurich")
    lead = MembershipFactory(city=city, role="lead", user=UserFactory(email="lead@zurich.test")).user
    monkeypatch.setattr(tasks.send_notice, "delay", lambda notice_id: None)
    with tasks_not_in_process():
        invitation = invitation_create(city=city, email="new@zurich.test", role="contributor", invited_by=lead)
    notice = notice_of(invitation)
    second_run = {}
    original_send = mail.EmailMessage.send

    def send_while_a_duplicate_runs(message, *args, **kwargs):
        def duplicate():
            try:
                second_run["sent"] = notices.notice_send(notice_id=notice.pk)
            finally:
                connection.close()

        worker = threading.Thread(target=duplicate)
        worker.start()
        worker.join(timeout=30)
        return original_send(message, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMessage, "send", send_while_a_duplicate_runs)
    assert notices.notice_send(notice_id=notice.pk) is True
    assert second_run == {"sent": False}
    assert len(mail.outbox) == 1
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Notice.Status.SENT, 1)


# --- Whatever is down ---


def test_without_a_broker_a_mail_server_that_is_down_leaves_the_row_to_the_sweeper(
    client, city, lead, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = DOWN
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("member_invite", kwargs={"slug": city.slug}), {"email": "new@zurich.test", "role": "contributor"}
        )
    assert response.status_code == 302, "the lead never sees an error"
    notice = Notice.objects.get(kind=Notice.Kind.INVITATION)
    assert (notice.status, notice.attempts) == (Notice.Status.PENDING, 1)
    assert "Connection refused" in notice.last_error

    # Still down: the sweeper tries again and the row keeps waiting.
    assert notices.notices_sweep().queued == 1
    assert Notice.objects.get(pk=notice.pk).status == Notice.Status.PENDING

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notices.notices_sweep().queued == 1
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.last_error) == (Notice.Status.SENT, 3, "")
    assert notices.notices_sweep().queued == 0
    assert len(mail.outbox) == 1


def test_without_a_broker_the_sweeper_runs_after_a_request(client, city, lead, settings, monkeypatch):
    """`make run` starts no beat: a request now and then runs the sweepers."""
    settings.EMAIL_BACKEND = DOWN
    invitation = invitation_create(city=city, email="new@zurich.test", role="contributor", invited_by=lead)
    assert notice_of(invitation).status == Notice.Status.PENDING  # in autocommit: sent at once, and it failed
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SWEEP_ON_REQUESTS = True
    monkeypatch.setattr(sweeping, "_last_run", -float("inf"))

    client.get(reverse("home"))
    assert notice_of(invitation).status == Notice.Status.SENT
    client.get(reverse("home"))  # within SWEEPER_EVERY: no second run
    assert len(mail.outbox) == 1


def test_with_the_broker_down_the_row_waits_and_the_sweeper_queues_it_at_once(city, lead, with_a_broker):
    with_a_broker.down()
    invitation = invitation_create(city=city, email="new@zurich.test", role="contributor", invited_by=lead)
    notice = notice_of(invitation)
    assert (notice.status, notice.queued_at) == (Notice.Status.PENDING, None)
    assert notices.notices_outbound(kind=Notice.Kind.INVITATION, object_id=invitation.pk) == notices.Outbound.WAITING

    with_a_broker.up()
    # No grace for a row whose queueing failed: nothing of it can be in flight.
    assert notices.notices_sweep().queued == 1
    assert with_a_broker.sent == [notice.pk]
    notice.refresh_from_db()
    assert notice.status == Notice.Status.QUEUED
    assert notices.notices_outbound(kind=Notice.Kind.INVITATION, object_id=invitation.pk) == notices.Outbound.ON_ITS_WAY

    # Queued a moment ago: its message may still be in flight, so the next runs leave it alone until the grace.
    assert notices.notices_sweep().queued == 0
    later = timezone.now() + notices.QUEUE_GRACE + timedelta(seconds=1)
    assert notices.notices_sweep(now=later).queued == 1
    assert with_a_broker.sent == [notice.pk, notice.pk]
    # Both messages reach a worker: one email.
    tasks.send_notice.apply(args=(notice.pk,))
    tasks.send_notice.apply(args=(notice.pk,))
    assert len(mail.outbox) == 1


def test_a_worker_lost_while_sending_fails_the_row_without_sending_again(city, lead, with_a_broker):
    invitation = invitation_create(city=city, email="new@zurich.test", role="contributor", invited_by=lead)
    long_ago = timezone.now() - timedelta(hours=1)
    Notice.objects.filter(pk=notice_of(invitation).pk).update(status=Notice.Status.SENDING, started_at=long_ago)
    swept = notices.notices_sweep()
    assert (swept.queued, swept.interrupted) == (0, 1)
    notice = notice_of(invitation)
    assert notice.status == Notice.Status.FAILED
    assert "may have arrived" in notice.last_error
    assert not mail.outbox


def test_when_the_retries_run_out_on_a_passing_fault_the_sweeper_starts_again(city, lead, settings, with_a_broker):
    settings.EMAIL_BACKEND = DOWN
    invitation = invitation_create(city=city, email="new@zurich.test", role="contributor", invited_by=lead)
    notice = notice_of(invitation)
    with pytest.raises(ConnectionRefusedError):
        notices.notice_send(notice_id=notice.pk)
    assert Notice.objects.get(pk=notice.pk).status == Notice.Status.QUEUED  # the task's retry comes next
    notices.notice_gave_up(notice_id=notice.pk, reason="Gave up after 6 attempts", passing=True)
    assert Notice.objects.get(pk=notice.pk).status == Notice.Status.PENDING

    # Two days on, it stops trying.
    three_days_ago = timezone.now() - timedelta(days=3)
    Notice.objects.filter(pk=notice.pk).update(status=Notice.Status.QUEUED, created_at=three_days_ago)
    notices.notice_gave_up(notice_id=notice.pk, reason="Gave up after 6 attempts", passing=True)
    assert Notice.objects.get(pk=notice.pk).status == Notice.Status.FAILED


def test_an_address_refused_for_good_fails_at_once(city, lead, settings, with_a_broker, monkeypatch):
    import smtplib

    invitation = invitation_create(city=city, email="gone@zurich.test", role="contributor", invited_by=lead)

    def refused(message, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"gone@zurich.test": (550, b"5.1.1 User unknown")})

    monkeypatch.setattr(mail.EmailMessage, "send", refused)
    assert tasks.send_notice.apply(args=(notice_of(invitation).pk,)).get() == "failed"
    notice = notice_of(invitation)
    assert notice.status == Notice.Status.FAILED
    assert "User unknown" in notice.last_error


# --- Preferences ---


def test_a_member_who_opted_out_gets_no_result_notice(city, lead, contributor, django_capture_on_commit_callbacks):
    notices.preferences_save(user=contributor, language="en", wanted_kinds=[Notice.Kind.REPORT_READY])
    assessment = scored_assessment(city, 2025, 50)
    with django_capture_on_commit_callbacks(execute=True):
        written = team_notice_add(city=city, kind=Notice.Kind.RESULT_READY, event="s1", object_id=assessment.pk)
    assert [notice.email for notice in written] == [lead.email]
    assert [message.to for message in mail.outbox] == [[lead.email]]


def test_a_member_who_opts_out_before_the_email_goes_out_is_left_out(city, lead, with_a_broker):
    assessment = scored_assessment(city, 2025, 50)
    (notice,) = team_notice_add(city=city, kind=Notice.Kind.RESULT_READY, event="s1", object_id=assessment.pk)
    notices.preferences_save(user=lead, language="en", wanted_kinds=[])
    assert notices.notice_send(notice_id=notice.pk) is False
    notice.refresh_from_db()
    assert notice.status == Notice.Status.SKIPPED
    assert not mail.outbox


def test_answers_to_ones_own_request_go_out_whatever_the_preferences(
    city, lead, django_capture_on_commit_callbacks, editor
):
    requester = UserFactory(email="ada@lodz.test")
    NoticePreferences.objects.create(user=requester, muted_kinds=list(notices.MEMBER_KINDS))
    access_request = AccessRequestFactory(email="ada@lodz.test", city_name="Łódź", country="Poland")
    with django_capture_on_commit_callbacks(execute=True):
        access_request_reject(access_request=access_request, editor=editor, note="Not a city.")
    (message,) = mail.outbox
    assert message.to == ["ada@lodz.test"]
    assert "notifications" not in message.body, "an answer to one's own request carries no preferences link"


def test_members_notices_carry_the_preferences_link(city, lead, django_capture_on_commit_callbacks):
    assessment = scored_assessment(city, 2025, 50)
    with django_capture_on_commit_callbacks(execute=True):
        team_notice_add(city=city, kind=Notice.Kind.RESULT_READY, event="s1", object_id=assessment.pk)
    (message,) = mail.outbox
    assert "http://testserver/en/accounts/notifications/" in message.body


def test_the_preferences_page_needs_a_login(client):
    response = client.get(reverse("notice_preferences"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_preferences_page_saves_which_notices_and_the_language(client, lead):
    client.force_login(lead)
    page = client.get(reverse("notice_preferences")).content.decode()
    assert "Email preferences" in page
    assert page.count("checked") == 4, "every members' notice is on until the account chooses"
    assert f'href="{reverse("notice_preferences")}"' in client.get(reverse("home")).content.decode()

    response = client.post(
        reverse("notice_preferences"), {"wanted_kinds": [Notice.Kind.REPORT_READY], "language": "en"}, follow=True
    )
    assert "Your email preferences are saved." in response.content.decode()
    preferences = NoticePreferences.objects.get(user=lead)
    assert (preferences.language, sorted(preferences.muted_kinds)) == (
        "en",
        ["reopened", "result_ready", "type_overridden"],
    )
    assert not preferences.wants(Notice.Kind.RESULT_READY) and preferences.wants(Notice.Kind.REPORT_READY)
    assert preferences.wants(Notice.Kind.PASSWORD_RESET)


def test_the_preferences_page_refuses_an_unknown_language(client, lead):
    client.force_login(lead)
    response = client.post(reverse("notice_preferences"), {"wanted_kinds": [], "language": "xx"})
    assert response.status_code == 200
    assert not NoticePreferences.objects.filter(user=lead).exists()


# --- Password reset ---


def test_a_burst_of_password_resets_sends_one_email_whose_link_is_made_when_it_is_sent(
    client, lead, with_a_broker, django_capture_on_commit_callbacks, settings
):
    settings.PASSWORD_RESETS_PER_EMAIL = "10/h"  # the rate limit is not what this test is about
    for _attempt in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("password_reset"), {"email": "lead@zurich.test"})
    (notice,) = Notice.objects.filter(kind=Notice.Kind.PASSWORD_RESET)
    assert with_a_broker.sent == [notice.pk]
    tasks.send_notice.apply(args=(notice.pk,))
    (message,) = mail.outbox
    assert re.search(r"http://testserver/en/accounts/password/reset/\S+/\S+/", message.body)
    # Once it went out, a new request is a new email.
    client.post(reverse("password_reset"), {"email": "lead@zurich.test"})
    assert Notice.objects.filter(kind=Notice.Kind.PASSWORD_RESET).count() == 2


# --- Retention ---


def test_finished_rows_are_purged_after_the_retention_and_owed_ones_never(city, lead, settings, with_a_broker):
    settings.NOTICE_RETENTION_DAYS = 30
    old = timezone.now() - timedelta(days=31)
    recent = timezone.now() - timedelta(days=29)
    kept_sent, purged_sent, purged_failed, owed = (
        notices.notice_add(kind=Notice.Kind.ACCESS_REJECTED, key=f"k{number}", email=f"{number}@x.test", object_id=1)
        for number in range(4)
    )
    Notice.objects.filter(pk=kept_sent.pk).update(status=Notice.Status.SENT, sent_at=recent)
    Notice.objects.filter(pk=purged_sent.pk).update(status=Notice.Status.SENT, sent_at=old)
    Notice.objects.filter(pk=purged_failed.pk).update(status=Notice.Status.FAILED, created_at=old)
    Notice.objects.filter(pk=owed.pk).update(status=Notice.Status.PENDING, created_at=old)

    assert tasks.purge_notices.apply().get() == {"deleted": 2}
    assert set(Notice.objects.values_list("pk", flat=True)) == {kept_sent.pk, owed.pk}


@pytest.mark.celery_config
def test_beat_runs_the_sweepers_often_and_the_purge_daily(settings):
    schedule = app.conf.beat_schedule
    assert schedule["sweep-notices"]["task"] == "opencities.sweep_notices"
    assert schedule["sweep-notices"]["schedule"] == schedule["queue-reports"]["schedule"] == settings.SWEEPER_EVERY
    assert settings.SWEEPER_EVERY <= 60, "an outage heals within a minute of the broker's return"
    assert schedule["purge-notices"]["task"] == "opencities.purge_notices"
    assert {"opencities.send_notice", "opencities.sweep_notices", "opencities.purge_notices"} <= set(app.tasks)


# --- The admin ---


def test_editors_read_the_outbox_and_cannot_change_it(client, city, lead, editor, with_a_broker):
    invitation = invitation_create(city=city, email="new@zurich.test", role="contributor", invited_by=lead)
    editor.groups.set([Group.objects.get(name=EDITORS_GROUP)])
    client.force_login(editor)
    listing = client.get(reverse("admin:opencities_notice_changelist"))
    assert listing.status_code == 200
    assert "new@zurich.test" in listing.content.decode()
    detail = client.get(reverse("admin:opencities_notice_change", args=[notice_of(invitation).pk]))
    assert detail.status_code == 200
    assert 'name="status"' not in detail.content.decode(), "read-only"
    assert client.post(reverse("admin:opencities_notice_delete", args=[notice_of(invitation).pk])).status_code == 403
    assert Client().get(reverse("admin:opencities_notice_changelist")).status_code == 302
