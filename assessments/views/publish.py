"""Publishing an openness profile: the lead's choice, and the public page anyone may read."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors
from ..access import city_role_required
from ..models import Assessment, Role
from ..radar import radar_drawing, radar_svg
from ..services.assessments import assessment_publish as publish


@require_POST
@city_role_required(Role.LEAD)
def assessment_publish(request, pk, *, city, membership):
    assessment = get_object_or_404(Assessment, city=city, pk=pk)
    choice = request.POST.get("public")
    if choice not in ("0", "1"):
        messages.error(request, _("Choose whether to publish the profile or not."))
        return redirect(selectors.profile_url(assessment))
    try:
        publish(assessment=assessment, public=choice == "1")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(selectors.profile_url(assessment))
    if choice == "1":
        messages.success(
            request,
            _("The %(year)s profile is public: anyone with its address can read its scores and city type.")
            % {"year": assessment.year},
        )
    else:
        messages.success(request, _("The %(year)s profile is no longer public.") % {"year": assessment.year})
    return redirect(selectors.profile_url(assessment))


def public_profile(request, slug, year):
    profile = selectors.public_profile(slug=slug, year=year)
    if profile is None:
        # Drafts and unpublished results look exactly like a year with no assessment.
        raise Http404(_("No published profile for this city and year."))
    city = profile.assessment.city
    context = {
        "city": city,
        "assessment": profile.assessment,
        "profile": profile,
        "published_years": selectors.public_profile_years(city=city),
    }
    if len(profile.dimensions) >= 3:
        context["radar_svg"] = _radar(profile, city)
    return render(request, "assessments/public_profile.html", context)


def _radar(profile: selectors.Profile, city) -> str:
    drawing = radar_drawing(
        [row.name for row in profile.dimensions],
        [row.score for row in profile.dimensions],
        city_label=city.name,
        size=(560, 420),
        font_size=11,
    )
    title = _("Radar chart of the nine dimension scores of %(city)s, %(year)s, each on a scale of 0 to 100") % {
        "city": city.name,
        "year": profile.assessment.year,
    }
    summary = "; ".join(
        f"{row.name}: {row.score if row.score is not None else row.band_label}" for row in profile.dimensions
    )
    # The markup is built by our renderer with every label escaped.
    return mark_safe(radar_svg(drawing, title=title, description=summary, css_class="w-100 h-auto"))  # noqa: S308
