"""The outbox under faults, with real processes (processes.py): the mail server down at submit, Redis killed as a
report finishes, and the sweepers right after a broker outage. Each email goes out once, whatever was down.

Each test starts its own Redis, SMTP server and worker on spare ports; the machine's shared services are untouched.
"""

import time
from datetime import date
from io import StringIO

import kombu.exceptions
import pytest
import redis
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from assessments.models import Answer
from assessments.services.assessments import assessment_start
from assessments.tests.wizard_helpers import fill_in
from opencities.models import Notice
from recommendations import selectors, services
from recommendations.models import Report, ReportDelivery

from . import processes

pytestmark = processes.REAL_PROCESSES

LEAD = "lead@demo.test"
PARTNER = services.DEMO_PARTNER_EMAIL
RESULT_READY = "openness profile of"  # in the subject of the members' "result ready" email
REPORT_READY = "openness report of"  # in the subject of the members' "report ready" email


def lead():
    return get_user_model().objects.get(email=LEAD)


def members(city) -> list[str]:
    return sorted(city.memberships.filter(user__is_active=True).values_list("user__email", flat=True))


def notices_of(kind, **filters):
    return list(Notice.objects.filter(kind=kind, **filters).order_by("email"))


def wait_for_notices(kind, worker, *, status=Notice.Status.SENT, timeout=120, **filters):
    """The notices of a kind once all of them have the status."""

    def settled():
        found = notices_of(kind, **filters)
        return found if found and all(notice.status == status for notice in found) else None

    return processes.wait_until(settled, timeout=timeout, what=f"the {kind} notices to be {status}", details=worker.log)


def wait_for_the_worker_to_reconnect(worker) -> None:
    def answers():
        try:
            return worker.is_ready()
        except (redis.RedisError, kombu.exceptions.OperationalError, OSError):
            return False  # Redis is still starting

    processes.wait_until(answers, timeout=60, what="the worker to answer through the broker again", details=worker.log)


def received(smtp_server, address, subject) -> int:
    return len(smtp_server.handler.to(address, subject_contains=subject))


def test_a_submission_while_the_mail_server_is_down_answers_normally_and_the_team_gets_the_email_once_it_is_back(
    demo_data, celery_via_redis, smtp_server, start_worker, client
):
    city = demo_data
    team = members(city)
    assessment, _notes = assessment_start(city=city, year=date.today().year, user=lead())
    fill_in(assessment, lead())
    smtp_server.stop()
    worker = start_worker()

    client.force_login(lead())
    response = client.post(reverse("assessment_submit", kwargs={"slug": city.slug, "pk": assessment.pk}))

    # No error page: the submission is saved and the emails are rows, handed to the queue.
    assert response.status_code == 302, response.content[:500]
    assert "an email to the team is on its way" in client.get(response.url).content.decode()
    written = notices_of(Notice.Kind.RESULT_READY, object_id=assessment.pk)
    assert [notice.email for notice in written] == team

    # The worker tries, the mail server refuses the connection, and the row waits for the task's retry.
    processes.wait_until(
        lambda: all(
            n.attempts >= 1 and n.last_error for n in notices_of(Notice.Kind.RESULT_READY, object_id=assessment.pk)
        ),
        timeout=60,
        what="a first attempt that fails",
        details=worker.log,
    )
    assert received(smtp_server, LEAD, RESULT_READY) == 0

    smtp_server.start()
    sent = wait_for_notices(Notice.Kind.RESULT_READY, worker, object_id=assessment.pk)
    assert all(notice.attempts >= 2 and notice.last_error == "" for notice in sent)
    wait_for_notices(Notice.Kind.REPORT_READY, worker, object_id=assessment.pk, timeout=180)
    time.sleep(2)  # room for a stray second copy to show itself
    for address in team:
        assert received(smtp_server, address, RESULT_READY) == 1, address
        assert received(smtp_server, address, REPORT_READY) == 1, address


@pytest.fixture
def cache_redis(process_logs):
    """A Redis for the worker's cache alone, so that killing the broker fails only what needs the broker."""
    server = processes.RedisServer(process_logs).start()
    yield server
    server.stop()


def test_redis_killed_as_a_report_finishes_the_members_are_told_once_after_it_is_back(
    demo_data, celery_via_redis, smtp_server, start_worker, cache_redis
):
    redis_server = celery_via_redis
    city = demo_data
    team = members(city)
    worker = start_worker(CACHE_URL=cache_redis.url)

    # While the answers are locked, the generation waits in the middle of reading them for the PDF; Redis goes down
    # then, so that the worker finishes the report (and writes its notices) with no broker to queue them on.
    with processes.table_locked(Answer):
        call_command("request_report", city=city.slug, stdout=StringIO())
        report = Report.objects.select_related("assessment").get(assessment__city=city)
        processes.wait_until(
            lambda: Report.objects.filter(pk=report.pk, status=Report.Status.GENERATING).exists(),
            timeout=120,
            what="the report to be generating",
            details=worker.log,
        )
        redis_server.stop()

    report = processes.wait_for_report(report.assessment, worker)
    assert report.status == Report.Status.READY, report.error
    waiting = wait_for_notices(
        Notice.Kind.REPORT_READY, worker, status=Notice.Status.PENDING, object_id=report.assessment_id, timeout=60
    )
    assert [notice.email for notice in waiting] == team  # kept, not lost ("could not be queued" before)
    assert received(smtp_server, LEAD, REPORT_READY) == 0

    redis_server.start()
    wait_for_the_worker_to_reconnect(worker)
    call_command("queue_notices", stdout=StringIO())
    wait_for_notices(Notice.Kind.REPORT_READY, worker, object_id=report.assessment_id)
    call_command("queue_notices", stdout=StringIO())  # a second sweep finds nothing to send
    time.sleep(2)
    for address in team:
        assert received(smtp_server, address, REPORT_READY) == 1, address


def test_after_a_broker_outage_the_sweepers_send_what_could_not_be_queued_at_once_and_only_once(
    demo_data, celery_via_redis, smtp_server, start_worker, client
):
    redis_server = celery_via_redis
    city = demo_data
    worker = start_worker()
    call_command("request_report", city=city.slug, stdout=StringIO())
    report = processes.wait_for_report(Report.objects.get(assessment__city=city).assessment, worker)
    assert report.status == Report.Status.READY, report.error
    partners = {partner.email: partner for partner in selectors.recipients(city)}
    client.force_login(lead())
    report_page = reverse("assessment_report", kwargs={"slug": city.slug, "pk": report.assessment_id})
    assert 'id="report-queue-unavailable" hidden>' in client.get(report_page).content.decode()

    redis_server.stop()
    invited = client.post(
        reverse("member_invite", kwargs={"slug": city.slug}), {"email": "new.colleague@demo.test", "role": "viewer"}
    )
    assert invited.status_code == 302
    assert "could not go out yet" in client.get(invited.url).content.decode()
    services.report_approve(report=report, user=lead(), partner_ids=[partners[PARTNER].pk])
    (invitation,) = notices_of(Notice.Kind.INVITATION)
    delivery = ReportDelivery.objects.get(report=report)
    assert (invitation.status, invitation.queued_at) == (Notice.Status.PENDING, None)
    assert (delivery.status, delivery.queued_at) == (ReportDelivery.Status.QUEUED, None)

    # The report page says so, instead of "1 on its way".
    page = client.get(report_page).content.decode()
    assert "The queue is unavailable; it will retry by itself." in page
    assert 'id="report-queue-unavailable">' in page, "shown, not hidden"
    assert "1 waiting for the queue" in page and "on its way" not in page
    status_url = reverse("assessment_report_status", kwargs={"slug": city.slug, "pk": report.assessment_id})
    assert client.get(status_url).json()["queue_unavailable"] is True

    # The broker answers again: the sweepers' next run (no five-minute grace) queues both at once.
    redis_server.start()
    wait_for_the_worker_to_reconnect(worker)
    call_command("queue_notices", stdout=StringIO())
    call_command("queue_reports", stdout=StringIO())
    wait_for_notices(Notice.Kind.INVITATION, worker)
    (delivery,) = processes.wait_for_deliveries(report, worker).values()
    assert (delivery.status, delivery.attempts) == (ReportDelivery.Status.SENT, 1)

    # Sweeping again right away sends nothing twice.
    call_command("queue_notices", stdout=StringIO())
    call_command("queue_reports", stdout=StringIO())
    time.sleep(2)
    assert received(smtp_server, "new.colleague@demo.test", "invited") == 1
    assert len(smtp_server.handler.to(PARTNER)) == 1
    assert 'id="report-queue-unavailable" hidden>' in client.get(report_page).content.decode()
