from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InternshipsConfig(AppConfig):
    name = "apps.internships"
    label = "internships"
    verbose_name = _("Internships in production")

    def ready(self):
        from apps.actions.sources import register_source

        register_source("internship", _("Internship in production"), "internships.Internship")
