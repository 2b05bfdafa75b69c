"""Reads for recommendations and reports: the tailored list of an assessment, and everything its PDF shows."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Max, Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import comparison as peer_comparison
from assessments import selectors as assessment_selectors
from assessments.models import Assessment, FrameworkStatus
from assessments.peer_groups import DefaultComparison, default_comparison
from casestudies import content_languages
from casestudies.models import CaseStudy, RecommendationTheme
from opencities import caching
from opencities.links import absolute_url

from . import rules
from .models import Partner, RecommendationRule, Report, comma_separated
from .report_data import (
    CaseStudyRef,
    EvidenceLine,
    FrameworkLine,
    Highlight,
    RecommendationLine,
    ReportData,
    ScoreLine,
)

INDEX_KEY = peer_comparison.INDEX_KEY


def rule_set_version() -> tuple:
    """What changes whenever the active rule set would: rules saved, added or removed, their case studies changed.

    Only the linked case studies are read (through the link table), not the whole library.
    """
    rules_state = RecommendationRule.objects.aggregate(
        changed=Max("updated_at"), count=Count("pk"), active=Count("pk", filter=Q(is_active=True))
    )
    links_state = RecommendationRule.case_studies.through.objects.aggregate(
        changed=Max("casestudy__updated_at"), count=Count("pk")
    )
    # Fifteen short rows: the themes' names appear in every recommendation, their descriptions in the general PDF;
    # every language's, so that a change in any of them moves the version.
    theme_columns = ("key", *content_languages.per_language("name", "description"))
    themes = tuple(RecommendationTheme.objects.order_by("pk").values_list(*theme_columns))
    return (*rules_state.values(), *links_state.values(), themes)


# The rules' texts, as the engine carries them (rules.Rule's fields).
RULE_TEXTS = ("title", "text", "actions")


@dataclass(frozen=True)
class RuleSet:
    """The active rules in one language, with the texts each shows in English for want of a translation."""

    rules: list[rules.Rule]
    in_source_only: dict[str, frozenset[str]]  # text field → keys of the rules that show it in English


def active_rules() -> list[rules.Rule]:
    """Every active rule as plain data for the engine, in the active language (English where a text is not
    translated)."""
    return active_rule_set().rules


def active_rule_set() -> RuleSet:
    """The active rules, read once per rule-set version and language (see opencities/caching.py).

    Rule sets change a few times a year and every report, recommendations page and PDF reads them. The language
    is part of the key: each language's entry holds its own texts.
    """
    key = caching.rule_set_key((*rule_set_version(), content_languages.active()))
    return caching.cached(key, _read_active_rules)


def _read_active_rules() -> RuleSet:
    """Four queries: the rules with their themes, then their dimensions, city types and published case studies."""
    rows = list(RecommendationRule.objects.filter(is_active=True).select_related("theme"))
    ids = [row.pk for row in rows]
    links = {}
    for name, field in (("dimensions", "dimensiontag__key"), ("city_types", "citytypetag__key")):
        through = getattr(RecommendationRule, name).through.objects.filter(recommendationrule_id__in=ids)
        for rule_id, key in through.order_by(field.replace("__key", "__position"), field).values_list(
            "recommendationrule_id", field
        ):
            links.setdefault((name, rule_id), []).append(key)
    published = RecommendationRule.case_studies.through.objects.filter(
        recommendationrule_id__in=ids, casestudy__status=CaseStudy.Status.PUBLISHED
    )
    # By the title the reader sees (the link table is no translated model: its title column is named by language).
    by_title = published.order_by(content_languages.shown("title", through="casestudy__"))
    for rule_id, slug in by_title.values_list("recommendationrule_id", "casestudy__slug"):
        links.setdefault(("case_studies", rule_id), []).append(slug)
    engine_rules = [
        rules.Rule(
            key=row.key,
            title=row.title,  # the active language's, else the English
            theme_key=row.theme.key,
            theme_name=row.theme.name,
            dimension_keys=tuple(links.get(("dimensions", row.pk), ())),
            bands=tuple(comma_separated(row.bands)),
            framework_elements=tuple(comma_separated(row.framework_elements)),
            city_types=tuple(links.get(("city_types", row.pk), ())),
            priority=row.priority,
            text=row.text,
            actions=row.actions,
            case_study_slugs=tuple(links.get(("case_studies", row.pk), ())),
        )
        for row in rows
    ]
    in_source_only = {
        field: frozenset(row.key for row in rows if content_languages.in_source_only(row, field))
        for field in RULE_TEXTS
    }
    return RuleSet(engine_rules, in_source_only)


@dataclass(frozen=True)
class Tailored:
    """An assessment's recommendations with the comparison and profile they were chosen from."""

    profile: assessment_selectors.Profile
    peers: DefaultComparison
    recommendations: list[rules.Recommendation]
    framework_gaps: list[rules.FrameworkGap]
    case_studies: dict[str, CaseStudy]  # by slug, for the links of the recommendations
    # text field → keys of the chosen rules whose text shows in English on a page of another language
    in_source_only: dict[str, frozenset[str]]


def tailored(assessment: Assessment) -> Tailored:
    """The recommendations for a submitted assessment (read with select_related questionnaire, result, city)."""
    profile = assessment_selectors.profile_data(assessment)
    peers = default_comparison(assessment, profile.result.scores())
    medians = {row.key: row.stats.median for row in peers.comparisons}
    dimensions = [
        rules.DimensionInput(
            key=row.key, name=row.name, score=row.score, band=row.band or None, peer_median=medians.get(row.key)
        )
        for row in profile.dimensions
    ]
    framework = [
        rules.FrameworkInput(key=row.key, name=row.name, status=row.status or None) for row in profile.framework
    ]
    rule_set = active_rule_set()
    chosen = rules.recommend(rule_set.rules, dimensions, framework, profile.result.effective_type)
    slugs = {slug for recommendation in chosen for slug in recommendation.rule.case_study_slugs}
    case_studies = (
        CaseStudy.objects.published().filter(slug__in=slugs).only("slug", "title", "city").in_bulk(field_name="slug")
    )
    return Tailored(
        profile, peers, chosen, rules.framework_gaps(framework, chosen), case_studies, rule_set.in_source_only
    )


def _case_study_refs(recommendation: rules.Recommendation, case_studies: dict[str, CaseStudy]) -> tuple:
    return tuple(
        CaseStudyRef(
            case_studies[slug].title, case_studies[slug].city, absolute_url(case_studies[slug].get_absolute_url())
        )
        for slug in recommendation.rule.case_study_slugs
        if slug in case_studies
    )


def _previous_scores(assessment: Assessment) -> tuple[Assessment | None, dict[str, Decimal | None]]:
    """The city's last submitted assessment before this one, on the same questionnaire major, and its scores."""
    previous = (
        Assessment.objects.filter(
            city_id=assessment.city_id,
            status=Assessment.Status.SUBMITTED,
            year__lt=assessment.year,
            questionnaire__major=assessment.questionnaire.major,
            result__isnull=False,
        )
        .select_related("result")
        .order_by("-year", "-submitted_at")
        .first()
    )
    if previous is None:
        return None, {}
    return previous, previous.result.scores()


def _evidence(assessment: Assessment) -> tuple[EvidenceLine, ...]:
    structure = assessment_selectors.questionnaire_structure(assessment.questionnaire)
    answers = assessment_selectors.answers_by_question(assessment)
    lines = []
    for dimension in structure.dimensions:
        for question in structure.questions_by_dimension[dimension.pk]:
            answer = answers.get(question.pk)
            if answer is None or not (answer.evidence_note or answer.evidence_url):
                continue
            lines.append(
                EvidenceLine(
                    dimension=dimension.name,
                    question=question.text,
                    answer=assessment_selectors.value_in_words(question, answer),
                    note=answer.evidence_note,
                    url=answer.evidence_url,
                )
            )
    return tuple(lines)


def report_data(assessment: Assessment) -> ReportData:
    """Everything the tailored PDF shows, for a submitted assessment."""
    chosen = tailored(assessment)
    profile, peers = chosen.profile, chosen.peers
    by_key = {row.key: row for row in peers.comparisons}
    strengths, weaknesses = peer_comparison.strengths_and_weaknesses(
        [row for row in peers.comparisons if row.key != INDEX_KEY], assessment.questionnaire.calibration.bands
    )
    names = {row.key: row.name for row in profile.dimensions}
    previous_assessment, previous = _previous_scores(assessment)
    titles = {item.rule.key: item.rule.title for item in chosen.recommendations}
    gaps = {gap.key: gap for gap in chosen.framework_gaps}
    priority_names = dict(RecommendationRule.Priority.choices)
    result = profile.result
    index_row = by_key.get(INDEX_KEY)
    return ReportData(
        city=assessment.city.name,
        country=assessment.city.country,
        year=assessment.year,
        questionnaire_version=assessment.questionnaire.version,
        generated_on=timezone.localdate(),
        city_type=profile.city_type.name,
        city_type_description=profile.city_type.description,
        city_type_reason=(
            _("Set by an editor: %(reason)s") % {"reason": result.override_reason}
            if result.override_type
            else " ".join(part for part in (profile.rule_description, profile.type_explanation) if part)
        ),
        index=result.openness_index,
        index_band=profile.index.band_label,
        peer_group=peers.group.definition
        if peers.group
        else _("Too few comparable cities have assessed for a peer group yet; strengths and weaknesses use bands."),
        peer_n=peers.n,
        index_rank=index_row.rank if index_row else None,
        strengths=tuple(
            Highlight(names.get(item.comparison.key, item.comparison.key), peer_comparison.gap_in_words(item))
            for item in strengths
        ),
        weaknesses=tuple(
            Highlight(names.get(item.comparison.key, item.comparison.key), peer_comparison.gap_in_words(item))
            for item in weaknesses
        ),
        scores=tuple(
            ScoreLine(
                key=row.key,
                name=row.name,
                score=row.score,
                band=row.band,
                median=by_key[row.key].stats.median if row.key in by_key else None,
                p25=by_key[row.key].stats.p25 if row.key in by_key else None,
                p75=by_key[row.key].stats.p75 if row.key in by_key else None,
                rank=by_key[row.key].rank if row.key in by_key else None,
                previous=previous.get(row.key),
            )
            for row in profile.dimensions
        ),
        previous_year=previous_assessment.year if previous_assessment else None,
        previous_is_demo=bool(previous_assessment and previous_assessment.is_demo),
        recommendations=tuple(
            RecommendationLine(
                title=item.rule.title,
                theme=item.rule.theme_name,
                priority=str(priority_names.get(item.rule.priority, item.rule.priority)),
                reasons=item.reasons,
                text=item.rule.text,
                actions=item.rule.actions,
                case_studies=_case_study_refs(item, chosen.case_studies),
                in_english_only=any(item.rule.key in keys for keys in chosen.in_source_only.values()),
            )
            for item in chosen.recommendations
        ),
        framework=tuple(
            FrameworkLine(
                name=row.name,
                status=str(FrameworkStatus(row.status).label) if row.status else _("Not answered"),
                link=row.link,
                closed_by=tuple(titles[key] for key in gaps[row.key].closed_by if key in titles)
                if row.key in gaps
                else (),
            )
            for row in profile.framework
        ),
        evidence=_evidence(assessment),
        is_demo=assessment.is_demo,
        peer_medians={
            row.key: row.stats.median
            for row in peers.comparisons
            if row.key != INDEX_KEY and row.stats.median is not None
        },
        site_url=absolute_url("/"),
    )


@dataclass(frozen=True)
class ReportPdf:
    """One of a ready report's PDFs: the one in the city's language (`Report.file`) or a ReportFile."""

    language: str
    file: FieldFile
    pages: int | None
    size: int | None
    filename: str  # as downloaded and attached


def report_file_name(assessment: Assessment, language: str, *, primary: bool) -> str:
    """A report PDF's file name, stored and downloaded: the one in the city's language as it always was, the others
    with their language (zurich-2025-openness-report-fr.pdf)."""
    suffix = "" if primary else f"-{language}"
    return f"{assessment.city.slug}-{assessment.year}-openness-report{suffix}.pdf"


def report_pdfs(report: Report) -> list[ReportPdf]:
    """A report's PDFs, the one in the city's language first, then the others in the order of settings.LANGUAGES."""
    assessment = report.assessment
    pdfs = [
        ReportPdf(
            report.language,
            report.file,
            report.pages,
            report.size,
            report_file_name(assessment, report.language, primary=True),
        )
    ]
    order = [code for code, _name in settings.LANGUAGES]
    others = sorted(
        report.files.all(), key=lambda row: order.index(row.language) if row.language in order else len(order)
    )
    pdfs += [
        ReportPdf(
            row.language, row.file, row.pages, row.size, report_file_name(assessment, row.language, primary=False)
        )
        for row in others
    ]
    return pdfs


def report_pdf(report: Report, language: str) -> ReportPdf:
    """The PDF a reader of `language` gets: the one in it if the lead generated it, else the one in the city's."""
    pdfs = report_pdfs(report)
    return next((item for item in pdfs if item.language == language), pdfs[0])


def recipients(city) -> list[Partner]:
    """The partners a city's report may go to: active, with a consent date, following the city actively."""
    return list(
        Partner.objects.filter(
            is_active=True,
            consent_date__isnull=False,
            followings__city=city,
            followings__is_active=True,
        ).order_by("organisation", "pk")
    )
