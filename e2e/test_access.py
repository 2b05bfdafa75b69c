"""A visitor asks for access for their city; the demo editor approves it in the admin."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from assessments.models import Membership, Role

from .helpers import check_page, log_in, visit

pytestmark = pytest.mark.e2e


def test_visitor_requests_access_and_the_editor_approves_it(page, demo):
    visit(page, reverse("access_request"))
    form = page.locator("main form")
    form.get_by_label("Your name").fill("Zofia Kowalska")
    form.get_by_label("Work email").fill("zofia@krakow.test")
    form.get_by_label("Job title and department").fill("City international office")
    form.get_by_label("City").fill("Kraków")
    form.get_by_label("Country").fill("Poland")
    form.get_by_label("World region").select_option(label="Europe")
    with page.expect_navigation():
        form.get_by_role("button", name="Send the request").click()
    check_page(page)
    expect(page.locator("main")).to_contain_text("your request was sent")

    visit(page, reverse("login"))
    log_in(page, demo.editor_email, demo.password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    expect(page.locator("#site-name")).to_contain_text("OPENCities administration")
    page.get_by_role("link", name="Access requests").first.click()
    page.get_by_role("row", name="Zofia Kowalska").get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option("approve")
    with page.expect_navigation():
        page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("1 request approved")

    lead = Membership.objects.get(city__name="Kraków", role=Role.LEAD)
    assert lead.user.email == "zofia@krakow.test"
