"""The general policy recommendations: every active rule, grouped by theme, for anyone to read and download."""

import io
from dataclasses import dataclass
from datetime import date

from django.db.models import Max, Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from casestudies import content_languages
from casestudies.models import CaseStudy, RecommendationTheme
from casestudies.offers import OfferedDocument
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


@dataclass(frozen=True)
class GeneralPdf:
    content: bytes
    pages: int
    as_of: date  # the day the active rules last changed, printed under the title


def general_pdf() -> GeneralPdf:
    """The general PDF, rendered once per rule-set version and language (anyone may download it, often)."""
    key = caching.general_pdf_key(rule_set_version(), get_language() or "")
    return caching.cached(key, _render)


def pdf_bytes() -> io.BytesIO:
    return io.BytesIO(general_pdf().content)


def offered_document() -> OfferedDocument | None:
    """The general PDF as the downloads page lists it; None while no rule is active (the PDF would be empty)."""
    if not RecommendationRule.objects.filter(is_active=True).exists():
        return None
    document = general_pdf()
    return OfferedDocument(
        section="policy",
        title=str(pdf.GENERAL_TITLE),
        description=_(
            "Every recommendation the platform gives, grouped by policy theme, with the case studies that show it "
            "done: the same advice as the Recommendations page, to read offline or share."
        ),
        url=reverse("general_recommendations_pdf"),
        pages=document.pages,
        size=len(document.content),
        dated=document.as_of,
    )


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
        in_english_only=any(content_languages.in_source_only(rule, field) for field in ("title", "text", "actions")),
    )


def _render() -> GeneralPdf:
    changed = RecommendationRule.objects.filter(is_active=True).aggregate(changed=Max("updated_at"))["changed"]
    as_of = timezone.localdate(changed) if changed else timezone.localdate()
    document = pdf.render_general_recommendations(
        [
            pdf.GeneralTheme(
                name=theme.name,
                description=theme.description,
                recommendations=tuple(_recommendation(rule) for rule in theme.general_rules),
            )
            for theme in themes()
        ],
        as_of=as_of,
    )
    return GeneralPdf(document.content, document.pages, as_of)
