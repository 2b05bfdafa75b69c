"""The project's URLs plus the bench's own views: the floors the pages are compared with."""

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template import Context, Engine, engines
from django.urls import path

from opencities import urls as site_urls

from .forms import plain_forms

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


# A plain form in the same layout: the floor of the wizard's steps. The same form tag, id and
# buttons as a step, so the same browser submission fits; only the fields' rendering differs.
_FORM_PAGE = """{%% extends "base.html" %%}%s
{%% block title %%}{{ title }}{%% endblock %%}
{%% block content %%}
<h1 class="h2">{{ title }}</h1>
<form method="post" id="step-form" novalidate>{%% csrf_token %%}
  %s
  <input type="hidden" name="autosave" value="0">
  <button type="submit" name="go" value="save" class="btn btn-outline-secondary">Save</button>
  <button type="submit" name="go" value="next" class="btn btn-primary">Save and next</button>
</form>
{%% endblock %%}"""
_plain_form_page = engines["django"].from_string(_FORM_PAGE % ("", "{{ form.as_div }}"))
_crispy_form_page = engines["django"].from_string(_FORM_PAGE % ("{% load crispy_forms_tags %}", "{{ form|crispy }}"))


def _form_view(template):
    @login_required
    def view(request, name):
        """A member's form page: GET shows the form; POST binds, validates and (if the form has a save)
        stores it, then redirects (post/redirect/get)."""
        try:
            plain = plain_forms[name]
        except KeyError:
            raise Http404(f"No plain form {name!r} is registered.") from None
        if request.method == "POST":
            form = plain.form_class(request.POST)
            if form.is_valid():
                if plain.save:
                    plain.save(request, form)
                return redirect(request.path)
        else:
            form = plain.form_class(initial=plain.initial)
        return HttpResponse(template.render({"form": form, "title": plain.title}, request))

    return view


urlpatterns = [
    path("__bench__/bare/", bare_view, name="bench_bare"),
    path("__bench__/base-layout/", base_layout_view, name="bench_base_layout"),
    path("__bench__/plain-form/<slug:name>/", _form_view(_plain_form_page), name="bench_plain_form"),
    path("__bench__/crispy-form/<slug:name>/", _form_view(_crispy_form_page), name="bench_crispy_form"),
    # The site's own patterns as they are, language prefixes included (i18n_patterns cannot be included).
    *site_urls.urlpatterns,
]
