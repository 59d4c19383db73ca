"""Writes to the action register: opening an action and every step of its state machine.

Every step that changes an action runs in one transaction that first locks the action's row and
reloads it (`lock_and_reload`), then checks who may act and what the status allows on what it
found: of two racing requests one succeeds and the other is refused with a `StateConflict`
("This action is already done"), shown on the page and answered 409 by the API. Each committed
change writes exactly one history entry."""

from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.access import require
from apps.audit.services import log_action
from apps.common import uploads
from apps.common.dates import short_date, validate_record_date
from apps.common.errors import StateConflict
from apps.common.fields import LONG_TEXT_MAX_LENGTH
from apps.common.locking import lock_and_reload
from apps.notifications.models import OutboxMessage
from apps.notifications.services import outbox_add

from . import rules
from .models import Action, ActionEvidence

EVIDENCE_MAX_BYTES = 10 * uploads.MEGABYTE

EDITABLE_FIELDS = ("title", "description", "owner", "due_date", "priority", "control_level")

NOT_EFFECTIVE_THEN = ("reopen", "follow_up")


def _check(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You may not change this action."))


def _conflict_message(action: Action) -> str:
    return {
        Action.Status.OPEN: _("This action is open: it has not been marked as done."),
        Action.Status.IN_PROGRESS: _("This action is already in progress."),
        Action.Status.DONE: _("This action is already done."),
        Action.Status.VERIFIED: _("This action is already verified."),
        Action.Status.CANCELLED: _("This action is already cancelled."),
    }[action.status]


def _require_status(action: Action, *statuses: str) -> None:
    """The status found on the locked row must allow the step; otherwise someone else (or another
    tab) changed the action first."""
    if action.status not in statuses:
        raise StateConflict(_conflict_message(action), code="state_conflict")


def _text(value: str | None, field: str) -> str:
    """Free text as stored: stripped and no longer than the cap, refused on `field` otherwise."""
    value = (value or "").strip()
    try:
        MaxLengthValidator(LONG_TEXT_MAX_LENGTH)(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None
    return value


def _due_date_errors(due_date, today: date) -> list[str]:
    """A due date inside the records' window and not in the past (today is fine)."""
    if due_date is None:
        return [_("Give the action a due date.")]
    try:
        validate_record_date(due_date)
    except ValidationError as error:
        return error.messages
    if due_date < today:
        return [_("The due date cannot be in the past.")]
    return []


def _notify_owner_assigned(action: Action, actor) -> None:
    if action.owner_id == getattr(actor, "pk", None):
        return
    outbox_add(
        recipient=action.owner,
        kind=OutboxMessage.Kind.ACTION_ASSIGNED,
        dedupe_key=f"action_assigned:{action.pk}:{action.owner_id}:{action.updated_at:%Y%m%d%H%M%S%f}",
        subject=_("New action for you: %(ref)s %(title)s") % {"ref": action.reference, "title": action.title},
        body=_("%(actor)s assigned you an action in %(unit)s, due %(due)s.")
        % {"actor": actor, "unit": action.unit, "due": short_date(action.due_date)},
        url=action.get_absolute_url(),
    )


def _open_action(
    *,
    actor,
    title: str,
    unit,
    owner,
    due_date: date,
    control_level: str,
    priority: str,
    description: str,
    source_record,
    follow_up_of: Action | None,
    today: date,
) -> Action:
    errors = {}
    due_date_errors = _due_date_errors(due_date, today)
    if due_date_errors:
        errors["due_date"] = due_date_errors
    if not owner.is_active:
        errors["owner"] = _("This user can no longer own actions.")
    if errors:
        raise ValidationError(errors)
    action = Action(
        title=(title or "").strip(),
        description=_text(description, "description"),
        unit=unit,
        owner=owner,
        due_date=due_date,
        control_level=control_level,
        priority=priority,
        follow_up_of=follow_up_of,
        created_by=actor,
    )
    if source_record is not None:
        action.source_type = ContentType.objects.get_for_model(source_record)
        action.source_id = source_record.pk
    action.full_clean()
    action.save()
    log_action(
        actor=actor,
        action="actions.action.created",
        target=action,
        data={
            "owner": owner.pk,
            "due_date": due_date.isoformat(),
            "source": action.source_kind.code if action.source_kind else None,
        },
    )
    _notify_owner_assigned(action, actor)
    return action


@transaction.atomic
def action_create(
    *,
    actor,
    title: str,
    unit,
    owner,
    due_date: date,
    control_level: str,
    priority: str = Action.Priority.MEDIUM,
    description: str = "",
    source_record=None,
    follow_up_of: Action | None = None,
    today: date | None = None,
) -> Action:
    """Open an action in the register. The due date may not be in the past (today is fine); the
    owner hears of it through the outbox (delivered after commit, whatever the broker's state)."""
    require(actor, "actions.create", unit)
    return _open_action(
        actor=actor,
        title=title,
        unit=unit,
        owner=owner,
        due_date=due_date,
        control_level=control_level,
        priority=priority,
        description=description,
        source_record=source_record,
        follow_up_of=follow_up_of,
        today=today or timezone.localdate(),
    )


@transaction.atomic
def action_start(*, actor, action: Action) -> Action:
    """Open -> in progress: the owner, the owner's line manager or HSE roles of the unit."""
    lock_and_reload(action)
    _check(rules.may_change_status(actor, action))
    _require_status(action, Action.Status.OPEN)
    action.status = Action.Status.IN_PROGRESS
    action.save(update_fields=["status", "updated_at"])
    log_action(actor=actor, action="actions.action.started", target=action)
    return action


def _store_evidence(action: Action, files, actor) -> list[ActionEvidence]:
    """Evidence files, each checked by its content (photos, PDF, Word, Excel, text), then stored."""
    for upload in files:
        uploads.checked_upload(upload, kinds=uploads.EVIDENCE, max_bytes=EVIDENCE_MAX_BYTES, field="files")
    return [
        ActionEvidence.objects.create(
            action=action, file=upload, original_name=uploads.client_name(upload), uploaded_by=actor
        )
        for upload in files
    ]


@transaction.atomic
def action_complete(*, actor, action: Action, evidence: str, files=()) -> Action:
    """Mark done, with evidence: a description of what was done, files, or both."""
    lock_and_reload(action)
    _check(rules.may_change_status(actor, action))
    _require_status(action, *Action.OPEN_STATUSES)
    evidence = _text(evidence, "evidence")
    if not evidence and not files and not action.evidence_files.exists():
        raise ValidationError({"evidence": _("Describe what was done or attach a file as evidence.")})
    _store_evidence(action, files, actor)
    action.status = Action.Status.DONE
    action.evidence = evidence
    action.completed_at = timezone.now()
    action.completed_by = actor
    action.save(update_fields=["status", "evidence", "completed_at", "completed_by", "updated_at"])
    log_action(
        actor=actor,
        action="actions.action.completed",
        target=action,
        data={"files": [uploads.client_name(upload) for upload in files]},
    )
    return action


@transaction.atomic
def action_verify(
    *,
    actor,
    action: Action,
    effective: bool,
    note: str = "",
    not_effective_then: str = "reopen",
    follow_up: dict | None = None,
    today: date | None = None,
) -> Action:
    """Check that a done action works (never its owner). Effective: verified. Not effective (a note
    saying why is required): either reopened for its owner, or closed with one follow-up action
    opened (due date required, not in the past)."""
    lock_and_reload(action)
    _check(rules.may_verify(actor, action))
    _require_status(action, Action.Status.DONE)
    today = today or timezone.localdate()
    note = _text(note, "note")
    follow_up = follow_up or {}
    errors = {}
    if not effective:
        if not note:
            errors["note"] = _("Say why the action was not effective.")
        if not_effective_then not in NOT_EFFECTIVE_THEN:
            errors["not_effective_then"] = _("Choose to reopen the action or to open a follow-up.")
        elif not_effective_then == "follow_up":
            due_date_errors = _due_date_errors(follow_up.get("due_date"), today)
            if due_date_errors:
                errors["follow_up_due_date"] = due_date_errors
    if errors:
        raise ValidationError(errors)
    action.verified_at = timezone.now()
    action.verified_by = actor
    action.is_effective = effective
    action.verification_note = note
    if effective or not_effective_then == "follow_up":
        action.status = Action.Status.VERIFIED
    else:
        action.status = Action.Status.OPEN
        action.escalation = Action.Escalation.NONE
        action.escalated_at = None
    action.save()
    log_action(
        actor=actor,
        action="actions.action.verified" if effective else "actions.action.not_effective",
        target=action,
        reason=note,
        data={"then": None if effective else not_effective_then},
    )
    if not effective and not_effective_then == "follow_up":
        # Part of the verifier's decision: may_verify() was the permission for it.
        _open_action(
            actor=actor,
            title=follow_up.get("title") or action.title,
            unit=action.unit,
            owner=follow_up.get("owner") or action.owner,
            due_date=follow_up["due_date"],
            control_level=follow_up.get("control_level") or action.control_level,
            priority=action.priority,
            description=note,
            source_record=action.source_record,
            follow_up_of=action,
            today=today,
        )
    return action


@transaction.atomic
def action_cancel(*, actor, action: Action, reason: str) -> Action:
    """Cancel an action not yet verified, with a reason: a decision over the owner's head."""
    lock_and_reload(action)
    _check(rules.may_cancel(actor, action))
    _require_status(action, *Action.OPEN_STATUSES, Action.Status.DONE)
    reason = _text(reason, "reason")
    if not reason:
        raise ValidationError({"reason": _("Say why the action is cancelled.")})
    action.status = Action.Status.CANCELLED
    action.cancel_reason = reason
    action.save(update_fields=["status", "cancel_reason", "updated_at"])
    log_action(actor=actor, action="actions.action.cancelled", target=action, reason=reason)
    return action


@transaction.atomic
def action_update(*, actor, action: Action, reason: str = "", today: date | None = None, **fields) -> Action:
    """Re-plan an open action. A new due date needs a reason and may not be in the past; a new
    owner is told; either starts the escalation clock again. Nothing changed: nothing logged."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Action fields cannot be edited: {sorted(unknown)}")
    lock_and_reload(action)
    _check(rules.may_edit(actor, action))
    _require_status(action, *Action.OPEN_STATUSES)
    today = today or timezone.localdate()
    if "description" in fields:
        fields["description"] = _text(fields["description"], "description")
    changed = {name: value for name, value in fields.items() if getattr(action, name) != value}
    reason = _text(reason, "reason")
    errors = {}
    if "due_date" in changed:
        if not reason:
            errors["reason"] = _("Say why the due date changes.")
        due_date_errors = _due_date_errors(changed["due_date"], today)
        if due_date_errors:
            errors["due_date"] = due_date_errors
    if "owner" in changed and not changed["owner"].is_active:
        errors["owner"] = _("This user can no longer own actions.")
    if errors:
        raise ValidationError(errors)
    if not changed:
        return action
    changes = {}
    for name, value in changed.items():
        old = getattr(action, name)
        changes[name] = [str(getattr(old, "pk", old)), str(getattr(value, "pk", value))]
        setattr(action, name, value)
    if "due_date" in changes or "owner" in changes:
        action.escalation = Action.Escalation.NONE
        action.escalated_at = None
    action.full_clean()
    action.save()
    log_action(actor=actor, action="actions.action.updated", target=action, reason=reason, data={"changes": changes})
    if "owner" in changes:
        _notify_owner_assigned(action, actor)
    return action


@transaction.atomic
def evidence_add(*, actor, action: Action, files) -> list[ActionEvidence]:
    """More evidence on an action that is not cancelled: those who may change its status."""
    lock_and_reload(action)
    _check(rules.may_change_status(actor, action))
    _require_status(action, *Action.OPEN_STATUSES, Action.Status.DONE, Action.Status.VERIFIED)
    if not files:
        raise ValidationError({"files": _("Choose at least one file.")})
    added = _store_evidence(action, files, actor)
    log_action(
        actor=actor,
        action="actions.evidence.added",
        target=action,
        data={"files": [uploads.client_name(f) for f in files]},
    )
    return added
