"""What every admin of translated content shares: the translations an entry lacks, as a column and a filter.

The rule of what is missing is casestudies.content_languages' (the pages' "available in English only" follows the
same one). The recommendation rules' admin uses these too.
"""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.utils.translation import gettext_lazy as _

from opencities.languages import language_name

from .. import content_languages


class MissingTranslationFilter(admin.SimpleListFilter):
    """The entries lacking a translation into one language (some field has English text and none in it)."""

    title = _("missing translation")
    parameter_name = "missing"

    def lookups(self, request, model_admin):
        return [(code, language_name(code)) for code in content_languages.translations()]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if self.value() not in content_languages.translations():
            raise IncorrectLookupParameters(self.value())  # the list's "invalid lookup" answer, not every entry
        return queryset.filter(content_languages.lacking(queryset.model, self.value()))


class TranslationStatusMixin:
    """`missing_translations` for list_display: the languages an entry still lacks, by name."""

    @admin.display(description=_("missing translations"))
    def missing_translations(self, entry):
        names = [language_name(code) for code in content_languages.missing_languages(entry)]
        return ", ".join(names) or "—"


def search_fields(*fields: str) -> tuple[str, ...]:
    """The admin's search over every language's column of the translated fields, whatever the editor's own
    language (the model's attribute would search the active language's column only)."""
    return content_languages.per_language(*fields)
