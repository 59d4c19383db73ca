from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from apps.common.drafts import forget_signed_in, mark_signed_in

from . import services
from .access import can, unit_ids_in_scope


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        mark_signed_in(response, form.get_user())
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        forget_signed_in(response)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response


@login_required
def profile(request):
    scope = unit_ids_in_scope(request.user)
    return render(
        request,
        "accounts/profile.html",
        {
            "units": request.user.units.select_related("site"),
            "sees_all_units": scope is None,
            "has_token": Token.objects.filter(user=request.user).exists(),
            "can_renew_token": can(request.user, "accounts.renew_own_api_token"),
        },
    )


@require_POST
@login_required
def api_token_renew(request):
    token = services.api_token_renew(user=request.user)
    messages.success(request, _("A new API token was created. Copy it now: it is shown only once."))
    return render(request, "accounts/api_token.html", {"token": token.key})
