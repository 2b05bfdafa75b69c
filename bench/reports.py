"""Benchmarks of the tailored PDF report: its render page for page, and the whole generation against the render.

The report is the demo report: the latest submitted assessment of the demo city ("demo", Demoville), on the
data `make setup` loads (questionnaire 1.0, the reference cities, the case studies, the rules, then `seed_demo`,
which needs DEMO_MODE and gets it here). The setup loads it into the bench database itself, unless a benchmark
of the same transaction already did.

- `bare-pdf-page`: a bare two-page platypus document (a heading and a sentence on each page, in the same
  DejaVu faces as the report, built as `recommendations.pdf` builds one): time per page. The floor.
- `pdf-page`: `pdf.render_report` of the demo report's `ReportData` (built once, untimed): render time ÷ its
  page count, against `bare-pdf-page`.
- `pdf-render`: the same render, the whole document: the floor of the next row.
- `report-vs-pdf`: `services.report_generate` of the demo report, reset to queued before each run (untimed),
  as a worker runs it: read the assessment, choose the recommendations (rules, peers, case studies), render,
  store the file (in the run's temporary MEDIA_ROOT) and record it, then tell the city's members, which the
  service does once its transaction commits (here the callbacks are run at the end of the run, emails to
  Django's in-memory outbox).
"""

import io
from pathlib import Path

from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import TestCase
from django.test.utils import override_settings
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

from assessments.models import Assessment
from opencities.fonts import BOLD, REGULAR, register_fonts
from opencities.models import Notice
from recommendations import pdf, selectors, services
from recommendations.models import Report

from .registry import Job, benchmark
from .runner import REPETITIONS, BenchmarkError

ROOT = Path(__file__).resolve().parents[1]
# What `make setup` loads, in its order (see the Makefile), seed_demo last.
SETUP_COMMANDS = (
    ("load_questionnaire", ROOT / "assessments" / "questionnaires" / "opencities-1.0.toml"),
    ("import_reference_cities", ROOT / "assessments" / "data" / "reference-cities.csv"),
    ("import_case_studies", ROOT / "casestudies" / "data" / "case-studies.json"),
    ("import_recommendation_rules", ROOT / "recommendations" / "data" / "rules.json"),
)
DEMO_CITY = "demo"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"

BARE_PDF_PAGE = "bare-pdf-page"
PDF_RENDER = "pdf-render"
BARE_PAGES = 2
# Untimed runs before the timed ones: the first render of a process builds reportlab's caches.
WARMUP = 3


# --- The demo report ---


def demo_assessment() -> Assessment:
    """The demo city's latest submitted assessment, on the data `make setup` loads (loaded now if missing)."""
    if not _demo_submitted().exists():
        out = io.StringIO()
        with override_settings(DEMO_MODE=True):  # seed_demo refuses to run without it
            for command, path in SETUP_COMMANDS:
                call_command(command, str(path), stdout=out)
            call_command("seed_demo", stdout=out)
    assessment = _demo_submitted().select_related("questionnaire", "result", "city").order_by("-year").first()
    if assessment is None:
        raise BenchmarkError(f"seed_demo made no submitted assessment of the demo city {DEMO_CITY!r}.")
    return assessment


def _demo_submitted():
    return Assessment.objects.filter(city__slug=DEMO_CITY, status=Assessment.Status.SUBMITTED)


def describe(assessment: Assessment, pages: int, size: int) -> str:
    """E.g. `the demo report (Demoville 2025): 13 pages, 89,646 bytes`."""
    return f"the demo report ({assessment.city.name} {assessment.year}): {pages} pages, {size:,} bytes"


# --- The floor: a bare document ---


def bare_document() -> tuple[bytes, int]:
    """Two pages in the report's fonts, built as `recommendations.pdf` builds a document: bytes and pages."""
    register_fonts()
    body = ParagraphStyle("BareBody", fontName=REGULAR, fontSize=10, leading=14)
    heading = ParagraphStyle("BareHeading", parent=body, fontName=BOLD, fontSize=17, leading=22, spaceAfter=10)
    story = []
    for number in range(1, BARE_PAGES + 1):
        if story:
            story.append(PageBreak())
        story += [Paragraph(f"Page {number}", heading), Paragraph("A bare page of Łódź, in DejaVu Sans.", body)]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, initialFontName=REGULAR, initialFontSize=10)
    doc.build(story)
    return buffer.getvalue(), doc.page


def bare_job() -> Job:
    def run():
        content, pages = bare_document()
        if pages != BARE_PAGES or not content.startswith(b"%PDF"):
            raise BenchmarkError(f"The bare document has {pages} pages, not {BARE_PAGES}.")

    return Job(prepare=lambda: run, repetitions=REPETITIONS, warmup=WARMUP, per=BARE_PAGES, unit="page")


# --- The render ---


def render_job(*, per_page: bool) -> Job:
    """`pdf.render_report` of the demo report, its ReportData read once, untimed; per page or per document."""
    assessment = demo_assessment()
    data = selectors.report_data(assessment)
    first = pdf.render_report(data)

    def run():
        rendered = pdf.render_report(data)
        if rendered.pages != first.pages or not rendered.content.startswith(b"%PDF"):
            raise BenchmarkError(f"The demo report rendered {rendered.pages} pages, not {first.pages}.")

    return Job(
        prepare=lambda: run,
        repetitions=REPETITIONS,
        warmup=WARMUP,
        per=first.pages if per_page else 1,
        unit="page" if per_page else None,
        note=describe(assessment, first.pages, len(first.content)),
    )


# --- The whole generation ---


def generation_job() -> Job:
    """`services.report_generate` of the demo report, queued again before each run, its members told."""
    if settings.EMAIL_BACKEND != LOCMEM:
        raise BenchmarkError(f"report-vs-pdf emails the demo city's members: it needs {LOCMEM}.")
    assessment = demo_assessment()
    report, _created = Report.objects.get_or_create(assessment=assessment)
    members = assessment.city.memberships.filter(user__is_active=True).count()
    expected_pages = pdf.render_report(selectors.report_data(assessment)).pages

    def prepare():
        # As report_request leaves it (its task, sent once the request commits, is this run).
        Report.objects.filter(pk=report.pk).update(
            status=Report.Status.QUEUED, queued_at=timezone.now(), error="", attempts=0
        )
        mail.outbox.clear()
        return run

    def run():
        # The generation writes the members' notices in its own transaction (once per submission, so only the first
        # run adds them); sending them is a task of its own, queued on commit and not timed here.
        with TestCase.captureOnCommitCallbacks(execute=False):
            generated = services.report_generate(report_id=report.pk)
        if generated.status != Report.Status.READY or generated.pages != expected_pages:
            raise BenchmarkError(f"The demo report ended {generated.status} with {generated.pages} pages.")
        owed = Notice.objects.filter(kind=Notice.Kind.REPORT_READY, object_id=assessment.pk).count()
        if owed != members:
            raise BenchmarkError(f"The generation owes {owed} notices to the members, not {members}.")

    told = f"{members} member{'s' if members != 1 else ''}"
    return Job(
        prepare=prepare,
        repetitions=REPETITIONS,
        warmup=WARMUP,
        note=f"each run stores the report; the demo city's {told} are owed one notice each (sent by a task, not timed)",
    )


@benchmark(BARE_PDF_PAGE, baseline=BARE_PDF_PAGE)
def bare_pdf_page():
    """A bare two-page document in the same fonts: time per page, the floor of pdf-page."""
    return bare_job()


@benchmark("pdf-page", baseline=BARE_PDF_PAGE, target=20.0)
def pdf_page():
    """The demo report's render time per page."""
    return render_job(per_page=True)


@benchmark(PDF_RENDER, baseline=PDF_RENDER)
def pdf_render():
    """The demo report's render, the whole document: the floor of report-vs-pdf."""
    return render_job(per_page=False)


@benchmark("report-vs-pdf", baseline=PDF_RENDER, target=1.3)
def report_vs_pdf():
    """The whole generation (reads, rules, render, store) against the render alone."""
    return generation_job()
