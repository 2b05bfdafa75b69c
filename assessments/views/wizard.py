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
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from opencities.models import Notice
from opencities.notices import Outbound, notices_outbound

from .. import selectors
from ..access import city_role_required
from ..models import Assessment, Role, WizardPosition
from ..services import assessments as assessment_services
from ..wizard_forms import step_form


def _assessment(city, pk):
    return get_object_or_404(Assessment.objects.select_related("questionnaire", "city"), city=city, pk=pk)


def step_url(assessment, step):
    return reverse("assessment_step", kwargs={"slug": assessment.city.slug, "pk": assessment.pk, "step": step})


@city_role_required(Role.VIEWER)
def assessment_list(request, *, city, membership):
    assessments = list(city.assessments.select_related("questionnaire", "result").order_by("-year"))
    context = {
        "city": city,
        "membership": membership,
        "assessments": assessments,
        "this_year": date.today().year,
        # One assessment is filled in at a time: while one is open, the page leads to it instead of offering another.
        "open_assessment": next((assessment for assessment in assessments if assessment.is_open), None),
        # Demonstration years hold no answers, so there is nothing to start from.
        "can_copy": any(not assessment.is_demo and not assessment.is_open for assessment in assessments),
    }
    return render(request, "assessments/assessment_list.html", context)


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
    posted = request.method == "POST"
    if posted and not can_edit:
        return render(request, "opencities/error.html", _READ_ONLY, status=403)
    # A page shown needs every answer for the progress; a save reads only its step's.
    answers = None if posted else selectors.answers_by_question(assessment)
    form = step_form(
        assessment=assessment, structure=structure, step=step, data=request.POST if posted else None, answers=answers
    )
    if posted:
        outcome = form.save_step(user=request.user)
        if request.POST.get("autosave") == "1":
            assessment_services.wizard_position_set(assessment=assessment, user=request.user, step=step)
            return JsonResponse(outcome.as_json())
        if outcome.saved:
            # The page redirected to records the member's position.
            return redirect(_target_after_save(request, assessment, structure, step))
        if step == selectors.PROFILE_STEP:  # the profile is saved as one whole, or not at all
            text = _("The city profile was not saved: see the messages beside the fields.")
        else:
            text = _("Some of what you entered was not saved: see the messages beside it. Everything else was saved.")
        messages.warning(request, text)
        answers = selectors.answers_by_question(assessment)
        form = form.shown_again(answers)
    if can_edit:
        assessment_services.wizard_position_set(assessment=assessment, user=request.user, step=step)
    return _step_page(request, assessment, membership, structure, step, form, answers, can_edit=can_edit)


def _step_page(request, assessment, membership, structure, step, form, answers, *, can_edit):
    progress = selectors.step_progress(assessment, structure, answers)
    index = structure.step_keys.index(step)
    return render(
        request,
        "assessments/wizard_step.html",
        {
            "city": assessment.city,
            "membership": membership,
            "assessment": assessment,
            "structure": structure,
            "step": step,
            "step_title": next(item.title for item in progress if item.key == step),
            "dimension": structure.dimension(step),
            "form": form,
            "rows": list(form.rows()) if structure.dimension(step) else None,
            "conflict_messages": form.conflict_messages,
            "progress": progress,
            "overall": _overall(progress),
            "can_edit": can_edit,
            "is_first": index == 0,
            "is_last": index == len(structure.step_keys) - 1,
            "reopening": selectors.reopening_of(assessment) if assessment.is_open else None,
        },
    )


_READ_ONLY = {
    "title": gettext_lazy("Not saved"),
    "message": gettext_lazy("This assessment is read-only for you: it was submitted, or your role is viewer."),
}


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
            "reopening": selectors.reopening_of(assessment) if assessment.is_open else None,
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
    outbound = notices_outbound(kind=Notice.Kind.RESULT_READY, object_id=assessment.pk)
    if outbound == Outbound.WAITING:
        text = _(
            "Submitted. The openness profile is ready. The email to the team could not go out yet; it is kept and "
            "goes out by itself as soon as the mail queue answers again."
        )
    elif outbound == Outbound.ON_ITS_WAY:
        text = _("Submitted. The openness profile is ready and an email to the team is on its way.")
    else:
        text = _("Submitted. The openness profile is ready.")
    messages.success(request, text)
    return redirect(selectors.profile_url(assessment))
