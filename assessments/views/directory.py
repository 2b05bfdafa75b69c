"""The directory of published profiles: anyone finds the cities that published, by region, type and size."""

from django.core.paginator import Paginator
from django.shortcuts import render

from .. import selectors
from ..forms import ProfileDirectoryForm

PER_PAGE = 20


def profile_directory(request):
    bands = selectors.directory_size_bands()
    form = ProfileDirectoryForm(request.GET or None, bands=bands)
    filters = form.filters()
    page = Paginator(selectors.published_profiles(**filters), PER_PAGE).get_page(request.GET.get("page"))
    # The page links keep every filter.
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "entries": selectors.directory_entries(page.object_list, bands),
        "filtered": any(filters.values()),
        "query_string": query.urlencode(),
    }
    return render(request, "assessments/profile_directory.html", context)
