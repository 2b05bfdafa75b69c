"""The tailored report in the languages the lead chose, and each partner's email in the partner's language.

The city's language is always generated and is the report's own file; the others are ReportFile rows. A partner
reads its own language, else the city's, and gets the PDF in it when one was generated, else the city's, named in
the email. The report's state machine and the one delivery per partner and assessment are those of
test_report_flow.py; these tests only add languages to them.
"""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from assessments.tests.compare_helpers import scored_assessment
from opencities.mail import header_text
from recommendations import pdf, services, tasks
from recommendations.models import Report, ReportDelivery, ReportFile

from .factories import PartnerFactory, RecommendationRuleFactory, pdf_reader, pdf_text, report_of

pytestmark = pytest.mark.django_db

PARTNER_MAIL = "@partners.test"
ATTACHED_NOTE = (
    "Language of the attached report: %(language)s. The city has not generated it in the language of this email."
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def submitted(city):
    """A submitted assessment whose dimensions all score 30 (low), so that the rule fires."""
    RecommendationRuleFactory(title="Open a one-stop welcome centre")
    return scored_assessment(city, 2024, 30)


def in_language(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


def heading_in(language: str, heading) -> str:
    with translation.override(language):
        return str(heading)


def subject_in(language: str) -> str:
    """The partners' subject for Zürich 2024 in the language, on one line as a mail header carries it."""
    subject = in_language(language, "OPENCities: the %(year)s openness report of %(city)s")
    return header_text(subject % {"year": 2024, "city": "Zürich"})


def generated(assessment, capture, *, languages=None, user=None) -> Report:
    with capture(execute=True):
        services.report_request(assessment=assessment, user=user, languages=languages)
    report = report_of(assessment)
    assert report.status == Report.Status.READY, report.error
    return report


def approve(report, lead, partners, capture) -> None:
    with capture(execute=True):
        services.report_approve(report=report, user=lead, partner_ids=[partner.pk for partner in partners])


def mails_to(outbox, email):
    return [message for message in outbox if message.to == [email]]


def french_city(city):
    city.language = "fr"
    city.save(update_fields=["language"])
    return city


# --- Generating ---


def test_the_lead_chooses_more_languages_and_each_pdf_is_in_its_own(
    city, lead, submitted, django_capture_on_commit_callbacks
):
    report = generated(submitted, django_capture_on_commit_callbacks, languages=["fr"], user=lead)

    assert (report.languages, report.language) == (["en", "fr"], "en")
    [french] = report.files.all()
    assert (french.language, Path(french.file.name).name) == ("fr", "zurich-2024-openness-report-fr.pdf")
    english_text = pdf_text(Path(report.file.path).read_bytes())
    content = Path(french.file.path).read_bytes()
    french_text = pdf_text(content)
    assert (french.size, french.pages) == (len(content), len(pdf_reader(content).pages))
    for heading in (pdf.SECTION_SUMMARY, pdf.SECTION_SCORES, pdf.SECTION_RECOMMENDATIONS):
        in_english, in_french = heading_in("en", heading), heading_in("fr", heading)
        assert in_french != in_english, "the French catalogue translates the report's headings"
        assert in_french in french_text and in_french not in english_text
        assert in_english in english_text and in_english not in french_text
    # The cover's labels too (they were once written inside f-strings, where gettext's extraction missed them).
    assert in_language("fr", "City type:").replace("\xa0", " ") in french_text.replace("\xa0", " ")  # as extracted
    # Numbers follow the language too: 30.0 in English, 30,0 in French.
    assert "30,0" in french_text and "30,0" not in english_text
    assert "30.0" in english_text


def test_the_city_language_is_always_generated_and_is_the_report_s_own_file(
    city, submitted, django_capture_on_commit_callbacks
):
    french_city(city)
    submitted.city.refresh_from_db()
    report = generated(submitted, django_capture_on_commit_callbacks, languages=[])

    assert (report.languages, report.language, report.files.count()) == (["fr"], "fr", 0)
    assert Path(report.file.name).name == "zurich-2024-openness-report.pdf"
    assert heading_in("fr", pdf.SECTION_SUMMARY) in pdf_text(Path(report.file.path).read_bytes())

    # Choosing English alone still makes the French one first: the city's is never left out.
    report = generated(submitted, django_capture_on_commit_callbacks, languages=["en"])
    assert (report.languages, report.language) == (["fr", "en"], "fr")
    assert [row.language for row in report.files.all()] == ["en"]


def test_a_submission_or_the_sweeper_keeps_the_last_choice_of_languages(
    city, submitted, django_capture_on_commit_callbacks
):
    generated(submitted, django_capture_on_commit_callbacks, languages=["fr"])
    report = generated(submitted, django_capture_on_commit_callbacks)  # languages=None, as a submission asks
    assert report.languages == ["en", "fr"]
    assert [row.language for row in report.files.all()] == ["fr"]


def test_a_language_not_configured_is_refused(submitted):
    with pytest.raises(ValidationError, match="Choose the report's languages"):
        services.report_request(assessment=submitted, languages=["it"])
    assert not Report.objects.exists()


def test_generating_again_with_fewer_languages_removes_the_others_and_their_files(
    submitted, media, django_capture_on_commit_callbacks
):
    report = generated(submitted, django_capture_on_commit_callbacks, languages=["fr"])
    french_path = Path(report.files.get().file.path)
    assert french_path.exists()

    report = generated(submitted, django_capture_on_commit_callbacks, languages=[])

    assert report.languages == ["en"] and not ReportFile.objects.exists()
    assert not french_path.exists()
    assert [path.name for path in (media / "reports").rglob("*.pdf")] == [Path(report.file.name).name]


def test_a_failure_in_the_second_language_leaves_no_file_behind_and_the_retry_makes_both(
    submitted, media, monkeypatch, django_capture_on_commit_callbacks
):
    render = pdf.render_report

    def french_breaks(data):
        if translation.get_language() == "fr":
            raise ValueError("the French radar cannot be drawn")
        return render(data)

    monkeypatch.setattr(pdf, "render_report", french_breaks)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_request(assessment=submitted, languages=["fr"])
    report = report_of(submitted)
    assert (report.status, report.error) == (Report.Status.FAILED, "ValueError: the French radar cannot be drawn")
    assert not list((media / "reports").rglob("*.pdf")), "the English PDF stored first was removed again"

    monkeypatch.undo()
    report = generated(submitted, django_capture_on_commit_callbacks, languages=["fr"])
    assert sorted(path.name for path in (media / "reports").rglob("*.pdf")) == [
        "zurich-2024-openness-report-fr.pdf",
        "zurich-2024-openness-report.pdf",
    ]


# --- Delivering ---


def test_a_french_partner_gets_a_french_email_with_the_french_pdf(
    city, lead, submitted, mailoutbox, django_capture_on_commit_callbacks
):
    report = generated(submitted, django_capture_on_commit_callbacks, languages=["fr"])
    partner = PartnerFactory(email="cci@partners.test", language="fr", follows=[city])

    approve(report, lead, [partner], django_capture_on_commit_callbacks)

    [message] = mails_to(mailoutbox, partner.email)
    assert subject_in("fr") != subject_in("en"), "the subject is translated"
    assert message.subject == subject_in("fr")
    assert message.extra_headers["Content-Language"] == "fr"
    assert "Zürich has completed" not in message.body
    [(html, _type)] = message.alternatives
    assert '<html lang="fr">' in html
    [(filename, content, _mimetype)] = message.attachments
    assert filename == "zurich-2024-openness-report-fr.pdf"
    assert content == Path(report.files.get(language="fr").file.path).read_bytes()
    assert heading_in("fr", pdf.SECTION_SUMMARY) in pdf_text(content)
    assert in_language("fr", ATTACHED_NOTE).split("%")[0] not in message.body, "the PDF is the email's language"


def test_a_french_partner_of_a_report_only_in_english_gets_a_french_email_with_the_english_pdf_and_a_note(
    city, lead, submitted, mailoutbox, django_capture_on_commit_callbacks
):
    report = generated(submitted, django_capture_on_commit_callbacks)
    partner = PartnerFactory(email="cci@partners.test", language="fr", follows=[city])

    approve(report, lead, [partner], django_capture_on_commit_callbacks)

    [message] = mails_to(mailoutbox, partner.email)
    assert message.subject == subject_in("fr")
    [(filename, content, _mimetype)] = message.attachments
    assert filename == "zurich-2024-openness-report.pdf"
    assert content == Path(report.file.path).read_bytes()
    note = in_language("fr", ATTACHED_NOTE) % {"language": in_language("fr", "English")}
    assert note in message.body
    [(html, _type)] = message.alternatives
    assert in_language("fr", "English") in html


def test_an_english_partner_of_a_french_city_gets_english_and_a_partner_without_a_language_the_city_s(
    city, lead, submitted, mailoutbox, django_capture_on_commit_callbacks
):
    french_city(city)
    submitted.city.refresh_from_db()
    report = generated(submitted, django_capture_on_commit_callbacks, languages=["en"])
    english = PartnerFactory(email="chamber@partners.test", language="en", follows=[city])
    unset = PartnerFactory(email="uni@partners.test", language="", follows=[city])

    approve(report, lead, [english, unset], django_capture_on_commit_callbacks)

    [message] = mails_to(mailoutbox, english.email)
    assert message.subject == "OPENCities: the 2024 openness report of Zürich"
    assert "Zürich has completed its 2024 OPENCities self-assessment" in message.body
    assert "Language of the attached report" not in message.body
    [(filename, content, _mimetype)] = message.attachments
    assert filename == "zurich-2024-openness-report-en.pdf"
    assert heading_in("en", pdf.SECTION_SUMMARY) in pdf_text(content)

    [message] = mails_to(mailoutbox, unset.email)
    assert message.extra_headers["Content-Language"] == "fr"
    [(filename, _content, _mimetype)] = message.attachments
    assert filename == "zurich-2024-openness-report.pdf"


def test_each_partner_is_still_emailed_once_per_assessment_whatever_the_languages(
    city, lead, submitted, mailoutbox, django_capture_on_commit_callbacks
):
    report = generated(submitted, django_capture_on_commit_callbacks, languages=["fr"])
    partner = PartnerFactory(email="cci@partners.test", language="fr", follows=[city])
    approve(report, lead, [partner], django_capture_on_commit_callbacks)
    delivery = ReportDelivery.objects.get()

    assert tasks.send_delivery.apply(args=[delivery.pk]).get() == ReportDelivery.Status.SENT
    report = generated(submitted, django_capture_on_commit_callbacks, languages=[])  # fewer languages now
    approve(report, lead, [partner], django_capture_on_commit_callbacks)

    assert len(mails_to(mailoutbox, partner.email)) == 1
    assert ReportDelivery.objects.count() == 1


# --- The report page ---


def test_the_report_page_offers_the_languages_and_a_download_in_each(
    client, city, lead, submitted, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    page_url = reverse("assessment_report", kwargs={"slug": city.slug, "pk": submitted.pk})
    request_url = reverse("assessment_report_request", kwargs={"slug": city.slug, "pk": submitted.pk})
    html = client.get(page_url).content.decode()
    # The city's language is ticked and cannot be unticked; the others are offered.
    assert 'name="language" value="en" id="language-en" checked disabled' in html
    assert 'name="language" value="fr" id="language-fr">' in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(request_url, {"language": ["fr"]})
    assert response.status_code == 302
    report = report_of(submitted)
    assert report.status == Report.Status.READY and report.languages == ["en", "fr"]

    html = client.get(page_url).content.decode()
    assert 'name="language" value="fr" id="language-fr" checked>' in html, "the last choice is ticked"
    french_url = reverse(
        "assessment_report_download_in", kwargs={"slug": city.slug, "pk": submitted.pk, "language": "fr"}
    )
    assert french_url in html
    assert reverse("assessment_report_download", kwargs={"slug": city.slug, "pk": submitted.pk}) in html
    french = report.files.get()
    assert f"Download the report (PDF, {french.pages} pages" in html

    response = client.get(french_url)
    assert response["Content-Disposition"] == 'attachment; filename="zurich-2024-openness-report-fr.pdf"'
    assert b"".join(response.streaming_content) == Path(french.file.path).read_bytes()
    missing = reverse("assessment_report_download_in", kwargs={"slug": city.slug, "pk": submitted.pk, "language": "it"})
    assert client.get(missing).status_code == 404


def test_only_the_lead_chooses_the_report_s_languages(
    client, city, contributor, outsider, submitted, django_capture_on_commit_callbacks
):
    request_url = reverse("assessment_report_request", kwargs={"slug": city.slug, "pk": submitted.pk})
    client.force_login(contributor)
    assert client.post(request_url, {"language": ["fr"]}).status_code == 403
    client.force_login(outsider)
    assert client.post(request_url, {"language": ["fr"]}).status_code == 404
    assert not Report.objects.exists()


# --- The admin ---


def test_editors_set_a_partner_s_language_and_see_a_report_s_pdfs_per_language(
    client, editor, submitted, django_capture_on_commit_callbacks
):
    report = generated(submitted, django_capture_on_commit_callbacks, languages=["fr"])
    partner = PartnerFactory()
    client.force_login(editor)

    page = client.get(reverse("admin:recommendations_partner_change", args=[partner.pk])).content.decode()
    assert 'name="language"' in page
    assert client.get(reverse("admin:recommendations_partner_changelist"), {"language": "fr"}).status_code == 200
    page = client.get(reverse("admin:recommendations_report_change", args=[report.pk])).content.decode()
    assert report.files.get().file.name in page
