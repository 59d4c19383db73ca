from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from .errors import StateConflict
from .signals import announce_access_denied, capability_of
from .versioning import VersionConflict


class PortalModelSerializer(serializers.ModelSerializer):
    """The portal's model serializer: a request that sends a field the API only shows (status,
    owner, who and when, scores: what a service or a workflow step sets) is refused with a field
    error on it, instead of the value being silently dropped. The record's `id` may be sent back."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            refused = {
                name: [_("This field cannot be set here: the portal sets it.")]
                for name, field in self.fields.items()
                if field.read_only and name != "id" and name in data
            }
            if refused:
                raise serializers.ValidationError(refused)
        return super().to_internal_value(data)


def api_exception_handler(exc, context):
    """A rule broken inside a service (Django ValidationError) answers 400 with field errors,
    a step the record's current state no longer allows answers 409; never 500."""
    if isinstance(exc, VersionConflict):
        # The record changed since the client read it: the field error on `version`, and the
        # version to read again (apps.common.versioning).
        message = " ".join(exc.messages)
        body = {"detail": message, "code": "version_conflict", "version": [message], "current_version": exc.current}
        return Response(body, status=status.HTTP_409_CONFLICT)
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
