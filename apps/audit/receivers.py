"""Sign-ins, failed sign-ins and refused requests go into the audit log (issue 14).

A failed sign-in records the username that was tried, nothing else (no password, no IP: the
entry has no field for one). A refusal records the path and, when known, the capability."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from apps.common.signals import access_denied

from .services import log_action

USERNAME_KEEP = 150  # the length of a username: anything longer was not one


@receiver(user_logged_in, dispatch_uid="audit-signed-in")
def record_sign_in(sender, request, user, **kwargs):
    log_action(actor=user, action="accounts.signed_in")


@receiver(user_login_failed, dispatch_uid="audit-sign-in-failed")
def record_failed_sign_in(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or "")[:USERNAME_KEEP]
    if credentials.get("second_factor"):
        # The password was right, the code of the second step was not (accounts: two-step sign-in).
        log_action(actor=None, action="accounts.second_factor_failed", actor_name=username, data={"username": username})
        return
    log_action(actor=None, action="accounts.sign_in_failed", actor_name=username, data={"username": username})


@receiver(access_denied, dispatch_uid="audit-access-denied")
def record_access_denied(sender, request, capability=None, **kwargs):
    """One INSERT for a 403 answered to a signed-in user, on a page or the API (anonymous callers
    are sent to the login page or answered 401 without an entry: nothing to attribute)."""
    data = {"path": request.path[:500], "method": request.method}
    if capability:
        data["capability"] = capability
    log_action(actor=request.user, action="access.denied", data=data)
