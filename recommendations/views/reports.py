"""The report page of a submitted assessment: its live status, download, request and the lead's approval."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from assessments import selectors as assessment_selectors
from assessments.access import city_role_required
from assessments.models import Role
from opencities.languages import language_name

from .. import selectors, services
from ..models import Report, ReportDelivery
from .recommendations import assessment_with_result, submitted_assessment


def _report_state(report: Report | None) -> dict:
    """What the report page and its live status show: one of queued, generating, ready, awaiting approval, sent."""
    if report is None:
        return {"state": "none", "label": _("Not requested"), "done": True, "queue_unavailable": False}
    deliveries = list(report.deliveries.select_related("partner").order_by("partner__organisation"))
    sent = sum(delivery.status == ReportDelivery.Status.SENT for delivery in deliveries)
    failed = [delivery for delivery in deliveries if delivery.status == ReportDelivery.Status.FAILED]
    waiting = sum(
        delivery.status in (ReportDelivery.Status.QUEUED, ReportDelivery.Status.SENDING) for delivery in deliveries
    )
    # A queued row without queued_at: its task could not be handed to the broker; the sweeper sends it once the
    # broker answers. Until then the page says so rather than "on their way".
    unqueued = sum(
        delivery.status == ReportDelivery.Status.QUEUED and delivery.queued_at is None for delivery in deliveries
    )
    queue_unavailable = bool(unqueued) or (report.status == Report.Status.QUEUED and report.queued_at is None)
    if report.status == Report.Status.READY and not report.approved_at:
        state, label = "awaiting-approval", _("Ready, awaiting approval")
    elif report.status == Report.Status.READY and deliveries:
        state = "sent" if not waiting else "sending"
        label = ngettext("Sent to %(n)d partner", "Sent to %(n)d partners", sent) % {"n": sent}
        if unqueued:
            label += " · " + ngettext("%(n)d waiting for the queue", "%(n)d waiting for the queue", unqueued) % {
                "n": unqueued
            }
        if waiting - unqueued:
            on_the_way = waiting - unqueued
            label += " · " + ngettext("%(n)d on its way", "%(n)d on their way", on_the_way) % {"n": on_the_way}
        if failed:
            label += " · " + ngettext("%(n)d failed", "%(n)d failed", len(failed)) % {"n": len(failed)}
    else:
        state, label = report.status, report.get_status_display()
    return {
        "state": state,
        "label": str(label),
        "status": report.status,
        "error": report.error,
        "pages": report.pages,
        "size": report.size,
        "sent": sent,
        "waiting": waiting,
        "queue_unavailable": queue_unavailable,
        "deliveries": deliveries,
        "done": report.status in (Report.Status.READY, Report.Status.FAILED) and not waiting,
    }


def _language_choices(city, report: Report | None) -> list[dict]:
    """The request form's checkboxes: every configured language, the city's ticked and fixed (it is always
    generated), the others as the lead chose them last."""
    chosen = set(report.languages) if report else set()
    return [
        {
            "code": code,
            "name": language_name(code),
            "fixed": code == city.language,
            "checked": code == city.language or code in chosen,
        }
        for code, _name in settings.LANGUAGES
    ]


@require_safe
@city_role_required(Role.VIEWER)
def assessment_report(request, pk, *, city, membership):
    assessment = assessment_with_result(city, pk)
    report = Report.objects.filter(assessment=assessment).select_related("assessment__city").first()
    state = _report_state(report)
    ready = report is not None and report.status == Report.Status.READY
    recipients = selectors.recipients(city) if ready else []
    already_sent_to = {delivery.partner_id for delivery in state.get("deliveries", [])}
    return render(
        request,
        "recommendations/report.html",
        {
            "city": city,
            "membership": membership,
            "assessment": assessment,
            "report": report,
            "state": state,
            "recipients": recipients,
            "already_sent_to": already_sent_to,
            # Nobody left to approve: the form would only offer greyed-out names and a button that sends nothing.
            "everyone_has_it": bool(recipients) and all(partner.pk in already_sent_to for partner in recipients),
            "is_lead": membership.role == Role.LEAD,
            "pdfs": [{"pdf": item, "name": language_name(item.language)} for item in selectors.report_pdfs(report)]
            if ready and report.file
            else [],
            "languages": _language_choices(city, report),
            # While reopened, the last report stays readable, marked superseded; nothing is generated or sent.
            "reopening": assessment_selectors.reopening_of(assessment) if assessment.result.is_superseded else None,
        },
    )


@never_cache
@require_safe
@city_role_required(Role.VIEWER)
def assessment_report_status(request, pk, *, city, membership):
    assessment = assessment_with_result(city, pk)
    state = _report_state(Report.objects.filter(assessment=assessment).first())
    state.pop("deliveries", None)
    return JsonResponse(state)


@require_safe
@city_role_required(Role.VIEWER)
def assessment_report_download(request, pk, language=None, *, city, membership):
    """The PDF in the city's language, or with `language` the one in that language."""
    assessment = assessment_with_result(city, pk)
    report = Report.objects.filter(assessment=assessment).select_related("assessment__city").first()
    if report is None or report.status != Report.Status.READY or not report.file:
        messages.info(
            request,
            _("The report is not ready to download yet (%(state)s). This page shows when it is.")
            % {"state": _report_state(report)["label"].lower()},
        )
        return redirect("assessment_report", slug=city.slug, pk=assessment.pk)
    pdfs = selectors.report_pdfs(report)
    chosen = pdfs[0] if language is None else next((item for item in pdfs if item.language == language), None)
    if chosen is None:
        raise Http404(_("The report was not generated in this language."))
    try:
        handle = chosen.file.open("rb")
    except OSError:
        raise Http404(_("The report's file is missing; request it again from the report page.")) from None
    return FileResponse(handle, as_attachment=True, filename=chosen.filename, content_type="application/pdf")


@require_POST
@city_role_required(Role.LEAD)
def assessment_report_request(request, pk, *, city, membership):
    assessment = submitted_assessment(city, pk)
    try:
        # The city's own language is always generated; its checkbox is disabled, so it is never posted.
        report = services.report_request(
            assessment=assessment, user=request.user, languages=request.POST.getlist("language")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        report.refresh_from_db()
        if report.status == Report.Status.QUEUED:
            messages.success(request, _("The report is queued; this page follows its progress."))
    return redirect("assessment_report", slug=city.slug, pk=assessment.pk)


@require_POST
@city_role_required(Role.LEAD)
def assessment_report_approve(request, pk, *, city, membership):
    assessment = submitted_assessment(city, pk)
    report = get_object_or_404(Report, assessment=assessment)
    try:
        deliveries = services.report_approve(
            report=report, user=request.user, partner_ids=request.POST.getlist("partner")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext(
                "Sending approved: the report goes to %(n)d partner.",
                "Sending approved: the report goes to %(n)d partners.",
                len(deliveries),
            )
            % {"n": len(deliveries)},
        )
    return redirect("assessment_report", slug=city.slug, pk=assessment.pk)
