"""What a page says beside a download link: how its CSV is written in the page's language."""

from django import template

from opencities.spreadsheets import csv_convention

register = template.Library()


@register.simple_tag
def csv_in_words() -> str:
    """“semicolons between columns, decimal commas” on a French page: a member knows what the file holds."""
    return csv_convention().in_words
