"""The shipped translation catalogues are complete, current and in the method's words (docs/languages.md).

Every configured language but English is checked; adding a language to LANGUAGES brings it under these tests.
"""

import tomllib

import pytest
from babel.messages.mofile import read_mo
from django.utils import translation

from opencities import catalogues, vocabulary

LANGUAGES = catalogues.translated_languages()


def shipped(language):
    return catalogues.read(catalogues.po_path(language))


def glossary(language) -> dict[str, str]:
    path = catalogues.LOCALE_DIR / language / "glossary.toml"
    return {
        english: native
        for table in tomllib.loads(path.read_text("utf-8")).values()
        for english, native in table.items()
    }


def same_as_english(language) -> set[str]:
    path = catalogues.LOCALE_DIR / language / "same-as-english.txt"
    lines = path.read_text("utf-8").splitlines() if path.exists() else []
    return {line for line in lines if line and not line.startswith("#")}


def _key(message):
    # Babel's read_mo gives a message's context as bytes, read_po as text.
    context = message.context.decode("utf-8") if isinstance(message.context, bytes) else message.context
    return (tuple(message.id) if isinstance(message.id, (list, tuple)) else message.id), context


def _text(string):
    return tuple(string) if isinstance(string, (list, tuple)) else string


def test_french_is_configured():
    assert "fr" in LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(language):
    entries = catalogues.entries(shipped(language))
    untranslated = [entry.msgid for entry in entries if not all(text.strip() for text in entry.translations)]
    fuzzy = [entry.msgid for entry in entries if entry.fuzzy]
    assert untranslated == [], f"{len(untranslated)} untranslated in {language}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy in {language}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_are_the_same_in_every_translation(language):
    problems = [
        (message.id, [str(error) for error in errors]) for message, errors in shipped(language).check() if errors
    ]
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_compiled_catalogue_is_the_source_compiled(language):
    source = catalogues.po_path(language)
    with source.with_suffix(".mo").open("rb") as handle:
        compiled = {_key(message): _text(message.string) for message in read_mo(handle) if message.id}
    expected = {
        _key(message): _text(message.string) for message in shipped(language) if message.id and not message.fuzzy
    }
    assert compiled == expected, "run `make messages` (or manage.py catalogues --compile-only) and commit the .mo"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_translation_is_left_in_english_outside_the_short_list_of_names_and_codes(language):
    allowed = same_as_english(language)
    same = [
        entry.msgid
        for entry in catalogues.entries(shipped(language))
        if entry.translations[0] == entry.msgid and entry.msgid not in allowed
    ]
    assert same == [], f"add true names, units and codes to locale/{language}/same-as-english.txt; translate the rest"


def test_every_string_marked_in_the_code_is_in_the_catalogues(tmp_path):
    """Extract afresh into a temporary folder (GNU gettext, as `make messages` does) and compare."""
    extracted = catalogues.extract_afresh(tmp_path)
    for path in extracted:
        language = path.parts[-3]
        fresh = {entry.key for entry in catalogues.entries(catalogues.read(path))}
        kept = {entry.key for entry in catalogues.entries(shipped(language))}
        assert sorted(fresh - kept) == [], f"strings missing from locale/{language}: run `make messages`"
        assert sorted(kept - fresh) == [], f"strings no longer in the code in locale/{language}: run `make messages`"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_method_words_of_the_vocabulary_are_all_in_the_glossary(language):
    words = glossary(language)
    names = [
        *(term.name for term in vocabulary.DIMENSIONS),
        *(term.name for term in vocabulary.CITY_TYPES),
        *(term.name for term in vocabulary.BANDS),
        *vocabulary.BAND_WORDS.values(),
        *(term.name for term in vocabulary.POLICY_THEMES),
        *(term.name for term in vocabulary.RECOMMENDATION_THEMES),
    ]
    with translation.override("en"):
        missing = [str(name) for name in names if str(name) not in words]
    assert missing == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_names_each_method_term_as_the_glossary_does(language):
    words = glossary(language)
    differing = [
        (entry.msgid, entry.translations[0], words[entry.msgid])
        for entry in catalogues.entries(shipped(language))
        if entry.msgid in words and entry.context is None and entry.translations[0] != words[entry.msgid]
    ]
    assert differing == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_vocabulary_reads_in_the_glossarys_words_at_run_time(language):
    """Through the compiled catalogue, as pages and documents get them."""
    words = glossary(language)
    with translation.override("en"):
        english = {term.key: str(term.name) for term in (*vocabulary.DIMENSIONS, *vocabulary.CITY_TYPES)}
    with translation.override(language):
        shown = {term.key: str(term.name) for term in (*vocabulary.DIMENSIONS, *vocabulary.CITY_TYPES)}
    assert shown == {key: words[name] for key, name in english.items()}
