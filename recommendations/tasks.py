"""Celery tasks for reports: thin, idempotent, given ids; the work is in services."""

from celery import shared_task

from opencities.tasks import RetriedTask

from . import services
from .models import Report, ReportDelivery


class ReportTask(RetriedTask):
    """The platform's retry policy (opencities.tasks.RetriedTask), shared with the outbox's task."""


class ReportGeneration(ReportTask):
    def record_failure(self, report_id: int, *, reason: str, passing: bool) -> None:
        services.report_fail(report_id=report_id, reason=reason)


class Delivery(ReportTask):
    def record_failure(self, delivery_id: int, *, reason: str, passing: bool) -> None:
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


@shared_task(name="recommendations.tell_members_report_ready", ignore_result=True)
def tell_members_report_ready(report_id: int):
    """Superseded by the outbox (the report-ready notices are written with the ready report); kept so that a message
    queued before the upgrade still tells the members, once: the notices' keys make a second call add nothing."""
    report = Report.objects.select_related("assessment__city").filter(pk=report_id).first()
    if report is None or report.status != Report.Status.READY:
        return "gone"
    services.report_ready_notices_add(report=report)
    return "written"
