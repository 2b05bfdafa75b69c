import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessments.models import Assessment, City
from recommendations import selectors, services
from recommendations.models import Report, ReportDelivery

DEFAULT_WAIT_SECONDS = 300  # about the generation task's retries in all (recommendations.tasks.ReportTask)
POLL_SECONDS = 1
PROGRESS_EVERY_SECONDS = 10


class Command(BaseCommand):
    help = (
        "Generate the report of a city's latest submitted assessment unless it is ready (--regenerate: again, as the "
        "report page's button does); with --send, wait until it is ready and approve sending it to the confirmed "
        "recipients, as the lead's button does. A partner gets one email however often this runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--city", required=True, help="the city's slug")
        parser.add_argument("--send", action="store_true", help="approve sending to every confirmed recipient")
        parser.add_argument(
            "--regenerate",
            action="store_true",
            help="render the report again even if it is ready (members are told once)",
        )
        parser.add_argument(
            "--wait",
            type=float,
            default=DEFAULT_WAIT_SECONDS,
            metavar="SECONDS",
            help=f"with --send, how long to wait for a worker to make the report (default {DEFAULT_WAIT_SECONDS})",
        )

    def handle(self, *args, city, send, regenerate, wait, **options):
        place = City.objects.filter(slug=city).first()
        if place is None:
            raise CommandError(f"No city with the slug “{city}”.")
        assessment = (
            Assessment.objects.filter(city=place, status=Assessment.Status.SUBMITTED, is_demo=False)
            .order_by("-year", "-submitted_at")
            .first()
        ) or (
            Assessment.objects.filter(city=place, status=Assessment.Status.SUBMITTED)
            .order_by("-year", "-submitted_at")
            .first()
        )
        if assessment is None:
            raise CommandError(f"{place.name} has no submitted assessment.")
        report = Report.objects.filter(assessment=assessment).first()
        if report is None or report.status != Report.Status.READY or regenerate:
            try:
                report = services.report_request(assessment=assessment)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            report.refresh_from_db()
            self.stdout.write(f"{place.name} {assessment.year}: report {report.get_status_display().lower()}.")
        else:
            self.stdout.write(f"{place.name} {assessment.year}: report ready (use --regenerate to make it again).")
        if not send:
            return
        partners = selectors.recipients(place)
        if not partners:
            raise CommandError(f"No partner with a recorded consent follows {place.name}.")
        report = self.wait_until_made(report, wait)
        sent_before = set(
            ReportDelivery.objects.filter(assessment=assessment, partner__in=partners).values_list(
                "partner_id", flat=True
            )
        )
        try:
            services.report_approve(report=report, user=None, partner_ids=[p.pk for p in partners])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        new = [p.email for p in partners if p.pk not in sent_before]
        old = [p.email for p in partners if p.pk in sent_before]
        if new:
            self.stdout.write(f"Sending approved to {len(new)} partner(s): " + ", ".join(new))
        if old:
            self.stdout.write(f"Already approved before, not sent again: {', '.join(old)}")

    def wait_until_made(self, report: Report, wait: float) -> Report:
        """The report once a worker has made it; a CommandError if it failed or took longer than `wait` seconds."""
        started = time.monotonic()
        last_progress = None
        while True:
            report.refresh_from_db()
            if report.status == Report.Status.READY:
                return report
            if report.status == Report.Status.FAILED:
                raise CommandError(f"The report failed: {report.error or 'no reason recorded'}. Nothing was sent.")
            waited = time.monotonic() - started
            if waited >= wait:
                raise CommandError(
                    f"The report is still {report.get_status_display().lower()} after {wait:g} s (is a worker "
                    "running?); nothing was sent. Run this again with --send: it will not make the report again."
                )
            if last_progress is None or time.monotonic() - last_progress >= PROGRESS_EVERY_SECONDS:
                self.stdout.write(
                    f"Waiting for a worker to make the report ({report.get_status_display().lower()}, "
                    f"{waited:.0f} of {wait:g} s)…"
                )
                self.stdout.flush()
                last_progress = time.monotonic()
            time.sleep(min(POLL_SECONDS, max(0.0, wait - waited)))
