from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseStudiesConfig(AppConfig):
    name = "casestudies"
    verbose_name = _("Case studies and downloads")

    # What the Editors group may do with this app's models (see opencities.editors).
    editor_permissions = {
        "casestudy": ("view", "add", "change", "delete"),
        "publication": ("view", "add", "change", "delete"),
        # The tags' keys are the stable vocabulary of the method: editors read them, a migration changes them.
        "recommendationtheme": ("view",),
        "dimensiontag": ("view",),
        "citytypetag": ("view",),
    }

    def ready(self):
        from django.db.models.signals import post_migrate

        from .search_columns import search_columns_sync
        from .services import tag_names_sync

        # After this app's migrations (the tags' rows and their columns per language exist by then).
        post_migrate.connect(tag_names_sync, sender=self, dispatch_uid="casestudies.tag_names_sync")
        post_migrate.connect(search_columns_sync, sender=self, dispatch_uid="casestudies.search_columns_sync")
