from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpenCitiesConfig(AppConfig):
    name = "opencities"
    # The admin index shows the app by this name; it holds only the outbox there.
    verbose_name = _("Email outbox")

    # Editors pick users when they manage city memberships in the admin, and read the outbox to answer
    # "did the email go out?".
    editor_permissions = {"auth.user": ("view",), "notice": ("view",)}

    def ready(self):
        from django.core.signals import request_finished
        from django.db.models.signals import post_migrate

        from . import throttling  # noqa: F401  (connects the count of failed logins per address)
        from .editors import sync_editors_group
        from .sweeping import sweep_now_and_then

        # After every app's migrations, so that models added by later apps join the group.
        post_migrate.connect(sync_editors_group, dispatch_uid="opencities.sync_editors_group")
        request_finished.connect(sweep_now_and_then, dispatch_uid="opencities.sweep_now_and_then")
