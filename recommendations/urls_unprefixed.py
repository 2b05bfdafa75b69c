"""Addresses without a language prefix: a partner's one-click unsubscribe link must keep working as it was sent,
whatever languages the site adds later; the page answers in the partner's language (see the view)."""

from django.urls import path

from .views import partners

urlpatterns = [
    path("partners/unsubscribe/<str:token>/", partners.partner_unsubscribe, name="partner_unsubscribe"),
]
