"""A plain Django form with the fields of a wizard step: the floor the wizard is compared with.

The wizard builds its form from the questionnaire on every request; this one is an ordinary
`forms.Form` class, declared once from the same questions, with the same field types, widgets,
choices and names, so that the same browser submission fits both.
"""

from dataclasses import dataclass, field

from django import forms
from django.core.validators import URLValidator
from django.db import transaction

from assessments.scoring import NONE_OF_THESE, AnswerValue
from assessments.wizard_forms import DONT_KNOW, EVIDENCE_NOTE_MAX, EVIDENCE_URL_MAX, NOT_APPLICABLE, QuestionFields
from opencities.vocabulary import KIND_CHOICE, KIND_MULTI, KIND_YESNO

_RADIOS = {"class": "form-check-input"}
_web_link = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class PlainForm:
    form_class: type[forms.Form]
    initial: dict = field(default_factory=dict)
    title: str = "Plain form"
    # Called with the request and the valid form before the redirect; None: nothing is stored.
    save: object = None


# The forms the bench views show, by the name in their URL; a benchmark's setup registers its own.
plain_forms: dict[str, PlainForm] = {}


def _specials(question):
    choices = [(DONT_KNOW, "Don't know")]
    if question.allows_not_applicable:
        choices.append((NOT_APPLICABLE, "Not applicable (a national power)"))
    return choices


def _question_fields(question):
    names = QuestionFields(question)
    options = [(option.key, option.label) for option in question.options.all()]
    common = {"label": question.text, "help_text": question.help, "required": False}
    fields = {}
    if question.kind == KIND_CHOICE:
        fields[names.value] = forms.ChoiceField(
            choices=[*options, *_specials(question)], widget=forms.RadioSelect(attrs=_RADIOS), **common
        )
    elif question.kind == KIND_YESNO:
        fields[names.value] = forms.ChoiceField(
            choices=[("yes", "Yes"), ("no", "No"), *_specials(question)],
            widget=forms.RadioSelect(attrs=_RADIOS),
            **common,
        )
    elif question.kind == KIND_MULTI:
        fields[names.value] = forms.MultipleChoiceField(
            choices=[*options, (NONE_OF_THESE, "None of these"), *_specials(question)],
            widget=forms.CheckboxSelectMultiple(attrs=_RADIOS),
            **common,
        )
    else:
        fields[names.value] = forms.CharField(max_length=20, **common)
        fields[names.dont_know] = forms.BooleanField(
            required=False, label="Don't know", widget=forms.CheckboxInput(attrs=_RADIOS)
        )
        if question.allows_not_applicable:
            fields[names.not_applicable] = forms.BooleanField(
                required=False, label="Not applicable", widget=forms.CheckboxInput(attrs=_RADIOS)
            )
    fields[names.note] = forms.CharField(
        label="Evidence note", required=False, max_length=EVIDENCE_NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    fields[names.link] = forms.CharField(
        label="Evidence link",
        required=False,
        max_length=EVIDENCE_URL_MAX,
        validators=[_web_link],
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    fields[names.revision] = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    fields[names.seen] = forms.CharField(widget=forms.HiddenInput, required=False)
    return fields


def plain_step_form(questions) -> type[forms.Form]:
    """A form class declaring the fields the wizard's step form builds for these questions."""
    declared = {}
    for question in questions:
        declared.update(_question_fields(question))
    return type("PlainStepForm", (forms.Form,), declared)


def register_plain_form(
    name: str, questions, values: dict[int, AnswerValue], *, title: str = "Plain form", save=None
) -> None:
    """Show the questions' fields at the bench URLs named `name`, the questions in `values` answered."""
    initial = {}
    for question in questions:
        value = values.get(question.pk)
        # As the wizard shows a saved answer.
        initial.update(QuestionFields(question).initial(value or AnswerValue(), 1 if value else 0))
    plain_forms[name] = PlainForm(plain_step_form(questions), initial, title, save)


def plain_save(assessment, questions):
    """What a plain Django view does with a valid step: store each question's answer, one row each.

    No locking, no conflict check, no change detection: the floor that the wizard's safeguards cost
    is measured against.
    """

    def save(request, form):
        from assessments.models import Answer

        data = form.cleaned_data
        with transaction.atomic():
            for question in questions:
                names = QuestionFields(question)
                chosen = data.get(names.value)
                Answer.objects.update_or_create(
                    assessment=assessment,
                    question=question,
                    defaults={
                        "option_keys": chosen if isinstance(chosen, list) else [chosen] if chosen else [],
                        "evidence_note": data.get(names.note, ""),
                        "evidence_url": data.get(names.link, ""),
                        "answered_by": request.user,
                    },
                )

    return save
