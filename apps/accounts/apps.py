from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = _("Users and roles")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import require_second_factor, stamp_sign_in

        user_logged_in.connect(stamp_sign_in, dispatch_uid="accounts.stamp_sign_in")
        user_logged_in.connect(require_second_factor, dispatch_uid="accounts.require_second_factor")
