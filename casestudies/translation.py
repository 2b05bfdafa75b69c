"""The case-study library's fields that exist in every language of the site (django-modeltranslation).

Each field listed gets a column per language of settings.LANGUAGES (a new language gets its columns by a
migration, `makemigrations`); the original column stays, but its value is whichever language wrote it last, so
nothing reads it: reads go through the model's attribute (the active language, else English) or a column by its
language (casestudies/content_languages.py).
"""

from modeltranslation.translator import TranslationOptions, register

from .models import BODY_SECTIONS, CaseStudy, CityTypeTag, DimensionTag, Publication, RecommendationTheme


@register(CaseStudy)
class CaseStudyTranslation(TranslationOptions):
    # City, country and sources are names and citations, the same in every language. The search text is derived:
    # one per language, so that each language's search looks in what its readers see.
    fields = ("title", "summary", *(name for name, _label in BODY_SECTIONS), "search_text")


@register(Publication)
class PublicationTranslation(TranslationOptions):
    fields = ("title", "summary")


# The tags' names are the vocabulary's terms in each language (kept in step by services.tag_names_sync); a theme's
# description is written by editors.
@register(DimensionTag)
class DimensionTagTranslation(TranslationOptions):
    fields = ("name",)


@register(CityTypeTag)
class CityTypeTagTranslation(TranslationOptions):
    fields = ("name",)


@register(RecommendationTheme)
class RecommendationThemeTranslation(TranslationOptions):
    fields = ("name", "description")
