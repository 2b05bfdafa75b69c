"""The outbox: every email the platform owes is a `Notice` row, written in the transaction of the event it tells of,
sent by one retried task, swept up when its task was lost or could not be queued, and purged after the retention.

Apps write rows with `notice_add` (or `members_notice_add`) and say how each kind renders (`RENDERERS`); nothing
else in the platform sends mail to its users except the partners' report deliveries, which have rows of their own.
See docs/architecture.md, Outbox.
"""

import logging
import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .languages import configured
from .links import absolute_url
from .mail import header_text, subject_render
from .models import MEMBER_KINDS, Notice, NoticePreferences

logger = logging.getLogger(__name__)

# A queued row older than this has lost its message (a lost worker, a broker restarted empty): queue it again. Every
# wait of the task's own retries is shorter (opencities.tasks.RetriedTask), so the sweeper never races a retry.
QUEUE_GRACE = timedelta(minutes=5)
# Rows the sweeper hands to the queue in one run; the rest wait for the next run, seconds later.
SWEEP_BATCH = 500


@dataclass(frozen=True)
class NoticeMessage:
    subject: str
    body: str


class NoticeGone(Exception):
    """What the notice tells of no longer exists (deleted, withdrawn): nothing to send."""


class PermanentNoticeError(Exception):
    """The mail server refused the address for good: retrying cannot help."""


# Each kind's renderer: a function of the notice that returns its NoticeMessage in the active language. The apps
# own their emails' words; this table only says where they are, so that opencities imports no app at load time.
RENDERERS = {
    Notice.Kind.RESULT_READY: "assessments.notices.result_ready",
    Notice.Kind.REOPENED: "assessments.notices.reopened",
    Notice.Kind.TYPE_OVERRIDDEN: "assessments.notices.type_overridden",
    Notice.Kind.INVITATION: "assessments.notices.invitation",
    Notice.Kind.ACCESS_RECEIVED: "assessments.notices.access_received",
    Notice.Kind.ACCESS_REQUESTED: "assessments.notices.access_requested",
    Notice.Kind.ACCESS_APPROVED: "assessments.notices.access_approved",
    Notice.Kind.ACCESS_REJECTED: "assessments.notices.access_rejected",
    Notice.Kind.REPORT_READY: "recommendations.notices.report_ready",
    Notice.Kind.PASSWORD_RESET: "opencities.notices.password_reset",
}

FINISHED_STATES = (Notice.Status.SENT, Notice.Status.SKIPPED, Notice.Status.FAILED)


def preferences_url() -> str:
    return absolute_url(reverse("notice_preferences"))


def preferences_of(user) -> NoticePreferences:
    """The account's preferences; an account that never chose gets every notice in the site's language."""
    preferences = NoticePreferences.objects.filter(user=user).first()
    return preferences or NoticePreferences(user=user, language=settings.LANGUAGE_CODE)


@transaction.atomic
def preferences_save(*, user, language: str, wanted_kinds: Iterable[str]) -> NoticePreferences:
    wanted = set(wanted_kinds)
    preferences, _created = NoticePreferences.objects.update_or_create(
        user=user,
        defaults={"language": language, "muted_kinds": [kind for kind in MEMBER_KINDS if kind not in wanted]},
    )
    return preferences


@transaction.atomic
def language_save(*, user, language: str) -> None:
    """The account's language, chosen with the switcher: its pages, the admin and its emails (docs/languages.md)."""
    if not configured(language):
        raise ValueError(f"{language!r} is not a configured language")
    NoticePreferences.objects.update_or_create(user=user, defaults={"language": language})


# --- Writing ---


def notice_add(
    *, kind: str, key: str, email: str, user=None, object_id: int | None = None, language: str = ""
) -> Notice:
    """Owe one email, in the caller's transaction; its task is queued once that commits. A known key adds nothing."""
    if not language:
        language = preferences_of(user).language if user is not None else translation.get_language()
    if not configured(language):
        language = settings.LANGUAGE_CODE
    with transaction.atomic():
        notice, created = Notice.objects.get_or_create(
            key=key[:200],
            defaults={
                "kind": kind,
                "user": user,
                "email": user.email if user is not None else email,
                "object_id": object_id,
                "language": language,
            },
        )
        if created:
            transaction.on_commit(lambda: notice_queue(notice.pk))
    return notice


def members_notice_add(*, kind: str, event: str, members: Iterable, object_id: int) -> list[Notice]:
    """Tell each of these accounts of one event (one row, one email each), leaving out who does not want this kind.

    One email per member: each in the member's language, with the member's own preferences link, and no member
    sees another's address. `event` names the event; with the member it makes the row's key.
    """
    members = [user for user in members if user.is_active]
    chosen = {p.user_id: p for p in NoticePreferences.objects.filter(user__in=[user.pk for user in members])}
    notices = []
    for user in members:
        preferences = chosen.get(user.pk)
        if preferences is not None and not preferences.wants(kind):
            continue
        language = preferences.language if preferences is not None else settings.LANGUAGE_CODE
        notices.append(
            notice_add(
                kind=kind,
                key=f"{kind}:{event}:user:{user.pk}",
                email="",
                user=user,
                object_id=object_id,
                language=language,
            )
        )
    return notices


@transaction.atomic
def password_reset_notice_add(*, user) -> Notice:
    """A reset email for the account, unless one is still on its way: that one's link, made when it is sent, serves
    this request too, so a burst of requests sends one email."""
    type(user).objects.select_for_update().filter(pk=user.pk).first()  # one request at a time per account
    on_its_way = (Notice.Status.PENDING, Notice.Status.QUEUED, Notice.Status.SENDING)
    waiting = Notice.objects.filter(kind=Notice.Kind.PASSWORD_RESET, user=user, status__in=on_its_way).first()
    if waiting is not None:
        return waiting
    return notice_add(
        kind=Notice.Kind.PASSWORD_RESET,
        key=f"password-reset:{user.pk}:{timezone.now():%Y%m%dT%H%M%S.%f}",
        email=user.email,
        user=user,
        object_id=user.pk,
    )


class Outbound:
    """What the page that caused some notices may say of them, once the event committed."""

    NONE = "none"  # nobody to tell (every member opted out, say)
    WAITING = "waiting"  # some could not be handed to the queue (or sent, without a broker): they go out later
    ON_ITS_WAY = "on its way"  # handed to the queue, or sent already


def notices_outbound(*, kind: str, object_id: int) -> str:
    statuses = set(Notice.objects.filter(kind=kind, object_id=object_id).values_list("status", flat=True))
    if not statuses - {Notice.Status.SKIPPED}:
        return Outbound.NONE
    return Outbound.WAITING if Notice.Status.PENDING in statuses else Outbound.ON_ITS_WAY


# --- Queueing ---


def _eager() -> bool:
    from .celery import app

    return bool(app.conf.task_always_eager)


def notice_queue(notice_id: int) -> bool:
    """Send the notice's task; with the broker down the row waits (pending) for the sweeper. Never raises.

    Without a broker (tasks in process) the notice is sent here, and a failure leaves it pending: the user who
    caused it never sees an error, and the sweeper tries again.
    """
    if _eager():
        try:
            notice_send(notice_id=notice_id)
        except Exception:
            logger.warning("Notice %s could not be sent now; it waits for the sweeper", notice_id, exc_info=True)
            return False
        return True
    from .tasks import send_notice

    waiting = (Notice.Status.PENDING, Notice.Status.QUEUED)
    if not Notice.objects.filter(pk=notice_id, status__in=waiting).update(
        status=Notice.Status.QUEUED, queued_at=timezone.now()
    ):
        return True  # being sent or done already
    try:
        send_notice.delay(notice_id)
    except Exception:
        # The broker is down (kombu's OperationalError after a short retry) or anything else: never a failed request.
        Notice.objects.filter(pk=notice_id, status=Notice.Status.QUEUED).update(
            status=Notice.Status.PENDING, queued_at=None
        )
        logger.warning("Notice %s could not be queued; the sweeper queues it once the broker answers", notice_id)
        return False
    return True


# --- Sending ---


def _start_sending(notice_id: int) -> Notice | None:
    """Lock the row and mark it sending; None when there is nothing to send (done, being sent, or not wanted)."""
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice_id)
        if notice.status not in (Notice.Status.PENDING, Notice.Status.QUEUED):
            # Sent, skipped or failed; or sending, by another run of a duplicated message: never a second copy.
            return None
        user = notice.user
        reason = ""
        if user is not None and not user.is_active:
            reason = _("Not sent: the account was deactivated.")
        elif user is not None and not preferences_of(user).wants(notice.kind):
            reason = _("Not sent: the recipient chose not to receive this kind of email.")
        if reason:
            notice.status, notice.last_error = Notice.Status.SKIPPED, reason
            notice.save(update_fields=["status", "last_error"])
            return None
        notice.status = Notice.Status.SENDING
        notice.attempts += 1
        notice.started_at = timezone.now()
        if user is not None:
            notice.email = user.email
        notice.save(update_fields=["status", "attempts", "started_at", "email"])
        return notice


def _message(notice: Notice) -> EmailMessage:
    render: Callable[[Notice], NoticeMessage] = import_string(RENDERERS[notice.kind])
    with translation.override(notice.language):
        rendered = render(notice)
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(">") or "opencities.localhost"
    headers = {"Message-ID": make_msgid(notice.kind.replace("_", "-"), domain=domain)}
    return EmailMessage(header_text(rendered.subject), rendered.body, to=[notice.email], headers=headers)


def notice_send(*, notice_id: int) -> bool:
    """Send one notice, once; True if it went out now. Raises for the task to retry on a passing fault."""
    notice = _start_sending(notice_id)
    if notice is None:
        return False
    after_fault = Notice.Status.PENDING if _eager() else Notice.Status.QUEUED
    try:
        message = _message(notice)
        message.send()
    except NoticeGone as gone:
        Notice.objects.filter(pk=notice_id).update(status=Notice.Status.SKIPPED, last_error=str(gone)[:2000])
        return False
    except smtplib.SMTPRecipientsRefused as error:
        if any(code < 500 for code, _text in error.recipients.values()):
            _back_to_the_queue(notice_id, after_fault, error)
            raise
        notice_fail(notice_id=notice_id, reason=_("The mail server refused the address (%(why)s).") % {"why": error})
        raise PermanentNoticeError(str(error)) from error
    except Exception as error:
        # Back to the queue with the reason: the task's retry (or, without a broker, the sweeper) sends it again.
        _back_to_the_queue(notice_id, after_fault, error)
        raise
    Notice.objects.filter(pk=notice_id).update(
        status=Notice.Status.SENT, sent_at=timezone.now(), message_id=message.extra_headers["Message-ID"], last_error=""
    )
    return True


def _back_to_the_queue(notice_id: int, status: str, error: Exception) -> None:
    Notice.objects.filter(pk=notice_id, status=Notice.Status.SENDING).update(
        status=status,
        queued_at=timezone.now() if status == Notice.Status.QUEUED else None,
        last_error=f"{type(error).__name__}: {error}"[:2000],
    )


def notice_fail(*, notice_id: int, reason: str) -> None:
    Notice.objects.filter(pk=notice_id).exclude(status__in=(Notice.Status.SENT, Notice.Status.SKIPPED)).update(
        status=Notice.Status.FAILED, last_error=reason[:2000]
    )


def notice_gave_up(*, notice_id: int, reason: str, passing: bool) -> None:
    """The task's retries ran out. A passing fault (the mail server still down) leaves the row to the sweeper, which
    starts again at once, until NOTICE_GIVE_UP_AFTER has passed since the event; anything else fails it now."""
    notice = Notice.objects.filter(pk=notice_id).first()
    if notice is None:
        return
    given_up = notice.created_at < timezone.now() - timedelta(hours=settings.NOTICE_GIVE_UP_AFTER_HOURS)
    if passing and not given_up:
        Notice.objects.filter(pk=notice_id, status=Notice.Status.QUEUED).update(
            status=Notice.Status.PENDING, queued_at=None, last_error=reason[:2000]
        )
    else:
        notice_fail(notice_id=notice_id, reason=reason)


# --- The sweeper and the purge ---


@dataclass(frozen=True)
class NoticesSwept:
    queued: int
    interrupted: int


def notices_sweep(*, now=None) -> NoticesSwept:
    """Queue what waits: at once the rows whose queueing failed (pending), after the grace the queued rows whose
    message was lost; fail, without sending, rows left sending by a lost worker (the email may have gone out)."""
    now = now or timezone.now()
    hard_limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    interrupted = Notice.objects.filter(status=Notice.Status.SENDING, started_at__lt=now - hard_limit).update(
        status=Notice.Status.FAILED,
        last_error=_("Interrupted while sending; it may have arrived. Check before writing again."),
    )
    owed = Q(status=Notice.Status.PENDING) | Q(status=Notice.Status.QUEUED, queued_at__lt=now - QUEUE_GRACE)
    ids = list(Notice.objects.filter(owed).order_by("pk").values_list("pk", flat=True)[:SWEEP_BATCH])
    for notice_id in ids:
        notice_queue(notice_id)
    return NoticesSwept(queued=len(ids), interrupted=interrupted)


def notices_purge(*, now=None) -> int:
    """Delete finished rows older than the retention (NOTICE_RETENTION_DAYS); rows still owed are never deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.NOTICE_RETENTION_DAYS)
    old = Q(sent_at__lt=cutoff) | Q(sent_at=None, created_at__lt=cutoff)
    deleted, _by_model = Notice.objects.filter(old, status__in=FINISHED_STATES).delete()
    return deleted


# --- The project's own notice ---


def password_reset(notice: Notice) -> NoticeMessage:
    """The reset link is made now, so that the row holds no token and the link's three days start at sending."""
    user = notice.user
    if user is None:
        raise NoticeGone(_("The account no longer exists."))
    site = urlsplit(settings.SITE_URL)
    context = {
        "email": user.email,
        "domain": site.netloc,
        "site_name": "OPENCities",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": site.scheme or "https",
    }
    return NoticeMessage(
        subject=subject_render("accounts/email/password_reset_subject.txt", context),
        body=render_to_string("accounts/email/password_reset.txt", context),
    )
