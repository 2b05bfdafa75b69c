from django.urls import path

from . import views

ASSESSMENT = "cities/<slug:slug>/assessments/<int:pk>/"

urlpatterns = [
    path(f"{ASSESSMENT}recommendations/", views.assessment_recommendations, name="assessment_recommendations"),
    path(f"{ASSESSMENT}report/", views.assessment_report, name="assessment_report"),
    path(f"{ASSESSMENT}report/status/", views.assessment_report_status, name="assessment_report_status"),
    path(f"{ASSESSMENT}report/download/", views.assessment_report_download, name="assessment_report_download"),
    path(f"{ASSESSMENT}report/request/", views.assessment_report_request, name="assessment_report_request"),
    path(f"{ASSESSMENT}report/approve/", views.assessment_report_approve, name="assessment_report_approve"),
    path("recommendations/", views.general_recommendations, name="general_recommendations"),
    path("recommendations/general.pdf", views.general_recommendations_pdf, name="general_recommendations_pdf"),
    path("partners/unsubscribe/<str:token>/", views.partner_unsubscribe, name="partner_unsubscribe"),
]
