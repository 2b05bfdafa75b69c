import factory
from django.utils import translation

from casestudies.content_languages import SOURCE_LANGUAGE
from casestudies.models import CaseStudy, CityTypeTag, DimensionTag, RecommendationTheme


class CaseStudyFactory(factory.django.DjangoModelFactory):
    """An entry; its texts (title=…, summary=…) are the English ones, whatever language a test left active;
    title_fr=… and the like give its translations."""

    class Meta:
        model = CaseStudy
        skip_postgeneration_save = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with translation.override(SOURCE_LANGUAGE):
            return super()._create(model_class, *args, **kwargs)

    title = factory.Sequence(lambda n: f"Initiative {n}")
    slug = factory.Sequence(lambda n: f"initiative-{n}")
    city = "Zürich"
    country = "Switzerland"
    region = "europe"
    year_start = 2015
    summary = "A city service that helps newcomers settle."
    what_was_done = "The city opened a **welcome desk**."
    sources = "City of Zürich, annual report (2016). https://www.stadt-zuerich.ch/report"
    status = CaseStudy.Status.PUBLISHED

    @factory.post_generation
    def dimensions(self, create, keys, **kwargs):
        if create:
            self.dimensions.set(DimensionTag.objects.filter(key__in=keys or ["welcome-entry"]))

    @factory.post_generation
    def themes(self, create, keys, **kwargs):
        if create:
            self.themes.set(RecommendationTheme.objects.filter(key__in=keys or ["welcome-centre"]))

    @factory.post_generation
    def city_types(self, create, keys, **kwargs):
        if create:
            self.city_types.set(CityTypeTag.objects.filter(key__in=keys or ["niche-hub"]))
