from django.urls import path

from . import views

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
]
