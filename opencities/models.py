"""The outbox: one row per email the platform owes (`Notice`), and what each account wants to receive.

How a notice is written, sent, swept and purged: `opencities/notices.py` and docs/architecture.md, Outbox.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .languages import language_choices


class Notice(models.Model):
    """One email owed to one recipient for one event, written in the event's own transaction.

    It holds what to render (its kind and an id), never a secret: links with tokens are made when it is sent.
    """

    class Kind(models.TextChoices):
        RESULT_READY = "result_ready", _("Result ready")
        REPORT_READY = "report_ready", _("Report ready")
        REOPENED = "reopened", _("Assessment reopened")
        TYPE_OVERRIDDEN = "type_overridden", _("City type set by an editor")
        INVITATION = "invitation", _("Invitation")
        ACCESS_RECEIVED = "access_received", _("Access request received")
        ACCESS_REQUESTED = "access_requested", _("Access request to decide")
        ACCESS_APPROVED = "access_approved", _("Access approved")
        ACCESS_REJECTED = "access_rejected", _("Access rejected")
        PASSWORD_RESET = "password_reset", _("Password reset")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the queue")
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Not sent")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    key = models.CharField(
        _("event key"), max_length=200, unique=True, help_text=_("The event it tells of: one row per event.")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("recipient"),
    )
    email = models.EmailField(_("address"), help_text=_("Where it goes (an account's address when it is sent)."))
    language = models.CharField(_("language"), max_length=10, choices=language_choices)
    object_id = models.PositiveBigIntegerField(
        _("about"), null=True, blank=True, help_text=_("The id of what it tells of: assessment, invitation, …")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    started_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    message_id = models.CharField(_("message id"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("email notice")
        verbose_name_plural = _("email notices")
        indexes = [models.Index(fields=["status", "queued_at"], name="notice_status_queued")]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.email}"


# The notices that tell a city's team about its work; each account chooses which of them it receives. The others
# answer the recipient's own request (or an invitation) and always go out.
MEMBER_KINDS = (Notice.Kind.RESULT_READY, Notice.Kind.REPORT_READY, Notice.Kind.REOPENED, Notice.Kind.TYPE_OVERRIDDEN)


class NoticePreferences(models.Model):
    """Which members' notices an account receives, and in which language; an account without a row gets them all."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences", primary_key=True
    )
    language = models.CharField(_("language"), max_length=10, choices=language_choices, default=settings.LANGUAGE_CODE)
    muted_kinds = models.JSONField(
        _("notices not wanted"), default=list, blank=True, help_text=_("Kinds of members' notices left out.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return str(self.user)

    def wants(self, kind: str) -> bool:
        return kind not in MEMBER_KINDS or kind not in self.muted_kinds
