"""Who may do what to one action. Role capabilities come from `apps.accounts.roles`; these add
the row-level facts: the owner and the owner's line manager."""

from apps.accounts.access import can

from .models import Action


def _is_owners_manager(user, action: Action) -> bool:
    return action.owner.line_manager_id is not None and action.owner.line_manager_id == user.pk


def may_change_status(user, action: Action) -> bool:
    """Start or complete: the owner, the owner's line manager, or HSE roles of the unit."""
    return (
        user.is_authenticated
        and user.is_active
        and (
            action.owner_id == user.pk
            or _is_owners_manager(user, action)
            or can(user, "actions.manage_any", action.unit_id)
        )
    )


def may_verify(user, action: Action) -> bool:
    """Verification is never done by the owner: the owner's line manager or HSE roles."""
    return (
        user.is_authenticated
        and user.is_active
        and action.owner_id != user.pk
        and (_is_owners_manager(user, action) or can(user, "actions.manage_any", action.unit_id))
    )


# Cancelling or re-planning (new owner, new due date) is a decision over the owner's head.
may_cancel = may_verify


def may_edit(user, action: Action) -> bool:
    """Re-plan: those who may cancel, or the person who opened the action while they may still
    open actions in its unit."""
    return may_verify(user, action) or (action.created_by_id == user.pk and can(user, "actions.create", action.unit_id))
