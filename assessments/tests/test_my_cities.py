"""My cities (issue 13, item 13): each card's next step, "Continue" with the draft's progress or "Start the
<this year> assessment", and the last result with its index, type and date, with no query per card."""

import re
from datetime import date

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime

from assessments import selectors
from assessments.models import Assessment, Membership
from assessments.scoring import AnswerValue
from assessments.services.assessments import answers_save

from .compare_helpers import scored_assessment
from .factories import CityFactory
from .wizard_helpers import started

THIS_YEAR = date.today().year


def _card(page: str, city_name: str) -> str:
    """The text of the card whose heading names the city."""
    start = page.index(f">{city_name}</a></h2>")
    end = page.find('<article class="card', start)
    return " ".join(page[start : end if end != -1 else None].split())


def _page(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("my_cities"))
    assert response.status_code == 200
    return response.content.decode()


def _wizard_percent(assessment) -> int:
    structure = selectors.questionnaire_structure(assessment.questionnaire)
    answers = {answer.question_id: answer for answer in assessment.answers.all()}
    progress = selectors.step_progress(assessment, structure, answers)
    return round(100 * sum(step.answered for step in progress) / sum(step.total for step in progress))


def test_a_draft_offers_continue_with_its_progress_and_the_last_result_beside_it(client, city, lead):
    scored_assessment(city, THIS_YEAR - 1, 58.4, index="58.4", city_type="secondary-city")
    draft = started(city, lead, year=THIS_YEAR)
    questions = list(draft.questionnaire.questions.order_by("pk")[:5])
    answers_save(assessment=draft, user=lead, submitted={q.pk: (AnswerValue(dont_know=True), 0) for q in questions})
    percent = _wizard_percent(draft)
    assert 0 < percent < 100

    card = _card(_page(client, lead), city.name)

    assert reverse("assessment_resume", kwargs={"slug": city.slug, "pk": draft.pk}) in card
    assert "Continue" in card
    assert f"{percent}% answered" in card
    assert f'value="{percent}"' in card
    assert "Start the" not in card
    last = Assessment.objects.get(city=city, year=THIS_YEAR - 1)
    assert f"Last result: {THIS_YEAR - 1}" in card
    assert "openness index 58.4" in card
    assert "Ambitious secondary city" in card
    assert date_format(localtime(last.submitted_at), "DATE_FORMAT") in card
    assert reverse("assessment_profile", kwargs={"slug": city.slug, "pk": last.pk}) in card


def test_without_a_draft_the_lead_is_offered_this_years_assessment(client, city, lead):
    scored_assessment(city, THIS_YEAR - 1, 60, demo=True)

    card = _card(_page(client, lead), city.name)

    assert f"Start the {THIS_YEAR} assessment" in card
    assert reverse("assessment_start", kwargs={"slug": city.slug}) in card
    assert f'name="year" value="{THIS_YEAR}"' in card
    assert "Continue" not in card
    assert "demonstration data" in card  # the last result is a demonstration year


def test_a_viewer_is_told_who_starts_and_a_city_without_results_says_so(client, city, viewer):
    card = _card(_page(client, viewer), city.name)

    assert "Start the" not in card and "Continue" not in card
    assert f"the lead can start the {THIS_YEAR} assessment" in card.lower()
    assert "No result yet" in card


def test_this_years_submitted_assessment_is_not_offered_again(client, city, lead):
    scored_assessment(city, THIS_YEAR, 55)

    card = _card(_page(client, lead), city.name)

    assert "Start the" not in card
    assert f"Last result: {THIS_YEAR}" in card


def test_the_page_makes_no_query_per_city(client, city, lead, django_assert_max_num_queries):
    def add_city(name, draft):
        other = CityFactory(name=name, slug=name.lower())
        Membership.objects.create(city=other, user=lead, role="lead")
        scored_assessment(other, THIS_YEAR - 1, 50)
        if draft:
            started(other, lead, year=THIS_YEAR)

    add_city("Aarau", draft=True)
    client.force_login(lead)
    url = reverse("my_cities")
    with django_assert_max_num_queries(10) as one:
        client.get(url)
    for number, name in enumerate(["Basel", "Chur", "Davos", "Emmen"]):
        add_city(name, draft=number % 2 == 0)
    with django_assert_max_num_queries(10) as five:
        page = client.get(url).content.decode()
    assert len(five.captured_queries) == len(one.captured_queries)
    assert len(re.findall(r"% answered", page)) == 3


def test_an_editor_without_a_city_is_led_to_the_admin_rather_than_to_an_access_request(client, editor):
    client.force_login(editor)
    html = client.get(reverse("my_cities")).content.decode()
    assert "Open the admin" in html and reverse("admin:index") in html
    assert reverse("access_request") not in html.split("<main", 1)[1].split("</main>", 1)[0]
