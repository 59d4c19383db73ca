from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "apps.incidents"
    label = "incidents"
    verbose_name = _("Incidents")

    def ready(self):
        from apps.actions.sources import register_source

        # An action addresses a root cause of a why-chain or a fact of the cause tree.
        register_source("investigation", _("Incident investigation"), "incidents.WhyStep", "incidents.CauseTreeFact")
