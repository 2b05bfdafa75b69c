from datetime import date

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opencities.languages import in_sentence, language_name
from opencities.models import Notice
from opencities.notices import Outbound, notices_outbound
from opencities.throttling import ACCESS_REQUESTS_PER_ADDRESS, limit_count

from .. import selectors
from ..access import city_role_required
from ..forms import AccessRequestForm, CityLanguageForm, InvitationForm, InvitationSignupForm, RoleForm
from ..models import Invitation, Membership, Role
from ..services import team as team_services

User = get_user_model()


@login_required
def my_cities(request):
    this_year = date.today().year
    cards = selectors.city_cards(user=request.user, this_year=this_year)
    return render(request, "assessments/my_cities.html", {"cards": cards, "this_year": this_year})


def access_request_create(request):
    initial = {}
    if request.user.is_authenticated:
        initial = {"full_name": request.user.get_full_name(), "email": request.user.email}
    form = AccessRequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if limit_count(ACCESS_REQUESTS_PER_ADDRESS, request):
            form.add_error(None, _("Too many requests from your network in the last hour. Please try again later."))
            return render(request, "assessments/access_request_form.html", {"form": form}, status=429)
        access_request, created = team_services.access_request_submit(access_request=form.instance)
        return render(
            request,
            "assessments/access_request_sent.html",
            {"access_request": access_request, "already_received": not created},
        )
    return render(request, "assessments/access_request_form.html", {"form": form})


@city_role_required(Role.VIEWER)
def city_detail(request, *, city, membership):
    return render(
        request,
        "assessments/city_detail.html",
        {
            "city": city,
            "membership": membership,
            "team": selectors.city_team(city=city),
            "language_form": CityLanguageForm(initial={"language": city.language}),
            "language_name": language_name(city.language),
        },
    )


@require_POST
@city_role_required(Role.LEAD)
def city_language(request, *, city, membership):
    form = CityLanguageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the languages in the list."))
    else:
        team_services.city_language_set(city=city, language=form.cleaned_data["language"])
        messages.success(
            request,
            _("Language of the city's reports saved: %(language)s. Reports generated from now on are in it.")
            % {"language": language_name(city.language)},
        )
    return redirect(city.get_absolute_url())


@city_role_required(Role.VIEWER)
def city_members(request, *, city, membership, invite_form=None):
    return render(
        request,
        "assessments/city_members.html",
        {
            "city": city,
            "membership": membership,
            "team": selectors.city_team(city=city),
            "invitations": selectors.open_invitations(city=city) if membership.role == Role.LEAD else [],
            "invite_form": invite_form or InvitationForm(),
            "role_choices": RoleForm.base_fields["role"].choices,
        },
    )


def _members_page(city):
    return redirect("city_members", slug=city.slug)


@require_POST
@city_role_required(Role.LEAD)
def member_invite(request, *, city, membership):
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = team_services.invitation_create(
                city=city, email=form.cleaned_data["email"], role=form.cleaned_data["role"], invited_by=request.user
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            if notices_outbound(kind=Notice.Kind.INVITATION, object_id=invitation.pk) == Outbound.WAITING:
                text = _(
                    "Invitation to %(email)s saved. Its email could not go out yet; it goes out by itself as soon as "
                    "the mail queue answers again."
                )
            else:
                text = _("Invitation saved: the email to %(email)s is on its way.")
            messages.success(request, text % {"email": invitation.email})
            return _members_page(city)
    # Show the members page again with the typed address and the error beside it.
    return city_members.__wrapped__(request, city=city, membership=membership, invite_form=form)


def _city_membership(city, pk):
    return get_object_or_404(Membership.objects.select_related("user"), city=city, pk=pk)


def _apply(request, city, action, success_message):
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success_message)
    return _members_page(city)


@require_POST
@city_role_required(Role.LEAD)
def membership_role(request, pk, *, city, membership):
    target = _city_membership(city, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose contributor or viewer."))
        return _members_page(city)
    role = form.cleaned_data["role"]
    return _apply(
        request,
        city,
        lambda: team_services.membership_change_role(membership=target, role=role),
        _("%(email)s is now a %(role)s.") % {"email": target.user.email, "role": in_sentence(Role(role).label)},
    )


@require_POST
@city_role_required(Role.LEAD)
def membership_remove(request, pk, *, city, membership):
    target = _city_membership(city, pk)
    return _apply(
        request,
        city,
        lambda: team_services.membership_remove(membership=target),
        _("%(email)s no longer has access to %(city)s.") % {"email": target.user.email, "city": city.name},
    )


@require_POST
@city_role_required(Role.LEAD)
def lead_hand_over(request, pk, *, city, membership):
    target = _city_membership(city, pk)
    return _apply(
        request,
        city,
        lambda: team_services.lead_hand_over(city=city, new_lead=target),
        _("%(email)s is now the lead of %(city)s; you stay on as a contributor.")
        % {"email": target.user.email, "city": city.name},
    )


@require_POST
@city_role_required(Role.LEAD)
def invitation_revoke(request, pk, *, city, membership):
    invitation = get_object_or_404(Invitation, city=city, pk=pk)
    return _apply(
        request,
        city,
        lambda: team_services.invitation_revoke(invitation=invitation),
        _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email},
    )


def invitation_accept(request, token):
    try:
        invitation = team_services.invitation_from_token(token)
    except team_services.InvitationInvalid as invalid:
        return render(
            request,
            "assessments/invitation_invalid.html",
            {"reason": invalid.reason, "title": invalid.title},
            status=400,
        )
    context = {"invitation": invitation, "city": invitation.city}
    existing = User.objects.filter(email__iexact=invitation.email).first()

    if request.user.is_authenticated:
        if request.user.email.lower() != invitation.email.lower():
            return render(request, "assessments/invitation_wrong_account.html", context, status=403)
        if request.method == "POST":
            return _join(request, invitation, request.user)
        return render(request, "assessments/invitation_accept.html", context)

    if existing and existing.has_usable_password():
        # An existing account just gains the membership, after logging in.
        return render(
            request,
            "assessments/invitation_login.html",
            {
                **context,
                "login_url": f"{reverse('login')}?next={request.path}",
            },
        )

    form = InvitationSignupForm(request.POST or None, user=existing)
    if request.method == "POST" and form.is_valid():
        user, _created = team_services.user_get_or_create(
            email=invitation.email, full_name=form.cleaned_data["full_name"]
        )
        user.set_password(form.cleaned_data["password1"])
        user.save()
        return _join(request, invitation, user)
    return render(request, "assessments/invitation_signup.html", {**context, "form": form})


def _join(request, invitation, user):
    try:
        membership = team_services.invitation_accept(invitation=invitation, user=user)
    except ValidationError as error:
        return render(
            request,
            "assessments/invitation_invalid.html",
            {"reason": " ".join(error.messages), "title": _("Invitation not accepted")},
            status=400,
        )
    if not request.user.is_authenticated:
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(
        request,
        _("Welcome to %(city)s. You joined as %(role)s.")
        % {"city": membership.city.name, "role": in_sentence(membership.get_role_display())},
    )
    return redirect(membership.city.get_absolute_url())
