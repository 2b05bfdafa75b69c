"""Import and export of the case-study library (CSV, XLSX, JSON), shared by the admin and `import_case_studies`.

Rows are checked one by one (tags by key or name, regions, a slug used twice, the model's own rules) and every
problem is reported with its row; nothing is written while any row is bad. The writes themselves are bulk
(services.case_studies_write), so that 5,000 rows import well inside a request.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.instance_loaders import CachedInstanceLoader

from assessments.models import Region
from opencities import spreadsheets
from opencities.spreadsheets import formula_unescaped

from . import services
from .models import BODY_SECTIONS, CaseStudy, CityTypeTag, DimensionTag, RecommendationTheme

MAX_IMPORT_ROWS = 5_000
TAG_FIELDS = ("dimensions", "themes", "city_types")


class ImportTooLarge(ValueError):
    pass


def _limited(format_class):
    """The format, refusing files of more rows than one import may hold, before any row is read."""

    class Limited(format_class):
        def create_dataset(self, in_stream, **kwargs):
            dataset = super().create_dataset(in_stream, **kwargs)
            if len(dataset) > MAX_IMPORT_ROWS:
                raise ImportTooLarge(
                    _("The file has %(rows)s rows; one import takes at most %(limit)s. Split it and import each part.")
                    % {"rows": f"{len(dataset):,}", "limit": f"{MAX_IMPORT_ROWS:,}"}
                )
            return dataset

    Limited.__name__ = Limited.__qualname__ = format_class.__name__
    return Limited


IMPORT_FORMATS = [_limited(base_formats.CSV), _limited(base_formats.XLSX), _limited(base_formats.JSON)]
# JSON is no spreadsheet: its text goes out as it is.
EXPORT_FORMATS = [spreadsheets.CSV, spreadsheets.XLSX, base_formats.JSON]


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        value = formula_unescaped(super().clean(value, row, **kwargs))
        return "" if value is None else str(value).strip()


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


class TagWidget(widgets.ManyToManyWidget):
    """Tags by stable key or by name, comma-separated; an unknown tag is an error, never a new tag."""

    def __init__(self, model):
        super().__init__(model, separator=",", field="key")
        self._tags = None

    def _known(self):
        if self._tags is None:  # one query per import, not per row
            self._tags = list(self.model.objects.all())
        return self._tags

    def clean(self, value, row=None, **kwargs):
        wanted = [part.strip() for part in str(formula_unescaped(value) or "").split(",") if part.strip()]
        by_word = {}
        for tag in self._known():
            by_word[tag.key.casefold()] = tag
            by_word[tag.name.casefold()] = tag
        unknown = [word for word in wanted if word.casefold() not in by_word]
        if unknown:
            raise ValueError(
                _("Unknown %(what)s: %(unknown)s. Known keys: %(known)s.")
                % {
                    "what": self.model._meta.verbose_name_plural,
                    "unknown": ", ".join(f"“{word[:60]}”" for word in unknown[:10]),
                    "known": ", ".join(tag.key for tag in self._known()),
                }
            )
        return list(dict.fromkeys(by_word[word.casefold()] for word in wanted))

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return ", ".join(tag.key for tag in value.all())


BODY_FIELDS = tuple(name for name, _label in BODY_SECTIONS)
TEXT_FIELDS = ("title", "city", "country", "summary", *BODY_FIELDS, "sources")
COLUMNS = (
    "slug",
    "title",
    "city",
    "country",
    "region",
    "year_start",
    "year_end",
    "dimensions",
    "themes",
    "city_types",
    "summary",
    "purpose",
    "context",
    "what_was_done",
    "results",
    "cost",
    "transferability",
    "contact",
    "sources",
    "status",
    "last_reviewed",
)


class StatusWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip().casefold() or CaseStudy.Status.DRAFT
        for key, label in CaseStudy.Status.choices:
            if text in (key, str(label).casefold()):
                return key
        raise ValueError(_("Unknown status “%(value)s”; use draft or published.") % {"value": str(value)[:40]})

    def render(self, value, obj=None, **kwargs):
        return value or ""


class RowCheckMixin:
    """Every problem of a row reported together, before anything is written: its fields, its related tags (checked
    here, since import-export would otherwise meet them only after saving the row), and a key used twice.

    A resource sets `related_fields` (its many-to-many columns), `key_field` and `duplicate_message`
    (with %(key)s and %(row)s); the cleaned related objects are left on the instance as `imported_related`.
    """

    related_fields: tuple[str, ...] = ()
    key_field = "slug"
    duplicate_message = ""

    def check_row(self, instance, row, row_number, import_fields):
        errors = {}
        try:
            import_fields(instance, row)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        instance.imported_related = {}
        for name in self.related_fields:
            field = self.fields[name]
            if field.column_name not in row:
                continue
            try:
                instance.imported_related[name] = field.clean(row)
            except ValueError as error:
                errors[name] = ValidationError(str(error), code="invalid")
        key = getattr(instance, self.key_field)
        first = self._rows_of_key.setdefault(key, row_number)
        if key and first != row_number:
            errors[self.key_field] = ValidationError(
                self.duplicate_message % {"key": key, "row": first}, code="duplicate"
            )
        if errors:
            raise ValidationError(errors)

    @property
    def _rows_of_key(self) -> dict:
        if not hasattr(self, "_first_row_of_key"):
            self._first_row_of_key = {}
        return self._first_row_of_key


class CaseStudyResource(RowCheckMixin, resources.ModelResource):
    related_fields = TAG_FIELDS
    key_field = "slug"
    duplicate_message = gettext_lazy(
        "The address “%(key)s” is also used on row %(row)s; each case study needs its own."
    )

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
        if f.name in TEXT_FIELDS:
            return TextWidget
        return super().widget_from_django_field(f, default)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._pending = []

    def get_queryset(self):
        return CaseStudy.objects.prefetch_related(*TAG_FIELDS)

    def before_import(self, dataset, **kwargs):
        missing = [column for column in ("slug", "title") if column not in (dataset.headers or [])]
        if missing:
            raise ValidationError(
                _("The file has no %(columns)s column; its first row must name the columns: %(expected)s.")
                % {"columns": ", ".join(missing), "expected": ", ".join(COLUMNS)}
            )

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
