"""A reopened assessment: its last result stays readable, marked superseded with the editors' reason, everywhere;
the team is told by email of a reopening and of a type override; other cities' groups count its previous result."""

import pytest
from django.urls import reverse

from assessments.services.assessments import assessment_reopen, assessment_type_override
from opencities.models import Notice
from opencities.notices import notice_send
from recommendations.tests.factories import ready_report

from .compare_helpers import peer_city, scored_assessment
from .test_compare import compare_url, table_rows

pytestmark = pytest.mark.django_db

REASON = "The population figure was the canton's, not the metropolitan area's."


@pytest.fixture
def reopened(city, lead, editor, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    assessment = scored_assessment(city, 2026, 30)
    ready_report(assessment, django_capture_on_commit_callbacks)
    assessment_reopen(assessment=assessment, editor=editor, reason=REASON)
    return assessment


def _url(name, assessment, **kwargs):
    return reverse(name, kwargs={"slug": assessment.city.slug, "pk": assessment.pk, **kwargs})


@pytest.mark.parametrize(
    "name", ["assessment_profile", "assessment_compare", "assessment_recommendations", "assessment_report"]
)
def test_every_page_of_the_last_result_answers_marked_superseded_with_the_reason(client, lead, reopened, name):
    client.force_login(lead)
    response = client.get(_url(name, reopened))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Superseded: this assessment was reopened and is being revised." in html
    assert REASON.replace("'", "&#x27;") in html


def test_the_report_stays_downloadable_but_nothing_is_sent_or_generated_while_reopened(client, lead, reopened):
    client.force_login(lead)
    html = client.get(_url("assessment_report", reopened)).content.decode()
    assert "Download the report" in html
    assert "Approve and send" not in html and "Generate the report again" not in html
    assert client.get(_url("assessment_report_status", reopened)).status_code == 200
    assert client.get(_url("assessment_report_download", reopened)).status_code == 200
    assert client.post(_url("assessment_report_approve", reopened)).status_code == 404
    csv = client.get(_url("assessment_compare_csv", reopened)).content.decode()
    assert "Superseded: the assessment was reopened" in csv


@pytest.mark.parametrize("page", ["step", "review"])
def test_the_wizard_shows_the_editors_reason(client, lead, reopened, page):
    client.force_login(lead)
    url = _url("assessment_step", reopened, step="profile") if page == "step" else _url("assessment_review", reopened)
    html = client.get(url).content.decode()
    assert "The editors reopened this assessment." in html
    assert REASON.replace("'", "&#x27;") in html


def _sent(kind, mailoutbox):
    for notice in Notice.objects.filter(kind=kind):
        notice_send(notice_id=notice.pk)
    return {tuple(message.to): message for message in mailoutbox}


def test_the_team_is_told_of_the_reopening_with_the_reason(reopened, lead, mailoutbox):
    message = _sent(Notice.Kind.REOPENED, mailoutbox)[(lead.email,)]
    assert "reopened" in message.subject
    assert REASON in message.body


def test_the_team_is_told_when_an_editor_sets_the_city_type_and_when_it_is_taken_back(
    city, lead, viewer, editor, mailoutbox
):
    assessment = scored_assessment(city, 2026, 30)  # the rules gave a niche hub
    assessment_type_override(
        result=assessment.result, city_type="secondary-city", reason="Competes with Geneva.", editor=editor
    )
    sent = _sent(Notice.Kind.TYPE_OVERRIDDEN, mailoutbox)
    assert set(sent) == {(lead.email,), (viewer.email,)}
    body = sent[(lead.email,)].body
    assert "to “Ambitious secondary city”" in body and "Competes with Geneva." in body
    assert "Small hub with an international niche" in body
    assert _url("assessment_profile", assessment) in body

    mailoutbox.clear()
    assessment_type_override(result=assessment.result, city_type="", reason="Settled.", editor=editor)
    assert Notice.objects.filter(kind=Notice.Kind.TYPE_OVERRIDDEN).count() == 4
    Notice.objects.filter(status=Notice.Status.SENT).delete()
    body = _sent(Notice.Kind.TYPE_OVERRIDDEN, mailoutbox)[(lead.email,)].body
    assert "again the type the typology's rules gave, “Small hub with an international niche”" in body


def test_while_reopened_another_citys_group_counts_its_previous_result_in_the_window(client, city, lead, editor):
    subject = scored_assessment(city, 2026, 50)
    for number in range(4):
        scored_assessment(peer_city(f"Peer {number}"), 2026, 60)
    other = peer_city("Reopened Town")
    previous = scored_assessment(other, 2024, 90)
    current = scored_assessment(other, 2026, 10)
    client.force_login(lead)

    def group():
        html = client.get(compare_url(subject, "group=all")).content.decode()
        n = int(html.split(" cities are in this group.")[0].rsplit(">", 1)[1])
        return n, table_rows(html)["Welcome &amp; entry"][-1] if n >= 5 else None

    # The subject's 50 ranks above the 2026 result of 10: (1 below) ÷ 5 = 20.
    assert group() == (5, "20.0")
    assessment_reopen(assessment=current, editor=editor, reason="Check the figures.")
    # Its 2024 result of 90 counts instead: nobody below the subject.
    assert group() == (5, "0.0")
    previous.year = 2023  # out of the 2024–2026 window: the city counts in no group
    previous.save()
    assert group() == (4, None)
