from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from .errors import StateConflict


def api_exception_handler(exc, context):
    """A rule broken inside a service (Django ValidationError) answers 400 with field errors,
    a step the record's current state no longer allows answers 409; never 500."""
    if isinstance(exc, StateConflict):
        return Response({"detail": " ".join(exc.messages), "code": "state_conflict"}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = serializers.ValidationError(detail)
    return exception_handler(exc, context)
