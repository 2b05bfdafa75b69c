"""What the wizard does with doubtful input in a real browser: a decimal comma, a bad evidence link, the evidence rule.

Each page is also looked at 390 px wide, where nothing may stick out sideways.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from assessments.models import Answer, City
from assessments.services.assessments import assessment_start

from .helpers import check_page, log_in, visit
from .test_assessment import questionnaire, questions_of, step_button, step_path  # noqa: F401 (a fixture)

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def started(demo):
    city = City.objects.get(slug=demo.city_slug)
    lead = get_user_model().objects.get(email=demo.lead_email)
    assessment, _notes = assessment_start(city=city, year=date.today().year, user=lead)
    return assessment


def save(page, name="Save"):
    with page.expect_navigation():
        step_button(page, name).click()
    check_page(page)


def expect_no_sideways_scroll(page):
    page.set_viewport_size(PHONE)
    wider = page.evaluate("""() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]""")
    assert wider[0] <= wider[1], f"{page.url} is {wider[0]} px wide at {wider[1]} px"


def test_a_decimal_comma_is_refused_beside_the_field_and_kept_as_typed(page, questionnaire):  # noqa: F811
    demo = questionnaire
    assessment = started(demo)
    number = next(q for q in questions_of(assessment, "international-population") if q.kind == "number")
    visit(page, reverse("login"))
    log_in(page, demo.lead_email, demo.password)

    page.clock.install()  # fast_forward makes the autosave's 30 seconds pass at once
    visit(page, step_path(assessment, "international-population"))
    question = page.locator(f"#q-{number.key}")
    box = question.get_by_role("textbox", name=number.text, exact=True)
    refused = question.get_by_text("Write decimals with a point, not a comma")

    # Autosave says it beside the field, and saves nothing.
    box.fill("1,2")
    page.clock.fast_forward("00:31")
    expect(refused).to_be_visible()
    assert not Answer.objects.filter(assessment=assessment, question=number).exists()

    # So does Save, keeping what was typed.
    save(page)
    expect(refused).to_be_visible()
    expect(box).to_have_value("1,2")
    assert not Answer.objects.filter(assessment=assessment, question=number).exists()
    expect_no_sideways_scroll(page)

    # Written with a point, the next autosave stores it and the message goes.
    box.fill("1.2")
    page.clock.fast_forward("00:31")
    expect(refused).to_have_count(0)
    assert Answer.objects.get(assessment=assessment, question=number).number == Decimal("1.2")

    # The profile's population is a text box too: a browser's number box would have sent nothing for "1,2".
    visit(page, step_path(assessment, "profile"))
    population = page.locator("#step-form").get_by_label("Metropolitan population")
    population.fill("1,2")
    save(page)
    expect(page.locator("#step-form").get_by_label("Metropolitan population")).to_have_value("1,2")
    expect(page.locator("#step-form")).to_contain_text("Write decimals with a point, not a comma")
    expect_no_sideways_scroll(page)


def test_a_bad_evidence_link_keeps_the_answer_and_the_typed_link(page, questionnaire):  # noqa: F811
    demo = questionnaire
    assessment = started(demo)
    number = next(q for q in questions_of(assessment, "international-population") if q.kind == "number")
    visit(page, reverse("login"))
    log_in(page, demo.lead_email, demo.password)
    visit(page, step_path(assessment, "international-population"))

    question = page.locator(f"#q-{number.key}")
    question.get_by_role("textbox", name=number.text, exact=True).fill("64" if number.max_value >= 64 else "12")
    question.locator("summary").click()
    question.get_by_label("Evidence link").fill("ftp://demoville.example/figures.csv")
    save(page)

    question = page.locator(f"#q-{number.key}")
    expect(question.get_by_label("Evidence link")).to_have_value("ftp://demoville.example/figures.csv")
    expect(question).to_contain_text("Enter a web address starting with http:// or https://.")
    expect(question).to_contain_text("The answer above is saved")
    answer = Answer.objects.get(assessment=assessment, question=number)
    assert answer.number in (Decimal(64), Decimal(12)) and answer.evidence_url == ""
    expect_no_sideways_scroll(page)


def test_the_evidence_rule_shows_as_soon_as_a_top_level_is_chosen(page, questionnaire):  # noqa: F811
    demo = questionnaire
    assessment = started(demo)
    choice = next(q for q in questions_of(assessment, "welcome-entry") if q.kind == "choice")
    top = max(choice.options.all(), key=lambda option: option.points)
    visit(page, reverse("login"))
    log_in(page, demo.lead_email, demo.password)
    visit(page, step_path(assessment, "welcome-entry"))

    question = page.locator(f"#q-{choice.key}")
    hint = question.get_by_text("This level needs evidence")
    expect(hint).to_be_hidden()
    question.get_by_label(top.label, exact=True).check()
    expect(hint).to_be_visible()
    question.get_by_label("Evidence note").fill("Council decision 2024/17")
    expect(hint).to_be_hidden()
    check_page(page)
