"""Who may open each city-scoped or object URL.

Every URL pattern that takes a city slug, an object id or a token must appear in ACCESS_TABLE:
a new pattern that is missing fails `test_every_scoped_url_is_in_the_access_table`.
The admin is left to Django's own permission checks (see opencities/tests/test_admin.py).
"""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from assessments.models import Assessment, Invitation, Membership, Role
from assessments.services.assessments import assessment_start as start_assessment
from assessments.services.questionnaires import questionnaire_load
from assessments.services.team import invitation_token
from casestudies.models import CaseStudy, Publication
from casestudies.tests.factories import CaseStudyFactory
from recommendations.models import Following, Partner, Report
from recommendations.services import unsubscribe_token

from .compare_helpers import scored_assessment
from .factories import MembershipFactory, UserFactory

QUESTIONNAIRE = Path(__file__).resolve().parents[1] / "questionnaires" / "opencities-1.0.toml"
ACTORS = ["anonymous", "other_city", "viewer", "contributor", "lead", "editor"]
OK, LOGIN, DENIED = "ok", "login", "denied"


def _row(anonymous, other_city, viewer, contributor, lead, editor):
    return dict(zip(ACTORS, [anonymous, other_city, viewer, contributor, lead, editor], strict=True))


MEMBERS = _row(LOGIN, DENIED, OK, OK, OK, DENIED)
EDITORS_OF_ANSWERS = _row(LOGIN, DENIED, DENIED, OK, OK, DENIED)
LEAD_ONLY = _row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED)

# name: {method: expected outcome per actor}
ACCESS_TABLE = {
    "city_detail": {"get": MEMBERS},
    "city_members": {"get": MEMBERS},
    "city_language": {"post": LEAD_ONLY},
    "member_invite": {"post": LEAD_ONLY},
    "membership_role": {"post": LEAD_ONLY},
    "membership_remove": {"post": LEAD_ONLY},
    "lead_hand_over": {"post": LEAD_ONLY},
    "invitation_revoke": {"post": LEAD_ONLY},
    # The signed link is the credential. It was sent to pending@zurich.test: a visitor may set up that
    # account; anyone logged in as someone else is told the invitation is not theirs.
    "invitation_accept": {"get": _row(OK, DENIED, DENIED, DENIED, DENIED, DENIED)},
    "assessment_list": {"get": MEMBERS},
    "assessment_start": {"post": LEAD_ONLY},
    "assessment_resume": {"get": MEMBERS},
    "assessment_step": {"get": MEMBERS, "post": EDITORS_OF_ANSWERS},
    "assessment_review": {"get": MEMBERS},
    "assessment_submit": {"post": LEAD_ONLY},
    "assessment_profile": {"get": MEMBERS},
    "assessment_export": {"get": MEMBERS},
    "assessment_compare": {"get": MEMBERS},
    "assessment_compare_csv": {"get": MEMBERS},
    "assessment_compare_xlsx": {"get": MEMBERS},
    # The blank questionnaire is public, like the method page.
    "questionnaire_print": {"get": _row(OK, OK, OK, OK, OK, OK)},
    # The world's assessment is a draft: the lead is told it must be submitted first (a redirect with a
    # message, nothing changes), which counts as allowed.
    "assessment_publish": {"post": LEAD_ONLY},
    # Published profiles are public, but the world's assessment is a draft, and a draft's public page is a 404
    # for everyone, members included (test_publishing.py covers a published one).
    "public_profile": {"get": _row(DENIED, DENIED, DENIED, DENIED, DENIED, DENIED)},
    # The world's case study is a draft and its publication hidden: editors only (published ones are public,
    # see casestudies/tests).
    "assessment_recommendations": {"get": MEMBERS},
    "assessment_report": {"get": MEMBERS},
    "assessment_report_status": {"get": MEMBERS},
    # The world's report has no file yet: members are sent back to the report page with a message.
    "assessment_report_download": {"get": MEMBERS},
    "assessment_report_download_in": {"get": MEMBERS},
    "assessment_report_request": {"post": LEAD_ONLY},
    "assessment_report_approve": {"post": LEAD_ONLY},
    # The signed link in a partner's email is the credential, whoever opens it.
    "partner_unsubscribe": {"get": _row(OK, OK, OK, OK, OK, OK)},
    "casestudies:detail": {"get": _row(DENIED, DENIED, DENIED, DENIED, DENIED, OK)},
    "casestudies:publication": {"get": _row(DENIED, DENIED, DENIED, DENIED, DENIED, OK)},
}
CASES = sorted((name, method) for name, methods in ACCESS_TABLE.items() for method in methods)

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
def world(city, lead, contributor, viewer, outsider, editor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    target = MembershipFactory(city=city, role=Role.CONTRIBUTOR, user=UserFactory(email="target@zurich.test"))
    invitation = Invitation.objects.create(city=city, email="pending@zurich.test", role=Role.VIEWER, invited_by=lead)
    questionnaire_load(text=QUESTIONNAIRE.read_text(encoding="utf-8"))
    assessment, _notes = start_assessment(city=city, year=2025, user=lead)
    submitted = scored_assessment(city, 2024, 60)
    Report.objects.create(assessment=submitted)
    return {
        "assessment": assessment,
        "submitted": submitted,
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
        "draft_case_study": CaseStudyFactory(status=CaseStudy.Status.DRAFT),
        "following": Following.objects.create(
            partner=Partner.objects.create(organisation="Chamber", email="chamber@example.org"), city=city
        ),
        "hidden_publication": Publication.objects.create(
            title="Internal note", slug="internal-note", file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="note.pdf")
        ),
    }


def _request(name, world):
    slug, target, invitation = world["city"].slug, world["target"], world["invitation"]
    assessment = {"slug": slug, "pk": world["assessment"].pk}
    submitted = {"slug": slug, "pk": world["submitted"].pk}
    kwargs, data = {
        "assessment_list": ({"slug": slug}, {}),
        "assessment_start": ({"slug": slug}, {"year": "2024"}),
        "assessment_resume": (assessment, {}),
        "assessment_step": ({**assessment, "step": "profile"}, {"metro_population": "420000", "profile_revision": "0"}),
        "assessment_review": (assessment, {}),
        "assessment_submit": (assessment, {}),
        "assessment_profile": (assessment, {}),
        "assessment_export": ({**assessment, "fmt": "csv"}, {}),
        "assessment_compare": (submitted, {"group": "all"}),
        "assessment_compare_csv": (submitted, {"group": "all"}),
        "assessment_compare_xlsx": (submitted, {"group": "all"}),
        "questionnaire_print": ({"version": world["assessment"].questionnaire.version}, {}),
        "city_detail": ({"slug": slug}, {}),
        "city_members": ({"slug": slug}, {}),
        "city_language": ({"slug": slug}, {"language": "fr"}),
        "member_invite": ({"slug": slug}, {"email": "new@zurich.test", "role": "viewer"}),
        "membership_role": ({"slug": slug, "pk": target.pk}, {"role": "viewer"}),
        "membership_remove": ({"slug": slug, "pk": target.pk}, {}),
        "lead_hand_over": ({"slug": slug, "pk": target.pk}, {}),
        "invitation_revoke": ({"slug": slug, "pk": invitation.pk}, {}),
        "invitation_accept": ({"token": invitation_token(invitation)}, {}),
        "assessment_publish": (assessment, {"public": "1"}),
        "public_profile": ({"slug": slug, "year": world["assessment"].year}, {}),
        "casestudies:detail": ({"slug": world["draft_case_study"].slug}, {}),
        "assessment_recommendations": (submitted, {}),
        "assessment_report": (submitted, {}),
        "assessment_report_status": (submitted, {}),
        "assessment_report_download": (submitted, {}),
        "assessment_report_download_in": ({**submitted, "language": "fr"}, {}),
        "assessment_report_request": (submitted, {}),
        "assessment_report_approve": (submitted, {}),
        "partner_unsubscribe": ({"token": unsubscribe_token(world["following"])}, {}),
        "casestudies:publication": ({"slug": world["hidden_publication"].slug}, {}),
    }[name]
    return reverse(name, kwargs=kwargs), data


def _assessment_rows():
    return list(Assessment.objects.order_by("pk").values_list("pk", "status", "metro_population"))


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("name", "method"), CASES)
def test_access(client, world, name, method, actor):
    expected = ACCESS_TABLE[name][method][actor]
    user = world["users"][actor]
    if user:
        client.force_login(user)
    url, data = _request(name, world)
    memberships_before = list(Membership.objects.order_by("pk").values_list("pk", "role"))
    assessments_before = _assessment_rows()
    response = getattr(client, method)(url, data)

    if expected == LOGIN:
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    elif expected == DENIED:
        assert response.status_code in (403, 404)
        assert list(Membership.objects.order_by("pk").values_list("pk", "role")) == memberships_before
        assert _assessment_rows() == assessments_before
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
