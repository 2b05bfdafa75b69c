from django import template

from opencities.vocabulary import city_type_name as lookup_city_type_name

register = template.Library()


@register.filter
def city_type_name(key):
    """The city type's name for its stable key (e.g. "niche-hub" → its name on the method page)."""
    return lookup_city_type_name(key).name
