import re

from django.contrib.contenttypes.models import ContentType

from .models import AuditEntry

ACTION_CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
# A key containing any of these words (in any case, anywhere in the key) is stored masked.
SENSITIVE_KEYS = ("password", "token", "secret", "medical", "diagnosis")
MASK = "********"


def _masked(data):
    if isinstance(data, dict):
        return {
            key: MASK if any(word in str(key).lower() for word in SENSITIVE_KEYS) else _masked(value)
            for key, value in data.items()
        }
    if isinstance(data, list | tuple):
        return [_masked(item) for item in data]
    return data


def log_action(
    *, actor, action: str, target=None, unit=None, reason: str = "", data=None, actor_name: str | None = None
) -> AuditEntry:
    """Record a state change that matters: who, when, what, on which record and why.

    `action` is a namespaced code such as "contractors.pass.blocked"; sensitive keys in `data`
    are masked before they are stored. Call it inside the service's transaction, so the entry
    exists exactly when the change does. `actor_name` names who acted when there is no user
    (a failed sign-in: the username tried); "system" otherwise.
    """
    if not isinstance(action, str) or not ACTION_CODE.fullmatch(action):
        raise ValueError(f"Audit action code must look like 'app.entity.verb', got {action!r}")
    if unit is None and target is not None:
        unit = getattr(target, "unit", None)
    actor_user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=actor_user,
        actor_name=str(actor_user) if actor_user else (actor_name or "system"),
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:255] if target is not None else "",
        unit=unit,
        reason=reason,
        data=_masked(data or {}),
    )
