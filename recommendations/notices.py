"""How the members' "report ready" notice renders when the outbox sends it (opencities/notices.py)."""

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from assessments.models import Assessment
from opencities.links import absolute_url
from opencities.mail import subject_render
from opencities.models import Notice
from opencities.notices import NoticeGone, NoticeMessage, preferences_url

from .models import Report
from .services import report_url


def report_ready(notice: Notice) -> NoticeMessage:
    report = Report.objects.select_related("assessment__city").filter(assessment_id=notice.object_id).first()
    if report is None or report.assessment.status != Assessment.Status.SUBMITTED:
        raise NoticeGone(_("The report's assessment was deleted or reopened before this email was sent."))
    assessment = report.assessment
    context = {
        "assessment": assessment,
        "city": assessment.city,
        "report_url": absolute_url(report_url(assessment)),
        "preferences_url": preferences_url(),
    }
    return NoticeMessage(
        subject=subject_render("recommendations/email/report_ready_subject.txt", context),
        body=render_to_string("recommendations/email/report_ready.txt", context),
    )
