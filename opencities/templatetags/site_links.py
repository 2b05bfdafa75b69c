"""`{% absolute_url path %}`: the site's address on SITE_URL (opencities.links), never on the request's Host header."""

from django import template

from opencities import links

register = template.Library()


@register.simple_tag
def absolute_url(path):
    return links.absolute_url(path)
