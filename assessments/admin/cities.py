"""Cities with their members, and the reference-cities import."""

import contextlib
import time

from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.core.files.storage import storages
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.tmp_storages import MediaStorage

from ..models import City, Membership
from ..reference_data import ReferenceDataError, reference_text_from_bytes
from ..services.reference_cities import reference_cities_import
from .forms import REFERENCE_FILE_MAX_BYTES, CityAdminForm, ReferenceCitiesImportForm


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    form = CityAdminForm
    list_display = ["name", "country", "region", "population", "is_reference"]
    list_filter = ["region", "is_reference", "gawc_tier", "language"]
    search_fields = ["name", "slug", "country"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    ("country", "country_code"),
                    "region",
                    "is_capital",
                    "is_largest_city",
                    "niche",
                    "language",
                    "is_reference",
                ]
            },
        ),
        (
            _("Indicative reference figures"),
            {
                "description": _(
                    "Indicative: the sources use different units, definitions and years. Each figure keeps its "
                    "year (leave it empty when the source gives none) and its source; when you change a figure, "
                    "change them too."
                ),
                "fields": [
                    ("metro_population", "metro_population_year"),
                    "metro_population_source",
                    ("foreign_born_share", "foreign_born_definition", "foreign_born_year"),
                    "foreign_born_source",
                    ("gawc_tier", "gawc_year"),
                    "gawc_source",
                    "type_example",
                    "reference_notes",
                ],
            },
        ),
    ]

    @admin.display(description=_("metropolitan population (indicative)"), ordering="metro_population")
    def population(self, city):
        if city.metro_population is None:
            return self.get_empty_value_display()
        if not city.metro_population_source:
            return intcomma(city.metro_population)
        return render_to_string("admin/assessments/city/population.html", {"city": city})

    def has_reference_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import-reference-cities/",
                self.admin_site.admin_view(self.reference_import_view),
                name="{}_{}_reference_import".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import_reference_cities": self.has_reference_import_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def reference_import_view(self, request):
        if not self.has_reference_import_permission(request):
            raise PermissionDenied
        confirming = request.method == "POST" and "_confirm" in request.POST
        form = ReferenceCitiesImportForm(None if confirming else request.POST or None, request.FILES or None)
        summary, problems, checked = None, [], None
        if confirming:
            # The file checked by this session's dry run, kept on the server: never chosen again, never another's.
            text = _checked_take(request, request.POST.get("checked", ""))
            if text is None:
                problems = [
                    gettext(
                        "The checked file is no longer at hand (already imported, or checked over an hour "
                        "ago or in another session). Choose it again and check it."
                    )
                ]
            else:
                try:
                    return self._reference_import_write(request, text)
                except ReferenceDataError as error:
                    problems = error.problems
        elif request.method == "POST" and form.is_valid():
            dry_run = "_import" not in request.POST
            upload = form.cleaned_data["file"]
            try:
                text = reference_text_from_bytes(upload.read(), name=upload.name)
                if not dry_run:
                    return self._reference_import_write(request, text)
                summary = reference_cities_import(text=text, dry_run=True)
            except ReferenceDataError as error:
                problems = error.problems
            else:
                checked = {"token": _checked_keep(request, text, name=upload.name), "name": upload.name}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Import reference cities"),
            "form": form,
            "problems": problems,
            "summary": summary and _summary_lists(summary),
            "counts": summary and _summary_counts(summary),
            "checked": checked,
            "max_size": filesizeformat(REFERENCE_FILE_MAX_BYTES),
        }
        return TemplateResponse(request, "admin/assessments/city/reference_import.html", context)

    def _reference_import_write(self, request, text):
        summary = reference_cities_import(text=text, dry_run=False)
        self._log_reference_import(request, summary)
        self.message_user(
            request,
            gettext("Reference cities imported: %(counts)s.") % {"counts": _summary_counts(summary)},
            messages.SUCCESS,
        )
        return redirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))

    def _log_reference_import(self, request, summary):
        for slugs, flag, message in (
            (summary.created, ADDITION, gettext("Created by a reference-cities import")),
            (summary.updated, CHANGE, gettext("Updated by a reference-cities import")),
        ):
            if slugs:
                LogEntry.objects.log_actions(
                    user_id=request.user.pk,
                    queryset=City.objects.filter(slug__in=slugs),
                    action_flag=flag,
                    change_message=message,
                )


# A checked reference file waits for its confirmation in MEDIA_ROOT (shared by every web process), under a random
# name that only the session which checked it holds: the form posts the name back, and it must match the session's.
CHECKED_FOLDER = "reference-imports"
CHECKED_SESSION_KEY = "reference_import_checked"
CHECKED_MAX_AGE = 3600


def _checked_storage(name=None):
    return MediaStorage(name=name, MEDIA_FOLDER=CHECKED_FOLDER, read_mode="rb")


def _checked_keep(request, text: str, *, name: str) -> str:
    _checked_discard(request)  # one checked file per session: the latest check
    _checked_purge_stale()
    storage = _checked_storage()
    storage.save(text.encode("utf-8"))
    request.session[CHECKED_SESSION_KEY] = {"token": storage.name, "file": name, "at": time.time()}
    return storage.name


def _checked_take(request, token: str) -> str | None:
    """The text this session checked under `token`, removed from the server; None if it has none by that token."""
    entry = request.session.get(CHECKED_SESSION_KEY)
    if not entry or not token or entry["token"] != token:
        return None
    fresh = time.time() - entry["at"] < CHECKED_MAX_AGE
    try:
        text = _checked_storage(entry["token"]).read().decode("utf-8") if fresh else None
    except FileNotFoundError:
        text = None
    _checked_discard(request)
    return text


def _checked_purge_stale():
    """Remove the files that editors checked and never confirmed (a closed tab, an expired session): past
    CHECKED_MAX_AGE no session can confirm them any more, and they hold city data nobody asked to keep."""
    storage = storages["default"]
    try:
        _folders, names = storage.listdir(CHECKED_FOLDER)
    except FileNotFoundError:
        return
    cutoff = time.time() - CHECKED_MAX_AGE
    for name in names:
        path = f"{CHECKED_FOLDER}/{name}"
        with contextlib.suppress(FileNotFoundError):
            if storage.get_modified_time(path).timestamp() < cutoff:
                storage.delete(path)


def _checked_discard(request):
    entry = request.session.pop(CHECKED_SESSION_KEY, None)
    if entry:
        with contextlib.suppress(FileNotFoundError):
            _checked_storage(entry["token"]).remove()


def _summary_counts(summary):
    return gettext("%(created)d created, %(updated)d updated, %(unchanged)d unchanged") % {
        "created": len(summary.created),
        "updated": len(summary.updated),
        "unchanged": len(summary.unchanged),
    }


def _summary_lists(summary):
    """(heading, [(city, detail)]) for each kind of outcome that has cities."""

    def label(field_name):
        return str(capfirst(City._meta.get_field(field_name).verbose_name))

    lists = [
        (gettext("Would be created"), [(summary.names[slug], slug) for slug in summary.created]),
        (
            gettext("Would be updated (the fields that change)"),
            [
                (summary.names[slug], f"{slug}: {', '.join(label(name) for name in summary.changes[slug])}")
                for slug in summary.updated
            ],
        ),
        (gettext("Unchanged"), [(summary.names[slug], slug) for slug in summary.unchanged]),
    ]
    return [(heading, rows) for heading, rows in lists if rows]
