"""Forms of the assessment wizard: one form per step, built from the questionnaire version.

Each step form saves itself and tells the view how that went (a StepOutcome); after a save that left
errors or conflicts it shows itself again with what is stored now, keeping what the member typed.
"""

import json
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal

from django import forms
from django.core.validators import URLValidator
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from opencities.vocabulary import KIND_CHOICE, KIND_MULTI, KIND_NUMBER, KIND_YESNO

from . import selectors
from .citytype import UNKNOWN_TIER, UNKNOWN_TIER_NAME
from .models import Answer, Assessment, FrameworkAnswer, FrameworkStatus, GawcTier, Niche, Question
from .numbers import UnclearNumber, data_figure, figure, number_read
from .scoring import NONE_OF_THESE, AnswerValue, not_applicable_limit
from .selectors import value_in_words
from .services.assessments import PROFILE_FIELDS, AnswerConflict, answers_save, framework_save, profile_save

DONT_KNOW = "__dont_know"
NOT_APPLICABLE = "__na"
SPECIALS = {DONT_KNOW, NOT_APPLICABLE}
EVIDENCE_NOTE_MAX = 4000
EVIDENCE_URL_MAX = 500
ANSWER_DECIMALS = Answer._meta.get_field("number").decimal_places

web_link = URLValidator(schemes=["http", "https"], message=_("Enter a web address starting with http:// or https://."))


RADIOS = forms.RadioSelect(attrs={"class": "form-check-input"})
CHECKBOX = forms.CheckboxInput(attrs={"class": "form-check-input"})


@dataclass
class StepOutcome:
    """What saving a step did: the errors and conflicts left, and the hidden fields that moved."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    conflicts: int = 0
    revisions: dict[str, str] = field(default_factory=dict)

    @property
    def saved(self) -> bool:
        """Everything was saved: the member moves on."""
        return not self.errors and not self.conflicts

    def as_json(self) -> dict:
        """What autosave answers; the page copies the revisions into its hidden fields."""
        return {"saved": self.saved, "errors": self.errors, "conflicts": self.conflicts, "revisions": self.revisions}


def _errors(form: forms.Form) -> dict[str, list[str]]:
    return {name: [str(error) for error in errors] for name, errors in form.errors.items()}


@dataclass
class QuestionRow:
    """One question on a step: its fields, its saved answer, and any conflict to show."""

    question: Question
    answer: Answer | None
    value: forms.BoundField
    note: forms.BoundField
    link: forms.BoundField
    revision: forms.BoundField
    seen: forms.BoundField
    dont_know: forms.BoundField | None = None
    not_applicable: forms.BoundField | None = None
    conflict: object = None
    evidence_options: tuple[str, ...] = ()  # the levels that need a note or a link
    lacks_evidence: bool = False  # the level shown needs evidence the question has not got
    partly_saved: bool = False  # the answer was saved, a refused note or link was not

    @property
    def conflict_yours(self):
        return value_in_words(self.question, self.conflict.yours) if self.conflict else ""

    @property
    def conflict_theirs(self):
        return value_in_words(self.question, self.conflict.theirs) if self.conflict else ""


def shown(value: AnswerValue) -> str:
    """An answer as the page showed it, kept in a hidden field: an unchanged question is never saved.

    The number is in the data format, whatever the page's language, so that switching language never makes an
    unchanged answer look changed.
    """
    number = None if value.number is None else data_figure(value.number)
    return json.dumps({**asdict(value), "number": number}, ensure_ascii=False, separators=(",", ":"))


def read_shown(text: str) -> AnswerValue | None:
    """The answer a page showed, from its hidden field; None when the field was tampered with."""
    if not text:
        return AnswerValue()
    try:
        fields = json.loads(text)
        number = fields.pop("number")
        return AnswerValue(**fields, number=None if number is None else Decimal(number))
    except (ValueError, TypeError, KeyError, AttributeError, ArithmeticError):
        return None


@dataclass(frozen=True)
class QuestionFields:
    """The form fields of one question, and how an answer value fills them in and is read back from them."""

    question: Question

    @property
    def value(self) -> str:
        return self.question.key

    @property
    def dont_know(self) -> str:
        return f"{self.question.key}-dont_know"

    @property
    def not_applicable(self) -> str:
        return f"{self.question.key}-na"

    @property
    def note(self) -> str:
        return f"{self.question.key}-note"

    @property
    def link(self) -> str:
        return f"{self.question.key}-link"

    @property
    def revision(self) -> str:
        return f"{self.question.key}-rev"

    @property
    def seen(self) -> str:
        return f"{self.question.key}-seen"

    @property
    def number(self) -> str:
        """Where cleaning leaves a number question's parsed number; no field of the page has this name."""
        return f"{self.question.key}-number"

    @property
    def entered(self) -> list[str]:
        """The fields the member fills in: the answer and its evidence."""
        names = [self.value]
        # A number question says Don't know or Not applicable with check boxes, the others with a choice.
        if self.question.kind == KIND_NUMBER:
            names.append(self.dont_know)
            if self.question.allows_not_applicable:
                names.append(self.not_applicable)
        return [*names, self.note, self.link]

    @property
    def names(self) -> list[str]:
        """Every field of the question, the hidden revision and shown answer included."""
        return [*self.entered, self.revision, self.seen]

    def initial(self, value: AnswerValue, revision: int) -> dict[str, object]:
        """The initial data that shows `value`, saved at `revision`."""
        special = DONT_KNOW if value.dont_know else NOT_APPLICABLE if value.not_applicable else None
        initial: dict[str, object] = {}
        if self.question.kind == KIND_CHOICE:
            initial[self.value] = special or (value.option_keys[0] if value.option_keys else None)
        elif self.question.kind == KIND_YESNO:
            initial[self.value] = special or {True: "yes", False: "no"}.get(value.yes)
        elif self.question.kind == KIND_MULTI:
            initial[self.value] = [special] if special else list(value.option_keys)
        else:
            # The language's way, as the member types it back ("1,2" in French), without grouping to edit around.
            initial[self.value] = "" if value.number is None else figure(value.number, grouped=False)
            initial[self.dont_know] = value.dont_know
            if self.question.allows_not_applicable:
                initial[self.not_applicable] = value.not_applicable
        initial[self.note] = value.evidence_note
        initial[self.link] = value.evidence_url
        initial[self.revision] = revision
        initial[self.seen] = shown(value)
        return initial

    def read(self, cleaned: dict) -> AnswerValue:
        """The answer the question's cleaned fields describe."""
        raw = cleaned.get(self.value)
        common = {
            "evidence_note": cleaned.get(self.note, "").strip(),
            "evidence_url": cleaned.get(self.link, "").strip(),
        }
        if self.question.kind in (KIND_CHOICE, KIND_YESNO):
            if raw == DONT_KNOW:
                return AnswerValue(dont_know=True, **common)
            if raw == NOT_APPLICABLE:
                return AnswerValue(not_applicable=True, **common)
            if self.question.kind == KIND_YESNO:
                return AnswerValue(yes={"yes": True, "no": False}.get(raw), **common)
            return AnswerValue(option_keys=(raw,) if raw else (), **common)
        if self.question.kind == KIND_MULTI:
            chosen = set(raw or [])
            if DONT_KNOW in chosen:
                return AnswerValue(dont_know=True, **common)
            if NOT_APPLICABLE in chosen:
                return AnswerValue(not_applicable=True, **common)
            return AnswerValue(option_keys=chosen, **common)
        if cleaned.get(self.dont_know):
            return AnswerValue(dont_know=True, **common)
        if cleaned.get(self.not_applicable):
            return AnswerValue(not_applicable=True, **common)
        return AnswerValue(number=cleaned.get(self.number), **common)


def _show_errors(again: forms.Form, posted: forms.Form) -> None:
    """Show on `again`, an unbound form, the errors found in the posted one."""
    if posted.errors:
        again.cleaned_data = {}  # add_error expects a cleaned form
        again.add_error(None, posted.errors.as_data())


def _special_choices(question):
    choices = [(DONT_KNOW, _("Don't know"))]
    if question.allows_not_applicable:
        choices.append((NOT_APPLICABLE, _("Not applicable (a national power)")))
    return choices


class DimensionStepForm(forms.Form):
    """The questions of one dimension. Each valid answer is saved even when another one is not."""

    def __init__(
        self,
        *args,
        questions,
        answers,
        max_not_applicable_share,
        assessment=None,
        evidence_required_from=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.answers = answers
        self.max_not_applicable_share = max_not_applicable_share
        self.evidence_required_from = evidence_required_from
        self.assessment = assessment
        self.conflicts: list[AnswerConflict] = []
        self.conflict_messages: list[str] = []
        self._submitted: dict[int, tuple[AnswerValue, int]] = {}
        self.question_fields = {question.pk: QuestionFields(question) for question in questions}
        for question in questions:
            self._add_fields(question, answers.get(question.pk))

    def _add_fields(self, question, answer):
        names = self.question_fields[question.pk]
        options = [(option.key, f"{option.label}") for option in question.options.all()]
        if question.kind == KIND_CHOICE:
            self.fields[names.value] = forms.ChoiceField(
                choices=options + _special_choices(question), widget=RADIOS, required=False
            )
        elif question.kind == KIND_YESNO:
            self.fields[names.value] = forms.ChoiceField(
                choices=[("yes", _("Yes")), ("no", _("No")), *_special_choices(question)],
                widget=RADIOS,
                required=False,
            )
        elif question.kind == KIND_MULTI:
            self.fields[names.value] = forms.MultipleChoiceField(
                choices=[*options, (NONE_OF_THESE, _("None of these")), *_special_choices(question)],
                widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
                required=False,
            )
        else:
            self.fields[names.value] = forms.CharField(required=False, max_length=20)
            self.fields[names.dont_know] = forms.BooleanField(required=False, label=_("Don't know"), widget=CHECKBOX)
            if question.allows_not_applicable:
                self.fields[names.not_applicable] = forms.BooleanField(
                    required=False, label=_("Not applicable"), widget=CHECKBOX
                )
        self.fields[names.value].label = question.text
        self.fields[names.note] = forms.CharField(
            label=_("Evidence note"),
            required=False,
            max_length=EVIDENCE_NOTE_MAX,
            widget=forms.Textarea(attrs={"rows": 2}),
        )
        self.fields[names.link] = forms.CharField(
            label=_("Evidence link"),
            required=False,
            max_length=EVIDENCE_URL_MAX,
            validators=[web_link],
            widget=forms.URLInput(attrs={"placeholder": "https://"}),
        )
        self.fields[names.revision] = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
        # No length limit: the answer shown includes its evidence, and a refused hidden field would fail silently.
        self.fields[names.seen] = forms.CharField(widget=forms.HiddenInput, required=False)
        self.initial.update(names.initial(selectors.answer_value(answer), answer.revision if answer else 0))

    def rows(self):
        conflicts = {conflict.question.pk: conflict for conflict in self.conflicts}
        for question in self.questions:
            names = self.question_fields[question.pk]
            yield QuestionRow(
                question=question,
                answer=self.answers.get(question.pk),
                value=self[names.value],
                note=self[names.note],
                link=self[names.link],
                revision=self[names.revision],
                seen=self[names.seen],
                dont_know=self[names.dont_know] if names.dont_know in self.fields else None,
                not_applicable=self[names.not_applicable] if names.not_applicable in self.fields else None,
                conflict=conflicts.get(question.pk),
                evidence_options=selectors.evidence_levels(question, self.evidence_required_from),
                lacks_evidence=self._lacks_evidence(question),
                partly_saved=self.partly_saved(question),
            )

    def _lacks_evidence(self, question) -> bool:
        """The evidence rule for the level the page shows, so the member sees it before the review does."""
        names = self.question_fields[question.pk]
        if question.kind != KIND_CHOICE:
            return False
        chosen = self[names.value].value()
        # A refused link is no evidence: the stored one (or none) counts until a valid one is saved.
        note, link = (
            "" if names.note in self.errors else (self[names.note].value() or "").strip(),
            "" if names.link in self.errors else (self[names.link].value() or "").strip(),
        )
        value = AnswerValue(option_keys=(chosen,) if chosen else (), evidence_note=note, evidence_url=link)
        return selectors.lacks_evidence(question, value, self.evidence_required_from)

    def question_has_errors(self, question):
        return any(name in self.errors for name in self.question_fields[question.pk].names)

    def _value_of(self, question, cleaned):
        """The answer this question's valid fields describe, or None when its value is invalid.

        A refused note or link does not hold the answer back: the one stored stays until a valid one is typed.
        """
        names = self.question_fields[question.pk]
        refused = {name for name in names.names if name in self.errors}
        if refused - {names.note, names.link}:
            return None
        value = names.read(cleaned)
        if refused:
            stored = selectors.answer_value(self.answers.get(question.pk))
            value = replace(
                value,
                evidence_note=stored.evidence_note if names.note in refused else value.evidence_note,
                evidence_url=stored.evidence_url if names.link in refused else value.evidence_url,
            )
        return value

    def partly_saved(self, question) -> bool:
        """The question's answer was saved, but not all of its evidence."""
        return question.pk in self._submitted and self.question_has_errors(question)

    def clean(self):
        cleaned = super().clean()
        for question in self.questions:
            key = question.key
            if question.kind == KIND_MULTI:
                chosen = set(cleaned.get(key) or [])
                exclusive = chosen & (SPECIALS | {NONE_OF_THESE})
                if exclusive and len(chosen) > 1:
                    self.add_error(
                        key,
                        _("“None of these”, “Don't know” and “Not applicable” cannot be combined with other ticks."),
                    )
            elif question.kind == KIND_NUMBER:
                self._clean_number(question, cleaned)
        self._check_not_applicable_share(cleaned)
        return cleaned

    def _clean_number(self, question, cleaned):
        names = self.question_fields[question.pk]
        key = names.value
        text = (cleaned.get(key) or "").strip()
        flags = [cleaned.get(names.dont_know), cleaned.get(names.not_applicable)]
        if sum(bool(flag) for flag in flags) > 1:
            self.add_error(key, _("Choose either Don't know or Not applicable."))
            return
        if not text:
            cleaned[names.number] = None
            return
        if any(flags):
            self.add_error(key, _("Leave the number empty when you choose Don't know or Not applicable."))
            return
        try:
            number = number_read(text, decimals=ANSWER_DECIMALS)
        except UnclearNumber as error:
            self.add_error(key, str(error))
            return
        # Loaded questionnaires always give both bounds; the fallbacks only keep a hand-made one working.
        low = question.min_value if question.min_value is not None else Decimal("-1e12")
        high = question.max_value if question.max_value is not None else Decimal("1e12")
        if not number.is_finite() or not low <= number <= high:
            self.add_error(
                key,
                _("Enter a number from %(min)s to %(max)s%(unit)s.")
                % {
                    "min": figure(low),
                    "max": figure(high),
                    "unit": f" {question.unit}" if question.unit else "",
                },
            )
            return
        cleaned[names.number] = number

    def _check_not_applicable_share(self, cleaned):
        values = {question.pk: self._value_of(question, cleaned) for question in self.questions}
        stored = {question.pk: selectors.answer_value(self.answers.get(question.pk)) for question in self.questions}
        not_applicable = [
            question for question in self.questions if (values[question.pk] or stored[question.pk]).not_applicable
        ]
        limit = not_applicable_limit(len(self.questions), self.max_not_applicable_share)
        if len(not_applicable) > limit:
            message = _(
                "At most %(limit)d of this step's %(count)d questions may be Not applicable; "
                "answer the others or choose Don't know."
            ) % {"limit": limit, "count": len(self.questions)}
            for question in not_applicable:
                if not stored[question.pk].not_applicable:
                    self.add_error(question.key, message)
            if not self.errors:
                self.add_error(None, message)

    def answers_to_save(self):
        """{question id: (value, base revision)} for each valid question the member changed.

        A question left as the page showed it is not sent, so two people on different questions of
        the same step never conflict.
        """
        cleaned = getattr(self, "cleaned_data", {})
        to_save = {}
        for question in self.questions:
            names = self.question_fields[question.pk]
            value = self._value_of(question, cleaned)
            if value is not None and value != read_shown(cleaned.get(names.seen, "")):
                to_save[question.pk] = (value, cleaned.get(names.revision) or 0)
        return to_save

    def save_step(self, *, user) -> StepOutcome:
        """Save the valid, changed answers; the others stay with their message or their conflict."""
        self.is_valid()
        self._submitted = self.answers_to_save()
        saved = answers_save(assessment=self.assessment, user=user, submitted=self._submitted)
        self.conflicts = saved.conflicts
        revisions = {}
        for question in self.questions:
            if question.pk in saved.revisions:
                names = self.question_fields[question.pk]
                revisions[names.revision] = str(saved.revisions[question.pk])
                revisions[names.seen] = shown(self._submitted[question.pk][0])
        return StepOutcome(errors=_errors(self), conflicts=len(self.conflicts), revisions=revisions)

    def shown_again(self, answers: dict[int, Answer]) -> "DimensionStepForm":
        """The step after a save that left errors or conflicts, `answers` being what is stored now.

        A question saved or in conflict moves to the revision now stored (a conflicting one keeps what the
        member typed, so that saving again is a deliberate choice; one saved without its refused link keeps
        the link as typed, with its message); a question with an error in its value keeps both the typed
        value and its old revision; every other question shows what is stored now.
        """
        again = DimensionStepForm(
            questions=self.questions,
            answers=answers,
            max_not_applicable_share=self.max_not_applicable_share,
            assessment=self.assessment,
            evidence_required_from=self.evidence_required_from,
        )
        for question in self.questions:
            names = self.question_fields[question.pk]
            if question.pk in self._submitted:
                typed = names.entered
            elif self.question_has_errors(question):
                typed = names.names
            else:
                continue
            again.initial.update({name: self[name].data for name in typed})
        again.conflicts = self.conflicts
        again._submitted = self._submitted
        _show_errors(again, self)
        return again


class TypedNumberField(forms.Field):
    """A number typed as text, read only when it has one meaning (see numbers.py), and kept as typed when not.

    A browser's number box would send nothing at all for "1,2": the page would show it emptied, or a saved
    figure cleared, without a word.
    """

    widget = forms.TextInput

    def __init__(self, *, decimals: int = 0, **kwargs):
        self.decimals = decimals
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "numeric" if self.decimals == 0 else "decimal"}

    def prepare_value(self, value):
        # A stored number as the member types it in this language ("18,5" in French); typed text stays as typed.
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            return figure(value, grouped=False)
        return value

    def to_python(self, value):
        if value in self.empty_values or not str(value).strip():
            return None
        try:
            number = number_read(str(value), decimals=self.decimals)
        except UnclearNumber as error:
            raise forms.ValidationError(str(error), code="invalid") from error
        return int(number) if self.decimals == 0 else number


def _typed_number_formfield(db_field, **kwargs):
    """Every number of a model form as a TypedNumberField; the other fields as Django makes them."""
    if not isinstance(db_field, models.IntegerField | models.DecimalField):
        return db_field.formfield(**kwargs)
    kwargs.setdefault("label", capfirst(db_field.verbose_name))
    kwargs.setdefault("help_text", db_field.help_text)
    return TypedNumberField(decimals=getattr(db_field, "decimal_places", 0), required=not db_field.blank, **kwargs)


class ProfileStepForm(forms.ModelForm):
    """The city-profile step: a snapshot of the city for this year, saved as one whole."""

    gawc_tier = forms.ChoiceField(
        label=_("GaWC tier"),
        required=False,
        choices=[("", "—"), *GawcTier.choices, (UNKNOWN_TIER, UNKNOWN_TIER_NAME)],
        help_text=_("The Globalization and World Cities ranking of your city, if you know it."),
    )
    niche = forms.ChoiceField(label=_("International niche"), required=False, choices=[("", "—"), *Niche.choices])
    profile_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Assessment
        fields = list(PROFILE_FIELDS)
        formfield_callback = _typed_number_formfield
        widgets = {
            "is_capital": forms.RadioSelect(choices=[(True, _("Yes")), (False, _("No"))]),
            "is_largest_city": forms.RadioSelect(choices=[(True, _("Yes")), (False, _("No"))]),
            "past_role_declined": forms.RadioSelect(choices=[(True, _("Yes")), (False, _("No"))]),
            "declined_reason": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"past_role_declined": _("Past global role")}
        help_texts = {
            "metro_population": _("People living in the metropolitan area, as in your latest official figures."),
            "past_role_declined": _("Did the city have a global role in the past that has since declined?"),
            "declined_reason": _("If yes: in a sentence or two, what the role was and when it declined."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metro_population"].validators.append(_population_bounds)
        self.initial["profile_revision"] = self.instance.profile_revision
        self.conflict_messages: list[str] = []

    def save_step(self, *, user) -> StepOutcome:
        """Save the profile unless a field is invalid or someone saved it since the page was opened."""
        if not self.is_valid():
            return StepOutcome(errors=_errors(self))
        saved = profile_save(
            assessment=self.instance,
            user=user,
            values={name: self.cleaned_data.get(name) for name in PROFILE_FIELDS},
            base_revision=self.cleaned_data.get("profile_revision") or 0,
        )
        if not saved:
            self.conflict_messages = [
                _(
                    "Someone saved the city profile after you opened it. Their values are shown below; "
                    "your change was not saved."
                )
            ]
            return StepOutcome(conflicts=1)
        revision = Assessment.objects.values_list("profile_revision", flat=True).get(pk=self.instance.pk)
        return StepOutcome(revisions={"profile_revision": str(revision)})

    def shown_again(self, answers) -> "ProfileStepForm":
        """After a conflict the profile as saved, with the message; after an error the form as typed."""
        if not self.conflict_messages:
            return self
        self.instance.refresh_from_db()
        form = ProfileStepForm(instance=self.instance)
        form.conflict_messages = self.conflict_messages
        return form


def _population_bounds(value):
    if value is not None and not 1 <= value <= 100_000_000:
        raise forms.ValidationError(
            _("Enter a population from %(min)s to %(max)s.") % {"min": figure(1), "max": figure(100_000_000)}
        )


def framework_seen(status, link):
    """A framework element as the page showed it: an element left so is never saved."""
    return f"{status}|{link}"


@dataclass(frozen=True)
class ElementFields:
    """The form fields of one framework element, and a stored element as their initial data."""

    key: str

    @property
    def status(self) -> str:
        return f"fw-{self.key}"

    @property
    def link(self) -> str:
        return f"fw-{self.key}-link"

    @property
    def revision(self) -> str:
        return f"fw-{self.key}-rev"

    @property
    def seen(self) -> str:
        return f"fw-{self.key}-seen"

    @property
    def entered(self) -> list[str]:
        """The fields the member fills in."""
        return [self.status, self.link]

    @property
    def names(self) -> list[str]:
        return [*self.entered, self.revision, self.seen]

    def initial(self, item: FrameworkAnswer | None) -> dict[str, object]:
        """The initial data that shows `item`, the element as stored (None: never saved)."""
        if item is None:
            return {self.status: None, self.link: "", self.revision: 0, self.seen: ""}
        return {
            self.status: item.status,
            self.link: item.link,
            self.revision: item.revision,
            self.seen: framework_seen(item.status, item.link),
        }


class FrameworkStepForm(forms.Form):
    """The strategic framework review: each element present, partial or absent, with a link."""

    def __init__(self, *args, assessment, answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.assessment = assessment
        self.elements = selectors.questionnaire_structure(assessment.questionnaire).framework  # the reader's language
        if answers is None:
            answers = {item.element: item for item in assessment.framework_answers.all()}
        self.answers = answers
        self.conflict_messages: list[str] = []
        self._conflicted: list[str] = []
        self._submitted: dict[str, tuple[str, str, int]] = {}
        self.element_fields = {element["key"]: ElementFields(element["key"]) for element in self.elements}
        for element in self.elements:
            names = self.element_fields[element["key"]]
            self.fields[names.status] = forms.ChoiceField(
                label=element["name"],
                help_text=element["help"],
                required=False,
                choices=FrameworkStatus.choices,
                widget=RADIOS,
            )
            self.fields[names.link] = forms.CharField(
                label=_("Link to the document"),
                required=False,
                max_length=EVIDENCE_URL_MAX,
                validators=[web_link],
                widget=forms.URLInput(attrs={"placeholder": "https://"}),
            )
            self.fields[names.revision] = forms.IntegerField(widget=forms.HiddenInput, required=False)
            self.fields[names.seen] = forms.CharField(widget=forms.HiddenInput, required=False, max_length=600)
            self.initial.update(names.initial(answers.get(element["key"])))

    def rows(self):
        for element in self.elements:
            names = self.element_fields[element["key"]]
            yield element, self[names.status], self[names.link], self[names.revision], self[names.seen]

    def _has_errors(self, key) -> bool:
        return any(name in self.errors for name in self.element_fields[key].entered)

    def items_to_save(self):
        """{element: (status, link, base revision)} for each valid element the member changed.

        A refused link does not hold the status back: the link stored stays until a valid one is typed.
        """
        cleaned = getattr(self, "cleaned_data", {})
        items = {}
        for key, names in self.element_fields.items():
            if names.status in self.errors:
                continue
            status = cleaned.get(names.status) or ""
            if names.link in self.errors:
                link = self.answers[key].link if key in self.answers else ""
            else:
                link = cleaned.get(names.link, "").strip()
            if framework_seen(status, link) == (cleaned.get(names.seen) or framework_seen("", "")):
                continue  # left as the page showed it
            items[key] = (status, link, cleaned.get(names.revision) or 0)
        return items

    def save_step(self, *, user) -> StepOutcome:
        """Save the valid, changed elements; an element someone else changed meanwhile keeps their value."""
        self.is_valid()
        self._submitted = self.items_to_save()
        self._conflicted = framework_save(assessment=self.assessment, user=user, submitted=self._submitted)
        if self._conflicted:
            self.conflict_messages = [
                _("Someone changed these elements after you opened the page; their values are kept: %(keys)s.")
                % {"keys": ", ".join(self._conflicted)}
            ]
        self.answers = {item.element: item for item in self.assessment.framework_answers.all()}
        revisions = {}
        for element, item in self.answers.items():
            if element in self._submitted and element not in self._conflicted:
                names = self.element_fields[element]
                revisions[names.revision] = str(item.revision)
                revisions[names.seen] = framework_seen(item.status, item.link)
        return StepOutcome(errors=_errors(self), conflicts=len(self.conflict_messages), revisions=revisions)

    def shown_again(self, answers) -> "FrameworkStepForm":
        """The review after a save that left errors or conflicts: one saved keeps what was typed at the revision
        now stored (a refused link as typed, with its message); an element not saved for an error stays as typed,
        with its message; the others show what is stored."""
        again = FrameworkStepForm(assessment=self.assessment, answers=self.answers)
        for key, names in self.element_fields.items():
            if key in self._submitted and key not in self._conflicted:
                typed = names.entered
            elif self._has_errors(key):
                typed = names.names
            else:
                continue
            again.initial.update({name: self[name].data for name in typed})
        again.conflict_messages = self.conflict_messages
        _show_errors(again, self)
        return again


def step_form(*, assessment: Assessment, structure: selectors.Structure, step: str, data=None, answers=None):
    """The form of one wizard step, bound to `data` when posted; `answers`: the assessment's, if already read."""
    if step == selectors.PROFILE_STEP:
        return ProfileStepForm(data, instance=assessment)
    if step == selectors.FRAMEWORK_STEP:
        return FrameworkStepForm(data, assessment=assessment)
    questions = structure.questions_by_dimension[structure.dimension(step).pk]
    return DimensionStepForm(
        data,
        questions=questions,
        # A save needs only this step's answers.
        answers=selectors.answers_by_question(assessment, questions) if answers is None else answers,
        max_not_applicable_share=assessment.questionnaire.calibration.not_applicable_max_share,
        assessment=assessment,
        evidence_required_from=assessment.questionnaire.calibration.evidence_required_from,
    )
