import json
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_permission_codename
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Min, Prefetch, Q
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from import_export import resources
from import_export.admin import ExportMixin
from import_export.fields import Field
from import_export.formats import base_formats
from import_export.forms import ExportForm

from opencities.method import CITY_TYPES

from . import selectors, services
from .answer_export import assessment_answer_rows, formula_safe
from .citytype import CITY_TYPE_KEYS
from .models import (
    AccessRequest,
    Assessment,
    AssessmentResult,
    City,
    Dimension,
    DimensionScore,
    GawcTier,
    Invitation,
    Membership,
    Niche,
    QuestionnaireVersion,
)
from .reference_data import ReferenceDataError, figure_problems, reference_text_from_bytes
from .services.assessments import assessment_reopen, assessment_type_override
from .views.export import band_descriptions


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


REFERENCE_FILE_MAX_BYTES = 2 * 1024 * 1024


class CityAdminForm(forms.ModelForm):
    """A reference city's figures keep their sources, as the import requires."""

    class Meta:
        # Sources run to 300 characters; the example type is one of the five keys.
        widgets = {
            **dict.fromkeys(
                ["metro_population_source", "foreign_born_source", "gawc_source"],
                forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
            ),
            "type_example": forms.Select(choices=[("", "---------"), *((t.key, t.name) for t in CITY_TYPES)]),
        }

    FIGURES = (
        ("metro_population", "metro_population_year", "metro_population_source", None),
        ("foreign_born_share", "foreign_born_year", "foreign_born_source", "foreign_born_definition"),
        ("gawc_tier", "gawc_year", "gawc_source", None),
    )

    def clean(self):
        cleaned_data = super().clean()
        if not cleaned_data.get("is_reference"):
            return cleaned_data
        for value, year, source, extra in self.FIGURES:
            problems = figure_problems(
                value="" if cleaned_data.get(value) in (None, "") else str(cleaned_data[value]),
                year="" if cleaned_data.get(year) is None else str(cleaned_data[year]),
                source=cleaned_data.get(source) or "",
                extra=(cleaned_data.get(extra) or "") if extra else "",
                value_name=str(City._meta.get_field(value).verbose_name),
            )
            names = {"year": year, "source": source, "extra": extra}
            for part, message in problems.items():
                if names[part] not in self.errors:
                    self.add_error(names[part], message[:1].upper() + message[1:])
        return cleaned_data


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    form = CityAdminForm
    list_display = ["name", "country", "region", "population", "is_reference"]
    list_filter = ["region", "is_reference", "gawc_tier"]
    search_fields = ["name", "slug", "country"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    ("country", "country_code"),
                    "region",
                    "is_capital",
                    "is_largest_city",
                    "niche",
                    "is_reference",
                ]
            },
        ),
        (
            _("Indicative reference figures"),
            {
                "description": _(
                    "Indicative: the sources use different units, definitions and years. Each figure keeps its "
                    "year (leave it empty when the source gives none) and its source; when you change a figure, "
                    "change them too."
                ),
                "fields": [
                    ("metro_population", "metro_population_year"),
                    "metro_population_source",
                    ("foreign_born_share", "foreign_born_definition", "foreign_born_year"),
                    "foreign_born_source",
                    ("gawc_tier", "gawc_year"),
                    "gawc_source",
                    "type_example",
                    "reference_notes",
                ],
            },
        ),
    ]

    @admin.display(description=_("metropolitan population (indicative)"), ordering="metro_population")
    def population(self, city):
        if city.metro_population is None:
            return self.get_empty_value_display()
        if not city.metro_population_source:
            return intcomma(city.metro_population)
        return format_html(
            '{} · {}<br><span class="help">{}</span>',
            intcomma(city.metro_population),
            city.metro_population_year or gettext("year not given"),
            city.metro_population_source,
        )

    def has_reference_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import-reference-cities/",
                self.admin_site.admin_view(self.reference_import_view),
                name="{}_{}_reference_import".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import_reference_cities": self.has_reference_import_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def reference_import_view(self, request):
        if not self.has_reference_import_permission(request):
            raise PermissionDenied
        form = ReferenceCitiesImportForm(request.POST or None, request.FILES or None)
        summary, problems = None, []
        if request.method == "POST" and form.is_valid():
            dry_run = "_import" not in request.POST
            upload = form.cleaned_data["file"]
            try:
                text = reference_text_from_bytes(upload.read(), name=upload.name)
                summary = services.reference_cities_import(text=text, dry_run=dry_run)
            except ReferenceDataError as error:
                problems = error.problems
            else:
                if not dry_run:
                    self._log_reference_import(request, summary)
                    self.message_user(
                        request,
                        gettext("Reference cities imported: %(counts)s.") % {"counts": _summary_counts(summary)},
                        messages.SUCCESS,
                    )
                    return redirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Import reference cities"),
            "form": form,
            "problems": problems,
            "summary": summary and _summary_lists(summary),
            "counts": summary and _summary_counts(summary),
            "max_size": filesizeformat(REFERENCE_FILE_MAX_BYTES),
        }
        return TemplateResponse(request, "admin/assessments/city/reference_import.html", context)

    def _log_reference_import(self, request, summary):
        for slugs, flag, message in (
            (summary.created, ADDITION, gettext("Created by a reference-cities import")),
            (summary.updated, CHANGE, gettext("Updated by a reference-cities import")),
        ):
            if slugs:
                LogEntry.objects.log_actions(
                    user_id=request.user.pk,
                    queryset=City.objects.filter(slug__in=slugs),
                    action_flag=flag,
                    change_message=message,
                )


class ReferenceCitiesImportForm(forms.Form):
    file = forms.FileField(
        label=_("Reference-cities file"),
        help_text=_("A CSV saved as UTF-8 with the columns of reference-cities.csv; at most 2 MB."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > REFERENCE_FILE_MAX_BYTES:
            raise ValidationError(
                _("This file is %(size)s; at most %(limit)s can be imported. Split it into smaller files."),
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(REFERENCE_FILE_MAX_BYTES)},
            )
        return upload


def _summary_counts(summary):
    return gettext("%(created)d created, %(updated)d updated, %(unchanged)d unchanged") % {
        "created": len(summary.created),
        "updated": len(summary.updated),
        "unchanged": len(summary.unchanged),
    }


def _summary_lists(summary):
    """(heading, [(city, detail)]) for each kind of outcome that has cities."""

    def label(field_name):
        return str(capfirst(City._meta.get_field(field_name).verbose_name))

    lists = [
        (gettext("Would be created"), [(summary.names[slug], slug) for slug in summary.created]),
        (
            gettext("Would be updated (the fields that change)"),
            [
                (summary.names[slug], f"{slug}: {', '.join(label(name) for name in summary.changes[slug])}")
                for slug in summary.updated
            ],
        ),
        (gettext("Unchanged"), [(summary.names[slug], slug) for slug in summary.unchanged]),
    ]
    return [(heading, rows) for heading, rows in lists if rows]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "city", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "city__name"]
    autocomplete_fields = ["user", "city"]


@admin.register(AccessRequest)
class AccessRequestAdmin(admin.ModelAdmin):
    list_display = ["full_name", "email", "city_name", "country", "status", "created_at"]
    list_filter = ["status", "region"]
    search_fields = ["full_name", "email", "city_name", "country"]
    autocomplete_fields = ["city"]
    readonly_fields = [
        "full_name",
        "email",
        "job_title",
        "city_name",
        "country",
        "region",
        "message",
        "status",
        "created_at",
        "decided_at",
        "decided_by",
    ]
    fields = [*readonly_fields[:7], "city", "decision_note", *readonly_fields[7:]]
    actions = ["approve", "reject"]

    def has_add_permission(self, request):
        return False  # visitors make requests on the site

    @admin.action(description=_("Approve: make each requester the lead of their city"), permissions=["change"])
    def approve(self, request, queryset):
        approved = 0
        for access_request in queryset:
            try:
                services.access_request_approve(access_request=access_request, editor=request.user)
            except ValidationError as error:
                self.message_user(request, f"{access_request}: {' '.join(error.messages)}", messages.ERROR)
            else:
                approved += 1
        if approved:
            self.message_user(
                request,
                ngettext(
                    "%d request approved; the requester was emailed.",
                    "%d requests approved; the requesters were emailed.",
                    approved,
                )
                % approved,
                messages.SUCCESS,
            )

    @admin.action(description=_("Reject (the decision note is sent to the requester)"), permissions=["change"])
    def reject(self, request, queryset):
        rejected = 0
        for access_request in queryset:
            try:
                services.access_request_reject(
                    access_request=access_request, editor=request.user, note=access_request.decision_note
                )
            except ValidationError as error:
                self.message_user(request, f"{access_request}: {' '.join(error.messages)}", messages.ERROR)
            else:
                rejected += 1
        if rejected:
            self.message_user(request, ngettext("%d request rejected.", "%d requests rejected.", rejected) % rejected)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "city", "role", "invited_by", "created_at", "accepted_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["email", "city__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- Questionnaire versions and assessments: read-only for editors, who may reopen and retype ---

CITY_TYPE_NAMES = {city_type.key: city_type.name for city_type in CITY_TYPES}


def city_type_name(key: str) -> str:
    return str(CITY_TYPE_NAMES.get(key, key)) if key else ""


def _number(value) -> str:
    return "—" if value is None else f"{Decimal(value).normalize():f}"


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(admin.ModelAdmin):
    """A version is loaded from its reviewed file and never edited here."""

    list_display = ["version", "title", "status", "loaded_at", "question_count"]
    list_filter = ["status"]
    readonly_fields = [
        "version",
        "title",
        "status",
        "loaded_at",
        "source_sha256",
        "structure",
        "framework_elements",
        "calibration_json",
        "source",
    ]
    fieldsets = [
        (None, {"fields": ["version", "title", "status", "loaded_at", "source_sha256"]}),
        (_("Dimensions and questions"), {"fields": ["structure"]}),
        (_("Strategic framework"), {"fields": ["framework_elements"]}),
        (_("Calibration"), {"fields": ["calibration_json"]}),
        (_("Source file"), {"fields": ["source"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_count=Count("questions"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # assessments keep the version they were started on, forever

    @admin.display(description=_("questions"), ordering="question_count")
    def question_count(self, version):
        return version.question_count

    @admin.display(description=_("dimensions, questions, options and points"))
    def structure(self, version):
        structure = selectors.questionnaire_structure(version)
        dimensions = [
            (dimension, [(q, band_descriptions(q)) for q in structure.questions_by_dimension[dimension.pk]])
            for dimension in structure.dimensions
        ]
        return render_to_string("admin/assessments/questionnaireversion/structure.html", {"dimensions": dimensions})

    @admin.display(description=_("elements"))
    def framework_elements(self, version):
        # Paragraphs, not a list: the admin indents lists in read-only fields past their label.
        return format_html_join(
            "",
            "<p><strong>{}. {}</strong> <code>{}</code><br>{}</p>",
            ((number, e["name"], e["key"], e["help"]) for number, e in enumerate(version.framework, start=1)),
        )

    @admin.display(description=_("calibration"))
    def calibration_json(self, version):
        return format_html("<pre>{}</pre>", json.dumps(version.calibration.to_dict(), indent=2, ensure_ascii=False))


class CityTypeListFilter(admin.SimpleListFilter):
    """The effective type: the editor's override, else the computed one."""

    title = _("city type")
    parameter_name = "city_type"

    def lookups(self, request, model_admin):
        return [(key, city_type_name(key)) for key in CITY_TYPE_KEYS]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(
            Q(result__override_type=self.value()) | Q(result__override_type="", result__city_type=self.value())
        )


class FormulaSafeCSV(base_formats.CSV):
    def export_data(self, dataset, **kwargs):
        return super().export_data(formula_safe(dataset), **kwargs)


class FormulaSafeXLSX(base_formats.XLSX):
    def export_data(self, dataset, **kwargs):
        return super().export_data(formula_safe(dataset), **kwargs)


def _submitted_at(assessment):
    return timezone.localtime(assessment.submitted_at).strftime("%Y-%m-%d %H:%M") if assessment.submitted_at else ""


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


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        max_length=2000,
        help_text=_("Required. The city's members see it; say what they should change."),
    )


class CityTypeOverrideForm(forms.Form):
    city_type = forms.ChoiceField(label=_("City type"), required=False)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        max_length=2000,
        help_text=_("Required, also when you go back to the computed type. It is recorded with your name."),
    )

    def __init__(self, *args, result: AssessmentResult, **kwargs):
        super().__init__(*args, **kwargs)
        self.result = result
        self.fields["city_type"].choices = [
            ("", gettext("The computed type (%(name)s)") % {"name": city_type_name(result.city_type)}),
            *((key, city_type_name(key)) for key in CITY_TYPE_KEYS if key != result.city_type),
        ]
        self.initial.setdefault("city_type", result.override_type)

    def save(self, *, editor) -> AssessmentResult:
        return assessment_type_override(
            result=self.result,
            city_type=self.cleaned_data["city_type"],
            reason=self.cleaned_data["reason"],
            editor=editor,
        )


@admin.register(Assessment)
class AssessmentAdmin(ExportMixin, admin.ModelAdmin):
    """Read-only: editors look, reopen a submitted assessment or set its city type, each with a reason."""

    list_display = ["city", "year", "status", "index", "effective_type", "is_demo", "submitted_at"]
    list_filter = [("city", admin.RelatedOnlyFieldListFilter), "year", "status", CityTypeListFilter, "is_demo"]
    list_select_related = ["city", "result"]
    search_fields = ["city__name"]
    search_help_text = _("Search by city name.")
    readonly_fields = [
        "city",
        "questionnaire",
        "year",
        "status",
        "is_demo",
        "is_public",
        "created_by",
        "created_at",
        "submitted_by",
        "submitted_at",
        "result_scores",
        "dimension_scores_table",
        "city_type_summary",
        "reopening_history",
        "metro_population",
        "is_capital",
        "is_largest_city",
        "gawc_tier_label",
        "niche_label",
        "past_role_declined",
        "declined_reason",
        "answers_table",
    ]
    fieldsets = [
        (None, {"fields": readonly_fields[:10]}),
        (_("Result"), {"fields": readonly_fields[10:14]}),
        (_("City profile"), {"fields": readonly_fields[14:21]}),
        (_("Answers"), {"fields": ["answers_table"], "classes": ["collapse"]}),
    ]
    # Export: results of submitted assessments, as filtered in the list.
    resource_classes = [AssessmentResultResource]
    export_form_class = ExportForm
    export_formats = [FormulaSafeCSV, FormulaSafeXLSX]
    to_encoding = "utf-8-sig"  # Excel reads accents in a CSV only with the byte-order mark

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("city", "questionnaire", "result")

    def has_add_permission(self, request):
        return False  # cities start assessments in the wizard

    def has_change_permission(self, request, obj=None):
        return False  # every field is the city's: editors only reopen or set the type, with a reason

    def has_delete_permission(self, request, obj=None):
        return False

    def has_editor_action_permission(self, request):
        return request.user.has_perm(f"{self.opts.app_label}.{get_permission_codename('change', self.opts)}")

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_export_filename(self, request, queryset, file_format):
        return f"opencities-results-{timezone.localdate():%Y-%m-%d}.{file_format.get_extension()}"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/reopen/",
                self.admin_site.admin_view(self.reopen_view),
                name="{}_{}_reopen".format(*info),
            ),
            path(
                "<path:object_id>/city-type/",
                self.admin_site.admin_view(self.city_type_view),
                name="{}_{}_city_type".format(*info),
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_act": self.has_editor_action_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    # --- list columns and read-only displays ---

    @admin.display(description=_("openness index"), ordering="result__openness_index")
    def index(self, assessment):
        result = _result(assessment)
        return _number(result.openness_index) if result is not _NoResult else ""

    @admin.display(description=_("city type"))
    def effective_type(self, assessment):
        result = _result(assessment)
        if result is _NoResult:
            return ""
        name = city_type_name(result.effective_type)
        return format_html("{} ({})", name, gettext("set by an editor")) if result.override_type else name

    @admin.display(description=_("scores"))
    def result_scores(self, assessment):
        result = _result(assessment)
        if result is _NoResult:
            return gettext("No result: the assessment has not been submitted.")
        theme_names = {theme.key: theme.name for theme in assessment.questionnaire.calibration.policy_themes}
        themes = format_html_join(
            " · ",
            "{}: {}",
            ((theme_names.get(key, key), _number(value)) for key, value in result.policy_themes.items()),
        )
        superseded = gettext("Superseded: the assessment was reopened.") if result.is_superseded else ""
        return format_html(
            "<p>{}: <strong>{}</strong> · {}: {} % · {}: {}</p><p>{} {}</p><p><strong>{}</strong></p>",
            gettext("Openness index"),
            _number(result.openness_index),
            gettext("completeness"),
            _number(result.completeness),
            gettext("framework score"),
            _number(result.framework_score),
            gettext("Policy themes:"),
            themes,
            superseded,
        )

    @admin.display(description=_("dimension scores"))
    def dimension_scores_table(self, assessment):
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (s.dimension.name, _number(s.score), s.answered, s.dont_know, s.not_applicable)
                for s in assessment.dimension_scores.select_related("dimension")
            ),
        )
        if not rows:
            return "—"
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            gettext("Dimension"),
            gettext("Score"),
            gettext("Answered"),
            gettext("Don't know"),
            gettext("Not applicable"),
            rows,
        )

    @admin.display(description=_("city type"))
    def city_type_summary(self, assessment):
        result = _result(assessment)
        if result is _NoResult:
            return "—"
        computed = format_html(
            "<p>{}: <strong>{}</strong> ({}: {})</p><p>{}</p>",
            gettext("Computed"),
            city_type_name(result.city_type),
            gettext("runner-up"),
            city_type_name(result.runner_up),
            result.explanation,
        )
        if not result.override_type:
            return computed
        by = result.overridden_by.get_full_name() or result.overridden_by.email if result.overridden_by else ""
        return format_html(
            "{}<p>{}: <strong>{}</strong>, {} {}</p><blockquote>{}</blockquote>",
            computed,
            gettext("Set by an editor"),
            city_type_name(result.override_type),
            gettext("by"),
            by,
            result.override_reason,
        )

    @admin.display(description=_("reopenings"))
    def reopening_history(self, assessment):
        reopenings = assessment.reopenings.select_related("reopened_by")
        if not reopenings:
            return "—"
        return format_html_join(
            "",
            "<p>{} · {}: {}</p>",
            (
                (
                    timezone.localtime(r.reopened_at).strftime("%Y-%m-%d %H:%M"),
                    (r.reopened_by.get_full_name() or r.reopened_by.email) if r.reopened_by else "",
                    r.reason,
                )
                for r in reopenings
            ),
        )

    @admin.display(description=_("GaWC tier"))
    def gawc_tier_label(self, assessment):
        return {"unknown": gettext("Don't know"), **dict(GawcTier.choices)}.get(
            assessment.gawc_tier, assessment.gawc_tier
        )

    @admin.display(description=_("international niche"))
    def niche_label(self, assessment):
        return dict(Niche.choices).get(assessment.niche, assessment.niche)

    @admin.display(description=_("answers"))
    def answers_table(self, assessment):
        return render_to_string(
            "admin/assessments/assessment/answers.html", {"rows": assessment_answer_rows(assessment=assessment)}
        )

    # --- the two editor actions, each on its own confirmation page ---

    def _editor_action_target(self, request, object_id):
        if not self.has_editor_action_permission(request):
            raise PermissionDenied
        assessment = self.get_object(request, unquote(object_id))
        if assessment is None:
            return None, self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return assessment, None

    def _change_url(self, assessment):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[assessment.pk])

    def _render_action_page(self, request, template, assessment, form, title):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": assessment,
            "form": form,
            "title": title,
        }
        return TemplateResponse(request, f"admin/assessments/assessment/{template}", context)

    def reopen_view(self, request, object_id):
        assessment, redirect_response = self._editor_action_target(request, object_id)
        if redirect_response:
            return redirect_response
        form = ReopenForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                assessment_reopen(assessment=assessment, editor=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.log_change(request, assessment, gettext("Reopened: %(reason)s") % form.cleaned_data)
                self.message_user(
                    request,
                    gettext("%(assessment)s is open again; its result is marked superseded until it is resubmitted.")
                    % {"assessment": f"{assessment.city} {assessment.year}"},
                    messages.SUCCESS,
                )
                return redirect(self._change_url(assessment))
        return self._render_action_page(request, "reopen.html", assessment, form, gettext("Reopen with a reason"))

    def city_type_view(self, request, object_id):
        assessment, redirect_response = self._editor_action_target(request, object_id)
        if redirect_response:
            return redirect_response
        result = _result(assessment)
        if result is _NoResult:
            self.message_user(request, gettext("Only a submitted assessment has a city type."), messages.ERROR)
            return redirect(self._change_url(assessment))
        form = CityTypeOverrideForm(request.POST or None, result=result)
        if request.method == "POST" and form.is_valid():
            form.save(editor=request.user)
            name = city_type_name(result.effective_type)
            self.log_change(
                request,
                assessment,
                gettext("City type set to %(type)s: %(reason)s") % {"type": name, **form.cleaned_data},
            )
            self.message_user(request, gettext("The city type is now “%(type)s”.") % {"type": name}, messages.SUCCESS)
            return redirect(self._change_url(assessment))
        return self._render_action_page(request, "city_type.html", assessment, form, gettext("Override the city type"))
