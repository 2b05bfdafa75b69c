"""The admin site: every list checks the filters in its address when it builds its query.

Django turns a filter it cannot use into its "invalid lookup" answer (a redirect to ?e=1), but only for errors
raised while the filters are read. A date's bounds are worked out later: `?published_on__year=99999999999999999999`
on a date hierarchy, or `?created_at__year=-1` on any date, raised OverflowError or ValueError and answered 500.
"""

from django.contrib.admin import AdminSite, ModelAdmin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import EmptyResultSet, FullResultSet


class CheckedChangeList(ChangeList):
    """A change list whose query is compiled once its filters are applied, so that a value the database cannot
    take (a year's bounds outside the calendar) is an invalid lookup, not a server error."""

    def get_queryset(self, request, exclude_parameters=None):
        try:
            queryset = super().get_queryset(request, exclude_parameters)
        except (ValueError, OverflowError) as error:  # the date hierarchy's bounds (year 9999 and on)
            raise IncorrectLookupParameters(error) from error
        try:
            queryset.query.get_compiler(queryset.db).as_sql()
        except (EmptyResultSet, FullResultSet):
            pass  # a filter that matches nothing or everything is a good filter
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error
        return queryset


class CheckedListsMixin:
    def get_changelist(self, request, **kwargs):
        return CheckedChangeList


class OpenCitiesAdminSite(AdminSite):
    """The default admin site; each ModelAdmin registered on it, Django's own included, lists with
    CheckedChangeList."""

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or ModelAdmin
        if not issubclass(admin_class, CheckedListsMixin):
            admin_class = type(
                admin_class.__name__, (CheckedListsMixin, admin_class), {"__module__": admin_class.__module__}
            )
        super().register(model_or_iterable, admin_class, **options)


class OpenCitiesAdminConfig(AdminConfig):
    default_site = "opencities.adminsite.OpenCitiesAdminSite"
