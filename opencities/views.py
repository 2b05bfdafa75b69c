from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from casestudies import selectors as case_studies_selectors

from .forms import NoticePreferencesForm
from .health import run_checks
from .languages import configured
from .method import JOURNEY, policy_theme_rows
from .models import MEMBER_KINDS
from .notices import language_save, preferences_of, preferences_save
from .vocabulary import CITY_TYPES, DIMENSIONS


def home(request):
    context = {"city_types": CITY_TYPES, "journey": JOURNEY, "latest_case_studies": case_studies_selectors.latest()}
    return render(request, "opencities/home.html", context)


def about_method(request):
    return render(
        request,
        "opencities/about_method.html",
        {
            "city_types": CITY_TYPES,
            "dimensions": DIMENSIONS,
            "journey": JOURNEY,
            "policy_themes": policy_theme_rows(),
        },
    )


@login_required
def notice_preferences(request):
    """Which emails about their cities' work the account receives, and in which language."""
    preferences = preferences_of(request.user)
    if request.method == "POST":
        form = NoticePreferencesForm(request.POST)
        if form.is_valid():
            preferences_save(
                user=request.user,
                language=form.cleaned_data["language"],
                wanted_kinds=form.cleaned_data["wanted_kinds"],
            )
            messages.success(request, _("Your email preferences are saved."))
            return redirect("notice_preferences")
    else:
        wanted = [kind for kind in MEMBER_KINDS if preferences.wants(kind)]
        form = NoticePreferencesForm(initial={"wanted_kinds": wanted, "language": preferences.language})
    return render(request, "accounts/notice_preferences.html", {"form": form})


@require_POST
def language_choose(request):
    """The header's language switcher: the same page in the chosen language, and the choice kept on the account.

    Django's set_language checks `next` against this site and translates its path (/en/… to /fr/…); it also keeps
    the choice in a cookie for visitors. A language that is not configured changes nothing.
    """
    response = set_language(request)
    language = request.POST.get("language", "")
    if configured(language) and request.user.is_authenticated:
        language_save(user=request.user, language=language)
    return response


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico where no page names an icon (a PDF, a JSON answer); every page links the SVG."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


@never_cache
@require_GET
def healthz(request):
    results = run_checks()
    healthy = all(passed for passed, _detail in results.values())
    body = {
        "status": "ok" if healthy else "fail",
        "checks": {name: {"ok": passed, "detail": detail} for name, (passed, detail) in results.items()},
    }
    if not healthy:
        body["failing"] = [name for name, (passed, _detail) in results.items() if not passed]
    return JsonResponse(body, status=200 if healthy else 503)


def csrf_failure(request, reason=""):
    return render(
        request,
        "opencities/error.html",
        {
            "title": _("The form could not be sent"),
            "message": _(
                "Your browser sent the form without its security token, or the page was open too long. "
                "Go back, reload the page and send the form again. Your browser must accept cookies from this site."
            ),
        },
        status=403,
    )
