"""The general policy recommendations: every active rule, grouped by theme, for anyone to read and download."""

import io

from django.db.models import Prefetch
from django.utils.translation import get_language

from casestudies.models import CaseStudy, RecommendationTheme
from opencities import caching

from . import pdf
from .models import RecommendationRule
from .selectors import rule_set_version


def themes() -> list[RecommendationTheme]:
    """Themes with their active rules (as `general_rules`) and each rule's published case studies: three queries."""
    rules = RecommendationRule.objects.filter(is_active=True).prefetch_related(
        Prefetch("case_studies", queryset=CaseStudy.objects.published().only("slug", "title", "city"))
    )
    queryset = RecommendationTheme.objects.prefetch_related(Prefetch("rules", queryset=rules, to_attr="general_rules"))
    return [theme for theme in queryset if theme.general_rules]


def pdf_bytes() -> io.BytesIO:
    """The general PDF, rendered once per rule-set version and language (anyone may download it, often)."""
    key = caching.general_pdf_key(rule_set_version(), get_language() or "")
    return io.BytesIO(caching.cached(key, _render))


def _render() -> bytes:
    document = pdf.render_general_recommendations(
        [
            pdf.GeneralTheme(
                name=theme.name,
                description=theme.description,
                recommendations=tuple((rule.title, rule.text, rule.actions) for rule in theme.general_rules),
            )
            for theme in themes()
        ]
    )
    return document.content
