"""The assessment wizard in a real browser: start, fill, go back, resume, review, submit; conflicts; autosave."""

import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from assessments import selectors
from assessments.models import Answer, Assessment, AssessmentResult, City, Membership, Role
from assessments.services.assessments import answers_save, assessment_start
from assessments.tests.wizard_helpers import middle_value
from opencities.vocabulary import CITY_TYPES

from . import helpers
from .conftest import DEFAULT_TIMEOUT_MS
from .helpers import check_page, fill_city_profile, log_in, log_out, visit

pytestmark = pytest.mark.e2e

QUESTIONNAIRE_FILE = Path(__file__).resolve().parent.parent / "assessments" / "questionnaires" / "opencities-1.0.toml"
FIRST_DIMENSIONS = ("international-population", "welcome-entry")
CONTRIBUTOR_EMAIL = "carla@demo.test"
CONTRIBUTOR_NAME = ("Carla", "Contributor")
CONTRIBUTOR_PASSWORD = "carla-contributes-2024"


@pytest.fixture
def questionnaire(demo):
    """Questionnaire 1.0, loaded after the demo data so that the live server sees both."""
    call_command("load_questionnaire", str(QUESTIONNAIRE_FILE), stdout=io.StringIO())
    return demo


@pytest.fixture
def contributor(demo):
    """A second member of the demo city, with the contributor role and a password to log in with."""
    user = get_user_model().objects.create_user(
        username=CONTRIBUTOR_EMAIL,
        email=CONTRIBUTOR_EMAIL,
        password=CONTRIBUTOR_PASSWORD,
        first_name=CONTRIBUTOR_NAME[0],
        last_name=CONTRIBUTOR_NAME[1],
    )
    Membership.objects.create(user=user, city=City.objects.get(slug=demo.city_slug), role=Role.CONTRIBUTOR)
    return user


@pytest.fixture
def second_page(browser, live_server):
    """A page in a browser context of its own: another person, with their own session."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    helpers.track(page)
    yield page
    context.close()


# --- Helpers ---


def _url(path):
    return re.compile(re.escape(path) + r"(#.*)?$")


def step_path(assessment, step):
    return reverse("assessment_step", kwargs={"slug": assessment.city.slug, "pk": assessment.pk, "step": step})


def review_path(assessment):
    return reverse("assessment_review", kwargs={"slug": assessment.city.slug, "pk": assessment.pk})


def click_and_check(page, locator):
    """Click something that loads a new page, then check that page (errors, assets, axe)."""
    with page.expect_navigation():
        locator.click()
    check_page(page)


def step_button(page, name):
    return page.locator("#step-form").get_by_role("button", name=name, exact=True)


def questions_of(assessment, dimension_key):
    structure = selectors.questionnaire_structure(assessment.questionnaire)
    return structure.questions_by_dimension[structure.dimension(dimension_key).pk]


def planned_answer(question, position):
    """What the test answers to `question`: a mid-range number, or options worth less than the level
    that needs evidence (so the review asks for nothing more). Varies with `position`."""
    if question.kind == "number":
        low, high = question.min_value, question.max_value
        number = (low + (high - low) * Decimal(position + 1) / Decimal(10)).quantize(Decimal("0.01"))
        return {"number": number}
    options = [option for option in question.options.all() if option.points < 75]
    if question.kind == "multi":
        return {"labels": [options[0].label, options[-1].label]}
    if question.kind == "yesno":
        return {"labels": ["Yes"]}
    return {"labels": [options[position % len(options)].label]}


def answer_step(page, questions):
    """Answer every question of the step that is open in `page`; return what was answered."""
    plan = {}
    for position, question in enumerate(questions):
        fieldset = page.locator(f"#q-{question.key}")
        answer = planned_answer(question, position)
        if "number" in answer:
            fieldset.get_by_role("textbox", name=question.text, exact=True).fill(str(answer["number"]))
        else:
            for label in answer["labels"]:
                fieldset.get_by_label(label, exact=True).check()
        plan[question.key] = answer
    return plan


def expect_step_kept(page, questions, plan):
    """The step shows what `plan` answered: radios and boxes checked, numbers typed."""
    for question in questions:
        fieldset = page.locator(f"#q-{question.key}")
        answer = plan[question.key]
        if "number" in answer:
            box = fieldset.get_by_role("textbox", name=question.text, exact=True)
            expect(box).not_to_have_value("")
            assert Decimal(box.input_value()) == answer["number"], (question.key, box.input_value())
        else:
            for label in answer["labels"]:
                expect(fieldset.get_by_label(label, exact=True)).to_be_checked()


def go_to_assessments(page, city_name):
    """From any page: My cities (main navigation) → the city's Assessments."""
    click_and_check(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="My cities"))
    click_and_check(page, page.locator("main").get_by_role("link", name=f"Assessments of {city_name}"))


# --- Tests ---


def test_lead_fills_resumes_reviews_and_submits_the_assessment(page, questionnaire):
    demo = questionnaire
    year = date.today().year

    # Start this year's assessment from the city's list.
    visit(page, reverse("login"))
    log_in(page, demo.lead_email, demo.password)
    expect(page).to_have_url(_url(reverse("my_cities")))
    click_and_check(page, page.locator("main").get_by_role("link", name=f"Assessments of {demo.city_name}"))
    expect(page.locator("main")).to_contain_text("No assessment yet.")
    start = page.locator("main form").filter(has=page.get_by_role("button", name="Start the assessment"))
    expect(start.get_by_label("Year")).to_have_value(str(year))
    click_and_check(page, start.get_by_role("button", name="Start the assessment"))

    assessment = Assessment.objects.select_related("city", "questionnaire").get(city__slug=demo.city_slug, year=year)
    expect(page).to_have_url(_url(step_path(assessment, "profile")))
    expect(page.get_by_role("heading", level=1)).to_have_text("City profile")
    expect(page.locator("main")).to_contain_text(f"The {year} assessment is open.")

    # The city profile.
    fill_city_profile(page)
    click_and_check(page, step_button(page, "Save and next"))
    assessment.refresh_from_db()
    assert (assessment.metro_population, assessment.is_capital, assessment.is_largest_city) == (1_350_000, False, True)
    assert (assessment.gawc_tier, assessment.niche, assessment.past_role_declined) == ("unknown", "finance", False)

    # Two dimensions, every question.
    plans = {}
    for dimension in FIRST_DIMENSIONS:
        expect(page).to_have_url(_url(step_path(assessment, dimension)))
        questions = questions_of(assessment, dimension)
        plans[dimension] = answer_step(page, questions)
        if dimension != FIRST_DIMENSIONS[-1]:
            click_and_check(page, step_button(page, "Save and next"))

    # Back saves this step and shows the previous one as it was saved.
    click_and_check(page, step_button(page, "Back"))
    expect(page).to_have_url(_url(step_path(assessment, FIRST_DIMENSIONS[0])))
    expect_step_kept(page, questions_of(assessment, FIRST_DIMENSIONS[0]), plans[FIRST_DIMENSIONS[0]])
    assert Answer.objects.filter(assessment=assessment).count() == sum(len(plan) for plan in plans.values())

    # Log out and in again: Continue resumes on the step last opened.
    log_out(page, demo.lead_name)
    visit(page, reverse("login"))
    log_in(page, demo.lead_email, demo.password)
    go_to_assessments(page, demo.city_name)
    continue_link = page.get_by_role("row", name=re.compile(rf"^{year}\b")).get_by_role("link", name=f"Continue {year}")
    click_and_check(page, continue_link)
    expect(page).to_have_url(_url(step_path(assessment, FIRST_DIMENSIONS[0])))
    expect_step_kept(page, questions_of(assessment, FIRST_DIMENSIONS[0]), plans[FIRST_DIMENSIONS[0]])
    click_and_check(page, step_button(page, "Save and next"))
    expect(page).to_have_url(_url(step_path(assessment, FIRST_DIMENSIONS[1])))
    expect_step_kept(page, questions_of(assessment, FIRST_DIMENSIONS[1]), plans[FIRST_DIMENSIONS[1]])

    # The review lists what is missing, each with a link to where to fix it.
    structure = selectors.questionnaire_structure(assessment.questionnaire)
    remaining = [dimension for dimension in structure.dimensions if dimension.key not in FIRST_DIMENSIONS]
    missing = sum(len(structure.questions_by_dimension[d.pk]) for d in remaining) + len(
        assessment.questionnaire.framework
    )
    click_and_check(page, page.get_by_role("link", name="Review and submit"))
    expect(page).to_have_url(_url(review_path(assessment)))
    gaps = page.get_by_role("region", name=f"{missing} things are missing")
    expect(gaps.get_by_role("heading", level=2)).to_have_text(f"{missing} things are missing")
    expect(gaps.get_by_role("listitem")).to_have_count(missing)
    expect(gaps.get_by_role("listitem").get_by_role("link")).to_have_count(missing)
    first_question = structure.questions_by_dimension[remaining[0].pk][0]
    expect(gaps.get_by_role("link").first).to_have_attribute(
        "href", step_path(assessment, remaining[0].key) + f"#q-{first_question.key}"
    )
    expect(page.get_by_role("button", name="Submit the assessment")).to_be_disabled()

    # The other seven dimensions through the services (fast); the framework through the browser.
    lead = get_user_model().objects.get(email=demo.lead_email)
    answers_save(
        assessment=assessment,
        user=lead,
        submitted={
            question.pk: (middle_value(question), 0)
            for dimension in remaining
            for question in structure.questions_by_dimension[dimension.pk]
        },
    )
    elements = assessment.questionnaire.framework
    click_and_check(page, gaps.get_by_role("link", name=re.compile(re.escape(elements[0]["name"]))))
    expect(page).to_have_url(_url(step_path(assessment, "framework")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Strategic framework")
    statuses = ("Present", "Partial", "Absent")
    # By id: the <legend> is not the fieldset's first child, so the group has no accessible name.
    for position, element in enumerate(elements):
        fieldset = page.locator(f"#fw-{element['key']}")
        expect(fieldset.locator("legend")).to_have_text(f"{position + 1}. {element['name']}")
        fieldset.get_by_label(statuses[position % 3], exact=True).check()
    page.locator(f"#fw-{elements[0]['key']}").get_by_label("Link to the document").fill(
        "https://demoville.example/strategy.pdf"
    )
    click_and_check(page, step_button(page, "Save and review"))

    # Nothing is missing: submit, and read the openness profile.
    expect(page).to_have_url(_url(review_path(assessment)))
    expect(page.locator("main")).to_contain_text("Nothing is missing.")
    expect(page.get_by_role("region", name=re.compile("missing"))).to_have_count(0)
    click_and_check(page, page.get_by_role("button", name="Submit the assessment"))

    result = AssessmentResult.objects.get(assessment=assessment)
    expect(page).to_have_url(_url(reverse("assessment_profile", kwargs={"slug": demo.city_slug, "pk": assessment.pk})))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Openness profile of {demo.city_name}, {year}")
    summary = page.get_by_role("region", name="Summary")
    expect(summary).to_contain_text("Openness index")
    expect(summary).to_contain_text(f"{result.openness_index} / 100")
    radar = page.locator("main svg[role=img]").first
    expect(radar).to_be_visible()
    expect(radar).to_have_accessible_name(re.compile("Radar chart of the nine dimension scores"))
    city_type = next(t for t in CITY_TYPES if t.key == result.effective_type)
    expect(summary).to_contain_text(str(city_type.name))
    assert result.city_type == "niche-hub"  # 1.35 M, largest city, finance niche, not ranked


def test_two_members_saving_the_same_answer_the_second_sees_a_conflict(page, second_page, questionnaire, contributor):
    demo = questionnaire
    city = City.objects.get(slug=demo.city_slug)
    lead = get_user_model().objects.get(email=demo.lead_email)
    assessment, _notes = assessment_start(city=city, year=date.today().year, user=lead)
    question = next(q for q in questions_of(assessment, "welcome-entry") if q.kind == "choice")
    first_option, second_option = list(question.options.all())[:2]

    for browser_page, email, password in (
        (page, demo.lead_email, demo.password),
        (second_page, CONTRIBUTOR_EMAIL, CONTRIBUTOR_PASSWORD),
    ):
        visit(browser_page, reverse("login"))
        log_in(browser_page, email, password)
        visit(browser_page, step_path(assessment, "welcome-entry"))

    page.locator(f"#q-{question.key}").get_by_label(first_option.label, exact=True).check()
    second_page.locator(f"#q-{question.key}").get_by_label(second_option.label, exact=True).check()

    click_and_check(page, step_button(page, "Save"))
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.locator(f"#q-{question.key}").get_by_label(first_option.label, exact=True)).to_be_checked()

    click_and_check(second_page, step_button(second_page, "Save"))
    conflict = second_page.locator(f"#q-{question.key}").get_by_role("alert")
    expect(conflict).to_contain_text("changed this answer")
    expect(conflict).to_contain_text(demo.lead_name)
    expect(conflict.locator("dt:has-text('Their answer') + dd")).to_have_text(first_option.label)
    expect(conflict.locator("dt:has-text('Your answer') + dd")).to_have_text(second_option.label)
    # The second member's choice stays filled in, for them to decide.
    expect(second_page.locator(f"#q-{question.key}").get_by_label(second_option.label, exact=True)).to_be_checked()

    stored = Answer.objects.get(assessment=assessment, question=question)
    assert stored.option_keys == [first_option.key]
    assert stored.answered_by == lead


def test_autosave_keeps_an_answer_without_pressing_save(page, questionnaire):
    demo = questionnaire
    city = City.objects.get(slug=demo.city_slug)
    lead = get_user_model().objects.get(email=demo.lead_email)
    assessment, _notes = assessment_start(city=city, year=date.today().year, user=lead)
    question = next(q for q in questions_of(assessment, "welcome-entry") if q.kind == "choice")
    option = question.options.all()[1]
    step = step_path(assessment, "welcome-entry")

    visit(page, reverse("login"))
    log_in(page, demo.lead_email, demo.password)
    # Fake timers in the page: time still flows, and fast_forward makes the 30-second interval pass at once.
    page.clock.install()
    visit(page, step)
    state = page.locator("#save-state")
    expect(page.locator("#step-form")).to_have_attribute("data-autosave", "30")

    page.locator(f"#q-{question.key}").get_by_label(option.label, exact=True).check()
    expect(state).to_have_text("Unsaved changes")
    assert not Answer.objects.filter(assessment=assessment, question=question).exists()
    with page.expect_response(
        lambda response: response.request.method == "POST" and response.url.endswith(step)
    ) as sent:
        page.clock.fast_forward("00:31")
    assert sent.value.json()["saved"] is True
    expect(state).to_have_text(re.compile(r"^Saved \d+ s ago$"))
    assert Answer.objects.get(assessment=assessment, question=question).option_keys == [option.key]

    visit(page, step)  # a reload, Save never pressed
    expect(page.locator(f"#q-{question.key}").get_by_label(option.label, exact=True)).to_be_checked()
    expect(page.locator(f"#q-{question.key}")).to_contain_text("Last changed by")


def test_the_assessment_list_on_a_phone_stacks_each_year_with_its_button_on_screen(page, questionnaire):
    """At 390 px each assessment is a block of labelled lines: its Continue button is on the screen, not in the
    last column of a table scrolled out of sight, and the page is no wider than the phone."""
    demo = questionnaire
    city = City.objects.get(slug=demo.city_slug)
    lead = get_user_model().objects.get(email=demo.lead_email)
    assessment_start(city=city, year=date.today().year, user=lead)

    visit(page, reverse("login"))
    log_in(page, demo.lead_email, demo.password)
    page.set_viewport_size({"width": 390, "height": 844})
    visit(page, reverse("assessment_list", args=[demo.city_slug]))
    button = page.locator("main table").get_by_role("link", name=re.compile("^Continue"))
    box = button.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    expect(page.locator("main table td[data-label]").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
