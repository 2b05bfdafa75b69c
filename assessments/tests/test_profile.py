"""The openness profile page of a submitted assessment, built through the real services."""

from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import selectors
from assessments.citytype import RULE_DESCRIPTIONS
from assessments.models import Assessment, AssessmentResult, DimensionScore
from assessments.scoring import AnswerValue, band, question_points
from assessments.services.assessments import (
    answers_save,
    assessment_reopen,
    assessment_start,
    assessment_submit,
    framework_save,
    profile_save,
)
from assessments.services.questionnaires import questionnaire_load
from opencities.vocabulary import CITY_TYPES

from .factories import CityFactory

QUESTIONNAIRE = Path(__file__).resolve().parents[1] / "questionnaires" / "opencities-1.0.toml"
TYPE_NAMES = {city_type.key: str(city_type.name) for city_type in CITY_TYPES}
BAND_WORDS = {"low": "low", "medium": "medium", "high": "high"}

# A small finance hub: rule 4 (metro below 2 M with a niche) makes it a niche hub.
ZURICH_PROFILE = {
    "metro_population": 1_400_000,
    "is_capital": False,
    "is_largest_city": True,
    "gawc_tier": "alpha",
    "niche": "finance",
    "past_role_declined": False,
    "declined_reason": "",
}


@pytest.fixture
def questionnaire(db):
    version, _created = questionnaire_load(text=QUESTIONNAIRE.read_text(encoding="utf-8"))
    return version


def _candidates(question):
    """Every answer worth trying for a question, as AnswerValues."""
    if question.kind == "choice":
        return [AnswerValue(option_keys=(option.key,)) for option in question.options.all()]
    if question.kind == "multi":
        keys = tuple(sorted(option.key for option in question.options.all()))
        return [AnswerValue(option_keys=(selectors.NONE_OF_THESE,)), AnswerValue(option_keys=keys)]
    if question.kind == "yesno":
        return [AnswerValue(yes=False), AnswerValue(yes=True)]
    edges = {question.min_value, question.max_value}
    for item in question.bands:
        if item["below"] is not None:
            edges |= {Decimal(item["below"]), Decimal(item["below"]) - 1}
    return [AnswerValue(number=edge) for edge in sorted(edges) if question.min_value <= edge <= question.max_value]


def _points(question, value):
    return question_points(selectors.question_spec(question), value)


def _answer(question, level):
    """The best ("top"), nearest 50 ("middle"), worst ("bottom") or Don't know answer, with evidence for top levels."""
    if level == "dont_know":
        return AnswerValue(dont_know=True)
    candidates = sorted(_candidates(question), key=lambda value: _points(question, value))
    if level == "middle":
        chosen = min(candidates, key=lambda value: abs(_points(question, value) - 50))
    else:
        chosen = candidates[-1] if level == "top" else candidates[0]
    return AnswerValue(
        option_keys=chosen.option_keys, number=chosen.number, yes=chosen.yes, evidence_note="Council report 2024."
    )


def submit_assessment(city, lead, year, levels=None, *, framework="present", profile=None, links=None):
    """Start, fill every step and submit; `levels` maps a dimension key to an answer level (see `_answer`)."""
    levels = levels or {}
    assessment, _notes = assessment_start(city=city, year=year, user=lead)
    structure = selectors.questionnaire_structure(assessment.questionnaire)
    submitted = {
        question.pk: (_answer(question, levels.get(dimension.key, "top")), 0)
        for dimension in structure.dimensions
        for question in structure.questions_by_dimension[dimension.pk]
    }
    assert answers_save(assessment=assessment, user=lead, submitted=submitted).conflicts == []
    assert profile_save(assessment=assessment, user=lead, values=profile or ZURICH_PROFILE, base_revision=0)
    statuses = framework if isinstance(framework, dict) else {}
    elements = {
        element["key"]: (
            statuses.get(element["key"], framework if isinstance(framework, str) else "absent"),
            (links or {}).get(element["key"], f"https://{city.slug}.example/{element['key']}"),
            0,
        )
        for element in assessment.questionnaire.framework
    }
    assert framework_save(assessment=assessment, user=lead, submitted=elements) == []
    assessment_submit(assessment=assessment, user=lead)
    return Assessment.objects.select_related("result").get(pk=assessment.pk)


def _url(assessment):
    return reverse("assessment_profile", kwargs={"slug": assessment.city.slug, "pk": assessment.pk})


class _Page(HTMLParser):
    """The tables of a page by caption (rows of cell texts), its text, and its <svg> elements' attributes."""

    def __init__(self):
        super().__init__()
        self.tables, self.svgs, self.svg_texts, self.text = {}, [], [], []
        self._caption = self._row = self._cell = None
        self._rows = []
        self._svg_depth = 0
        self._in_svg_text = False

    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self._svg_depth += 1
            self.svgs.append(dict(attrs))
        elif tag == "text" and self._svg_depth:
            self._in_svg_text = True
            self.svg_texts.append("")
        elif tag == "table":
            self._rows, self._caption = [], ""
        elif tag == "caption":
            self._cell = ""
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "svg":
            self._svg_depth -= 1
        elif tag == "text":
            self._in_svg_text = False
        elif tag == "caption":
            self._caption, self._cell = " ".join(self._cell.split()), None
        elif tag in ("td", "th") and self._row is not None:
            self._row.append(" ".join(self._cell.split()))
            self._cell = None
        elif tag == "tr":
            self._rows.append(self._row)
            self._row = None
        elif tag == "table":
            self.tables[self._caption] = self._rows

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell += data
        if self._in_svg_text:
            self.svg_texts[-1] += data

    def table(self, caption_start):
        (rows,) = [rows for caption, rows in self.tables.items() if caption.startswith(caption_start)]
        return rows[1:]  # without the header row

    @property
    def plain_text(self):
        return " ".join("".join(self.text).split())


def _page(client, user, assessment):
    client.force_login(user)
    response = client.get(_url(assessment))
    assert response.status_code == 200
    page = _Page()
    page.feed(response.content.decode())
    return page


@pytest.fixture
def zurich_2025(questionnaire, city, lead):
    return submit_assessment(
        city,
        lead,
        2025,
        {"welcome-entry": "bottom", "talent-education": "dont_know", "global-presence": "middle"},
        framework={"strategy": "present", "budget": "partial"},
    )


def test_the_profile_shows_the_index_every_dimension_score_and_its_band_in_words(client, viewer, zurich_2025):
    page = _page(client, viewer, zurich_2025)

    result = zurich_2025.result
    calibration = zurich_2025.questionnaire.calibration
    assert f"{result.openness_index} / 100" in page.plain_text
    assert page.plain_text.count("Openness index") >= 1
    rows = page.table("Dimension scores")
    expected = [
        [score.dimension.name, str(score.score), BAND_WORDS[band(score.score, calibration.bands)]]
        for score in DimensionScore.objects.filter(assessment=zurich_2025).select_related("dimension")
    ]
    assert len(expected) == 9
    assert rows == expected
    assert {"low", "high"} <= {row[2] for row in rows}
    assert ["Welcome & entry", "0.0", "low"] in rows


def test_the_profile_shows_the_three_policy_themes_and_the_completeness(client, viewer, zurich_2025):
    page = _page(client, viewer, zurich_2025)

    themes = page.table("The three OPENCities policy themes")
    assert [row[0] for row in themes] == ["Leadership & Governance", "Internationalisation", "Managing Diversity"]
    stored = zurich_2025.result.policy_themes
    assert [row[1] for row in themes] == [
        stored["leadership-governance"],
        stored["internationalisation"],
        stored["managing-diversity"],
    ]
    assert f"{zurich_2025.result.completeness} %" in page.plain_text


def test_the_profile_shows_the_city_type_why_and_the_runner_up(client, viewer, zurich_2025):
    page = _page(client, viewer, zurich_2025)

    result = zurich_2025.result
    assert result.city_type == "niche-hub"
    assert result.rule_fired == "small-with-niche"
    text = page.plain_text
    assert "Small hub with an international niche" in text
    assert str(RULE_DESCRIPTIONS["small-with-niche"]) in text
    assert " ".join(result.explanation.split()) in text
    assert result.runner_up != "niche-hub"
    assert f"Runner-up {TYPE_NAMES[result.runner_up]}" in text
    assert "Set by an editor" not in text


def test_the_radar_is_an_svg_image_with_the_nine_dimension_names(client, viewer, zurich_2025):
    page = _page(client, viewer, zurich_2025)

    radar = next(svg for svg in page.svgs if svg.get("aria-label", "").startswith("Radar chart"))
    assert radar["role"] == "img"
    assert "Zürich" in radar["aria-label"]
    labels = " ".join(page.svg_texts)
    names = [score.dimension.name for score in DimensionScore.objects.filter(assessment=zurich_2025)]
    assert len(names) == 9
    for name in names:
        assert name in labels
    assert not any("style" in svg for svg in page.svgs)


def test_the_framework_checklist_lists_twelve_elements_with_status_and_link(client, viewer, zurich_2025):
    page = _page(client, viewer, zurich_2025)

    rows = page.table("The twelve elements")
    assert len(rows) == 12
    assert rows[0] == [
        "Adopted openness or international strategy with goals",
        "Present",
        "Open the document for “Adopted openness or international strategy with goals”",
    ]
    assert rows[2][:2] == ["Budget", "Partial"]
    assert rows[-1][:2] == ["Evaluation and review cycle", "Absent"]


def test_a_framework_link_that_is_not_a_web_address_is_not_linked(client, questionnaire, city, lead, viewer):
    # The services refuse such links; a row written some other way must still never become a script link.
    assessment = submit_assessment(city, lead, 2025)
    assessment.framework_answers.filter(element="strategy").update(link="javascript:alert(1)")
    client.force_login(viewer)

    content = client.get(_url(assessment)).content.decode()

    assert "javascript:" not in content


def test_the_history_lists_every_submitted_year_with_index_and_type(client, questionnaire, city, lead, viewer):
    first = submit_assessment(city, lead, 2024, {"welcome-entry": "dont_know", "leadership-governance": "bottom"})
    second = submit_assessment(city, lead, 2025)

    page = _page(client, viewer, second)

    rows = page.table("Openness index and city type by year")
    assert [row[:4] for row in rows] == [
        [
            "2024",
            str(first.result.openness_index),
            "high" if first.result.openness_index >= 70 else "medium",
            TYPE_NAMES[first.result.effective_type],
        ],
        ["2025 (this profile)", str(second.result.openness_index), "high", TYPE_NAMES[second.result.effective_type]],
    ]
    assert first.result.openness_index < second.result.openness_index
    history = next(svg for svg in page.svgs if svg.get("aria-label", "").startswith("Line chart"))
    assert history["role"] == "img"
    assert {"2024", "2025", str(first.result.openness_index)} <= set(page.svg_texts)


def test_an_editors_override_shows_the_type_the_reason_and_what_the_rules_gave(client, viewer, zurich_2025):
    AssessmentResult.objects.filter(assessment=zurich_2025).update(
        override_type="secondary-city", override_reason="Zürich competes with Geneva, not with the world's capitals."
    )

    text = _page(client, viewer, zurich_2025).plain_text

    assert "Set by an editor" in text
    assert "Zürich competes with Geneva, not with the world's capitals." in text
    assert "City type Ambitious secondary city" in text
    assert "The typology's rules gave “Small hub with an international niche”." in text


def test_a_reopened_assessment_keeps_its_profile_marked_superseded_with_the_reason(client, viewer, editor, zurich_2025):
    assessment_reopen(assessment=zurich_2025, editor=editor, reason="The population figure was the canton's.")

    text = _page(client, viewer, zurich_2025).plain_text

    assert "Superseded: this assessment was reopened and is being revised." in text
    assert "The population figure was the canton's." in text
    assert "2025 (this profile) (reopened)" in text


def test_demonstration_data_is_labelled(client, viewer, zurich_2025):
    Assessment.objects.filter(pk=zurich_2025.pk).update(is_demo=True)

    assert "Demonstration data" in _page(client, viewer, zurich_2025).plain_text


def test_a_draft_shows_a_clear_message_and_the_review_link(client, questionnaire, city, lead, viewer):
    draft, _notes = assessment_start(city=city, year=2025, user=lead)
    client.force_login(viewer)

    response = client.get(_url(draft))

    assert response.status_code == 200
    content = response.content.decode()
    assert "has not been submitted yet, so there is no openness profile" in content
    assert reverse("assessment_review", kwargs={"slug": city.slug, "pk": draft.pk}) in content
    assert "<svg" not in content


def test_the_page_links_only_to_pages_that_exist(client, viewer, zurich_2025):
    client.force_login(viewer)
    content = client.get(_url(zurich_2025)).content.decode()

    assert reverse("assessment_list", kwargs={"slug": "zurich"}) in content
    assert reverse("assessment_review", kwargs={"slug": "zurich", "pk": zurich_2025.pk}) in content
    assert reverse("assessment_compare", kwargs={"slug": "zurich", "pk": zurich_2025.pk}) in content
    assert reverse("assessment_recommendations", kwargs={"slug": "zurich", "pk": zurich_2025.pk}) in content
    assert reverse("assessment_report", kwargs={"slug": "zurich", "pk": zurich_2025.pk}) in content


def test_a_member_of_another_city_gets_404(client, outsider, zurich_2025):
    client.force_login(outsider)

    assert client.get(_url(zurich_2025)).status_code == 404


def test_another_citys_assessment_under_this_citys_address_is_404(client, questionnaire, lead, zurich_2025):
    krakow = CityFactory(name="Kraków", slug="krakow-2")
    other, _notes = assessment_start(city=krakow, year=2025, user=lead)
    client.force_login(lead)

    response = client.get(reverse("assessment_profile", kwargs={"slug": "zurich", "pk": other.pk}))

    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, zurich_2025):
    response = client.get(_url(zurich_2025))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def _queries(client, assessment):
    """Queries of a repeated visit: the first after a submission also reads the peers' rows.

    See opencities/caching.py.
    """
    url = _url(assessment)
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_years(
    client, questionnaire, city, lead, viewer, django_assert_max_num_queries
):
    client.force_login(viewer)
    first = submit_assessment(city, lead, 2021)
    # Session, user, city with membership, assessment with its result, scores, framework, history, and the
    # peer line's groups (same type, then all cities: two queries each). The ceiling is 20.
    url = _url(first)
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
    one_year = _queries(client, first)

    submit_assessment(city, lead, 2022)
    third = submit_assessment(city, lead, 2023, {"connectivity-flows": "dont_know"})

    # The third year's "don't know" leaves a dimension low: its weakness reads the case studies (one query).
    assert _queries(client, third) == one_year + 1
    assert _queries(client, first) == one_year


@pytest.mark.parametrize("language", ["fr", "de", "es"])
def test_why_this_type_reads_in_the_readers_language(client, language):
    from django.utils import translation

    with translation.override(language):
        description = str(RULE_DESCRIPTIONS["ambitious-secondary"])
    assert (
        description
        != "The city is not its country's largest city and its metro population reaches the secondary-city threshold."
    )
