"""A submitted assessment's tailored recommendations, for the city's members."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from assessments import selectors as assessment_selectors
from assessments.access import city_role_required
from assessments.models import Assessment, Role

from .. import selectors
from ..models import RecommendationRule


def submitted_assessment(city, pk):
    """The city's submitted assessment, or a 404: reports are requested and sent only while it is submitted."""
    return get_object_or_404(
        Assessment.objects.select_related("questionnaire", "result", "city"),
        city=city,
        pk=pk,
        status=Assessment.Status.SUBMITTED,
    )


def assessment_with_result(city, pk):
    """The city's assessment with a result to show, or a 404: submitted, or reopened with its last result superseded.

    Reopening keeps the pages (and the links in earlier emails) answering, with the result marked superseded.
    """
    return get_object_or_404(
        assessment_selectors.assessments_with_result().select_related("questionnaire", "result", "city"),
        city=city,
        pk=pk,
    )


@require_safe
@city_role_required(Role.VIEWER)
def assessment_recommendations(request, pk, *, city, membership):
    assessment = assessment_with_result(city, pk)
    chosen = selectors.tailored(assessment)
    titles = {item.rule.key: item.rule.title for item in chosen.recommendations}
    by_priority = {}
    for item in chosen.recommendations:
        refs = [chosen.case_studies[slug] for slug in item.rule.case_study_slugs if slug in chosen.case_studies]
        by_priority.setdefault(item.rule.priority, []).append((item, refs))
    groups = [(RecommendationRule.Priority(priority).label, by_priority[priority]) for priority in sorted(by_priority)]
    return render(
        request,
        "recommendations/assessment_recommendations.html",
        {
            "city": city,
            "membership": membership,
            "assessment": assessment,
            "tailored": chosen,
            "groups": groups,
            "gaps": [(gap, [titles[key] for key in gap.closed_by if key in titles]) for gap in chosen.framework_gaps],
        },
    )
