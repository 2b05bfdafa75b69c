"""The retry policy every task with a row of its own shares, the outbox's tasks, and the ping that /healthz sends."""

import logging
import smtplib

from celery import Task, shared_task
from django.db import DatabaseError
from django.utils.translation import gettext as _

from . import notices
from .models import Notice

logger = logging.getLogger(__name__)


class RetriedTask(Task):
    """Retries passing faults with backoff, then records on the task's row why it gave up.

    Storage, database and mail-server hiccups pass; a bug in the data or the renderer does not, so it is
    recorded at once (retrying would fail the same way).
    """

    autoretry_for = (OSError, DatabaseError, smtplib.SMTPException)
    max_retries = 5
    # 10 s, 20 s, 40 s, 80 s, 160 s: about five minutes in all before giving up. No jitter, so that total holds;
    # each wait stays shorter than the sweepers' grace (notices.QUEUE_GRACE), so a sweeper never races a retry.
    retry_backoff = 10
    retry_backoff_max = 160
    retry_jitter = False
    # A worker lost mid-task hands the message back; every task is safe to run twice. Time limits are the settings'.
    acks_late = True
    reject_on_worker_lost = True
    # The tasks keep no results: their state is their row. (Sending a task that keeps one first subscribes to the
    # result backend, which with Redis down fails after 20 slow retries, not at once.)
    ignore_result = True

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        passing = isinstance(exc, self.autoretry_for)
        if passing:
            reason = _("Gave up after %(attempts)d attempts: %(error)s") % {
                "attempts": self.request.retries + 1,
                "error": exc,
            }
        else:
            reason = f"{type(exc).__name__}: {exc}"
        self.record_failure(*args, reason=reason, passing=passing, **kwargs)

    def record_failure(self, *args, reason: str, passing: bool, **kwargs) -> None:
        """Where the reason goes; by default only the log (mailed to ADMINS)."""
        logger.error("%s%s gave up: %s", self.name, args, reason)


class NoticeTask(RetriedTask):
    def record_failure(self, notice_id: int, *, reason: str, passing: bool) -> None:
        notices.notice_gave_up(notice_id=notice_id, reason=reason, passing=passing)


@shared_task(name="opencities.ping")
def ping():
    """Answer "pong": lets /healthz and the tests prove that a worker takes tasks."""
    return "pong"


@shared_task(base=NoticeTask, name="opencities.send_notice")
def send_notice(notice_id: int):
    """Send one email of the outbox. Safe to run twice: the row is locked and a notice is sent once."""
    try:
        sent = notices.notice_send(notice_id=notice_id)
    except Notice.DoesNotExist:
        return "gone"
    except notices.PermanentNoticeError:
        return "failed"  # recorded on the row, in the mail server's words
    return "sent" if sent else "nothing to send"


@shared_task(name="opencities.sweep_notices", ignore_result=True)
def sweep_notices():
    """Run by beat every SWEEPER_EVERY seconds: queue the notices that wait or lost their message."""
    swept = notices.notices_sweep()
    return {"queued": swept.queued, "interrupted": swept.interrupted}


@shared_task(name="opencities.purge_notices", ignore_result=True)
def purge_notices():
    """Run by beat daily: delete finished notices older than NOTICE_RETENTION_DAYS."""
    return {"deleted": notices.notices_purge()}
