"""Writes for reports and their delivery: request, generate, approve, send, sweep.

Celery tasks carry ids only and call these functions. Every step can run twice without doing its work twice:
a report that is ready is not rendered again by a repeated message, and a partner is emailed once per submitted
assessment (`ReportDelivery` is unique per assessment and partner, and a sent delivery is never sent again).
"""

import contextlib
import hashlib
import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from assessments.models import Assessment
from assessments.notices import submission_event, team_notice_add
from opencities.documents import RenderedDocument
from opencities.languages import configured, language_name
from opencities.links import absolute_url
from opencities.mail import subject_render
from opencities.models import Notice
from opencities.notices import QUEUE_GRACE

from . import pdf, selectors
from .models import Following, Partner, Report, ReportDelivery, ReportFile

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "opencities.partner-unsubscribe"
# QUEUE_GRACE (from the outbox): a queued row older than this has lost its message (a lost worker, a broker that
# restarted empty), and the sweeper queues it again. A row whose queueing failed has no queued_at: it goes at once.


class PermanentDeliveryError(Exception):
    """The mail server refused the message for good (an unknown address, say): retrying cannot help."""


# --- Reports ---


def report_url(assessment: Assessment) -> str:
    return reverse("assessment_report", kwargs={"slug": assessment.city.slug, "pk": assessment.pk})


def report_languages(*, city_language: str, chosen: Iterable[str]) -> list[str]:
    """The languages a report is generated in: the city's always and first (its PDF is `Report.file`), then the
    others chosen, in the order of settings.LANGUAGES; a language no longer configured is dropped."""
    chosen = set(chosen)
    return [city_language] + [code for code, _name in settings.LANGUAGES if code in chosen and code != city_language]


@transaction.atomic
def report_request(*, assessment: Assessment, user=None, languages: Iterable[str] | None = None) -> Report:
    """Queue the (re)generation of a submitted assessment's report; the task is sent once the transaction commits.

    `languages`: the ones the lead chose besides the city's, which is always generated; None (a submission, the
    sweeper, a command) keeps the last choice.
    """
    if assessment.status != Assessment.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted assessment has a report."))
    if languages is not None:
        languages = list(languages)
        if not all(configured(code) for code in languages):
            raise ValidationError(_("Choose the report's languages from the list on the page."))
    report, _created = Report.objects.select_for_update().get_or_create(assessment=assessment)
    waiting = (
        report.status == Report.Status.QUEUED and report.queued_at and report.queued_at > timezone.now() - QUEUE_GRACE
    )
    if report.status == Report.Status.GENERATING or waiting:
        return report  # already on its way; a second render would only race the first
    report.languages = report_languages(
        city_language=assessment.city.language, chosen=report.languages if languages is None else languages
    )
    report.status = Report.Status.QUEUED
    report.queued_at = timezone.now()
    report.error = ""
    report.attempts = 0
    report.requested_by = user if user is not None and user.is_authenticated else report.requested_by
    report.save()
    transaction.on_commit(lambda: queue_generation(report.pk))
    return report


def queue_generation(report_id: int) -> bool:
    """Send the generation task; with the broker down the report stays queued for the sweeper."""
    from .tasks import generate_report

    try:
        generate_report.delay(report_id)
    except OperationalError:
        logger.warning("Broker unreachable: report %s stays queued until queue_reports runs", report_id)
    except Exception:
        # Whatever else fails in sending, the row stays queued and the sweeper sends it: never a failed request.
        logger.exception("Report %s could not be queued; queue_reports will try again", report_id)
    else:
        return True
    # No queued_at: the page says the queue is unavailable, and the sweeper's next run (seconds away) sends it.
    Report.objects.filter(pk=report_id, status=Report.Status.QUEUED).update(queued_at=None)
    return False


def report_generate(*, report_id: int) -> Report:
    """Render and store the report's PDFs, one per chosen language, then queue the notice to the city's members; a
    ready report is left alone."""
    with transaction.atomic():
        # One read for the report (locked alone) and what the PDF needs of its assessment.
        report = (
            Report.objects.select_for_update(of=("self",))
            .select_related("assessment__questionnaire", "assessment__result", "assessment__city")
            .get(pk=report_id)
        )
        if report.status in (Report.Status.READY, Report.Status.FAILED):
            return report
        if report.assessment.status != Assessment.Status.SUBMITTED:
            # Reopened after the request: its result is superseded, and members could not open the report.
            report.status = Report.Status.FAILED
            report.error = _("The assessment was reopened; submit it again for a new report.")
            report.save(update_fields=["status", "error"])
            return report
        report.status = Report.Status.GENERATING
        report.started_at = timezone.now()
        report.attempts += 1
        report.save(update_fields=["status", "started_at", "attempts"])
    assessment = report.assessment
    # The city's language of now comes first, even if it changed since the request.
    languages = report_languages(city_language=assessment.city.language, chosen=report.languages)
    storage = report.file.storage
    stored: dict[str, tuple[str, RenderedDocument]] = {}
    try:
        for language in languages:
            # The data too: its names, reasons and links (their /fr/ prefix) are words of the language.
            with translation.override(language):
                rendered = pdf.render_report(selectors.report_data(assessment))
            name = selectors.report_file_name(assessment, language, primary=language == languages[0])
            stored[language] = (
                storage.save(f"reports/{assessment.year}/{name}", ContentFile(rendered.content)),
                rendered,
            )
    except Exception:
        _delete_files(storage, [name for name, _rendered in stored.values()])  # the retry renders them all again
        raise
    new_files = [name for name, _rendered in stored.values()]
    with transaction.atomic():
        # The city comes along for the members' notices written below.
        report = Report.objects.select_for_update(of=("self",)).select_related("assessment__city").get(pk=report_id)
        if report.status == Report.Status.READY:
            # Another worker rendered it meanwhile (a message sent twice): keep its files, tell nobody again.
            _delete_files(storage, new_files)
            return report
        previous_files = [report.file.name] if report.file else []
        previous_files += [row.file.name for row in report.files.all()]
        report.files.all().delete()
        primary, *others = languages
        name, rendered = stored[primary]
        report.file.name = name
        report.language = primary
        report.sha256 = hashlib.sha256(rendered.content).hexdigest()
        report.pages = rendered.pages
        report.size = len(rendered.content)
        report.status = Report.Status.READY
        report.finished_at = timezone.now()
        report.error = ""
        report.save()
        ReportFile.objects.bulk_create(
            ReportFile(
                report=report,
                language=language,
                file=stored[language][0],
                sha256=hashlib.sha256(stored[language][1].content).hexdigest(),
                pages=stored[language][1].pages,
                size=len(stored[language][1].content),
            )
            for language in others
        )
        report_ready_notices_add(report=report)
    _delete_files(storage, [name for name in previous_files if name not in new_files])
    return report


def _delete_files(storage, names: Iterable[str]) -> None:
    """Files no row names any longer. A storage that fails here leaves a stray file behind, never a failed report."""
    for name in names:
        with contextlib.suppress(OSError):
            storage.delete(name)


def report_ready_notices_add(*, report: Report) -> list[Notice]:
    """The members' "report ready" emails, in the caller's transaction. Once per submission: a report generated
    again for it tells nobody again."""
    return team_notice_add(
        city=report.assessment.city,
        kind=Notice.Kind.REPORT_READY,
        event=submission_event(report.assessment),
        object_id=report.assessment_id,
    )


@transaction.atomic
def report_fail(*, report_id: int, reason: str) -> Report:
    report = Report.objects.select_for_update().get(pk=report_id)
    report.status = Report.Status.FAILED
    report.error = reason[:2000]
    report.finished_at = timezone.now()
    report.save(update_fields=["status", "error", "finished_at"])
    return report


# --- Approval and delivery ---


@transaction.atomic
def report_approve(*, report: Report, user, partner_ids) -> list[ReportDelivery]:
    """The lead confirms the recipients of a ready report; each gets one delivery, queued once this commits."""
    report = Report.objects.select_for_update().select_related("assessment__city").get(pk=report.pk)
    if report.status != Report.Status.READY:
        raise ValidationError(_("The report is not ready yet; it can be sent once it is."))
    allowed = {partner.pk: partner for partner in selectors.recipients(report.assessment.city)}
    try:
        chosen = [int(pk) for pk in partner_ids]
    except (TypeError, ValueError):
        raise ValidationError(_("Choose the partners from the list on the page.")) from None
    unknown = [pk for pk in chosen if pk not in allowed]
    if unknown:
        raise ValidationError(
            _("Some chosen recipients no longer follow this city or have no consent recorded; reload the page.")
        )
    if not chosen:
        raise ValidationError(_("Choose at least one partner to send the report to."))
    now = timezone.now()
    report.approved_by = user
    report.approved_at = now
    report.save(update_fields=["approved_by", "approved_at"])
    deliveries = []
    for pk in chosen:
        delivery, created = ReportDelivery.objects.get_or_create(
            assessment=report.assessment,
            partner=allowed[pk],
            defaults={"report": report, "email": allowed[pk].email, "queued_at": now},
        )
        deliveries.append(delivery)
        if created:
            transaction.on_commit(lambda delivery_id=delivery.pk: queue_delivery(delivery_id))
    return deliveries


def queue_delivery(delivery_id: int) -> bool:
    from .tasks import send_delivery

    try:
        send_delivery.delay(delivery_id)
    except OperationalError:
        logger.warning("Broker unreachable: delivery %s stays queued until queue_reports runs", delivery_id)
    except Exception:
        logger.exception("Delivery %s could not be queued; queue_reports will try again", delivery_id)
    else:
        return True
    ReportDelivery.objects.filter(pk=delivery_id, status=ReportDelivery.Status.QUEUED).update(queued_at=None)
    return False


@transaction.atomic
def delivery_resend(*, delivery: ReportDelivery) -> ReportDelivery:
    """An editor's resend: the delivery is queued again and will be sent, even if it was sent before."""
    delivery = ReportDelivery.objects.select_for_update().get(pk=delivery.pk)
    delivery.status = ReportDelivery.Status.QUEUED
    delivery.queued_at = timezone.now()
    delivery.last_error = ""
    delivery.save(update_fields=["status", "queued_at", "last_error"])
    transaction.on_commit(lambda: queue_delivery(delivery.pk))
    return delivery


def unsubscribe_token(following: Following) -> str:
    return signing.dumps({"following": following.pk}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(following: Following) -> str:
    return absolute_url(reverse("partner_unsubscribe", kwargs={"token": unsubscribe_token(following)}))


def following_from_token(token: str) -> Following | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    return Following.objects.select_related("partner", "city").filter(pk=data.get("following")).first()


@transaction.atomic
def partner_unsubscribe(*, following: Following) -> Following:
    """The partner stops receiving this city's reports (other cities it follows are unchanged)."""
    following = Following.objects.select_for_update().get(pk=following.pk)
    if following.is_active:
        following.is_active = False
        following.unsubscribed_at = timezone.now()
        following.save(update_fields=["is_active", "unsubscribed_at"])
    return following


@dataclass(frozen=True)
class DeliveryOutcome:
    delivery: ReportDelivery
    sent_now: bool


def _start_sending(delivery_id: int) -> ReportDelivery | None:
    """Lock the delivery and mark it sending; None when there is nothing to send."""
    with transaction.atomic():
        delivery = (
            ReportDelivery.objects.select_for_update()
            .select_related("partner", "report", "assessment__city")
            .get(pk=delivery_id)
        )
        if delivery.status in (ReportDelivery.Status.SENT, ReportDelivery.Status.FAILED):
            return None
        if delivery.status == ReportDelivery.Status.SENDING:
            # A worker died between handing the message to the mail server and recording it: it may have
            # arrived. Say so rather than risk a second copy; an editor can resend after checking.
            delivery.status = ReportDelivery.Status.FAILED
            delivery.last_error = _("Interrupted while sending; it may have arrived. Check before resending.")
            delivery.save(update_fields=["status", "last_error"])
            return None
        following = Following.objects.filter(partner=delivery.partner, city=delivery.assessment.city).first()
        partner = delivery.partner
        if not (partner.is_active and partner.consent_date and following and following.is_active):
            delivery.status = ReportDelivery.Status.FAILED
            delivery.last_error = _("Not sent: the partner is inactive, has no consent recorded or unsubscribed.")
            delivery.save(update_fields=["status", "last_error"])
            return None
        delivery.status = ReportDelivery.Status.SENDING
        delivery.attempts += 1
        delivery.save(update_fields=["status", "attempts"])
        delivery.following = following
        return delivery


def _message(delivery: ReportDelivery) -> EmailMultiAlternatives:
    """The partner's email in the language it reads (its own, else the city's), with the PDF in that language when
    the lead generated one, else the one in the city's language, which the email then names."""
    assessment, report = delivery.assessment, delivery.report
    language = delivery.partner.reading_language(assessment.city)
    attached = selectors.report_pdf(report, language)
    unsubscribe = unsubscribe_url(delivery.following)
    with translation.override(language):
        context = {
            "partner": delivery.partner,
            "city": assessment.city,
            "assessment": assessment,
            "report": report,
            "unsubscribe_url": unsubscribe,
            "site_url": absolute_url("/"),
            # Named only when it is not the email's own: no PDF was generated in the partner's language.
            "attached_language": language_name(attached.language) if attached.language != language else "",
        }
        subject = subject_render("recommendations/email/report_subject.txt", context)
        body = render_to_string("recommendations/email/report.txt", context)
        html = render_to_string("recommendations/email/report.html", context)
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(">") or "opencities.localhost"
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        to=[delivery.email],
        headers={
            "Message-ID": make_msgid("report", domain=domain),
            "List-Unsubscribe": f"<{unsubscribe}>",
            "Content-Language": language,
        },
    )
    message.attach_alternative(html, "text/html")
    with attached.file.open("rb") as handle:
        message.attach(attached.filename, handle.read(), "application/pdf")
    return message


def delivery_send(*, delivery_id: int) -> DeliveryOutcome:
    """Email one partner the report, once. Raises for the task to retry on a passing mail-server problem."""
    delivery = _start_sending(delivery_id)
    if delivery is None:
        return DeliveryOutcome(ReportDelivery.objects.get(pk=delivery_id), sent_now=False)
    try:
        message = _message(delivery)  # reads the PDF: a storage fault here is as passing as a mail-server one
        message.send()
    except smtplib.SMTPRecipientsRefused as error:
        if any(code < 500 for code, _text in error.recipients.values()):
            # 4xx is "not now" (greylisting, a full mailbox): back to the queue for the task to retry.
            ReportDelivery.objects.filter(pk=delivery_id).update(
                status=ReportDelivery.Status.QUEUED, queued_at=timezone.now(), last_error=str(error)[:2000]
            )
            raise
        reasons = "; ".join(
            f"{address}: {code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
            for address, (code, text) in error.recipients.items()
        )
        delivery_fail(
            delivery_id=delivery_id, reason=_("The mail server refused the address (%(why)s).") % {"why": reasons}
        )
        raise PermanentDeliveryError(reasons) from error
    except Exception as error:
        # Back to queued, so the retry (or the sweeper) sends it again; the reason stays visible meanwhile.
        # queued_at restarts too: the task's own retry (at most 160 s away) comes before the sweeper would.
        ReportDelivery.objects.filter(pk=delivery_id).update(
            status=ReportDelivery.Status.QUEUED,
            queued_at=timezone.now(),
            last_error=f"{type(error).__name__}: {error}"[:2000],
        )
        raise
    ReportDelivery.objects.filter(pk=delivery_id).update(
        status=ReportDelivery.Status.SENT,
        sent_at=timezone.now(),
        message_id=message.extra_headers["Message-ID"],
        last_error="",
    )
    delivery.refresh_from_db()
    return DeliveryOutcome(delivery, sent_now=True)


def delivery_fail(*, delivery_id: int, reason: str) -> None:
    ReportDelivery.objects.filter(pk=delivery_id).exclude(status=ReportDelivery.Status.SENT).update(
        status=ReportDelivery.Status.FAILED, last_error=reason[:2000]
    )


# --- Demonstration data ---

DEMO_PARTNER_EMAIL = "partner@example.org"


def demo_partner_ensure(*, city) -> Partner:
    """The demo partner (an example.org address, consent recorded) following the demo city; idempotent."""
    partner, _created = Partner.objects.update_or_create(
        email=DEMO_PARTNER_EMAIL,
        defaults={
            "organisation": "Demo Chamber of Commerce",
            "contact_name": "Pat Partner",
            "consent_date": timezone.localdate(),
            "is_active": True,
        },
    )
    Following.objects.update_or_create(
        partner=partner, city=city, defaults={"is_active": True, "unsubscribed_at": None}
    )
    return partner


# --- The sweeper ---


@dataclass(frozen=True)
class Swept:
    reports: int
    deliveries: int


def queue_reports(*, now=None) -> Swept:
    """Queue again what lost its task: reports and deliveries left queued, reports stuck generating.

    Rows whose queueing failed (no queued_at: the broker was down) go at once, so that beat's run every
    SWEEPER_EVERY seconds heals an outage as soon as the broker answers; rows that were queued wait out QUEUE_GRACE,
    since their message may still be in flight or in a retry's countdown. A report is "stuck" once it has been
    generating for longer than the task's hard time limit: by then the worker that had it is gone. `failed` stays
    failed until someone presses retry or resend.
    """
    now = now or timezone.now()
    stale_queue = now - QUEUE_GRACE
    hard_limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    report_ids = []
    with transaction.atomic():
        stuck = Report.objects.select_for_update(skip_locked=True).filter(
            status=Report.Status.GENERATING, started_at__lt=now - hard_limit
        )
        stuck_ids = list(stuck.values_list("pk", flat=True))
        Report.objects.filter(pk__in=stuck_ids).update(status=Report.Status.QUEUED, queued_at=now)
        owed = Q(queued_at=None) | Q(queued_at__lt=stale_queue)
        waiting = Report.objects.filter(owed, status=Report.Status.QUEUED)
        report_ids = stuck_ids + list(waiting.values_list("pk", flat=True))
        Report.objects.filter(pk__in=report_ids).update(queued_at=now)
        delivery_ids = list(
            ReportDelivery.objects.filter(owed, status=ReportDelivery.Status.QUEUED).values_list("pk", flat=True)
        )
        ReportDelivery.objects.filter(pk__in=delivery_ids).update(queued_at=now)
    for report_id in dict.fromkeys(report_ids):
        queue_generation(report_id)
    for delivery_id in delivery_ids:
        queue_delivery(delivery_id)
    return Swept(reports=len(set(report_ids)), deliveries=len(delivery_ids))
