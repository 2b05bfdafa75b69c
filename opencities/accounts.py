"""The account pages that the limits on guessing and flooding guard (docs/architecture.md, Limits on guessing
and flooding): log in, change the password, reset it by email."""

import logging
from functools import wraps

from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import render

from .forms import EmailAuthenticationForm, SiteURLPasswordResetForm
from .throttling import (
    LOGIN_FAILURES_PER_ADDRESS,
    PASSWORD_RESETS_PER_ADDRESS,
    PASSWORD_RESETS_PER_EMAIL,
    account_lockout_clear,
    limit_count,
    limit_reached,
)

logger = logging.getLogger(__name__)


def refused_after_login_failures(view):
    """A login posted from an address that has failed too often is refused before any password is checked."""

    @wraps(view)
    def login_within_limit(request, *args, **kwargs):
        if request.method == "POST" and limit_reached(LOGIN_FAILURES_PER_ADDRESS, request):
            return render(request, "accounts/login_limited.html", status=429)
        return view(request, *args, **kwargs)

    return login_within_limit


login = refused_after_login_failures(
    auth_views.LoginView.as_view(template_name="accounts/login.html", authentication_form=EmailAuthenticationForm)
)


class PasswordResetView(auth_views.PasswordResetView):
    """Over a limit, no email goes out, and the answer is the usual one: it must not tell whether the account
    exists, nor that a limit was hit."""

    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    form_class = SiteURLPasswordResetForm

    def form_valid(self, form):
        # Both are counted, so that one address flooding another also uses up its own allowance.
        over_email = limit_count(PASSWORD_RESETS_PER_EMAIL, self.request, key=form.cleaned_data["email"].lower())
        over_address = limit_count(PASSWORD_RESETS_PER_ADDRESS, self.request)
        if over_email or over_address:
            logger.warning("A password reset was not sent: too many for its address or from its client.")
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The owner's way in whatever the lockout says: the link proves the mailbox, so setting a password logs in
    and ends the lockout."""

    template_name = "accounts/password_reset_confirm.html"
    post_reset_login = True
    # The lockout backend (axes) needs a request and has nothing to add here.
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"

    def form_valid(self, form):
        account_lockout_clear(user=form.user)
        return super().form_valid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change_form.html"

    def form_valid(self, form):
        account_lockout_clear(user=form.user)
        return super().form_valid(form)
