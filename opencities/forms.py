from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

User = get_user_model()


class EmailAuthenticationForm(AuthenticationForm):
    """Accounts use the email address as their username; case does not matter."""

    username = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def clean_username(self):
        return self.cleaned_data["username"].lower()


class StyledPasswordResetForm(PasswordResetForm):
    """Also reaches accounts created by an approval or invitation that never set a password."""

    def get_users(self, email):
        return User._default_manager.filter(email__iexact=email, is_active=True)
