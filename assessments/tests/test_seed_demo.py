import io
from datetime import date
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from assessments.models import (
    Assessment,
    AssessmentResult,
    City,
    DimensionScore,
    FrameworkAnswer,
    Membership,
    Role,
)
from assessments.scoring import DimensionResult, framework_score, openness_index, round_half_up
from assessments.services.assessments import assessment_start

from .factories import CityFactory, UserFactory
from .wizard_helpers import load_questionnaire

pytestmark = pytest.mark.django_db


def test_seed_demo_refuses_without_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="runs only with DEMO_MODE on"):
        call_command("seed_demo")
    assert not City.objects.filter(slug="demo").exists()


def test_seed_demo_is_idempotent_and_the_accounts_log_in(client, settings):
    settings.DEMO_MODE = True
    call_command("seed_demo")
    call_command("seed_demo")
    assert City.objects.filter(slug="demo").count() == 1
    lead = Membership.objects.get(city__slug="demo", role=Role.LEAD)
    assert lead.user.email == "lead@demo.test"

    response = client.post(reverse("login"), {"username": "lead@demo.test", "password": "opencities-demo"})
    assert response.status_code == 302
    assert "Demoville" in client.get(reverse("my_cities")).content.decode()

    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "editor@demo.test", "password": "opencities-demo"})
    assert client.get(reverse("admin:index")).status_code == 200


# --- Demonstration assessments ---

REFERENCE_CITIES = Path(__file__).resolve().parents[1] / "data" / "reference-cities.csv"
THIS_YEAR = date.today().year
YEARS = set(range(THIS_YEAR - 3, THIS_YEAR + 1))


def _seed():
    call_command("seed_demo", stdout=io.StringIO())


def _counts():
    return (Assessment.objects.count(), DimensionScore.objects.count(), AssessmentResult.objects.count())


@pytest.fixture
def demo_world(settings):
    settings.DEMO_MODE = True
    load_questionnaire()
    call_command("import_reference_cities", str(REFERENCE_CITIES), stdout=io.StringIO())
    assert City.objects.filter(is_reference=True).count() > 50


def test_reference_cities_get_submitted_demonstration_assessments_for_several_years(demo_world):
    _seed()
    for city in City.objects.filter(is_reference=True):
        assessments = list(city.assessments.all())
        assert {a.year for a in assessments} == YEARS, city.slug
        assert all(a.is_demo and a.status == Assessment.Status.SUBMITTED and a.submitted_at for a in assessments)
        assert all(a.result.openness_index is not None for a in assessments)
    public = Assessment.objects.filter(city__is_reference=True, is_public=True).count()
    assert 0 < public < Assessment.objects.filter(city__is_reference=True).count()


def test_the_demo_city_gets_earlier_years_only_all_published(demo_world):
    _seed()
    demo = Assessment.objects.filter(city__slug="demo")
    assert set(demo.values_list("year", flat=True)) == YEARS - {THIS_YEAR}
    assert all(a.is_demo and a.is_public and a.status == Assessment.Status.SUBMITTED for a in demo)


def test_the_city_profile_snapshot_comes_from_the_city_record(demo_world):
    _seed()
    london = Assessment.objects.select_related("result").get(city__slug="london", year=THIS_YEAR)
    assert (london.metro_population, london.is_capital, london.is_largest_city) == (9_046_000, True, True)
    assert london.gawc_tier == "alpha++"
    assert london.result.city_type == "world-city"
    edinburgh = Assessment.objects.get(city__slug="edinburgh", year=THIS_YEAR)
    assert edinburgh.gawc_tier == "unknown"
    assert edinburgh.niche != "none"  # a niche-hub example gets a niche


def test_world_cities_score_higher_on_global_presence(demo_world):
    _seed()

    def mean_global_presence(slugs):
        scores = DimensionScore.objects.filter(
            assessment__city__slug__in=slugs, dimension__key="global-presence"
        ).values_list("score", flat=True)
        return sum(scores) / len(scores)

    assert mean_global_presence(["london", "new-york", "paris", "tokyo"]) > mean_global_presence(
        ["nitra", "bilbao", "cardiff", "gdansk"]
    )


def test_seeding_again_creates_nothing_and_sends_no_email(demo_world):
    _seed()
    first = _counts()
    scores = list(
        DimensionScore.objects.order_by(
            "assessment__city__slug", "assessment__year", "dimension__position"
        ).values_list("score", flat=True)
    )
    _seed()
    assert _counts() == first
    assert first[0] == 4 * City.objects.filter(is_reference=True).count() + 3
    again = list(
        DimensionScore.objects.order_by(
            "assessment__city__slug", "assessment__year", "dimension__position"
        ).values_list("score", flat=True)
    )
    assert again == scores  # the same synthetic figures on every run
    assert mail.outbox == []


def test_every_index_is_the_openness_index_of_the_stored_dimension_scores(demo_world):
    _seed()
    for assessment in Assessment.objects.select_related("result").prefetch_related("dimension_scores__dimension"):
        rows = assessment.dimension_scores.all()
        results = [
            DimensionResult(row.dimension.key, row.score, row.applicable, row.answered, row.dont_know, 0)
            for row in rows
        ]
        expected = round_half_up(openness_index(results, {row.dimension.key: row.dimension.weight for row in rows}))
        assert assessment.result.openness_index == expected
        assert len(rows) == 9


def test_the_framework_review_behind_each_framework_score_is_stored_with_it(demo_world):
    """The profile's framework table and the recommendations read the rows; the score was computed from them."""
    _seed()
    _seed()  # refreshing replaces the rows rather than adding to them
    for assessment in Assessment.objects.select_related("result", "questionnaire"):
        statuses = {row.element: row.status for row in FrameworkAnswer.objects.filter(assessment=assessment)}
        assert len(statuses) == len(assessment.questionnaire.framework)
        points = assessment.questionnaire.calibration.framework_points
        assert assessment.result.framework_score == round_half_up(framework_score(statuses, points))


def test_a_citys_own_assessment_is_never_replaced(demo_world):
    demo_city = CityFactory(slug="demo", name="Demoville")
    own, _notes = assessment_start(city=demo_city, year=THIS_YEAR - 1, user=UserFactory())
    _seed()
    _seed()
    assert list(Assessment.objects.filter(city=demo_city, year=THIS_YEAR - 1)) == [own]
    own.refresh_from_db()
    assert own.status == Assessment.Status.DRAFT and not own.is_demo


def test_without_reference_cities_only_the_demo_city_is_seeded(settings):
    settings.DEMO_MODE = True
    load_questionnaire()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "No reference cities yet" in out.getvalue()
    assert set(Assessment.objects.values_list("city__slug", flat=True)) == {"demo"}


def test_without_a_questionnaire_no_assessment_is_seeded(settings, without_questionnaire):
    settings.DEMO_MODE = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "No questionnaire is loaded" in out.getvalue()
    assert not Assessment.objects.exists()
