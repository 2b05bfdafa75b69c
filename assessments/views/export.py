"""Downloads and printouts: a city's own answers as a spreadsheet, and the blank questionnaire for paper."""

from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from .. import selectors
from ..access import city_role_required
from ..answer_export import SPREADSHEET_FORMATS, answers_dataset, assessment_answer_rows, spreadsheet_content
from ..models import Assessment, GawcTier, Niche, Question, QuestionnaireVersion, Role
from ..numbers import figure


@city_role_required(Role.VIEWER)
def assessment_export(request, pk, fmt, *, city, membership):
    if fmt not in SPREADSHEET_FORMATS:
        raise Http404(_("Answers can be downloaded as csv or xlsx."))
    assessment = get_object_or_404(
        Assessment.objects.select_related("questionnaire", "profile_updated_by"), city=city, pk=pk
    )
    content = spreadsheet_content(answers_dataset(assessment_answer_rows(assessment=assessment)), fmt)
    response = HttpResponse(content, content_type=SPREADSHEET_FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{city.slug}-{assessment.year}-answers.{fmt}"'
    # The answers are the city's own until it publishes them: no shared cache keeps a copy.
    patch_cache_control(response, private=True, no_store=True)
    return response


@dataclass(frozen=True)
class PrintedQuestion:
    number: str
    question: Question
    bands: list[str]


def _plain(value) -> str:
    return figure(value)


def band_descriptions(question: Question) -> list[str]:
    """A number question's scoring bands in words: “5 to under 10 %: 25 points”."""
    unit = f" {question.unit}" if question.unit else ""
    descriptions, lower = [], None
    for band in question.bands:
        below, points = band["below"], _plain(band["points"])
        if below is None:
            text = _("%(low)s%(unit)s or more") % {"low": _plain(lower), "unit": unit} if lower else _("any value")
        elif lower is None:
            text = _("under %(high)s%(unit)s") % {"high": _plain(below), "unit": unit}
        else:
            text = _("%(low)s to under %(high)s%(unit)s") % {"low": _plain(lower), "high": _plain(below), "unit": unit}
        descriptions.append(_("%(range)s: %(points)s points") % {"range": text, "points": points})
        lower = below
    return descriptions


def questionnaire_print(request, version):
    versions = QuestionnaireVersion.objects.all()
    if not request.user.is_staff:
        versions = versions.exclude(status=QuestionnaireVersion.Status.DRAFT)
    questionnaire = get_object_or_404(versions, version=version)
    structure = selectors.questionnaire_structure(questionnaire)
    steps = [
        (
            position,
            dimension,
            [
                PrintedQuestion(f"{position}.{number}", question, band_descriptions(question))
                for number, question in enumerate(structure.questions_by_dimension[dimension.pk], start=1)
            ],
        )
        for position, dimension in enumerate(structure.dimensions, start=1)
    ]
    calibration = questionnaire.calibration
    return render(
        request,
        "assessments/questionnaire_print.html",
        {
            "questionnaire": questionnaire,
            "title": structure.title,
            "framework": structure.framework,
            "steps": steps,
            "question_count": sum(len(questions) for _position, _dimension, questions in steps),
            "gawc_tiers": [label for value, label in GawcTier.choices],
            "niches": [label for value, label in Niche.choices],
            "evidence_required_from": _plain(calibration.evidence_required_from),
            "framework_points": {status: _plain(points) for status, points in calibration.framework_points.items()},
        },
    )
