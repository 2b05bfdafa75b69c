"""The load test's data, made through the project's own commands and services, and what the database holds after.

Needs Django set up on the load test's database. The plan it returns is what the locustfile reads: the members'
session cookies (made by logging in with Django's test client, so no login form and no login limit is involved)
and the URLs of their pages.
"""

import io
from datetime import date
from itertools import cycle

from django.core.management import call_command
from django.urls import reverse

from assessments import selectors
from assessments.models import Answer, Membership, Role
from assessments.services.assessments import assessment_start, assessment_submit
from assessments.tests.wizard_helpers import fill_in
from bench.pages import _cities, _logged_in, _users
from bench.wizard import STEP
from recommendations.models import Report

from .saves import NOTE_PREFIX, Stored

# What `make setup` runs, in its order, with the files it names.
SETUP_COMMANDS = (
    ("migrate", "--noinput"),
    ("load_questionnaire", "assessments/questionnaires/opencities-1.0.toml"),
    ("import_reference_cities", "assessments/data/reference-cities.csv"),
    ("import_case_studies", "casestudies/data/case-studies.json"),
    ("import_recommendation_rules", "recommendations/data/rules.json"),
    ("seed_demo",),
    ("collectstatic", "--noinput"),
)
MEMBERS_PER_CITY = 4  # the lead and three contributors: all of them may save
SEARCHES = ("welcome", "housing", "students", "entrepreneurs", "integration", "talent", "language", "refugees")


def setup_commands_run() -> None:
    for name, *arguments in SETUP_COMMANDS:
        call_command(name, *arguments, verbosity=0, stdout=io.StringIO())


def _member_order(teams: list[list[dict]]) -> list[dict]:
    """Members in the order the load test's users take them: two per city, city after city, then two more each.

    So at every user level each city with members has at least two at once, and saves meet conflicts.
    """
    ordered = []
    for pair in range(MEMBERS_PER_CITY // 2):
        for team in teams:
            ordered += team[2 * pair : 2 * pair + 2]
    return ordered


def load_cities_seed(*, cities: int) -> dict:
    """Cities with a submitted assessment last year and a filled-in draft this year; returns the plan."""
    this_year = date.today().year
    teams, submitted_ids = [], []
    for city in _cities([f"Load City {number:02d}" for number in range(1, cities + 1)]):
        accounts = _users([f"{city.slug}-{rank}@load.test" for rank in range(MEMBERS_PER_CITY)])
        lead = accounts[0]
        roles = cycle([Role.LEAD] + [Role.CONTRIBUTOR] * (MEMBERS_PER_CITY - 1))
        Membership.objects.bulk_create(Membership(user=user, city=city, role=next(roles)) for user in accounts)
        submitted, _notes = assessment_start(city=city, year=this_year - 1, user=lead)
        fill_in(submitted, lead)
        assessment_submit(assessment=submitted, user=lead)
        submitted_ids.append(submitted.pk)
        draft, _notes = assessment_start(city=city, year=this_year, user=lead)
        fill_in(draft, lead)
        structure = selectors.questionnaire_structure(draft.questionnaire)
        questions = [question.key for question in structure.questions_by_dimension[structure.dimension(STEP).pk]]
        done = {"slug": city.slug, "pk": submitted.pk}
        pages = {
            "my cities": reverse("my_cities"),
            "profile": selectors.profile_url(submitted),
            "compare": reverse("assessment_compare", kwargs=done),
            "recommendations": reverse("assessment_recommendations", kwargs=done),
            "report": reverse("assessment_report", kwargs=done),
        }
        step = reverse("assessment_step", kwargs={"slug": city.slug, "pk": draft.pk, "step": STEP})
        teams.append(
            [
                {
                    "email": user.email,
                    "session": _logged_in(user).cookies["sessionid"].value,
                    "draft": draft.pk,
                    "step": step,
                    "questions": questions,
                    "pages": pages,
                }
                for user in accounts
            ]
        )
    from casestudies.models import CaseStudy

    return {
        "members": _member_order(teams),
        "drafts": sorted({team[0]["draft"] for team in teams}),
        "submitted": submitted_ids,
        "visitor": {
            "home": reverse("home"),
            "library": reverse("casestudies:library"),
            "searches": list(SEARCHES),
            "case studies": [
                reverse("casestudies:detail", kwargs={"slug": slug})
                for slug in CaseStudy.objects.published().values_list("slug", flat=True)
            ],
            "downloads": reverse("casestudies:downloads"),
        },
    }


def stored_answers(drafts: list[int]) -> dict[str, Stored]:
    """Every answer of the drafts as "<assessment id>/<question key>" with its revision and the token it holds."""
    rows = Answer.objects.filter(assessment_id__in=drafts).values_list(
        "assessment_id", "question__key", "revision", "evidence_note"
    )
    return {
        f"{assessment}/{question}": Stored(revision, note.removeprefix(NOTE_PREFIX))
        for assessment, question, revision, note in rows
    }


def reports_waiting(assessments: list[int]) -> int:
    """How many of these assessments' reports are not ready yet."""
    return Report.objects.filter(assessment_id__in=assessments).exclude(status=Report.Status.READY).count()
