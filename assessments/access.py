"""Per-city access checks used by every city-scoped view.

Anonymous users are sent to log in; a signed-in user who is not a member of the city gets a 404,
so that the existence of another city's pages is not revealed; a member whose role is too low
gets a 403 that says which role is needed.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from opencities.languages import in_sentence

from .models import Membership, Role


def city_role_required(role: str):
    """Decorate a view taking `slug`: it receives `city` and `membership` instead."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, slug, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = Membership.objects.select_related("city").filter(user=request.user, city__slug=slug).first()
            if membership is None:
                raise Http404(_("No city with this address, or you are not a member of it."))
            city = membership.city
            if not membership.has_role(role):
                raise PermissionDenied(
                    _("This needs the %(role)s role in %(city)s. Ask the city's lead if you need it.")
                    % {"role": in_sentence(Role(role).label), "city": city.name}
                )
            return view(request, *args, city=city, membership=membership, **kwargs)

        wrapped.required_city_role = role
        return wrapped

    return decorator
