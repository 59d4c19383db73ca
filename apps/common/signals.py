"""Signals the lower layers send and the audit trail listens to (apps.audit.receivers): the
common layer may not import the audit app, so it announces instead."""

import re

from django.dispatch import Signal

# A request was refused (403) to a signed-in user: sent with request=, capability= (or None).
access_denied = Signal()

CAPABILITY_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


def capability_of(exception) -> str | None:
    """The capability a PermissionDenied names, when it names one (`access.require` raises
    `PermissionDenied("actions.view")`); row rules raise a sentence, which is not kept."""
    args = getattr(exception, "args", ())
    first = args[0] if args else None
    return first if isinstance(first, str) and CAPABILITY_NAME.fullmatch(first) else None


def announce_access_denied(request, capability: str | None = None) -> None:
    if getattr(getattr(request, "user", None), "is_authenticated", False):
        access_denied.send(sender=None, request=request, capability=capability)
