"""The API token endpoint, throttled like the sign-in page.

DRF's `obtain_auth_token` passes its request to `authenticate()`, so django-axes counts its
failures per username and IP; but axes marks the lockout on DRF's request object, which its
middleware never sees, and the answer would be a plain 400. Here a locked-out pair gets 429 with
the cool-off in `Retry-After`, and a success clears the pair's failures as a page sign-in does."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.response import Response

from . import services
from .lockout import cool_off_minutes, lockout_message


class AuthTokenWithCodeSerializer(AuthTokenSerializer):
    """Username and password, and for a user with two-step sign-in the current code (or a backup
    code) as `otp`."""

    otp = serializers.CharField(
        label=gettext_lazy("Code"),
        required=False,
        allow_blank=True,
        max_length=20,
        write_only=True,
        help_text=gettext_lazy("Users with two-step sign-in: the code of their authenticator app or a backup code."),
    )


class ThrottledObtainAuthToken(ObtainAuthToken):
    serializer_class = AuthTokenWithCodeSerializer

    @extend_schema(
        operation_id="auth_token_create",
        responses={
            200: inline_serializer("AuthToken", {"token": serializers.CharField()}),
            400: OpenApiResponse(
                description="Wrong username or password, a field missing, or (two-step sign-in) `otp` missing or wrong."
            ),
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
        self._check_second_factor(request, user, serializer.validated_data.get("otp") or "")
        # Clears the failures of this username and IP (AXES_RESET_ON_SUCCESS) and stamps last_login.
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    def _check_second_factor(self, request, user, code: str) -> None:
        """A user with an authenticator app gets a token only with a current code; a wrong one
        counts as a failed sign-in (django-axes) and is recorded, as on the code page."""
        if not services.second_factor_is_on(user):
            return
        if not code:
            raise ValidationError({"otp": [_("This user signs in in two steps: send the current code as otp.")]})
        try:
            services.second_factor_verify(user=user, token=code)
        except services.SecondFactorRefused as refused:
            credentials = {"username": user.get_username(), "second_factor": True}
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                minutes = cool_off_minutes(request)
                raise Throttled(wait=minutes * 60, detail=lockout_message(minutes)) from None
            raise ValidationError({"otp": [refused.message]}) from None


obtain_auth_token = ThrottledObtainAuthToken.as_view()
