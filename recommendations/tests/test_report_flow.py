"""The report's life with the tasks in process: submit → generate → approve → one email per partner.

The Celery tasks run eagerly (see conftest.py), so running the on-commit callbacks runs the whole flow, retries
included: a retry runs at once, without its countdown, and a task that gives up records why on its row.
"""

import hashlib
import re
import smtplib
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from celery.signals import task_retry
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from assessments.models import Assessment
from assessments.services.assessments import assessment_submit
from assessments.tests.compare_helpers import scored_assessment
from assessments.tests.wizard_helpers import fill_in, started
from recommendations import pdf, selectors, services, tasks
from recommendations.models import Report, ReportDelivery

from .factories import (
    PartnerFactory,
    RecommendationRuleFactory,
    follow,
    pdf_reader,
    ready_report,
    report_of,
)

pytestmark = pytest.mark.django_db

PARTNER_MAIL = "@partners.test"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def rule(db):
    return RecommendationRuleFactory(title="Open a one-stop welcome centre")


@pytest.fixture
def submitted(city, rule):
    """A submitted assessment whose dimensions all score low (30), so that the welcome-centre rule fires."""
    return scored_assessment(city, 2024, 30)


def report_ready_mails(outbox):
    return [message for message in outbox if "openness report" in message.subject and "is ready" in message.subject]


def partner_mails(outbox, email=None):
    return [
        message
        for message in outbox
        if any(PARTNER_MAIL in address for address in message.to) and (email is None or email in message.to)
    ]


def unsubscribe_link(message) -> str:
    match = re.search(re.escape(django_settings.SITE_URL) + r"/partners/unsubscribe/[^/\s]+/", message.body)
    assert match, message.body
    return match.group(0)


def run_like_a_worker(task, object_id, *, between_attempts=None):
    """Run a task with its retries, each at once; `between_attempts(retries)` sees the rows before the next one.

    Returns the last attempt's result and the countdowns the retries asked for (a worker would wait them out).
    """
    countdowns = []

    def retried(sender, request, reason, **kwargs):
        countdowns.append(reason.when)
        if between_attempts:
            between_attempts(request.retries)

    task_retry.connect(retried, sender=task, weak=False)
    try:
        result = task.apply(args=[object_id])
    finally:
        task_retry.disconnect(retried, sender=task)
    return result, countdowns


# 10 s, 20 s, 40 s, 80 s, 160 s: about five minutes before the task gives up.
BACKOFF = [10, 20, 40, 80, 160]


def stored_bytes(report: Report) -> bytes:
    return Path(report.file.path).read_bytes()


# --- Generating ---


def test_submitting_an_assessment_makes_a_ready_report_and_tells_the_members(
    city, lead, viewer, rule, mailoutbox, media, django_capture_on_commit_callbacks
):
    assessment = fill_in(started(city, lead, year=2025), lead)

    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment=assessment, user=lead)

    report = report_of(assessment)
    assert report.status == Report.Status.READY, report.error
    assert (report.attempts, report.error, report.requested_by) == (1, "", lead)
    assert report.finished_at is not None
    path = Path(report.file.path)
    assert path.is_relative_to(media) and path.name.startswith("zurich-2025")
    content = path.read_bytes()
    assert len(pdf_reader(content).pages) == report.pages > 1
    assert hashlib.sha256(content).hexdigest() == report.sha256
    assert report.size == len(content)

    ready = report_ready_mails(mailoutbox)
    # One email per member, to that member alone: none sees the others' addresses.
    assert sorted(message.recipients() for message in ready) == [[lead.email], [viewer.email]]
    link = django_settings.SITE_URL + reverse("assessment_report", kwargs={"slug": city.slug, "pk": assessment.pk})
    assert all(link in message.body for message in ready)
    assert ready[0].subject == "The 2025 openness report of Zürich is ready"
    assert partner_mails(mailoutbox) == [], "nothing goes to partners before the lead approves"


def test_a_repeated_generate_message_renders_once(
    submitted, lead, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    renders = []
    render = pdf.render_report
    monkeypatch.setattr(pdf, "render_report", lambda data: renders.append(data) or render(data))
    report = ready_report(submitted, django_capture_on_commit_callbacks)
    before = (report.file.name, report.sha256, stored_bytes(report))

    with django_capture_on_commit_callbacks(execute=True):
        services.report_generate(report_id=report.pk)
        assert tasks.generate_report.apply(args=[report.pk]).get() == "ready"

    report.refresh_from_db()
    assert len(renders) == 1
    assert (report.file.name, report.sha256, stored_bytes(report)) == before
    assert report.attempts == 1
    assert len(report_ready_mails(mailoutbox)) == 1, "the members are told once"


def test_a_rendering_error_fails_the_report_with_its_reason_and_retry_makes_it(
    client, city, lead, submitted, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    def broken(data):
        raise ValueError("the radar cannot be drawn")

    monkeypatch.setattr(pdf, "render_report", broken)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_request(assessment=submitted, user=lead)
    report = report_of(submitted)
    assert report.status == Report.Status.FAILED
    assert report.error == "ValueError: the radar cannot be drawn"
    assert report.attempts == 1, "a bug in the renderer is not retried"
    assert not report.file
    assert report_ready_mails(mailoutbox) == []

    client.force_login(lead)
    page_url = reverse("assessment_report", kwargs={"slug": city.slug, "pk": submitted.pk})
    page = client.get(page_url).content.decode()
    assert "The report could not be generated." in page
    assert "ValueError: the radar cannot be drawn" in page
    assert ">Retry</button>" in page

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assessment_report_request", kwargs={"slug": city.slug, "pk": submitted.pk}))
    assert response.status_code == 302 and response.url == page_url
    report.refresh_from_db()
    assert (report.status, report.error, report.attempts) == (Report.Status.READY, "", 1)
    assert "Ready, awaiting approval" in client.get(page_url).content.decode()
    assert len(report_ready_mails(mailoutbox)) == 1


def test_storage_down_is_retried_with_backoff_then_the_report_fails_with_the_reason(submitted, monkeypatch):
    def disk_full(data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pdf, "render_report", disk_full)
    report = services.report_request(assessment=submitted)  # its message is the one the worker runs below

    result, countdowns = run_like_a_worker(tasks.generate_report, report.pk)
    assert (result.state, countdowns) == ("FAILURE", BACKOFF)
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert report.error == "Gave up after 6 attempts: [Errno 28] No space left on device"
    assert report.attempts == 6


# --- Approving and sending ---


def test_approved_recipients_get_one_email_each_with_the_pdf_and_an_unsubscribe_link(
    city, lead, submitted, mailoutbox, django_capture_on_commit_callbacks
):
    report = ready_report(submitted, django_capture_on_commit_callbacks)
    chamber = PartnerFactory(organisation="Zürich Chamber", email="chamber@partners.test", follows=[city])
    university = PartnerFactory(organisation="University", email="uni@partners.test", follows=[city])

    with django_capture_on_commit_callbacks(execute=True):
        deliveries = services.report_approve(report=report, user=lead, partner_ids=[chamber.pk, university.pk])

    assert len(deliveries) == 2
    pdf_content = stored_bytes(report)
    for partner in (chamber, university):
        [message] = partner_mails(mailoutbox, partner.email)
        assert message.to == [partner.email]
        assert message.subject == "OPENCities: the 2024 openness report of Zürich"
        [attachment] = message.attachments
        filename, content, mimetype = attachment
        assert (filename, mimetype) == ("zurich-2024-openness-report.pdf", "application/pdf")
        assert content == pdf_content and len(pdf_reader(content).pages) == report.pages
        assert "Zürich has completed its 2024 OPENCities self-assessment" in message.body
        [(html, html_type)] = message.alternatives
        assert html_type == "text/html" and "<html" in html
        link = unsubscribe_link(message)
        assert link in html
        assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
        assert message.message()["List-Unsubscribe"] == f"<{link}>"
        assert services.following_from_token(urlsplit(link).path.split("/")[-2]).partner == partner
    sent = ReportDelivery.objects.filter(report=report)
    assert {(d.partner_id, d.status, d.attempts) for d in sent} == {
        (chamber.pk, ReportDelivery.Status.SENT, 1),
        (university.pk, ReportDelivery.Status.SENT, 1),
    }
    assert all(d.sent_at and d.message_id for d in sent)
    report.refresh_from_db()
    assert report.approved_by == lead and report.approved_at is not None

    # A repeated message, a regenerated report and a second approval send nothing more.
    for delivery in sent:
        assert tasks.send_delivery.apply(args=[delivery.pk]).get() == ReportDelivery.Status.SENT
    report = ready_report(submitted, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_approve(report=report, user=lead, partner_ids=[chamber.pk, university.pk])
    assert len(partner_mails(mailoutbox, chamber.email)) == 1
    assert len(partner_mails(mailoutbox, university.email)) == 1
    assert ReportDelivery.objects.filter(assessment=submitted).count() == 2


def test_only_active_consenting_followers_are_offered_and_accepted(
    city, lead, outsider, submitted, mailoutbox, django_capture_on_commit_callbacks
):
    report = ready_report(submitted, django_capture_on_commit_callbacks)
    offered = PartnerFactory(organisation="A Offered", follows=[city])
    inactive = PartnerFactory(organisation="B Inactive", is_active=False, follows=[city])
    no_consent = PartnerFactory(organisation="C No consent", consent_date=None, follows=[city])
    unfollowed = PartnerFactory(organisation="D Unfollowed")
    follow(unfollowed, city, is_active=False)
    krakow = outsider.memberships.get().city
    elsewhere = PartnerFactory(organisation="E Kraków only", follows=[krakow])

    assert selectors.recipients(city) == [offered]
    for refused in (inactive, no_consent, unfollowed, elsewhere):
        with pytest.raises(ValidationError) as error:
            services.report_approve(report=report, user=lead, partner_ids=[offered.pk, refused.pk])
        assert error.value.messages == [
            "Some chosen recipients no longer follow this city or have no consent recorded; reload the page."
        ]
    with pytest.raises(ValidationError, match="Choose at least one partner"):
        services.report_approve(report=report, user=lead, partner_ids=[])
    assert not ReportDelivery.objects.exists()
    report.refresh_from_db()
    assert report.approved_at is None
    assert partner_mails(mailoutbox) == []


def test_a_report_that_is_not_ready_cannot_be_approved(lead, city, submitted):
    partner = PartnerFactory(follows=[city])
    report = services.report_request(assessment=submitted)  # its task never runs: still queued
    with pytest.raises(ValidationError, match="not ready yet"):
        services.report_approve(report=report, user=lead, partner_ids=[partner.pk])
    assert not ReportDelivery.objects.exists()


def test_unsubscribing_ends_one_following_and_a_later_delivery_fails_with_the_reason(
    client, city, lead, outsider, submitted, mailoutbox, django_capture_on_commit_callbacks
):
    krakow = outsider.memberships.get().city
    partner = PartnerFactory(organisation="Swiss Chamber", email="swiss@partners.test", follows=[city, krakow])
    report = ready_report(submitted, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_approve(report=report, user=lead, partner_ids=[partner.pk])
    [message] = partner_mails(mailoutbox)
    path = urlsplit(unsubscribe_link(message)).path

    # Next year's report is approved while the broker is down: its delivery waits in the queue.
    next_year = ready_report(scored_assessment(city, 2025, 30), django_capture_on_commit_callbacks)
    [later] = services.report_approve(report=next_year, user=lead, partner_ids=[partner.pk])  # commit never runs

    page = client.get(path)
    assert page.status_code == 200
    assert "Swiss Chamber (swiss@partners.test) will no longer receive the OPENCities reports of Zürich" in (
        page.content.decode()
    )
    done = client.post(path)
    assert done.status_code == 200
    assert "Swiss Chamber no longer receives the reports of Zürich" in done.content.decode()

    zurich, elsewhere = partner.followings.get(city=city), partner.followings.get(city=krakow)
    assert not zurich.is_active and zurich.unsubscribed_at is not None
    assert elsewhere.is_active and elsewhere.unsubscribed_at is None
    assert "You already stopped receiving the reports of Zürich" in client.get(path).content.decode()
    assert client.get("/partners/unsubscribe/not-a-token/").status_code == 404

    assert tasks.send_delivery.apply(args=[later.pk]).get() == ReportDelivery.Status.FAILED
    later.refresh_from_db()
    assert later.status == ReportDelivery.Status.FAILED
    assert later.last_error == "Not sent: the partner is inactive, has no consent recorded or unsubscribed."
    assert len(partner_mails(mailoutbox)) == 1

    assert selectors.recipients(city) == [] and selectors.recipients(krakow) == [partner]


# --- The mail server misbehaving ---


class RefusingMailServer(BaseEmailBackend):
    """Refuses one address for good (an unknown mailbox) and accepts every other message."""

    refused = "gone@partners.test"
    accepted: list = []

    def send_messages(self, messages):
        for message in messages:
            if self.refused in message.recipients():
                raise smtplib.SMTPRecipientsRefused({self.refused: (550, b"5.1.1 User unknown")})
            type(self).accepted.append(message)
        return len(messages)


class MailServerDown(BaseEmailBackend):
    """Raises `error` for the next `failures` messages to partners (None: for ever), then accepts them."""

    error: Exception = ConnectionRefusedError(111, "Connection refused")
    failures: int | None = None
    accepted: list = []

    def send_messages(self, messages):
        cls = type(self)
        for message in messages:
            if any(PARTNER_MAIL in address for address in message.recipients()) and cls.failures != 0:
                if cls.failures is not None:
                    cls.failures -= 1
                raise cls.error
            cls.accepted.append(message)
        return len(messages)


@pytest.fixture
def refusing_server(settings):
    RefusingMailServer.accepted = []
    settings.EMAIL_BACKEND = f"{__name__}.RefusingMailServer"
    return RefusingMailServer


@pytest.fixture
def server_down(settings):
    MailServerDown.accepted, MailServerDown.failures = [], None
    MailServerDown.error = ConnectionRefusedError(111, "Connection refused")
    settings.EMAIL_BACKEND = f"{__name__}.MailServerDown"
    return MailServerDown


def test_an_address_the_server_refuses_fails_that_delivery_only(
    city, lead, submitted, refusing_server, django_capture_on_commit_callbacks
):
    report = ready_report(submitted, django_capture_on_commit_callbacks)
    gone = PartnerFactory(organisation="Gone Ltd", email=refusing_server.refused, follows=[city])
    fine = PartnerFactory(organisation="Fine Ltd", email="fine@partners.test", follows=[city])

    with django_capture_on_commit_callbacks(execute=True):
        services.report_approve(report=report, user=lead, partner_ids=[gone.pk, fine.pk])

    refused = ReportDelivery.objects.get(partner=gone)
    assert refused.status == ReportDelivery.Status.FAILED
    assert refused.last_error.startswith("The mail server refused the address")
    assert "gone@partners.test: 550" in refused.last_error and "User unknown" in refused.last_error
    assert refused.attempts == 1, "a refused address is not retried"
    assert ReportDelivery.objects.get(partner=fine).status == ReportDelivery.Status.SENT
    assert [message.to for message in partner_mails(refusing_server.accepted)] == [["fine@partners.test"]]


SERVER_DOWN = [
    ConnectionRefusedError(111, "Connection refused"),
    smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
]


@pytest.mark.parametrize("error", SERVER_DOWN, ids=["refused-connection", "server-disconnected"])
def test_a_mail_server_that_stays_down_leaves_the_delivery_queued_then_it_gives_up(
    client, city, lead, submitted, server_down, error, django_capture_on_commit_callbacks
):
    report = ready_report(submitted, django_capture_on_commit_callbacks)
    partner = PartnerFactory(organisation="Patient Ltd", follows=[city])
    server_down.error = error
    [delivery] = services.report_approve(report=report, user=lead, partner_ids=[partner.pk])  # its message below
    client.force_login(lead)
    page_url = reverse("assessment_report", kwargs={"slug": city.slug, "pk": submitted.pk})

    def queued_with_the_error_shown(retries):
        delivery.refresh_from_db()
        assert delivery.status == ReportDelivery.Status.QUEUED, "queued again for the retry (or the sweeper)"
        assert delivery.last_error == f"{type(error).__name__}: {error}"
        assert delivery.attempts == retries + 1
        page = client.get(page_url).content.decode()
        assert str(error) in page and "1 on its way" in page

    result, countdowns = run_like_a_worker(
        tasks.send_delivery, delivery.pk, between_attempts=queued_with_the_error_shown
    )

    assert (result.state, countdowns) == ("FAILURE", BACKOFF)
    delivery.refresh_from_db()
    assert delivery.status == ReportDelivery.Status.FAILED
    assert delivery.last_error == f"Gave up after 6 attempts: {error}"
    assert delivery.attempts == 6
    assert partner_mails(server_down.accepted) == []
    assert "1 failed" in client.get(page_url).content.decode()


def test_a_mail_server_that_comes_back_gets_the_email_once(
    city, lead, submitted, server_down, django_capture_on_commit_callbacks
):
    report = ready_report(submitted, django_capture_on_commit_callbacks)
    partner = PartnerFactory(follows=[city])
    server_down.failures = 2
    [delivery] = services.report_approve(report=report, user=lead, partner_ids=[partner.pk])

    result, countdowns = run_like_a_worker(tasks.send_delivery, delivery.pk)
    assert (result.get(), countdowns) == ("sent", [10, 20])
    assert tasks.send_delivery.apply(args=[delivery.pk]).get() == ReportDelivery.Status.SENT  # a repeated message
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (ReportDelivery.Status.SENT, 3, "")
    assert [message.to for message in partner_mails(server_down.accepted)] == [[partner.email]]


def test_a_mail_server_down_at_approval_fails_no_request_and_each_delivery_says_why(
    client, city, lead, submitted, server_down, django_capture_on_commit_callbacks
):
    report = ready_report(submitted, django_capture_on_commit_callbacks)
    first, second = PartnerFactory(follows=[city]), PartnerFactory(follows=[city])
    client.force_login(lead)
    page_url = reverse("assessment_report", kwargs={"slug": city.slug, "pk": submitted.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assessment_report_approve", kwargs={"slug": city.slug, "pk": submitted.pk}),
            {"partner": [first.pk, second.pk]},
        )
    assert response.status_code == 302
    deliveries = ReportDelivery.objects.filter(report=report)
    assert {(d.partner_id, d.status, d.attempts) for d in deliveries} == {
        (first.pk, ReportDelivery.Status.FAILED, 6),
        (second.pk, ReportDelivery.Status.FAILED, 6),
    }, "each partner's delivery was tried, not only the first"
    assert [d.last_error for d in deliveries] == ["Gave up after 6 attempts: [Errno 111] Connection refused"] * 2
    assert partner_mails(server_down.accepted) == []
    assert "2 failed" in client.get(page_url).content.decode()

    server_down.failures = 0  # the mail server is back: an editor resends
    for delivery in deliveries:
        with django_capture_on_commit_callbacks(execute=True):
            services.delivery_resend(delivery=delivery)
    assert set(deliveries.values_list("status", flat=True)) == {ReportDelivery.Status.SENT}
    assert sorted(m.to[0] for m in partner_mails(server_down.accepted)) == sorted([first.email, second.email])


def test_a_storage_fault_at_submit_is_no_error_and_asking_again_makes_the_report(
    city, lead, rule, monkeypatch, django_capture_on_commit_callbacks
):
    def disk_full(data):
        raise OSError(28, "No space left on device")

    assessment = fill_in(started(city, lead, year=2025), lead)
    monkeypatch.setattr(pdf, "render_report", disk_full)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment=assessment, user=lead)
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED
    report = report_of(assessment)
    assert (report.status, report.error) == (
        Report.Status.FAILED,
        "Gave up after 6 attempts: [Errno 28] No space left on device",
    )

    monkeypatch.undo()  # the disk has room again
    with django_capture_on_commit_callbacks(execute=True):
        services.report_request(assessment=assessment, user=lead)
    report.refresh_from_db()
    assert report.status == Report.Status.READY, report.error


# --- The sweeper and a broker that is down ---


def _ago(**delta):
    return timezone.now() - timedelta(**delta)


def report_of_new(city, year) -> Report:
    """A submitted assessment whose report was requested but whose generation message never arrived."""
    return services.report_request(assessment=scored_assessment(city, year, 30))


def test_the_sweeper_queues_again_what_lost_its_message_and_leaves_fresh_work_alone(
    city, lead, rule, mailoutbox, django_capture_on_commit_callbacks
):
    hard_limit = django_settings.CELERY_TASK_TIME_LIMIT + 60
    # Four requested reports whose generation message never arrived.
    stale, stuck, fresh, busy = (report_of_new(city, year) for year in (2020, 2021, 2022, 2023))
    Report.objects.filter(pk=stale.pk).update(queued_at=_ago(minutes=10))
    Report.objects.filter(pk=stuck.pk).update(
        status=Report.Status.GENERATING, attempts=1, started_at=_ago(seconds=hard_limit + 30), queued_at=_ago(hours=1)
    )
    Report.objects.filter(pk=fresh.pk).update(queued_at=_ago(minutes=1))
    Report.objects.filter(pk=busy.pk).update(
        status=Report.Status.GENERATING, attempts=1, started_at=_ago(seconds=60), queued_at=_ago(hours=1)
    )
    sent_report = ready_report(scored_assessment(city, 2024, 30), django_capture_on_commit_callbacks)
    waiting, recent = PartnerFactory(follows=[city]), PartnerFactory(follows=[city])
    services.report_approve(report=sent_report, user=lead, partner_ids=[waiting.pk, recent.pk])  # messages lost
    ReportDelivery.objects.filter(partner=waiting).update(queued_at=_ago(minutes=10))
    ReportDelivery.objects.filter(partner=recent).update(queued_at=_ago(minutes=1))
    fresh_queued_at = Report.objects.get(pk=fresh.pk).queued_at

    swept = services.queue_reports()

    assert (swept.reports, swept.deliveries) == (2, 1)
    statuses = dict(Report.objects.values_list("pk", "status"))
    assert statuses[stale.pk] == statuses[stuck.pk] == Report.Status.READY
    assert statuses[fresh.pk] == Report.Status.QUEUED
    assert statuses[busy.pk] == Report.Status.GENERATING
    assert Report.objects.get(pk=fresh.pk).queued_at == fresh_queued_at
    assert Report.objects.get(pk=stuck.pk).attempts == 2
    assert ReportDelivery.objects.get(partner=waiting).status == ReportDelivery.Status.SENT
    assert ReportDelivery.objects.get(partner=recent).status == ReportDelivery.Status.QUEUED
    assert [message.to for message in partner_mails(mailoutbox)] == [[waiting.email]]


def test_with_the_broker_down_a_submission_is_saved_and_its_report_waits_for_the_sweeper(
    client, city, lead, rule, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    assessment = fill_in(started(city, lead, year=2025), lead)
    monkeypatch.setattr(tasks.generate_report, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment=assessment, user=lead)

    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED
    report = report_of(assessment)
    assert (report.status, report.attempts) == (Report.Status.QUEUED, 0)
    client.force_login(lead)
    status_url = reverse("assessment_report_status", kwargs={"slug": city.slug, "pk": assessment.pk})
    assert client.get(status_url).json()["state"] == "queued"
    page = client.get(reverse("assessment_report", kwargs={"slug": city.slug, "pk": assessment.pk}))
    assert ">Queued</strong>" in page.content.decode()
    # The page says why, and that it heals by itself.
    assert client.get(status_url).json()["queue_unavailable"] is True
    warning = re.search(r'<div[^>]*id="report-queue-unavailable"[^>]*>', page.content.decode()).group(0)
    assert "hidden" not in warning
    assert "The queue is unavailable; it will retry by itself." in page.content.decode()

    monkeypatch.undo()  # the broker is back
    # Its queueing failed, so nothing can be in flight: the sweeper's next run (seconds away) sends it at once.
    swept = services.queue_reports()
    assert swept.reports == 1
    report.refresh_from_db()
    assert report.status == Report.Status.READY, report.error
    assert client.get(status_url).json() == {
        "state": "awaiting-approval",
        "label": "Ready, awaiting approval",
        "status": "ready",
        "error": "",
        "pages": report.pages,
        "size": report.size,
        "sent": 0,
        "waiting": 0,
        "queue_unavailable": False,
        "done": True,
    }


def test_with_the_broker_down_an_approval_waits_for_the_sweeper(
    city, lead, submitted, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    report = ready_report(submitted, django_capture_on_commit_callbacks)
    partner = PartnerFactory(follows=[city])

    def broker_down(*args, **kwargs):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(tasks.send_delivery, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        [delivery] = services.report_approve(report=report, user=lead, partner_ids=[partner.pk])
    delivery.refresh_from_db()
    assert (delivery.status, delivery.queued_at) == (ReportDelivery.Status.QUEUED, None)
    assert partner_mails(mailoutbox) == []

    monkeypatch.undo()
    # Its queueing failed, so no message can be in flight: the next run picks it up, without the grace.
    assert services.queue_reports().deliveries == 1
    delivery.refresh_from_db()
    assert delivery.status == ReportDelivery.Status.SENT
    assert len(partner_mails(mailoutbox)) == 1


def test_another_citys_report_is_never_offered_to_this_citys_partners(
    city, outsider, rule, mailoutbox, django_capture_on_commit_callbacks
):
    """Recipients are chosen by the report's own city, whatever the caller passes."""
    krakow = outsider.memberships.get().city
    krakow_report = ready_report(scored_assessment(krakow, 2024, 30), django_capture_on_commit_callbacks)
    zurich_partner = PartnerFactory(follows=[city])
    with pytest.raises(ValidationError, match="no longer follow this city"):
        services.report_approve(report=krakow_report, user=outsider, partner_ids=[zurich_partner.pk])
    assert partner_mails(mailoutbox) == []


@pytest.mark.django_db
def test_a_task_for_a_report_or_delivery_that_no_longer_exists_ends_quietly():
    assert tasks.generate_report.apply(args=(987654,)).get() == "gone"
    assert tasks.send_delivery.apply(args=(987654,)).get() == "gone"
