"""Recommendation rules in the admin: editors write, import and export them and see the text as cities will."""

from django.contrib import admin
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from opencities.imports import EditorsImportExportAdmin

from ..models import RecommendationRule
from ..resources import RecommendationRuleResource


@admin.register(RecommendationRule)
class RecommendationRuleAdmin(EditorsImportExportAdmin):
    resource_classes = [RecommendationRuleResource]
    list_display = ("title", "theme", "priority", "is_active")
    list_filter = ("theme", "priority", "city_types", "dimensions", "is_active")
    search_fields = ("title", "key", "text", "actions")
    list_select_related = ("theme",)
    prepopulated_fields = {"key": ("title",)}
    filter_horizontal = ("dimensions", "city_types", "case_studies")
    readonly_fields = ("preview", "updated_at")
    fieldsets = (
        (None, {"fields": ("title", "key", "theme", "priority", "is_active")}),
        (_("When it fires"), {"fields": ("dimensions", "bands", "framework_elements", "city_types")}),
        (_("Text (Markdown)"), {"fields": ("text", "actions")}),
        (_("Linked case studies"), {"fields": ("case_studies",)}),
        (_("Preview"), {"fields": ("preview",)}),
        (_("History"), {"classes": ("collapse",), "fields": ("updated_at",)}),
    )

    @admin.display(description=_("rendered as cities see it (after saving)"))
    def preview(self, rule):
        if not rule.pk:
            return _("Save the rule to see its preview.")
        return render_to_string("admin/recommendations/recommendationrule/preview.html", {"rule": rule})
