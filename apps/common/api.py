from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from .errors import StateConflict
from .signals import announce_access_denied, capability_of


def api_exception_handler(exc, context):
    """A rule broken inside a service (Django ValidationError) answers 400 with field errors,
    a step the record's current state no longer allows answers 409; never 500."""
    if isinstance(exc, StateConflict):
        return Response({"detail": " ".join(exc.messages), "code": "state_conflict"}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = serializers.ValidationError(detail)
    if isinstance(exc, DjangoPermissionDenied | exceptions.PermissionDenied) and "request" in context:
        announce_access_denied(context["request"], _capability(exc, context))  # into the audit log
    return exception_handler(exc, context)


def _capability(exc, context) -> str | None:
    """The capability refused: named by the exception (`access.require`) or, for a refusal of
    `HasCapability`, the one the view declares for the method."""
    view, request = context.get("view"), context["request"]
    method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
    return capability_of(exc) or (getattr(view, "capabilities", None) or {}).get(method)
