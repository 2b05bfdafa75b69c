"""The project's URLs plus a bare view: the floor every page is compared with."""

from pathlib import Path

from django.http import HttpResponse
from django.template import Context, Engine, engines
from django.urls import include, path

# bench is not an installed app, so its template is found by an engine of its own; like the
# project's engine with DEBUG off, it caches compiled templates.
_engine = Engine(dirs=[Path(__file__).resolve().parent / "templates"])


def bare_view(request):
    template = _engine.get_template("bench/bare.html")
    context = Context({"title": "Bare view", "items": ["Zürich", "São Paulo", "Kraków", "Montréal", "Dakar"]})
    return HttpResponse(template.render(context))


# An empty page in the site's full layout (navigation, messages, footer, context processors):
# what every member's page costs before it shows anything of its own.
_empty_page = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<h1>Empty page</h1>{% endblock %}'
)


def base_layout_view(request):
    return HttpResponse(_empty_page.render({}, request))


urlpatterns = [
    path("__bench__/bare/", bare_view, name="bench_bare"),
    path("__bench__/base-layout/", base_layout_view, name="bench_base_layout"),
    path("", include("opencities.urls")),
]
