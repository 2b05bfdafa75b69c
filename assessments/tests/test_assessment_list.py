"""A city's assessments page and the answers of a submitted one: each offers the step that makes sense now."""

import pytest
from django.urls import reverse

from .compare_helpers import scored_assessment
from .wizard_helpers import started

pytestmark = pytest.mark.django_db


def page(client, name, *args):
    return client.get(reverse(name, args=args)).content.decode()


def test_while_an_assessment_is_open_the_page_leads_to_it_instead_of_offering_another(client, city, lead):
    draft = started(city, lead, year=2026)
    client.force_login(lead)
    html = page(client, "assessment_list", city.slug)
    assert "Continue the 2026 assessment" in html
    assert reverse("assessment_resume", args=[city.slug, draft.pk]) in html
    assert reverse("assessment_start", args=[city.slug]) not in html


def test_demonstration_years_are_not_offered_as_answers_to_start_from(client, city, lead):
    scored_assessment(city, 2025, 50, demo=True)
    client.force_login(lead)
    html = page(client, "assessment_list", city.slug)
    assert reverse("assessment_start", args=[city.slug]) in html
    assert "copy_previous" not in html


def test_a_citys_own_submitted_assessment_is_offered_to_start_from(client, city, lead):
    scored_assessment(city, 2025, 50)
    client.force_login(lead)
    assert 'name="copy_previous"' in page(client, "assessment_list", city.slug)


def test_the_answers_of_a_submitted_assessment_are_not_called_review_and_submit(client, city, lead):
    submitted = scored_assessment(city, 2025, 50)
    client.force_login(lead)
    html = page(client, "assessment_review", city.slug, submitted.pk)
    assert "The answers of the 2025 assessment" in html
    assert "Review and submit" not in html
    assert "things are missing" not in html


def test_a_demonstration_year_says_it_holds_no_answers_and_the_profile_does_not_offer_them(client, city, lead):
    demo = scored_assessment(city, 2025, 50, demo=True)
    client.force_login(lead)
    assert "holds no answers to the questions" in page(client, "assessment_review", city.slug, demo.pk)
    profile = page(client, "assessment_profile", city.slug, demo.pk)
    assert reverse("assessment_review", args=[city.slug, demo.pk]) not in profile
