"""Demonstration years beside a real result (issue 13, item 8): wherever they appear they say so."""

import io

from django.urls import reverse
from pypdf import PdfReader

from recommendations import pdf
from recommendations.selectors import report_data

from .compare_helpers import scored_assessment


def _history(city, *, demo_before: bool):
    scored_assessment(city, 2023, 40, demo=demo_before)
    scored_assessment(city, 2024, 45, demo=demo_before)
    return scored_assessment(city, 2025, 50)


def _profile(client, viewer, assessment) -> str:
    client.force_login(viewer)
    url = reverse("assessment_profile", kwargs={"slug": assessment.city.slug, "pk": assessment.pk})
    response = client.get(url)
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def test_the_profile_history_labels_demonstration_years_in_the_chart_and_table(client, city, viewer):
    current = _history(city, demo_before=True)

    page = _profile(client, viewer, current)

    history = page[page.index('id="history-heading"') :]
    assert history.count("demonstration data") >= 2 + 1  # two table rows and the note
    assert "2023 (demo)" in history and "2024 (demo)" in history  # the chart's year labels
    assert "2025 (demo)" not in history
    row_2025 = history[history.index("2025 <span") : history.index("</tr>", history.index("2025 <span"))]
    assert "demonstration" not in row_2025


def test_a_real_history_carries_no_demonstration_label(client, city, viewer):
    page = _profile(client, viewer, _history(city, demo_before=False))

    assert "demonstration" not in page.lower() and "(demo)" not in page


def test_the_report_says_its_change_is_measured_against_demonstration_data(city):
    data = report_data(_history(city, demo_before=True))

    assert (data.previous_year, data.previous_is_demo) == (2024, True)
    reader = PdfReader(io.BytesIO(pdf.render_report(data).content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Compared with the assessment of: 2024 (demonstration data)" in text
    assert "Change since 2024 (demo)" in text
    assert "which is demonstration data" in text


def test_a_change_against_a_real_year_is_not_labelled(city):
    data = report_data(_history(city, demo_before=False))

    assert (data.previous_year, data.previous_is_demo) == (2024, False)
