"""Questionnaire versions: loaded from their reviewed files, read here and never edited."""

import json

from django.contrib import admin
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from .. import selectors
from ..models import QuestionnaireVersion
from ..views.export import band_descriptions


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
        structure = selectors.stored_structure(version)  # the version as loaded, in its own words
        dimensions = [
            (dimension, [(q, band_descriptions(q)) for q in structure.questions_by_dimension[dimension.pk]])
            for dimension in structure.dimensions
        ]
        return render_to_string("admin/assessments/questionnaireversion/structure.html", {"dimensions": dimensions})

    @admin.display(description=_("elements"))
    def framework_elements(self, version):
        return render_to_string("admin/assessments/questionnaireversion/framework.html", {"version": version})

    @admin.display(description=_("calibration"))
    def calibration_json(self, version):
        text = json.dumps(version.calibration.to_dict(), indent=2, ensure_ascii=False)
        return render_to_string("admin/assessments/questionnaireversion/calibration.html", {"calibration": text})
