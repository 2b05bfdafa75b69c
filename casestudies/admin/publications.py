"""The admin for publications: editors upload PDFs and choose which ones the downloads page shows."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from ..models import Publication
from .translations import MissingTranslationFilter, TranslationStatusMixin, search_fields


@admin.register(Publication)
class PublicationAdmin(TranslationStatusMixin, TranslationAdmin):
    list_display = ("title", "kind", "is_public", "published_on", "missing_translations")
    list_filter = ("kind", "is_public", MissingTranslationFilter)
    search_fields = search_fields("title", "summary")
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "published_on"
    actions = ("make_public", "hide")

    @admin.action(description=_("Make public"), permissions=["change"])
    def make_public(self, request, queryset):
        changed = queryset.filter(is_public=False).update(is_public=True)
        self.message_user(
            request,
            ngettext(
                "%(count)d publication is now on the downloads page.",
                "%(count)d publications are now on the downloads page.",
                changed,
            )
            % {"count": changed},
            messages.SUCCESS,
        )

    @admin.action(description=_("Hide from the downloads page"), permissions=["change"])
    def hide(self, request, queryset):
        changed = queryset.filter(is_public=True).update(is_public=False)
        self.message_user(
            request,
            ngettext(
                "%(count)d publication is now hidden from the downloads page.",
                "%(count)d publications are now hidden from the downloads page.",
                changed,
            )
            % {"count": changed},
            messages.SUCCESS,
        )
