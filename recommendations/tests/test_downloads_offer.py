"""Downloads (issue 13, item 9) lists the general recommendations PDF that Recommendations links, with its date,
size and pages, like the research brief and the publications; with no active rule it says none are published."""

import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from pypdf import PdfReader

from casestudies import brief
from recommendations import general

from .factories import RecommendationRuleFactory

pytestmark = pytest.mark.django_db


def _section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    end = html.find("<section", start)
    return " ".join(html[start : end if end != -1 else None].split())


def test_the_policy_section_offers_the_general_recommendations_pdf_with_its_facts(client):
    RecommendationRuleFactory()
    content = client.get(reverse("general_recommendations_pdf")).getvalue()
    pages = len(PdfReader(io.BytesIO(content)).pages)

    html = client.get(reverse("casestudies:downloads")).content.decode()

    policy = _section(html, "policy")
    assert "No policy recommendations have been published yet" not in policy
    assert reverse("general_recommendations_pdf") in policy
    assert "General policy recommendations" in policy
    assert re.search(rf"PDF, {pages} pages?, [\d.]+\sKB", policy)
    assert date_format(timezone.localdate(), "j F Y") in policy
    assert general.general_pdf().pages == pages and general.general_pdf().content == content


def test_the_research_brief_gives_its_date_size_and_pages(client):
    html = client.get(reverse("casestudies:downloads")).content.decode()

    section = _section(html, "research-brief")
    pages, _size = brief.research_brief_facts()
    assert f"PDF, {pages} pages," in section
    assert date_format(brief.EDITION_DATE, "j F Y") in section


def test_without_active_rules_the_policy_section_says_none_is_published(client):
    RecommendationRuleFactory(is_active=False)

    policy = _section(client.get(reverse("casestudies:downloads")).content.decode(), "policy")

    assert "No policy recommendations have been published yet" in policy
    assert reverse("general_recommendations_pdf") not in policy


def test_a_publication_gives_its_pages(client, settings, tmp_path):
    from casestudies.tests.test_downloads import publication

    settings.MEDIA_ROOT = tmp_path
    publication("welcome-centres-study", title="Welcome centres in Europe")

    research = _section(client.get(reverse("casestudies:downloads")).content.decode(), "research")

    assert re.search(r"PDF, 1 page, [\d.]+\s(KB|bytes)", research)
