"""A city's own answers as spreadsheet rows, for sign-off inside the city administration.

The CSV follows the language of the page it is downloaded from (";" and decimal commas in French), since it is
opened to read and sign off, never imported back; the XLSX holds the points as numbers.
"""

from dataclasses import dataclass
from decimal import Decimal

import tablib
from django.utils import timezone
from django.utils.translation import gettext as _

from opencities.spreadsheets import csv_content, xlsx_content

from . import selectors
from .models import Answer, Assessment, FrameworkAnswer, FrameworkStatus, Niche, Question, QuestionKind
from .numbers import figure
from .scoring import question_points

SPREADSHEET_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class AnswerRow:
    step: str
    key: str
    text: str
    kind: str
    answer: str
    points: Decimal | None
    evidence_note: str
    evidence_link: str
    changed_by: str
    changed_at: str


def _person(user) -> str:
    return (user.get_full_name() or user.email) if user else ""


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _plain(value: Decimal) -> Decimal:
    """75.00 as 75 and 12.50 as 12.5, never 1E+2."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def answer_in_words(question: Question, answer: Answer | None) -> str:
    """The answer as the member chose it: option labels, Don't know, a number with its unit…"""
    value = selectors.answer_value(answer)
    return selectors.value_in_words(question, value) if value.is_answered else ""


def _points(question: Question, answer: Answer | None) -> Decimal | None:
    value = selectors.answer_value(answer)
    if not value.is_answered:
        return None
    try:
        points = question_points(selectors.question_spec(question), value)
    except (KeyError, ValueError):  # an answer the current questionnaire cannot score: show it, unscored
        return None
    return None if points is None else _plain(points)


def _yes_no(value: bool | None) -> str:
    return {True: _("Yes"), False: _("No")}.get(value, "")


def _profile_rows(assessment: Assessment) -> list[AnswerRow]:
    def label(name):
        text = str(Assessment._meta.get_field(name).verbose_name)
        return text[:1].upper() + text[1:]

    values = [
        (
            "metro_population",
            str(QuestionKind.NUMBER.label),
            "" if assessment.metro_population is None else str(assessment.metro_population),
        ),
        ("is_capital", str(QuestionKind.YESNO.label), _yes_no(assessment.is_capital)),
        ("is_largest_city", str(QuestionKind.YESNO.label), _yes_no(assessment.is_largest_city)),
        ("gawc_tier", str(QuestionKind.CHOICE.label), selectors.gawc_tier_name(assessment.gawc_tier)),
        ("niche", str(QuestionKind.CHOICE.label), str(dict(Niche.choices).get(assessment.niche, assessment.niche))),
        ("past_role_declined", str(QuestionKind.YESNO.label), _yes_no(assessment.past_role_declined)),
        ("declined_reason", _("Text"), assessment.declined_reason),
    ]
    by, at = _person(assessment.profile_updated_by), _when(assessment.profile_updated_at)
    return [
        AnswerRow(_("City profile"), name, label(name), kind, answer, None, "", "", by, at)
        for name, kind, answer in values
    ]


def _framework_rows(assessment: Assessment, framework_answers: dict[str, FrameworkAnswer]) -> list[AnswerRow]:
    points = assessment.questionnaire.calibration.framework_points
    statuses = dict(FrameworkStatus.choices)
    rows = []
    for element in selectors.questionnaire_structure(assessment.questionnaire).framework:  # the reader's language
        item = framework_answers.get(element["key"])
        status = item.status if item else ""
        rows.append(
            AnswerRow(
                step=_("Strategic framework"),
                key=element["key"],
                text=element["name"],
                kind=_("Present, partial or absent"),
                answer=str(statuses.get(status, status)),
                points=_plain(points[status]) if status in points else None,
                evidence_note="",
                evidence_link=item.link if item else "",
                changed_by=_person(item.answered_by) if item else "",
                changed_at=_when(item.updated_at) if item else "",
            )
        )
    return rows


def answer_rows(
    *,
    assessment: Assessment,
    structure: selectors.Structure,
    answers: dict[int, Answer],
    framework_answers: dict[str, FrameworkAnswer],
) -> list[AnswerRow]:
    """Every question in questionnaire order, then the city profile, then the framework review."""
    kinds = dict(QuestionKind.choices)
    rows = []
    for dimension in structure.dimensions:
        for question in structure.questions_by_dimension[dimension.pk]:
            answer = answers.get(question.pk)
            rows.append(
                AnswerRow(
                    step=dimension.name,
                    key=question.key,
                    text=question.text,
                    kind=str(kinds.get(question.kind, question.kind)),
                    answer=answer_in_words(question, answer),
                    points=_points(question, answer),
                    evidence_note=answer.evidence_note if answer else "",
                    evidence_link=answer.evidence_url if answer else "",
                    changed_by=_person(answer.answered_by) if answer else "",
                    changed_at=_when(answer.updated_at) if answer else "",
                )
            )
    return rows + _profile_rows(assessment) + _framework_rows(assessment, framework_answers)


def assessment_answer_rows(*, assessment: Assessment) -> list[AnswerRow]:
    """Read the assessment's answers with their authors (five queries) and lay them out as rows."""
    framework_answers = {item.element: item for item in assessment.framework_answers.select_related("answered_by")}
    return answer_rows(
        assessment=assessment,
        structure=selectors.questionnaire_structure(assessment.questionnaire),
        answers=selectors.answers_by_question(assessment),
        framework_answers=framework_answers,
    )


def answers_dataset(rows: list[AnswerRow]) -> tablib.Dataset:
    headers = [
        _("Step"),
        _("Question key"),
        _("Question"),
        _("Kind"),
        _("Answer"),
        _("Points"),
        _("Evidence note"),
        _("Evidence link"),
        _("Changed by"),
        _("Changed at"),
    ]
    dataset = tablib.Dataset(headers=[str(header) for header in headers], title=str(_("Answers")))
    for row in rows:
        dataset.append(
            [
                row.step,
                row.key,
                row.text,
                row.kind,
                row.answer,
                row.points,
                row.evidence_note,
                row.evidence_link,
                row.changed_by,
                row.changed_at,
            ]
        )
    return dataset


def spreadsheet_content(dataset: tablib.Dataset, fmt: str) -> bytes:
    """CSV in the language's convention (UTF-8 with a byte-order mark) or XLSX, formulas defused."""
    rows = [dataset.headers, *dataset]
    if fmt == "xlsx":
        return xlsx_content(rows, title=dataset.title)
    return csv_content(rows, number=lambda value: figure(value, grouped=False))
