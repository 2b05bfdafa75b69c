"""Template filters for writing in the page's language."""

from django import template

from opencities.languages import in_sentence as _in_sentence

register = template.Library()


@register.filter
def in_sentence(label):
    """{{ role|in_sentence }}: the label as it reads inside a sentence (see opencities.languages.in_sentence)."""
    return _in_sentence(label)
