from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

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
        site = urlsplit(settings.SITE_URL)
        kwargs.update(domain_override=site.netloc, use_https=site.scheme == "https")
        return super().save(**kwargs)
