"""What a user typed when their session had expired, kept until they sign in again.

A form on the shop floor may take longer to fill in than a session lasts. When its POST arrives
with no signed-in user, the text fields are kept in the (new, anonymous) session and offered
again after sign-in. Only for a browser that *was* signed in, though: sign-in leaves a signed
cookie naming the user (`mark_signed_in`), sign-out removes it, and a POST without it keeps
nothing. A draft is capped in size, and it is offered back only to the user who typed it.
"""

import json

from django.conf import settings
from django.core import signing

SIGNED_IN_COOKIE = "hse_signed_in"
_SALT = "hse_portal.drafts.signed_in"
# How long after the last sign-in an expired session still keeps a draft.
SIGNED_IN_MAX_AGE = 14 * 24 * 60 * 60
DRAFT_MAX_BYTES = 32 * 1024


def mark_signed_in(response, user) -> None:
    """Called on sign-in: this browser may keep a draft for `user` if the session expires."""
    response.set_signed_cookie(
        SIGNED_IN_COOKIE,
        str(user.pk),
        salt=_SALT,
        max_age=SIGNED_IN_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def forget_signed_in(response) -> None:
    """Called on sign-out: a deliberate sign-out keeps no drafts."""
    response.delete_cookie(SIGNED_IN_COOKIE, samesite="Lax")


def signed_in_before(request) -> str | None:
    """The id of the user this browser was signed in as, or None."""
    try:
        return request.get_signed_cookie(SIGNED_IN_COOKIE, salt=_SALT, max_age=SIGNED_IN_MAX_AGE)
    except (KeyError, signing.BadSignature):
        return None


def keep_draft(request, key: str, *, exclude=("csrfmiddlewaretoken",)) -> bool:
    """Keep the POSTed text fields under `key` when this browser was signed in; False when nothing
    was kept (never signed in here, or the draft is too large)."""
    user_id = signed_in_before(request)
    if user_id is None:
        return False
    fields = {name: values for name, values in request.POST.lists() if name not in exclude}
    draft = {"user": user_id, "fields": fields}
    if len(json.dumps(draft).encode()) > DRAFT_MAX_BYTES:
        return False
    request.session[key] = draft
    return True


def take_draft(request, key: str) -> dict | None:
    """The fields kept under `key` for the signed-in user (removed from the session), or None."""
    draft = request.session.pop(key, None)
    if not isinstance(draft, dict) or draft.get("user") != str(request.user.pk):
        return None
    fields = draft.get("fields") or {}
    return {name: values if len(values) > 1 else values[0] for name, values in fields.items() if values}
