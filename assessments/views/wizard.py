"""The assessment wizard: start, one page per step, review, submit.

Every step is a plain view over saved answers, so members can jump between steps and resume days
later; Next, Back, a jump and the periodic autosave all save the valid answers first.
"""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors
from ..access import city_role_required
from ..models import Assessment, Role, WizardPosition
from ..services import assessments as assessment_services
from ..services.assessments import AnswerValue
from ..wizard_forms import (
    DimensionStepForm,
    FrameworkStepForm,
    ProfileStepForm,
    fingerprint,
    framework_seen,
    raw_fields,
)


def _assessment(city, pk):
    return get_object_or_404(Assessment.objects.select_related("questionnaire", "city"), city=city, pk=pk)


def step_url(assessment, step):
    return reverse("assessment_step", kwargs={"slug": assessment.city.slug, "pk": assessment.pk, "step": step})


@city_role_required(Role.VIEWER)
def assessment_list(request, *, city, membership):
    assessments = city.assessments.select_related("questionnaire", "result").order_by("-year")
    return render(
        request,
        "assessments/assessment_list.html",
        {"city": city, "membership": membership, "assessments": assessments, "this_year": date.today().year},
    )


@require_POST
@city_role_required(Role.LEAD)
def assessment_start(request, *, city, membership):
    try:
        year = int(request.POST.get("year", ""))
        if not 2000 <= year <= date.today().year + 1:
            raise ValueError
    except ValueError:
        messages.error(request, _("Choose a year from 2000 to next year."))
        return redirect("assessment_list", slug=city.slug)
    try:
        assessment, notes = assessment_services.assessment_start(
            city=city, year=year, user=request.user, copy_previous=request.POST.get("copy_previous") == "on"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("assessment_list", slug=city.slug)
    messages.success(
        request, _("The %(year)s assessment is open. Your colleagues can fill it in with you.") % {"year": year}
    )
    for note in notes:
        messages.info(request, note)
    return redirect(step_url(assessment, selectors.PROFILE_STEP))


@city_role_required(Role.VIEWER)
def assessment_resume(request, pk, *, city, membership):
    assessment = _assessment(city, pk)
    if not assessment.is_open:
        return redirect(selectors.profile_url(assessment))
    position = WizardPosition.objects.filter(assessment=assessment, user=request.user).first()
    return redirect(step_url(assessment, position.step if position else selectors.PROFILE_STEP))


def _target_after_save(request, assessment, structure, step):
    """Where Next, Back, a jump or Review lead after saving."""
    steps = structure.step_keys
    action = request.POST.get("go", "save")
    index = steps.index(step)
    if action == "next":
        return (
            reverse("assessment_review", kwargs={"slug": assessment.city.slug, "pk": assessment.pk})
            if index == len(steps) - 1
            else step_url(assessment, steps[index + 1])
        )
    if action == "back" and index > 0:
        return step_url(assessment, steps[index - 1])
    if action == "review":
        return reverse("assessment_review", kwargs={"slug": assessment.city.slug, "pk": assessment.pk})
    if action.startswith("step:") and action[5:] in steps:
        return step_url(assessment, action[5:])
    return step_url(assessment, step)


@city_role_required(Role.VIEWER)
def assessment_step(request, pk, step, *, city, membership):
    assessment = _assessment(city, pk)
    structure = selectors.questionnaire_structure(assessment.questionnaire)
    if step not in structure.step_keys:
        raise Http404(_("There is no step “%(step)s” in this questionnaire.") % {"step": step})
    can_edit = assessment.is_open and membership.has_role(Role.CONTRIBUTOR)
    if request.method == "POST" and not can_edit:
        return render(
            request,
            "opencities/error.html",
            {
                "title": _("Not saved"),
                "message": _("This assessment is read-only for you: it was submitted, or your role is viewer."),
            },
            status=403,
        )
    dimension = structure.dimension(step)
    step_questions = structure.questions_by_dimension[dimension.pk] if dimension else []
    # A save that succeeds only needs this step's answers; a page shown needs all of them for progress.
    answers = selectors.answers_by_question(
        assessment, step_questions if request.method == "POST" and dimension else None
    )
    calibration = assessment.questionnaire.calibration
    autosave = request.POST.get("autosave") == "1"
    conflicts, form, changed_revisions = [], None, {}
    data = request.POST.copy() if request.method == "POST" else None

    if step == selectors.PROFILE_STEP:
        form = ProfileStepForm(data, instance=assessment) if data is not None else ProfileStepForm(instance=assessment)
        if data is not None and form.is_valid():
            saved = assessment_services.profile_save(
                assessment=assessment,
                user=request.user,
                values=form.profile_values(),
                base_revision=form.cleaned_data.get("profile_revision") or 0,
            )
            if saved:
                changed_revisions["profile_revision"] = str(Assessment.objects.get(pk=assessment.pk).profile_revision)
            else:
                assessment.refresh_from_db()
                conflicts = [
                    _(
                        "Someone saved the city profile after you opened it. Their values are shown below; "
                        "your change was not saved."
                    )
                ]
                form = ProfileStepForm(instance=assessment)
    elif step == selectors.FRAMEWORK_STEP:
        framework_answers = {item.element: item for item in assessment.framework_answers.all()}
        form = FrameworkStepForm(data, elements=assessment.questionnaire.framework, answers=framework_answers)
        if data is not None:
            form.is_valid()
            conflicted = assessment_services.framework_save(
                assessment=assessment, user=request.user, submitted=form.items_to_save()
            )
            if conflicted:
                conflicts = [
                    _("Someone changed these elements after you opened the page; their values are kept: %(keys)s.")
                    % {"keys": ", ".join(conflicted)}
                ]
            framework_answers = {item.element: item for item in assessment.framework_answers.all()}
            submitted = form.items_to_save()
            for element, item in framework_answers.items():
                if f"fw-{element}-link" in form.errors:
                    continue  # keep what was typed, with the message beside it
                if element in conflicted or element not in submitted:
                    data[f"fw-{element}"] = item.status
                    data[f"fw-{element}-link"] = item.link
                else:
                    changed_revisions[f"fw-{element}-rev"] = str(item.revision)
                    changed_revisions[f"fw-{element}-seen"] = framework_seen(item.status, item.link)
                data[f"fw-{element}-rev"] = str(item.revision)
                data[f"fw-{element}-seen"] = framework_seen(item.status, item.link)
            form = FrameworkStepForm(data, elements=assessment.questionnaire.framework, answers=framework_answers)
            form.is_valid()
    else:
        questions = step_questions
        form_kwargs = {
            "questions": questions,
            "answers": answers,
            "max_not_applicable_share": calibration.not_applicable_max_share,
        }
        form = DimensionStepForm(data, **form_kwargs)
        if data is not None:
            form.is_valid()
            to_save = form.answers_to_save()
            outcome = assessment_services.answers_save(assessment=assessment, user=request.user, submitted=to_save)
            conflicts = outcome.conflicts
            if form.errors or conflicts or autosave:
                # The page is shown again (or autosave needs the new revisions): read what is stored now.
                answers = selectors.answers_by_question(assessment)
                data, changed_revisions = _after_save(data, form, questions, answers, to_save, conflicts)
                form_kwargs["answers"] = answers
                form = DimensionStepForm(data, **form_kwargs)
                form.is_valid()

    if data is not None:
        has_errors = bool(form.errors)
        if autosave:
            assessment_services.wizard_position_set(assessment=assessment, user=request.user, step=step)
            return JsonResponse(
                {
                    "saved": not has_errors and not conflicts,
                    "errors": {name: [str(e) for e in errors] for name, errors in form.errors.items()},
                    "conflicts": len(conflicts),
                    "revisions": changed_revisions,
                },
                status=200,
            )
        if not has_errors and not conflicts:
            # The page redirected to records the member's position.
            return redirect(_target_after_save(request, assessment, structure, step))
        assessment_services.wizard_position_set(assessment=assessment, user=request.user, step=step)
        messages.warning(
            request, _("Some answers were not saved: see the messages beside them. Everything else was saved.")
        )
    elif can_edit:
        assessment_services.wizard_position_set(assessment=assessment, user=request.user, step=step)

    progress = selectors.step_progress(assessment, structure, answers)
    current = next(item for item in progress if item.key == step)
    index = structure.step_keys.index(step)
    return render(
        request,
        "assessments/wizard_step.html",
        {
            "city": city,
            "membership": membership,
            "assessment": assessment,
            "structure": structure,
            "step": step,
            "step_title": current.title,
            "dimension": structure.dimension(step),
            "form": form,
            "rows": list(form.rows(conflicts)) if isinstance(form, DimensionStepForm) else None,
            "conflict_messages": [c for c in conflicts if isinstance(c, str)],
            "progress": progress,
            "overall": _overall(progress),
            "can_edit": can_edit,
            "is_first": index == 0,
            "is_last": index == len(structure.step_keys) - 1,
        },
    )


def _after_save(data, form, questions, answers, to_save, conflicts):
    """The form data to show again after a save, and the hidden fields that changed.

    A question saved or in conflict moves to the revision now stored (a conflicting one keeps what the
    member typed, so that saving again is a deliberate choice); a question with an error keeps both
    the typed value and its old revision; every other question shows what is stored now.
    """
    conflicted = {conflict.question.pk for conflict in conflicts}
    changed = {}
    for question in questions:
        answer = answers.get(question.pk)
        stored = AnswerValue.of(answer)
        revision = str(answer.revision if answer else 0)
        if form.question_has_errors(question) and question.pk not in conflicted:
            continue
        if question.pk not in to_save:
            for name, values in raw_fields(question, stored).items():
                data.setlist(name, values)
        elif question.pk not in conflicted:
            changed[f"{question.key}-rev"] = revision
            changed[f"{question.key}-seen"] = fingerprint(stored)
        data[f"{question.key}-rev"] = revision
        data[f"{question.key}-seen"] = fingerprint(stored)
    return data, changed


def _overall(progress):
    answered = sum(step.answered for step in progress)
    total = sum(step.total for step in progress)
    return round(100 * answered / total) if total else 100


@city_role_required(Role.VIEWER)
def assessment_review(request, pk, *, city, membership):
    assessment = _assessment(city, pk)
    structure = selectors.questionnaire_structure(assessment.questionnaire)
    answers = selectors.answers_by_question(assessment)
    gaps = selectors.assessment_gaps(assessment, structure, answers)
    progress = selectors.step_progress(assessment, structure, answers)
    return render(
        request,
        "assessments/wizard_review.html",
        {
            "city": city,
            "membership": membership,
            "assessment": assessment,
            "gaps": [(gap, step_url(assessment, gap.step) + "#" + gap.anchor) for gap in gaps],
            "progress": progress,
            "overall": _overall(progress),
            "step_urls": {step.key: step_url(assessment, step.key) for step in progress},
        },
    )


@require_POST
@city_role_required(Role.LEAD)
def assessment_submit(request, pk, *, city, membership):
    assessment = _assessment(city, pk)
    try:
        assessment_services.assessment_submit(assessment=assessment, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("assessment_review", slug=city.slug, pk=assessment.pk)
    messages.success(request, _("Submitted. The openness profile is ready and the team has been told by email."))
    return redirect(selectors.profile_url(assessment))
