"""Email backend of the embedded default: one .eml file per message in EMAIL_FILE_PATH."""

import os
import uuid

from django.core.mail.backends.filebased import EmailBackend
from django.utils import timezone


class OutboxEmailBackend(EmailBackend):
    """Django's file backend appends a connection's messages to one file; one file per message
    can be opened in any mail program and is easier to find."""

    def send_messages(self, email_messages):
        sent = 0
        for message in email_messages:
            sent += super().send_messages([message]) or 0
            self.close()
        return sent

    def _get_filename(self):
        if self._fname is None:
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            self._fname = os.path.join(self.file_path, f"{stamp}-{uuid.uuid4().hex[:12]}.eml")
        return self._fname

    def close(self):
        super().close()
        self._fname = None
