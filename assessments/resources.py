"""The editors' export of submitted assessments' results (django-import-export)."""

from decimal import Decimal

from django.db.models import Min, Prefetch
from django.utils import timezone
from django.utils.translation import gettext
from import_export import resources
from import_export.fields import Field

from opencities import spreadsheets

from .models import Assessment, AssessmentResult, Dimension, DimensionScore, QuestionnaireVersion


def _submitted_at(assessment):
    return timezone.localtime(assessment.submitted_at).strftime("%Y-%m-%d %H:%M") if assessment.submitted_at else ""


# The admin's export formats: a city name or an override reason is a user's text.
EXPORT_FORMATS = [spreadsheets.CSV, spreadsheets.XLSX]


class AssessmentResultResource(resources.Resource):
    """One row per submitted assessment: its index, themes, dimension scores and city type."""

    city = Field(attribute="city__name", column_name="city")
    country = Field(attribute="city__country", column_name="country")
    region = Field(column_name="region", dehydrate_method=lambda a: a.city.get_region_display())
    year = Field(column_name="year", dehydrate_method=lambda a: a.year)
    questionnaire_version = Field(
        column_name="questionnaire_version", dehydrate_method=lambda a: a.questionnaire.version
    )
    status = Field(column_name="status", dehydrate_method=lambda a: a.status)
    submitted_at = Field(column_name="submitted_at", dehydrate_method=_submitted_at)
    openness_index = Field(column_name="openness_index", dehydrate_method=lambda a: _result(a).openness_index)
    completeness = Field(column_name="completeness", dehydrate_method=lambda a: _result(a).completeness)
    computed_type = Field(column_name="computed_type", dehydrate_method=lambda a: _result(a).city_type)
    effective_type = Field(column_name="effective_type", dehydrate_method=lambda a: _result(a).effective_type)
    rule = Field(column_name="rule", dehydrate_method=lambda a: _result(a).rule_fired)
    runner_up = Field(column_name="runner_up", dehydrate_method=lambda a: _result(a).runner_up)
    override_reason = Field(column_name="override_reason", dehydrate_method=lambda a: _result(a).override_reason)
    is_demo = Field(column_name="is_demo", dehydrate_method=lambda a: "yes" if a.is_demo else "no")

    @classmethod
    def get_display_name(cls):
        return gettext("Results of submitted assessments")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Columns by stable key, so that a sheet from one version lines up with the next.
        # Sorted: PostgreSQL's jsonb does not keep the file's key order.
        theme_keys = sorted(
            {
                key
                for version in QuestionnaireVersion.objects.only("source", "source_sha256")
                for key in (theme.key for theme in version.calibration.policy_themes)
            }
        )
        dimension_keys = list(
            Dimension.objects.values("key")
            .annotate(first=Min("position"))
            .order_by("first", "key")
            .values_list("key", flat=True)
        )
        columns = {}
        for name, field in self.fields.items():
            columns[name] = field
            if name == "completeness":
                for key in theme_keys:
                    columns[f"theme:{key}"] = Field(column_name=f"theme:{key}", dehydrate_method=_theme_score(key))
                for key in dimension_keys:
                    columns[f"dimension:{key}"] = Field(
                        column_name=f"dimension:{key}", dehydrate_method=_dimension_score(key)
                    )
        self.fields = columns

    def filter_export(self, queryset, **kwargs):
        return (
            queryset.filter(status=Assessment.Status.SUBMITTED)
            .select_related("city", "questionnaire", "result")
            .prefetch_related(Prefetch("dimension_scores", queryset=DimensionScore.objects.select_related("dimension")))
        )


class _NoResult:
    openness_index = completeness = None
    city_type = effective_type = rule_fired = runner_up = override_reason = ""
    policy_themes = {}


def _result(assessment):
    try:
        return assessment.result
    except AssessmentResult.DoesNotExist:
        return _NoResult


def _theme_score(key):
    def score(assessment):
        value = _result(assessment).policy_themes.get(key)
        return None if value is None else Decimal(value)

    return score


def _dimension_score(key):
    def score(assessment):
        return next((s.score for s in assessment.dimension_scores.all() if s.dimension.key == key), None)

    return score
