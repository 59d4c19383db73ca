from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "line_manager", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    list_select_related = ["line_manager"]
    filter_horizontal = ["units", "groups", "user_permissions"]
    autocomplete_fields = ["line_manager"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("HSE Portal"), {"fields": ["role", "job_title", "units", "line_manager", "language"]}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("HSE Portal"), {"fields": ["role", "first_name", "last_name", "email"]}),
    )

    actions = ["end_sessions"]

    @admin.action(description=_("End all sessions (and delete the API token)"))
    def end_sessions(self, request, queryset):
        try:
            ended = sum(services.user_sessions_end(actor=request.user, user=user) for user in queryset)
        except PermissionDenied:
            self.message_user(request, _("Only a system admin may end other users' sessions."), messages.ERROR)
            return
        self.message_user(
            request,
            ngettext(
                "%(count)d session ended; the users must sign in again.",
                "%(count)d sessions ended; the users must sign in again.",
                ended,
            )
            % {"count": ended},
            messages.SUCCESS,
        )
