"""Celery tasks for reports: thin, idempotent, given ids; the work is in services."""

import logging
import smtplib

from celery import shared_task
from django.db import DatabaseError

from . import services
from .models import Report, ReportDelivery

logger = logging.getLogger(__name__)

MAX_RETRIES = 5
# Storage, database and mail-server hiccups pass; a bug in the data or the renderer does not.
PASSING_FAULTS = (OSError, DatabaseError, smtplib.SMTPException)
# The tasks keep no results: their state is the Report or ReportDelivery row. (Sending a task that keeps one
# first subscribes to the result backend, which with Redis down fails after 20 slow retries, not at once.)


def _backoff(retries: int) -> int:
    """10 s, 20 s, 40 s, 80 s, 160 s: about five minutes in all before giving up."""
    return 10 * 2**retries


@shared_task(
    bind=True, name="recommendations.generate_report", max_retries=MAX_RETRIES, acks_late=True, ignore_result=True
)
def generate_report(self, report_id: int):
    """Render and store one report. Safe to run twice: a ready report is left alone."""
    try:
        services.report_generate(report_id=report_id)
    except Report.DoesNotExist:
        return "gone"  # its assessment was deleted after the task was sent
    except PASSING_FAULTS as error:
        if self.request.retries >= self.max_retries:
            services.report_fail(
                report_id=report_id, reason=f"Gave up after {self.request.retries + 1} attempts: {error}"
            )
            return "failed"
        raise self.retry(exc=error, countdown=_backoff(self.request.retries)) from error
    except Exception as error:  # retrying would fail the same way: show the reason, keep the traceback in the log
        logger.exception("Report %s could not be generated", report_id)
        services.report_fail(report_id=report_id, reason=f"{type(error).__name__}: {error}")
        return "failed"
    return "ready"


@shared_task(
    bind=True, name="recommendations.send_delivery", max_retries=MAX_RETRIES, acks_late=True, ignore_result=True
)
def send_delivery(self, delivery_id: int):
    """Email one partner one report. Safe to run twice: a sent delivery is never sent again."""
    try:
        outcome = services.delivery_send(delivery_id=delivery_id)
    except ReportDelivery.DoesNotExist:
        return "gone"
    except services.PermanentDeliveryError:
        return "failed"
    except PASSING_FAULTS as error:
        if self.request.retries >= self.max_retries:
            services.delivery_fail(
                delivery_id=delivery_id, reason=f"Gave up after {self.request.retries + 1} attempts: {error}"
            )
            return "failed"
        raise self.retry(exc=error, countdown=_backoff(self.request.retries)) from error
    return "sent" if outcome.sent_now else outcome.delivery.status


@shared_task(name="recommendations.queue_reports", ignore_result=True)
def queue_reports():
    """The sweeper, run by beat: queue again what lost its message."""
    swept = services.queue_reports()
    return {"reports": swept.reports, "deliveries": swept.deliveries}


@shared_task(bind=True, name="recommendations.tell_members_report_ready", max_retries=MAX_RETRIES, ignore_result=True)
def tell_members_report_ready(self, report_id: int):
    """Email the city's members that the report is ready; retried on a mail-server fault, then logged."""
    try:
        services.report_tell_members(report_id=report_id)
    except Report.DoesNotExist:
        return "gone"
    except PASSING_FAULTS as error:
        if self.request.retries >= self.max_retries:
            logger.exception("Report %s: its members could not be told", report_id)
            return "failed"
        raise self.retry(exc=error, countdown=_backoff(self.request.retries)) from error
    return "sent"
