"""Editors' content on a page of another language: its English text marked as English, and said to be so.

A field not translated into the page's language shows its English text (django-modeltranslation's fallback); the
element holding it gets lang="en", so that screen readers and hyphenation read it as English, and the reader sees
"available in English only". The rule of what counts as missing is casestudies.content_languages'.
"""

from django import template
from django.utils.html import format_html

from .. import content_languages

register = template.Library()


def _in_source_only(instance, fields) -> bool:
    return instance is not None and any(content_languages.in_source_only(instance, field) for field in fields)


@register.simple_tag
def content_lang(instance, *fields):
    """The attribute lang="en" when any of the fields shows in English on this page, else nothing."""
    if _in_source_only(instance, fields):
        return format_html(' lang="{}"', content_languages.SOURCE_LANGUAGE)
    return ""


@register.simple_tag
def source_language() -> str:
    """The language every translation falls back to, for a lang attribute the page decides on itself."""
    return content_languages.SOURCE_LANGUAGE


@register.inclusion_tag("casestudies/includes/source_only.html")
def source_only_label(instance, *fields):
    """The "available in English only" label when any of the fields is shown in English on this page."""
    return {"shown": _in_source_only(instance, fields)}
