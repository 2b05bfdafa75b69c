"""A lead manages the team: invitations, roles, removal and the lead hand-over."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from assessments.models import Invitation, Membership, Role

pytestmark = pytest.mark.django_db


def members_url(city):
    return reverse("city_members", kwargs={"slug": city.slug})


@pytest.fixture
def invite(client, django_capture_on_commit_callbacks):
    """Send an invitation as the logged-in user; the email goes out when the transaction commits."""

    def send(client, city, email, role="contributor"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("member_invite", kwargs={"slug": city.slug}), {"email": email, "role": role})

    return send


def accept_link(message):
    return re.search(r"http://testserver(/en/invitations/[^\s]+/)", message.body).group(1)


def test_lead_sees_team_with_roles(client, city, lead, contributor, viewer):
    client.force_login(lead)
    page = client.get(members_url(city)).content.decode()
    for email in ("lead@zurich.test", "contrib@zurich.test", "viewer@zurich.test"):
        assert email in page
    assert "Invite a colleague" in page


def test_contributor_sees_team_but_no_management(client, city, lead, contributor):
    client.force_login(contributor)
    page = client.get(members_url(city)).content.decode()
    assert "lead@zurich.test" in page
    assert "Invite a colleague" not in page
    assert "Hand over the lead role" not in page


def test_invitation_email_link_lets_a_new_person_join(client, invite, city, lead):
    client.force_login(lead)
    response = invite(client, city, "New.Colleague@Zurich.test")
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.colleague@zurich.test"]
    assert "Zürich" in message.subject
    link = accept_link(message)

    client.logout()
    page = client.get(link)
    assert page.status_code == 200
    assert "Choose a password" in page.content.decode()
    response = client.post(
        link, {"full_name": "Nora Neu", "password1": "kreis-7-openness", "password2": "kreis-7-openness"}
    )
    assert response.status_code == 302 and response.url == city.get_absolute_url()
    membership = Membership.objects.get(city=city, user__email="new.colleague@zurich.test")
    assert membership.role == Role.CONTRIBUTOR
    # Logged in: the city page opens.
    assert client.get(city.get_absolute_url()).status_code == 200
    # The same link a second time: a clear page, nothing changes.
    client.logout()
    again = client.get(link)
    assert again.status_code == 400
    assert "already been used" in again.content.decode()


def test_invitee_with_an_account_just_gains_the_membership(client, invite, city, lead, outsider):
    client.force_login(lead)
    invite(client, city, outsider.email, role="viewer")
    link = accept_link(mail.outbox[0])
    client.logout()
    page = client.get(link).content.decode()
    assert "Log in to accept" in page
    client.force_login(outsider)
    assert "Join Zürich" in client.get(link).content.decode()
    response = client.post(link)
    assert response.status_code == 302
    assert Membership.objects.get(city=city, user=outsider).role == Role.VIEWER
    assert outsider.memberships.count() == 2


def test_invitation_for_someone_else_is_refused(client, invite, city, lead, outsider):
    client.force_login(lead)
    invite(client, city, "someone@else.test")
    link = accept_link(mail.outbox[0])
    client.force_login(outsider)
    response = client.post(link)
    assert response.status_code == 403
    assert "someone@else.test" in response.content.decode()
    assert not Membership.objects.filter(city=city, user=outsider).exists()


@pytest.mark.parametrize(
    "mangle, expected",
    [
        (lambda token: token[:-3] + "abc", "not valid"),
        (lambda token: "nonsense", "not valid"),
        (lambda token: token.replace(":", "", 1), "not valid"),
    ],
)
def test_tampered_invitation_gets_a_clear_page(client, invite, city, lead, mangle, expected):
    client.force_login(lead)
    invite(client, city, "x@zurich.test")
    token = accept_link(mail.outbox[0]).split("/")[2]
    client.logout()
    response = client.get(reverse("invitation_accept", kwargs={"token": mangle(token)}))
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert not Membership.objects.filter(user__email="x@zurich.test").exists()


def test_expired_invitation_gets_a_clear_page(client, invite, city, lead, settings):
    client.force_login(lead)
    invite(client, city, "late@zurich.test")
    link = accept_link(mail.outbox[0])
    client.logout()
    settings.INVITATION_MAX_AGE_DAYS = -1  # every signature is now older than the limit
    response = client.get(link)
    assert response.status_code == 400
    assert "expired" in response.content.decode()


def test_new_invitation_replaces_the_previous_link(client, invite, city, lead):
    client.force_login(lead)
    invite(client, city, "twice@zurich.test")
    invite(client, city, "twice@zurich.test")
    first, second = accept_link(mail.outbox[0]), accept_link(mail.outbox[1])
    client.logout()
    assert "withdrawn" in client.get(first).content.decode()
    assert client.get(second).status_code == 200


def test_withdrawn_invitation_no_longer_works(client, invite, city, lead):
    client.force_login(lead)
    invite(client, city, "gone@zurich.test")
    invitation = Invitation.objects.get(email="gone@zurich.test")
    client.post(reverse("invitation_revoke", kwargs={"slug": city.slug, "pk": invitation.pk}))
    client.logout()
    response = client.get(accept_link(mail.outbox[0]))
    assert response.status_code == 400
    assert "withdrawn" in response.content.decode()


def test_inviting_with_a_bad_address_keeps_what_was_typed(client, invite, city, lead):
    client.force_login(lead)
    response = invite(client, city, "not-an-address")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a valid email address" in page
    assert 'value="not-an-address"' in page
    assert not mail.outbox


def test_inviting_an_existing_member_is_explained(client, invite, city, lead, contributor):
    client.force_login(lead)
    response = invite(client, city, contributor.email)
    assert "already a member" in response.content.decode()
    assert not mail.outbox


def test_lead_changes_a_role(client, city, lead, contributor):
    client.force_login(lead)
    membership = Membership.objects.get(user=contributor)
    client.post(reverse("membership_role", kwargs={"slug": city.slug, "pk": membership.pk}), {"role": "viewer"})
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER


def test_lead_cannot_make_a_second_lead_by_role_change(client, city, lead, contributor):
    client.force_login(lead)
    membership = Membership.objects.get(user=contributor)
    response = client.post(
        reverse("membership_role", kwargs={"slug": city.slug, "pk": membership.pk}), {"role": "lead"}, follow=True
    )
    assert "Choose contributor or viewer" in response.content.decode()
    assert Membership.objects.filter(city=city, role=Role.LEAD).count() == 1


def test_lead_removes_a_member(client, city, lead, viewer):
    client.force_login(lead)
    membership = Membership.objects.get(user=viewer)
    client.post(reverse("membership_remove", kwargs={"slug": city.slug, "pk": membership.pk}))
    assert not Membership.objects.filter(user=viewer, city=city).exists()
    client.force_login(viewer)
    assert client.get(city.get_absolute_url()).status_code == 404


def test_the_last_lead_cannot_be_removed(client, city, lead):
    client.force_login(lead)
    membership = Membership.objects.get(user=lead)
    response = client.post(reverse("membership_remove", kwargs={"slug": city.slug, "pk": membership.pk}), follow=True)
    assert "always keeps a lead" in response.content.decode()
    assert Membership.objects.filter(city=city, role=Role.LEAD, user=lead).exists()


def test_hand_over_the_lead_role(client, city, lead, contributor):
    client.force_login(lead)
    target = Membership.objects.get(user=contributor)
    response = client.post(reverse("lead_hand_over", kwargs={"slug": city.slug, "pk": target.pk}), follow=True)
    assert "is now the lead" in response.content.decode()
    assert Membership.objects.get(user=contributor, city=city).role == Role.LEAD
    assert Membership.objects.get(user=lead, city=city).role == Role.CONTRIBUTOR
    # The former lead can no longer manage the team.
    assert client.post(reverse("member_invite", kwargs={"slug": city.slug}), {"email": "a@b.test"}).status_code == 403


def test_a_lead_cannot_act_on_another_citys_member(client, city, lead, outsider):
    client.force_login(lead)
    foreign = Membership.objects.get(user=outsider)
    response = client.post(reverse("membership_remove", kwargs={"slug": city.slug, "pk": foreign.pk}))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


def test_an_invitation_goes_out_for_a_city_whose_stored_name_has_a_line_break(client, invite, city, lead):
    type(city).objects.filter(pk=city.pk).update(name='Zürich & "Co"\r\nBcc: x@evil.test')
    client.force_login(lead)
    response = invite(client, city, "new@zurich.test")
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.subject == 'You are invited to join Zürich & "Co" Bcc: x@evil.test on OPENCities'
    assert message.recipients() == ["new@zurich.test"]
