"""An editor reopens the demo city's submitted assessment in the admin; its lead then sees the last result, marked
superseded with the editor's reason, on the report page (the page the earlier "report ready" email links to)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from assessments.models import City
from assessments.tests.compare_helpers import scored_assessment

from .helpers import log_in, visit
from .test_case_studies import _check_admin_page

pytestmark = pytest.mark.e2e

REASON = "The metropolitan population was the city proper's; please give the metro area's."


def test_the_lead_sees_the_superseded_result_with_the_editors_reason(page, demo):
    assessment = scored_assessment(City.objects.get(slug=demo.city_slug), 2026, 40)
    report_path = reverse("assessment_report", kwargs={"slug": demo.city_slug, "pk": assessment.pk})

    visit(page, reverse("login"))
    log_in(page, demo.editor_email, demo.password)
    page.goto(reverse("admin:assessments_assessment_change", args=[assessment.pk]))
    with page.expect_navigation():
        page.get_by_role("link", name="Reopen with a reason").click()
    page.get_by_label("Reason for reopening").fill(REASON)
    with page.expect_navigation():
        page.get_by_role("button", name="Reopen the assessment").click()
    _check_admin_page(page)
    expect(page.locator(".messagelist")).to_contain_text("is open again")
    page.context.clear_cookies()  # the editor's session ends

    visit(page, reverse("login"))
    log_in(page, demo.lead_email, demo.password)
    visit(page, report_path)  # it answered 404 once the assessment was reopened
    notice = page.locator("#superseded-notice")
    expect(notice).to_contain_text("Superseded: this assessment was reopened and is being revised.")
    expect(notice).to_contain_text(REASON)
    expect(page.get_by_role("button", name="Generate the report again")).to_have_count(0)
