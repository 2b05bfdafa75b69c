"""The openness profile of an assessment: the page a city's team reads after submitting."""

from dataclasses import replace

from django.shortcuts import get_object_or_404, render

from casestudies import selectors as casestudies_selectors

from .. import comparison, selectors
from ..access import city_role_required
from ..charts import index_history_svg, profile_radar_svg
from ..models import Assessment, Role
from ..peer_groups import default_comparison, radar_peer_line


@city_role_required(Role.VIEWER)
def assessment_profile(request, pk, *, city, membership):
    assessment = get_object_or_404(Assessment.objects.select_related("questionnaire", "result"), city=city, pk=pk)
    profile = selectors.profile_data(assessment)
    context = {"city": city, "membership": membership, "assessment": assessment, "profile": profile}
    if profile.result is not None and len(profile.dimensions) >= 3:
        peer_line = None
        # A reopened assessment's last result is compared as it was, marked superseded.
        if assessment.status == Assessment.Status.SUBMITTED or profile.result.is_superseded:
            default = default_comparison(assessment, {row.key: row.score for row in profile.dimensions})
            peer_line = radar_peer_line(assessment, default)
            context.update(_highlights(assessment, profile, default))
        context["peer_line_note"] = peer_line.note if peer_line else ""
        context["radar_svg"] = profile_radar_svg(profile, city, peer_line.medians if peer_line else None)
        context["history_svg"] = index_history_svg(profile, city)
    return render(request, "assessments/profile.html", context)


def _highlights(assessment, profile: selectors.Profile, default) -> dict:
    """Strengths and weaknesses in words; each weakness with up to three case studies that address it."""
    names = {row.key: row.name for row in profile.dimensions}
    comparisons = [replace(row, name=names[row.key]) for row in default.comparisons]
    strengths, weaknesses = comparison.strengths_and_weaknesses(comparisons, assessment.questionnaire.calibration.bands)
    case_studies = casestudies_selectors.for_weaknesses(
        [item.comparison.key for item in weaknesses], profile.result.effective_type
    )
    return {
        "highlights_group": default.group,
        "highlights_n": default.n,
        "strengths": [(item, comparison.gap_in_words(item)) for item in strengths],
        "weaknesses": [
            (item, comparison.gap_in_words(item), case_studies.get(item.comparison.key, [])) for item in weaknesses
        ],
    }
