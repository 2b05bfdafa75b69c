"""The admin is branded, and editors can work on every model meant for them."""

from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from assessments.services.assessments import assessment_start
from assessments.services.questionnaires import questionnaire_load
from assessments.tests.factories import AccessRequestFactory, CityFactory, MembershipFactory
from casestudies.models import CityTypeTag, DimensionTag, Publication, RecommendationTheme
from casestudies.tests.factories import CaseStudyFactory
from opencities.editors import EDITORS_GROUP, editor_permission_codenames
from opencities.models import Notice
from recommendations.models import Following, Partner, RecommendationRule, Report, ReportDelivery

pytestmark = pytest.mark.django_db
QUESTIONNAIRE = Path(__file__).resolve().parents[2] / "assessments" / "questionnaires" / "opencities-1.0.toml"


def _questionnaire_version():
    version, _created = questionnaire_load(text=QUESTIONNAIRE.read_text(encoding="utf-8"))
    return version


def _assessment():
    _questionnaire_version()
    lead = MembershipFactory(role="lead")
    assessment, _notes = assessment_start(city=lead.city, year=2025, user=lead.user)
    return assessment


# One saved object per model that editors may see, to open its change page.
OBJECT_FACTORIES = {
    "assessments.city": CityFactory,
    "assessments.membership": MembershipFactory,
    "assessments.accessrequest": AccessRequestFactory,
    "assessments.invitation": lambda: MembershipFactory(role="lead").city.invitations.create(email="x@y.test"),
    "auth.user": lambda: MembershipFactory().user,
    "assessments.questionnaireversion": _questionnaire_version,
    "assessments.assessment": _assessment,
    "casestudies.casestudy": CaseStudyFactory,
    "casestudies.publication": lambda: Publication.objects.create(
        title="Research brief", slug="research-brief", file="publications/brief.pdf"
    ),
    "casestudies.dimensiontag": lambda: DimensionTag.objects.first(),
    "casestudies.citytypetag": lambda: CityTypeTag.objects.first(),
    "casestudies.recommendationtheme": lambda: RecommendationTheme.objects.first(),
    "recommendations.recommendationrule": lambda: RecommendationRule.objects.create(
        key="welcome-desk", title="Open a welcome desk", theme=RecommendationTheme.objects.first(), text="Do it."
    ),
    "recommendations.partner": lambda: Partner.objects.create(organisation="Chamber", email="c@example.org"),
    "recommendations.following": lambda: Following.objects.create(
        partner=Partner.objects.create(organisation="Chamber", email="c@example.org"), city=CityFactory()
    ),
    "recommendations.report": lambda: Report.objects.create(assessment=_assessment()),
    "recommendations.reportdelivery": lambda: _delivery(),
    "opencities.notice": lambda: Notice.objects.create(
        kind=Notice.Kind.ACCESS_REJECTED, key="access-request:1:rejected", email="x@y.test", language="en"
    ),
}


def _delivery():
    report = Report.objects.create(assessment=_assessment())
    partner = Partner.objects.create(organisation="Chamber", email="c@example.org")
    return ReportDelivery.objects.create(
        assessment=report.assessment, report=report, partner=partner, email=partner.email
    )


def editor_models():
    models = {}
    for app_label, codename in editor_permission_codenames():
        action, _underscore, model_name = codename.partition("_")
        models.setdefault(f"{app_label}.{model_name}", set()).add(action)
    return models


def test_admin_is_branded(client, editor):
    client.force_login(editor)
    assert "OPENCities administration" in client.get(reverse("admin:index")).content.decode()


def test_admin_pages_link_the_favicon_and_favicon_ico_finds_it(client, editor):
    client.force_login(editor)
    page = client.get(reverse("admin:casestudies_casestudy_changelist")).content.decode()
    assert 'rel="icon" href="/static/img/favicon.svg"' in page and "/static/css/admin.css" in page
    response = client.get("/favicon.ico")  # what a browser asks for where no page names an icon (a PDF, JSON)
    assert response.status_code == 301 and response.url == "/static/img/favicon.svg"


def test_editors_group_is_kept_in_step_and_idempotent():
    group = Group.objects.get(name=EDITORS_GROUP)
    expected = {codename for _app, codename in editor_permission_codenames()}
    assert set(group.permissions.values_list("codename", flat=True)) == expected
    call_command("migrate", verbosity=0)  # post_migrate runs again
    assert Group.objects.filter(name=EDITORS_GROUP).count() == 1
    assert set(group.permissions.values_list("codename", flat=True)) == expected


@pytest.mark.parametrize("model_label", sorted(editor_models()))
def test_editor_can_open_the_pages_of_each_editor_model(client, editor, model_label):
    actions = editor_models()[model_label]
    model = apps.get_model(model_label)
    assert model in admin.site._registry, f"{model_label} is meant for editors but not in the admin"
    assert model_label in OBJECT_FACTORIES, f"add a factory for {model_label} to OBJECT_FACTORIES"
    obj = OBJECT_FACTORIES[model_label]()
    client.force_login(editor)
    info = model._meta.app_label, model._meta.model_name
    assert client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200
    assert client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk])).status_code == 200
    add = client.get(reverse("admin:{}_{}_add".format(*info)))
    assert add.status_code == (200 if "add" in actions else 403)


def test_editor_cannot_manage_accounts_or_groups(client, editor):
    client.force_login(editor)
    assert client.get(reverse("admin:auth_user_add")).status_code == 403
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403


def test_a_city_member_without_staff_status_cannot_enter_the_admin(client, lead):
    client.force_login(lead)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response.url
