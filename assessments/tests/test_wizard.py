"""The wizard as members use it: steps, saving, bad input, conflicts, resume, review and submit."""

import html as html_text
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from assessments import selectors
from assessments.models import Answer, Assessment, AssessmentResult, WizardPosition
from assessments.services.assessments import assessment_start

from .wizard_helpers import fill_in, load_questionnaire, started

pytestmark = pytest.mark.django_db


def step_url(assessment, step):
    return reverse("assessment_step", kwargs={"slug": assessment.city.slug, "pk": assessment.pk, "step": step})


def questions_of(assessment, dimension_key):
    structure = selectors.questionnaire_structure(assessment.questionnaire)
    return structure.questions_by_dimension[structure.dimension(dimension_key).pk]


def form_data(page_content):
    """The values a browser would send back: hidden revisions and the answers shown."""
    html = page_content.decode()
    hidden = re.findall(r'<input type="hidden" name="([^"]+-(?:rev|seen)|profile_revision)" value="([^"]*)"', html)
    data = {name: html_text.unescape(value) for name, value in hidden}
    data.update(re.findall(r'<input type="hidden" name="(csrfmiddlewaretoken)" value="([^"]+)"', html))
    return data


def test_lead_starts_the_years_assessment_once(client, city, lead):
    load_questionnaire()
    client.force_login(lead)
    response = client.post(reverse("assessment_start", kwargs={"slug": city.slug}), {"year": "2026"})
    assessment = Assessment.objects.get(city=city, year=2026)
    assert response.url == step_url(assessment, "profile")
    # The city record pre-fills the profile step.
    assert assessment.metro_population == city.metro_population
    again = client.post(reverse("assessment_start", kwargs={"slug": city.slug}), {"year": "2026"}, follow=True)
    assert "already has an assessment for 2026" in again.content.decode()
    assert Assessment.objects.filter(city=city).count() == 1


def test_the_database_allows_one_open_draft_per_city_and_year(city, lead):
    assessment = started(city, lead)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(city=city, questionnaire=assessment.questionnaire, year=2026)


def test_starting_from_the_previous_assessment_copies_answers_and_says_so(
    city, lead, django_capture_on_commit_callbacks
):
    from assessments.services.assessments import assessment_submit

    previous = fill_in(started(city, lead, year=2025), lead)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment=previous, user=lead)
    assessment, notes = assessment_start(city=city, year=2026, user=lead, copy_previous=True)
    assert assessment.answers.count() == previous.answers.count() == 54
    assert "54 answers and their evidence were copied from 2025" in notes[0]
    copied = assessment.answers.select_related("question").first()
    assert copied.evidence_note == "Council decision 2024/17"


def test_a_valid_step_saves_and_moves_on(client, city, lead, contributor):
    assessment = started(city, lead)
    client.force_login(contributor)
    page = client.get(step_url(assessment, "welcome-entry"))
    questions = questions_of(assessment, "welcome-entry")
    choice = next(q for q in questions if q.kind == "choice")
    data = {**form_data(page.content), choice.key: choice.options.all()[1].key, "go": "next"}
    response = client.post(step_url(assessment, "welcome-entry"), data)
    assert response.status_code == 302
    assert response.url == step_url(assessment, "leadership-governance")
    answer = Answer.objects.get(assessment=assessment, question=choice)
    assert answer.option_keys == [choice.options.all()[1].key]
    assert answer.answered_by == contributor
    # The next visit shows who changed it.
    assert "Last changed by" in client.get(step_url(assessment, "welcome-entry")).content.decode()


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("not-a-number", "Enter a number, for example 12.5."),
        ("-5", "Enter a number from"),
        ("1e999", "Enter a number from"),
    ],
)
def test_a_bad_number_keeps_the_typed_value_and_saves_the_rest(client, city, lead, bad, message):
    assessment = started(city, lead)
    client.force_login(lead)
    questions = questions_of(assessment, "international-population")
    number = next(q for q in questions if q.kind == "number")
    other = next(q for q in questions if q.kind == "choice")
    page = client.get(step_url(assessment, "international-population"))
    data = {**form_data(page.content), number.key: bad, other.key: other.options.all()[0].key, "go": "next"}
    response = client.post(step_url(assessment, "international-population"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert f'value="{bad}"' in html
    assert not Answer.objects.filter(assessment=assessment, question=number).exists()
    assert Answer.objects.filter(assessment=assessment, question=other).exists()


@pytest.mark.parametrize(
    ("field_suffix", "value", "message"),
    [
        ("-note", "x" * 4001, "Ensure this value has at most 4000 characters"),
        ("-link", "javascript:alert(1)", "starting with http:// or https://"),
        ("-link", "https://example.org/" + "a" * 500, "at most 500 characters"),
    ],
)
def test_bad_evidence_is_refused_beside_the_question(client, city, lead, field_suffix, value, message):
    assessment = started(city, lead)
    client.force_login(lead)
    question = questions_of(assessment, "welcome-entry")[0]
    page = client.get(step_url(assessment, "welcome-entry"))
    data = {**form_data(page.content), question.key: question.options.all()[0].key, question.key + field_suffix: value}
    response = client.post(step_url(assessment, "welcome-entry"), data)
    assert message in response.content.decode()
    # The answer itself is saved; the refused evidence is not.
    answer = Answer.objects.get(assessment=assessment, question=question)
    assert (answer.option_keys, answer.evidence_note, answer.evidence_url) == ([question.options.all()[0].key], "", "")


def test_an_option_of_another_question_is_refused(client, city, lead):
    assessment = started(city, lead)
    client.force_login(lead)
    first, second = [q for q in questions_of(assessment, "integration-inclusion") if q.kind == "choice"][:2]
    foreign = Answer  # noqa: F841 (kept for readability of the assertion below)
    page = client.get(step_url(assessment, "integration-inclusion"))
    response = client.post(
        step_url(assessment, "integration-inclusion"),
        {**form_data(page.content), first.key: "an-option-of-version-2", second.key: "__bogus"},
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Answer.objects.filter(assessment=assessment).exists()


def test_not_applicable_where_it_is_not_offered_is_refused(client, city, lead):
    assessment = started(city, lead)
    client.force_login(lead)
    questions = questions_of(assessment, "welcome-entry")
    # Forge N/A on every question of the step, as a tampered form could.
    page = client.get(step_url(assessment, "welcome-entry"))
    data = form_data(page.content)
    for question in questions:
        data[f"{question.key}-na" if question.kind == "number" else question.key] = (
            ["__na"] if question.kind == "multi" else "on" if question.kind == "number" else "__na"
        )
    response = client.post(step_url(assessment, "welcome-entry"), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    refused = [q for q in questions if not q.allows_not_applicable and q.kind != "number"]
    assert not Answer.objects.filter(assessment=assessment, question__in=refused).exists()


def test_not_applicable_on_more_than_the_allowed_share_of_a_step_is_refused(city, lead):
    from assessments.wizard_forms import DimensionStepForm

    assessment = started(city, lead)
    questions = questions_of(assessment, "welcome-entry")
    allowing = [q for q in questions if q.allows_not_applicable]
    assert len(allowing) == 2
    data = {q.key: "__na" for q in allowing}
    # With a share of a quarter, 2 of 6 questions Not applicable is one too many.
    form = DimensionStepForm(data, questions=questions, answers={}, max_not_applicable_share=Decimal("0.25"))
    assert not form.is_valid()
    assert "At most 1 of this step's 6 questions may be Not applicable" in form.errors[allowing[0].key][0]
    assert form.answers_to_save() == {}
    within = DimensionStepForm(data, questions=questions, answers={}, max_not_applicable_share=Decimal("0.5"))
    assert within.is_valid()
    assert len(within.answers_to_save()) == 2


def test_an_unknown_step_is_a_clear_404(client, city, lead):
    assessment = started(city, lead)
    client.force_login(lead)
    response = client.get(step_url(assessment, "no-such-step"))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_another_citys_assessment_is_not_found(client, city, lead, outsider):
    assessment = started(city, lead)
    other_city = outsider.memberships.get().city
    client.force_login(outsider)
    url = reverse("assessment_step", kwargs={"slug": other_city.slug, "pk": assessment.pk, "step": "profile"})
    assert client.get(url).status_code == 404


def test_same_answer_saved_from_two_pages_gives_the_second_a_conflict(client, city, lead, contributor):
    from django.test import Client

    assessment = started(city, lead)
    question = next(q for q in questions_of(assessment, "welcome-entry") if q.kind == "choice")
    first, second = Client(), Client()
    first.force_login(lead)
    second.force_login(contributor)
    page_one = first.get(step_url(assessment, "welcome-entry"))
    page_two = second.get(step_url(assessment, "welcome-entry"))
    low, high = question.options.all()[0], question.options.all()[1]
    first.post(step_url(assessment, "welcome-entry"), {**form_data(page_one.content), question.key: low.key})
    response = second.post(
        step_url(assessment, "welcome-entry"), {**form_data(page_two.content), question.key: high.key}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "changed this answer" in html
    assert low.label in html and high.label in html
    assert Answer.objects.get(assessment=assessment, question=question).option_keys == [low.key]
    # Saving again after seeing the conflict is a deliberate choice, and goes through.
    again = second.post(step_url(assessment, "welcome-entry"), {**form_data(response.content), question.key: high.key})
    assert again.status_code == 302
    assert Answer.objects.get(assessment=assessment, question=question).option_keys == [high.key]


def test_two_people_on_different_questions_never_conflict(client, city, lead, contributor):
    from django.test import Client

    assessment = started(city, lead)
    one, two = [q for q in questions_of(assessment, "welcome-entry") if q.kind == "choice"][:2]
    first, second = Client(), Client()
    first.force_login(lead)
    second.force_login(contributor)
    page_one = first.get(step_url(assessment, "welcome-entry"))
    page_two = second.get(step_url(assessment, "welcome-entry"))
    first.post(
        step_url(assessment, "welcome-entry"), {**form_data(page_one.content), one.key: one.options.all()[0].key}
    )
    response = second.post(
        step_url(assessment, "welcome-entry"), {**form_data(page_two.content), two.key: two.options.all()[0].key}
    )
    assert response.status_code == 302
    assert Answer.objects.filter(assessment=assessment).count() == 2


def test_autosave_answers_json_with_the_new_revisions(client, city, lead):
    assessment = started(city, lead)
    client.force_login(lead)
    question = questions_of(assessment, "welcome-entry")[0]
    page = client.get(step_url(assessment, "welcome-entry"))
    response = client.post(
        step_url(assessment, "welcome-entry"),
        {**form_data(page.content), question.key: question.options.all()[0].key, "autosave": "1"},
    )
    body = response.json()
    assert body["saved"] is True
    assert body["revisions"][f"{question.key}-rev"] == "1"


def test_resume_returns_to_the_last_step(client, city, lead):
    assessment = started(city, lead)
    client.force_login(lead)
    client.get(step_url(assessment, "talent-education"))
    resume = client.get(reverse("assessment_resume", kwargs={"slug": city.slug, "pk": assessment.pk}))
    assert resume.url == step_url(assessment, "talent-education")
    assert WizardPosition.objects.get(user=lead).step == "talent-education"


def test_review_lists_each_gap_with_a_link(client, city, lead):
    assessment = fill_in(started(city, lead), lead, skip_dimensions=("welcome-entry",))
    client.force_login(lead)
    page = client.get(reverse("assessment_review", kwargs={"slug": city.slug, "pk": assessment.pk})).content.decode()
    assert "6 things are missing" in page
    assert step_url(assessment, "welcome-entry") + "#q-" in page


def test_submit_with_gaps_is_refused_and_nothing_is_stored(client, city, lead):
    assessment = fill_in(started(city, lead), lead, skip_dimensions=("welcome-entry",))
    client.force_login(lead)
    response = client.post(reverse("assessment_submit", kwargs={"slug": city.slug, "pk": assessment.pk}), follow=True)
    assert "cannot be submitted yet" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == "draft"
    assert not AssessmentResult.objects.exists()


def test_a_contributor_cannot_submit(client, city, lead, contributor):
    assessment = fill_in(started(city, lead), lead)
    client.force_login(contributor)
    response = client.post(reverse("assessment_submit", kwargs={"slug": city.slug, "pk": assessment.pk}))
    assert response.status_code == 403
    assert Assessment.objects.get(pk=assessment.pk).status == "draft"


def test_the_result_notice_skips_deactivated_accounts(
    client, city, lead, contributor, viewer, django_capture_on_commit_callbacks
):
    viewer.is_active = False
    viewer.save()
    assessment = fill_in(started(city, lead), lead)
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assessment_submit", kwargs={"slug": city.slug, "pk": assessment.pk}))
    result_ready = [message for message in mail.outbox if "report" not in message.subject]
    assert sorted(message.to[0] for message in result_ready) == ["contrib@zurich.test", "lead@zurich.test"]


def test_submit_stores_the_result_and_tells_the_team(
    client, city, lead, contributor, django_capture_on_commit_callbacks
):
    assessment = fill_in(started(city, lead), lead)
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assessment_submit", kwargs={"slug": city.slug, "pk": assessment.pk}))
    assert response.url == selectors.profile_url(assessment)
    result = AssessmentResult.objects.get(assessment=assessment)
    assert Decimal(0) <= result.openness_index <= Decimal(100)
    assert result.completeness == Decimal("100.0")
    assert assessment.dimension_scores.count() == 9
    # Zürich-like profile: 1.4 M, largest city, finance niche → a niche hub.
    assert result.city_type == "niche-hub"
    # One email per member, to that member alone: none sees another's address.
    result_ready = [message for message in mail.outbox if "report" not in message.subject]
    assert sorted(message.recipients() for message in result_ready) == [["contrib@zurich.test"], ["lead@zurich.test"]]
    # Read-only now.
    question = questions_of(assessment, "welcome-entry")[0]
    blocked = client.post(step_url(assessment, "welcome-entry"), {question.key: question.options.all()[0].key})
    assert blocked.status_code == 403


def test_a_viewer_reads_but_cannot_save(client, city, lead, viewer):
    assessment = started(city, lead)
    client.force_login(viewer)
    page = client.get(step_url(assessment, "welcome-entry")).content.decode()
    assert "You are a viewer" in page
    question = questions_of(assessment, "welcome-entry")[0]
    response = client.post(step_url(assessment, "welcome-entry"), {question.key: question.options.all()[0].key})
    assert response.status_code == 403
    assert not Answer.objects.exists()


def test_framework_step_saves_changed_elements_only_and_keeps_a_bad_link(client, city, lead, contributor):
    from django.test import Client

    from assessments.models import FrameworkAnswer

    assessment = started(city, lead)
    first, second = Client(), Client()
    first.force_login(lead)
    second.force_login(contributor)
    page_one = first.get(step_url(assessment, "framework"))
    page_two = second.get(step_url(assessment, "framework"))
    first.post(step_url(assessment, "framework"), {**form_data(page_one.content), "fw-strategy": "present"})
    response = second.post(
        step_url(assessment, "framework"),
        {**form_data(page_two.content), "fw-budget": "partial", "fw-monitoring-link": "javascript:alert(1)"},
    )
    html = response.content.decode()
    assert "starting with http:// or https://" in html
    assert 'value="javascript:alert(1)"' in html
    assert "Someone changed" not in html
    assert dict(FrameworkAnswer.objects.values_list("element", "status")) == {
        "strategy": "present",
        "budget": "partial",
    }


def test_profile_step_keeps_a_bad_population_and_saves_nothing(client, city, lead):
    assessment = started(city, lead)
    client.force_login(lead)
    page = client.get(step_url(assessment, "profile"))
    response = client.post(
        step_url(assessment, "profile"), {**form_data(page.content), "metro_population": "-3", "niche": "tourism"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="-3"' in html
    assessment.refresh_from_db()
    assert assessment.niche == "" and assessment.metro_population == city.metro_population


def test_services_refuse_a_script_link_whatever_the_caller(city, lead):
    from django.core.exceptions import ValidationError

    from assessments.scoring import AnswerValue
    from assessments.services.assessments import answers_save, framework_save

    assessment = started(city, lead)
    question = questions_of(assessment, "welcome-entry")[0]
    with pytest.raises(ValidationError):
        answers_save(
            assessment=assessment,
            user=lead,
            submitted={question.pk: (AnswerValue(dont_know=True, evidence_url="javascript:alert(1)"), 0)},
        )
    with pytest.raises(ValidationError):
        framework_save(assessment=assessment, user=lead, submitted={"strategy": ("present", "javascript:x", 0)})
    assert not Answer.objects.exists()


def test_the_review_page_offers_the_answers_for_sign_off(client, city, lead):
    assessment = started(city, lead)
    client.force_login(lead)
    page = client.get(reverse("assessment_review", kwargs={"slug": city.slug, "pk": assessment.pk})).content.decode()
    for fmt in ("csv", "xlsx"):
        url = reverse("assessment_export", kwargs={"slug": city.slug, "pk": assessment.pk, "fmt": fmt})
        assert url in page
        assert client.get(url).status_code == 200
    assert reverse("questionnaire_print", kwargs={"version": "1.0"}) in page


def test_an_editor_override_needs_a_reason_and_shows_on_the_profile(client, city, lead, editor):
    from django.core.exceptions import ValidationError

    from assessments.services.assessments import assessment_submit, assessment_type_override

    assessment = fill_in(started(city, lead), lead)
    result = assessment_submit(assessment=assessment, user=lead)
    with pytest.raises(ValidationError):
        assessment_type_override(result=result, city_type="world-city", reason=" ", editor=editor)
    assessment_type_override(
        result=result, city_type="world-city", reason="Hosts the UN's European seat.", editor=editor
    )
    client.force_login(lead)
    page = client.get(selectors.profile_url(assessment)).content.decode()
    assert "Hosts the UN" in page


def test_an_update_from_a_stale_revision_changes_nothing_and_keeps_the_winner(city, lead, contributor):
    from assessments.models import FrameworkAnswer
    from assessments.scoring import AnswerValue
    from assessments.services.assessments import answers_save, framework_save, profile_save
    from assessments.services.revisions import update_from_revision

    assessment = fill_in(started(city, lead), lead)
    question = next(q for q in questions_of(assessment, "welcome-entry") if q.kind == "choice")
    rows = Answer.objects.filter(assessment=assessment, question=question)
    first, second = question.options.all()[0].key, question.options.all()[1].key
    assert update_from_revision(rows, base_revision=1, option_keys=[first]) == 1
    assert update_from_revision(rows, base_revision=1, option_keys=[second]) == 0
    assert (rows.get().option_keys, rows.get().revision) == ([first], 2)

    # Through the services, the same for answers, framework elements and the city profile.
    outcome = answers_save(
        assessment=assessment, user=contributor, submitted={question.pk: (AnswerValue(option_keys=(second,)), 1)}
    )
    assert [conflict.question for conflict in outcome.conflicts] == [question] and outcome.saved == 0
    assert rows.get().option_keys == [first]
    assert framework_save(assessment=assessment, user=contributor, submitted={"strategy": ("absent", "", 0)}) == [
        "strategy"
    ]
    assert FrameworkAnswer.objects.get(assessment=assessment, element="strategy").status == "partial"
    stale = assessment.profile_revision - 1
    assert not profile_save(assessment=assessment, user=contributor, values={"niche": "tourism"}, base_revision=stale)
    assessment.refresh_from_db()
    assert assessment.niche == "finance"


def test_a_step_form_saves_itself_and_says_how_it_went(city, lead, contributor):
    from django.http import QueryDict

    from assessments.wizard_forms import step_form

    assessment = started(city, lead)
    structure = selectors.questionnaire_structure(assessment.questionnaire)
    one, two = [q for q in questions_of(assessment, "welcome-entry") if q.kind == "choice"][:2]

    def posted(**fields):
        data = QueryDict(mutable=True)
        data.update(fields)
        return step_form(assessment=assessment, structure=structure, step="welcome-entry", data=data)

    saved = posted(**{one.key: one.options.all()[0].key}).save_step(user=lead)
    assert saved.saved and saved.revisions[f"{one.key}-rev"] == "1"
    assert saved.as_json()["saved"] is True

    # A base revision older than the stored one is a conflict; the other question is still saved.
    form = posted(**{one.key: one.options.all()[1].key, two.key: two.options.all()[0].key})
    conflicted = form.save_step(user=contributor)
    assert not conflicted.saved and conflicted.conflicts == 1 and not conflicted.errors
    assert f"{two.key}-rev" in conflicted.revisions and f"{one.key}-rev" not in conflicted.revisions
    again = form.shown_again(selectors.answers_by_question(assessment))
    row = next(row for row in again.rows() if row.question == one)
    assert row.conflict and 'value="1"' in str(again[f"{one.key}-rev"])
    assert again[one.key].value() == one.options.all()[1].key  # what the member typed, to save again deliberately

    refused = posted(**{one.key: "no-such-option"}).save_step(user=lead)
    assert not refused.saved and list(refused.errors) == [one.key] and refused.conflicts == 0
    assert Answer.objects.get(assessment=assessment, question=one).option_keys == [one.options.all()[0].key]


def test_a_question_is_unchanged_when_its_value_is_the_one_the_page_showed(city, lead):
    from assessments.scoring import AnswerValue
    from assessments.wizard_forms import DimensionStepForm, read_shown, shown

    assessment = started(city, lead)
    question = next(q for q in questions_of(assessment, "welcome-entry") if q.kind == "multi")
    ticks = tuple(option.key for option in question.options.all()[:2])
    value = AnswerValue(option_keys=ticks, evidence_note='A "quoted"\r\nnote', evidence_url="https://city.example/")
    assert read_shown(shown(value)) == value
    assert read_shown("") == AnswerValue()
    assert read_shown("not json") is None and read_shown('{"number": "x"}') is None

    def to_save(seen):
        data = {question.key: list(reversed(ticks)), f"{question.key}-note": value.evidence_note}
        data[f"{question.key}-link"] = value.evidence_url
        form = DimensionStepForm(
            {**data, f"{question.key}-seen": seen}, questions=[question], answers={}, max_not_applicable_share=0.5
        )
        form.is_valid()
        return form.answers_to_save()

    assert to_save(shown(value)) == {}  # the same ticks in another order are the same answer
    assert to_save(shown(AnswerValue())) == {question.pk: (value, 0)}
    assert to_save("tampered") == {question.pk: (value, 0)}


def test_an_answer_shown_in_its_fields_reads_back_as_the_same_answer(city, lead):
    from django.http import QueryDict

    from assessments.scoring import AnswerValue
    from assessments.wizard_forms import DimensionStepForm, QuestionFields

    from .wizard_helpers import middle_value

    assessment = started(city, lead)
    for dimension in ("welcome-entry", "international-population"):
        questions = questions_of(assessment, dimension)
        for value_of in (middle_value, lambda q: AnswerValue(dont_know=True, evidence_note="asked around")):
            values = {question.pk: value_of(question) for question in questions}
            data = QueryDict(mutable=True)
            for question in questions:
                for name, shown in QuestionFields(question).initial(values[question.pk], 3).items():
                    if isinstance(shown, list):
                        data.setlist(name, shown)
                    elif shown is True:
                        data[name] = "on"
                    elif shown is not False and shown is not None:
                        data[name] = str(shown)
            form = DimensionStepForm(data, questions=questions, answers={}, max_not_applicable_share=Decimal("0.5"))
            assert form.is_valid(), form.errors
            assert form.answers_to_save() == {}  # as the page showed it
            for question in questions:
                assert QuestionFields(question).read(form.cleaned_data) == values[question.pk]


# --- Issue 13: numbers never change behind the member's back; a bad link keeps the answer; the evidence rule ---


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1,2", "Write decimals with a point, not a comma: for example 1.2."),
        ("1.234,5", "Write decimals with a point, not a comma: for example 1,234.5."),
        ("2.125", "at most 2 decimals"),
    ],
)
def test_a_number_that_could_be_misread_is_refused_and_kept_as_typed(client, city, lead, typed, message):
    assessment = started(city, lead)
    client.force_login(lead)
    number = next(q for q in questions_of(assessment, "international-population") if q.kind == "number")
    page = client.get(step_url(assessment, "international-population"))
    response = client.post(
        step_url(assessment, "international-population"), {**form_data(page.content), number.key: typed}
    )
    html = html_text.unescape(response.content.decode())
    assert message in html and f'value="{typed}"' in html
    assert not Answer.objects.filter(assessment=assessment, question=number).exists()


def test_the_profile_population_is_a_text_box_read_without_guessing(client, city, lead):
    assessment = started(city, lead)
    client.force_login(lead)
    page = client.get(step_url(assessment, "profile"))
    # A browser's number box sends nothing for "1,2" (the value would be lost); a text box sends what was typed.
    assert re.search(r'<input type="text" name="metro_population"[^>]*inputmode="numeric"', page.content.decode())
    refused = client.post(step_url(assessment, "profile"), {**form_data(page.content), "metro_population": "1.350"})
    assert 'value="1.350"' in refused.content.decode() and "without decimals" in refused.content.decode()
    assert "The city profile was not saved" in refused.content.decode()  # it is saved as one whole
    assessment.refresh_from_db()
    assert assessment.metro_population == city.metro_population
    client.post(step_url(assessment, "profile"), {**form_data(page.content), "metro_population": "1,350,000"})
    assessment.refresh_from_db()
    assert assessment.metro_population == 1_350_000


def test_a_bad_evidence_link_keeps_the_valid_answer_and_the_typed_link(client, city, lead):
    assessment = started(city, lead)
    client.force_login(lead)
    number = next(q for q in questions_of(assessment, "international-population") if q.kind == "number")
    page = client.get(step_url(assessment, "international-population"))
    data = {**form_data(page.content), number.key: "64", f"{number.key}-link": "ftp://city.example/data.csv"}
    response = client.post(step_url(assessment, "international-population"), data)
    html = response.content.decode()
    assert "starting with http:// or https://" in html and 'value="ftp://city.example/data.csv"' in html
    answer = Answer.objects.get(assessment=assessment, question=number)
    assert (answer.number, answer.evidence_url, answer.revision) == (Decimal(64), "", 1)
    # The page moved to the stored revision: fixing the link saves it, with no conflict.
    fixed = {**form_data(response.content), number.key: "64", f"{number.key}-link": "https://city.example/data.csv"}
    assert client.post(step_url(assessment, "international-population"), fixed).status_code == 302
    answer.refresh_from_db()
    assert (answer.evidence_url, answer.revision) == ("https://city.example/data.csv", 2)


def test_autosave_with_a_bad_link_saves_the_answer_and_says_what_was_refused(client, city, lead):
    assessment = started(city, lead)
    client.force_login(lead)
    question = questions_of(assessment, "welcome-entry")[0]
    page = client.get(step_url(assessment, "welcome-entry"))
    data = {**form_data(page.content), question.key: question.options.all()[0].key, "autosave": "1"}
    body = client.post(
        step_url(assessment, "welcome-entry"), {**data, f"{question.key}-link": "ftp://x.example"}
    ).json()
    assert body["saved"] is False and list(body["errors"]) == [f"{question.key}-link"]
    assert body["revisions"][f"{question.key}-rev"] == "1"
    assert Answer.objects.get(assessment=assessment, question=question).option_keys == [question.options.all()[0].key]


def test_a_framework_element_with_a_bad_link_keeps_its_status(client, city, lead):
    from assessments.models import FrameworkAnswer

    assessment = started(city, lead)
    client.force_login(lead)
    page = client.get(step_url(assessment, "framework"))
    data = {**form_data(page.content), "fw-strategy": "present", "fw-strategy-link": "ftp://city.example/s.pdf"}
    html = client.post(step_url(assessment, "framework"), data).content.decode()
    assert 'value="ftp://city.example/s.pdf"' in html and "starting with http:// or https://" in html
    assert FrameworkAnswer.objects.get(assessment=assessment, element="strategy").status == "present"


def test_a_top_level_without_evidence_says_so_beside_the_question(client, city, lead):
    assessment = started(city, lead)
    client.force_login(lead)
    question = questions_of(assessment, "welcome-entry")[0]
    top = max(question.options.all(), key=lambda option: option.points)
    low = min(question.options.all(), key=lambda option: option.points)

    def hint(html):
        """The hint's tag: always on the page, hidden unless the level shown needs evidence it lacks."""
        tag = re.search(rf'<p [^>]*id="q-{question.key}-evidence"[^>]*>\s*This level needs evidence', html)
        assert tag, "no evidence hint beside the question"
        return tag[0]

    def saved_page(option, **evidence):
        page = client.get(step_url(assessment, "welcome-entry"))
        data = {**form_data(page.content), question.key: option.key, **evidence}
        client.post(step_url(assessment, "welcome-entry"), data)
        return client.get(step_url(assessment, "welcome-entry")).content.decode()

    page = client.get(step_url(assessment, "welcome-entry")).content.decode()
    assert " hidden" in hint(page)
    # For the page's script: the options that need evidence, so it shows the hint as soon as one is chosen.
    levels = re.search(rf'id="q-{question.key}"[^>]*data-evidence-options="([^"]*)"', page)[1].split()
    assert top.key in levels and low.key not in levels
    # Without JavaScript: once saved.
    assert " hidden" not in hint(saved_page(top))
    assert " hidden" in hint(saved_page(low))
    assert " hidden" in hint(saved_page(top, **{f"{question.key}-note": "Council decision 2024/17"}))
