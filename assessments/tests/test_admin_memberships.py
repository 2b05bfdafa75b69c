"""Memberships in the admin: editors manage them, but the lead role is only ever handed over, never given here."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments.models import Membership, Role

from .factories import CityFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:assessments_membership_add")


def change_url(membership):
    return reverse("admin:assessments_membership_change", args=[membership.pk])


def test_an_editor_cannot_add_a_second_lead(client, editor, city, lead):
    newcomer = UserFactory(email="second@zurich.test")
    client.force_login(editor)
    response = client.post(ADD_URL, {"user": newcomer.pk, "city": city.pk, "role": Role.LEAD})
    assert response.status_code == 200
    assert "the city’s lead hands it over on the team page" in response.content.decode()
    assert Membership.objects.filter(city=city, role=Role.LEAD).get().user == lead


def test_an_editor_cannot_make_themselves_lead_of_a_city_without_one(client, editor):
    leaderless = CityFactory(name="Basel", slug="basel")
    client.force_login(editor)
    response = client.post(ADD_URL, {"user": editor.pk, "city": leaderless.pk, "role": Role.LEAD})
    assert "the city’s lead hands it over on the team page" in response.content.decode()
    assert not Membership.objects.filter(city=leaderless).exists()


def test_an_editor_cannot_promote_a_member_to_lead(client, editor, city, lead, contributor):
    membership = Membership.objects.get(user=contributor)
    client.force_login(editor)
    response = client.post(change_url(membership), {"role": Role.LEAD})
    assert "the city’s lead hands it over on the team page" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.CONTRIBUTOR


def test_an_editor_cannot_take_over_the_leads_membership(client, editor, city, lead):
    membership = Membership.objects.get(user=lead)
    client.force_login(editor)
    page = client.get(change_url(membership)).content.decode()
    assert 'name="role"' not in page and 'name="user"' not in page and 'name="city"' not in page
    client.post(change_url(membership), {"user": editor.pk, "city": city.pk, "role": Role.VIEWER})
    membership.refresh_from_db()
    assert (membership.user, membership.role) == (lead, Role.LEAD)


def test_the_leads_membership_cannot_be_deleted_here(client, editor, city, lead, contributor):
    client.force_login(editor)
    membership = Membership.objects.get(user=lead)
    delete_url = reverse("admin:assessments_membership_delete", args=[membership.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    client.post(
        reverse("admin:assessments_membership_changelist"),
        {"action": "delete_selected", "_selected_action": [membership.pk], "post": "yes"},
    )
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_an_editor_still_adds_and_changes_other_members(client, editor, city, lead, contributor):
    newcomer = UserFactory(email="new@zurich.test")
    client.force_login(editor)
    assert client.post(ADD_URL, {"user": newcomer.pk, "city": city.pk, "role": Role.VIEWER}).status_code == 302
    membership = Membership.objects.get(user=contributor)
    assert client.post(change_url(membership), {"role": Role.VIEWER}).status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER


def test_the_model_names_the_rule_when_a_second_lead_is_validated(city, lead):
    second = Membership(user=UserFactory(email="second@zurich.test"), city=city, role=Role.LEAD)
    with pytest.raises(ValidationError, match="This city already has a lead"):
        second.full_clean()
