"""The compare page's indicative figures: each assessment's own snapshot first, and no median of a small group."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from assessments.models import Answer, Assessment, Question
from assessments.peer_groups import FOREIGN_BORN_SHARE_QUESTION

from .compare_helpers import peer_city, scored_assessment

pytestmark = pytest.mark.django_db


def _with_figures(assessment, *, tier="", share=None):
    Assessment.objects.filter(pk=assessment.pk).update(gawc_tier=tier)
    if share is not None:
        question = Question.objects.get(questionnaire=assessment.questionnaire, key=FOREIGN_BORN_SHARE_QUESTION)
        Answer.objects.create(assessment=assessment, question=question, number=Decimal(share))
    assessment.refresh_from_db()
    return assessment


def _figures(client, assessment, query=""):
    url = reverse("assessment_compare", kwargs={"slug": assessment.city.slug, "pk": assessment.pk})
    html = client.get(f"{url}?{query}").content.decode()
    table = html.split('id="reference-heading"')[1].split("</table>")[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]:
        cells = [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        rows[cells[0]] = cells[1:]
    return rows


def test_the_subject_shows_its_own_snapshot_not_the_stale_city_record(client, city, lead):
    city.metro_population = 1_200_000
    city.metro_population_source = "UN World Urbanization Prospects"
    city.save()
    subject = _with_figures(scored_assessment(city, 2026, 50, population=1_350_000), tier="beta", share="18.5")
    # A newer draft with other figures is never read.
    Assessment.objects.create(city=city, questionnaire=subject.questionnaire, year=2027, metro_population=9_000_000)
    client.force_login(lead)

    figures = _figures(client, subject)

    assert figures["Metropolitan population"][:3] == ["1,350,000", "2026", "your 2026 assessment"]
    assert figures["Foreign-born or foreign share (%)"][:3] == [
        "18.5 (people born abroad)",
        "2026",
        "your 2026 assessment",
    ]
    assert figures["GaWC tier"][:3] == ["Beta", "2026", "your 2026 assessment"]


def test_a_figure_the_snapshot_lacks_comes_from_the_reference_record(client, city, lead):
    city.gawc_tier, city.gawc_year, city.gawc_source = "gamma", 2024, "GaWC 2024"
    city.save()
    subject = _with_figures(scored_assessment(city, 2026, 50), tier="unknown")
    client.force_login(lead)

    figures = _figures(client, subject)

    assert figures["GaWC tier"][:3] == ["Gamma", "2024", "GaWC 2024"]
    assert figures["Foreign-born or foreign share (%)"][0] == "not given"


def test_the_groups_medians_use_each_peers_own_snapshot(client, city, lead):
    subject = scored_assessment(city, 2026, 50)
    for number in range(5):
        # Every peer's city record is stale (800,000, no tier, no share); their assessments say otherwise.
        peer = scored_assessment(peer_city(f"Peer {number}"), 2025, 60, population=2_000_000 + number)
        _with_figures(peer, tier="alpha" if number else "unknown", share=f"{10 + number}")
    client.force_login(lead)

    figures = _figures(client, subject, "group=all")

    assert figures["Metropolitan population"][3] == "2,000,002 (of 5 cities)"
    assert figures["Foreign-born or foreign share (%)"][3] == "12.0 (of 5 cities)"
    # The peer that did not know its tier has none in its city record either: four tiers, too few for a median.
    assert figures["GaWC tier"][3] == "— (only 4 cities give it; a median needs 5)"


def test_too_few_cities_shows_no_reference_median_of_one_or_two(client, city, lead):
    from assessments.models import City

    subject = scored_assessment(city, 2026, 50)
    for number, tier in enumerate(("beta", "beta", "")):
        City.objects.create(
            name=f"Reference {number}",
            slug=f"reference-{number}",
            country="Testland",
            region="europe",
            is_reference=True,
            type_example="niche-hub",
            metro_population=1_000_000 + number,
            gawc_tier=tier,
            foreign_born_share=Decimal("20.0") if number == 0 else None,
        )
    client.force_login(lead)

    figures = _figures(client, subject)

    assert figures["Metropolitan population"][3] == "— (only 3 cities give it; a median needs 5)"
    assert figures["Foreign-born or foreign share (%)"][3] == "— (only 1 city gives it; a median needs 5)"
    assert figures["GaWC tier"][3] == "— (only 2 cities give it; a median needs 5)"
