"""The project's URLs plus a bare view: the floor every page is compared with."""

from pathlib import Path

from django.http import HttpResponse
from django.template import Context, Engine
from django.urls import include, path

# bench is not an installed app, so its template is found by an engine of its own; like the
# project's engine with DEBUG off, it caches compiled templates.
_engine = Engine(dirs=[Path(__file__).resolve().parent / "templates"])


def bare_view(request):
    template = _engine.get_template("bench/bare.html")
    context = Context({"title": "Bare view", "items": ["Zürich", "São Paulo", "Kraków", "Montréal", "Dakar"]})
    return HttpResponse(template.render(context))


urlpatterns = [
    path("__bench__/bare/", bare_view, name="bench_bare"),
    path("", include("opencities.urls")),
]
