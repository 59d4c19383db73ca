import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect, resolve_url
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.translation import gettext as _


class UserLanguageMiddleware:
    """A signed-in user's chosen language wins over the browser's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


# Session keys: when the user signed in and when a request was last seen (Unix seconds).
SIGNED_IN_AT = "_portal_signed_in_at"
SEEN_AT = "_portal_seen_at"


def stamp_sign_in(sender, request, user, **kwargs) -> None:
    """`user_logged_in` receiver: the absolute timeout counts from here (only for a session
    sign-in: a token obtained through the API leaves the session alone)."""
    if request is not None and SESSION_KEY in getattr(request, "session", {}):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[SEEN_AT] = now


class SessionTimeoutMiddleware:
    """Sign out a session idle for SESSION_IDLE_SECONDS, or older than SESSION_ABSOLUTE_SECONDS
    since sign-in, and send the user to the login page with a message (an API call goes on as
    anonymous, and so gets 401/403). The last-seen time is saved at most once a minute, so an
    active user does not cost a session write per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            response = self._check(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request):
        session = request.session
        now = int(time.time())
        signed_in_at = session.get(SIGNED_IN_AT)
        seen_at = session.get(SEEN_AT)
        if signed_in_at is None or seen_at is None:
            # A session from before the timeouts (or signed in without `login()`): start counting.
            session.setdefault(SIGNED_IN_AT, now)
            session[SEEN_AT] = now
            return None
        if now - signed_in_at >= settings.SESSION_ABSOLUTE_SECONDS:
            message = _("You have been signed out: sessions last at most %(hours)s hours. Please sign in again.") % {
                "hours": settings.SESSION_ABSOLUTE_SECONDS // 3600
            }
        elif now - seen_at >= settings.SESSION_IDLE_SECONDS:
            message = _("You have been signed out after a long time without activity. Please sign in again.")
        else:
            if now - seen_at >= settings.SESSION_SEEN_REFRESH_SECONDS:
                session[SEEN_AT] = now
            return None
        logout(request)
        if request.path.startswith("/api/"):
            return None
        messages.info(request, message)
        return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))


# Session key: the password was right, the second factor is still to come.
SECOND_FACTOR_PENDING = "_portal_second_factor_pending"
# What a session holding only the password may reach: the code page and sign-out.
SECOND_FACTOR_OPEN_URLS = frozenset({"accounts:second_factor_verify", "accounts:logout"})


def require_second_factor(sender, request, user, **kwargs) -> None:
    """`user_logged_in` receiver: a session sign-in (the portal's page, Django admin's, any other)
    of a user with an authenticator app is held at the code page until a code is given. A token
    obtained through the API leaves the session alone (the API asks for the code itself)."""
    from .services import second_factor_is_on

    if request is not None and SESSION_KEY in getattr(request, "session", {}) and second_factor_is_on(user):
        request.session[SECOND_FACTOR_PENDING] = True


class SecondFactorMiddleware:
    """Holds a session that passed the password but not the code: a page sends it to the code page
    (keeping where it was going), the API answers 403, and only the code page and sign-out work."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and hasattr(request, "session")
            and request.session.get(SECOND_FACTOR_PENDING)
        ):
            response = self._hold(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _hold(self, request):
        try:
            view_name = resolve(request.path_info).view_name
        except Resolver404:
            view_name = None
        if view_name in SECOND_FACTOR_OPEN_URLS:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("Enter the code from your authenticator app first.")},
                status=403,
            )
        target = reverse("accounts:second_factor_verify")
        if request.method == "GET" and view_name not in (None, "accounts:login"):
            target += "?" + urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
        return redirect(target)
