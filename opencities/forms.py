from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from .models import Notice
from .notices import password_reset_notice_add

User = get_user_model()


class EmailAuthenticationForm(AuthenticationForm):
    """Accounts use the email address as their username; case does not matter."""

    username = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Please enter a correct email and password. Passwords are case-sensitive."),
    }

    def clean_username(self):
        return self.cleaned_data["username"].lower()


class SiteURLPasswordResetForm(PasswordResetForm):
    """Builds the link from SITE_URL rather than the request's Host header (which a sender controls),
    and also reaches accounts created by an approval or invitation that never set a password."""

    email = forms.EmailField(label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def get_users(self, email):
        return User._default_manager.filter(email__iexact=email, is_active=True)

    def save(self, **kwargs):
        """Write the email to the outbox instead of sending it in the request: a mail server that is down or slow
        then neither fails the request nor tells, by the time it takes, that the account exists. The link is made
        from SITE_URL when the email is sent (opencities.notices.password_reset)."""
        for user in self.get_users(self.cleaned_data["email"]):
            password_reset_notice_add(user=user)


# What each members' notice is, in the words of the preferences page.
MEMBER_NOTICE_CHOICES = [
    (Notice.Kind.RESULT_READY, _("An assessment of my city was submitted and its openness profile is ready")),
    (Notice.Kind.REPORT_READY, _("The tailored report of my city is ready")),
    (Notice.Kind.REOPENED, _("Editors reopened an assessment of my city")),
    (Notice.Kind.TYPE_OVERRIDDEN, _("Editors set the city type of an assessment of my city")),
]


class NoticePreferencesForm(forms.Form):
    wanted_kinds = forms.MultipleChoiceField(
        label=_("Email me when"),
        choices=MEMBER_NOTICE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Emails that answer your own request (a password reset, your access request) and invitations always go out."
        ),
    )
    language = forms.ChoiceField(label=_("Language of the emails"), choices=settings.LANGUAGES)
