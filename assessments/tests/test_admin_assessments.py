"""Editors read assessments and questionnaire versions, reopen with a reason, set a city type, export results."""

import csv
import io

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Assessment, AssessmentResult, QuestionnaireVersion, Reopening
from assessments.services.assessments import assessment_submit
from opencities.vocabulary import city_type_name

from .factories import CityFactory, MembershipFactory, UserFactory
from .wizard_helpers import fill_in, started

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _submitted(city, user, year=2025):
    assessment = fill_in(started(city, user, year=year), user)
    assessment_submit(assessment=assessment, user=user)
    assessment.refresh_from_db()
    return assessment


@pytest.fixture
def submitted(city, lead):
    return _submitted(city, lead)


def _admin_url(name, *args):
    return reverse(f"admin:assessments_assessment_{name}", args=args)


def test_the_change_page_shows_the_result_read_only_with_the_editor_actions(client, editor, submitted):
    client.force_login(editor)
    page = client.get(_admin_url("change", submitted.pk)).content.decode()

    assert "Reopen with a reason" in page
    assert "Override the city type" in page
    assert str(submitted.result.openness_index) in page
    assert submitted.result.explanation.split(",")[0] in page
    assert 'name="_save"' not in page  # nothing to edit here
    assert "Council decision 2024/17" in page  # the answers, with their evidence


def test_editor_reopens_with_a_reason(client, editor, submitted):
    client.force_login(editor)
    url = _admin_url("reopen", submitted.pk)
    assert "Reason for reopening" in client.get(url).content.decode()

    response = client.post(url, {"reason": "  The population figure is from 1990; please update it.  "})

    assert response.status_code == 302 and response.url == _admin_url("change", submitted.pk)
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.DRAFT
    assert AssessmentResult.objects.get(assessment=submitted).is_superseded
    reopening = Reopening.objects.get(assessment=submitted)
    assert reopening.reason == "The population figure is from 1990; please update it."
    assert reopening.reopened_by == editor
    assert LogEntry.objects.filter(object_id=str(submitted.pk), change_message__contains="1990").exists()
    page = client.get(response.url).content.decode()
    assert "is open again" in page
    assert "The population figure is from 1990" in page  # in the reopening history
    assert "Reopen with a reason" not in page  # a draft cannot be reopened


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_empty_reason_is_refused_and_nothing_changes(client, editor, submitted, reason):
    client.force_login(editor)
    response = client.post(_admin_url("reopen", submitted.pk), {"reason": reason})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.SUBMITTED
    assert not submitted.result.is_superseded
    assert not Reopening.objects.exists()


def test_reopening_a_draft_shows_why_not(client, editor, city, lead):
    draft = started(city, lead, year=2025)
    client.force_login(editor)
    response = client.post(_admin_url("reopen", draft.pk), {"reason": "Try"})

    assert response.status_code == 200
    assert "Only a submitted assessment can be reopened." in response.content.decode()
    assert not Reopening.objects.exists()


def test_staff_who_may_only_view_assessments_cannot_reopen(client, submitted):
    reader = UserFactory(email="reader@bak.test", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_assessment"))
    client.force_login(reader)

    assert client.get(_admin_url("change", submitted.pk)).status_code == 200
    assert client.post(_admin_url("reopen", submitted.pk), {"reason": "Because"}).status_code == 403
    assert (
        client.post(_admin_url("city_type", submitted.pk), {"city_type": "mega-city", "reason": "x"}).status_code == 403
    )
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.SUBMITTED


def test_editor_cannot_add_change_or_delete_assessments(client, editor, submitted):
    client.force_login(editor)

    assert client.get(_admin_url("add")).status_code == 403
    assert client.get(_admin_url("delete", submitted.pk)).status_code == 403
    assert client.post(_admin_url("change", submitted.pk), {"year": "1999"}).status_code == 403
    changelist = client.get(_admin_url("changelist")).content.decode()
    assert "delete_selected" not in changelist
    submitted.refresh_from_db()
    assert submitted.year == 2025


def test_editor_overrides_the_city_type_with_a_reason(client, editor, submitted):
    computed = submitted.result.city_type
    new_type = "historic-world-city" if computed != "historic-world-city" else "mega-city"
    client.force_login(editor)
    url = _admin_url("city_type", submitted.pk)
    assert "The computed type" in client.get(url).content.decode()

    response = client.post(url, {"city_type": new_type, "reason": "Seat of the League of Nations until 1946."})

    assert response.status_code == 302
    result = AssessmentResult.objects.get(assessment=submitted)
    assert (result.override_type, result.overridden_by) == (new_type, editor)
    assert result.override_reason == "Seat of the League of Nations until 1946."
    assert result.city_type == computed and result.effective_type == new_type
    page = client.get(_admin_url("change", submitted.pk)).content.decode()
    assert "Seat of the League of Nations until 1946." in page
    assert "Historic world city" in page or "mega-city" in page.lower()
    listing = client.get(_admin_url("changelist"), {"city_type": new_type}).content.decode()
    assert "set by an editor" in listing and "Zürich" in listing
    assert "Zürich" not in client.get(_admin_url("changelist"), {"city_type": computed}).content.decode()


def test_the_confirmation_names_the_type_just_set(client, editor, submitted):
    computed = submitted.result.city_type
    new_type = "secondary-city" if computed != "secondary-city" else "niche-hub"
    client.force_login(editor)

    response = client.post(_admin_url("city_type", submitted.pk), {"city_type": new_type, "reason": "Why"}, follow=True)

    name = city_type_name(new_type).name
    assert [str(m) for m in response.context["messages"]] == [f"The city type is now “{name}”."]
    assert LogEntry.objects.get(change_message__startswith="City type set to").change_message.startswith(
        f"City type set to {name}:"
    )


def test_going_back_to_the_computed_type_needs_a_reason_too(client, editor, submitted):
    AssessmentResult.objects.filter(assessment=submitted).update(override_type="mega-city", override_reason="Size")
    client.force_login(editor)
    url = _admin_url("city_type", submitted.pk)

    refused = client.post(url, {"city_type": "", "reason": ""})
    assert refused.status_code == 200 and "This field is required." in refused.content.decode()
    assert AssessmentResult.objects.get(assessment=submitted).override_type == "mega-city"

    client.post(url, {"city_type": "", "reason": "The rules were right after all."})
    result = AssessmentResult.objects.get(assessment=submitted)
    assert (result.override_type, result.override_reason, result.overridden_by) == ("", "", None)
    assert LogEntry.objects.filter(change_message__contains="right after all").exists()


def _export(client, fmt_index, params=""):
    url = _admin_url("export") + params
    assert client.get(url).status_code == 200
    return client.post(url, {"format": str(fmt_index), "resource": "0"})


def test_export_csv_has_a_row_per_submitted_assessment_with_its_scores(client, editor, submitted, outsider):
    started(outsider.memberships.get().city, outsider, year=2025)  # a draft: not exported
    client.force_login(editor)
    response = _export(client, 0)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel reads the accents in Zürich
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    row, result = rows[0], submitted.result
    assert row["city"] == "Zürich" and row["country"] == "Switzerland" and row["region"] == "Europe"
    assert (row["year"], row["questionnaire_version"], row["status"]) == ("2025", "1.0", "submitted")
    assert row["openness_index"] == str(result.openness_index)
    assert row["completeness"] == str(result.completeness)
    assert row["computed_type"] == result.city_type == row["effective_type"]
    assert (row["rule"], row["runner_up"], row["is_demo"]) == (result.rule_fired, result.runner_up, "no")
    theme_columns = [name for name in row if name.startswith("theme:")]
    assert theme_columns == ["theme:internationalisation", "theme:leadership-governance", "theme:managing-diversity"]
    assert {name: row[name] for name in theme_columns} == {
        f"theme:{key}": "" if value is None else value for key, value in result.policy_themes.items()
    }
    dimension_columns = [name for name in row if name.startswith("dimension:")]
    assert len(dimension_columns) == 9 and dimension_columns[0] == "dimension:international-population"
    scores = {s.dimension.key: str(s.score) for s in submitted.dimension_scores.select_related("dimension")}
    assert {name.removeprefix("dimension:"): row[name] for name in dimension_columns} == scores


def test_export_follows_the_list_filters(client, editor, submitted, outsider):
    _submitted(outsider.memberships.get().city, outsider)
    client.force_login(editor)
    rows = list(csv.DictReader(io.StringIO(_export(client, 0, "?q=Krak").content.decode("utf-8-sig"))))
    assert [row["city"] for row in rows] == ["Kraków"]


def test_export_xlsx_opens_as_a_workbook(client, editor, submitted):
    client.force_login(editor)
    response = _export(client, 1)

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    openpyxl = pytest.importorskip("openpyxl")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["city"] == "Zürich"
    assert float(record["openness_index"]) == float(submitted.result.openness_index)


def test_a_city_name_that_looks_like_a_formula_is_defused(client, editor):
    lead = MembershipFactory(role="lead", city=CityFactory(name='=HYPERLINK("https://evil.example","x")')).user
    _submitted(lead.memberships.get().city, lead)
    client.force_login(editor)
    rows = list(csv.DictReader(io.StringIO(_export(client, 0).content.decode("utf-8-sig"))))
    assert rows[0]["city"] == '\'=HYPERLINK("https://evil.example","x")'


def test_export_queries_do_not_grow_with_the_number_of_assessments(client, editor, submitted, outsider):
    client.force_login(editor)
    url = _admin_url("export")
    with CaptureQueriesContext(connection) as one:
        assert client.post(url, {"format": "0", "resource": "0"}).status_code == 200
    _submitted(outsider.memberships.get().city, outsider)
    _submitted(CityFactory(name="Lyon"), outsider.memberships.get().user, year=2024)
    with CaptureQueriesContext(connection) as three:
        response = client.post(url, {"format": "0", "resource": "0"})
    assert response.content.decode("utf-8-sig").count("\n") == 4  # the header and three assessments
    assert len(three) == len(one)


def test_questionnaire_versions_are_read_only_with_their_structure_and_calibration(client, editor, submitted):
    version = QuestionnaireVersion.objects.get()
    client.force_login(editor)

    listing = client.get(reverse("admin:assessments_questionnaireversion_changelist")).content.decode()
    assert '<td class="field-question_count">54</td>' in listing
    page = client.get(reverse("admin:assessments_questionnaireversion_change", args=[version.pk])).content.decode()
    question = version.questions.order_by("dimension__position", "position").first()
    assert question.key in page
    option = version.questions.filter(kind="choice").first().options.last()
    assert f"{option.label} <code>{option.key}</code>: {option.points:.0f}" in page
    assert "&quot;evidence_required_from&quot;: 75" in page  # the calibration, pretty-printed
    assert 'name="_save"' not in page
    assert client.get(reverse("admin:assessments_questionnaireversion_add")).status_code == 403
    assert client.get(reverse("admin:assessments_questionnaireversion_delete", args=[version.pk])).status_code == 403


def test_scores_in_the_admin_keep_their_one_decimal_as_on_the_site(client, editor, submitted):
    from decimal import Decimal

    type(submitted.result).objects.filter(pk=submitted.result.pk).update(openness_index=Decimal("55"))
    client.force_login(editor)
    listing = client.get(_admin_url("changelist")).content.decode()
    assert "55.0" in listing
    assert "55.0" in client.get(_admin_url("change", submitted.pk)).content.decode()
