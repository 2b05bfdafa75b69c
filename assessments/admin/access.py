"""Who may work on a city: memberships, access requests (approved or rejected here) and invitations."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from opencities.models import Notice
from opencities.notices import Outbound, notices_outbound

from ..models import AccessRequest, Invitation, Membership, Role
from ..services.team import access_request_approve, access_request_reject


class MembershipAdminForm(forms.ModelForm):
    def clean_role(self):
        role = self.cleaned_data["role"]
        if role == Role.LEAD and not (self.instance.pk and self.instance.role == Role.LEAD):
            raise ValidationError(
                _(
                    "The lead role is not given here: the city’s lead hands it over on the team page, and approving "
                    "an access request makes the lead of a city that has none."
                )
            )
        return role


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Editors add, change and remove members; the lead role moves only by the lead's hand-over (or an approved
    access request), so no one, the editor included, becomes a lead here and a city never loses its lead here."""

    form = MembershipAdminForm
    list_display = ["user", "city", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "city__name"]
    autocomplete_fields = ["user", "city"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # Another person or city would be another membership: giving the lead's row to someone made them lead.
        return ["user", "city", "role"] if obj.role == Role.LEAD else ["user", "city"]

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.role == Role.LEAD)

    def get_actions(self, request):
        # Deleting in bulk would not ask about each row, so it could remove a lead; one at a time it cannot.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(AccessRequest)
class AccessRequestAdmin(admin.ModelAdmin):
    list_display = ["full_name", "email", "city_name", "country", "status", "created_at"]
    list_filter = ["status", "region"]
    search_fields = ["full_name", "email", "city_name", "country"]
    autocomplete_fields = ["city"]
    readonly_fields = [
        "full_name",
        "email",
        "job_title",
        "city_name",
        "country",
        "region",
        "message",
        "status",
        "created_at",
        "decided_at",
        "decided_by",
    ]
    fields = [*readonly_fields[:7], "city", "decision_note", *readonly_fields[7:]]
    actions = ["approve", "reject"]

    def has_add_permission(self, request):
        return False  # visitors make requests on the site

    @admin.action(description=_("Approve: make each requester the lead of their city"), permissions=["change"])
    def approve(self, request, queryset):
        approved = []
        for access_request in queryset:
            try:
                access_request_approve(access_request=access_request, editor=request.user)
            except ValidationError as error:
                self.message_user(request, f"{access_request}: {' '.join(error.messages)}", messages.ERROR)
            else:
                approved.append(access_request.pk)
        if approved:
            self.message_user(
                request,
                ngettext(
                    "%d request approved; the email to the requester is on its way.",
                    "%d requests approved; the emails to the requesters are on their way.",
                    len(approved),
                )
                % len(approved),
                messages.SUCCESS,
            )
            self._tell_of_waiting_emails(request, Notice.Kind.ACCESS_APPROVED, approved)

    def _tell_of_waiting_emails(self, request, kind, ids):
        waiting = sum(notices_outbound(kind=kind, object_id=pk) == Outbound.WAITING for pk in ids)
        if waiting:
            self.message_user(
                request,
                ngettext(
                    "%d email could not go out yet; it goes out by itself once the mail queue answers again.",
                    "%d emails could not go out yet; they go out by themselves once the mail queue answers again.",
                    waiting,
                )
                % waiting,
                messages.WARNING,
            )

    @admin.action(description=_("Reject (the decision note is sent to the requester)"), permissions=["change"])
    def reject(self, request, queryset):
        rejected = []
        for access_request in queryset:
            try:
                access_request_reject(
                    access_request=access_request, editor=request.user, note=access_request.decision_note
                )
            except ValidationError as error:
                self.message_user(request, f"{access_request}: {' '.join(error.messages)}", messages.ERROR)
            else:
                rejected.append(access_request.pk)
        if rejected:
            self.message_user(
                request, ngettext("%d request rejected.", "%d requests rejected.", len(rejected)) % len(rejected)
            )
            self._tell_of_waiting_emails(request, Notice.Kind.ACCESS_REJECTED, rejected)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "city", "role", "invited_by", "created_at", "accepted_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["email", "city__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
