import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from .helpers import check_page, log_in, log_out, visit

pytestmark = pytest.mark.e2e


def _main_navigation(page):
    return page.get_by_role("navigation", name="Main")


def _url(path):
    return re.compile(re.escape(path) + r"(\?.*)?$")


def test_lead_logs_in_sees_demo_city_and_browses_public_pages(page, demo):
    visit(page, reverse("login"))
    log_in(page, demo.lead_email, demo.password)

    expect(page).to_have_url(_url(reverse("my_cities")))
    expect(page.locator("main")).to_contain_text(demo.city_name)
    expect(_main_navigation(page).get_by_role("link", name="My cities")).to_have_attribute("aria-current", "page")

    for path in (reverse("home"), reverse("about_method")):
        visit(page, path)
        expect(_main_navigation(page).get_by_role("link", name="My cities")).to_be_visible()

    log_out(page, demo.lead_name)
    expect(page).to_have_url(_url(reverse("home")))

    for path in (reverse("home"), reverse("about_method")):
        visit(page, path)
        navigation = _main_navigation(page)
        expect(navigation.get_by_role("link", name="Log in")).to_be_visible()
        expect(navigation.get_by_role("link", name="My cities")).to_have_count(0)


def test_wrong_password_shows_an_error_and_keeps_the_email(page, demo):
    visit(page, reverse("login"))
    form = page.locator("main form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=username]").fill(demo.lead_email)
    form.locator("input[name=password]").fill("not-the-demo-password")
    with page.expect_navigation():
        form.locator("[type=submit]").click()
    check_page(page)

    expect(page).to_have_url(_url(reverse("login")))
    error = page.locator("main").locator(".alert-danger, .errorlist, .invalid-feedback, [role=alert]").first
    expect(error).to_be_visible()
    expect(error).to_contain_text(re.compile(r"\w"))
    expect(form.locator("input[name=username]")).to_have_value(demo.lead_email)
    expect(form.locator("input[name=password]")).to_have_value("")
    expect(_main_navigation(page).get_by_role("link", name="Log in")).to_be_visible()
