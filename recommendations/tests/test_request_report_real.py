"""`manage.py request_report --send` as an operator runs it, in a shell of its own, while a worker makes the report.

Real processes (see processes.py): a Redis, an SMTP server and a worker of the test's own; the command is a
subprocess on the same database, Redis, mail server and files.
"""

import subprocess
import sys
import time

from django.utils import timezone

from recommendations import services
from recommendations.models import Report, ReportDelivery

from . import processes

pytestmark = processes.REAL_PROCESSES

LEAD = "lead@demo.test"
PARTNER = services.DEMO_PARTNER_EMAIL
SECOND_PARTNER = "reports@second-partner.test"
REPORT_READY = "is ready"  # in the subject of the members' "report ready" email


def request_report_send(environment) -> subprocess.CompletedProcess:
    command = [sys.executable, "manage.py", "request_report", "--city", "demo", "--send", "--wait", "180"]
    result = subprocess.run(
        command, cwd=processes.ROOT, env=environment, capture_output=True, text=True, timeout=240, check=False
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    return result


def test_request_report_send_with_a_worker_emails_each_partner_once_however_often_it_runs(
    demo_data, celery_via_redis, smtp_server, start_worker, media_root
):
    city = demo_data
    processes.add_partner(city, email=SECOND_PARTNER, organisation="Second Partner Foundation")
    worker = start_worker()
    environment = processes.worker_environment(
        redis_url=celery_via_redis.url, smtp_url=smtp_server.url, media_root=media_root
    )
    year = timezone.localdate().year - 1

    first = request_report_send(environment).stdout.splitlines()

    # It queued the report, waited for the worker to make it, then approved both partners.
    assert first[0] == f"Demoville {year}: report queued."
    assert first[1].startswith("Waiting for a worker to make the report")
    approved, partners = first[-1].split(": ")
    assert approved == "Sending approved to 2 partner(s)"
    assert sorted(partners.split(", ")) == [PARTNER, SECOND_PARTNER]
    report = Report.objects.get(assessment__city=city)
    deliveries = processes.wait_for_deliveries(report, worker)
    for email in (PARTNER, SECOND_PARTNER):
        assert (deliveries[email].status, deliveries[email].attempts) == (ReportDelivery.Status.SENT, 1)
        assert len(smtp_server.handler.to(email)) == 1
    assert len(smtp_server.handler.to(LEAD, subject_contains=REPORT_READY)) == 1

    second = request_report_send(environment).stdout.splitlines()

    assert second[0] == f"Demoville {year}: report ready (use --regenerate to make it again)."
    assert second[-1].startswith("Already approved before, not sent again: ")
    time.sleep(3)  # time enough for a stray generation or delivery to show itself
    again = Report.objects.get(pk=report.pk)
    assert (again.attempts, again.sha256, again.finished_at) == (report.attempts, report.sha256, report.finished_at)
    for email in (PARTNER, SECOND_PARTNER):
        assert len(smtp_server.handler.to(email)) == 1
    assert len(smtp_server.handler.to(LEAD, subject_contains=REPORT_READY)) == 1
    assert ReportDelivery.objects.filter(report=report).count() == 2
