"""Import and export of the case-study library (CSV, XLSX, JSON), shared by the admin and `import_case_studies`.

Rows are checked one by one (tags by key or name, regions, a slug used twice, the model's own rules) and every
problem is reported with its row; nothing is written while any row is bad. The writes themselves are bulk
(services.case_studies_write), so that 5,000 rows import well inside a request. The formats, the row checks and the
widgets it shares with the rules live in opencities.imports.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from import_export.instance_loaders import CachedInstanceLoader

from assessments.models import Region
from opencities.imports import ImportReport, RowCheckMixin, TagWidget, TextWidget, import_dataset

from . import services
from .content_languages import SOURCE_LANGUAGE, headers_check, localized, per_language
from .models import BODY_SECTIONS, CaseStudy, CityTypeTag, DimensionTag, RecommendationTheme

TAG_FIELDS = ("dimensions", "themes", "city_types")


class YearWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except (ValueError, ArithmeticError):
            raise ValueError(_("“%(value)s” is not a year.") % {"value": value}) from None


class RegionWidget(widgets.Widget):
    """A region by key (europe) or by name (Europe)."""

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        for key, label in Region.choices:
            if text.casefold() in (key, str(label).casefold()):
                return key
        raise ValueError(
            _("Unknown region “%(value)s”; use one of: %(known)s.")
            % {"value": text[:60], "known": ", ".join(Region.values)}
        )

    def render(self, value, obj=None, **kwargs):
        return value or ""


BODY_FIELDS = tuple(name for name, _label in BODY_SECTIONS)
# The fields editors write in every language: a column per language and field (title_en, title_fr, …), English first.
TRANSLATED_FIELDS = ("title", "summary", *BODY_FIELDS)
TEXT_FIELDS = (*TRANSLATED_FIELDS, "city", "country", "sources")
COLUMNS = (
    "slug",
    *per_language("title"),
    "city",
    "country",
    "region",
    "year_start",
    "year_end",
    "dimensions",
    "themes",
    "city_types",
    *per_language("summary", *BODY_FIELDS),
    "sources",
    "status",
    "last_reviewed",
)
REQUIRED_COLUMNS = ("slug", localized("title", SOURCE_LANGUAGE))


class StatusWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip().casefold() or CaseStudy.Status.DRAFT
        for key, label in CaseStudy.Status.choices:
            if text in (key, str(label).casefold()):
                return key
        raise ValueError(_("Unknown status “%(value)s”; use draft or published.") % {"value": str(value)[:40]})

    def render(self, value, obj=None, **kwargs):
        return value or ""


class CaseStudyResource(RowCheckMixin, resources.ModelResource):
    related_fields = TAG_FIELDS
    key_field = "slug"
    duplicate_message = gettext_lazy("The address “%(key)s” is also used on %(row)s; each case study needs its own.")

    slug = fields.Field(attribute="slug", column_name="slug", widget=TextWidget())
    region = fields.Field(attribute="region", column_name="region", widget=RegionWidget())
    year_start = fields.Field(attribute="year_start", column_name="year_start", widget=YearWidget())
    year_end = fields.Field(attribute="year_end", column_name="year_end", widget=YearWidget())
    dimensions = fields.Field(attribute="dimensions", column_name="dimensions", widget=TagWidget(DimensionTag))
    themes = fields.Field(attribute="themes", column_name="themes", widget=TagWidget(RecommendationTheme))
    city_types = fields.Field(attribute="city_types", column_name="city_types", widget=TagWidget(CityTypeTag))
    status = fields.Field(attribute="status", column_name="status", widget=StatusWidget())
    last_reviewed = fields.Field(
        attribute="last_reviewed", column_name="last_reviewed", widget=widgets.DateWidget(format="%Y-%m-%d")
    )

    class Meta:
        model = CaseStudy
        fields = COLUMNS
        import_id_fields = ("slug",)
        export_order = COLUMNS
        import_order = COLUMNS
        clean_model_instances = True
        instance_loader_class = CachedInstanceLoader  # one query for every row's existing entry
        skip_html_diff = True
        skip_diff = True
        # Rows are written together by after_import; no savepoint per row.
        use_bulk = True

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        # A language's column (title_fr) is read as its field (title) is.
        if getattr(f, "translated_field", f).name in TEXT_FIELDS:
            return TextWidget
        return super().widget_from_django_field(f, default)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._pending = []

    def get_queryset(self):
        return CaseStudy.objects.prefetch_related(*TAG_FIELDS)

    def before_import(self, dataset, **kwargs):
        headers_check(dataset.headers, required=REQUIRED_COLUMNS, fields=TRANSLATED_FIELDS, known_columns=COLUMNS)

    def import_instance(self, instance, row, **kwargs):
        self.check_row(instance, row, kwargs.get("row_number"), super().import_instance)
        instance.imported_tags = instance.imported_related

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # The slug is the import's key (an existing one updates its entry) and the file's own duplicates are
        # caught above, so the per-row uniqueness queries of full_clean are not needed.
        super().validate_instance(instance, import_validation_errors, validate_unique=False)

    def save_instance(self, instance, is_create, row, **kwargs):
        self._pending.append((instance, is_create))

    def save_m2m(self, instance, row, **kwargs):
        pass  # written with the rows, in after_import

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if kwargs.get("dry_run") or result.has_errors() or result.has_validation_errors():
            return
        services.case_studies_write(entries=self._pending)


def case_studies_import(dataset, *, dry_run: bool) -> ImportReport:
    """Check every row and, unless dry_run or any row is bad, write them all; the problems name their rows."""
    return import_dataset(dataset, resource=CaseStudyResource(), dry_run=dry_run)
