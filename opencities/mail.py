"""Email helpers: subjects and other header text as one plain line, and the email backend of the embedded
default (one .eml file per message in EMAIL_FILE_PATH)."""

import os
import re
import uuid

from django.core.mail.backends.filebased import EmailBackend
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone

# Runs of whitespace, control characters (Unicode's Cc: C0, DEL, C1) and line or paragraph separators: a mail
# header takes none of them (a line break in a subject raises BadHeaderError); typed in a name, they mean a space.
_NOT_ON_ONE_LINE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header_text(value: str) -> str:
    """The text on one line: line breaks, tabs and other control characters become single spaces."""
    return _NOT_ON_ONE_LINE.sub(" ", str(value)).strip()


def subject_render(template_name: str, context: dict) -> str:
    """An email subject from its template: plain text (no HTML escaping of & or "), on one line."""
    template = get_template(template_name).template  # Django's own Template, so that autoescape can be off
    return header_text(template.render(Context(context, autoescape=False)))


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
