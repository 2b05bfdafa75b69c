from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Cities and assessments")

    # What the Editors group may do with this app's models (see opencities.editors).
    editor_permissions = {
        "city": ("view", "add", "change"),
        "membership": ("view", "add", "change", "delete"),
        "accessrequest": ("view", "change"),
        "invitation": ("view",),
        # Questionnaire versions are loaded from reviewed files: editors only read them.
        "questionnaireversion": ("view",),
        # Assessments are the cities' own: "change" only lets editors reopen one or set its city type, with a reason.
        "assessment": ("view", "change"),
    }

    def ready(self):
        from opencities import caching

        caching.connect_signals()
