from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from opencities.vocabulary import CITY_TYPES, choices

from .models import AccessRequest, Region, Role


class AccessRequestForm(forms.ModelForm):
    class Meta:
        model = AccessRequest
        fields = ["full_name", "email", "job_title", "city_name", "country", "region", "message"]
        widgets = {"message": forms.Textarea(attrs={"rows": 4})}
        # The form speaks to the requester; the model's names are the editors' (the admin's column headings).
        labels = {"full_name": _("Your name"), "email": _("Work email"), "message": _("Why you want access")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The models' "on one line" notes are for editors pasting into the admin; a one-line input needs none.
        for field in self.fields.values():
            if not isinstance(field.widget, forms.Textarea):
                field.help_text = ""
        self.fields["region"].choices = [("", _("Choose a region")), *Region.choices]
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Send the request")))


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Colleague's email"))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(Role.CONTRIBUTOR, Role.CONTRIBUTOR.label), (Role.VIEWER, Role.VIEWER.label)],
        help_text=_("Contributors fill in the assessment; viewers only read it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"), choices=[(Role.CONTRIBUTOR, Role.CONTRIBUTOR.label), (Role.VIEWER, Role.VIEWER.label)]
    )


class CityLanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of the city's reports"),
        choices=settings.LANGUAGES,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class InvitationSignupForm(forms.Form):
    """Sets the name and password of an invitee who has no password yet."""

    full_name = forms.CharField(label=_("Your name"), max_length=120)
    password1 = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("The same password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Join the city")))

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                password_validation.validate_password(first, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ProfileDirectoryForm(forms.Form):
    """The directory's filters, from the query string; the size bands are the calibration's."""

    q = forms.CharField(label=_("City or country"), max_length=100, required=False, strip=True)
    region = forms.ChoiceField(label=_("Region"), required=False, choices=[("", _("Any")), *Region.choices])
    type = forms.ChoiceField(label=_("City type"), required=False, choices=[("", _("Any")), *choices(CITY_TYPES)])
    size = forms.ChoiceField(label=_("Size (metropolitan population)"), required=False)

    def __init__(self, *args, bands, **kwargs):
        super().__init__(*args, **kwargs)
        self.bands = {band.key: band for band in bands}
        self.fields["size"].choices = [("", _("Any")), *((band.key, str(band)) for band in bands)]

    def filters(self) -> dict:
        """The filters that can be used, as `selectors.published_profiles` takes them; a bad one is left out."""
        if not self.is_bound:
            return {}
        self.is_valid()
        usable = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return {
            "query": usable.get("q", ""),
            "region": usable.get("region", ""),
            "city_type": usable.get("type", ""),
            "band": self.bands.get(usable.get("size", "")),
        }
