"""The management commands: request_report (and --send), queue_reports, and seed_demo's demo partner."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from assessments.models import City
from assessments.tests.compare_helpers import scored_assessment
from assessments.tests.wizard_helpers import load_questionnaire, started
from recommendations import selectors, services
from recommendations.models import Following, Partner, Report, ReportDelivery

from .factories import PartnerFactory, RecommendationRuleFactory, pdf_reader, report_of

DEMO_PARTNER = "partner@example.org"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def rule(db):
    return RecommendationRuleFactory()


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def partner_mails(outbox):
    return [message for message in outbox if message.attachments]


# --- request_report, inside the test's transaction (the commit's work runs when the capture ends) ---


@pytest.mark.django_db
def test_request_report_regenerates_the_citys_latest_real_assessment(
    city, lead, rule, django_capture_on_commit_callbacks
):
    older = scored_assessment(city, 2023, 30)
    latest = scored_assessment(city, 2024, 30)
    scored_assessment(city, 2025, 30, demo=True)
    with django_capture_on_commit_callbacks(execute=True):
        output = run("request_report", "--city", "zurich")
    assert output == "Zürich 2024: report queued.\n"  # the task runs once the command's transaction commits
    report = report_of(latest)
    assert report.status == Report.Status.READY, report.error
    assert report.requested_by is None
    assert not Report.objects.filter(assessment=older).exists()


@pytest.mark.django_db
def test_request_report_send_waits_for_the_report_then_gives_up_saying_so(city, rule):
    scored_assessment(city, 2024, 30)
    PartnerFactory(follows=[city])
    out = io.StringIO()
    # The generation is sent when the test's transaction commits, which it never does: no worker makes the report.
    with pytest.raises(CommandError) as error:
        call_command("request_report", "--city", "zurich", "--send", "--wait", "1.5", stdout=out)
    assert str(error.value) == (
        "The report is still queued after 1.5 s (is a worker running?); nothing was sent. "
        "Run this again with --send: it will not make the report again."
    )
    assert "Waiting for a worker to make the report (queued, 0 of 1.5 s)…" in out.getvalue()
    assert not ReportDelivery.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("slug", "message"),
    [("atlantis", "No city with the slug “atlantis”."), ("zurich", "Zürich has no submitted assessment.")],
)
def test_request_report_names_what_is_missing(city, lead, slug, message):
    started(city, lead, year=2025)  # a draft does not count
    with pytest.raises(CommandError) as error:
        run("request_report", "--city", slug)
    assert str(error.value) == message
    assert not Report.objects.exists()


# --- request_report as it runs in a shell: each transaction commits, and the task runs in process at once ---

COMMITTING = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@COMMITTING
def test_request_report_send_emails_the_demo_partner_once(settings, mailoutbox):
    settings.DEMO_MODE = True
    load_questionnaire()
    RecommendationRuleFactory(bands="low,medium,high")
    run("seed_demo")
    demo = City.objects.get(slug="demo")

    output = run("request_report", "--city", "demo", "--send")

    year = timezone.localdate().year - 1
    assert output.splitlines() == [
        f"Demoville {year}: report ready.",
        f"Sending approved to 1 partner(s): {DEMO_PARTNER}",
    ]
    report = Report.objects.get(assessment__city=demo)
    assert report.status == Report.Status.READY and report.assessment.year == year
    [message] = partner_mails(mailoutbox)
    assert message.to == [DEMO_PARTNER]
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"demo-{year}-openness-report.pdf", "application/pdf")
    assert len(pdf_reader(content).pages) == report.pages
    delivery = ReportDelivery.objects.get()
    assert (delivery.email, delivery.status) == (DEMO_PARTNER, ReportDelivery.Status.SENT)

    output = run("request_report", "--city", "demo", "--send")  # approved again: no second email
    assert output.splitlines() == [
        f"Demoville {year}: report ready (use --regenerate to make it again).",
        f"Already approved before, not sent again: {DEMO_PARTNER}",
    ]
    run("request_report", "--city", "demo", "--send", "--regenerate")
    assert len(partner_mails(mailoutbox)) == 1
    assert ReportDelivery.objects.count() == 1


@COMMITTING
def test_request_report_does_not_make_a_ready_report_again_unless_asked(city, lead, rule, mailoutbox):
    scored_assessment(city, 2024, 30)
    assert run("request_report", "--city", "zurich") == "Zürich 2024: report ready.\n"
    made = Report.objects.get()
    told = len(mailoutbox)

    output = run("request_report", "--city", "zurich")

    assert output == "Zürich 2024: report ready (use --regenerate to make it again).\n"
    again = Report.objects.get()
    assert (again.attempts, again.finished_at, again.file.name) == (made.attempts, made.finished_at, made.file.name)
    assert len(mailoutbox) == told, "the members are not told again"
    run("request_report", "--city", "zurich", "--regenerate")
    assert Report.objects.get().finished_at > made.finished_at


@COMMITTING
def test_request_report_send_names_the_reason_of_a_failed_report(city, rule, monkeypatch):
    scored_assessment(city, 2024, 30)
    PartnerFactory(follows=[city])

    def broken_renderer(data):
        raise ValueError("a row taller than a page")

    monkeypatch.setattr("recommendations.pdf.render_report", broken_renderer)
    with pytest.raises(CommandError) as error:
        run("request_report", "--city", "zurich", "--send")
    assert str(error.value) == "The report failed: ValueError: a row taller than a page. Nothing was sent."
    assert not ReportDelivery.objects.exists()


@COMMITTING
def test_request_report_send_without_a_consenting_partner_says_so(city, rule, mailoutbox):
    scored_assessment(city, 2024, 30)
    PartnerFactory(consent_date=None, follows=[city])
    with pytest.raises(CommandError) as error:
        run("request_report", "--city", "zurich", "--send")
    assert str(error.value) == "No partner with a recorded consent follows Zürich."
    assert Report.objects.get().status == Report.Status.READY, "the report itself is made"
    assert not ReportDelivery.objects.exists() and partner_mails(mailoutbox) == []


# --- queue_reports ---


@pytest.mark.django_db
def test_queue_reports_prints_what_it_queued_again(city, lead, rule, mailoutbox):
    lost = services.report_request(assessment=scored_assessment(city, 2023, 30))  # its message never arrives
    fresh = services.report_request(assessment=scored_assessment(city, 2024, 30))
    Report.objects.filter(pk=lost.pk).update(queued_at=timezone.now() - timedelta(minutes=10))

    assert run("queue_reports") == "Queued again: 1 report(s), 0 delivery(ies).\n"
    assert Report.objects.get(pk=lost.pk).status == Report.Status.READY
    assert Report.objects.get(pk=fresh.pk).status == Report.Status.QUEUED
    assert run("queue_reports") == "Queued again: 0 report(s), 0 delivery(ies).\n"


# --- seed_demo's partner ---


@pytest.mark.django_db
def test_seed_demo_adds_the_demo_partner_once(settings):
    settings.DEMO_MODE = True
    output = run("seed_demo")
    run("seed_demo")

    assert "Demo partner: Demo Chamber of Commerce <partner@example.org> follows Demoville." in output
    partner = Partner.objects.get(email=DEMO_PARTNER)
    assert partner.is_active and partner.consent_date is not None
    following = Following.objects.get(partner=partner)
    assert following.city.slug == "demo" and following.is_active
    assert Partner.objects.count() == 1
    assert selectors.recipients(following.city) == [partner]
