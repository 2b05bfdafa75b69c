"""Numbers in each language, as members meet them: typed in the wizard, shown on pages and in emails, downloaded
as CSV (the language's list separator and decimal mark) or XLSX (numbers as numbers); editors' files stay one way.
"""

import csv
import io
import re
from decimal import Decimal
from html import unescape

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from assessments import selectors
from assessments.models import Answer, Assessment, AssessmentResult
from assessments.notices import submission_event, team_notice_add
from assessments.numbers import UnclearNumber, number_read
from assessments.resources import AssessmentResultResource
from opencities import spreadsheets

from .compare_helpers import DIMENSIONS, peer_city, scored_assessment
from .test_wizard import form_data, questions_of, step_url
from .wizard_helpers import started

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def _in(language, name, **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def _typed(html, name):
    """The value a text box shows."""
    return unescape(re.search(rf'<input[^>]* name="{name}"[^>]* value="([^"]*)"', html)[1])


def _refusal(language, typed, decimals=2):
    """What the reader says of `typed` in `language`: the page must say the same."""
    with translation.override(language), pytest.raises(UnclearNumber) as refused:
        number_read(typed, decimals=decimals)
    return str(refused.value)


def _dimension_name(assessment, language, key="welcome-entry"):
    with translation.override(language):
        return str(selectors.questionnaire_structure(assessment.questionnaire).dimension(key).name)


def _number_question(assessment):
    return next(q for q in questions_of(assessment, "international-population") if q.kind == "number")


def _step(language, assessment, step):
    with translation.override(language):
        return step_url(assessment, step)


# --- The wizard reads and shows numbers the language's way ---


def test_a_french_decimal_comma_is_saved_as_the_number_and_shown_back_with_a_comma(client, city, lead):
    assessment = started(city, lead)
    client.force_login(lead)
    number = _number_question(assessment)
    url = _step("fr", assessment, "international-population")
    page = client.get(url)
    assert client.post(url, {**form_data(page.content), number.key: "1,2"}).status_code == 302

    assert Answer.objects.get(assessment=assessment, question=number).number == Decimal("1.2")
    html = client.get(url).content.decode()
    assert _typed(html, number.key) == "1,2"
    # The hidden copy of what the page showed stays in the data format: switching language changes nothing.
    assert '"number":"1.2"' in unescape(html)
    english = client.get(_step("en", assessment, "international-population"))
    assert _typed(english.content.decode(), number.key) == "1.2"
    data = {**form_data(english.content), number.key: "1.2"}
    assert client.post(_step("en", assessment, "international-population"), data).status_code == 302
    assert Answer.objects.get(assessment=assessment, question=number).revision == 1  # nothing saved again


@pytest.mark.parametrize(
    ("language", "typed", "saved"),
    [
        ("fr", "12,25", Decimal("12.25")),
        ("fr", "1.5", Decimal("1.5")),  # a point French does not use, with one meaning only
        ("fr", "1.234", None),  # 1,234 or 1 234?
        ("fr", "1,234.5", None),  # an English number on a French page
        ("fr", "1,234", None),  # 1,234 in French: three decimals, one too many
        ("en", "12,345.5", None),  # read as 12345.5: out of the question's range, and said so
        ("en", "1.234,5", None),
        ("en", "1,2", None),  # was read as 12 once
        ("en", "2.125", None),
    ],
)
def test_a_typed_number_is_read_as_the_language_means_it_or_refused_and_kept_as_typed(
    client, city, lead, language, typed, saved
):
    assessment = started(city, lead)
    client.force_login(lead)
    number = _number_question(assessment)  # a percentage, from 0 to 100
    url = _step(language, assessment, "international-population")
    response = client.post(url, {**form_data(client.get(url).content), number.key: typed})
    stored = Answer.objects.filter(assessment=assessment, question=number).first()
    if saved is not None:
        assert response.status_code == 302 and stored.number == saved
        return
    html = unescape(response.content.decode())
    if typed == "12,345.5":
        with translation.override(language):
            assert str(_("Enter a number from %(min)s to %(max)s%(unit)s.")).split("%")[0] in html
    else:
        assert _refusal(language, typed) in html
    assert _typed(response.content.decode(), number.key) == typed and stored is None


def test_the_french_profile_step_reads_and_shows_a_population_the_french_way(client, city, lead):
    assessment = started(city, lead)
    client.force_login(lead)
    url = _step("fr", assessment, "profile")
    page = client.get(url)
    for typed, population in (("1 350 000", 1_350_000), ("1.350.000", 1_350_000), (f"2{NBSP}400{NBSP}000", 2_400_000)):
        assert client.post(url, {**form_data(page.content), "metro_population": typed}).status_code == 302
        assessment.refresh_from_db()
        assert assessment.metro_population == population
        page = client.get(url)
        assert _typed(page.content.decode(), "metro_population") == str(population)  # no grouping to edit around
    refused = client.post(url, {**form_data(page.content), "metro_population": "1.350"})
    assert _refusal("fr", "1.350", decimals=0) in unescape(refused.content.decode())  # 1,35 or 1 350?
    assert _typed(refused.content.decode(), "metro_population") == "1.350"
    assessment.refresh_from_db()
    assert assessment.metro_population == 2_400_000


# --- Pages and emails show numbers the language's way ---


@pytest.fixture
def scored(city, lead):
    return scored_assessment(city, 2026, {**dict.fromkeys(DIMENSIONS, "49.5"), "welcome-entry": "62.25"}, index="49.5")


def test_the_french_profile_writes_scores_with_a_decimal_comma(client, lead, scored):
    client.force_login(lead)
    html = client.get(_in("fr", "assessment_profile", slug=scored.city.slug, pk=scored.pk)).content.decode()
    assert "49,5" in html and "49.5" not in html
    english = client.get(_in("en", "assessment_profile", slug=scored.city.slug, pk=scored.pk)).content.decode()
    assert "49.5" in english and "49,5" not in english


@pytest.fixture
def peers(scored):
    return [
        scored_assessment(
            peer_city(f"Peer {n}", region="europe"), 2025, {**dict.fromkeys(DIMENSIONS, 60), "welcome-entry": w}
        )
        for n, w in enumerate([40, 50, Decimal("50.5"), 60, 90])
    ]


def test_the_french_compare_page_writes_its_figures_with_a_decimal_comma(client, lead, scored, peers):
    client.force_login(lead)
    html = client.get(_in("fr", "assessment_compare", slug=scored.city.slug, pk=scored.pk) + "?group=all")
    text = unescape(html.content.decode())
    assert "49,5" in text and "50,5" in text
    assert f"1{NBSP}200{NBSP}000" in text  # the population, grouped as French groups it
    assert "points au-dessus de la médiane du groupe de comparaison (50,5)" in text  # in words, French marks
    assert "49.5" not in text


def _compare_download(client, assessment, language, name):
    return client.get(_in(language, name, slug=assessment.city.slug, pk=assessment.pk) + "?group=all")


def test_the_french_compare_csv_has_semicolons_and_decimal_commas_the_english_commas_and_points(
    client, lead, scored, peers
):
    client.force_login(lead)
    french = _compare_download(client, scored, "fr", "assessment_compare_csv")
    assert french.content.startswith("\ufeff".encode())  # UTF-8 with a byte-order mark, for Excel
    rows = list(csv.reader(io.StringIO(french.content.decode("utf-8-sig")), delimiter=";"))
    welcome = next(row for row in rows if row and row[0] == _dimension_name(scored, "fr"))
    assert welcome[1:4] == ["62,3", "50,5", "50,0"]  # 62.25 rounds half up, as on the page

    english = _compare_download(client, scored, "en", "assessment_compare_csv")
    rows = list(csv.reader(io.StringIO(english.content.decode("utf-8-sig"))))
    assert next(row for row in rows if row and row[0] == "Welcome & entry")[1:4] == ["62.3", "50.5", "50.0"]
    assert ["Cities in the group (n)", "5"] in rows


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_compare_xlsx_holds_the_same_figures_as_numbers(client, lead, scored, peers, language):
    client.force_login(lead)
    response = _compare_download(client, scored, language, "assessment_compare_xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="opencities-zurich-2026-compare-all.xlsx"' in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][1] == "Zürich"
    welcome = next(row for row in rows if row[0] == _dimension_name(scored, language))
    assert welcome[1:4] == [62.3, 50.5, 50]
    assert all(isinstance(value, int | float) for value in welcome[1:4])


@pytest.mark.parametrize(("language", "words"), [("en", "commas between columns, decimal points"), ("fr", "")])
def test_the_download_links_say_how_the_csv_is_written(client, lead, scored, peers, language, words):
    client.force_login(lead)
    html = unescape(
        client.get(_in(language, "assessment_compare", slug=scored.city.slug, pk=scored.pk)).content.decode()
    )
    with translation.override(language):
        from opencities.spreadsheets import csv_convention

        assert csv_convention().in_words in html and words in html
    assert _in(language, "assessment_compare_xlsx", slug=scored.city.slug, pk=scored.pk) in html


def test_the_french_answer_export_follows_french_conventions_and_the_xlsx_keeps_numbers(client, city, lead):
    assessment = started(city, lead)
    client.force_login(lead)
    number = _number_question(assessment)
    url = _step("fr", assessment, "international-population")
    client.post(url, {**form_data(client.get(url).content), number.key: "12,5"})

    csv_file = client.get(_in("fr", "assessment_export", slug=city.slug, pk=assessment.pk, fmt="csv"))
    rows = list(csv.reader(io.StringIO(csv_file.content.decode("utf-8-sig")), delimiter=";"))
    row = next(row for row in rows if number.key in row)
    assert f"12,5 {number.unit}".strip() in row  # the answer in words, the French way
    xlsx = client.get(_in("fr", "assessment_export", slug=city.slug, pk=assessment.pk, fmt="xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    _headers, *rows = sheet.iter_rows(values_only=True)
    points = next(row for row in rows if number.key in row)[5]
    assert isinstance(points, int | float)


def test_the_result_email_writes_the_index_in_the_recipients_language(city, lead, scored, mailoutbox):
    from opencities.models import Notice
    from opencities.notices import language_save, notice_send

    language_save(user=lead, language="fr")
    (notice,) = team_notice_add(
        city=city, kind=Notice.Kind.RESULT_READY, event=submission_event(scored), object_id=scored.pk
    )
    assert notice_send(notice_id=notice.pk)
    assert "49,5" in mailoutbox[-1].body and "49.5" not in mailoutbox[-1].body


# --- Editors' files stay one way whatever the editor's language ---


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_editors_results_export_writes_points_and_commas_in_every_language(scored, language):
    AssessmentResult.objects.filter(assessment=scored).update(completeness=Decimal("87.5"))
    with translation.override(language):
        dataset = AssessmentResultResource().export(queryset=Assessment.objects.all())
        content = spreadsheets.CSV().export_data(dataset)
    row = next(csv.DictReader(io.StringIO(content)))  # commas between columns
    assert (row["openness_index"], row["completeness"]) == ("49.5", "87.5")
