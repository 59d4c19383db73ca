from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .forms import SecondFactorResetForm
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

    actions = ["end_sessions", "reset_second_factor"]

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

    @admin.action(description=_("Reset two-step sign-in (a lost phone)"))
    def reset_second_factor(self, request, queryset):
        """Asks for the reason first (kept in the audit log with who and when), then removes the
        users' authenticator apps and backup codes: they sign in with the password alone."""
        form = SecondFactorResetForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            try:
                reset = sum(
                    services.second_factor_reset(actor=request.user, user=user, reason=form.cleaned_data["reason"])
                    for user in queryset
                )
            except PermissionDenied:
                self.message_user(request, _("Only a system admin may reset a second factor."), messages.ERROR)
                return None
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return None
            self.message_user(
                request,
                ngettext(
                    "Two-step sign-in reset for %(count)d user.",
                    "Two-step sign-in reset for %(count)d users.",
                    reset,
                )
                % {"count": reset},
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/accounts/user/second_factor_reset.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Reset two-step sign-in"),
                "opts": self.model._meta,
                "users": queryset,
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )
