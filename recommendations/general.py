"""The general policy recommendations: every active rule, grouped by theme, for anyone to read and download."""

import io

from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import get_language

from casestudies.models import CaseStudy, RecommendationTheme
from opencities import caching
from opencities.links import absolute_url

from . import pdf
from .models import RecommendationRule
from .report_data import CaseStudyRef
from .selectors import rule_set_version


def themes() -> list[RecommendationTheme]:
    """Themes with their active rules (as `general_rules`), each rule's published case studies and the city types it
    is meant for (none: every city): four queries.

    Within a theme, the rules for every city come first, then those meant for particular types.
    """
    rules = RecommendationRule.objects.filter(is_active=True).prefetch_related(
        Prefetch("case_studies", queryset=CaseStudy.objects.published().only("slug", "title", "city")),
        "city_types",
    )
    queryset = RecommendationTheme.objects.prefetch_related(Prefetch("rules", queryset=rules, to_attr="general_rules"))
    found = [theme for theme in queryset if theme.general_rules]
    for theme in found:
        theme.general_rules.sort(key=lambda rule: bool(rule.city_types.all()))  # stable: keeps the rules' order
    return found


def pdf_bytes() -> io.BytesIO:
    """The general PDF, rendered once per rule-set version and language (anyone may download it, often)."""
    key = caching.general_pdf_key(rule_set_version(), get_language() or "")
    return io.BytesIO(caching.cached(key, _render))


def _recommendation(rule: RecommendationRule) -> pdf.GeneralRecommendation:
    return pdf.GeneralRecommendation(
        title=rule.title,
        text=rule.text,
        actions=rule.actions,
        case_studies=tuple(
            CaseStudyRef(case_study.title, case_study.city, absolute_url(case_study.get_absolute_url()))
            for case_study in rule.case_studies.all()
        ),
        city_types=tuple(city_type.name for city_type in rule.city_types.all()),
    )


def _render() -> bytes:
    changed = RecommendationRule.objects.filter(is_active=True).aggregate(changed=Max("updated_at"))["changed"]
    document = pdf.render_general_recommendations(
        [
            pdf.GeneralTheme(
                name=theme.name,
                description=theme.description,
                recommendations=tuple(_recommendation(rule) for rule in theme.general_rules),
            )
            for theme in themes()
        ],
        as_of=timezone.localdate(changed) if changed else timezone.localdate(),
    )
    return document.content
