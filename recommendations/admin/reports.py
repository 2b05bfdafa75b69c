"""Partners, reports and their delivery log in the admin; editors resend a delivery from there."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import services
from ..models import Following, Partner, Report, ReportDelivery


class FollowingInline(admin.TabularInline):
    model = Following
    extra = 1
    autocomplete_fields = ("city",)
    readonly_fields = ("unsubscribed_at", "created_at")
    fields = ("city", "is_active", "unsubscribed_at", "created_at")


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("organisation", "contact_name", "email", "language", "consent_date", "is_active", "cities_followed")
    list_filter = ("is_active", "language", ("consent_date", admin.EmptyFieldListFilter))
    search_fields = ("organisation", "contact_name", "email", "followings__city__name")
    inlines = [FollowingInline]

    @admin.display(description=_("cities followed"))
    def cities_followed(self, partner):
        return ", ".join(f.city.name for f in partner.followings.all() if f.is_active) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("followings__city")


class DeliveryInline(admin.TabularInline):
    model = ReportDelivery
    extra = 0
    can_delete = False
    fields = ("partner", "email", "status", "attempts", "sent_at", "last_error", "message_id")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("assessment", "status", "language", "pages", "size", "attempts", "finished_at", "approved_at")
    list_filter = ("status",)
    search_fields = ("assessment__city__name",)
    inlines = [DeliveryInline]
    readonly_fields = [*(field.name for field in Report._meta.fields), "other_languages"]

    # A line rather than an inline: the rows need no admin (and no permission) of their own.
    @admin.display(description=_("PDFs in other languages"))
    def other_languages(self, report):
        rows = report.files.order_by("language")
        return ", ".join(f"{row.get_language_display()}: {row.file.name}" for row in rows) or "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportDelivery)
class ReportDeliveryAdmin(admin.ModelAdmin):
    list_display = ("assessment", "partner", "email", "status", "attempts", "sent_at", "last_error")
    list_filter = ("status",)
    search_fields = ("partner__organisation", "email", "assessment__city__name")
    readonly_fields = [field.name for field in ReportDelivery._meta.fields]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Resend the selected deliveries"), permissions=["change"])
    def resend(self, request, queryset):
        for delivery in queryset:
            services.delivery_resend(delivery=delivery)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%(n)d delivery queued to be sent again.", "%(n)d deliveries queued to be sent again.", count)
            % {"n": count},
            messages.SUCCESS,
        )


@admin.register(Following)
class FollowingAdmin(admin.ModelAdmin):
    list_display = ("partner", "city", "is_active", "unsubscribed_at")
    list_filter = ("is_active",)
    search_fields = ("partner__organisation", "partner__email", "city__name")
    autocomplete_fields = ("partner", "city")
