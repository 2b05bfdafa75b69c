"""The bench's POST benchmarks: what a browser sends, the plain form, and each timed save being real."""

import pytest
from django.test import Client

from assessments.models import Answer
from assessments.wizard_forms import DimensionStepForm
from bench import wizard
from bench.browser import form_fields, value_of, with_value
from bench.forms import plain_forms
from bench.registry import BARE_VIEW, Benchmark, Page, as_page
from bench.runner import BenchmarkError, fetch, measure, prepare, run

PAGE = """
<form id="other"><input name="elsewhere" value="x"></form>
<form method="post" id="step-form">
  <input type="hidden" name="csrfmiddlewaretoken" value="t&amp;k">
  <input type="text" name="number" value="12.5">
  <input type="url" name="link">
  <input type="radio" name="choice" value="a">
  <input type="radio" name="choice" value="b" checked>
  <input type="checkbox" name="multi" value="x" checked>
  <input type="checkbox" name="multi" value="y">
  <input type="checkbox" name="multi" value="z" checked>
  <input type="checkbox" name="flag" checked>
  <textarea name="note">
Line one &lt;b&gt;</textarea>
  <select name="tier"><option value="">—</option><option value="beta" selected>Beta</option></select>
  <input type="text" name="off" value="1" disabled>
  <fieldset disabled>
    <input type="text" name="read-only" value="1"><fieldset></fieldset><input name="also" value="1">
  </fieldset>
  <input type="hidden" name="after" value="2">
  <button type="submit" name="go" value="next">Next</button>
  <input type="submit" name="go" value="save">
</form>
"""


def test_form_fields_are_what_a_browser_sends():
    assert form_fields(PAGE, "step-form") == [
        ("csrfmiddlewaretoken", "t&k"),
        ("number", "12.5"),
        ("link", ""),
        ("choice", "b"),
        ("multi", "x"),
        ("multi", "z"),
        ("flag", "on"),
        ("note", "Line one <b>"),
        ("tier", "beta"),
        ("after", "2"),
    ]


def test_a_missing_form_is_an_error():
    with pytest.raises(LookupError, match="no form with id 'nope'"):
        form_fields(PAGE, "nope")


def test_with_value_replaces_a_choice_in_place_or_adds_it():
    fields = [("a", "1"), ("choice", "b"), ("z", "2")]
    assert with_value(fields, "choice", "a") == [("a", "1"), ("choice", "a"), ("z", "2")]
    assert with_value(fields, "new", "v") == [*fields, ("new", "v")]
    assert with_value([("m", "x"), ("m", "y")], "m", "z") == [("m", "z")]
    assert value_of(fields, "choice") == "b"
    assert value_of(fields, "missing") is None


def test_a_setup_may_return_a_client_and_url_or_a_page():
    client = Client()
    assert as_page((client, "/")) == Page(client, "/")
    with pytest.raises(ValueError, match="needs a body"):
        Page(client, "/", method="POST")
    with pytest.raises(ValueError, match="GET or POST"):
        Page(client, "/", method="PUT")


@pytest.mark.django_db
def test_a_post_sends_a_fresh_body_each_time_url_encoded(settings):
    settings.ROOT_URLCONF = "bench.urls"
    client, url = wizard.plain_form("test-plain", "test-plain@bench.test")
    bodies = iter([[("a", "1")], [("b", "2"), ("b", "3")]])
    sent = []

    def body():
        fields = next(bodies)
        sent.append(fields)
        return fields

    page = Page(client, url, method="POST", body=body, status=302)
    first, second = prepare(page), prepare(page)
    assert sent == [[("a", "1")], [("b", "2"), ("b", "3")]]  # built by prepare, before the request is sent
    assert first().wsgi_request.POST.dict() == {"a": "1"}
    assert second().wsgi_request.POST.getlist("b") == ["2", "3"]


@pytest.mark.django_db
def test_the_plain_form_has_the_wizard_steps_fields(settings):
    settings.ROOT_URLCONF = "bench.urls"
    client, url = wizard.plain_form("test-plain", "test-plain@bench.test")
    questions = wizard.step_questions()
    step_form = DimensionStepForm(questions=questions, answers={}, max_not_applicable_share=0.5)
    plain_form = plain_forms["test-plain"].form_class()

    assert len(questions) == 7
    assert list(plain_form.fields) == list(step_form.fields)
    for name, field in step_form.fields.items():
        plain = plain_form.fields[name]
        assert (type(plain), type(plain.widget)) == (type(field), type(field.widget)), name
        assert [key for key, _label in getattr(plain, "choices", [])] == [
            key for key, _label in getattr(field, "choices", [])
        ], name
    html = fetch((client, url)).content.decode()
    assert "<h1" in html and 'id="main-nav"' in html  # in the site's layout
    assert "Save and next" in html


@pytest.mark.django_db
def test_plain_form_post_is_validated_and_redirected_and_an_invalid_one_is_an_error(settings):
    settings.ROOT_URLCONF = "bench.urls"
    page = as_page(wizard.plain_form_post())

    measurement = measure(page, warmup=1, repetitions=3)

    assert measurement.median > 0
    # Beyond the session and the user, the plain view stores the step's seven answers.
    assert measurement.queries > 2 + 7
    question = wizard.changed_question(wizard.step_questions())
    stored = Answer.objects.get(question=question, assessment__city__name="Plain Post City")
    assert stored.answered_by.email == "plain-form-post@bench.test"
    key = wizard.changed_question(wizard.step_questions()).key
    invalid = Page(page.client, page.url, method="POST", body=lambda: [(key, "no-such-option")], status=302)
    with pytest.raises(BenchmarkError, match=r"POST /__bench__/plain-form/plain-form-post/ answered 200, not 302"):
        fetch(invalid)


@pytest.mark.django_db
def test_each_timed_wizard_post_saves_a_change_without_conflict():
    page = as_page(wizard.wizard_post())
    question = wizard.changed_question(wizard.step_questions())
    first, second = (option.key for option in question.options.all()[:2])

    saved = []
    for _ in range(4):
        response = prepare(page)()
        assert response.status_code == 302, response.content.decode()[:2000]
        answer = Answer.objects.get(question=question, assessment__city__name="Wizard Post City")
        saved.append((answer.option_keys, answer.revision))

    assert saved == [([first], 2), ([second], 3), ([first], 4), ([second], 5)]


@pytest.mark.django_db
def test_run_times_a_post_benchmark_against_its_post_baseline(settings):
    bare = Benchmark(BARE_VIEW, lambda: (Client(), "/__bench__/bare/"), baseline=BARE_VIEW)
    posted = Benchmark("posted", wizard.plain_form_post, baseline=BARE_VIEW, max_queries=40)

    _bare, outcome = run([bare, posted], warmup=1, repetitions=3)

    assert outcome.error is None
    assert 2 < outcome.queries <= 40
    assert outcome.verdict == "PASS"
