"""Permission-walk expectations for the two-step sign-in pages of the user's own account: the HSE
head, the pass office and the system admin may set it up; every other role is refused."""

from django.urls import reverse

from tests.walk import SIGNED_IN, Case, everyone

SECOND_FACTOR_ROLES = ["hse_head", "pass_admin", "system_admin"]


def build(ctx) -> None:
    """A key waiting for its first code for each role that may set one up (so the set-up page
    shows it); none is confirmed, so nobody in the walk is held at the code page."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for role in SECOND_FACTOR_ROLES:
        TOTPDevice.objects.create(user=getattr(ctx, role), name="Authenticator app", confirmed=False)


def _own(ok):
    expect = {role: (ok if role in SECOND_FACTOR_ROLES else 403) for role in SIGNED_IN}
    expect["anonymous"] = 302
    return expect


EXPECTATIONS: dict = {
    # Without a pending second step, the code page sends a signed-in user on (and anonymous to login).
    "accounts:second_factor_verify": [Case(lambda o: reverse("accounts:second_factor_verify"), everyone(302))],
    "accounts:second_factor_start": [
        Case(lambda o: reverse("accounts:second_factor_start"), everyone(405)),
        Case(lambda o: reverse("accounts:second_factor_start"), _own(302), "post"),
    ],
    "accounts:second_factor_setup": [
        Case(lambda o: reverse("accounts:second_factor_setup"), _own(200)),
        Case(lambda o: reverse("accounts:second_factor_setup"), _own(200), "post", {"token": "not-a-code"}),
    ],
    "accounts:second_factor_disable": [
        Case(lambda o: reverse("accounts:second_factor_disable"), everyone(405)),
        Case(lambda o: reverse("accounts:second_factor_disable"), _own(302), "post", {"proof": "wrong"}),
    ],
}
