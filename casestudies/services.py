"""Writes to the case-study library: bulk imports, publishing, the tags' names."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone, translation

from opencities import vocabulary

from . import content_languages
from .models import CaseStudy, CityTypeTag, DimensionTag, RecommendationTheme

TAG_FIELDS = ("dimensions", "themes", "city_types")
BATCH = 500


@transaction.atomic
def case_studies_write(*, entries: Iterable[tuple[CaseStudy, bool]]) -> int:
    """Store checked entries (instance, is_new) with their `imported_tags`, in bulk; returns how many."""
    entries = list(entries)
    now = timezone.now()
    for case_study, _is_new in entries:
        case_study.search_texts_refresh()
        if case_study.status == CaseStudy.Status.PUBLISHED and case_study.published_at is None:
            case_study.published_at = now
        elif case_study.status == CaseStudy.Status.DRAFT:
            case_study.published_at = None
        case_study.updated_at = now
    new = [case_study for case_study, is_new in entries if is_new]
    changed = [case_study for case_study, is_new in entries if not is_new]
    CaseStudy.objects.bulk_create(new, batch_size=BATCH)
    if any(case_study.pk is None for case_study in new):  # a database that returns no ids
        ids = dict(CaseStudy.objects.filter(slug__in=[c.slug for c in new]).values_list("slug", "pk"))
        for case_study in new:
            case_study.pk = ids[case_study.slug]
    if changed:
        fields = [
            field.name
            for field in CaseStudy._meta.concrete_fields
            if not field.primary_key and field.name not in ("created_at",)
        ]
        CaseStudy.objects.bulk_update(changed, fields, batch_size=BATCH)
    for name in TAG_FIELDS:
        _replace_tags(name, [case_study for case_study, _is_new in entries if name in case_study.imported_tags])
    return len(entries)


def _replace_tags(name: str, case_studies: list[CaseStudy]) -> None:
    """The rows' tags of one kind, as the file gives them: old links removed, new ones in one insert."""
    if not case_studies:
        return
    through = getattr(CaseStudy, name).through
    tag_column = getattr(CaseStudy, name).field.m2m_reverse_field_name()
    through.objects.filter(casestudy_id__in=[c.pk for c in case_studies]).delete()
    through.objects.bulk_create(
        (
            through(casestudy_id=case_study.pk, **{f"{tag_column}_id": tag.pk})
            for case_study in case_studies
            for tag in case_study.imported_tags[name]
        ),
        batch_size=BATCH * 4,
    )


@transaction.atomic
def case_studies_publish(*, case_studies, publish: bool) -> int:
    """Publish (or take back to draft) the given entries; returns how many changed."""
    status = CaseStudy.Status.PUBLISHED if publish else CaseStudy.Status.DRAFT
    changing = list(case_studies.exclude(status=status))
    for case_study in changing:
        case_study.status = status
        case_study.published_at = timezone.now() if publish else None
        case_study.save(update_fields=["status", "published_at", "updated_at"])
    return len(changing)


TAG_TERMS = (
    (DimensionTag, vocabulary.DIMENSIONS),
    (CityTypeTag, vocabulary.CITY_TYPES),
    (RecommendationTheme, vocabulary.RECOMMENDATION_THEMES),
)


def tag_names_sync(*, using: str = "default", apps=None, **kwargs) -> int:
    """The tags' names in every language, as the vocabulary and its catalogue word them; returns how many rows
    changed. Run after every migrate (apps.py): a language added to the settings, or a term worded anew in its
    catalogue, reaches the rows without a data migration of its own, and the glossary stays the one source of the
    method's words. A row whose key the vocabulary no longer has is left as it is."""
    columns = list(content_languages.per_language("name"))
    if apps is not None:  # a migrate that left the tables short of a language's column (or of the tables) writes none
        try:
            present = {field.name for field in apps.get_model("casestudies", "DimensionTag")._meta.get_fields()}
        except LookupError:
            return 0
        if not set(columns) <= present:
            return 0
    changed = 0
    for model, terms in TAG_TERMS:
        rows = {row.key: row for row in model.objects.using(using)}
        stale = []
        for term in terms:
            row = rows.get(term.key)
            if row is None:
                continue
            names = {}
            for language in content_languages.languages():
                # The source names untranslated, as migration 0002 stored them; the others from the catalogue.
                with translation.override(None if language == content_languages.SOURCE_LANGUAGE else language):
                    names[content_languages.localized("name", language)] = str(term.name)
            if any(getattr(row, column) != name for column, name in names.items()):
                for column, name in names.items():
                    setattr(row, column, name)
                stale.append(row)
        model.objects.using(using).bulk_update(stale, columns)
        changed += len(stale)
    return changed
