"""The benchmarked pages make as many queries for a small step or one year as for a large step or many years.

A fast database hides an N+1 in the timings; comparing two sizes of the same page shows it.
"""

import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import selectors
from assessments.services.questionnaires import questionnaire_load
from assessments.tests.wizard_helpers import QUESTIONNAIRE_FILE
from bench import wizard
from bench.pages import _logged_in
from bench.registry import as_page
from bench.runner import fetch, prepare

SMALL_STEP = "global-presence"  # 5 questions: radio buttons, numbers and a checklist


def _shape(sql):
    """A query with its values taken out, so that the same query for another row compares equal."""
    sql = re.sub(r"'[^']*'", "?", sql)
    sql = re.sub(r'SAVEPOINT "[^"]+"', "SAVEPOINT ?", sql)
    return re.sub(r"\b\d+\b", "?", sql)


def _queries(send):
    with CaptureQueriesContext(connection) as captured:
        response = send()
    return response, [_shape(query["sql"]) for query in captured.captured_queries]


def _difference(small, large):
    """The queries one list makes more often than the other, for the failure message."""
    more, fewer = Counter(large) - Counter(small), Counter(small) - Counter(large)
    lines = [f"+{count} in the larger: {sql[:300]}" for sql, count in more.items()]
    lines += [f"+{count} in the smaller: {sql[:300]}" for sql, count in fewer.items()]
    return "\n".join(lines)


def _step_queries(client, assessment, step):
    """The queries of opening the step and of saving it with one answer changed (after one such save)."""
    url = wizard.step_url(assessment, step)
    question = wizard.changed_question(
        assessment.questionnaire.questions.filter(dimension__key=step).order_by("position").prefetch_related("options")
    )
    post = wizard.step_post(client, url, question)
    fetch(post)  # the first save may create the answer; the measured one updates it, as most saves do
    _response, get_queries = _queries(prepare(as_page((client, url))))
    response, post_queries = _queries(prepare(post))
    assert response.status_code == 302
    return get_queries, post_queries


@pytest.mark.django_db
def test_a_wizard_step_makes_as_many_queries_for_five_questions_as_for_seven():
    assessment, contributor = wizard.half_filled_draft("Constancy")
    client = _logged_in(contributor)
    assert len(wizard.step_questions(SMALL_STEP)) == 5
    assert len(wizard.step_questions(wizard.STEP)) == 7

    small_get, small_post = _step_queries(client, assessment, SMALL_STEP)
    large_get, large_post = _step_queries(client, assessment, wizard.STEP)

    assert len(small_get) == len(large_get), _difference(small_get, large_get)
    assert len(small_post) == len(large_post), _difference(small_post, large_post)


def _fewer_questions(text, keep=5):
    """Questionnaire 1.0 as version 1.1 with only the first `keep` questions of each dimension (at least 5)."""
    lines, kept, dropping = [], 0, False
    for line in text.replace('version = "1.0"', 'version = "1.1"', 1).splitlines(keepends=True):
        if line.startswith("["):  # a top-level table: a dimension, the framework, the calibration
            kept, dropping = 0, False
        elif line.startswith("  [[dimensions.questions]]"):
            kept += 1
            dropping = kept > keep
        if not dropping:
            lines.append(line)
    return "".join(lines)


@pytest.mark.django_db
def test_the_profile_makes_as_many_queries_for_one_year_as_for_three_and_for_fewer_questions():
    one_lead, (one_year,) = wizard.submitted_years("One Year", years=(2026,))
    three_lead, three_years = wizard.submitted_years("Three Years")
    # Loaded last, the shorter version is the one the next assessments start from.
    shorter, _created = questionnaire_load(text=_fewer_questions(QUESTIONNAIRE_FILE.read_text(encoding="utf-8")))
    short_lead, short_years = wizard.submitted_years("Short")
    assert shorter.questions.count() == 45 < wizard.questionnaire().questions.count() == 54
    assert {assessment.questionnaire_id for assessment in short_years} == {shorter.pk}

    pages = [
        as_page((_logged_in(lead), selectors.profile_url(assessment)))
        for lead, assessment in [(one_lead, one_year), (three_lead, three_years[-1]), (short_lead, short_years[-1])]
    ]
    for page in pages:
        fetch(page)  # warm: the first request of a client may differ
    (one, queries_one), (three, queries_three), (short, queries_short) = (_queries(prepare(page)) for page in pages)

    assert one.status_code == three.status_code == short.status_code == 200
    assert "2024" in three.content.decode()  # the history shows the earlier years
    assert len(queries_one) == len(queries_three), _difference(queries_one, queries_three)
    assert len(queries_three) == len(queries_short), _difference(queries_short, queries_three)
