import base64

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from rest_framework.authtoken.models import Token

from apps.common.drafts import forget_signed_in, mark_signed_in

from . import services
from .access import can, capability_required, unit_ids_in_scope
from .forms import SecondFactorCodeForm, SecondFactorConfirmForm, SecondFactorDisableForm
from .lockout import lockout_response
from .middleware import SECOND_FACTOR_PENDING


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
            "second_factor": _second_factor_status(request.user),
        },
    )


def _second_factor_status(user) -> dict | None:
    """What the profile's "Two-step sign-in" section shows (None: the role has no such section)."""
    if not can(user, "accounts.use_second_factor"):
        return None
    device = services.second_factor_device(user)
    return {
        "on": device is not None,
        "since": getattr(device, "created_at", None),
        "last_used": getattr(device, "last_used_at", None),
        "backup_codes_left": services.second_factor_backup_codes_left(user) if device else 0,
        "disable_form": SecondFactorDisableForm(),
    }


@require_POST
@login_required
def api_token_renew(request):
    token = services.api_token_renew(user=request.user)
    messages.success(request, _("A new API token was created. Copy it now: it is shown only once."))
    return render(request, "accounts/api_token.html", {"token": token.key})


# --- Two-step sign-in (issue 14) ------------------------------------------------------------------


def _safe_next(request, default: str) -> str:
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
def second_factor_verify(request):
    """The second step of signing in. Wrong codes count as failed sign-ins (django-axes: the same
    limit per username and address as wrong passwords, then the same pause) and are recorded."""
    user = request.user
    next_url = _safe_next(request, resolve_url(settings.LOGIN_REDIRECT_URL))
    device = services.second_factor_device(user)
    if not request.session.get(SECOND_FACTOR_PENDING) or device is None:
        # Already through, or the second factor was reset meanwhile: the password was enough.
        request.session.pop(SECOND_FACTOR_PENDING, None)
        return redirect(next_url)
    credentials = {"username": user.get_username(), "second_factor": True}
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST":
        if AxesProxyHandler.is_locked(request, credentials):
            return lockout_response(request, credentials=credentials)
        if form.is_valid():
            try:
                accepted = services.second_factor_verify(user=user, token=form.cleaned_data["token"])
            except services.SecondFactorRefused as refused:
                form.add_error("token", refused.message)
                user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            else:
                request.session.cycle_key()
                request.session.pop(SECOND_FACTOR_PENDING, None)
                otp_login(request, accepted)
                return redirect(next_url)
    return render(request, "accounts/second_factor_verify.html", {"form": form, "next": next_url})


def _group_by_four(text: str) -> str:
    return " ".join(text[index : index + 4] for index in range(0, len(text), 4))


@require_POST
@capability_required("accounts.use_second_factor")
def second_factor_start(request):
    try:
        services.second_factor_enrol_start(actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:profile")
    return redirect("accounts:second_factor_setup")


@capability_required("accounts.use_second_factor")
def second_factor_setup(request):
    """Scan the QR code (or type the key), then confirm with the first code: only then is the
    second step asked at sign-in. The backup codes are shown once, in the answer."""
    device = services.second_factor_pending_device(request.user)
    if device is None:
        return redirect("accounts:profile")
    form = SecondFactorConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.second_factor_enrol_confirm(actor=request.user, token=form.cleaned_data["token"])
        except ValidationError as error:
            form.add_error(None if hasattr(error, "error_dict") else "token", error)
        else:
            # This session proved the code: it stays signed in without a second step.
            otp_login(request, services.second_factor_device(request.user))
            messages.success(request, _("Two-step sign-in is on."))
            return render(request, "accounts/second_factor_backup_codes.html", {"codes": codes})
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/second_factor_setup.html",
        {
            "form": form,
            "qr_svg": mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)),
            "secret": _group_by_four(secret),
        },
    )


@require_POST
@capability_required("accounts.use_second_factor")
def second_factor_disable(request):
    form = SecondFactorDisableForm(request.POST)
    if form.is_valid():
        try:
            services.second_factor_disable(actor=request.user, proof=form.cleaned_data["proof"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            request.session.pop(DEVICE_ID_SESSION_KEY, None)
            messages.success(request, _("Two-step sign-in is off: your password alone signs you in."))
    else:
        messages.error(request, _("Enter your password or a current code to turn two-step sign-in off."))
    return redirect("accounts:profile")
