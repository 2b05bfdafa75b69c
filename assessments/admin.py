import json
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Min, Prefetch, Q
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export import resources
from import_export.admin import ExportMixin
from import_export.fields import Field
from import_export.formats import base_formats
from import_export.forms import ExportForm

from opencities.method import CITY_TYPES

from . import selectors, services
from .answer_export import assessment_answer_rows, formula_safe
from .citytype import CITY_TYPE_KEYS
from .models import (
    AccessRequest,
    Assessment,
    AssessmentResult,
    City,
    Dimension,
    DimensionScore,
    Invitation,
    Membership,
    QuestionnaireVersion,
)
from .services.assessments import assessment_reopen


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "region", "metro_population", "is_reference"]
    list_filter = ["region", "is_reference", "gawc_tier"]
    search_fields = ["name", "slug", "country"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "city", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "city__name"]
    autocomplete_fields = ["user", "city"]


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
        approved = 0
        for access_request in queryset:
            try:
                services.access_request_approve(access_request=access_request, editor=request.user)
            except ValidationError as error:
                self.message_user(request, f"{access_request}: {' '.join(error.messages)}", messages.ERROR)
            else:
                approved += 1
        if approved:
            self.message_user(
                request,
                ngettext(
                    "%d request approved; the requester was emailed.",
                    "%d requests approved; the requesters were emailed.",
                    approved,
                )
                % approved,
                messages.SUCCESS,
            )

    @admin.action(description=_("Reject (the decision note is sent to the requester)"), permissions=["change"])
    def reject(self, request, queryset):
        rejected = 0
        for access_request in queryset:
            try:
                services.access_request_reject(
                    access_request=access_request, editor=request.user, note=access_request.decision_note
                )
            except ValidationError as error:
                self.message_user(request, f"{access_request}: {' '.join(error.messages)}", messages.ERROR)
            else:
                rejected += 1
        if rejected:
            self.message_user(request, ngettext("%d request rejected.", "%d requests rejected.", rejected) % rejected)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "city", "role", "invited_by", "created_at", "accepted_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["email", "city__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
