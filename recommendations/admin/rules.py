"""Recommendation rules in the admin: editors write, import and export them and see the text as cities will."""

from django.contrib import admin
from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from casestudies.admin.translations import MissingTranslationFilter, TranslationStatusMixin, search_fields
from opencities.imports import EditorsImportExportAdmin

from ..models import RecommendationRule, comma_separated
from ..resources import RecommendationRuleResource


def trigger_text(*, dimensions, bands: str, framework_elements: str, city_types) -> str:
    """When a rule fires, in a line or two: its dimensions in their bands, its framework gaps, for which types."""
    lines = []
    if dimensions:
        lines.append(
            gettext("%(dimensions)s in %(bands)s")
            % {"dimensions": ", ".join(tag.name for tag in dimensions), "bands": ", ".join(comma_separated(bands))}
        )
    if comma_separated(framework_elements):
        lines.append(gettext("framework gaps: %(keys)s") % {"keys": ", ".join(comma_separated(framework_elements))})
    names = ", ".join(tag.name for tag in city_types)
    lines.append(gettext("types: %(names)s") % {"names": names} if names else gettext("all types"))
    return "\n".join(lines)


def _preview_trigger(rule):
    related = rule.imported_related
    return trigger_text(
        dimensions=related.get("dimensions", ()),
        bands=rule.bands,
        framework_elements=rule.framework_elements,
        city_types=related.get("city_types", ()),
    )


@admin.register(RecommendationRule)
class RecommendationRuleAdmin(TranslationStatusMixin, TranslationAdmin, EditorsImportExportAdmin):
    # Each text in every language side by side (TranslationAdmin); English is required, the others may wait.
    resource_classes = [RecommendationRuleResource]
    import_preview_columns = (
        (_("Title and key"), lambda rule: f"{rule.title}\n{rule.key}"),
        (_("Theme"), lambda rule: rule.theme.name),
        (_("Priority"), lambda rule: rule.get_priority_display()),
        (_("When it fires"), _preview_trigger),
        (_("Active"), lambda rule: gettext("yes") if rule.is_active else gettext("no")),
    )
    list_display = ("title", "theme_name", "priority", "trigger", "is_active", "missing_translations")
    list_filter = ("theme", "priority", MissingTranslationFilter, "city_types", "dimensions", "is_active")
    search_fields = (*search_fields("title", "text", "actions"), "key")
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

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("dimensions", "city_types")

    @admin.display(description=_("theme"), ordering="theme__position")
    def theme_name(self, rule):
        return rule.theme.name  # "recommendation theme" as a heading kept the list wider than the page at 1280 px

    @admin.display(description=_("when it fires"))
    def trigger(self, rule):
        text = trigger_text(
            dimensions=rule.dimensions.all(),
            bands=rule.bands,
            framework_elements=rule.framework_elements,
            city_types=rule.city_types.all(),
        )
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in text.splitlines()))

    @admin.display(description=_("rendered as cities see it (after saving)"))
    def preview(self, rule):
        if not rule.pk:
            return _("Save the rule to see its preview.")
        return render_to_string("admin/recommendations/recommendationrule/preview.html", {"rule": rule})
