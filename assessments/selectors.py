"""Reads for cities and their teams, with the joins done once."""

from django.db.models import Count, QuerySet

from .models import City, Invitation, Membership, Role


def cities_for_user(*, user) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("city")
        .annotate(member_count=Count("city__memberships"))
        .order_by("city__name")
    )


def city_team(*, city: City) -> QuerySet[Membership]:
    order = {Role.LEAD: 0, Role.CONTRIBUTOR: 1, Role.VIEWER: 2}
    memberships = list(Membership.objects.filter(city=city).select_related("user"))
    return sorted(memberships, key=lambda m: (order[m.role], m.user.email))


def open_invitations(*, city: City) -> QuerySet[Invitation]:
    return Invitation.objects.filter(city=city, accepted_at=None, revoked_at=None).select_related("invited_by")
