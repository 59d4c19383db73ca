from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "apps.kpis"
    label = "kpis"
    verbose_name = _("KPIs and the executive summary")

    def ready(self):
        # The snapshots of a unit-month are refreshed shortly after a change of a record they
        # count (apps.kpis.refresh explains why signals).
        from . import refresh

        refresh.connect()
