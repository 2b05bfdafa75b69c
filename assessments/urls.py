from django.urls import path

from . import compare_views, export_views, profile_views, publish_views, views, wizard_views

urlpatterns = [
    path("cities/", views.my_cities, name="my_cities"),
    path("cities/request-access/", views.access_request_create, name="access_request"),
    path("cities/<slug:slug>/", views.city_detail, name="city_detail"),
    path("cities/<slug:slug>/members/", views.city_members, name="city_members"),
    path("cities/<slug:slug>/members/invite/", views.member_invite, name="member_invite"),
    path("cities/<slug:slug>/members/<int:pk>/role/", views.membership_role, name="membership_role"),
    path("cities/<slug:slug>/members/<int:pk>/remove/", views.membership_remove, name="membership_remove"),
    path("cities/<slug:slug>/members/<int:pk>/make-lead/", views.lead_hand_over, name="lead_hand_over"),
    path("cities/<slug:slug>/invitations/<int:pk>/withdraw/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("cities/<slug:slug>/assessments/", wizard_views.assessment_list, name="assessment_list"),
    path("cities/<slug:slug>/assessments/start/", wizard_views.assessment_start, name="assessment_start"),
    path("cities/<slug:slug>/assessments/<int:pk>/", wizard_views.assessment_resume, name="assessment_resume"),
    path(
        "cities/<slug:slug>/assessments/<int:pk>/steps/<slug:step>/",
        wizard_views.assessment_step,
        name="assessment_step",
    ),
    path("cities/<slug:slug>/assessments/<int:pk>/review/", wizard_views.assessment_review, name="assessment_review"),
    path("cities/<slug:slug>/assessments/<int:pk>/submit/", wizard_views.assessment_submit, name="assessment_submit"),
    path(
        "cities/<slug:slug>/assessments/<int:pk>/profile/", profile_views.assessment_profile, name="assessment_profile"
    ),
    path(
        "cities/<slug:slug>/assessments/<int:pk>/answers.<str:fmt>",
        export_views.assessment_export,
        name="assessment_export",
    ),
    path("questionnaire/<str:version>/print/", export_views.questionnaire_print, name="questionnaire_print"),
    path(
        "cities/<slug:slug>/assessments/<int:pk>/compare/", compare_views.assessment_compare, name="assessment_compare"
    ),
    path(
        "cities/<slug:slug>/assessments/<int:pk>/compare.csv",
        compare_views.assessment_compare_csv,
        name="assessment_compare_csv",
    ),
    path(
        "cities/<slug:slug>/assessments/<int:pk>/publish/",
        publish_views.assessment_publish,
        name="assessment_publish",
    ),
    path("profiles/<slug:slug>/<int:year>/", publish_views.public_profile, name="public_profile"),
]
