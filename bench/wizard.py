"""Benchmarks of the assessment wizard against a plain Django form, and of the openness profile.

Everything is built through the real services from the full questionnaire 1.0, as a city's team
builds it: a draft half filled in for the wizard, three submitted years for the profile.
"""

from itertools import cycle

from django.urls import reverse, translate_url

from assessments import selectors
from assessments.models import Membership
from assessments.services.assessments import (
    answers_save,
    assessment_start,
    assessment_submit,
    framework_save,
    profile_save,
)
from assessments.services.questionnaires import questionnaire_load
from assessments.tests.wizard_helpers import PROFILE, QUESTIONNAIRE_FILE, fill_in, middle_value
from opencities.vocabulary import KIND_CHOICE

from .browser import form_fields, value_of, with_value
from .forms import plain_save, register_plain_form
from .pages import BASE_LAYOUT, _cities, _logged_in, _team, _users
from .registry import Page, benchmark
from .runner import fetch

# The largest step of questionnaire 1.0 (7 questions): radio buttons, a checklist and a number.
STEP = "leadership-governance"
STEP_FORM = "step-form"  # the id of the step's form, on the wizard's page and on the plain one
PLAIN_FORM = "plain-form"
PLAIN_FORM_POST = "plain-form-post"
PROFILE_YEARS = (2024, 2025, 2026)


def questionnaire():
    version, _created = questionnaire_load(text=QUESTIONNAIRE_FILE.read_text(encoding="utf-8"))
    return version


def all_questions(structure):
    return [
        question for dimension in structure.dimensions for question in structure.questions_by_dimension[dimension.pk]
    ]


def half_answered(structure):
    """Every other question of the questionnaire, in order: about half of each step."""
    return all_questions(structure)[::2]


def step_questions(step=STEP):
    structure = selectors.questionnaire_structure(questionnaire())
    return structure.questions_by_dimension[structure.dimension(step).pk]


def changed_question(questions):
    """The question each POST changes: the step's first single-choice question."""
    return next(question for question in questions if question.kind == KIND_CHOICE)


def _other_option(fields, question):
    """The first option of the question unless the page shows it chosen, then the second: each save is a change."""
    first, second = (option.key for option in question.options.all()[:2])
    return second if value_of(fields, question.key) == first else first


def step_url(assessment, step=STEP):
    return reverse("assessment_step", kwargs={"slug": assessment.city.slug, "pk": assessment.pk, "step": step})


def half_filled_draft(name):
    """A city's 2026 draft: profile answered, every other question answered by the lead, half the framework marked.

    Returns the draft and a contributor of the city, the member who opens the step.
    """
    version = questionnaire()
    city = _cities([f"{name} City"])[0]
    slug = city.slug
    lead, contributor, viewer = _users([f"{slug}-{role}@bench.test" for role in ("lead", "contributor", "viewer")])
    Membership.objects.bulk_create(_team(city, lead, [contributor, viewer]))
    assessment, _notes = assessment_start(city=city, year=2026, user=lead)
    profile_save(assessment=assessment, user=lead, values=PROFILE, base_revision=assessment.profile_revision)
    structure = selectors.questionnaire_structure(version)
    answers_save(
        assessment=assessment,
        user=lead,
        submitted={question.pk: (middle_value(question), 0) for question in half_answered(structure)},
    )
    framework_save(
        assessment=assessment,
        user=lead,
        submitted={element["key"]: ("partial", "", 0) for element in version.framework[::2]},
    )
    assessment.refresh_from_db()
    return assessment, contributor


def step_post(client, url, question) -> Page:
    """POSTs of a step as a browser sends them after opening it, each choosing another option of `question`.

    Before each POST (untimed) the page is opened again, so that the revisions and fingerprints sent
    are the ones now stored: each POST is a real, conflict-free save answered by a redirect.
    """

    def body():
        fields = form_fields(fetch(Page(client, url)).content.decode(), STEP_FORM)
        return [*with_value(fields, question.key, _other_option(fields, question)), ("go", "next")]

    return Page(client, url, method="POST", body=body, status=302)


def plain_form(name, email, *, view="bench_plain_form", save=None):
    """The plain form of the step, its questions answered as in the half-filled draft, for a logged-in member."""
    questions = step_questions()
    answered = {question.pk for question in half_answered(selectors.questionnaire_structure(questionnaire()))}
    register_plain_form(
        name,
        questions,
        {question.pk: middle_value(question) for question in questions if question.pk in answered},
        title="Leadership & governance",
        save=save,
    )
    return _logged_in(_users([email])[0]), reverse(view, kwargs={"name": name})


@benchmark(PLAIN_FORM, baseline=BASE_LAYOUT)
def plain_form_get():
    """The step's fields in a plain Django form rendered with as_div: the floor of wizard-get."""
    return plain_form(PLAIN_FORM, "plain-form@bench.test")


@benchmark(PLAIN_FORM_POST, baseline=PLAIN_FORM)
def plain_form_post():
    """The plain form bound, validated, stored one row per question and redirected: the floor of wizard-post."""
    draft, _contributor = half_filled_draft("Plain Post")
    client, url = plain_form(PLAIN_FORM_POST, "plain-form-post@bench.test", save=plain_save(draft, step_questions()))
    question = changed_question(step_questions())
    fields = form_fields(fetch(Page(client, url)).content.decode(), STEP_FORM)
    first = with_value(fields, question.key, _other_option(fields, question))
    second = with_value(fields, question.key, _other_option(first, question))
    bodies = cycle([first, second])
    return Page(client, url, method="POST", body=lambda: [*next(bodies), ("go", "next")], status=302)


@benchmark("crispy-form", baseline=PLAIN_FORM)
def crispy_form():
    """The same plain form rendered through crispy-forms' bootstrap5 pack, for scale."""
    return plain_form("crispy-form", "crispy-form@bench.test", view="bench_crispy_form")


@benchmark("wizard-get", baseline=PLAIN_FORM, target=1.5, max_queries=15)
def wizard_get():
    """A contributor opens the 7-question step of a draft half filled in."""
    assessment, contributor = half_filled_draft("Wizard Get")
    return _logged_in(contributor), step_url(assessment)


@benchmark("wizard-get-fr", baseline=PLAIN_FORM, target=1.5, max_queries=15)
def wizard_get_french():
    """The same step in French (/fr/…): the catalogue and the questionnaire's translation add no query."""
    assessment, contributor = half_filled_draft("Wizard Get FR")
    return _logged_in(contributor), translate_url(step_url(assessment), "fr")


@benchmark("wizard-post", baseline=PLAIN_FORM_POST, target=1.6, max_queries=15)
def wizard_post():
    """A contributor saves the 7-question step with one answer changed: saved, then redirected."""
    assessment, contributor = half_filled_draft("Wizard Post")
    return step_post(_logged_in(contributor), step_url(assessment), changed_question(step_questions()))


def submitted_years(name, years=PROFILE_YEARS):
    """A city whose lead filled in and submitted an assessment for each year; returns the lead and the assessments."""
    questionnaire()
    city = _cities([f"{name} City"])[0]
    lead, contributor, viewer = _users([f"{city.slug}-{role}@bench.test" for role in ("lead", "contributor", "viewer")])
    Membership.objects.bulk_create(_team(city, lead, [contributor, viewer]))
    assessments = []
    for year in years:
        assessment, _notes = assessment_start(city=city, year=year, user=lead)
        fill_in(assessment, lead)
        assessment_submit(assessment=assessment, user=lead)
        assessments.append(assessment)
    return lead, assessments


# The page draws two charts on the server (the radar and the index by year) besides its tables:
# they are over half of its time, so it costs more than a list page such as my-cities (8.0).
@benchmark("profile", baseline=BASE_LAYOUT, target=10.0, max_queries=20)
def profile():
    """The openness profile of the latest of three submitted years (radar, history of the three)."""
    lead, assessments = submitted_years("Profile")
    return _logged_in(lead), selectors.profile_url(assessments[-1])


@benchmark("profile-fr", baseline=BASE_LAYOUT, target=10.0, max_queries=20)
def profile_french():
    """The same profile in French: translated names and French number formats, no query more."""
    lead, assessments = submitted_years("Profile FR")
    return _logged_in(lead), translate_url(selectors.profile_url(assessments[-1]), "fr")
