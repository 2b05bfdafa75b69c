"""The general policy recommendations: every active rule, grouped by theme, for anyone to read and download."""

import io

from django.db.models import Prefetch

from casestudies.models import CaseStudy, RecommendationTheme

from . import pdf
from .models import RecommendationRule
from .selectors import rules_version


def themes() -> list[RecommendationTheme]:
    """Themes with their active rules (as `general_rules`) and each rule's published case studies: three queries."""
    rules = RecommendationRule.objects.filter(is_active=True).prefetch_related(
        Prefetch("case_studies", queryset=CaseStudy.objects.published().only("slug", "title", "city"))
    )
    queryset = RecommendationTheme.objects.prefetch_related(Prefetch("rules", queryset=rules, to_attr="general_rules"))
    return [theme for theme in queryset if theme.general_rules]


_kept_pdf: dict = {}


def pdf_bytes() -> io.BytesIO:
    """The general PDF, rendered once per rule-set version and process (anyone may download it, often)."""
    version = rules_version()
    kept = _kept_pdf.get("pdf")
    if kept is None or kept[0] != version:
        kept = (version, _render())
        _kept_pdf["pdf"] = kept
    return io.BytesIO(kept[1])


def forget_pdf() -> None:
    _kept_pdf.clear()


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
