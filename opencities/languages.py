"""Which language a page is in, and the account's choice of it (docs/languages.md).

A page's address carries its language (/fr/…), so that a shared link opens as it was shared. An address without
one (an old bookmark, the admin, a typed domain) follows the signed-in account's choice, then the browser's
languages, then English. The admin lives outside the prefixes and follows the same choice.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


def language_choices() -> list[tuple[str, str]]:
    """The configured languages, as the choices of every model field that holds one.

    A callable, so that migrations refer to it rather than copy the list: adding a language to LANGUAGES needs
    no migration for these fields (docs/languages.md, Adding a language).
    """
    return list(settings.LANGUAGES)


# Languages that write every noun with a capital, so a label keeps its first letter inside a sentence.
NOUNS_CAPITALISED = frozenset({"de"})


def in_sentence(label: object) -> str:
    """A label ("Lead", "Budget") as it reads inside a sentence of the active language: "lead" in English, French
    and Spanish, "Verantwortliche Person" kept in German; an acronym ("ICT plan") keeps its capitals."""
    text = str(label)
    if (translation.get_language() or "") in NOUNS_CAPITALISED or (len(text) > 1 and text[1].isupper()):
        return text
    return text[:1].lower() + text[1:]


def list_separator() -> str:
    """What separates the items of a run-in list ("a; b; c"), as the active language writes it: French puts a
    no-break space before the semicolon."""
    return translation.pgettext("between the items of a list", "; ")


def configured(language: str) -> bool:
    return language in dict(settings.LANGUAGES)


def language_name(language: str) -> str:
    """A configured language's name in the active language ("French", "Français"), as the switcher's list gives it;
    a code no longer configured is shown as it is."""
    return str(dict(settings.LANGUAGES).get(language, language))


def account_language(user) -> str | None:
    """The language a signed-in account chose, or None (a visitor, or an account that never chose)."""
    if user is None or not user.is_authenticated:
        return None
    from .models import NoticePreferences  # the models import this module for language_choices

    language = NoticePreferences.objects.filter(user=user).values_list("language", flat=True).first()
    return language if language and configured(language) else None


class AccountLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, with the account's choice before the browser's for an address without a language.

    It stands after AuthenticationMiddleware, to know the account. LocaleMiddleware's response step then sends an
    unprefixed page address to the same page under the language chosen here.
    """

    def process_request(self, request):
        super().process_request(request)
        if translation.get_language_from_path(request.path_info):
            return  # the address says it
        chosen = account_language(getattr(request, "user", None))
        if chosen:
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
