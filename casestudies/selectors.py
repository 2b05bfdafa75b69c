"""Reads of the case-study library: the filtered list, related entries, and entries for a city's weaknesses."""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Greatest, TruncDate

from . import content_languages, search_columns
from .models import BODY_SECTIONS, CaseStudy, CityTypeTag, DimensionTag, RecommendationTheme

# PostgreSQL's text-search configuration of each language and the generated column that holds its vector
# (migration 0006). A language without one here (added later, before its migration) is searched word by word.
TAGS = (
    Prefetch("dimensions", queryset=DimensionTag.objects.only("key", "name")),
    Prefetch("themes", queryset=RecommendationTheme.objects.only("key", "name")),
    Prefetch("city_types", queryset=CityTypeTag.objects.only("key", "name")),
)
# A list card shows the title, place, tags and summary; the body and the search text stay in the database (each
# name stands for its columns in every language).
_LONG_FIELDS = (*(name for name, _label in BODY_SECTIONS), "sources", "search_text")


@dataclass(frozen=True)
class LibraryFilters:
    """What a reader filters the library by; each empty string means "any"."""

    dimension: str = ""
    theme: str = ""
    city_type: str = ""
    region: str = ""
    query: str = ""


def _search_vector(column: str):
    # A column that search_columns adds on PostgreSQL only (generated from a language's search text, GIN-indexed);
    # the model does not declare it, so that SQLite and the ORM's writes never see it.
    column = f'"{CaseStudy._meta.db_table}"."{column}"'  # our own names: nothing from a user
    return RawSQL(column, [], output_field=SearchVectorField())  # noqa: S611


def _title_order() -> list:
    # By the title the reader sees: an entry not yet translated sorts by its English title among the others.
    return [content_languages.shown("title"), "pk"]


def library(filters: LibraryFilters, *, include_drafts: bool = False) -> QuerySet:
    """The entries that match every filter; with a search in the active language, best matches first (PostgreSQL)
    or by title."""
    case_studies = CaseStudy.objects.all() if include_drafts else CaseStudy.objects.published()
    if filters.dimension:
        case_studies = case_studies.filter(dimensions__key=filters.dimension)
    if filters.theme:
        case_studies = case_studies.filter(themes__key=filters.theme)
    if filters.city_type:
        case_studies = case_studies.filter(city_types__key=filters.city_type)
    if filters.region:
        case_studies = case_studies.filter(region=filters.region)
    order = _title_order()
    if filters.query:
        search = search_columns.configurations().get(content_languages.active())
        if connection.vendor == "postgresql" and search:
            config, column = search
            query = SearchQuery(filters.query, config=config, search_type="websearch")
            case_studies = case_studies.alias(document=_search_vector(column)).filter(document=query)
            case_studies = case_studies.alias(rank=SearchRank(_search_vector(column), query))
            order = ["-rank", *order]
        else:
            # Elsewhere (SQLite, the embedded default): every word must appear somewhere in the active language's
            # text (`search_text` is the active language's column).
            for word in filters.query.split():
                case_studies = case_studies.filter(search_text__icontains=word)
    return case_studies.defer(*_LONG_FIELDS).prefetch_related(*TAGS).order_by(*order)


def case_study_for_reader(slug: str, *, include_drafts: bool) -> CaseStudy | None:
    case_studies = CaseStudy.objects.all() if include_drafts else CaseStudy.objects.published()
    return case_studies.prefetch_related(*TAGS).filter(slug=slug).first()


def related(case_study: CaseStudy, limit: int = 3) -> list[CaseStudy]:
    """Published entries sharing the most dimensions and city types with this one."""
    dimension_ids = [tag.pk for tag in case_study.dimensions.all()]
    type_ids = [tag.pk for tag in case_study.city_types.all()]
    if not dimension_ids and not type_ids:
        return []
    shared_dimensions = (
        CaseStudy.dimensions.through.objects.filter(casestudy=OuterRef("pk"), dimensiontag_id__in=dimension_ids)
        .values("casestudy")
        .annotate(n=Count("pk"))
        .values("n")
    )
    shared_types = (
        CaseStudy.city_types.through.objects.filter(casestudy=OuterRef("pk"), citytypetag_id__in=type_ids)
        .values("casestudy")
        .annotate(n=Count("pk"))
        .values("n")
    )
    candidates = (
        CaseStudy.objects.published()
        .exclude(pk=case_study.pk)
        .filter(Q(dimensions__in=dimension_ids) | Q(city_types__in=type_ids))
        .distinct()
        .annotate(shared_dimensions=shared_dimensions, shared_types=shared_types)
        .defer(*_LONG_FIELDS)
        .prefetch_related(*TAGS)
    )
    ranked = sorted(
        candidates,
        key=lambda other: (-(other.shared_dimensions or 0) - (other.shared_types or 0), other.title),
    )  # other.title: the title in the active language
    return ranked[:limit]


@dataclass(frozen=True)
class CaseStudyLink:
    slug: str
    title: str
    city: str
    suits_type: bool


def for_weaknesses(dimension_keys, city_type: str, limit: int = 3) -> dict[str, list[CaseStudyLink]]:
    """Up to `limit` published entries per dimension, those suiting the city's type first, titled in the active
    language: one query."""
    through = CaseStudy.dimensions.through
    suits = CaseStudy.city_types.through.objects.filter(casestudy=OuterRef("casestudy"), citytypetag__key=city_type)
    # The link table is no translated model, so the title is named by its language (its `title` column is nobody's).
    title = content_languages.shown("title", through="casestudy__")
    rows = (
        through.objects.filter(dimensiontag__key__in=list(dimension_keys), casestudy__status=CaseStudy.Status.PUBLISHED)
        .annotate(suits=Exists(suits), shown_title=title)
        .order_by("-suits", "shown_title")
        .values_list("dimensiontag__key", "casestudy__slug", "shown_title", "casestudy__city", "suits")
    )
    links = defaultdict(list)
    for key, slug, title, city, suits_type in rows:
        if len(links[key]) < limit:
            links[key].append(CaseStudyLink(slug, title, city, suits_type))
    return dict(links)


def latest(limit: int = 3) -> list[CaseStudy]:
    """The entries published or reviewed most recently, for the home page, each with `latest_on`, that day, and
    `latest_is_review`; among entries of the same day the one added last comes first."""
    fields = ("slug", "title", "city", "country", "summary", "published_at", "last_reviewed")
    published_on = TruncDate("published_at")
    entries = list(
        CaseStudy.objects.published()
        .annotate(latest_on=Greatest(Coalesce(published_on, "last_reviewed"), Coalesce("last_reviewed", published_on)))
        .order_by(F("latest_on").desc(nulls_last=True), "-pk")
        .only(*fields)[:limit]
    )
    for entry in entries:
        entry.latest_is_review = entry.last_reviewed is not None and entry.last_reviewed == entry.latest_on
    return entries
