"""The downloads page: the generated research brief and the PDFs editors publish."""

import logging

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from opencities import caching

from .. import brief, content_languages, offers
from ..models import Publication
from ..validators import PDF_START

logger = logging.getLogger(__name__)

BRIEF_FILENAME = "opencities-research-brief.pdf"


def _file_size(publication: Publication) -> int | None:
    """The stored file's size in bytes, or None when the file is missing from storage."""
    if not publication.file:
        return None
    try:
        return publication.file.size
    except OSError:
        logger.warning("Publication %s: file %s is missing from storage", publication.slug, publication.file.name)
        return None


def _page_count(publication: Publication) -> int | None:
    """The stored PDF's number of pages, read once per file (its name and size name it); None if unreadable."""

    def count() -> int | None:
        try:
            with publication.file.open("rb") as stored:
                return len(PdfReader(stored).pages)
        except (OSError, PyPdfError):
            logger.warning("Publication %s: cannot count the pages of %s", publication.slug, publication.file.name)
            return None

    return caching.cached(caching.publication_pages_key(publication.file.name, publication.file_size), count)


def _with_sizes(publications):
    items = list(publications)
    for publication in items:
        publication.file_size = _file_size(publication)
        publication.pages = _page_count(publication) if publication.file_size is not None else None
    return items


@require_safe
def downloads(request):
    public = Publication.objects.filter(is_public=True).order_by("-published_on", content_languages.shown("title"))
    pages, size = brief.research_brief_facts()
    sections = [
        {
            "id": "policy",
            "title": _("Policy recommendations"),
            "intro": _("General advice for city governments on becoming more open to international people."),
            "empty": _("No policy recommendations have been published yet."),
            "documents": offers.offered("policy"),
            "publications": _with_sizes(public.filter(kind=Publication.Kind.POLICY)),
        },
        {
            "id": "research",
            "title": _("Research"),
            "intro": _("Studies and background papers on how cities attract, welcome and keep international people."),
            "empty": _("No research has been published yet."),
            "documents": offers.offered("research"),
            "publications": _with_sizes(public.filter(kind=Publication.Kind.RESEARCH)),
        },
    ]
    return render(
        request,
        "casestudies/downloads.html",
        {
            "brief_title": brief.TITLE,
            "brief_pages": pages,
            "brief_size": size,
            "brief_date": brief.EDITION_DATE,
            "sections": sections,
        },
    )


@require_safe
def research_brief(request):
    response = HttpResponse(brief.research_brief_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{BRIEF_FILENAME}"'
    return response


@require_safe
def publication(request, slug):
    item = get_object_or_404(Publication, slug=slug)
    if not item.is_public and not request.user.has_perm("casestudies.view_publication"):
        raise Http404("No such publication.")
    if not item.file:
        raise Http404("This publication has no file.")
    try:
        handle = item.file.open("rb")
    except OSError:
        logger.error("Publication %s: file %s is missing from storage", item.slug, item.file.name)
        raise Http404("The file of this publication is missing; the editors have been told.") from None
    if handle.read(len(PDF_START)) != PDF_START:  # stored before uploads were checked from the first byte
        handle.close()
        logger.error("Publication %s: file %s is not a PDF; it is not served", item.slug, item.file.name)
        raise Http404("The file of this publication is not a PDF; the editors have been told.")
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"{slug}.pdf", content_type="application/pdf")
