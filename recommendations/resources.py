"""Import and export of recommendation rules (CSV, XLSX, JSON), shared by the admin and `import_recommendation_rules`.

Every row is checked (theme, tags and case studies by key, bands and framework elements, a key used twice) and
every problem is reported with its row; nothing is written while any row is bad. Rule sets are small, so rows
are saved one by one inside the import's transaction.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets

from casestudies.content_languages import SOURCE_LANGUAGE, headers_check, localized, per_language
from casestudies.models import CaseStudy, CityTypeTag, DimensionTag, RecommendationTheme
from opencities.imports import RowCheckMixin, TagWidget, TextWidget

from .models import RecommendationRule, comma_separated

# The texts editors write in every language: a column per language and field (title_en, title_fr, …), English first.
TRANSLATED_FIELDS = ("title", "text", "actions")
COLUMNS = (
    "key",
    *per_language("title"),
    "theme",
    "dimensions",
    "bands",
    "framework_elements",
    "city_types",
    "priority",
    *per_language("text", "actions"),
    "case_studies",
    "is_active",
)
REQUIRED_COLUMNS = ("key", localized("title", SOURCE_LANGUAGE), "theme")
RELATED_FIELDS = ("dimensions", "city_types", "case_studies")


def _words(value) -> list[str]:
    return comma_separated(TextWidget().clean(value))


class ThemeWidget(widgets.Widget):
    """A recommendation theme by stable key or by name in any language; an unknown theme is an error, never a new
    theme."""

    def __init__(self):
        super().__init__()
        self._themes = None

    def _known(self):
        if self._themes is None:  # one query per import, not per row
            self._themes = list(RecommendationTheme.objects.all())
        return self._themes

    def clean(self, value, row=None, **kwargs):
        text = str(TextWidget().clean(value) or "").casefold()
        for theme in self._known():
            names = (getattr(theme, column) or "" for column in per_language("name"))
            if text in (theme.key.casefold(), *(name.casefold() for name in names if name)):
                return theme
        raise ValueError(
            _("Unknown recommendation theme “%(value)s”. Known keys: %(known)s.")
            % {"value": str(TextWidget().clean(value) or "")[:60], "known": ", ".join(t.key for t in self._known())}
        )

    def render(self, value, obj=None, **kwargs):
        return value.key if value else ""


class CaseStudyWidget(widgets.ManyToManyWidget):
    """Linked case studies by slug, comma-separated; an unknown slug is an error."""

    def __init__(self):
        super().__init__(CaseStudy, separator=",", field="slug")

    def clean(self, value, row=None, **kwargs):
        wanted = list(dict.fromkeys(_words(value)))
        found = CaseStudy.objects.in_bulk(wanted, field_name="slug") if wanted else {}
        unknown = [slug for slug in wanted if slug not in found]
        if unknown:
            raise ValueError(
                _("Unknown case studies: %(unknown)s. Import the case studies first, or correct the addresses.")
                % {"unknown": ", ".join(f"“{slug[:60]}”" for slug in unknown[:10])}
            )
        return [found[slug] for slug in wanted]

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return ", ".join(case_study.slug for case_study in value.all())


class PriorityWidget(widgets.Widget):
    """1, 2 or 3, or the priority's name (High, Medium, Low)."""

    def clean(self, value, row=None, **kwargs):
        text = str(TextWidget().clean(value) or "").casefold()
        for number, label in RecommendationRule.Priority.choices:
            if text in (str(number), f"{number}.0", str(label).casefold()):
                return number
        raise ValueError(_("Unknown priority “%(value)s”; use 1 (high), 2 (medium) or 3 (low).") % {"value": text[:20]})

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class ListWidget(widgets.Widget):
    """A comma-separated list of keys, stored as written but tidied ("low, medium" → "low,medium")."""

    def clean(self, value, row=None, **kwargs):
        return ",".join(word.casefold() for word in _words(value))

    def render(self, value, obj=None, **kwargs):
        return value or ""


class RecommendationRuleResource(RowCheckMixin, resources.ModelResource):
    related_fields = RELATED_FIELDS
    key_field = "key"
    duplicate_message = gettext_lazy("The key “%(key)s” is also used on %(row)s; each rule needs its own.")
    key = fields.Field(attribute="key", column_name="key", widget=TextWidget())
    theme = fields.Field(attribute="theme", column_name="theme", widget=ThemeWidget())
    dimensions = fields.Field(attribute="dimensions", column_name="dimensions", widget=TagWidget(DimensionTag))
    bands = fields.Field(attribute="bands", column_name="bands", widget=ListWidget())
    framework_elements = fields.Field(
        attribute="framework_elements", column_name="framework_elements", widget=ListWidget()
    )
    city_types = fields.Field(attribute="city_types", column_name="city_types", widget=TagWidget(CityTypeTag))
    priority = fields.Field(attribute="priority", column_name="priority", widget=PriorityWidget())
    case_studies = fields.Field(attribute="case_studies", column_name="case_studies", widget=CaseStudyWidget())
    is_active = fields.Field(attribute="is_active", column_name="is_active", widget=widgets.BooleanWidget())

    class Meta:
        model = RecommendationRule
        fields = COLUMNS
        import_id_fields = ("key",)
        export_order = COLUMNS
        import_order = COLUMNS
        clean_model_instances = True
        skip_html_diff = True

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        # The texts' columns, one per language (title_fr), are read as text.
        if getattr(f, "translated_field", f).name in TRANSLATED_FIELDS:
            return TextWidget
        return super().widget_from_django_field(f, default)

    def get_queryset(self):
        return RecommendationRule.objects.select_related("theme").prefetch_related(*RELATED_FIELDS)

    def before_import(self, dataset, **kwargs):
        headers_check(dataset.headers, required=REQUIRED_COLUMNS, fields=TRANSLATED_FIELDS, known_columns=COLUMNS)

    def import_instance(self, instance, row, **kwargs):
        def import_fields(instance, row):
            super(RecommendationRuleResource, self).import_instance(instance, row, **kwargs)
            if "is_active" in row and row["is_active"] in (None, ""):
                instance.is_active = True  # an empty cell means active, as for a new rule

        self.check_row(instance, row, kwargs.get("row_number"), import_fields)

    def save_m2m(self, instance, row, **kwargs):
        if self._is_dry_run(kwargs) and not self._is_using_transactions(kwargs):
            return
        for name, values in getattr(instance, "imported_related", {}).items():
            getattr(instance, name).set(values)
