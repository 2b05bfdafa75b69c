"""Partners, rules and ready reports for the recommendations tests, built through the real services."""

import io
from datetime import date

import factory
from django.utils import translation
from pypdf import PdfReader

from casestudies.content_languages import SOURCE_LANGUAGE
from casestudies.models import CaseStudy, CityTypeTag, DimensionTag, RecommendationTheme
from recommendations import services
from recommendations.models import Following, Partner, RecommendationRule, Report


class PartnerFactory(factory.django.DjangoModelFactory):
    """A partner with a recorded consent; `follows=[city, …]` adds its active followings."""

    class Meta:
        model = Partner
        skip_postgeneration_save = True

    organisation = factory.Sequence(lambda n: f"Chamber of Commerce {n:02d}")
    contact_name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"partner{n}@partners.test")
    consent_date = date(2026, 1, 15)
    is_active = True

    @factory.post_generation
    def follows(self, create, cities, **kwargs):
        if create:
            for city in cities or ():
                follow(self, city)


def follow(partner: Partner, city, *, is_active=True) -> Following:
    """The partner follows the city (or stops, with is_active=False), as an editor sets it in the admin."""
    following, _created = Following.objects.update_or_create(
        partner=partner, city=city, defaults={"is_active": is_active}
    )
    return following


class RecommendationRuleFactory(factory.django.DjangoModelFactory):
    """A rule that fires when Welcome & entry scores low, for every city type, unless told otherwise; its texts
    (title=…, text=…) are the English ones, whatever language a test left active (title_fr=… for French)."""

    class Meta:
        model = RecommendationRule
        skip_postgeneration_save = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with translation.override(SOURCE_LANGUAGE):
            return super()._create(model_class, *args, **kwargs)

    key = factory.Sequence(lambda n: f"rule-{n}")
    title = factory.Sequence(lambda n: f"Open a one-stop welcome centre {n}")
    theme = factory.LazyFunction(lambda: RecommendationTheme.objects.get(key="welcome-centre"))
    bands = "low"
    priority = RecommendationRule.Priority.HIGH
    text = "Bring registration, tax and schooling questions under **one roof**, in several languages."
    actions = "- Map the offices a newcomer visits\n- Pilot shared opening hours"
    is_active = True

    @factory.post_generation
    def dimensions(self, create, keys, **kwargs):
        if create:
            self.dimensions.set(DimensionTag.objects.filter(key__in=keys or ["welcome-entry"]))

    @factory.post_generation
    def city_types(self, create, keys, **kwargs):
        if create and keys:
            self.city_types.set(CityTypeTag.objects.filter(key__in=keys))

    @factory.post_generation
    def case_studies(self, create, studies, **kwargs):
        if create and studies:
            self.case_studies.set(studies)


def report_of(assessment) -> Report:
    return Report.objects.select_related("assessment__city").get(assessment=assessment)


def ready_report(assessment, capture, user=None) -> Report:
    """Request the report and run what the commit would start (the task runs in process): it ends ready."""
    with capture(execute=True):
        services.report_request(assessment=assessment, user=user)
    report = report_of(assessment)
    assert report.status == Report.Status.READY, report.error
    return report


def pdf_reader(content: bytes) -> PdfReader:
    assert content.startswith(b"%PDF"), content[:20]
    return PdfReader(io.BytesIO(content))


def pdf_text(content: bytes) -> str:
    """The PDF's text with every run of white space made one space (lines wrap where the layout chooses)."""
    return " ".join(" ".join((page.extract_text() or "").split()) for page in pdf_reader(content).pages)


def published_case_study(**fields) -> CaseStudy:
    from casestudies.tests.factories import CaseStudyFactory

    return CaseStudyFactory(status=CaseStudy.Status.PUBLISHED, **fields)
