from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.access import can, require
from apps.accounts.models import User
from apps.accounts.roles import HSE_ROLES, Role
from apps.actions.models import Action
from apps.actions.services import action_create
from apps.audit.services import log_action

from . import rules
from .models import (
    Audit,
    AuditAnswer,
    AuditPlanEntry,
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateVersion,
    compute_score,
)

PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp"}
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}
ACTION_DUE_DAYS = 14


# Templates -------------------------------------------------------------------------------------


def _clean_items(items: list[dict]) -> list[dict]:
    cleaned = []
    for item in items:
        text = (item.get("text") or "").strip()
        if not text:
            continue
        weight = int(item.get("weight") or 1)
        if weight < 1:
            raise ValidationError({"items": _("An item's weight must be 1 or more.")})
        cleaned.append(
            {
                "section": (item.get("section") or "").strip(),
                "text": text,
                "guidance": (item.get("guidance") or "").strip(),
                "weight": weight,
            }
        )
    if not cleaned:
        raise ValidationError({"items": _("A checklist needs at least one item.")})
    return cleaned


@transaction.atomic
def template_create(*, actor, name: str, code: str, description: str = "", items: list[dict]) -> ChecklistTemplate:
    """A new checklist template with its first published version."""
    require(actor, "audits.manage_templates")
    template = ChecklistTemplate(name=name, code=code, description=description)
    template.full_clean()
    template.save()
    log_action(actor=actor, action="audits.template.created", target=template)
    template_publish_new_version(actor=actor, template=template, items=items, notes="")
    return template


@transaction.atomic
def template_publish_new_version(
    *, actor, template: ChecklistTemplate, items: list[dict], notes: str = ""
) -> ChecklistTemplateVersion:
    """Editing a checklist = publishing a new version with the full list of items. Published
    versions are never changed, so audits already conducted keep the checklist they used."""
    require(actor, "audits.manage_templates")
    cleaned = _clean_items(items)
    template = ChecklistTemplate.objects.select_for_update(of=("self",)).get(pk=template.pk)
    last = template.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = ChecklistTemplateVersion.objects.create(
        template=template, number=last + 1, notes=notes.strip(), published_by=actor
    )
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


def month_start(day: date) -> date:
    return day.replace(day=1)


@transaction.atomic
def plan_entry_create(
    *, actor, unit, auditor, month: date, template: ChecklistTemplate, today: date | None = None
) -> AuditPlanEntry:
    """Plan an audit of a unit for a month. The auditor must be an HSE specialist (or the HSE
    head) who covers the unit; the checklist must be active."""
    require(actor, "audits.plan", unit)
    month = month_start(month)
    errors = {}
    if auditor.role not in HSE_ROLES or not auditor.is_active:
        errors["auditor"] = _("Only an HSE specialist or the HSE head can be the auditor.")
    elif not can(auditor, "audits.conduct", unit):
        errors["auditor"] = _("This auditor does not cover the unit.")
    if not template.is_active:
        errors["template"] = _("This checklist is no longer in use.")
    elif not template.versions.exists():
        errors["template"] = _("This checklist has no published version.")
    # A plan written after the fact would make "done vs planned" meaningless.
    if month < month_start(today or timezone.localdate()):
        errors["month"] = _("Plan the current month or later.")
    if (
        not errors
        and AuditPlanEntry.objects.filter(unit=unit, auditor=auditor, month=month, template=template).exists()
    ):
        errors["unit"] = _("This audit is already in the plan.")
    if errors:
        raise ValidationError(errors)
    entry = AuditPlanEntry(unit=unit, auditor=auditor, month=month, template=template, planned_by=actor)
    entry.full_clean()
    entry.save()
    log_action(
        actor=actor,
        action="audits.plan_entry.created",
        target=entry,
        unit=unit,
        data={"auditor": auditor.pk, "month": month.isoformat(), "template": template.code},
    )
    return entry


@transaction.atomic
def plan_entry_delete(*, actor, entry: AuditPlanEntry, reason: str = "", today: date | None = None) -> None:
    """Take an audit out of the plan, while it has not been started and its month is not over
    (a closed month's plan is what "done vs planned" is measured against)."""
    require(actor, "audits.plan", entry.unit)
    if entry.month < month_start(today or timezone.localdate()):
        raise ValidationError(_("The plan of a past month is closed."))
    if Audit.objects.filter(plan_entry=entry).exists():
        raise ValidationError(_("This audit has been started; it stays in the plan."))
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


@transaction.atomic
def audit_start(
    *, actor, plan_entry: AuditPlanEntry | None = None, unit=None, template: ChecklistTemplate | None = None
) -> Audit:
    """Start an audit, from the plan or unplanned, against the checklist's current version.
    A planned audit is started once; the one who starts it is the auditor."""
    if plan_entry is not None:
        plan_entry = (
            AuditPlanEntry.objects.select_for_update(of=("self",))
            .select_related("unit", "template")
            .get(pk=plan_entry.pk)
        )
        unit, template = plan_entry.unit, plan_entry.template
    if unit is None or template is None:
        raise ValidationError(_("Choose the unit and the checklist."))
    require(actor, "audits.conduct", unit)
    if plan_entry is not None and Audit.objects.filter(plan_entry=plan_entry).exists():
        raise ValidationError(_("This planned audit has already been started."))
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


def _check_conduct(actor, audit: Audit) -> None:
    if not rules.may_conduct(actor, audit):
        raise PermissionDenied(_("Only the auditor can fill in this audit."))
    if audit.is_completed:
        raise ValidationError(_("This audit is completed; its answers can no longer change."))


def validate_photo(upload) -> None:
    """JPEG, PNG or WebP pictures up to 10 MB: checked by name, size and content."""
    name = (upload.name or "").lower()
    if not any(name.endswith(ext) for ext in PHOTO_EXTENSIONS):
        raise ValidationError({"photo": _("Attach a JPEG, PNG or WebP photo.")})
    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError({"photo": _("The photo is larger than 10 MB.")})
    from PIL import Image

    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    except Exception:  # noqa: BLE001 - Pillow raises many kinds of errors on a broken file
        raise ValidationError({"photo": _("This file is not a readable picture.")}) from None
    finally:
        upload.seek(0)
    if image_format not in PHOTO_FORMATS:
        raise ValidationError({"photo": _("Attach a JPEG, PNG or WebP photo.")})


@transaction.atomic
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
    a comment saying what is wrong."""
    audit = Audit.objects.select_for_update(of=("self",)).select_related("unit").get(pk=audit.pk)
    _check_conduct(actor, audit)
    answer = AuditAnswer.objects.select_for_update(of=("self",)).filter(audit=audit, item=item).first()
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
            validate_photo(photo)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    answer.result = result
    answer.comment = comment
    if remove_photo and answer.photo:
        answer.photo.delete(save=False)
        answer.photo = ""
    if photo:
        if answer.photo:
            answer.photo.delete(save=False)
        answer.photo = photo
    answer.answered_at = timezone.now()
    answer.full_clean(exclude=["photo"])
    answer.save()
    return answer


def default_action_owner(audit: Audit):
    """The line manager covering the audited unit (the nearest one up the tree), else the auditor."""
    unit = audit.unit
    while unit is not None:
        manager = User.objects.filter(role=Role.LINE_MANAGER, is_active=True, units=unit).order_by("pk").first()
        if manager is not None:
            return manager
        unit = unit.parent
    return audit.auditor


@transaction.atomic
def audit_complete(*, actor, audit: Audit, nc_actions: dict | None = None, today: date | None = None) -> Audit:
    """Finish an audit: every item answered, each non-compliance described. Computes the score
    and opens one action per non-compliant item (owner, due date and control level chosen per
    item, by default the unit's line manager, in 14 days, administrative)."""
    audit = Audit.objects.select_for_update(of=("self",)).select_related("unit__parent").get(pk=audit.pk)
    _check_conduct(actor, audit)
    today = today or timezone.localdate()
    nc_actions = nc_actions or {}
    answers = list(audit.answers.select_related("item").order_by("item__order"))
    unanswered = [answer.item.order for answer in answers if not answer.result]
    if unanswered:
        raise ValidationError(
            _("Answer every item first. Not answered: %(items)s.") % {"items": ", ".join(map(str, unanswered))}
        )
    undescribed = [answer.item.order for answer in answers if answer.is_non_compliant and not answer.comment.strip()]
    if undescribed:
        raise ValidationError(
            _("Describe every non-compliance. Missing: %(items)s.") % {"items": ", ".join(map(str, undescribed))}
        )
    default_owner = default_action_owner(audit)
    for answer in answers:
        if not answer.is_non_compliant:
            continue
        chosen = nc_actions.get(answer.pk) or {}
        action_create(
            actor=actor,
            title=(chosen.get("title") or answer.item.text)[:300],
            description=answer.comment,
            unit=audit.unit,
            owner=chosen.get("owner") or default_owner,
            due_date=chosen.get("due_date") or today + timedelta(days=ACTION_DUE_DAYS),
            control_level=chosen.get("control_level") or Action.ControlLevel.ADMINISTRATIVE,
            source_record=answer,
            today=today,
        )
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
