"""Home's "Latest case studies" (issue 13, item 14): the entries published or reviewed most recently."""

import re
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from casestudies.models import CaseStudy

from .factories import CaseStudyFactory

pytestmark = pytest.mark.django_db


def _entry(title, published, reviewed=None, **fields):
    return CaseStudyFactory(
        title=title, published_at=datetime(*published, 9, tzinfo=UTC), last_reviewed=reviewed, **fields
    )


def test_the_home_page_shows_the_latest_published_or_reviewed_not_the_first_alphabetically(client):
    _entry("Aardvark alliance", (2024, 1, 10), date(2024, 1, 10))
    _entry("Berry bureau", (2025, 2, 1))
    _entry("Mango mentoring", (2023, 5, 1), date(2026, 6, 1))  # an old entry reviewed last
    _entry("Zebra zone", (2026, 3, 1), date(2026, 3, 1))
    _entry("Apple unpublished", (2026, 9, 1), status=CaseStudy.Status.DRAFT)

    html = client.get(reverse("home")).content.decode()

    section = html[html.index('id="latest-title"') :]
    titles = re.findall(r'<h3 class="h6 card-title"><a href="[^"]+">([^<]+)</a>', section)
    assert titles == ["Mango mentoring", "Zebra zone", "Berry bureau"]
    assert "Reviewed on 1 June 2026" in section and "Published on 1 February 2025" in section
