"""Forms of the assessment wizard: one form per step, built from the questionnaire version."""

import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from .models import Answer, Assessment, FrameworkStatus, GawcTier, Niche, Question
from .selectors import NONE_OF_THESE, value_in_words
from .services.assessments import AnswerValue

DONT_KNOW = "__dont_know"
NOT_APPLICABLE = "__na"
SPECIALS = {DONT_KNOW, NOT_APPLICABLE}
EVIDENCE_NOTE_MAX = 4000
EVIDENCE_URL_MAX = 500

web_link = URLValidator(schemes=["http", "https"], message=_("Enter a web address starting with http:// or https://."))


RADIOS = forms.RadioSelect(attrs={"class": "form-check-input"})
CHECKBOX = forms.CheckboxInput(attrs={"class": "form-check-input"})


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

    @property
    def conflict_yours(self):
        return value_in_words(self.question, self.conflict.yours) if self.conflict else ""

    @property
    def conflict_theirs(self):
        return value_in_words(self.question, self.conflict.theirs) if self.conflict else ""


def fingerprint(value: AnswerValue) -> str:
    """A short digest of an answer as a page showed it: an unchanged question is never saved."""
    return hashlib.sha256(repr(value).encode()).hexdigest()[:20]


def raw_fields(question, value: AnswerValue) -> dict[str, list[str]]:
    """The form fields of one question as a browser would send them for `value`."""
    key = question.key
    special = DONT_KNOW if value.dont_know else NOT_APPLICABLE if value.not_applicable else None
    fields = {f"{key}-note": [value.evidence_note], f"{key}-link": [value.evidence_url]}
    if question.kind == "number":
        fields[key] = ["" if value.number is None else f"{value.number:f}"]
        fields[f"{key}-dont_know"] = ["on"] if value.dont_know else []
        fields[f"{key}-na"] = ["on"] if value.not_applicable else []
    elif question.kind == "multi":
        fields[key] = [special] if special else list(value.option_keys)
    elif question.kind == "yesno":
        fields[key] = [special or {True: "yes", False: "no"}.get(value.yes, "")]
    else:
        fields[key] = [special or (value.option_keys[0] if value.option_keys else "")]
    return fields


def _special_choices(question):
    choices = [(DONT_KNOW, _("Don't know"))]
    if question.allows_not_applicable:
        choices.append((NOT_APPLICABLE, _("Not applicable (a national power)")))
    return choices


class DimensionStepForm(forms.Form):
    """The questions of one dimension. Each valid answer is saved even when another one is not."""

    def __init__(self, *args, questions, answers, max_not_applicable_share, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.answers = answers
        self.max_not_applicable_share = Decimal(str(max_not_applicable_share))
        for question in questions:
            self._add_fields(question, answers.get(question.pk))

    def _add_fields(self, question, answer):
        key = question.key
        initial = AnswerValue.of(answer)
        options = [(option.key, f"{option.label}") for option in question.options.all()]
        if question.kind == "choice":
            self.fields[key] = forms.ChoiceField(
                choices=options + _special_choices(question), widget=RADIOS, required=False
            )
            self.initial[key] = self._special_initial(initial) or (
                initial.option_keys[0] if initial.option_keys else None
            )
        elif question.kind == "yesno":
            self.fields[key] = forms.ChoiceField(
                choices=[("yes", _("Yes")), ("no", _("No")), *_special_choices(question)],
                widget=RADIOS,
                required=False,
            )
            yes = {True: "yes", False: "no"}.get(initial.yes)
            self.initial[key] = self._special_initial(initial) or yes
        elif question.kind == "multi":
            self.fields[key] = forms.MultipleChoiceField(
                choices=[*options, (NONE_OF_THESE, _("None of these")), *_special_choices(question)],
                widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
                required=False,
            )
            special = self._special_initial(initial)
            self.initial[key] = [special] if special else list(initial.option_keys)
        else:
            self.fields[key] = forms.CharField(required=False, max_length=20)
            self.fields[f"{key}-dont_know"] = forms.BooleanField(required=False, label=_("Don't know"), widget=CHECKBOX)
            self.initial[key] = "" if initial.number is None else f"{initial.number:f}"
            self.initial[f"{key}-dont_know"] = initial.dont_know
            if question.allows_not_applicable:
                self.fields[f"{key}-na"] = forms.BooleanField(
                    required=False, label=_("Not applicable"), widget=CHECKBOX
                )
                self.initial[f"{key}-na"] = initial.not_applicable
        self.fields[key].label = question.text
        self.fields[f"{key}-note"] = forms.CharField(
            label=_("Evidence note"),
            required=False,
            max_length=EVIDENCE_NOTE_MAX,
            widget=forms.Textarea(attrs={"rows": 2}),
        )
        self.fields[f"{key}-link"] = forms.CharField(
            label=_("Evidence link"),
            required=False,
            max_length=EVIDENCE_URL_MAX,
            validators=[web_link],
            widget=forms.URLInput(attrs={"placeholder": "https://"}),
        )
        self.fields[f"{key}-rev"] = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
        self.fields[f"{key}-seen"] = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
        self.initial[f"{key}-seen"] = fingerprint(initial)
        self.initial[f"{key}-note"] = initial.evidence_note
        self.initial[f"{key}-link"] = initial.evidence_url
        self.initial[f"{key}-rev"] = answer.revision if answer else 0

    @staticmethod
    def _special_initial(value):
        if value.dont_know:
            return DONT_KNOW
        if value.not_applicable:
            return NOT_APPLICABLE
        return None

    def rows(self, conflicts=None):
        conflicts = {conflict.question.pk: conflict for conflict in (conflicts or [])}
        for question in self.questions:
            key = question.key
            yield QuestionRow(
                question=question,
                answer=self.answers.get(question.pk),
                value=self[key],
                note=self[f"{key}-note"],
                link=self[f"{key}-link"],
                revision=self[f"{key}-rev"],
                seen=self[f"{key}-seen"],
                dont_know=self[f"{key}-dont_know"] if f"{key}-dont_know" in self.fields else None,
                not_applicable=self[f"{key}-na"] if f"{key}-na" in self.fields else None,
                conflict=conflicts.get(question.pk),
            )

    def question_has_errors(self, question):
        key = question.key
        return any(name in self.errors for name in (key, f"{key}-note", f"{key}-link", f"{key}-rev", f"{key}-seen"))

    def _value_of(self, question, cleaned):
        """The answer this question's valid fields describe, or None when a field is invalid."""
        if self.question_has_errors(question):
            return None
        key = question.key
        raw = cleaned.get(key)
        common = {
            "evidence_note": cleaned.get(f"{key}-note", "").strip(),
            "evidence_url": cleaned.get(f"{key}-link", "").strip(),
        }
        if question.kind in ("choice", "yesno"):
            if raw == DONT_KNOW:
                return AnswerValue(dont_know=True, **common)
            if raw == NOT_APPLICABLE:
                return AnswerValue(not_applicable=True, **common)
            if question.kind == "yesno":
                return AnswerValue(yes={"yes": True, "no": False}.get(raw), **common)
            return AnswerValue(option_keys=(raw,) if raw else (), **common)
        if question.kind == "multi":
            chosen = set(raw or [])
            if DONT_KNOW in chosen:
                return AnswerValue(dont_know=True, **common)
            if NOT_APPLICABLE in chosen:
                return AnswerValue(not_applicable=True, **common)
            return AnswerValue(option_keys=tuple(sorted(chosen)), **common)
        if cleaned.get(f"{key}-dont_know"):
            return AnswerValue(dont_know=True, **common)
        if cleaned.get(f"{key}-na"):
            return AnswerValue(not_applicable=True, **common)
        return AnswerValue(number=cleaned.get(f"{key}-number"), **common)

    def clean(self):
        cleaned = super().clean()
        for question in self.questions:
            key = question.key
            if question.kind == "multi":
                chosen = set(cleaned.get(key) or [])
                exclusive = chosen & (SPECIALS | {NONE_OF_THESE})
                if exclusive and len(chosen) > 1:
                    self.add_error(
                        key,
                        _("“None of these”, “Don't know” and “Not applicable” cannot be combined with other ticks."),
                    )
            elif question.kind == "number":
                self._clean_number(question, cleaned)
        self._check_not_applicable_share(cleaned)
        return cleaned

    def _clean_number(self, question, cleaned):
        key = question.key
        text = (cleaned.get(key) or "").strip().replace(",", "").replace(" ", "")
        flags = [cleaned.get(f"{key}-dont_know"), cleaned.get(f"{key}-na")]
        if sum(bool(flag) for flag in flags) > 1:
            self.add_error(key, _("Choose either Don't know or Not applicable."))
            return
        if not text:
            cleaned[f"{key}-number"] = None
            return
        if any(flags):
            self.add_error(key, _("Leave the number empty when you choose Don't know or Not applicable."))
            return
        try:
            number = Decimal(text)
        except InvalidOperation:
            self.add_error(key, _("Enter a number, for example 12.5."))
            return
        # Loaded questionnaires always give both bounds; the fallbacks only keep a hand-made one working.
        low = question.min_value if question.min_value is not None else Decimal("-1e12")
        high = question.max_value if question.max_value is not None else Decimal("1e12")
        if not number.is_finite() or not low <= number <= high:
            self.add_error(
                key,
                _("Enter a number from %(min)s to %(max)s%(unit)s.")
                % {
                    "min": f"{low.normalize():f}",
                    "max": f"{high.normalize():f}",
                    "unit": f" {question.unit}" if question.unit else "",
                },
            )
            return
        cleaned[f"{key}-number"] = number.quantize(Decimal("0.01")).normalize()

    def _check_not_applicable_share(self, cleaned):
        values = {question.pk: self._value_of(question, cleaned) for question in self.questions}
        not_applicable = [
            question
            for question in self.questions
            if (values[question.pk] or AnswerValue.of(self.answers.get(question.pk))).not_applicable
        ]
        limit = self.max_not_applicable_share * len(self.questions)
        if len(not_applicable) > limit:
            message = _(
                "At most %(limit)d of this step's %(count)d questions may be Not applicable; "
                "answer the others or choose Don't know."
            ) % {"limit": int(limit), "count": len(self.questions)}
            for question in not_applicable:
                existing = AnswerValue.of(self.answers.get(question.pk))
                if not existing.not_applicable:
                    self.add_error(question.key, message)
            if not self.errors:
                self.add_error(None, message)

    def answers_to_save(self):
        """{question id: (value, base revision)} for each valid question the member changed.

        A question left as the page showed it is not sent, so two people on different questions of
        the same step never conflict.
        """
        cleaned = getattr(self, "cleaned_data", {})
        shown_empty = fingerprint(AnswerValue())
        to_save = {}
        for question in self.questions:
            value = self._value_of(question, cleaned)
            if value is not None and fingerprint(value) != (cleaned.get(f"{question.key}-seen") or shown_empty):
                to_save[question.pk] = (value, cleaned.get(f"{question.key}-rev") or 0)
        return to_save


class ProfileStepForm(forms.ModelForm):
    gawc_tier = forms.ChoiceField(
        label=_("GaWC tier"),
        required=False,
        choices=[("", "—"), *GawcTier.choices, ("unknown", _("Don't know"))],
        help_text=_("The Globalization and World Cities ranking of your city, if you know it."),
    )
    niche = forms.ChoiceField(label=_("International niche"), required=False, choices=[("", "—"), *Niche.choices])
    profile_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Assessment
        fields = [
            "metro_population",
            "is_capital",
            "is_largest_city",
            "gawc_tier",
            "niche",
            "past_role_declined",
            "declined_reason",
        ]
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
        self.fields["metro_population"].widget.attrs.update(min=1, max=100_000_000)
        self.fields["metro_population"].validators.append(_population_bounds)
        self.initial["profile_revision"] = self.instance.profile_revision

    def profile_values(self):
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


def _population_bounds(value):
    if value is not None and not 1 <= value <= 100_000_000:
        raise forms.ValidationError(_("Enter a population from 1 to 100,000,000."))


def framework_seen(status, link):
    return f"{status}|{link}"


class FrameworkStepForm(forms.Form):
    def __init__(self, *args, elements, answers, **kwargs):
        super().__init__(*args, **kwargs)
        self.elements = elements
        self.answers = answers
        for element in elements:
            key, existing = element["key"], answers.get(element["key"])
            self.fields[f"fw-{key}"] = forms.ChoiceField(
                label=element["name"],
                help_text=element["help"],
                required=False,
                choices=FrameworkStatus.choices,
                widget=RADIOS,
            )
            self.fields[f"fw-{key}-link"] = forms.CharField(
                label=_("Link to the document"),
                required=False,
                max_length=EVIDENCE_URL_MAX,
                validators=[web_link],
                widget=forms.URLInput(attrs={"placeholder": "https://"}),
            )
            self.fields[f"fw-{key}-rev"] = forms.IntegerField(widget=forms.HiddenInput, required=False)
            self.fields[f"fw-{key}-seen"] = forms.CharField(widget=forms.HiddenInput, required=False, max_length=600)
            self.initial[f"fw-{key}-seen"] = framework_seen(existing.status, existing.link) if existing else ""
            self.initial[f"fw-{key}"] = existing.status if existing else None
            self.initial[f"fw-{key}-link"] = existing.link if existing else ""
            self.initial[f"fw-{key}-rev"] = existing.revision if existing else 0

    def rows(self):
        for element in self.elements:
            key = element["key"]
            yield element, self[f"fw-{key}"], self[f"fw-{key}-link"], self[f"fw-{key}-rev"], self[f"fw-{key}-seen"]

    def items_to_save(self):
        cleaned = getattr(self, "cleaned_data", {})
        items = {}
        for element in self.elements:
            key = element["key"]
            if f"fw-{key}" in self.errors or f"fw-{key}-link" in self.errors:
                continue
            status, link = cleaned.get(f"fw-{key}") or "", cleaned.get(f"fw-{key}-link", "").strip()
            if framework_seen(status, link) == (cleaned.get(f"fw-{key}-seen") or framework_seen("", "")):
                continue  # left as the page showed it
            items[key] = (
                cleaned.get(f"fw-{key}") or "",
                cleaned.get(f"fw-{key}-link", "").strip(),
                cleaned.get(f"fw-{key}-rev") or 0,
            )
        return items
