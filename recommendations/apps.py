from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = _("Recommendations and reports")

    # What the Editors group may do with this app's models (see opencities.editors).
    editor_permissions = {
        "recommendationrule": ("view", "add", "change", "delete"),
        "partner": ("view", "add", "change", "delete"),
        "following": ("view", "add", "change", "delete"),
        # Reports are generated, never written by hand: editors read them and resend deliveries.
        "report": ("view",),
        "reportdelivery": ("view", "change"),
    }

    def ready(self):
        from casestudies import offers

        from . import general

        offers.offer(general.offered_document)
