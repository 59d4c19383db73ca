"""The workers' anonymous hazard and feedback form, opened from the QR code on a unit's poster.

No login, and nothing that could tell who wrote: the signal keeps the unit, the kind, the text and
the date (`services.signal_submit_from_form`); no user, time of day, IP, session or device. The
pages set no cookie but the CSRF one (no session, no messages, no language cookie: the language
comes from the browser, or `?lang=ru|en` in the URL for the toggle).

Rate limiting keeps counters in the cache only, never the database: per client and unit, the key
is a SHA-256 of a daily secret salt, the client's address and the unit (the address itself is never
stored, not even in a key), allowing `CLIENT_LIMIT` submissions per `CLIENT_WINDOW_SECONDS`; and per
unit at most `UNIT_HOURLY_LIMIT` an hour. A refused submission answers 429 with the text kept.

Nothing here logs the address or the text: Django's request log (which carries the request, and
so the address) is skipped for these responses, and SQL logging (with its parameters, under
DEBUG) is muted while the signal is written."""

import contextvars
import hashlib
import hmac
import logging
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from apps.common.forms import add_service_errors

from . import feedback, services
from .forms import FeedbackForm

logger = logging.getLogger(__name__)

CLIENT_LIMIT = 5
CLIENT_WINDOW_SECONDS = 10 * 60
UNIT_HOURLY_LIMIT = 60
UNIT_WINDOW_SECONDS = 60 * 60
CACHE_PREFIX = "internships:feedback"

_QUIET_SQL = contextvars.ContextVar("internships_quiet_sql", default=False)


class _QuietSQL(logging.Filter):
    """Drops the SQL log records (they carry the query's parameters: the worker's text) of the
    statements run while a worker's submission is written."""

    def filter(self, record):
        return not _QUIET_SQL.get()


logging.getLogger("django.db.backends").addFilter(_QuietSQL())


@contextmanager
def _quiet_sql():
    token = _QUIET_SQL.set(True)
    try:
        yield
    finally:
        _QUIET_SQL.reset(token)


def _unlogged(response):
    """Keep Django's request log (4xx warnings carry the request, and so the address) off."""
    response._has_been_logged = True
    return response


# --- Rate limiting ---------------------------------------------------------------------------------


def _daily_salt(today) -> bytes:
    """A secret that changes every day (derived from SECRET_KEY, kept nowhere): yesterday's keys
    cannot be matched with today's, nor with an address."""
    return hmac.new(settings.SECRET_KEY.encode(), f"{CACHE_PREFIX}:{today.isoformat()}".encode(), "sha256").digest()


def _client_key(request, unit) -> str:
    today = timezone.localdate()
    address = request.META.get("REMOTE_ADDR", "")
    digest = hashlib.sha256(_daily_salt(today) + f"|{address}|{unit.pk}".encode()).hexdigest()
    return f"{CACHE_PREFIX}:client:{digest}"


def _unit_key(unit) -> str:
    hour = timezone.now().strftime("%Y%m%d%H")
    return f"{CACHE_PREFIX}:unit:{unit.pk}:{hour}"


def _counters(request, unit) -> list[tuple[str, int, int]]:
    """(cache key, limit, seconds it lives) of each counter a submission counts against."""
    return [
        (_client_key(request, unit), CLIENT_LIMIT, CLIENT_WINDOW_SECONDS),
        (_unit_key(unit), UNIT_HOURLY_LIMIT, UNIT_WINDOW_SECONDS),
    ]


def _over_limit(request, unit) -> bool:
    try:
        counts = cache.get_many([key for key, _limit, _ttl in _counters(request, unit)])
    except Exception:  # noqa: BLE001 - a cache that is down must not stop a worker from speaking up
        logger.warning("Cache unreachable: the feedback form's rate limit is not applied")
        return False
    return any(counts.get(key, 0) >= limit for key, limit, _ttl in _counters(request, unit))


def _count_submission(request, unit) -> None:
    for key, _limit, ttl in _counters(request, unit):
        try:
            # The window starts with the first submission and is not extended by the next ones.
            if not cache.add(key, 1, ttl):
                cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, ttl)
        except Exception:  # noqa: BLE001
            logger.warning("Cache unreachable: a feedback submission was not counted")


# --- Pages -----------------------------------------------------------------------------------------


def _language(request) -> str:
    """`?lang=ru|en` when given (the page's toggle), else the browser's (LocaleMiddleware)."""
    wanted = request.GET.get("lang", "")
    if wanted in dict(settings.LANGUAGES):
        return wanted
    return translation.get_language() or settings.LANGUAGE_CODE


def _unit_or_404(token):
    unit = feedback.unit_for_feedback_token(token)
    if unit is None:
        raise Http404
    return unit


def _page(request, template, context, *, language, status=200):
    with translation.override(language):
        response = render(request, template, {**context, "language": language}, status=status)
        response.headers["Content-Language"] = language
    # The token URL goes to no other site. Not "no-referrer": the browser would then send
    # `Origin: null` with the form, and the CSRF check would refuse it.
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return _unlogged(response)


def _toggle(path, language) -> list[dict]:
    return [
        {"code": code, "name": name, "url": f"{path}?lang={code}", "active": code == language}
        for code, name in settings.LANGUAGES
    ]


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def feedback_form(request, token):
    """The form. GET shows it; POST stores the signal (the date only) and goes to the thanks page."""
    unit = _unit_or_404(token)
    language = _language(request)
    path = reverse("internships:feedback_form", args=[token])
    status = 200
    limited = False
    with translation.override(language):
        form = FeedbackForm(request.POST if request.method == "POST" else None)
        if request.method == "POST":
            status = 400
            if _over_limit(request, unit):
                limited, status = True, 429
            elif form.is_valid():
                try:
                    with _quiet_sql():
                        services.signal_submit_from_form(
                            unit=unit, kind=form.cleaned_data["kind"], text=form.cleaned_data["text"]
                        )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    _count_submission(request, unit)
                    thanks = reverse("internships:feedback_thanks", args=[token])
                    return _unlogged(redirect(f"{thanks}?lang={language}"))
    context = {
        "unit": unit,
        "form": form,
        "limited": limited,
        "toggle": _toggle(path, language),
        "action": f"{path}?lang={language}",
    }
    return _page(request, "internships/feedback_form.html", context, language=language, status=status)


@never_cache
@require_http_methods(["GET", "HEAD"])
def feedback_thanks(request, token):
    unit = _unit_or_404(token)
    language = _language(request)
    context = {
        "unit": unit,
        "toggle": _toggle(reverse("internships:feedback_thanks", args=[token]), language),
        "again_url": f"{reverse('internships:feedback_form', args=[token])}?lang={language}",
    }
    return _page(request, "internships/feedback_thanks.html", context, language=language)
