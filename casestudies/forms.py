from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.models import Region
from opencities.vocabulary import CITY_TYPES, DIMENSIONS, RECOMMENDATION_THEMES, choices

from .selectors import LibraryFilters

ANY = [("", _("Any"))]


class LibraryFilterForm(forms.Form):
    """The library's filters, read from the query string so that a filtered view can be shared."""

    q = forms.CharField(label=_("Search"), max_length=200, required=False, strip=True)
    dimension = forms.ChoiceField(label=_("Dimension"), required=False, choices=ANY + choices(DIMENSIONS))
    theme = forms.ChoiceField(
        label=_("Recommendation theme"), required=False, choices=ANY + choices(RECOMMENDATION_THEMES)
    )
    type = forms.ChoiceField(label=_("City type it suits"), required=False, choices=ANY + choices(CITY_TYPES))
    region = forms.ChoiceField(label=_("Region"), required=False, choices=ANY + list(Region.choices))

    def filters(self):
        """The valid filters; a bad one is left out (and the form says why)."""
        values = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if self.is_bound and not self.is_valid():
            values = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return LibraryFilters(
            dimension=values.get("dimension", ""),
            theme=values.get("theme", ""),
            city_type=values.get("type", ""),
            region=values.get("region", ""),
            query=values.get("q", ""),
        )
