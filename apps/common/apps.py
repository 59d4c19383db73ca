from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    """The bottom layer: helpers every app may import. It imports no domain app."""

    name = "apps.common"
    label = "common"
    verbose_name = _("Common")
