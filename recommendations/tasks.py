"""Celery tasks for reports: thin, idempotent, given ids; the work is in services."""

import logging
import smtplib

from celery import Task, shared_task
from django.db import DatabaseError
from django.utils.translation import gettext as _

from . import services
from .models import Report, ReportDelivery

logger = logging.getLogger(__name__)


class ReportTask(Task):
    """Retries passing faults with backoff, then records on the task's row why it gave up.

    Storage, database and mail-server hiccups pass; a bug in the data or the renderer does not, so it is
    recorded at once (retrying would fail the same way).
    """

    autoretry_for = (OSError, DatabaseError, smtplib.SMTPException)
    max_retries = 5
    # 10 s, 20 s, 40 s, 80 s, 160 s: about five minutes in all before giving up. No jitter, so that total holds;
    # each wait stays shorter than the sweeper's grace (services.QUEUE_GRACE), so the sweeper never races a retry.
    retry_backoff = 10
    retry_backoff_max = 160
    retry_jitter = False
    # A worker lost mid-task hands the message back; every task is safe to run twice. Time limits are the settings'.
    acks_late = True
    reject_on_worker_lost = True
    # The tasks keep no results: their state is the Report or ReportDelivery row. (Sending a task that keeps one
    # first subscribes to the result backend, which with Redis down fails after 20 slow retries, not at once.)
    ignore_result = True

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        if isinstance(exc, self.autoretry_for):
            reason = _("Gave up after %(attempts)d attempts: %(error)s") % {
                "attempts": self.request.retries + 1,
                "error": exc,
            }
        else:
            reason = f"{type(exc).__name__}: {exc}"
        self.record_failure(*args, reason=reason, **kwargs)

    def record_failure(self, *args, reason: str, **kwargs) -> None:
        """Where the reason goes; by default only the log (mailed to ADMINS)."""
        logger.error("%s%s gave up: %s", self.name, args, reason)


class ReportGeneration(ReportTask):
    def record_failure(self, report_id: int, *, reason: str) -> None:
        services.report_fail(report_id=report_id, reason=reason)


class Delivery(ReportTask):
    def record_failure(self, delivery_id: int, *, reason: str) -> None:
        services.delivery_fail(delivery_id=delivery_id, reason=reason)


@shared_task(base=ReportGeneration, name="recommendations.generate_report")
def generate_report(report_id: int):
    """Render and store one report. Safe to run twice: a ready report is left alone."""
    try:
        services.report_generate(report_id=report_id)
    except Report.DoesNotExist:
        return "gone"  # its assessment was deleted after the task was sent
    return "ready"


@shared_task(base=Delivery, name="recommendations.send_delivery")
def send_delivery(delivery_id: int):
    """Email one partner one report. Safe to run twice: a sent delivery is never sent again."""
    try:
        outcome = services.delivery_send(delivery_id=delivery_id)
    except ReportDelivery.DoesNotExist:
        return "gone"
    except services.PermanentDeliveryError:
        return "failed"  # the refusal is already recorded on the delivery, in the server's words
    return "sent" if outcome.sent_now else outcome.delivery.status


@shared_task(name="recommendations.queue_reports", ignore_result=True)
def queue_reports():
    """The sweeper, run by beat: queue again what lost its message."""
    swept = services.queue_reports()
    return {"reports": swept.reports, "deliveries": swept.deliveries}


@shared_task(base=ReportTask, name="recommendations.tell_members_report_ready")
def tell_members_report_ready(report_id: int):
    """Email the city's members that the report is ready; retried on a mail-server fault, then logged."""
    try:
        services.report_tell_members(report_id=report_id)
    except Report.DoesNotExist:
        return "gone"
    return "sent"
