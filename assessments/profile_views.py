from django.shortcuts import get_object_or_404, render

from .access import city_role_required
from .models import Assessment, Role


@city_role_required(Role.VIEWER)
def assessment_profile(request, pk, *, city, membership):
    assessment = get_object_or_404(Assessment.objects.select_related("result"), city=city, pk=pk)
    return render(request, "assessments/profile.html", {"city": city, "assessment": assessment})
