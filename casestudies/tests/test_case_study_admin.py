"""The case-study list in the admin: which entries need a review, said in words on those entries only."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from .factories import CaseStudyFactory

pytestmark = pytest.mark.django_db


def test_the_list_says_needs_review_on_old_entries_only(client, editor):
    CaseStudyFactory(title="Reviewed last month", last_reviewed=timezone.localdate() - timedelta(days=30))
    CaseStudyFactory(title="Reviewed long ago", last_reviewed=timezone.localdate() - timedelta(days=3 * 365))
    client.force_login(editor)

    page = client.get(reverse("admin:casestudies_casestudy_changelist")).content.decode()

    rows = {line.split("</a>")[0].rsplit(">", 1)[-1]: line for line in page.split("<tr")[1:] if "field-title" in line}
    assert "Needs review" in rows["Reviewed long ago"]
    assert "Needs review" not in rows["Reviewed last month"]
    assert "icon-no.svg" not in page and "icon-yes.svg" not in page
    assert "Zürich, Switzerland" in rows["Reviewed long ago"]
