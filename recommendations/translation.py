"""The recommendation rules' texts in every language of the site (django-modeltranslation; see
casestudies/translation.py for how the columns are read)."""

from modeltranslation.translator import TranslationOptions, register

from .models import RecommendationRule


@register(RecommendationRule)
class RecommendationRuleTranslation(TranslationOptions):
    fields = ("title", "text", "actions")
