"""The token in a unit's QR code that opens the anonymous feedback form.

It says which unit, and nothing else: signed (so nobody can forge one for a unit they guess) but
not timed, so the poster printed for a shop keeps working. It stays the same for a unit as long as
the SECRET_KEY does; rotating the key invalidates every printed poster."""

from django.core import signing

from apps.org.models import StructuralUnit

SALT = "internships.feedback"
TOKEN_MAX_LENGTH = 200


def _signer() -> signing.Signer:
    # "." rather than ":" keeps the token tidy in a URL path.
    return signing.Signer(salt=SALT, sep=".")


def unit_feedback_token(unit: StructuralUnit) -> str:
    """The unit's token (stable: the same unit always gets the same token)."""
    return _signer().sign(str(unit.pk))


def unit_for_feedback_token(token: str) -> StructuralUnit | None:
    """The active unit a token names; None for a bad, tampered or foreign token or an inactive unit."""
    if not isinstance(token, str) or not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    try:
        value = _signer().unsign(token)
    except signing.BadSignature:
        return None
    if not value.isdigit():
        return None
    return StructuralUnit.objects.filter(pk=int(value), is_active=True).first()
