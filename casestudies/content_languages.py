"""Editors' content in several languages: which language a reader sees each field in, which translations an entry
lacks, and the per-language columns of the imports.

The fields themselves are django-modeltranslation's (casestudies/translation.py, recommendations/translation.py):
each registered field `title` has one column per language of settings.LANGUAGES (`title_en`, `title_fr`), and
`entry.title` reads the active language's text, or the English when that one is empty. English is the content's
source: it is required, and every other language falls back to it. This module is the one place that says when a
text counts as missing, for the pages' "available in English only", the admin's list and filter, and the checks
of the shipped data.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext as _
from modeltranslation import utils
from modeltranslation.translator import translator

SOURCE_LANGUAGE = settings.MODELTRANSLATION_DEFAULT_LANGUAGE


def languages() -> tuple[str, ...]:
    """Every language of the site, the source first."""
    codes = [code for code, _name in settings.LANGUAGES]
    return (SOURCE_LANGUAGE, *(code for code in codes if code != SOURCE_LANGUAGE))


def translations() -> tuple[str, ...]:
    """The languages an entry is translated into (every one but the source)."""
    return languages()[1:]


def active() -> str:
    """The active language as the content knows it ("fr" for an active "fr-ch"; the source for an unknown one)."""
    return utils.get_language()


def localized(field: str, language: str) -> str:
    """The column of one field in one language: title, fr → title_fr."""
    return utils.build_localized_fieldname(field, language)


def per_language(*fields: str) -> tuple[str, ...]:
    """Each field's columns, the source language first: title, summary → title_en, title_fr, summary_en, …"""
    return tuple(localized(field, language) for field in fields for language in languages())


def reader_fields(model) -> tuple[str, ...]:
    """The translated fields a reader sees, in the model's order (not derived ones such as the search text)."""
    names = translator.get_options_for_model(model).all_fields
    return tuple(field.name for field in model._meta.concrete_fields if field.name in names and field.editable)


def _has_text(value) -> bool:
    return value is not None and str(value).strip() != ""


def lacks(instance, language: str, fields=None) -> list[str]:
    """The fields whose English text has no translation into `language` (a field empty in English lacks nothing)."""
    fields = reader_fields(type(instance)) if fields is None else fields
    return [
        field
        for field in fields
        if _has_text(getattr(instance, localized(field, SOURCE_LANGUAGE)))
        and not _has_text(getattr(instance, localized(field, language)))
    ]


def missing_languages(instance, fields=None) -> list[str]:
    """The languages into which some field of the entry is not translated."""
    return [language for language in translations() if lacks(instance, language, fields)]


def lacking(model, language: str, fields=None) -> Q:
    """The entries lacking a translation into `language`, as a filter (the same rule as `lacks`)."""
    condition = Q(pk__in=[])
    for field in reader_fields(model) if fields is None else fields:
        source, translated = localized(field, SOURCE_LANGUAGE), localized(field, language)
        has_source = Q(**{f"{source}__isnull": False}) & ~Q(**{source: ""})
        condition |= has_source & (Q(**{f"{translated}__isnull": True}) | Q(**{translated: ""}))
    return condition


def in_source_only(instance, field: str, language: str | None = None) -> bool:
    """Whether the reader of `language` (the active one) sees this field's English text in its place."""
    language = language or active()
    if language == SOURCE_LANGUAGE:
        return False
    return field in lacks(instance, language, (field,))


def shown(field: str, *, through: str = ""):
    """The field's text as a reader of the active language sees it, for ordering in SQL: the translation, else the
    English. `through` is the path of a relation ("casestudy__"), for a query on another model."""
    source = F(through + localized(field, SOURCE_LANGUAGE))
    if active() == SOURCE_LANGUAGE:
        return source  # a plain column, which an index can serve
    return Coalesce(NullIf(F(through + localized(field, active())), Value("")), source, output_field=CharField())


def column_problems(headers, fields, known_columns) -> list[str]:
    """What is wrong with an import's columns of translated fields: one problem per column, by its name.

    A translated field has a column per language (title_en, title_fr); a column of a language the site does not
    have (title_de, title_xx) is refused rather than ignored, since its text would be lost without a word; so is
    a column without a language (title), which would be read as whichever language happened to be active.
    """
    problems = []
    known = set(known_columns)
    expected = ", ".join(languages())
    for header in headers or ():
        name = str(header or "").strip()
        if name in known:
            continue
        for field in fields:
            columns = ", ".join(localized(field, language) for language in languages())
            if name.casefold() == field:
                problems.append(
                    _("Column %(column)s: name its language, as %(columns)s.") % {"column": name, "columns": columns}
                )
            elif name.casefold().startswith(f"{field}_"):
                problems.append(
                    _(
                        "Column %(column)s: “%(language)s” is not a language of this site (%(languages)s); "
                        "use %(columns)s."
                    )
                    % {
                        "column": name,
                        "language": name[len(field) + 1 :],
                        "languages": expected,
                        "columns": columns,
                    }
                )
    return problems


def headers_check(headers, *, required, fields, known_columns) -> None:
    """Refuse an import whose first row lacks a required column or names a translated field's column wrongly.

    The one check of both editors' imports (case studies and recommendation rules); ValidationError says why.
    """
    missing = [column for column in required if column not in (headers or [])]
    if missing:
        raise ValidationError(
            _("The file has no %(columns)s column; its first row must name the columns: %(expected)s.")
            % {"columns": ", ".join(missing), "expected": ", ".join(known_columns)}
        )
    problems = column_problems(headers, fields, known_columns)
    if problems:
        raise ValidationError(" ".join(problems))
