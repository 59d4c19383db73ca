from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.access import require
from apps.audit.services import log_action
from apps.notifications.models import OutboxMessage
from apps.notifications.services import outbox_add

from . import rules
from .models import Action, ActionEvidence

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp", ".heic", ".pdf", ".docx", ".xlsx", ".txt"}

EDITABLE_FIELDS = ("title", "description", "owner", "due_date", "priority", "control_level")


def _check(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You may not change this action."))


def _require_status(action: Action, *statuses: str) -> None:
    if action.status not in statuses:
        raise ValidationError(
            _("This cannot be done while the action is “%(status)s”.") % {"status": action.get_status_display()}
        )


def _notify_owner_assigned(action: Action, actor) -> None:
    if action.owner_id == getattr(actor, "pk", None):
        return
    outbox_add(
        recipient=action.owner,
        kind=OutboxMessage.Kind.ACTION_ASSIGNED,
        dedupe_key=f"action_assigned:{action.pk}:{action.owner_id}:{action.updated_at:%Y%m%d%H%M%S%f}",
        subject=_("New action for you: %(ref)s %(title)s") % {"ref": action.reference, "title": action.title},
        body=_("%(actor)s assigned you an action in %(unit)s, due %(due)s.")
        % {"actor": actor, "unit": action.unit, "due": action.due_date.isoformat()},
        url=action.get_absolute_url(),
    )


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
    """Open an action in the register. The due date may not be in the past; the owner hears of
    it through the outbox (delivered after commit, whatever the broker's state)."""
    require(actor, "actions.create", unit)
    today = today or timezone.localdate()
    errors = {}
    if due_date < today:
        errors["due_date"] = _("The due date cannot be in the past.")
    if not owner.is_active:
        errors["owner"] = _("This user can no longer own actions.")
    if errors:
        raise ValidationError(errors)
    action = Action(
        title=title,
        description=description,
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
def action_start(*, actor, action: Action) -> Action:
    _check(rules.may_change_status(actor, action))
    _require_status(action, Action.Status.OPEN)
    action.status = Action.Status.IN_PROGRESS
    action.save(update_fields=["status", "updated_at"])
    log_action(actor=actor, action="actions.action.started", target=action)
    return action


def _validate_evidence_file(upload) -> None:
    name = upload.name.lower()
    if not any(name.endswith(ext) for ext in EVIDENCE_EXTENSIONS):
        raise ValidationError({"files": _("%(name)s: this type of file is not accepted.") % {"name": upload.name}})
    if upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError({"files": _("%(name)s is larger than 10 MB.") % {"name": upload.name}})


@transaction.atomic
def action_complete(*, actor, action: Action, evidence: str, files=()) -> Action:
    """Mark done, with evidence: a description of what was done, files, or both."""
    _check(rules.may_change_status(actor, action))
    _require_status(action, Action.Status.OPEN, Action.Status.IN_PROGRESS)
    evidence = (evidence or "").strip()
    if not evidence and not files and not action.evidence_files.exists():
        raise ValidationError({"evidence": _("Describe what was done or attach a file as evidence.")})
    for upload in files:
        _validate_evidence_file(upload)
    for upload in files:
        ActionEvidence.objects.create(action=action, file=upload, original_name=upload.name[:255], uploaded_by=actor)
    action.status = Action.Status.DONE
    action.evidence = evidence
    action.completed_at = timezone.now()
    action.completed_by = actor
    action.save(update_fields=["status", "evidence", "completed_at", "completed_by", "updated_at"])
    log_action(
        actor=actor,
        action="actions.action.completed",
        target=action,
        data={"files": [upload.name for upload in files]},
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
) -> Action:
    """Check that a done action works. Effective: verified. Not effective (a note saying why is
    required): either reopened for its owner, or closed with a follow-up action opened."""
    _check(rules.may_verify(actor, action))
    _require_status(action, Action.Status.DONE)
    note = (note or "").strip()
    if not effective and not note:
        raise ValidationError({"note": _("Say why the action was not effective.")})
    action.verified_at = timezone.now()
    action.verified_by = actor
    action.is_effective = effective
    action.verification_note = note
    if effective or not_effective_then == "follow_up":
        action.status = Action.Status.VERIFIED
    elif not_effective_then == "reopen":
        action.status = Action.Status.OPEN
        action.escalation = Action.Escalation.NONE
        action.escalated_at = None
    else:
        raise ValidationError({"not_effective_then": _("Choose to reopen the action or to open a follow-up.")})
    action.save()
    log_action(
        actor=actor,
        action="actions.action.verified" if effective else "actions.action.not_effective",
        target=action,
        reason=note,
        data={"then": None if effective else not_effective_then},
    )
    if not effective and not_effective_then == "follow_up":
        follow_up = follow_up or {}
        action_create(
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
        )
    return action


@transaction.atomic
def action_cancel(*, actor, action: Action, reason: str) -> Action:
    _check(rules.may_cancel(actor, action))
    _require_status(action, Action.Status.OPEN, Action.Status.IN_PROGRESS, Action.Status.DONE)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the action is cancelled.")})
    action.status = Action.Status.CANCELLED
    action.cancel_reason = reason
    action.save(update_fields=["status", "cancel_reason", "updated_at"])
    log_action(actor=actor, action="actions.action.cancelled", target=action, reason=reason)
    return action


@transaction.atomic
def action_update(*, actor, action: Action, reason: str = "", today: date | None = None, **fields) -> Action:
    """Re-plan an open action. A new due date needs a reason; a new owner is told; either
    starts the escalation clock again."""
    _check(rules.may_edit(actor, action))
    _require_status(action, Action.Status.OPEN, Action.Status.IN_PROGRESS)
    today = today or timezone.localdate()
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Action fields cannot be edited: {sorted(unknown)}")
    changed = {name: value for name, value in fields.items() if getattr(action, name) != value}
    reason = (reason or "").strip()
    errors = {}
    if "due_date" in changed:
        if not reason:
            errors["reason"] = _("Say why the due date changes.")
        if changed["due_date"] < today:
            errors["due_date"] = _("The due date cannot be in the past.")
    if "owner" in changed and not changed["owner"].is_active:
        errors["owner"] = _("This user can no longer own actions.")
    if errors:
        raise ValidationError(errors)
    changes = {}
    for name, value in changed.items():
        old = getattr(action, name)
        changes[name] = [str(getattr(old, "pk", old)), str(getattr(value, "pk", value))]
        setattr(action, name, value)
    if not changes:
        return action
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
    _check(rules.may_change_status(actor, action))
    for upload in files:
        _validate_evidence_file(upload)
    added = [
        ActionEvidence.objects.create(action=action, file=upload, original_name=upload.name[:255], uploaded_by=actor)
        for upload in files
    ]
    log_action(actor=actor, action="actions.evidence.added", target=action, data={"files": [f.name for f in files]})
    return added
