from datetime import timedelta

from django.contrib import admin, messages
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from opencities.imports import EditorsImportExportAdmin, ImportTooLarge

from .. import services
from ..models import BODY_SECTIONS, CaseStudy, CityTypeTag, DimensionTag, RecommendationTheme
from ..resources import CaseStudyResource
from .translations import MissingTranslationFilter, TranslationStatusMixin, search_fields

REVIEW_AFTER = timedelta(days=2 * 365)
TAG_LABELS = (("dimensions", _("Dimensions")), ("themes", _("Themes")), ("city_types", _("City types")))


def _preview_title(case_study):
    return f"{case_study.title}\n{case_study.slug}"


def _preview_place(case_study):
    return ", ".join(part for part in (case_study.city, case_study.country) if part)


def _preview_tags(case_study):
    """The tags the row sets, by name; a column the file leaves out keeps the entry's tags."""
    lines = []
    for name, label in TAG_LABELS:
        if name in case_study.imported_tags:
            names = ", ".join(tag.name for tag in case_study.imported_tags[name]) or "—"
        else:
            names = _("unchanged")
        lines.append(f"{label}: {names}")
    return "\n".join(lines)


class NeedsReviewFilter(admin.SimpleListFilter):
    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("needed", _("Needs review (not reviewed for two years)")), ("recent", _("Reviewed recently"))]

    def queryset(self, request, queryset):
        cutoff = timezone.localdate() - REVIEW_AFTER
        if self.value() == "needed":
            return queryset.filter(last_reviewed__lt=cutoff) | queryset.filter(last_reviewed__isnull=True)
        if self.value() == "recent":
            return queryset.filter(last_reviewed__gte=cutoff)
        return queryset


@admin.register(CaseStudy)
class CaseStudyAdmin(TranslationStatusMixin, TranslationAdmin, EditorsImportExportAdmin):
    # TranslationAdmin puts each translated field's languages side by side in the form (title [en], title [fr]);
    # English is required, the others may wait.
    resource_classes = [CaseStudyResource]
    import_preview_columns = (
        (_("Title and address"), _preview_title),
        (_("City"), _preview_place),
        (_("Tags"), _preview_tags),
        (_("Status"), lambda case_study: case_study.get_status_display()),
    )
    # Other entries and the import's own log are enough; one LogEntry per row would double a 5,000-row import.
    skip_admin_log = True
    list_display = ("title", "place", "region", "status", "reviewed", "missing_translations")
    list_filter = (
        "status",
        NeedsReviewFilter,
        MissingTranslationFilter,
        "region",
        "dimensions",
        "themes",
        "city_types",
    )
    search_fields = (*search_fields("title", "summary"), "city", "country", "slug")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("dimensions", "themes", "city_types")
    readonly_fields = ("preview", "published_at", "created_at", "updated_at")
    actions = ["publish", "unpublish"]
    list_per_page = 50
    fieldsets = (
        (None, {"fields": ("title", "slug", "status", "last_reviewed")}),
        (_("Where and when"), {"fields": ("city", "country", "region", ("year_start", "year_end"))}),
        (_("Tags"), {"fields": ("dimensions", "themes", "city_types")}),
        (_("Text (Markdown)"), {"fields": ("summary", *(name for name, _label in BODY_SECTIONS), "sources")}),
        (_("Preview"), {"fields": ("preview",)}),
        (_("History"), {"classes": ("collapse",), "fields": ("published_at", "created_at", "updated_at")}),
    )

    @admin.display(description=_("city"), ordering="city")
    def place(self, case_study):
        return _preview_place(case_study)

    # The date, and "Needs review" in words on the entries that need it only: a boolean column put a red icon on
    # every up-to-date row (read as an error), and at 1280 px the list was cut off before it.
    @admin.display(description=_("last reviewed"), ordering="last_reviewed")
    def reviewed(self, case_study):
        when = date_format(case_study.last_reviewed) if case_study.last_reviewed else gettext("never")
        if case_study.last_reviewed is None or case_study.last_reviewed < timezone.localdate() - REVIEW_AFTER:
            return format_html("{}<br><strong>{}</strong>", when, gettext("Needs review"))
        return when

    @admin.display(description=_("rendered as readers see it (after saving)"))
    def preview(self, case_study):
        if not case_study.pk:
            return _("Save the entry to see its preview.")
        sections = [(label, getattr(case_study, name)) for name, label in BODY_SECTIONS]
        return render_to_string(
            "admin/casestudies/casestudy/preview.html", {"case_study": case_study, "sections": sections}
        )

    @admin.action(description=_("Publish the selected case studies"), permissions=["change"])
    def publish(self, request, queryset):
        changed = services.case_studies_publish(case_studies=queryset, publish=True)
        self.message_user(
            request,
            ngettext("%(n)d case study published.", "%(n)d case studies published.", changed) % {"n": changed},
            messages.SUCCESS,
        )

    @admin.action(description=_("Take the selected case studies back to draft"), permissions=["change"])
    def unpublish(self, request, queryset):
        changed = services.case_studies_publish(case_studies=queryset, publish=False)
        self.message_user(
            request,
            ngettext("%(n)d case study taken back to draft.", "%(n)d case studies taken back to draft.", changed)
            % {"n": changed},
            messages.SUCCESS,
        )

    def add_data_read_fail_error_to_form(self, form, error):
        if isinstance(error, ImportTooLarge):
            message = str(error)
        elif isinstance(error, UnicodeDecodeError):
            message = _(
                "The file is not UTF-8 text (byte %(position)d). Save it as “CSV UTF-8” and import it again."
            ) % {"position": error.start}
        else:
            message = _(
                "The file could not be read as the chosen format (%(error)s). Check the format and the file."
            ) % {"error": str(error)[:200] or type(error).__name__}
        form.add_error("import_file", message)


@admin.register(DimensionTag, CityTypeTag, RecommendationTheme)
class TagAdmin(TranslationStatusMixin, TranslationAdmin):
    """The rows are opencities/vocabulary.py's terms: their key and name change there (and a migration), and their
    names in each language in its catalogue, not here; a theme's description is written here, in each language."""

    list_display = ("name", "key", "position", "missing_translations")
    list_filter = (MissingTranslationFilter,)
    search_fields = (*search_fields("name"), "key")
    readonly_fields = ("key", "name")

    def has_add_permission(self, request):
        return False  # the keys are the method's; a migration adds one

    def has_delete_permission(self, request, obj=None):
        return False
