"""Writes of the safety audit app: checklist versions, the audit plan, conducting and finishing
audits. Every status change locks its row first (`lock_and_reload`) and checks the state it finds
there, so of two racing requests one succeeds and the other is told what happened
(`StateConflict`: a message on the page, 409 from the API).

Each service opens its transaction with `with transaction.atomic():` rather than the decorator,
so that mutation testing (which leaves decorated functions alone) reaches the rules inside."""

from datetime import date

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.access import can, require
from apps.accounts.models import User
from apps.actions.models import Action
from apps.actions.services import action_create
from apps.audit.services import log_action
from apps.common import uploads
from apps.common.dates import month_start, validate_record_date
from apps.common.errors import StateConflict
from apps.common.locking import lock_and_reload

from . import rules
from .models import (
    WEIGHT_MIN,
    Audit,
    AuditAnswer,
    AuditPlanEntry,
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateVersion,
    compute_score,
)

PHOTO_MAX_BYTES = 10 * uploads.MEGABYTE


def _lock(instance, gone: str):
    """Lock and reload a row; a row deleted meanwhile is a conflict, not a server error."""
    try:
        return lock_and_reload(instance)
    except ObjectDoesNotExist:
        raise StateConflict(gone) from None


def _refuse_nul(**values) -> None:
    """PostgreSQL cannot store a NUL character in text: refuse it as a field error."""
    errors = {
        name: _("Remove the invisible control character (NUL).")
        for name, value in values.items()
        if "\x00" in (value or "")
    }
    if errors:
        raise ValidationError(errors)


# Templates -------------------------------------------------------------------------------------


def _clean_items(items: list[dict]) -> list[dict]:
    """The items of a version, each checked as the column holds it; errors name the item."""
    cleaned, problems = [], []
    for number, item in enumerate(items, start=1):
        text = str(item.get("text") or "").strip()
        if not text:
            continue
        weight = item.get("weight")
        if weight in (None, ""):
            weight = WEIGHT_MIN
        row = {
            "section": str(item.get("section") or "").strip(),
            "text": text,
            "guidance": str(item.get("guidance") or "").strip(),
        }
        messages = []
        if (error := rules.weight_error(weight)) is not None:
            messages.append(error)
        else:
            row["weight"] = rules.parse_weight(weight)
            try:
                ChecklistItem(**row).clean_fields(exclude=["version", "order"])
            except ValidationError as error:
                messages.extend(message for field_messages in error.message_dict.values() for message in field_messages)
        if any("\x00" in value for value in (row["section"], row["text"], row["guidance"])):
            messages.append(_("remove the invisible control character (NUL)"))
        if messages:
            problems.append(_("Item %(number)s: %(problems)s.") % {"number": number, "problems": "; ".join(messages)})
        cleaned.append(row)
    if problems:
        raise ValidationError({"items": problems})
    if not cleaned:
        raise ValidationError({"items": _("A checklist needs at least one item.")})
    if len(cleaned) > rules.ITEMS_MAX:
        raise ValidationError(
            {
                "items": _("A checklist has at most %(max)s items (this one has %(count)s).")
                % {"max": rules.ITEMS_MAX, "count": len(cleaned)}
            }
        )
    return cleaned


def template_create(*, actor, name: str, code: str, description: str = "", items: list[dict]) -> ChecklistTemplate:
    """A new checklist template with its first published version."""
    with transaction.atomic():
        require(actor, "audits.manage_templates")
        template = ChecklistTemplate(
            name=(name or "").strip(), code=(code or "").strip(), description=(description or "").strip()
        )
        errors = {}
        try:
            _refuse_nul(name=template.name, code=template.code, description=template.description)
            template.full_clean()
        except ValidationError as error:
            errors.update(error.message_dict)
        try:
            _clean_items(items)
        except ValidationError as error:
            errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)
        try:
            with transaction.atomic():
                template.save()
        except IntegrityError:  # the same code saved by someone else a moment ago
            raise StateConflict({"code": _("A checklist with this code already exists.")}) from None
        log_action(actor=actor, action="audits.template.created", target=template)
        template_publish_new_version(actor=actor, template=template, items=items, notes="")
        return template


def template_publish_new_version(
    *, actor, template: ChecklistTemplate, items: list[dict], notes: str = "", based_on: int | None = None
) -> ChecklistTemplateVersion:
    """Editing a checklist = publishing a new version with the full list of items. Published
    versions are never changed, so audits already conducted keep the checklist they used.

    `based_on` is the version the author started from: when someone published another version
    meanwhile, publishing would silently undo their changes, so it is refused (StateConflict)."""
    with transaction.atomic():
        template = _lock(template, _("This checklist no longer exists."))
        require(actor, "audits.manage_templates")
        last = template.versions.order_by("-number").values_list("number", flat=True).first() or 0
        if based_on is not None and based_on != last:
            raise StateConflict(
                _("Version %(number)s was published meanwhile: review it and publish again.") % {"number": last}
            )
        cleaned = _clean_items(items)
        notes = (notes or "").strip()
        version = ChecklistTemplateVersion(template=template, number=last + 1, notes=notes, published_by=actor)
        _refuse_nul(notes=notes)
        version.full_clean(exclude=["template", "published_by"])
        version.save()
        ChecklistItem.objects.bulk_create(
            ChecklistItem(version=version, order=index, **item) for index, item in enumerate(cleaned, start=1)
        )
        log_action(
            actor=actor,
            action="audits.template.version_published",
            target=template,
            data={"version": version.number, "items": len(cleaned)},
        )
        return version


# The plan --------------------------------------------------------------------------------------


def plan_entry_create(
    *, actor, unit, auditor, month: date, template: ChecklistTemplate, today: date | None = None
) -> AuditPlanEntry:
    """Plan an audit of a unit for a month. The auditor must be someone who may be an auditor
    (an HSE specialist or the HSE head) and covers the unit; the checklist must be active and
    published; the month must not be over (this month and later, up to the plan horizon). The
    same audit (unit, auditor, month, checklist) is planned once."""
    with transaction.atomic():
        # Locking the checklist serialises plans made with it: of two identical requests the second
        # sees the first's entry (and a checklist retired meanwhile is seen as retired).
        template = _lock(template, _("This checklist no longer exists."))
        require(actor, "audits.plan", unit)
        month = month_start(month)
        errors = {}
        if not auditor.is_active or not rules.may_be_planned_as_auditor(auditor):
            errors["auditor"] = _("Only an HSE specialist or the HSE head can be the auditor.")
        elif not can(auditor, "audits.be_auditor", unit):
            errors["auditor"] = _("This auditor does not cover the unit.")
        if not template.is_active:
            errors["template"] = _("This checklist is no longer in use.")
        elif not template.versions.exists():
            errors["template"] = _("This checklist has no published version.")
        # A plan written after the fact would make "done vs planned" meaningless.
        if not rules.month_is_open(month, today or timezone.localdate()):
            errors["month"] = _("Plan the current month or later.")
        else:
            try:
                validate_record_date(month)
            except ValidationError as error:
                errors["month"] = error.messages
        if errors:
            raise ValidationError(errors)
        if AuditPlanEntry.objects.filter(unit=unit, auditor=auditor, month=month, template=template).exists():
            raise StateConflict({"unit": _("This audit is already in the plan.")})
        entry = AuditPlanEntry(unit=unit, auditor=auditor, month=month, template=template, planned_by=actor)
        entry.full_clean(validate_unique=False)
        entry.save()
        log_action(
            actor=actor,
            action="audits.plan_entry.created",
            target=entry,
            unit=unit,
            data={"auditor": auditor.pk, "month": month.isoformat(), "template": template.code},
        )
        return entry


def plan_entry_delete(*, actor, entry: AuditPlanEntry, reason: str = "", today: date | None = None) -> None:
    """Take an audit out of the plan, while it has not been started and its month is not over
    (a closed month's plan is what "done vs planned" is measured against)."""
    with transaction.atomic():
        entry = _lock(entry, _("This audit is no longer in the plan."))
        require(actor, "audits.plan", entry.unit)
        if not rules.month_is_open(entry.month, today or timezone.localdate()):
            raise ValidationError(_("The plan of a past month is closed."))
        if Audit.objects.filter(plan_entry=entry).exists():
            raise StateConflict(_("This audit has been started; it stays in the plan."))
        log_action(
            actor=actor,
            action="audits.plan_entry.deleted",
            target=entry,
            unit=entry.unit,
            reason=reason,
            data={"auditor": entry.auditor_id, "month": entry.month.isoformat(), "template": entry.template.code},
        )
        entry.delete()


# Conducting ------------------------------------------------------------------------------------


def audit_start(
    *, actor, plan_entry: AuditPlanEntry | None = None, unit=None, template: ChecklistTemplate | None = None
) -> Audit:
    """Start an audit, from the plan or unplanned, against the checklist's current version.
    A planned audit is started once; the one who starts it is the auditor."""
    with transaction.atomic():
        if plan_entry is not None:
            plan_entry = _lock(plan_entry, _("This audit is no longer in the plan."))
            unit, template = plan_entry.unit, plan_entry.template
        if unit is None or template is None:
            raise ValidationError(_("Choose the unit and the checklist."))
        require(actor, "audits.conduct", unit)
        if plan_entry is not None and Audit.objects.filter(plan_entry=plan_entry).exists():
            raise StateConflict(_("This planned audit has already been started."))
        version = template.current_version()
        if version is None or not template.is_active:
            raise ValidationError({"template": _("This checklist is no longer in use.")})
        audit = Audit.objects.create(
            plan_entry=plan_entry, unit=unit, auditor=actor, template_version=version, started_at=timezone.now()
        )
        AuditAnswer.objects.bulk_create(AuditAnswer(audit=audit, item=item) for item in version.items.all())
        log_action(
            actor=actor,
            action="audits.audit.started",
            target=audit,
            unit=unit,
            data={"plan_entry": getattr(plan_entry, "pk", None), "version": version.number},
        )
        return audit


def _lock_for_conduct(actor, audit: Audit, *, completed: str) -> Audit:
    """Lock the audit, then check on what is committed: the actor may fill it in (else 403), and
    it is still in progress (else a conflict: someone finished it meanwhile)."""
    audit = _lock(audit, _("This audit no longer exists."))
    if not rules.may_conduct(actor, audit):
        raise PermissionDenied(_("Only the auditor can fill in this audit."))
    if audit.is_completed:
        raise StateConflict(completed)
    return audit


def audit_answer(
    *,
    actor,
    audit: Audit,
    item: ChecklistItem,
    result: str,
    comment: str = "",
    photo=None,
    remove_photo: bool = False,
) -> AuditAnswer:
    """Record the answer to one item while the audit is in progress. A non-compliant item needs
    a comment saying what is wrong; a photo is a JPEG, PNG or WebP picture (checked by content)
    of at most 10 MB."""
    with transaction.atomic():
        audit = _lock_for_conduct(
            actor, audit, completed=_("This audit is completed; its answers can no longer change.")
        )
        answer = AuditAnswer.objects.filter(audit=audit, item=item).select_related("item").first()
        if answer is None:
            raise ValidationError({"item": _("This item is not on the audit's checklist.")})
        errors = {}
        if result not in AuditAnswer.Result.values:
            errors["result"] = _("Choose compliant, non-compliant or not applicable.")
        comment = (comment or "").strip()
        if result == AuditAnswer.Result.NON_COMPLIANT and not comment:
            errors["comment"] = _("Describe what is not compliant.")
        if photo:
            try:
                uploads.checked_upload(photo, kinds=uploads.PHOTOS, max_bytes=PHOTO_MAX_BYTES, field="photo")
            except ValidationError as error:
                errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)
        answer.result = result
        answer.comment = comment
        answer.answered_at = timezone.now()
        answer.full_clean(exclude=["photo"])
        if remove_photo and answer.photo:
            answer.photo.delete(save=False)
            answer.photo = ""
        if photo:
            if answer.photo:
                answer.photo.delete(save=False)
            answer.photo = photo
        answer.save()
        return answer


def default_action_owner(audit: Audit):
    """The one who owns a finding unless the auditor chooses: the line manager covering the
    audited unit (the nearest one up the tree), else the auditor."""
    roles = rules.default_owner_roles()
    unit = audit.unit
    while unit is not None:
        manager = User.objects.filter(role__in=roles, is_active=True, units=unit).order_by("pk").first()
        if manager is not None:
            return manager
        unit = unit.parent
    return audit.auditor


def _naming_the_item(error: ValidationError, answer: AuditAnswer) -> ValidationError:
    prefix = _("Item %(number)s") % {"number": answer.item.order}
    if hasattr(error, "error_dict"):
        return ValidationError(
            {field: [f"{prefix}: {message}" for message in messages] for field, messages in error.message_dict.items()}
        )
    return ValidationError([f"{prefix}: {message}" for message in error.messages])


def audit_complete(*, actor, audit: Audit, nc_actions: dict | None = None, today: date | None = None) -> Audit:
    """Finish an audit: every item answered, each non-compliance described. Computes the score
    and opens one action per non-compliant item (owner, due date and control level chosen per
    item; by default the unit's line manager, in ACTION_DUE_DAYS days, administrative)."""
    with transaction.atomic():
        audit = _lock_for_conduct(actor, audit, completed=_("This audit has already been completed."))
        today = today or timezone.localdate()
        nc_actions = nc_actions or {}
        answers = list(audit.answers.select_related("item").order_by("item__order"))
        unanswered = [answer.item.order for answer in answers if not answer.result]
        if unanswered:
            raise ValidationError(
                _("Answer every item first. Not answered: %(items)s.") % {"items": ", ".join(map(str, unanswered))}
            )
        undescribed = [
            answer.item.order for answer in answers if answer.is_non_compliant and not answer.comment.strip()
        ]
        if undescribed:
            raise ValidationError(
                _("Describe every non-compliance. Missing: %(items)s.") % {"items": ", ".join(map(str, undescribed))}
            )
        default_owner = default_action_owner(audit)
        for answer in answers:
            if not answer.is_non_compliant:
                continue
            chosen = nc_actions.get(answer.pk) or {}
            try:
                action_create(
                    actor=actor,
                    title=(chosen.get("title") or answer.item.text)[:300],
                    description=answer.comment,
                    unit=audit.unit,
                    owner=chosen.get("owner") or default_owner,
                    due_date=chosen.get("due_date") or rules.default_due_date(today),
                    control_level=chosen.get("control_level") or Action.ControlLevel.ADMINISTRATIVE,
                    source_record=answer,
                    today=today,
                )
            except ValidationError as error:
                raise _naming_the_item(error, answer) from None
        audit.score = compute_score(answers)
        audit.status = Audit.Status.COMPLETED
        audit.completed_at = timezone.now()
        audit.full_clean()
        audit.save(update_fields=["score", "status", "completed_at"])
        log_action(
            actor=actor,
            action="audits.audit.completed",
            target=audit,
            unit=audit.unit,
            data={
                "score": None if audit.score is None else str(audit.score),
                "non_compliant": sum(1 for answer in answers if answer.is_non_compliant),
            },
        )
        return audit
