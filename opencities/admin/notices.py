"""The outbox, read-only: support answers "did the email go out?" from it; only the platform writes it."""

from django.contrib import admin

from ..models import Notice


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["kind", "email", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["email", "key"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    list_select_related = ["user"]
    fields = [
        "kind",
        "key",
        "user",
        "email",
        "language",
        "object_id",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "queued_at",
        "started_at",
        "sent_at",
        "message_id",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the purge deletes them after NOTICE_RETENTION_DAYS
