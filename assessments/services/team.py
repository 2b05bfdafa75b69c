"""Writes for cities, memberships, access requests and invitations. Each runs in one transaction."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from slugify import slugify

from opencities.editors import EDITORS_GROUP
from opencities.languages import configured
from opencities.links import absolute_url
from opencities.mail import header_text
from opencities.models import Notice
from opencities.notices import members_notice_add, notice_add

from ..models import AccessRequest, City, Invitation, Membership, Role

User = get_user_model()

INVITATION_SALT = "assessments.invitation"


def user_get_or_create(*, email: str, full_name: str = "") -> tuple[User, bool]:
    """Accounts are keyed by email, which is also their username."""
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user:
        return user, False
    first, _space, last = full_name.strip().partition(" ")
    user = User(username=email, email=email, first_name=first[:150], last_name=last[:150])
    user.set_unusable_password()
    user.save()
    return user, True


def password_set_url(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return absolute_url(reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token}))


def city_create(*, name: str, country: str, region: str) -> City:
    base = slugify(name, max_length=70) or "city"
    slug, suffix = base, 2
    while City.objects.filter(slug=slug).exists():
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return City.objects.create(name=header_text(name), slug=slug, country=country, region=region)


# What a request sent again changes on the pending one; who asks for which city stays.
ACCESS_REQUEST_UPDATED_FIELDS = ["full_name", "job_title", "region", "message"]


@transaction.atomic
@transaction.atomic
def access_request_submit(*, access_request: AccessRequest) -> tuple[AccessRequest, bool]:
    """Save a new request, or merge it into the requester's pending one for the same city; True when it is new.

    The pending one keeps its place in the queue and takes what the requester wrote now. A new request owes the
    requester an acknowledgement and each editor a notice, written with it; a merged one tells nobody again.
    """
    pending = _pending_request_like(access_request)
    if pending is None:
        try:
            with transaction.atomic():
                access_request.save()
        except IntegrityError:  # the same request, sent twice at once: the other one was saved first
            pending = _pending_request_like(access_request)
        else:
            _access_request_notices_add(access_request)
            return access_request, True
    for field in ACCESS_REQUEST_UPDATED_FIELDS:
        setattr(pending, field, getattr(access_request, field))
    pending.save(update_fields=ACCESS_REQUEST_UPDATED_FIELDS)
    return pending, False


def _access_request_notices_add(access_request: AccessRequest) -> None:
    notice_add(
        kind=Notice.Kind.ACCESS_RECEIVED,
        key=f"access-request:{access_request.pk}:received",
        email=access_request.email,
        object_id=access_request.pk,
    )
    editors = User.objects.filter(is_active=True, is_staff=True, groups__name=EDITORS_GROUP).distinct()
    members_notice_add(
        kind=Notice.Kind.ACCESS_REQUESTED,
        event=f"access-request:{access_request.pk}",
        members=editors,
        object_id=access_request.pk,
    )


def _pending_request_like(access_request: AccessRequest) -> AccessRequest | None:
    key = AccessRequest.requester_key_of(
        email=access_request.email, city_name=access_request.city_name, country=access_request.country
    )
    return (
        AccessRequest.objects.select_for_update().filter(status=AccessRequest.Status.PENDING, requester_key=key).first()
    )


@transaction.atomic
def access_request_approve(*, access_request: AccessRequest, editor: User) -> Membership:
    """Make the requester the lead of the requested city, creating the city if needed."""
    access_request = AccessRequest.objects.select_for_update().get(pk=access_request.pk)
    if access_request.status != AccessRequest.Status.PENDING:
        raise ValidationError(_("This request was already decided."))
    city = access_request.city
    if city is None:
        city = City.objects.filter(
            name__iexact=access_request.city_name, country__iexact=access_request.country
        ).first()
    if city is None:
        city = city_create(name=access_request.city_name, country=access_request.country, region=access_request.region)
    elif Membership.objects.filter(city=city, role=Role.LEAD).exists():
        # Never take the lead role away from someone silently: the current lead can invite them.
        lead = Membership.objects.get(city=city, role=Role.LEAD).user
        raise ValidationError(
            _("%(city)s already has a lead (%(email)s). Ask them to invite the requester, or reject the request.")
            % {"city": city.name, "email": lead.email}
        )
    user, _created = user_get_or_create(email=access_request.email, full_name=access_request.full_name)
    membership, _created = Membership.objects.update_or_create(user=user, city=city, defaults={"role": Role.LEAD})
    access_request.city = city
    access_request.status = AccessRequest.Status.APPROVED
    access_request.decided_at = timezone.now()
    access_request.decided_by = editor
    access_request.save()
    # The email's link to set a password is made when it is sent, not kept on the row.
    notice_add(
        kind=Notice.Kind.ACCESS_APPROVED,
        key=f"access-request:{access_request.pk}:approved",
        email=user.email,
        user=user,
        object_id=access_request.pk,
    )
    return membership


@transaction.atomic
def access_request_reject(*, access_request: AccessRequest, editor: User, note: str = "") -> None:
    access_request = AccessRequest.objects.select_for_update().get(pk=access_request.pk)
    if access_request.status != AccessRequest.Status.PENDING:
        raise ValidationError(_("This request was already decided."))
    access_request.status = AccessRequest.Status.REJECTED
    access_request.decided_at = timezone.now()
    access_request.decided_by = editor
    access_request.decision_note = note
    access_request.save()
    notice_add(
        kind=Notice.Kind.ACCESS_REJECTED,
        key=f"access-request:{access_request.pk}:rejected",
        email=access_request.email,
        object_id=access_request.pk,
    )


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"invitation": invitation.pk, "email": invitation.email}, salt=INVITATION_SALT)


class InvitationInvalid(Exception):
    """The link was tampered with, has expired, or was used or withdrawn; the message says which."""

    def __init__(self, reason: str, title: str):
        super().__init__(reason)
        self.reason = reason
        self.title = title


def invitation_from_token(token: str) -> Invitation:
    max_age = settings.INVITATION_MAX_AGE_DAYS * 24 * 60 * 60
    try:
        payload = signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise InvitationInvalid(
            _(
                "This invitation has expired: invitations are valid for %(days)d days. "
                "Ask the city's lead to send a new one."
            )
            % {"days": settings.INVITATION_MAX_AGE_DAYS},
            _("Invitation expired"),
        ) from None
    except signing.BadSignature:
        raise InvitationInvalid(
            _("This invitation link is not valid. Check that you copied the whole link from the email."),
            _("Invitation link not valid"),
        ) from None
    invitation = (
        Invitation.objects.select_related("city")
        .filter(pk=payload.get("invitation"), email=payload.get("email"))
        .first()
    )
    if invitation is None or invitation.revoked_at:
        raise InvitationInvalid(_("This invitation was withdrawn by the city's lead."), _("Invitation withdrawn"))
    if invitation.accepted_at:
        raise InvitationInvalid(
            _("This invitation has already been used. Log in to reach the city."), _("Invitation already used")
        )
    return invitation


@transaction.atomic
def invitation_create(*, city: City, email: str, role: str, invited_by: User) -> Invitation:
    email = User.objects.normalize_email(email).lower()
    if Membership.objects.filter(city=city, user__email__iexact=email).exists():
        raise ValidationError(_("%(email)s is already a member of %(city)s.") % {"email": email, "city": city.name})
    if role not in (Role.CONTRIBUTOR, Role.VIEWER):
        raise ValidationError(_("Invite as contributor or viewer; hand over the lead role once they have joined."))
    # A new invitation replaces any open one for the same address, so only the latest link works.
    Invitation.objects.filter(city=city, email__iexact=email, accepted_at=None, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    invitation = Invitation.objects.create(city=city, email=email, role=role, invited_by=invited_by)
    # The accept link is signed when the email is sent, so its validity starts then and the row holds no token.
    notice_add(kind=Notice.Kind.INVITATION, key=f"invitation:{invitation.pk}", email=email, object_id=invitation.pk)
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Give the user the invited membership; a second use of the same invitation fails."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError(_("This invitation has already been used or was withdrawn."))
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            _(
                "This invitation was sent to %(email)s. Log out and open the link again, "
                "or ask for an invitation to your own address."
            )
            % {"email": invitation.email}
        )
    membership, _created = Membership.objects.get_or_create(
        user=user, city=invitation.city, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk, accepted_at=None).update(revoked_at=timezone.now())


@transaction.atomic
def city_language_set(*, city: City, language: str) -> City:
    """The city's language, chosen by its lead: its reports are always generated in it, and partners who chose no
    language of their own get their emails in it. A report already generated keeps its PDFs until the next one."""
    if not configured(language):
        raise ValidationError(_("Choose one of the languages in the list."))
    # update(): the language is no peer data, so a save's signal would move the peer-data version for nothing.
    City.objects.filter(pk=city.pk).update(language=language)
    city.language = language
    return city


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str) -> Membership:
    if role == Role.LEAD:
        raise ValidationError(_("Use “Hand over the lead role” to make someone the lead."))
    if membership.role == Role.LEAD:
        raise ValidationError(_("The lead's role changes only by handing the lead role to someone else."))
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    if membership.role == Role.LEAD:
        raise ValidationError(_("A city always keeps a lead: hand over the lead role before removing this member."))
    membership.delete()


@transaction.atomic
def lead_hand_over(*, city: City, new_lead: Membership) -> Membership:
    """Make another member the lead; the current lead stays on as a contributor."""
    memberships = Membership.objects.select_for_update().filter(city=city)
    current = memberships.filter(role=Role.LEAD).first()
    if new_lead.city_id != city.pk:
        raise ValidationError(_("Only a member of the city can become its lead."))
    if current and current.pk == new_lead.pk:
        raise ValidationError(_("This member is already the lead."))
    if current:
        current.role = Role.CONTRIBUTOR
        current.save(update_fields=["role"])
    new_lead.role = Role.LEAD
    new_lead.save(update_fields=["role"])
    return new_lead
