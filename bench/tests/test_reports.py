"""The report benchmarks: jobs timed against jobs, per page; the bare document; the demo report and its generation."""

import tempfile
from pathlib import Path

import pytest
from django.conf import settings as live_settings
from django.core import mail
from django.test import Client

from assessments.models import Assessment
from bench import reports
from bench.registry import BARE_VIEW, Benchmark, Job, registry
from bench.report import NOT_JUDGED, PASS, Outcome, format_median, format_table
from bench.runner import BenchmarkError, measure_job, run
from opencities.models import Notice
from recommendations.models import Report

PER_PAGE = Benchmark("per-page", lambda: None, baseline="floor", target=20.0)
FLOOR = Benchmark("floor", lambda: None, baseline="floor")


class Clock:
    """Stands in for time.perf_counter: each run moves it on by what that run is said to take."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def job(self, seconds, calls, name, **fields):
        def work():
            calls.append(name)
            self.now += seconds

        return Job(prepare=lambda: work, **fields)


# The harness: jobs with a baseline, per page.


def test_a_job_with_rows_takes_no_per_and_every_count_is_at_least_one():
    with pytest.raises(ValueError, match="rows per second"):
        Job(prepare=lambda: None, rows=10, per=2)
    with pytest.raises(ValueError, match="rows per second"):
        Job(prepare=lambda: None, rows=10, unit="page")
    for field in ("per", "warmup", "repetitions"):
        with pytest.raises(ValueError, match="at least 1"):
            Job(prepare=lambda: None, **{field: 0})


@pytest.mark.django_db
def test_a_job_alternates_with_its_baseline_after_their_warmups_and_each_median_is_per_its_unit(monkeypatch):
    clock, calls = Clock(), []
    monkeypatch.setattr("bench.runner.time.perf_counter", clock)
    report = clock.job(0.130, calls, "report", per=13, warmup=2, repetitions=4, unit="page")
    floor = clock.job(0.004, calls, "floor", per=2, warmup=3, unit="page")

    measurement = measure_job(report, floor, repetitions=30)

    # The counted run and one more warm-up, the floor's three, then four rounds, who goes first alternating.
    assert calls[:5] == ["report", "report", "floor", "floor", "floor"]
    assert calls[5:] == ["report", "floor", "floor", "report"] * 2
    assert measurement.median == pytest.approx(0.010)  # 130 ms ÷ 13 pages
    assert measurement.baseline_median == pytest.approx(0.002)
    calls.clear()
    measure_job(report, floor, repetitions=1)
    assert calls[5:] == ["report", "floor"]  # fewer when the command line asks fewer


@pytest.mark.django_db
def test_a_job_without_rows_and_baseline_is_its_own_floor_and_a_job_with_rows_has_no_ratio(monkeypatch):
    clock, calls = Clock(), []
    monkeypatch.setattr("bench.runner.time.perf_counter", clock)

    alone = measure_job(clock.job(0.080, calls, "render"), repetitions=3)
    rows = measure_job(clock.job(1.0, calls, "import", rows=100), repetitions=3)

    assert alone.median == alone.baseline_median == pytest.approx(0.080)
    assert (rows.median, rows.baseline_median) == (pytest.approx(1.0), None)


def test_a_row_per_page_shows_its_unit_in_both_columns_and_notes_follow_the_table():
    outcomes = [
        Outcome(FLOOR, median=0.003, baseline_median=0.003, queries=0, unit="page", baseline_unit="page"),
        Outcome(
            PER_PAGE,
            median=0.0061,
            baseline_median=0.003,
            queries=0,
            unit="page",
            baseline_unit="page",
            note="the demo report: 13 pages, 89,646 bytes",
        ),
        Outcome(Benchmark("skipped", lambda: None, baseline="floor"), skipped="needs PostgreSQL", note="not shown"),
    ]
    lines = format_table(outcomes, database="x").splitlines()

    floor, per_page, skipped, blank, note = lines[4:]
    assert floor.split() == ["floor", "3.00", "ms/page", "floor", "(3.00", "ms/page)", "1.0x", "—", "—", "0"]
    assert per_page.split()[1:7] == ["6.10", "ms/page", "floor", "(3.00", "ms/page)", "2.0x"]
    assert outcomes[0].verdict == NOT_JUDGED and outcomes[1].verdict == PASS
    assert skipped.startswith("skipped")
    assert (blank, note) == ("", "per-page: the demo report: 13 pages, 89,646 bytes")
    assert format_median(1.5, "report") == "1.50 s/report"
    # Without notes the table ends with its last row.
    assert format_table(outcomes[:1], database="x").splitlines()[-1].split() == floor.split()


@pytest.mark.django_db
def test_run_times_a_job_against_a_job_and_refuses_to_mix_jobs_and_pages():
    def floor():
        return Job(prepare=lambda: lambda: None, per=2, unit="page")

    def timed():
        return Job(prepare=lambda: lambda: None, per=13, unit="page", note="13 pages")

    def page():
        return Client(), "/__bench__/bare/"

    benchmarks = [
        Benchmark(BARE_VIEW, page, baseline=BARE_VIEW),
        Benchmark("floor", floor, baseline="floor"),
        Benchmark("per-page", timed, baseline="floor", target=20.0),
        Benchmark("job-against-page", timed, baseline=BARE_VIEW, target=2.0),
        Benchmark("page-against-job", page, baseline="floor", target=2.0),
    ]

    _bare, own, per_page, job_page, page_job = run(benchmarks, warmup=1, repetitions=2)

    assert (own.unit, own.baseline_unit, own.rows) == ("page", "page", None)
    assert format_table([own], database="x").splitlines()[-1].split()[6] == "1.0x"
    assert per_page.median > 0 and per_page.baseline_median > 0 and per_page.queries == 0
    assert per_page.note == "13 pages"
    assert "its baseline must be a job too" in job_page.error
    assert "its baseline must be a page too" in page_job.error


@pytest.mark.django_db
def test_run_gives_the_benchmarks_a_media_root_of_their_own_and_removes_it():
    seen = {}

    def store():
        def work():
            seen["root"] = Path(live_settings.MEDIA_ROOT)
            (seen["root"] / "stored.pdf").write_bytes(b"%PDF")

        return Job(prepare=lambda: work)

    [outcome] = run([Benchmark("store", store, baseline="store")], warmup=1, repetitions=1)

    assert outcome.error is None
    assert seen["root"].is_relative_to(tempfile.gettempdir())
    assert seen["root"] != Path(live_settings.MEDIA_ROOT)
    assert not seen["root"].exists()


# The benchmarks.


def test_the_four_rows_are_registered_with_their_floors_and_targets():
    by_name = {benchmark.name: benchmark for benchmark in registry}
    names = ("bare-pdf-page", "pdf-page", "pdf-render", "report-vs-pdf")
    rows = {name: (by_name[name].baseline, by_name[name].target) for name in names}

    assert rows == {
        "bare-pdf-page": ("bare-pdf-page", None),
        "pdf-page": ("bare-pdf-page", 20.0),
        "pdf-render": ("pdf-render", None),
        "report-vs-pdf": ("pdf-render", 1.3),
    }
    assert [b.name for b in registry.select(["report-vs-pdf"])] == ["pdf-render", "report-vs-pdf"]


def test_the_bare_document_has_two_pages_in_the_report_fonts_only():
    content, pages = reports.bare_document()

    assert pages == 2
    assert content.startswith(b"%PDF")
    assert b"DejaVuSans" in content and b"DejaVuSans-Bold" in content
    assert b"Helvetica" not in content
    job = reports.bare_job()
    assert (job.per, job.unit) == (2, "page")
    job.prepare()()


@pytest.mark.django_db
def test_the_demo_report_is_loaded_once_with_demo_mode_on_only_while_seeding(django_assert_max_num_queries):
    assert not live_settings.DEMO_MODE
    assessment = reports.demo_assessment()

    assert not live_settings.DEMO_MODE
    assert (assessment.city.slug, assessment.status) == ("demo", Assessment.Status.SUBMITTED)
    assert assessment.year == Assessment.objects.filter(city__slug="demo", status="submitted").latest("year").year
    # Loaded already (by this test, or by another benchmark of the same transaction): only read.
    with django_assert_max_num_queries(2):
        assert reports.demo_assessment() == assessment

    job = reports.render_job(per_page=True)
    whole = reports.render_job(per_page=False)
    assert job.unit == "page" and job.per > 1
    assert (whole.per, whole.unit) == (1, None)
    assert job.note == whole.note
    assert job.note.startswith(f"the demo report (Demoville {assessment.year}): {job.per} pages, ")
    assert job.note.endswith(" bytes")
    job.prepare()()


@pytest.mark.django_db
def test_each_generation_stores_the_report_and_queues_the_members_notice_or_raises(settings, tmp_path, monkeypatch):
    # One test for both outcomes: loading the demo data is the costly part.
    settings.MEDIA_ROOT = str(tmp_path)
    job = reports.generation_job()
    assessment = reports.demo_assessment()
    members = assessment.city.memberships.count()

    for _ in range(2):
        job.prepare()()
        report = Report.objects.get(assessment=assessment)
        assert report.status == Report.Status.READY
        assert members >= 1
        assert mail.outbox == []  # sending the notices is a task of its own, not part of the timed generation
        assert Notice.objects.filter(kind=Notice.Kind.REPORT_READY, object_id=assessment.pk).count() == members

    stored = list(tmp_path.rglob("*.pdf"))
    assert stored == [tmp_path / report.file.name]  # the first run's file was replaced by the second's
    assert stored[0].stat().st_size == report.size
    assert "the demo city's 1 member are owed one notice each" in job.note

    # A generation that writes no notice
    Notice.objects.all().delete()
    monkeypatch.setattr("recommendations.services.team_notice_add", lambda **kwargs: [])
    with pytest.raises(BenchmarkError, match="owes 0 notices"):
        reports.generation_job().prepare()()


@pytest.mark.django_db
def test_the_generation_refuses_to_run_with_a_real_mail_backend(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

    with pytest.raises(BenchmarkError, match="locmem"):
        reports.generation_job()
