"""The API token endpoint, throttled like the sign-in page.

DRF's `obtain_auth_token` passes its request to `authenticate()`, so django-axes counts its
failures per username and IP; but axes marks the lockout on DRF's request object, which its
middleware never sees, and the answer would be a plain 400. Here a locked-out pair gets 429 with
the cool-off in `Retry-After`, and a success clears the pair's failures as a page sign-in does."""

from django.contrib.auth.signals import user_logged_in
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.response import Response

from .lockout import cool_off_minutes, lockout_message


class ThrottledObtainAuthToken(ObtainAuthToken):
    @extend_schema(
        operation_id="auth_token_create",
        responses={
            200: inline_serializer("AuthToken", {"token": serializers.CharField()}),
            400: OpenApiResponse(description="Wrong username or password, or a field missing."),
            429: OpenApiResponse(description="Too many failed attempts for this username from this address."),
        },
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except ValidationError:
            if getattr(request, "axes_locked_out", False):
                minutes = cool_off_minutes(request)
                raise Throttled(wait=minutes * 60, detail=lockout_message(minutes)) from None
            raise
        user = serializer.validated_data["user"]
        # Clears the failures of this username and IP (AXES_RESET_ON_SUCCESS) and stamps last_login.
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


obtain_auth_token = ThrottledObtainAuthToken.as_view()
