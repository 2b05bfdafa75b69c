"""Faults tried with real processes: Redis down at submit, a worker's pool process killed mid-generation, a mail
server refusing then accepting, and one partner's address refused for good.

Each test starts its own Redis, SMTP server and worker on spare ports (see processes.py) and stops them; the
machine's shared Redis and PostgreSQL are never stopped or flushed.
"""

import os
import signal
import time
from datetime import date, timedelta
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assessments.models import Answer, Assessment
from assessments.services.assessments import assessment_start
from assessments.tests.wizard_helpers import fill_in
from recommendations import selectors, services
from recommendations.models import Report, ReportDelivery

from . import processes

pytestmark = processes.REAL_PROCESSES

LEAD = "lead@demo.test"
PARTNER = services.DEMO_PARTNER_EMAIL
SECOND_PARTNER = "reports@second-partner.test"
UNKNOWN_PARTNER = "nobody@unknown-partner.test"
REPORT_READY = "is ready"  # in the subject of the members' "report ready" email


def lead():
    return get_user_model().objects.get(email=LEAD)


def request_demo_report(city) -> Assessment:
    """The lead's "generate the report" for the demo city's latest submitted assessment; the task goes to Redis."""
    call_command("request_report", city=city.slug, stdout=StringIO())
    return Report.objects.select_related("assessment").get(assessment__city=city).assessment


def ready_report(city, worker) -> Report:
    report = processes.wait_for_report(request_demo_report(city), worker)
    assert report.status == Report.Status.READY, report.error
    return report


def approve(report, *emails) -> None:
    partners = {partner.email: partner for partner in selectors.recipients(report.assessment.city)}
    services.report_approve(report=report, user=lead(), partner_ids=[partners[email].pk for email in emails])


def report_files(media_root) -> list:
    return sorted(path for path in (media_root / "reports").rglob("*") if path.is_file())


def test_a_submission_while_redis_is_down_is_saved_and_its_report_sent_once_redis_is_back(
    demo_data, celery_via_redis, smtp_server, start_worker, client
):
    redis_server = celery_via_redis
    city = demo_data
    assessment, _notes = assessment_start(city=city, year=date.today().year, user=lead())
    fill_in(assessment, lead())
    redis_server.stop()

    client.force_login(lead())
    started = time.monotonic()
    response = client.post(reverse("assessment_submit", kwargs={"slug": city.slug, "pk": assessment.pk}))
    took = time.monotonic() - started

    # The lead's submission is saved and answered normally, and quickly: the report waits for the sweeper.
    assert response.status_code == 302, response.content[:500]
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED
    report = Report.objects.get(assessment=assessment)
    assert (report.status, report.attempts) == (Report.Status.QUEUED, 0)
    assert took < 5, f"the submission took {took:.1f} s with Redis down"

    # Redis comes back; a worker starts; the sweeper's next run (five minutes on) queues the report again.
    redis_server.start()
    worker = start_worker()
    Report.objects.filter(pk=report.pk).update(queued_at=timezone.now() - services.QUEUE_GRACE - timedelta(seconds=1))
    call_command("queue_reports", stdout=StringIO())
    report = processes.wait_for_report(assessment, worker)
    assert (report.status, report.attempts, report.error) == (Report.Status.READY, 1, "")

    approve(report, PARTNER)
    deliveries = processes.wait_for_deliveries(report, worker)
    assert (deliveries[PARTNER].status, deliveries[PARTNER].attempts) == (ReportDelivery.Status.SENT, 1)
    assert len(smtp_server.handler.to(PARTNER)) == 1
    assert len(smtp_server.handler.to(LEAD, subject_contains=REPORT_READY)) == 1


def test_a_report_whose_pool_process_is_killed_mid_generation_still_completes_once(
    demo_data, celery_via_redis, smtp_server, start_worker, media_root
):
    city = demo_data
    # Short limits: a message held by a lost worker comes back within a minute, not the broker's hour.
    worker = start_worker(CELERY_TASK_TIME_LIMIT="30", CELERY_TASK_SOFT_TIME_LIMIT="25")

    # While the answers are locked, a generation that has begun (the report marked generating) waits in the middle,
    # reading them for the PDF: the pool process is killed there, whatever the speed of the machine.
    with processes.table_locked(Answer):
        assessment = request_demo_report(city)
        generating = processes.wait_until(
            lambda: Report.objects.filter(assessment=assessment, status=Report.Status.GENERATING).first(),
            timeout=120,
            what="the report to be generating",
            details=worker.log,
        )
        (child,) = worker.pool_pids()
        os.kill(child, signal.SIGKILL)
    assert generating.attempts == 1

    report = processes.wait_for_report(assessment, worker)
    # The message came back (acks_late, reject_on_worker_lost): a second attempt, by a new pool process, finished.
    assert (report.status, report.attempts, report.error) == (Report.Status.READY, 2, "")
    assert child not in worker.pool_pids()
    assert [path.relative_to(media_root).as_posix() for path in report_files(media_root)] == [report.file.name]
    # Only the attempt that finished told the members; give a stray third run the time to show itself.
    time.sleep(2)
    assert Report.objects.get(pk=report.pk).attempts == 2
    assert len(smtp_server.handler.to(LEAD, subject_contains=REPORT_READY)) == 1


def test_a_mail_server_refusing_then_accepting_gets_the_email_once(
    demo_data, celery_via_redis, smtp_server, start_worker
):
    city = demo_data
    worker = start_worker()
    report = ready_report(city, worker)
    smtp_server.handler.defer[PARTNER] = 2  # "451 try again later" twice: retried after 10 s, then 20 s

    approve(report, PARTNER)
    deliveries = processes.wait_for_deliveries(report, worker, timeout=120)

    delivery = deliveries[PARTNER]
    assert (delivery.status, delivery.attempts, delivery.last_error) == (ReportDelivery.Status.SENT, 3, "")
    assert smtp_server.handler.attempts[PARTNER] == 3
    assert len(smtp_server.handler.to(PARTNER)) == 1
    first, second, third = smtp_server.handler.attempted_at[PARTNER]
    # The task's backoff: 10 s after the first refusal, 20 s after the second (a little early for clock rounding).
    assert second - first > 9.5, f"retried {second - first:.1f} s after the first refusal"
    assert third - second > 19.5, f"retried {third - second:.1f} s after the second refusal"


def test_a_partner_whose_address_is_refused_fails_with_the_reason_and_the_others_still_get_it(
    demo_data, celery_via_redis, smtp_server, start_worker
):
    city = demo_data
    processes.add_partner(city, email=SECOND_PARTNER, organisation="Second Partner Foundation")
    processes.add_partner(city, email=UNKNOWN_PARTNER, organisation="Gone Away Ltd")
    refusal = f"550 5.1.1 <{UNKNOWN_PARTNER}>: Recipient address rejected: User unknown"
    smtp_server.handler.reject[UNKNOWN_PARTNER] = refusal
    worker = start_worker(concurrency=2)
    report = ready_report(city, worker)

    approve(report, PARTNER, SECOND_PARTNER, UNKNOWN_PARTNER)
    deliveries = processes.wait_for_deliveries(report, worker)

    refused = deliveries[UNKNOWN_PARTNER]
    assert (refused.status, refused.attempts) == (ReportDelivery.Status.FAILED, 1)
    assert "550" in refused.last_error
    assert "Recipient address rejected: User unknown" in refused.last_error
    assert smtp_server.handler.to(UNKNOWN_PARTNER) == []
    for email in (PARTNER, SECOND_PARTNER):
        assert (deliveries[email].status, deliveries[email].attempts) == (ReportDelivery.Status.SENT, 1)
        assert len(smtp_server.handler.to(email)) == 1
    # Refused for good: no retry comes later.
    time.sleep(2)
    assert ReportDelivery.objects.get(pk=refused.pk).attempts == 1
