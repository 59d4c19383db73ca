"""What a locked-out sign-in gets (django-axes' AXES_LOCKOUT_CALLABLE): a page in the user's
language with 429 on the site, a JSON answer with 429 on the API."""

import math

from axes.helpers import get_cool_off
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def cool_off_minutes(request=None) -> int:
    cool_off = get_cool_off(request)
    return max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else 0


def lockout_response(request, original_response=None, credentials=None):
    minutes = cool_off_minutes(request)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": lockout_message(minutes)},
            status=settings.AXES_HTTP_RESPONSE_CODE,
            headers={"Retry-After": str(minutes * 60)},
        )
    response = render(
        request,
        "accounts/locked_out.html",
        {"minutes": minutes, "message": lockout_message(minutes)},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(minutes * 60)
    return response


def lockout_message(minutes: int) -> str:
    return _(
        "Too many failed sign-ins for this username from this computer. Try again in %(minutes)d "
        "minutes, or ask the system administrator to unlock it."
    ) % {"minutes": minutes}


# The longest username the portal has (User.username), and so the longest worth counting failures
# for: a 10,000-character "username" must not reach axes' 255-character column as a server error.
USERNAME_MAX_LENGTH = 150


def username_for_throttling(request, credentials=None) -> str:
    """The username a sign-in attempt is counted under (django-axes' AXES_USERNAME_CALLABLE): the
    one typed, cut to the longest a user can have."""
    if credentials:
        username = credentials.get("username")
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        username = data.get("username") if hasattr(data, "get") else None
    return str(username or "")[:USERNAME_MAX_LENGTH]
