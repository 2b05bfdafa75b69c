"""Error pages in the site's layout, saying what happened and what to do next."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _


def _page(request, status, title, message):
    return render(request, "opencities/error.html", {"title": title, "message": message}, status=status)


def bad_request(request, exception=None):
    return _page(request, 400, _("Bad request"), _("The address or the form could not be understood."))


def permission_denied(request, exception=None):
    detail = str(exception) if exception and str(exception) else _("You do not have access to this page.")
    return _page(request, 403, _("Not allowed"), detail)


def page_not_found(request, exception=None):
    return _page(
        request,
        404,
        _("Page not found"),
        _(
            "There is no page at this address, or you do not have access to it. "
            "Check the address, or go to your cities."
        ),
    )


def server_error(request):
    # No context processors or database here: the failure may be in either.
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render())
