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
from django.utils.translation import ngettext
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


# --- Two-step sign-in (issue 14) ------------------------------------------------------------------
# A user allowed "accounts.use_second_factor" may add a TOTP app (one confirmed TOTPDevice) and
# gets backup codes with it (one StaticDevice). A code of six digits is checked against the app, any
# other against the backup codes, so a backup code never counts as a wrong app code. Each device
# throttles itself (django-otp: no code is checked for 2^(n-1) s after its n-th wrong one in a row).

BACKUP_CODES_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


class SecondFactorRefused(Exception):
    """A code that does not let the user through: wrong, or the device is pausing after wrong ones."""

    def __init__(self, message: str, *, wait_seconds: int = 0):
        super().__init__(message)
        self.message = message
        self.wait_seconds = wait_seconds


def second_factor_device(user):
    """The user's confirmed authenticator app (TOTPDevice), or None: a user with one signs in in two
    steps."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not getattr(user, "pk", None):
        return None
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).first()


def second_factor_is_on(user) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return bool(getattr(user, "pk", None)) and TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def second_factor_pending_device(user):
    """The authenticator app being set up (not confirmed yet), or None."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).first()


def second_factor_backup_codes_left(user) -> int:
    from django_otp.plugins.otp_static.models import StaticToken

    return StaticToken.objects.filter(device__user_id=user.pk, device__confirmed=True).count()


def second_factor_enrol_start(*, actor):
    """Begin setting up an authenticator app: a new secret key, not yet required at sign-in (a key
    begun before and never confirmed is replaced). Needs "accounts.use_second_factor"; refused
    while one is on (turn it off first)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    require(actor, "accounts.use_second_factor")
    with transaction.atomic():
        User.objects.select_for_update().get(pk=actor.pk)
        if second_factor_is_on(actor):
            raise ValidationError(_("Two-step sign-in is already on."), code="already_on")
        TOTPDevice.objects.filter(user_id=actor.pk, confirmed=False).delete()
        return TOTPDevice.objects.create(user_id=actor.pk, name=TOTP_DEVICE_NAME, confirmed=False)


def _backup_codes_replace(user) -> list[str]:
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    StaticDevice.objects.filter(user_id=user.pk).delete()
    device = StaticDevice.objects.create(user_id=user.pk, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _index in range(BACKUP_CODES_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def second_factor_enrol_confirm(*, actor, token: str) -> list[str]:
    """Turn two-step sign-in on with the first code the app shows (proof that the key was copied
    right). Returns the backup codes, which are shown this once. A wrong code counts against the
    device's throttle like one at sign-in."""
    require(actor, "accounts.use_second_factor")
    device = second_factor_pending_device(actor)
    if device is None:
        raise ValidationError(_("Start the set-up again: no key is waiting for a code."), code="no_pending_key")
    # Verified in its own transaction: a wrong code's throttle count must be saved, not rolled back.
    with transaction.atomic():
        device = type(device).objects.select_for_update().get(pk=device.pk)
        verified = device.verify_token(_clean_code(token))
    if not verified:
        raise ValidationError({"token": ValidationError(_("This code is wrong or has expired."), code="wrong_code")})
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _backup_codes_replace(actor)
        log_action(actor=actor, action="accounts.second_factor.enabled", target=actor)
    return codes


def _clean_code(token) -> str:
    return "".join(str(token or "").split()).lower()[:16]


def second_factor_verify(*, user, token: str):
    """Check a code at sign-in: six digits against the authenticator app, anything else against the
    backup codes (each works once). Returns the device that accepted it (the session is then
    verified) and records the pass; raises SecondFactorRefused when the code is wrong or the
    device is pausing after wrong ones."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    code = _clean_code(token)
    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user_id=user.pk, confirmed=True).first()
        if device is None:
            verified = False
        else:
            allowed, details = device.verify_is_allowed()
            if not allowed:
                locked_until = (details or {}).get("locked_until")
                wait = max(1, int((locked_until - timezone.now()).total_seconds() + 0.999)) if locked_until else 1
                verified = None
            else:
                verified = device.verify_token(code)
    if verified is None:
        message = ngettext(
            "Too many wrong codes: wait %(seconds)d second, then enter the current code.",
            "Too many wrong codes: wait %(seconds)d seconds, then enter the current code.",
            wait,
        )
        raise SecondFactorRefused(message % {"seconds": wait}, wait_seconds=wait)
    if not verified:
        raise SecondFactorRefused(_("This code is wrong or has expired."))
    log_action(
        actor=user,
        action="accounts.second_factor.passed",
        target=user,
        data={"method": "app" if model is TOTPDevice else "backup_code"},
    )
    return device


def second_factor_disable(*, actor, proof: str) -> None:
    """Turn two-step sign-in off: the app and the backup codes are deleted. Needs proof that the
    person at the keyboard is the user: their password, or a current code (or a backup code)."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    require(actor, "accounts.use_second_factor")
    if not second_factor_is_on(actor):
        raise ValidationError(_("Two-step sign-in is not on."), code="not_on")
    proven = bool(proof) and actor.check_password(proof)
    if not proven:
        try:
            second_factor_verify(user=actor, token=proof)
        except SecondFactorRefused as refused:
            raise ValidationError({"proof": ValidationError(refused.message, code="wrong_proof")}) from None
    with transaction.atomic():
        TOTPDevice.objects.filter(user_id=actor.pk).delete()
        StaticDevice.objects.filter(user_id=actor.pk).delete()
        log_action(actor=actor, action="accounts.second_factor.disabled", target=actor)


def second_factor_reset(*, actor, user, reason: str) -> bool:
    """The system admin removes a user's second factor (a lost phone): the user signs in with the
    password alone and may set it up again. Needs "accounts.reset_second_factor" and a reason;
    recorded with both. Returns whether the user had one."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    require(actor, "accounts.reset_second_factor")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ValidationError(_("Say why the second factor is reset."), code="required")})
    with transaction.atomic():
        had_one = TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()
        TOTPDevice.objects.filter(user_id=user.pk).delete()
        StaticDevice.objects.filter(user_id=user.pk).delete()
        log_action(
            actor=actor,
            action="accounts.second_factor.reset",
            target=user,
            reason=reason,
            data={"had_second_factor": had_one},
        )
    return had_one
