"""The interface's translation catalogues: extracting the strings, compiling them, and reading them for the tests.

The catalogues live in locale/<language>/LC_MESSAGES/django.po, one per configured language but English (the
source language). `make messages` extracts every string the code marks (Django's makemessages, which needs GNU
gettext) and compiles the .mo files with Babel, so that running the site needs Python alone: the .mo files are
committed beside their .po. See docs/languages.md.
"""

from __future__ import annotations

import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings

BASE_DIR = Path(settings.BASE_DIR)
LOCALE_DIR = BASE_DIR / "locale"
DOMAIN = "django"
# Where no user-facing string lives: the virtual environment, runtime data, tests and tooling. Management commands
# stay in English (they are for operators), so their strings are not marked and need no exclusion here.
IGNORED = (".venv", "var", "e2e", "bench", "docs", "*/tests/*", "conftest.py", "node_modules", "*/vendor/*")


def translated_languages() -> list[str]:
    """Every configured language but the source language."""
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def po_path(language: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract() -> list[Path]:
    """Run makemessages for every translated language, merging into the shipped catalogues."""
    return _makemessages(BASE_DIR)


def extract_afresh(folder: Path) -> list[Path]:
    """The catalogues as a fresh extraction would write them, in `folder`, leaving the shipped ones untouched.

    makemessages walks the current folder and writes into the locale folder beside the code, so it runs on a copy.
    """
    source = folder / "source"
    shutil.copytree(BASE_DIR, source, ignore=shutil.ignore_patterns(".git", ".venv", "var", "locale", "node_modules"))
    return _makemessages(source)


def _makemessages(root: Path) -> list[Path]:
    if shutil.which("xgettext") is None:
        raise RuntimeError("GNU gettext is missing: install it (apt-get install gettext) to extract the strings")
    locale_dir = root / "locale"
    languages = translated_languages()
    for language in languages:
        po_path(language, locale_dir).parent.mkdir(parents=True, exist_ok=True)
    here = Path.cwd()
    try:
        os.chdir(root)
        with override_settings(LOCALE_PATHS=[locale_dir]):
            call_command(
                "makemessages",
                locale=languages,
                domain=DOMAIN,
                ignore_patterns=list(IGNORED),
                no_obsolete=True,
                add_location="file",
                verbosity=0,
            )
    finally:
        os.chdir(here)
    return [po_path(language, locale_dir) for language in languages]


def read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, abort_invalid=True)


def compiled(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def compile_all(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Write each language's .mo beside its .po, with Babel (no gettext needed)."""
    written = []
    for language in translated_languages():
        source = po_path(language, locale_dir)
        target = source.with_suffix(".mo")
        target.write_bytes(compiled(read(source)))
        written.append(target)
    return written


@dataclass(frozen=True)
class Entry:
    msgid: str
    context: str | None
    translation: str | tuple[str, ...]
    fuzzy: bool
    flags: frozenset[str]
    locations: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str | None]:
        return self.msgid, self.context

    @property
    def translations(self) -> tuple[str, ...]:
        return self.translation if isinstance(self.translation, tuple) else (self.translation,)


def entries(catalog: Catalog) -> list[Entry]:
    """The catalogue's messages but its header, each with its first msgid (the singular)."""
    found = []
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
        translation = tuple(message.string) if isinstance(message.string, (list, tuple)) else message.string
        found.append(
            Entry(
                msgid=msgid,
                context=message.context,
                translation=translation,
                fuzzy=message.fuzzy,
                flags=frozenset(message.flags),
                locations=tuple(f"{path}:{line}" for path, line in message.locations),
            )
        )
    return found
