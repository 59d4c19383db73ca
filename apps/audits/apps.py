from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditsConfig(AppConfig):
    name = "apps.audits"
    label = "audits"
    verbose_name = _("Safety audits")

    def ready(self):
        from apps.actions.sources import register_source

        # The non-compliant answer is the source: the action page links to its item in the audit.
        register_source("safety_audit", _("Safety audit"), "audits.AuditAnswer")
