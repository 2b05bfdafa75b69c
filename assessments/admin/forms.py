"""The admin's own forms: a reference city's figures, the reference import, reopening and the city-type override."""

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opencities.vocabulary import CITY_TYPE_KEYS, CITY_TYPES, choices, city_type_name

from ..models import AssessmentResult, City
from ..reference_data import figure_problems
from ..services.assessments import assessment_type_override

REFERENCE_FILE_MAX_BYTES = 2 * 1024 * 1024


class CityAdminForm(forms.ModelForm):
    """A reference city's figures keep their sources, as the import requires."""

    class Meta:
        # Sources run to 300 characters; the example type is one of the five keys.
        widgets = {
            **dict.fromkeys(
                ["metro_population_source", "foreign_born_source", "gawc_source"],
                forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
            ),
            "type_example": forms.Select(choices=[("", "---------"), *choices(CITY_TYPES)]),
        }

    FIGURES = (
        ("metro_population", "metro_population_year", "metro_population_source", None),
        ("foreign_born_share", "foreign_born_year", "foreign_born_source", "foreign_born_definition"),
        ("gawc_tier", "gawc_year", "gawc_source", None),
    )

    def clean(self):
        cleaned_data = super().clean()
        if not cleaned_data.get("is_reference"):
            return cleaned_data
        for value, year, source, extra in self.FIGURES:
            problems = figure_problems(
                value="" if cleaned_data.get(value) in (None, "") else str(cleaned_data[value]),
                year="" if cleaned_data.get(year) is None else str(cleaned_data[year]),
                source=cleaned_data.get(source) or "",
                extra=(cleaned_data.get(extra) or "") if extra else "",
                value_name=str(City._meta.get_field(value).verbose_name),
            )
            names = {"year": year, "source": source, "extra": extra}
            for part, message in problems.items():
                if names[part] not in self.errors:
                    self.add_error(names[part], message[:1].upper() + message[1:])
        return cleaned_data


class ReferenceCitiesImportForm(forms.Form):
    file = forms.FileField(
        label=_("Reference-cities file"),
        help_text=_("A CSV saved as UTF-8 with the columns of reference-cities.csv; at most 2 MB."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > REFERENCE_FILE_MAX_BYTES:
            raise ValidationError(
                _("This file is %(size)s; at most %(limit)s can be imported. Split it into smaller files."),
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(REFERENCE_FILE_MAX_BYTES)},
            )
        return upload


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        max_length=2000,
        help_text=_("Required. The city's members see it; say what they should change."),
    )


class CityTypeOverrideForm(forms.Form):
    city_type = forms.ChoiceField(label=_("City type"), required=False)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        max_length=2000,
        help_text=_("Required, also when you go back to the computed type. It is recorded with your name."),
    )

    def __init__(self, *args, result: AssessmentResult, **kwargs):
        super().__init__(*args, **kwargs)
        self.result = result
        self.fields["city_type"].choices = [
            ("", gettext("The computed type (%(name)s)") % {"name": city_type_name(result.city_type).name}),
            *((key, city_type_name(key).name) for key in CITY_TYPE_KEYS if key != result.city_type),
        ]
        self.initial.setdefault("city_type", result.override_type)

    def save(self, *, editor) -> AssessmentResult:
        return assessment_type_override(
            result=self.result,
            city_type=self.cleaned_data["city_type"],
            reason=self.cleaned_data["reason"],
            editor=editor,
        )
