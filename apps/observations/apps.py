from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObservationsConfig(AppConfig):
    name = "apps.observations"
    label = "observations"
    verbose_name = _("Gemba observations")

    def ready(self):
        from apps.actions.sources import register_source

        register_source("observation", _("Gemba observation"), "observations.Observation")

        from apps.exports.registry import register_export

        from .exports import build_rows

        register_export(
            "observations", _("Gemba observations"), build_rows, capability="observations.view", filename="observations"
        )
