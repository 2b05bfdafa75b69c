"""The public case-study library: the filtered list and one entry."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

from .. import content_languages, selectors
from ..forms import LibraryFilterForm
from ..models import BODY_SECTIONS

PER_PAGE = 12


def _sees_drafts(user) -> bool:
    return user.is_authenticated and user.is_staff and user.has_perm("casestudies.view_casestudy")


def library(request):
    form = LibraryFilterForm(request.GET or None)
    filters = form.filters()
    page = Paginator(selectors.library(filters), PER_PAGE).get_page(request.GET.get("page"))
    # The page links keep every filter, so a filtered view stays filtered across pages.
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "casestudies/library.html",
        {
            "form": form,
            "page": page,
            "filtered": any(vars(filters).values()),
            "query_string": query.urlencode(),
        },
    )


def _library_query(text: str) -> str:
    """The library filters a reader came from, rebuilt from known fields only (never a URL of someone else's)."""
    form = LibraryFilterForm(QueryDict(text[:1000]))
    form.is_valid()
    kept = {name: value for name, value in form.cleaned_data.items() if value}
    return urlencode(kept)


def detail(request, slug):
    sees_drafts = _sees_drafts(request.user)
    case_study = selectors.case_study_for_reader(slug, include_drafts=sees_drafts)
    if case_study is None:
        raise Http404(_("There is no published case study at this address."))
    # Each section with whether its text is the English one, on a page of another language (the template says so).
    sections = [
        (label, getattr(case_study, name), content_languages.in_source_only(case_study, name))
        for name, label in BODY_SECTIONS
        if getattr(case_study, name)
    ]
    return render(
        request,
        "casestudies/detail.html",
        {
            "case_study": case_study,
            "sections": sections,
            "sources": case_study.citations(),
            "related": selectors.related(case_study),
            "back_query": _library_query(request.GET.get("from", "")),
        },
    )
