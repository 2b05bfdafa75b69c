"""Checks on files that editors upload: the content decides, never the name."""

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PdfReadError

MAX_PDF_BYTES = 20 * 1024 * 1024
PDF_START = b"%PDF-"


def validate_pdf(upload) -> None:
    """A real PDF of at most 20 MB: it must start like one and open as one."""
    if upload.size > MAX_PDF_BYTES:
        raise ValidationError(
            _("The file is %(size)s; a publication can be at most %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_PDF_BYTES)},
            code="too_big",
        )
    upload.seek(0)
    head = upload.read(len(PDF_START))
    upload.seek(0)
    # At byte 0, not just near the start as PDF readers allow: an HTML page with a PDF inside passes that.
    if not head.startswith(PDF_START):
        raise ValidationError(
            _("This file is not a PDF, whatever its name says. Export the document as PDF and upload that."),
            code="not_pdf",
        )
    try:
        pages = len(PdfReader(upload).pages)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise ValidationError(
            _("The PDF could not be read (%(error)s). Save it again as PDF and upload that.")
            % {"error": str(error)[:120]},
            code="broken_pdf",
        ) from None
    finally:
        upload.seek(0)
    if pages == 0:
        raise ValidationError(_("The PDF has no pages."), code="empty_pdf")
