"""The openness profile of an assessment: the page a city's team reads after submitting."""

from dataclasses import replace

from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from casestudies import selectors as casestudies_selectors

from .. import comparison, selectors
from ..access import city_role_required
from ..models import Assessment, Role
from ..peer_groups import default_comparison, radar_peer_line
from ..radar import index_history_drawing, radar_drawing, radar_svg


@city_role_required(Role.VIEWER)
def assessment_profile(request, pk, *, city, membership):
    assessment = get_object_or_404(Assessment.objects.select_related("questionnaire", "result"), city=city, pk=pk)
    profile = selectors.profile_data(assessment)
    context = {"city": city, "membership": membership, "assessment": assessment, "profile": profile}
    if profile.result is not None and len(profile.dimensions) >= 3:
        peer_line = None
        if assessment.status == Assessment.Status.SUBMITTED:
            default = default_comparison(assessment, {row.key: row.score for row in profile.dimensions})
            peer_line = radar_peer_line(assessment, default)
            context.update(_highlights(assessment, profile, default))
        context["peer_line_note"] = peer_line.note if peer_line else ""
        context["radar_svg"] = _radar(profile, city, peer_line.medians if peer_line else None)
        context["history_svg"] = _history(profile, city)
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


def _radar(profile: selectors.Profile, city, peer_medians=None) -> str:
    drawing = radar_drawing(
        [row.name for row in profile.dimensions],
        [row.score for row in profile.dimensions],
        [peer_medians.get(row.key) for row in profile.dimensions] if peer_medians else None,
        city_label=city.name,
        peer_label=_("Peer median"),
        # A screen shows the chart smaller than a printed page does, so the labels are larger than in the PDF.
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


def _history(profile: selectors.Profile, city) -> str:
    drawing = index_history_drawing(
        [(str(row.year), row.openness_index) for row in profile.history], size=(560, 200), font_size=10
    )
    title = _("Line chart of the openness index of %(city)s by year, on a scale of 0 to 100") % {"city": city.name}
    summary = "; ".join(
        f"{row.year}: {row.openness_index if row.openness_index is not None else _('not scored')}"
        for row in profile.history
    )
    return mark_safe(radar_svg(drawing, title=title, description=summary, css_class="w-100 h-auto"))  # noqa: S308
