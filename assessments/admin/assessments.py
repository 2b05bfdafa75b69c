"""Assessments, read-only for editors, who may reopen a submitted one or set its city type, each with a reason."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from import_export.forms import ExportForm

from opencities.vocabulary import CITY_TYPE_KEYS, city_type_name

from ..answer_export import assessment_answer_rows
from ..models import Assessment, AssessmentResult, Niche
from ..numbers import figure
from ..resources import EXPORT_FORMATS, AssessmentResultResource
from ..selectors import gawc_tier_name
from ..services.assessments import assessment_reopen
from .forms import CityTypeOverrideForm, ReopenForm


def _result(assessment) -> AssessmentResult | None:
    try:
        return assessment.result
    except AssessmentResult.DoesNotExist:
        return None


def _person(user) -> str:
    return (user.get_full_name() or user.email) if user else ""


def _number(value) -> str:
    """A score as the site writes it, with its one decimal (55.0 beside 52.4, never 55)."""
    return "—" if value is None else figure(value, places=1)


class CityTypeListFilter(admin.SimpleListFilter):
    """The effective type: the editor's override, else the computed one."""

    title = _("city type")
    parameter_name = "city_type"

    def lookups(self, request, model_admin):
        return [(key, city_type_name(key).name) for key in CITY_TYPE_KEYS]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(result__effective_type=self.value())


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
    export_formats = EXPORT_FORMATS
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
        return "" if result is None else _number(result.openness_index)

    @admin.display(description=_("city type"))
    def effective_type(self, assessment):
        result = _result(assessment)
        if result is None:
            return ""
        name = city_type_name(result.effective_type).name
        return format_html("{} ({})", name, gettext("set by an editor")) if result.override_type else name

    @admin.display(description=_("scores"))
    def result_scores(self, assessment):
        result = _result(assessment)
        if result is None:
            return gettext("No result: the assessment has not been submitted.")
        theme_names = {theme.key: theme.name for theme in assessment.questionnaire.calibration.policy_themes}
        context = {
            "result": result,
            "index": _number(result.openness_index),
            "completeness": _number(result.completeness),
            "framework_score": _number(result.framework_score),
            "themes": [(theme_names.get(key, key), _number(value)) for key, value in result.policy_themes.items()],
        }
        return render_to_string("admin/assessments/assessment/result_scores.html", context)

    @admin.display(description=_("dimension scores"))
    def dimension_scores_table(self, assessment):
        rows = [
            (s.dimension.name, _number(s.score), s.answered, s.dont_know, s.not_applicable)
            for s in assessment.dimension_scores.select_related("dimension")
        ]
        if not rows:
            return "—"
        return render_to_string("admin/assessments/assessment/dimension_scores.html", {"rows": rows})

    @admin.display(description=_("city type"))
    def city_type_summary(self, assessment):
        result = _result(assessment)
        if result is None:
            return "—"
        context = {
            "result": result,
            "computed": city_type_name(result.city_type).name,
            "runner_up": city_type_name(result.runner_up).name,
            "override": city_type_name(result.override_type).name,
            "by": _person(result.overridden_by),
        }
        return render_to_string("admin/assessments/assessment/city_type_summary.html", context)

    @admin.display(description=_("reopenings"))
    def reopening_history(self, assessment):
        reopenings = [
            (timezone.localtime(r.reopened_at).strftime("%Y-%m-%d %H:%M"), _person(r.reopened_by), r.reason)
            for r in assessment.reopenings.select_related("reopened_by")
        ]
        if not reopenings:
            return "—"
        return render_to_string("admin/assessments/assessment/reopenings.html", {"reopenings": reopenings})

    @admin.display(description=_("GaWC tier"))
    def gawc_tier_label(self, assessment):
        return gawc_tier_name(assessment.gawc_tier)

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
        if result is None:
            self.message_user(request, gettext("Only a submitted assessment has a city type."), messages.ERROR)
            return redirect(self._change_url(assessment))
        form = CityTypeOverrideForm(request.POST or None, result=result)
        if request.method == "POST" and form.is_valid():
            # The saved row reads its effective type again; `result` still holds the one from before the change.
            name = city_type_name(form.save(editor=request.user).effective_type).name
            self.log_change(
                request,
                assessment,
                gettext("City type set to %(type)s: %(reason)s") % {"type": name, **form.cleaned_data},
            )
            self.message_user(request, gettext("The city type is now “%(type)s”.") % {"type": name}, messages.SUCCESS)
            return redirect(self._change_url(assessment))
        return self._render_action_page(request, "city_type.html", assessment, form, gettext("Override the city type"))
