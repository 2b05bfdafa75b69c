"""Publishing an openness profile: the lead's choice, and the public page anyone may read."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors
from ..access import city_role_required
from ..charts import profile_radar_svg
from ..models import Assessment, Role
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
        context["radar_svg"] = profile_radar_svg(profile, city)
    return render(request, "assessments/public_profile.html", context)
