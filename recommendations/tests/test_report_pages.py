"""What members, leads and visitors see: the recommendations, the report page, its download and the PDFs."""

import hashlib
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from assessments.models import Answer
from assessments.services.assessments import assessment_submit
from assessments.tests.compare_helpers import scored_assessment
from assessments.tests.wizard_helpers import fill_in, started
from casestudies.models import CaseStudy, RecommendationTheme
from recommendations import general, selectors, services
from recommendations.models import RecommendationRule, Report, ReportDelivery

from .factories import (
    PartnerFactory,
    RecommendationRuleFactory,
    pdf_reader,
    pdf_text,
    published_case_study,
    ready_report,
    report_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def case_study(db):
    return published_case_study(title="Welcome desk of Rotterdam", slug="welcome-desk-rotterdam", city="Rotterdam")


@pytest.fixture
def rule(case_study):
    hidden = published_case_study(title="A draft initiative", slug="draft-initiative", city="Nowhere")
    CaseStudy.objects.filter(pk=hidden.pk).update(status=CaseStudy.Status.DRAFT)
    return RecommendationRuleFactory(title="Open a one-stop welcome centre", case_studies=[case_study, hidden])


@pytest.fixture
def submitted(city, rule):
    """A submitted assessment whose dimensions all score low (30), so that the welcome-centre rule fires."""
    return scored_assessment(city, 2024, 30)


def url(name, assessment, city=None):
    return reverse(name, kwargs={"slug": (city or assessment.city).slug, "pk": assessment.pk})


def page(client, name, assessment):
    response = client.get(url(name, assessment))
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def downloaded(response) -> bytes:
    try:
        return b"".join(response.streaming_content)
    finally:
        response.close()


# --- The tailored recommendations ---


def test_the_recommendations_page_says_why_and_links_case_studies(client, viewer, submitted, case_study):
    client.force_login(viewer)
    html = page(client, "assessment_recommendations", submitted)

    assert "Recommendations for Zürich (2024)" in html
    assert '<h3 class="h5 card-title">Open a one-stop welcome centre</h3>' in html
    assert "<strong>Why:</strong>" in html
    reasons = re.findall(r'<ul class="mb-0 reasons"><li>(.*?)</li>', html)
    assert reasons == ["Welcome &amp; entry scored 30.0, in the low band"]
    assert f'<a href="{case_study.get_absolute_url()}">Welcome desk of Rotterdam</a> (Rotterdam)' in html
    assert "A draft initiative" not in html, "a draft case study is never linked"
    assert url("assessment_report", submitted) in html


def test_in_french_the_recommendations_are_french_and_an_untranslated_one_says_it_is_english(
    client, viewer, submitted, case_study, rule
):
    RecommendationRule.objects.filter(pk=rule.pk).update(
        title_fr="Ouvrir un guichet unique d’accueil", text_fr="Réunir les démarches **sous un même toit**."
    )
    CaseStudy.objects.filter(pk=case_study.pk).update(title_fr="Le guichet d’accueil de Rotterdam")
    RecommendationRuleFactory(  # another theme, since one rule per theme is chosen
        key="untranslated", title="Teach the language early", theme=RecommendationTheme.objects.get(key="talent")
    )
    client.force_login(viewer)
    with translation.override("fr"):
        html = page(client, "assessment_recommendations", submitted)
        english_only = translation.gettext("available in English only")  # the label as the French page says it

    assert '<h3 class="h5 card-title">Ouvrir un guichet unique d’accueil' in html
    assert "Réunir les démarches <strong>sous un même toit</strong>." in html
    # Its first steps are not translated: in English, marked and labelled, under a French heading.
    french = html.split("Ouvrir un guichet unique")[1].split("</article>")[0]
    assert '<div lang="en"><ul>\n<li>Map the offices a newcomer visits</li>' in french
    assert french.count(english_only) == 1
    assert "Le guichet d’accueil de Rotterdam</a> (Rotterdam)" in french
    english = html.split("Teach the language early")[0].rsplit("<h3", 1)[1]
    assert english.startswith(' class="h5 card-title" lang="en">')
    # Its title and text under one label, its first steps under another; and the first rule's first steps.
    assert "Teach the language early" in html and html.count(english_only) == 3


def test_the_report_and_the_engine_read_the_rules_in_the_active_language(submitted, rule):
    RecommendationRule.objects.filter(pk=rule.pk).update(title_fr="Ouvrir un guichet unique d’accueil")
    with translation.override("fr"):
        french = selectors.report_data(submitted)
    with translation.override("en"):
        english = selectors.report_data(submitted)
    assert [line.title for line in french.recommendations] == ["Ouvrir un guichet unique d’accueil"]
    assert [line.theme for line in french.recommendations] == ["Guichet d'accueil et information multilingue"]
    assert [line.title for line in english.recommendations] == ["Open a one-stop welcome centre"]
    assert [line.text for line in french.recommendations] == [rule.text]  # not translated: the English


def test_recommendations_of_a_draft_or_another_citys_assessment_are_not_found(client, city, lead, outsider, submitted):
    draft = started(city, lead, year=2025)
    krakow = outsider.memberships.get().city
    elsewhere = scored_assessment(krakow, 2024, 30)
    client.force_login(lead)
    assert client.get(url("assessment_recommendations", draft)).status_code == 404
    assert client.get(url("assessment_recommendations", elsewhere, city=city)).status_code == 404
    assert client.get(url("assessment_recommendations", elsewhere)).status_code == 404
    client.force_login(outsider)
    assert client.get(url("assessment_recommendations", submitted)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, submitted):
    for name in ("assessment_recommendations", "assessment_report", "assessment_report_download"):
        response = client.get(url(name, submitted))
        assert response.status_code == 302 and response.url.startswith(reverse("login")), name
    response = client.post(url("assessment_report_approve", submitted), {"partner": ["1"]})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- The report page ---


def test_the_report_page_follows_the_report_from_queued_to_ready(
    client, viewer, submitted, django_capture_on_commit_callbacks
):
    client.force_login(viewer)
    status_url = url("assessment_report_status", submitted)
    assert client.get(status_url).json()["state"] == "none"
    assert "No report has been requested for this assessment yet." in page(client, "assessment_report", submitted)

    with django_capture_on_commit_callbacks() as callbacks:
        services.report_request(assessment=submitted)
    html = page(client, "assessment_report", submitted)
    assert '<strong id="report-state-label">Queued</strong>' in html
    assert 'data-done="false"' in html and "This page updates by itself" in html
    assert "Download the report" not in html
    queued = client.get(status_url)
    assert queued["Cache-Control"].startswith("max-age=0")
    assert queued.json() == {
        "state": "queued",
        "label": "Queued",
        "status": "queued",
        "error": "",
        "pages": None,
        "size": None,
        "sent": 0,
        "waiting": 0,
        "queue_unavailable": False,
        "done": False,
    }

    Report.objects.filter(assessment=submitted).update(status=Report.Status.GENERATING)
    assert {key: client.get(status_url).json()[key] for key in ("state", "label", "done")} == {
        "state": "generating",
        "label": "Generating",
        "done": False,
    }
    Report.objects.filter(assessment=submitted).update(status=Report.Status.QUEUED)

    for callback in callbacks:  # the commit happens: the task runs in process
        callback()
    report = report_of(submitted)
    state = client.get(status_url).json()
    assert (state["state"], state["label"], state["done"]) == ("awaiting-approval", "Ready, awaiting approval", True)
    assert (state["pages"], state["size"]) == (report.pages, report.size)
    html = page(client, "assessment_report", submitted)
    assert 'data-done="true"' in html
    assert f"Download the report (PDF, {report.pages} pages" in html


def test_only_the_lead_confirms_the_recipients_and_the_page_says_whom_it_went_to(
    client, city, lead, contributor, viewer, submitted, mailoutbox, django_capture_on_commit_callbacks
):
    report = ready_report(submitted, django_capture_on_commit_callbacks)
    chamber = PartnerFactory(organisation="Zürich Chamber", email="chamber@partners.test", follows=[city])
    PartnerFactory(organisation="Old Friends", email="old@partners.test", consent_date=None, follows=[city])
    approve_url = url("assessment_report_approve", submitted)

    for member in (viewer, contributor):
        client.force_login(member)
        html = page(client, "assessment_report", submitted)
        assert approve_url not in html and 'name="partner"' not in html
        assert "Download the report" in html, "every member may read the report"
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(approve_url, {"partner": [str(chamber.pk)]})
        assert response.status_code == 403
        assert "lead" in response.content.decode()
    assert not ReportDelivery.objects.exists()

    client.force_login(lead)
    html = page(client, "assessment_report", submitted)
    assert f'action="{approve_url}"' in html
    checkbox = re.search(rf'<input[^>]*name="partner" value="{chamber.pk}"[^>]*>', html).group(0)
    assert "checked" in checkbox and "disabled" not in checkbox
    assert "Zürich Chamber &lt;chamber@partners.test&gt;" in html
    assert "old@partners.test" not in html, "a partner without consent is not offered"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(approve_url, {"partner": [str(chamber.pk)]})
    assert response.status_code == 302 and response.url == url("assessment_report", submitted)
    html = client.get(response.url).content.decode()
    assert "Sending approved: the report goes to 1 partner." in html
    assert '<strong id="report-state-label">Sent to 1 partner</strong>' in html
    # Every partner has it: no form whose only button would send nothing.
    assert "The partner that follows the city has this report." in html
    assert f'action="{approve_url}"' not in html and "Approve and send" not in html
    assert "SHA-256" not in html, "a checksum means nothing to city staff (editors see it in the admin)"
    # A partner who follows the city later is offered it; the first is shown as having it.
    newcomer = PartnerFactory(organisation="Newcomer", email="new@partners.test", follows=[city])
    html = page(client, "assessment_report", submitted)
    checkbox = re.search(rf'<input[^>]*name="partner" value="{chamber.pk}"[^>]*>', html).group(0)
    assert "disabled" in checkbox and "already has this report" in html
    checkbox = re.search(rf'<input[^>]*name="partner" value="{newcomer.pk}"[^>]*>', html).group(0)
    assert "checked" in checkbox and "disabled" not in checkbox
    assert client.get(url("assessment_report_status", submitted)).json()["label"] == "Sent to 1 partner"
    assert [message.to for message in mailoutbox if message.attachments] == [["chamber@partners.test"]]
    report.refresh_from_db()
    assert report.approved_by == lead


def test_the_lead_is_told_when_a_chosen_partner_does_not_follow_the_city(
    client, city, lead, outsider, submitted, django_capture_on_commit_callbacks
):
    ready_report(submitted, django_capture_on_commit_callbacks)
    krakow = outsider.memberships.get().city
    elsewhere = PartnerFactory(organisation="Kraków Partner", follows=[krakow])
    client.force_login(lead)
    approve_url = url("assessment_report_approve", submitted)

    response = client.post(approve_url, {"partner": [str(elsewhere.pk)]}, follow=True)
    assert "Some chosen recipients no longer follow this city or have no consent recorded" in (
        response.content.decode()
    )
    response = client.post(approve_url, {"partner": ["not-a-number"]}, follow=True)
    assert response.status_code == 200, "a tampered form is refused, not a server error"
    response = client.post(approve_url, {}, follow=True)
    assert "Choose at least one partner to send the report to." in response.content.decode()
    assert not ReportDelivery.objects.exists()


def test_approving_a_report_that_is_not_ready_says_so(client, city, lead, submitted):
    partner = PartnerFactory(follows=[city])
    services.report_request(assessment=submitted)  # queued: its task never runs here
    client.force_login(lead)
    response = client.post(url("assessment_report_approve", submitted), {"partner": [str(partner.pk)]}, follow=True)
    assert "The report is not ready yet; it can be sent once it is." in response.content.decode()
    assert not ReportDelivery.objects.exists()


def test_a_viewer_cannot_request_the_report_again(client, viewer, submitted, django_capture_on_commit_callbacks):
    ready_report(submitted, django_capture_on_commit_callbacks)
    client.force_login(viewer)
    assert "Generate the report again" not in page(client, "assessment_report", submitted)
    assert client.post(url("assessment_report_request", submitted)).status_code == 403


# --- Downloading ---


@pytest.mark.parametrize(
    ("status", "words"),
    [(None, "not requested"), ("queued", "queued"), ("generating", "generating"), ("failed", "failed")],
)
def test_downloading_a_report_that_is_not_ready_explains_and_returns_to_the_page(
    client, viewer, submitted, status, words
):
    if status:
        services.report_request(assessment=submitted)
        Report.objects.filter(assessment=submitted).update(status=status, error="ValueError: boom")
    client.force_login(viewer)
    response = client.get(url("assessment_report_download", submitted))
    assert response.status_code == 302 and response.url == url("assessment_report", submitted)
    html = client.get(response.url).content.decode()
    assert f"The report is not ready to download yet ({words}). This page shows when it is." in html


def test_downloading_a_ready_report_gives_the_pdf(client, viewer, submitted, django_capture_on_commit_callbacks):
    report = ready_report(submitted, django_capture_on_commit_callbacks)
    client.force_login(viewer)
    response = client.get(url("assessment_report_download", submitted))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="zurich-2024-openness-report.pdf"'
    content = downloaded(response)
    assert hashlib.sha256(content).hexdigest() == report.sha256
    assert len(pdf_reader(content).pages) == report.pages


def test_a_ready_report_whose_file_is_gone_is_a_clear_404(
    client, viewer, submitted, django_capture_on_commit_callbacks
):
    report = ready_report(submitted, django_capture_on_commit_callbacks)
    Path(report.file.path).unlink()
    client.force_login(viewer)
    assert client.get(url("assessment_report_download", submitted)).status_code == 404


def test_another_citys_report_is_not_found_for_this_citys_members(
    client, city, lead, outsider, rule, django_capture_on_commit_callbacks
):
    krakow = outsider.memberships.get().city
    elsewhere = scored_assessment(krakow, 2024, 30)
    ready_report(elsewhere, django_capture_on_commit_callbacks)
    partner = PartnerFactory(follows=[krakow])
    client.force_login(lead)
    for name in ("assessment_report", "assessment_report_status", "assessment_report_download"):
        assert client.get(url(name, elsewhere, city=city)).status_code == 404, name
        assert client.get(url(name, elsewhere)).status_code == 404, name
    for name in ("assessment_report_approve", "assessment_report_request"):
        assert client.post(url(name, elsewhere, city=city), {"partner": [str(partner.pk)]}).status_code == 404
        assert client.post(url(name, elsewhere), {"partner": [str(partner.pk)]}).status_code == 404
    assert not ReportDelivery.objects.exists()
    assert report_of(elsewhere).status == Report.Status.READY


# --- The general recommendations ---


def test_the_general_recommendations_are_public_by_theme_with_a_pdf(client, rule, case_study, settings):
    settings.SITE_URL = "https://site.example:8100"
    RecommendationRuleFactory(title="An idea nobody uses any more", is_active=False)
    html = client.get(reverse("general_recommendations")).content.decode()
    assert "Welcome centre &amp; multilingual information" in html
    assert "Open a one-stop welcome centre" in html
    assert "<strong>one roof</strong>" in html
    assert f'<a href="{case_study.get_absolute_url()}">Welcome desk of Rotterdam</a>' in html
    assert "An idea nobody uses any more" not in html
    assert "Talent attraction &amp; retention" not in html, "a theme without rules is left out"
    theme = rule.theme
    name = theme.name.replace("&", "&amp;")
    assert f'<a href="#theme-{theme.key}">{name}</a>' in html, "the contents link each theme"
    assert f'id="theme-{theme.key}"' in html

    response = client.get(reverse("general_recommendations_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="opencities-policy-recommendations.pdf"'
    text = pdf_text(downloaded(response))
    assert "Welcome centre & multilingual information" in text
    assert "Open a one-stop welcome centre" in text
    assert "An idea nobody uses any more" not in text
    link = f"https://site.example:8100{case_study.get_absolute_url()}"
    assert f"Welcome desk of Rotterdam (Rotterdam): {link}" in " ".join(text.split()), "case studies, on SITE_URL"


def test_the_general_recommendations_in_french_use_the_french_texts_and_theme_names(client, rule, case_study):
    RecommendationRule.objects.filter(pk=rule.pk).update(title_fr="Ouvrir un guichet unique d’accueil")
    with translation.override("fr"):
        html = client.get(reverse("general_recommendations")).content.decode()
        text = pdf_text(general.general_pdf().content)
    assert "Guichet d&#x27;accueil et information multilingue" in html  # the theme, in the glossary's words
    assert '<h3 class="h5">Ouvrir un guichet unique d’accueil <span class="badge' in html  # its text is English
    assert '<div lang="en"><p>Bring registration, tax and schooling questions' in html
    assert "Ouvrir un guichet unique d’accueil" in text and "Open a one-stop welcome centre" not in text
    with translation.override("en"):
        english = pdf_text(general.general_pdf().content)
    assert "Open a one-stop welcome centre" in english  # each language its own cached PDF


# --- What the PDF prints ---

MARKUP_CITY = "Zürich <font color=red>&amp; <img src=x/> <para>"
MARKUP_TITLE = "Cut <b>red tape</b> & queues"
MARKUP_TEXT = "Replace <font color=red>forms</font> & <img src=x/> stamps with one <para> desk & one form."


def test_markup_in_a_city_name_and_a_rule_prints_literally(client, city, lead, django_capture_on_commit_callbacks):
    city.name = MARKUP_CITY
    city.save()
    RecommendationRuleFactory(title=MARKUP_TITLE, text=MARKUP_TEXT, actions="- Count the <para> forms & stamps")
    assessment = scored_assessment(city, 2024, 30)

    report = ready_report(assessment, django_capture_on_commit_callbacks)

    text = pdf_text(Path(report.file.path).read_bytes())
    for literal in (MARKUP_CITY, MARKUP_TITLE):
        assert literal in text, literal
    # The rule's Markdown prints the words its page shows: the raw HTML is dropped, never rendered.
    assert "Replace forms & stamps with one desk & one form." in text
    assert "• Count the forms & stamps" in text
    assert "<img src=x/> stamps" not in text
    client.force_login(lead)
    html = page(client, "assessment_report", assessment)
    assert "Zürich &lt;font color=red&gt;&amp;amp; &lt;img src=x/&gt; &lt;para&gt;" in html
    assert "<img src=x/>" not in html
    html = page(client, "assessment_recommendations", assessment)
    assert "Cut &lt;b&gt;red tape&lt;/b&gt; &amp; queues" in html
    assert "<img src=x/>" not in html
    assert "<p>Replace forms &amp;  stamps with one  desk &amp; one form.</p>" in html


def test_a_long_evidence_note_is_printed_whole(city, lead, rule, django_capture_on_commit_callbacks):
    markers = [f"Point{number:03d}" for number in range(1, 401)]
    note = " ".join(markers)
    note += " " + "x" * (4000 - len(note) - 1)
    assert len(note) == 4000
    assessment = fill_in(started(city, lead, year=2025), lead)
    answer = Answer.objects.filter(assessment=assessment).order_by("pk").first()
    Answer.objects.filter(pk=answer.pk).update(evidence_note=note)

    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment=assessment, user=lead)

    report = report_of(assessment)
    assert report.status == Report.Status.READY, report.error
    text = pdf_text(Path(report.file.path).read_bytes())
    positions = [text.find(marker) for marker in markers]
    assert -1 not in positions, [marker for marker, at in zip(markers, positions, strict=True) if at == -1][:5]
    assert positions == sorted(positions), "the note is printed in its order"
    assert "Council decision 2024/17" in text, "the other notes are printed too"


def test_the_report_data_places_the_index_in_the_peer_group(city):
    from decimal import Decimal

    from assessments.models import Assessment
    from assessments.tests.compare_helpers import DIMENSIONS, peer_city, scored_assessment
    from recommendations.selectors import report_data

    subject = scored_assessment(city, 2025, 50)
    for number, score in enumerate((40, 45, 55, 60, 70)):
        scored_assessment(peer_city(f"Peer {number}"), 2025, dict.fromkeys(DIMENSIONS, score))
    data = report_data(Assessment.objects.select_related("questionnaire", "result", "city").get(pk=subject.pk))
    # Index 50 against 40, 45, 55, 60, 70: two below, none equal → 2 ÷ 5 × 100.
    assert data.peer_n == 5
    assert data.index_rank == Decimal(40)


def test_a_figure_reads_the_same_in_the_report_as_in_the_wizard(client, city, lead):
    from decimal import Decimal

    from assessments.models import Assessment, QuestionKind
    from recommendations.selectors import report_data

    assessment = fill_in(started(city, lead, year=2025), lead)
    answer = Answer.objects.filter(assessment=assessment, question__kind=QuestionKind.NUMBER).order_by("pk").first()
    Answer.objects.filter(pk=answer.pk).update(number=Decimal("18.50"), evidence_note="City statistics 2024")
    unit = answer.question.unit
    client.force_login(lead)
    step = reverse("assessment_step", args=[city.slug, assessment.pk, answer.question.dimension.key])
    assert 'value="18.5"' in client.get(step).content.decode()  # what the team sees in the wizard

    assessment_submit(assessment=assessment, user=lead)
    data = report_data(Assessment.objects.select_related("questionnaire", "result", "city").get(pk=assessment.pk))
    (line,) = [line for line in data.evidence if line.note == "City statistics 2024"]
    assert line.answer == f"18.5 {unit}".strip()
