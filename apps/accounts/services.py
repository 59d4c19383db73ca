"""A user's own account settings. The user is the actor: nobody changes another's settings here
(the system admin does that in Django admin)."""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from apps.audit.services import log_action

from .access import require
from .models import User


def user_set_language(*, user, language: str) -> None:
    """Keep the user's interface language ("" = as the browser asks). Needs
    "accounts.set_own_language"; a language the portal does not offer is refused."""
    require(user, "accounts.set_own_language")
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": ValidationError(_("This language is not offered."), code="invalid_choice")})
    user.language = language
    user.save(update_fields=["language"])


def api_token_renew(*, user) -> Token:
    """Replace the user's API token; the old one stops working at once. Needs
    "accounts.renew_own_api_token". The user's row is locked first, so two renewals at once
    (two tabs) end with one token, the last one, and one audit entry each."""
    with transaction.atomic():
        require(user, "accounts.renew_own_api_token")
        # Not common.locking.lock_and_reload: it takes the model from type(instance), and
        # request.user is a lazy object.
        User.objects.select_for_update().get(pk=user.pk)
        Token.objects.filter(user=user).delete()
        token = Token.objects.create(user=user)
        log_action(actor=user, action="accounts.api_token.renewed", target=user)
        return token


def user_sessions_end(*, actor, user) -> int:
    """End every session of `user` (database row and cache) and delete their API token: they must
    sign in again everywhere. Needs "accounts.end_user_sessions". Returns
    the number of sessions ended."""
    require(actor, "accounts.end_user_sessions")
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    with transaction.atomic():
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
            if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
                store_class(session.session_key).delete()
                ended += 1
        tokens = Token.objects.filter(user=user).delete()[0]
        log_action(
            actor=actor,
            action="accounts.sessions.ended",
            target=user,
            data={"sessions": ended, "api_access_revoked": bool(tokens)},
        )
    return ended
