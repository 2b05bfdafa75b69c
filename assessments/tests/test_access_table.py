"""Who may open each city-scoped or object URL.

Every URL pattern that takes a city slug, an object id or a token must appear in ACCESS_TABLE:
a new pattern that is missing fails `test_every_scoped_url_is_in_the_access_table`.
The admin is left to Django's own permission checks (see opencities/tests/test_admin.py).
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from assessments import services
from assessments.models import Invitation, Membership, Role

from .factories import MembershipFactory, UserFactory

ACTORS = ["anonymous", "other_city", "viewer", "contributor", "lead", "editor"]
OK, LOGIN, DENIED = "ok", "login", "denied"


def _row(anonymous, other_city, viewer, contributor, lead, editor):
    return dict(zip(ACTORS, [anonymous, other_city, viewer, contributor, lead, editor], strict=True))


# name: (method, expected outcome per actor)
ACCESS_TABLE = {
    "city_detail": ("get", _row(LOGIN, DENIED, OK, OK, OK, DENIED)),
    "city_members": ("get", _row(LOGIN, DENIED, OK, OK, OK, DENIED)),
    "member_invite": ("post", _row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED)),
    "membership_role": ("post", _row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED)),
    "membership_remove": ("post", _row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED)),
    "lead_hand_over": ("post", _row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED)),
    "invitation_revoke": ("post", _row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED)),
    # The signed link is the credential. It was sent to pending@zurich.test: a visitor may set up that
    # account; anyone logged in as someone else is told the invitation is not theirs.
    "invitation_accept": ("get", _row(OK, DENIED, DENIED, DENIED, DENIED, DENIED)),
}

# Patterns with parameters that are neither a city nor an object of ours.
NOT_CITY_SCOPED = {"password_reset_confirm"}


def _scoped_pattern_names(patterns=None, namespace=None):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            yield from _scoped_pattern_names(entry.url_patterns, entry.namespace)
        elif isinstance(entry, URLPattern) and entry.pattern.converters:
            yield f"{namespace}:{entry.name}" if namespace else entry.name


def test_every_scoped_url_is_in_the_access_table():
    scoped = set(_scoped_pattern_names()) - NOT_CITY_SCOPED
    assert scoped - set(ACCESS_TABLE) == set(), "add these URL patterns to ACCESS_TABLE"
    assert set(ACCESS_TABLE) - scoped == set(), "ACCESS_TABLE names patterns that no longer exist"


@pytest.fixture
def world(city, lead, contributor, viewer, outsider, editor):
    target = MembershipFactory(city=city, role=Role.CONTRIBUTOR, user=UserFactory(email="target@zurich.test"))
    invitation = Invitation.objects.create(city=city, email="pending@zurich.test", role=Role.VIEWER, invited_by=lead)
    return {
        "city": city,
        "users": {
            "anonymous": None,
            "other_city": outsider,
            "viewer": viewer,
            "contributor": contributor,
            "lead": lead,
            "editor": editor,
        },
        "target": target,
        "invitation": invitation,
    }


def _request(name, world):
    slug, target, invitation = world["city"].slug, world["target"], world["invitation"]
    kwargs, data = {
        "city_detail": ({"slug": slug}, {}),
        "city_members": ({"slug": slug}, {}),
        "member_invite": ({"slug": slug}, {"email": "new@zurich.test", "role": "viewer"}),
        "membership_role": ({"slug": slug, "pk": target.pk}, {"role": "viewer"}),
        "membership_remove": ({"slug": slug, "pk": target.pk}, {}),
        "lead_hand_over": ({"slug": slug, "pk": target.pk}, {}),
        "invitation_revoke": ({"slug": slug, "pk": invitation.pk}, {}),
        "invitation_accept": ({"token": services.invitation_token(invitation)}, {}),
    }[name]
    return reverse(name, kwargs=kwargs), data


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("name", sorted(ACCESS_TABLE))
def test_access(client, world, name, actor):
    method, expected_by_actor = ACCESS_TABLE[name]
    expected = expected_by_actor[actor]
    user = world["users"][actor]
    if user:
        client.force_login(user)
    url, data = _request(name, world)
    memberships_before = list(Membership.objects.order_by("pk").values_list("pk", "role"))
    response = getattr(client, method)(url, data)

    if expected == LOGIN:
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    elif expected == DENIED:
        assert response.status_code in (403, 404)
        assert list(Membership.objects.order_by("pk").values_list("pk", "role")) == memberships_before
    else:
        # Allowed: the page opens, or the action is done and redirects back to the city.
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            assert not response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_unknown_city_slug_gets_a_clear_404(client, lead):
    client.force_login(lead)
    response = client.get(reverse("city_detail", kwargs={"slug": "atlantis"}))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
