"""The PDFs' fonts draw every character the translations use: a character a font lacks prints as an empty box,
and reportlab says nothing about it (docs/languages.md, Adding a language)."""

import io
import unicodedata
from html import escape
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from pypdf import PdfReader
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph, SimpleDocTemplate

from opencities.fonts import BOLD, FONT_FILES, REGULAR, register_fonts

TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
# What French writing needs beyond ASCII and that a font may well lack: the ligature, the quotation marks, the
# accented letters, and the no-break spaces before : ; ? ! % and inside « » (U+00A0 and the narrow U+202F).
FRENCH = "œŒ«»éèêëàâîïôûùüÿçÉÈÊÀÂÎÔÛÇ’\u00a0\u202f"


def catalogue_characters(language: str) -> set[str]:
    """Every character of the language's translations (msgstr, plural forms included), control characters left
    out: line breaks and tabs are layout, never drawn."""
    path = Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po"
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    characters = set()
    for message in catalogue:
        if not message.id:
            continue  # the header
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            characters.update(string or "")
    return {character for character in characters if unicodedata.category(character) != "Cc"}


def missing_glyphs(font_name: str, characters) -> list[str]:
    register_fonts()
    face = pdfmetrics.getFont(font_name).face
    return sorted(f"U+{ord(c):04X} {unicodedata.name(c, '?')}" for c in characters if ord(c) not in face.charToGlyph)


@pytest.mark.parametrize("font_name", sorted(FONT_FILES))
def test_the_fonts_draw_what_french_writing_needs(font_name):
    assert missing_glyphs(font_name, FRENCH) == []


@pytest.mark.parametrize("font_name", sorted(FONT_FILES))
@pytest.mark.parametrize("language", TRANSLATED)
def test_the_fonts_draw_every_character_of_each_catalogue(language, font_name):
    characters = catalogue_characters(language)
    assert len(characters) > 60, "the catalogue was read"
    assert missing_glyphs(font_name, characters) == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_character_of_each_catalogue_renders_in_a_pdf_and_reads_back(language):
    register_fonts()
    # Markup's own characters are escaped, as every PDF of the platform does (opencities.documents.escaped).
    characters = sorted(catalogue_characters(language) - set(" "))
    text = " ".join(escape(character) for character in characters)
    out = io.BytesIO()
    styles = [ParagraphStyle(name, fontName=name, fontSize=10, leading=12) for name in (REGULAR, BOLD)]
    SimpleDocTemplate(out).build([Paragraph(text, style) for style in styles])
    extracted = "".join(page.extract_text() for page in PdfReader(io.BytesIO(out.getvalue())).pages)
    visible = [character for character in characters if not character.isspace()]
    assert [character for character in visible if character not in extracted] == []
