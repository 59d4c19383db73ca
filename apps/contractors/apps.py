from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractorsConfig(AppConfig):
    name = "apps.contractors"
    label = "contractors"
    verbose_name = _("Contractors and access passes")

    def ready(self):
        from apps.actions.sources import register_source

        register_source("contractor_violation", _("Contractor violation"), "contractors.Violation")
