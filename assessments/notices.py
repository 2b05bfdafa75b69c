"""The emails of cities and their teams, through the outbox (opencities/notices.py): who is told of what, and how
each notice renders when it is sent. Links with tokens (set a password, accept an invitation) are made then."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from opencities.links import absolute_url
from opencities.mail import subject_render
from opencities.models import Notice
from opencities.notices import NoticeGone, NoticeMessage, members_notice_add, preferences_url
from opencities.vocabulary import city_type_name

from . import selectors
from .models import AccessRequest, Assessment, City, Invitation, Reopening
from .services.team import invitation_token, password_set_url


def team_notice_add(*, city: City, kind: str, event: str, object_id: int) -> list[Notice]:
    """Tell the city's active members of an event: one notice each, unless they chose not to get this kind."""
    members = [membership.user for membership in city.memberships.select_related("user").filter(user__is_active=True)]
    return members_notice_add(kind=kind, event=event, members=members, object_id=object_id)


def submission_event(assessment: Assessment) -> str:
    """One submission of an assessment (it may be reopened and submitted again, which is a new event)."""
    return f"assessment:{assessment.pk}:submitted:{assessment.submitted_at:%Y%m%dT%H%M%S.%f}"


def _message(template: str, context: dict) -> NoticeMessage:
    return NoticeMessage(
        subject=subject_render(f"assessments/email/{template}_subject.txt", context),
        body=render_to_string(f"assessments/email/{template}.txt", context),
    )


def _get(queryset, notice: Notice):
    found = queryset.filter(pk=notice.object_id).first()
    if found is None:
        raise NoticeGone(_("What this email tells of was deleted before it was sent."))
    return found


def result_ready(notice: Notice) -> NoticeMessage:
    assessment = _get(Assessment.objects.select_related("city", "result"), notice)
    if assessment.status != Assessment.Status.SUBMITTED:
        raise NoticeGone(_("The assessment was reopened before this email was sent."))
    context = {
        "assessment": assessment,
        "city": assessment.city,
        "result": assessment.result,
        "profile_url": absolute_url(selectors.profile_url(assessment)),
        "preferences_url": preferences_url(),
    }
    return _message("result_ready", context)


def reopened(notice: Notice) -> NoticeMessage:
    reopening = _get(Reopening.objects.select_related("assessment__city"), notice)
    assessment = reopening.assessment
    context = {
        "reopening": reopening,
        "assessment": assessment,
        "city": assessment.city,
        "review_url": absolute_url(
            reverse("assessment_review", kwargs={"slug": assessment.city.slug, "pk": assessment.pk})
        ),
        "preferences_url": preferences_url(),
    }
    return _message("reopened", context)


def type_overridden(notice: Notice) -> NoticeMessage:
    """The city type an editor set (or went back to), as it stands when the email is sent."""
    assessment = _get(Assessment.objects.select_related("city", "result"), notice)
    result = assessment.result
    context = {
        "assessment": assessment,
        "city": assessment.city,
        "result": result,
        "city_type": city_type_name(result.effective_type).name,
        "computed_type": city_type_name(result.city_type).name,
        "profile_url": absolute_url(selectors.profile_url(assessment)),
        "preferences_url": preferences_url(),
    }
    return _message("type_overridden", context)


def invitation(notice: Notice) -> NoticeMessage:
    invitation = _get(Invitation.objects.select_related("city", "invited_by"), notice)
    if not invitation.is_open:
        raise NoticeGone(_("The invitation was withdrawn or used before this email was sent."))
    context = {
        "invitation": invitation,
        "city": invitation.city,
        "invited_by": invitation.invited_by,
        "accept_url": absolute_url(reverse("invitation_accept", kwargs={"token": invitation_token(invitation)})),
        "max_age_days": settings.INVITATION_MAX_AGE_DAYS,
    }
    return _message("invitation", context)


def access_received(notice: Notice) -> NoticeMessage:
    # To an address anyone may type: it repeats only the city's name, never the message they wrote.
    return _message("access_received", {"access_request": _get(AccessRequest.objects.all(), notice)})


def access_requested(notice: Notice) -> NoticeMessage:
    access_request = _get(AccessRequest.objects.all(), notice)
    if access_request.status != AccessRequest.Status.PENDING:
        raise NoticeGone(_("The request was decided before this email was sent."))
    change_url = reverse("admin:assessments_accessrequest_change", args=[access_request.pk])
    return _message("access_requested", {"access_request": access_request, "review_url": absolute_url(change_url)})


def access_approved(notice: Notice) -> NoticeMessage:
    access_request = _get(AccessRequest.objects.select_related("city"), notice)
    user = notice.user
    if user is None:
        raise NoticeGone(_("The account no longer exists."))
    context = {
        "access_request": access_request,
        "city": access_request.city,
        "set_password_url": password_set_url(user) if not user.has_usable_password() else "",
        "login_url": absolute_url(reverse("login")),
        "city_url": absolute_url(access_request.city.get_absolute_url()),
    }
    return _message("access_approved", context)


def access_rejected(notice: Notice) -> NoticeMessage:
    return _message("access_rejected", {"access_request": _get(AccessRequest.objects.all(), notice)})
