"""Edges of the report flow found in review: each ends in a state a user can trust."""

import pytest
from celery.exceptions import Retry
from django.core.files.storage import FileSystemStorage

from assessments.models import Assessment
from assessments.tests.compare_helpers import scored_assessment
from casestudies.models import RecommendationTheme
from recommendations import services, tasks
from recommendations.models import Report, ReportDelivery
from recommendations.selectors import active_rules

from .factories import PartnerFactory, RecommendationRuleFactory, ready_report, report_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(city, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    RecommendationRuleFactory(title="Open a one-stop welcome centre")
    return scored_assessment(city, 2024, 30)


def test_a_storage_fault_before_sending_leaves_the_delivery_queued_not_failed(
    submitted, lead, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    report = ready_report(submitted, django_capture_on_commit_callbacks)
    partner = PartnerFactory(follows=[submitted.city])
    with django_capture_on_commit_callbacks(execute=False):
        (delivery,) = services.report_approve(report=report, user=lead, partner_ids=[partner.pk])
    mailoutbox.clear()

    real_open = FileSystemStorage.open
    calls = {"n": 0}

    def flaky_open(storage, name, mode="rb"):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("storage hiccup")
        return real_open(storage, name, mode)

    monkeypatch.setattr(FileSystemStorage, "open", flaky_open)
    with pytest.raises(Retry):
        tasks.send_delivery.apply(args=(delivery.pk,), throw=True)
    delivery.refresh_from_db()
    assert delivery.status == ReportDelivery.Status.QUEUED and "storage hiccup" in delivery.last_error

    assert tasks.send_delivery.apply(args=(delivery.pk,), retries=1).get() == "sent"
    assert [message.to for message in mailoutbox] == [[partner.email]]


def test_a_report_of_an_assessment_reopened_meanwhile_fails_with_the_reason_and_tells_nobody(
    submitted, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        services.report_request(assessment=submitted)
    Assessment.objects.filter(pk=submitted.pk).update(status=Assessment.Status.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_generate(report_id=report_of(submitted).pk)
    report = report_of(submitted)
    assert report.status == Report.Status.FAILED and "reopened" in report.error
    assert mailoutbox == []


def test_the_members_notice_skips_deactivated_accounts(
    submitted, lead, viewer, mailoutbox, django_capture_on_commit_callbacks
):
    viewer.is_active = False
    viewer.save()
    ready_report(submitted, django_capture_on_commit_callbacks)
    assert [message.recipients() for message in mailoutbox] == [[lead.email]]


def test_asking_again_while_the_report_waits_in_the_queue_sends_no_second_task(
    submitted, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(tasks.generate_report, "delay", lambda report_id: sent.append(report_id))
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            services.report_request(assessment=submitted)
    assert len(sent) == 1


def test_a_renamed_theme_shows_in_the_tailored_rules():
    RecommendationRuleFactory(title="Open a one-stop welcome centre")
    assert active_rules()[0].theme_name == "Welcome centre & multilingual information"
    RecommendationTheme.objects.filter(key="welcome-centre").update(name="Welcome services")
    assert active_rules()[0].theme_name == "Welcome services"
