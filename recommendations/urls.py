from django.urls import path

from .views import general, recommendations, reports

ASSESSMENT = "cities/<slug:slug>/assessments/<int:pk>/"

urlpatterns = [
    path(
        f"{ASSESSMENT}recommendations/",
        recommendations.assessment_recommendations,
        name="assessment_recommendations",
    ),
    path(f"{ASSESSMENT}report/", reports.assessment_report, name="assessment_report"),
    path(f"{ASSESSMENT}report/status/", reports.assessment_report_status, name="assessment_report_status"),
    path(f"{ASSESSMENT}report/download/", reports.assessment_report_download, name="assessment_report_download"),
    path(
        f"{ASSESSMENT}report/download/<str:language>/",
        reports.assessment_report_download,
        name="assessment_report_download_in",
    ),
    path(f"{ASSESSMENT}report/request/", reports.assessment_report_request, name="assessment_report_request"),
    path(f"{ASSESSMENT}report/approve/", reports.assessment_report_approve, name="assessment_report_approve"),
    path("recommendations/", general.general_recommendations, name="general_recommendations"),
    path("recommendations/general.pdf", general.general_recommendations_pdf, name="general_recommendations_pdf"),
]
