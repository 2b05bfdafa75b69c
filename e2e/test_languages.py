"""The journey in the cities' languages (issues 14 and 15, Done means): a lead switches to French (German), types a
decimal comma, submits, reads the profile, the comparison, the recommendations and the report page in that
language with its numbers; a partner set to French (Spanish) receives an email in that language with the report
in it, its headings and numbers; a shared /fr/ link opens in French for a visitor whose browser asks for English.

Labels are looked up in the French catalogue rather than written out here, so that a reworded translation does
not break the test while an untranslated page still does.
"""

import io
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect
from pypdf import PdfReader

from assessments.models import Answer, Assessment
from assessments.tests.wizard_helpers import fill_in
from recommendations.models import Partner, Report, ReportDelivery
from recommendations.services import DEMO_PARTNER_EMAIL, delivery_send, report_generate

from .helpers import check_page, log_in, visit
from .test_assessment import questions_of, step_button, step_path
from .test_report import report_library  # noqa: F401  (a fixture)
from .test_wizard_inputs import started

pytestmark = pytest.mark.e2e

DECIMAL_COMMA = re.compile(r"\b\d{1,3},\d\b")  # 49,5


def in_language(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


def fr(text: str) -> str:
    return in_language("fr", text)


def shown_in(page, language: str):
    assert page.locator("html").get_attribute("lang") == language, page.url


def in_french(page):
    shown_in(page, "fr")


def test_a_shared_french_link_opens_in_french_for_a_visitor_whose_browser_asks_for_english(page, demo):
    # The suite's browser context asks for British English (e2e/conftest.py).
    assert page.evaluate("navigator.language") == "en-GB"
    visit(page, "/fr/case-studies/")
    in_french(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Case studies"))


@pytest.mark.parametrize(
    ("language", "partner_language"), [("fr", "fr"), ("de", "es")], ids=["french", "german-spanish"]
)
def test_a_lead_works_in_their_language_from_a_decimal_comma_to_the_partners_email(
    page,
    report_library,  # noqa: F811 (a fixture)
    settings,
    language,
    partner_language,
):
    demo = report_library
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("seed_demo", stdout=io.StringIO())  # the reference cities' years: a peer group to compare with
    Partner.objects.filter(email=DEMO_PARTNER_EMAIL).update(language=partner_language)
    assessment = started(demo)

    # The lead logs in in English and switches language: the same page, now under /fr/ (or /de/).
    visit(page, reverse("login"))
    log_in(page, demo.lead_email, demo.password)
    visit(page, reverse("my_cities"))
    with page.expect_navigation():
        page.locator("form.language-switcher").get_by_role("button", name=re.compile(language.upper())).click()
    assert f"/{language}/cities/" in page.url
    shown_in(page, language)
    # The longer labels of the language still fit the menu at 1280 px: nothing past the screen's edge.
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]

    # A decimal comma is what a French or German reader means by it: kept as typed, stored as 1.2.
    number = next(q for q in questions_of(assessment, "international-population") if q.kind == "number")
    visit(page, step_path(assessment, "international-population").replace("/en/", f"/{language}/", 1))
    shown_in(page, language)
    box = page.locator(f"#q-{number.key}").get_by_role("textbox").first
    box.fill("1,2")
    with page.expect_navigation():
        step_button(page, in_language(language, "Save")).click()
    check_page(page)
    expect(box).to_have_value("1,2")
    assert Answer.objects.get(assessment=assessment, question=number).number == Decimal("1.2")

    # The rest filled in by the team (the service, as the other browser tests do), then submitted in the language.
    fill_in(assessment, assessment.created_by)
    Answer.objects.filter(assessment=assessment, question=number).update(number=Decimal("1.2"))
    with translation.override(language):
        visit(page, reverse("assessment_review", args=[demo.city_slug, assessment.pk]))
    with page.expect_navigation():
        page.get_by_role("button", name=in_language(language, "Submit the assessment")).click()
    check_page(page)
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED

    # The profile, the comparison, the recommendations and the report page: in the language, with decimal commas.
    for name in ("assessment_profile", "assessment_compare", "assessment_recommendations", "assessment_report"):
        with translation.override(language):
            visit(page, reverse(name, args=[demo.city_slug, assessment.pk]))
        shown_in(page, language)
        if name != "assessment_report":
            assert DECIMAL_COMMA.search(page.locator("main").inner_text()), f"no French number on {page.url}"

    # The report in the partner's language (the city's is English; the lead adds it), sent to the partner.
    for wanted in {language, partner_language}:
        page.locator(f"input[name=language][value={wanted}]").check()
    # Submitting asked for the report already (in the city's language): the lead generates it again with the
    # partner's language added.
    labels = (in_language(language, "Generate the report again"), in_language(language, "Request the report"))
    again = re.compile("^(" + "|".join(re.escape(label) for label in labels) + ")$")
    with page.expect_navigation():
        page.get_by_role("button", name=again).click()
    report = Report.objects.get(assessment=assessment)
    report.refresh_from_db()
    if report.status != Report.Status.READY or not report.files.filter(language=partner_language).exists():
        report_generate(report_id=report.pk)  # handed to a queue: run here, as test_site_url does
        page.reload()
    with page.expect_navigation():
        page.get_by_role("button", name=in_language(language, "Approve and send")).click()
    for delivery in ReportDelivery.objects.filter(assessment=assessment).exclude(status=ReportDelivery.Status.SENT):
        delivery_send(delivery_id=delivery.pk)
    check_page(page)

    (message,) = [message for message in mail.outbox if DEMO_PARTNER_EMAIL in message.to]
    assert message.extra_headers["Content-Language"] == partner_language
    assert f'lang="{partner_language}"' in message.alternatives[0][0]
    (_filename, content, mimetype) = message.attachments[0]
    assert mimetype == "application/pdf"
    text = " ".join(pdf_page.extract_text() or "" for pdf_page in PdfReader(io.BytesIO(content)).pages)
    for heading in ("Executive summary", "Scores by dimension", "Tailored recommendations"):
        translated = in_language(partner_language, heading)
        assert translated in text and translated != heading, heading
    assert DECIMAL_COMMA.search(text), "the PDF writes its scores with a decimal comma"

    # The PDF in the lead's language too: its headings, section titles and numbers.
    own = report.files.get(language=language).file.read()
    own_text = " ".join(pdf_page.extract_text() or "" for pdf_page in PdfReader(io.BytesIO(own)).pages)
    for heading in ("Executive summary", "Scores by dimension", "Tailored recommendations", "Method annex"):
        assert in_language(language, heading) in own_text, heading
    assert DECIMAL_COMMA.search(own_text)
