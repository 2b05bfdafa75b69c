"""A lead publishes a submitted assessment's profile; anyone then reads its scores and type, never its evidence."""

from dataclasses import replace
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments import selectors
from assessments.models import Assessment
from assessments.services.assessments import (
    answers_save,
    assessment_publish,
    assessment_reopen,
    assessment_submit,
    framework_save,
)

from .wizard_helpers import fill_in, middle_value, started

pytestmark = pytest.mark.django_db

SECRET_NOTE = "Minutes of the closed budget meeting, item 7b (Pfeffer-Lindqvist)"
SECRET_LINK = "https://intranet.zurich.example/closed/strategy-draft.pdf"


@pytest.fixture
def submitted(city, lead):
    """Zürich's 2025 assessment, submitted, with a distinctive evidence note and framework link."""
    assessment = fill_in(started(city, lead, year=2025), lead)
    structure = selectors.questionnaire_structure(assessment.questionnaire)
    question = structure.questions_by_dimension[structure.dimensions[0].pk][0]
    note = replace(middle_value(question), evidence_note=SECRET_NOTE, evidence_url=SECRET_LINK)
    assert answers_save(assessment=assessment, user=lead, submitted={question.pk: (note, 1)}).conflicts == []
    element = assessment.questionnaire.framework[0]["key"]
    assert framework_save(assessment=assessment, user=lead, submitted={element: ("present", SECRET_LINK, 1)}) == []
    assessment_submit(assessment=assessment, user=lead)
    return Assessment.objects.select_related("result", "city").get(pk=assessment.pk)


def _publish_url(assessment):
    return reverse("assessment_publish", kwargs={"slug": assessment.city.slug, "pk": assessment.pk})


def _public_url(assessment, year=None):
    return reverse("public_profile", kwargs={"slug": assessment.city.slug, "year": year or assessment.year})


def _profile_url(assessment):
    return reverse("assessment_profile", kwargs={"slug": assessment.city.slug, "pk": assessment.pk})


def test_an_assessment_is_not_public_until_the_lead_publishes_it(client, lead, submitted):
    assert submitted.is_public is False
    assert client.get(_public_url(submitted)).status_code == 404

    client.force_login(lead)
    response = client.post(_publish_url(submitted), {"public": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == _profile_url(submitted)
    assert "The 2025 profile is public" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.is_public is True

    client.logout()
    assert client.get(_public_url(submitted)).status_code == 200


def test_the_lead_unpublishes_and_the_page_is_gone(client, lead, submitted):
    assessment_publish(assessment=submitted, public=True)
    client.force_login(lead)
    response = client.post(_publish_url(submitted), {"public": "0"}, follow=True)
    assert "no longer public" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.is_public is False
    client.logout()
    assert client.get(_public_url(submitted)).status_code == 404


@pytest.mark.parametrize("member", ["contributor", "viewer"])
def test_only_the_lead_may_publish(client, request, member, submitted):
    client.force_login(request.getfixturevalue(member))
    assert client.post(_publish_url(submitted), {"public": "1"}).status_code == 403
    submitted.refresh_from_db()
    assert submitted.is_public is False


def test_publishing_needs_a_post(client, lead, submitted):
    client.force_login(lead)
    assert client.get(_publish_url(submitted), {"public": "1"}).status_code == 405
    submitted.refresh_from_db()
    assert submitted.is_public is False


def test_a_draft_cannot_be_published(client, city, lead):
    draft = fill_in(started(city, lead, year=2025), lead)
    with pytest.raises(ValidationError, match="Only a submitted assessment can be published"):
        assessment_publish(assessment=draft, public=True)

    client.force_login(lead)
    response = client.post(_publish_url(draft), {"public": "1"}, follow=True)
    assert "Only a submitted assessment can be published" in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_public is False
    assert client.get(_public_url(draft)).status_code == 404


def test_an_unclear_choice_changes_nothing(client, lead, submitted):
    client.force_login(lead)
    response = client.post(_publish_url(submitted), {"public": "yes"}, follow=True)
    assert "Choose whether to publish" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.is_public is False


def test_the_public_page_is_only_for_the_published_year_and_city(client, submitted):
    assessment_publish(assessment=submitted, public=True)
    assert client.get(_public_url(submitted)).status_code == 200
    assert client.get(_public_url(submitted, year=2024)).status_code == 404
    assert client.get(reverse("public_profile", kwargs={"slug": "atlantis", "year": 2025})).status_code == 404


def test_a_reopened_assessment_is_not_public_until_submitted_again(client, lead, editor, submitted):
    assessment_publish(assessment=submitted, public=True)
    assessment_reopen(assessment=submitted, editor=editor, reason="A figure was wrong.")
    assert client.get(_public_url(submitted)).status_code == 404

    assessment_submit(assessment=submitted, user=lead)
    assert client.get(_public_url(submitted)).status_code == 200


def test_the_public_page_shows_the_index_scores_type_and_themes(client, submitted):
    assessment_publish(assessment=submitted, public=True)
    result = submitted.result
    profile = selectors.profile_data(Assessment.objects.select_related("questionnaire", "result").get(pk=submitted.pk))

    html = unescape(client.get(_public_url(submitted)).content.decode())

    assert "Openness profile of Zürich, 2025" in html
    assert str(result.openness_index) in html
    assert profile.index.band_label in html
    assert "<svg" in html
    for row in profile.dimensions:
        assert row.name in html and str(row.score) in html
    for theme in profile.policy_themes:
        assert theme.name in html and str(theme.score) in html
    assert len(profile.policy_themes) == 3
    assert profile.city_type.name in html
    assert result.explanation in html
    assert profile.runner_up.name in html


def test_the_public_page_never_shows_evidence_answers_or_staff(client, lead, submitted):
    assessment_publish(assessment=submitted, public=True)
    html = unescape(client.get(_public_url(submitted)).content.decode())
    assert SECRET_NOTE not in html and "Pfeffer-Lindqvist" not in html
    assert SECRET_LINK not in html and "intranet.zurich.example" not in html
    assert "Council decision 2024/17" not in html  # every other answer's evidence note
    assert lead.email not in html
    assert lead.get_full_name() not in html and lead.last_name not in html
    assert "Strategic framework review" not in html
    # The members' page of the same assessment does show the evidence link, so the test would notice a leak.
    client.force_login(lead)
    assert SECRET_LINK in client.get(_profile_url(submitted)).content.decode()


def test_the_public_page_lists_only_the_other_published_years(client, city, lead, submitted):
    older = fill_in(started(city, lead, year=2024), lead)
    assessment_submit(assessment=older, user=lead)
    assessment_publish(assessment=submitted, public=True)
    html = client.get(_public_url(submitted)).content.decode()
    assert _public_url(submitted, year=2024) not in html

    assessment_publish(assessment=older, public=True)
    html = client.get(_public_url(submitted)).content.decode()
    assert _public_url(submitted, year=2024) in html


def test_demonstration_data_is_labelled_on_the_public_page(client, submitted):
    assessment_publish(assessment=submitted, public=True)
    assert "demonstration data" not in client.get(_public_url(submitted)).content.decode()
    Assessment.objects.filter(pk=submitted.pk).update(is_demo=True)
    assert "demonstration data" in client.get(_public_url(submitted)).content.decode()


def test_the_lead_sees_the_publishing_panel_with_a_button_and_the_address(client, lead, submitted):
    client.force_login(lead)
    html = client.get(_profile_url(submitted)).content.decode()
    assert "Public profile" in html
    assert "Not public" in html
    assert "Publish this profile" in html and _publish_url(submitted) in html

    assessment_publish(assessment=submitted, public=True)
    html = client.get(_profile_url(submitted)).content.decode()
    assert "http://testserver" + _public_url(submitted) in html
    assert "Stop publishing this profile" in html


def test_other_members_see_only_whether_the_profile_is_public(client, contributor, submitted):
    client.force_login(contributor)
    html = client.get(_profile_url(submitted)).content.decode()
    assert "Not public" in html
    assert _publish_url(submitted) not in html

    assessment_publish(assessment=submitted, public=True)
    html = client.get(_profile_url(submitted)).content.decode()
    assert "Public: anyone can read" in html
    assert _publish_url(submitted) not in html


def test_the_public_address_shown_to_the_lead_is_on_site_url_not_the_host_header(client, lead, submitted, settings):
    settings.SITE_URL = "http://127.0.0.1:8100"
    assessment_publish(assessment=submitted, public=True)
    client.force_login(lead)
    html = client.get(_profile_url(submitted), HTTP_HOST="localhost").content.decode()
    assert ">http://127.0.0.1:8100" + _public_url(submitted) + "</a>" in html
    assert "localhost" not in html
