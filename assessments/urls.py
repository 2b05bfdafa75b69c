from django.urls import path

from .views import compare, directory, export, profile, publish, team, wizard

urlpatterns = [
    path("cities/", team.my_cities, name="my_cities"),
    path("cities/request-access/", team.access_request_create, name="access_request"),
    path("cities/<slug:slug>/", team.city_detail, name="city_detail"),
    path("cities/<slug:slug>/language/", team.city_language, name="city_language"),
    path("cities/<slug:slug>/members/", team.city_members, name="city_members"),
    path("cities/<slug:slug>/members/invite/", team.member_invite, name="member_invite"),
    path("cities/<slug:slug>/members/<int:pk>/role/", team.membership_role, name="membership_role"),
    path("cities/<slug:slug>/members/<int:pk>/remove/", team.membership_remove, name="membership_remove"),
    path("cities/<slug:slug>/members/<int:pk>/make-lead/", team.lead_hand_over, name="lead_hand_over"),
    path("cities/<slug:slug>/invitations/<int:pk>/withdraw/", team.invitation_revoke, name="invitation_revoke"),
    path("invitations/<str:token>/", team.invitation_accept, name="invitation_accept"),
    path("cities/<slug:slug>/assessments/", wizard.assessment_list, name="assessment_list"),
    path("cities/<slug:slug>/assessments/start/", wizard.assessment_start, name="assessment_start"),
    path("cities/<slug:slug>/assessments/<int:pk>/", wizard.assessment_resume, name="assessment_resume"),
    path(
        "cities/<slug:slug>/assessments/<int:pk>/steps/<slug:step>/",
        wizard.assessment_step,
        name="assessment_step",
    ),
    path("cities/<slug:slug>/assessments/<int:pk>/review/", wizard.assessment_review, name="assessment_review"),
    path("cities/<slug:slug>/assessments/<int:pk>/submit/", wizard.assessment_submit, name="assessment_submit"),
    path("cities/<slug:slug>/assessments/<int:pk>/profile/", profile.assessment_profile, name="assessment_profile"),
    path(
        "cities/<slug:slug>/assessments/<int:pk>/answers.<str:fmt>",
        export.assessment_export,
        name="assessment_export",
    ),
    path("questionnaire/<str:version>/print/", export.questionnaire_print, name="questionnaire_print"),
    path("cities/<slug:slug>/assessments/<int:pk>/compare/", compare.assessment_compare, name="assessment_compare"),
    path(
        "cities/<slug:slug>/assessments/<int:pk>/compare.csv",
        compare.assessment_compare_csv,
        name="assessment_compare_csv",
    ),
    path(
        "cities/<slug:slug>/assessments/<int:pk>/compare.xlsx",
        compare.assessment_compare_xlsx,
        name="assessment_compare_xlsx",
    ),
    path(
        "cities/<slug:slug>/assessments/<int:pk>/publish/",
        publish.assessment_publish,
        name="assessment_publish",
    ),
    path("profiles/", directory.profile_directory, name="profile_directory"),
    path("profiles/<slug:slug>/<int:year>/", publish.public_profile, name="public_profile"),
]
