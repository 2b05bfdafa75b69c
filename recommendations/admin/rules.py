"""Recommendation rules in the admin: editors write, import and export them and see the text as cities will."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ExportForm

from casestudies.resources import ImportTooLarge
from opencities.markdown import render_markdown

from ..models import RecommendationRule
from ..resources import EXPORT_FORMATS, IMPORT_FORMATS, RecommendationRuleResource


@admin.register(RecommendationRule)
class RecommendationRuleAdmin(ImportExportModelAdmin):
    # Every column, always: an export must import back to the same content. (The per-field picker's
    # "select all" box also relies on an inline script, which the site's CSP blocks.)
    export_form_class = ExportForm
    resource_classes = [RecommendationRuleResource]
    import_formats = IMPORT_FORMATS
    export_formats = EXPORT_FORMATS
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
        return format_html(
            '<div class="oc-preview"><h3 class="oc-preview-heading">{}</h3>{}'
            '<h3 class="oc-preview-heading">{}</h3>{}</div>',
            rule.title,
            render_markdown(rule.text),
            _("First steps"),
            render_markdown(rule.actions),
        )

    def add_data_read_fail_error_to_form(self, form, error):
        if isinstance(error, ImportTooLarge):
            form.add_error("import_file", str(error))
        else:
            super().add_data_read_fail_error_to_form(form, error)
