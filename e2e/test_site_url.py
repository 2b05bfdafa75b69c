"""The site on a port other than 8000 (pytest-django's live server picks a free one), with SITE_URL set to it as
`make run PORT=…` does: every link in the emails and in the report PDF points at that port, and works.
"""

import io
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader

from assessments.models import Assessment
from recommendations.models import Report, ReportDelivery
from recommendations.services import DEMO_PARTNER_EMAIL, delivery_send, report_generate

from .helpers import check_page, log_in, visit
from .test_report import report_library  # noqa: F401  (a fixture)

pytestmark = pytest.mark.e2e


def links_in(message) -> list[str]:
    bodies = [message.body, *(content for content, _type in getattr(message, "alternatives", []))]
    return [link.rstrip(".,)") for body in bodies for link in re.findall(r"https?://[^\s\"'<>]+", body)]


def pdf_links(content: bytes) -> list[str]:
    links = []
    for page in PdfReader(io.BytesIO(content)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action and "/URI" in action:
                links.append(str(action["/URI"]))
    return links


def test_emails_and_the_report_pdf_link_to_the_port_the_site_runs_on(page, report_library, settings, live_server):  # noqa: F811
    demo = report_library
    site = live_server.url
    assert urlsplit(site).port not in (None, 8000), site
    settings.SITE_URL = site
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("seed_demo", stdout=io.StringIO())  # with the questionnaire: the past years, submitted
    assessment = Assessment.objects.filter(city__slug=demo.city_slug, status=Assessment.Status.SUBMITTED).latest("year")

    # An invitation: its link is on the live server's port and opens the invitation.
    visit(page, reverse("login"))
    log_in(page, demo.lead_email, demo.password)
    visit(page, reverse("city_members", kwargs={"slug": demo.city_slug}))
    invite = page.get_by_role("region", name="Invite a colleague")
    invite.get_by_label("Email").fill("new.colleague@demo.test")
    with page.expect_navigation():
        invite.get_by_role("button", name="Send the invitation").click()
    invitation = next(message for message in mail.outbox if message.to == ["new.colleague@demo.test"])
    accept = next(link for link in links_in(invitation) if "/invitations/" in link)
    assert accept.startswith(site + "/"), accept

    # The report, made and sent to the demo partner: the PDF's links and its footer are on the port too. Its tasks
    # are run here when they were handed to a queue (after other browser tests in CI, with a broker configured, they
    # were): this test is about the links, not the queue, which test_report covers with a worker.
    visit(page, reverse("assessment_report", args=[demo.city_slug, assessment.pk]))
    with page.expect_navigation():
        page.get_by_role("button", name="Request the report").click()
    report = Report.objects.get(assessment=assessment)
    if report.status != Report.Status.READY:
        report_generate(report_id=report.pk)
        page.reload()
    expect(page.locator("#report-state-label")).to_have_text("Ready, awaiting approval")
    with page.expect_navigation():
        page.get_by_role("button", name="Approve and send").click()
    for delivery in ReportDelivery.objects.filter(assessment=assessment).exclude(status=ReportDelivery.Status.SENT):
        delivery_send(delivery_id=delivery.pk)
    expect(page.locator(".messages")).to_contain_text("Sending approved")
    check_page(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^Download the report \(PDF")).click()
    content = Path(download_info.value.path()).read_bytes()
    on_site = [link for link in pdf_links(content) if urlsplit(link).hostname == urlsplit(site).hostname]
    assert any("/case-studies/" in link for link in on_site), pdf_links(content)
    assert all(link.startswith(site + "/") for link in on_site), on_site
    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    assert urlsplit(site).netloc in text and ":8000" not in text

    # Every email so far links to the port only; the partner's unsubscribe link works there.
    for message in mail.outbox:
        for link in links_in(message):
            if urlsplit(link).hostname in ("localhost", "127.0.0.1", "testserver"):
                assert link.startswith(site + "/"), (message.subject, link)
    to_partner = next(message for message in mail.outbox if DEMO_PARTNER_EMAIL in message.to)
    unsubscribe = next(link for link in links_in(to_partner) if "/unsubscribe/" in link)
    page.context.clear_cookies()
    visit(page, accept)
    expect(page.get_by_role("heading", level=1)).to_contain_text(demo.city_name)
    visit(page, unsubscribe)
    check_page(page)
