"""Writes for contractors: companies, workers, work orders, access passes and gate checks.

Every status change runs in one transaction that locks the row and reloads it
(`lock_and_reload`), checks who may act and what the status found allows, and records one audit
entry with who, when, why and the status before and after (`contractors.pass.blocked`, …). Of two
racing requests one wins; the other is refused with a `StateConflict` (409 from the API)."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.access import require, unit_ids_in_scope, unit_in_scope
from apps.audit.selectors import history_for
from apps.audit.services import log_action
from apps.common import uploads
from apps.common.dates import short_date, validate_record_date
from apps.common.errors import StateConflict
from apps.common.locking import lock_and_reload
from apps.common.versioning import bump, check_version

from . import gate
from .models import (
    AccessPass,
    CompanyDocument,
    ContractorCompany,
    ContractorWorker,
    GateCheck,
    WorkerDocument,
    WorkOrder,
)

# The longest a pass may run: a year and a day (a pass is renewed, not issued for ever).
PASS_MAX_DAYS = 366
REASON_MAX_LENGTH = 500

Status = AccessPass.Status


def _reason(reason: str | None, *, required: bool = True) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({"reason": [_("Say why: the reason is kept with the change.")]})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": [_("Keep the reason under %(n)d characters.") % {"n": REASON_MAX_LENGTH}]})
    return reason


def _pass_conflict(access_pass: AccessPass) -> StateConflict:
    return StateConflict(
        _("This pass is already %(status)s.") % {"status": access_pass.get_status_display().lower()},
        code="state_conflict",
    )


def _validity_errors(valid_from: date | None, valid_until: date | None, *, work_order: WorkOrder | None) -> dict:
    errors: dict[str, list[str]] = {}
    for name, value in (("valid_from", valid_from), ("valid_until", valid_until)):
        if value is None:
            errors[name] = [_("Give a date.")]
            continue
        try:
            validate_record_date(value)
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        return errors
    if valid_until < valid_from:
        errors["valid_until"] = [_("The pass cannot end before it begins.")]
    elif (valid_until - valid_from).days >= PASS_MAX_DAYS:
        errors["valid_until"] = [_("A pass runs for at most a year: renew it when it ends.")]
    elif work_order is not None and valid_until > work_order.ends_on:
        errors["valid_until"] = [
            _("The work order ends on %(date)s: the pass cannot outlast it.") % {"date": short_date(work_order.ends_on)}
        ]
    return errors


# --- Companies ---------------------------------------------------------------------------------


@transaction.atomic
def company_create(*, actor, name: str, tax_number: str, **details) -> ContractorCompany:
    require(actor, "contractors.manage_companies")
    company = ContractorCompany(name=name.strip(), tax_number=tax_number.strip(), **details)
    company.full_clean()
    company.save()
    log_action(actor=actor, action="contractors.company.registered", target=company)
    return company


@transaction.atomic
def company_set_status(*, actor, company: ContractorCompany, status: str, reason: str) -> ContractorCompany:
    """Approve, suspend or ban a company. Suspending or banning takes effect at every gate at once
    (the gate check reads the company's status); any change needs a reason."""
    require(actor, "contractors.manage_companies")
    if status not in ContractorCompany.Status.values:
        raise ValidationError({"status": [_("Choose approved, suspended or banned.")]})
    reason = _reason(reason)
    lock_and_reload(company)
    if company.status == status:
        raise StateConflict(
            _("The company is already %(status)s.") % {"status": company.get_status_display().lower()},
            code="state_conflict",
        )
    before = company.status
    company.status = status
    company.status_reason = "" if status == ContractorCompany.Status.APPROVED else reason
    company.save(update_fields=["status", "status_reason"])
    log_action(
        actor=actor, action=f"contractors.company.{status}", target=company, reason=reason,
        data={"status": [before, status]},
    )  # fmt: skip
    return company


@transaction.atomic
def company_document_add(*, actor, company: ContractorCompany, kind: str, number: str, valid_until: date):
    require(actor, "contractors.manage_companies")
    document = CompanyDocument(company=company, kind=kind, number=number.strip(), valid_until=valid_until)
    document.full_clean()
    document.save()
    log_action(actor=actor, action="contractors.company.document_added", target=company, data={"kind": kind})
    return document


# --- Workers -------------------------------------------------------------------------------------

WORKER_PHOTO_MAX_BYTES = 10 * uploads.MEGABYTE


@transaction.atomic
def worker_create(*, actor, company: ContractorCompany, full_name: str, job_title: str, photo=None):
    require(actor, "contractors.manage_workers")
    worker = ContractorWorker(company=company, full_name=full_name.strip(), job_title=job_title.strip())
    if photo is not None:
        # Checked by content here too, whatever the caller (the form checks it first).
        worker.photo = uploads.checked_upload(
            photo, kinds=uploads.PHOTOS, max_bytes=WORKER_PHOTO_MAX_BYTES, field="photo"
        )
    worker.full_clean()
    worker.save()
    log_action(actor=actor, action="contractors.worker.registered", target=worker)
    return worker


@transaction.atomic
def worker_document_add(*, actor, worker: ContractorWorker, kind: str, valid_until: date, number: str = ""):
    """A worker's document (medical clearance, site induction, …). The newest one of a kind is the
    one the gate reads."""
    require(actor, "contractors.manage_workers")
    document = WorkerDocument(worker=worker, kind=kind, number=number.strip(), valid_until=valid_until)
    document.full_clean()
    document.save()
    log_action(
        actor=actor, action="contractors.worker.document_added", target=worker,
        data={"kind": kind, "valid_until": valid_until.isoformat()},
    )  # fmt: skip
    return document


# --- Work orders ---------------------------------------------------------------------------------

_WO = WorkOrder.Status
WORK_ORDER_STEPS = {
    # step: (statuses it starts from, status it leads to, reason required, the audit code's verb)
    "start": ((_WO.PLANNED,), _WO.IN_PROGRESS, False, "started"),
    "stop": ((_WO.PLANNED, _WO.IN_PROGRESS), _WO.STOPPED, True, "stopped"),
    "resume": ((_WO.STOPPED,), _WO.IN_PROGRESS, True, "resumed"),
    "finish": ((_WO.IN_PROGRESS, _WO.STOPPED), _WO.FINISHED, False, "finished"),
}


@transaction.atomic
def work_order_create(*, actor, company: ContractorCompany, unit, responsible, **fields) -> WorkOrder:
    require(actor, "contractors.manage_work_orders", unit)
    if not company.is_approved:
        raise ValidationError({"company": [_("Only an approved company can be given work.")]})
    order = WorkOrder(company=company, unit=unit, responsible=responsible, **fields)
    order.full_clean()
    order.save()
    log_action(actor=actor, action="contractors.work_order.opened", target=order)
    return order


@transaction.atomic
def work_order_step(*, actor, order: WorkOrder, step: str, reason: str = "") -> WorkOrder:
    """Start, stop, resume or finish a work order. Stopping and resuming need a reason; a stopped
    order refuses its passes at the gate until it is resumed."""
    if step not in WORK_ORDER_STEPS:
        raise ValidationError({"step": [_("Unknown step.")]})
    require(actor, "contractors.manage_work_orders", order.unit)
    sources, target, needs_reason, verb = WORK_ORDER_STEPS[step]
    reason = _reason(reason, required=needs_reason)
    lock_and_reload(order)
    if order.status not in sources:
        raise StateConflict(
            _("This work order is %(status)s.") % {"status": order.get_status_display().lower()}, code="state_conflict"
        )
    before = order.status
    order.status = target
    order.stop_reason = reason if target == WorkOrder.Status.STOPPED else ""
    order.save(update_fields=["status", "stop_reason"])
    log_action(
        actor=actor, action=f"contractors.work_order.{verb}", target=order, reason=reason,
        data={"status": [before, target]},
    )  # fmt: skip
    return order


# --- Access passes -------------------------------------------------------------------------------


# Any constant of our own: the key of the transaction-level advisory lock that hands out numbers.
PASS_NUMBER_LOCK_KEY = 0x5041_5353  # "PASS"


def _lock_numbering() -> None:
    """Hand out pass numbers one transaction at a time, until the holder commits or rolls back.

    A row lock cannot do it: on an empty table there is no row to lock, and a request that locks
    the last pass while another has just committed a newer one locks a different row, so both
    read the same "last number". On PostgreSQL a transaction-level advisory lock serialises the
    read of the last number and the insert; SQLite serialises writers by locking the whole file."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PASS_NUMBER_LOCK_KEY])


def _next_number() -> str:
    # Only numbers this function made (six digits) count: a number typed by hand ("P-9", "P-ABC")
    # sorts after them as text and would otherwise restart the sequence on taken numbers.
    last = (
        AccessPass.objects.filter(number__regex=r"^P-[0-9]{6}$").order_by("-number").values_list("number", flat=True)
    ).first()
    return f"P-{int(last[2:]) + 1 if last else 1:06d}"


@transaction.atomic
def pass_issue(
    *, actor, holder: ContractorWorker, zones, valid_from: date, valid_until: date, work_order: WorkOrder | None = None,
    number: str = "",
) -> AccessPass:  # fmt: skip
    """Issue a pass to a worker of an approved company, for units the issuer sees, for at most a
    year and never beyond its work order."""
    require(actor, "passes.issue")
    zones = list(zones)
    errors = _validity_errors(valid_from, valid_until, work_order=work_order)
    if not zones:
        errors["zones"] = [_("Choose at least one unit the pass opens.")]
    elif not all(unit_in_scope(actor, zone) for zone in zones):
        errors["zones"] = [_("You may issue passes only to the units you see.")]
    company = holder.company
    if not holder.is_active:
        errors["holder"] = [_("This worker no longer works for the company.")]
    elif not company.is_approved:
        errors["holder"] = [
            _("%(company)s is %(status)s: no new passes.")
            % {"company": company.name, "status": company.get_status_display().lower()}
        ]
    if work_order is not None:
        if work_order.company_id != company.pk:
            errors["work_order"] = [_("This work order belongs to another company.")]
        elif work_order.status in (WorkOrder.Status.STOPPED, WorkOrder.Status.FINISHED):
            errors["work_order"] = [
                _("This work order is %(status)s.") % {"status": work_order.get_status_display().lower()}
            ]
    if errors:
        raise ValidationError(errors)
    number = (number or "").strip().upper()
    if not number:
        _lock_numbering()
        number = _next_number()
    access_pass = AccessPass(
        number=number, holder=holder, company=company, work_order=work_order, valid_from=valid_from,
        valid_until=valid_until, issued_by=actor,
    )  # fmt: skip
    access_pass.full_clean(exclude=["zones"])
    access_pass.save()
    access_pass.zones.set(zones)
    log_action(
        actor=actor, action="contractors.pass.issued", target=access_pass,
        data={"status": [None, Status.ACTIVE], "valid_until": [None, valid_until.isoformat()]},
    )  # fmt: skip
    return access_pass


def _require_pass_in_scope(actor, access_pass: AccessPass) -> None:
    """A user who sees some units only (an HSE specialist) acts on the passes opening one of them,
    the passes the selectors show them."""
    scope = unit_ids_in_scope(actor)
    if scope is not None and not access_pass.zones.filter(pk__in=scope).exists():
        raise PermissionDenied("passes: outside the user's units")


def _active_or_expired(access_pass: AccessPass) -> str:
    """Where a pass goes back to when it is let in again: active, or expired past its end date."""
    return Status.EXPIRED if access_pass.is_expired_on(timezone.localdate()) else Status.ACTIVE


def _require_version(access_pass: AccessPass, version: int | None) -> None:
    """The pass is as the user read it: a change decided on what they saw, not on what someone
    else made of it meanwhile (extended, blocked, …)."""
    check_version(
        access_pass, version, history=history_for(access_pass),
        message=_(
            "Someone else changed this pass (%(who)s, %(when)s) after you opened it. Your changes were not saved: "
            "review the current version and try again."
        ),
    )  # fmt: skip


def _pass_step(*, actor, access_pass: AccessPass, capability: str, sources, target, code: str, reason: str,
               reason_required: bool = True, version: int | None = None) -> AccessPass:  # fmt: skip
    """`target` is a status, or a function of the pass as reloaded under the lock. `version` is
    the one the user read (None: not checked)."""
    require(actor, capability)
    reason = _reason(reason, required=reason_required)
    _require_pass_in_scope(actor, access_pass)
    lock_and_reload(access_pass)
    _require_version(access_pass, version)
    if access_pass.status not in sources:
        raise _pass_conflict(access_pass)
    if callable(target):
        target = target(access_pass)
    before = access_pass.status
    access_pass.status = target
    access_pass.status_reason = reason if target not in (Status.ACTIVE, Status.EXPIRED) else ""
    access_pass.status_changed_at = timezone.now()
    access_pass.save(update_fields=["status", "status_reason", "status_changed_at", bump(access_pass)])
    log_action(
        actor=actor, action=f"contractors.pass.{code}", target=access_pass, reason=reason,
        data={"status": [before, target]},
    )  # fmt: skip
    return access_pass


@transaction.atomic
def pass_suspend(*, actor, access_pass: AccessPass, reason: str, version: int | None = None) -> AccessPass:
    """Hold an active pass for a while (a holiday, a missing document): reinstated by the pass office."""
    return _pass_step(actor=actor, access_pass=access_pass, capability="passes.issue", sources=(Status.ACTIVE,),
                      target=Status.SUSPENDED, code="suspended", reason=reason, version=version)  # fmt: skip


@transaction.atomic
def pass_reinstate(*, actor, access_pass: AccessPass, reason: str = "", version: int | None = None) -> AccessPass:
    """Let a suspended pass in again. Past its end date it comes back expired, not active."""
    return _pass_step(actor=actor, access_pass=access_pass, capability="passes.issue", sources=(Status.SUSPENDED,),
                      target=_active_or_expired, code="reinstated", reason=reason,
                      reason_required=False, version=version)  # fmt: skip


@transaction.atomic
def pass_block(*, actor, access_pass: AccessPass, reason: str, version: int | None = None) -> AccessPass:
    """Block a pass (a serious violation, a security matter): the pass office or the HSE function,
    always with a reason."""
    return _pass_step(actor=actor, access_pass=access_pass, capability="passes.block",
                      sources=(Status.ACTIVE, Status.SUSPENDED), target=Status.BLOCKED, code="blocked",
                      reason=reason, version=version)  # fmt: skip


@transaction.atomic
def pass_unblock(*, actor, access_pass: AccessPass, reason: str, version: int | None = None) -> AccessPass:
    """Unblock: the pass office or the HSE head, with a reason. A pass past its end date comes
    back expired, not active (decided on the pass as reloaded under the lock). A pass under a
    sanction in force stays blocked until the HSE function lifts the sanction."""
    if access_pass.sanctions.filter(status="in_force").exists():
        raise ValidationError(
            {"reason": [_("A sanction is in force against this pass: the HSE function must lift it first.")]}
        )
    return _pass_step(actor=actor, access_pass=access_pass, capability="passes.unblock", sources=(Status.BLOCKED,),
                      target=_active_or_expired, code="unblocked", reason=reason, version=version)  # fmt: skip


@transaction.atomic
def pass_revoke(*, actor, access_pass: AccessPass, reason: str, version: int | None = None) -> AccessPass:
    """Withdraw a pass for good (the worker left, the card was lost): it is never active again."""
    return _pass_step(actor=actor, access_pass=access_pass, capability="passes.issue",
                      sources=(Status.ACTIVE, Status.SUSPENDED, Status.BLOCKED, Status.EXPIRED),
                      target=Status.REVOKED, code="revoked", reason=reason, version=version)  # fmt: skip


@transaction.atomic
def pass_extend(
    *, actor, access_pass: AccessPass, valid_until: date, reason: str = "", version: int | None = None
) -> AccessPass:
    """Move a pass's end date later (at most a year from today, never beyond its work order). An
    expired pass extended comes back active; a blocked or revoked one is not extended."""
    require(actor, "passes.issue")
    reason = _reason(reason, required=False)
    lock_and_reload(access_pass)
    _require_version(access_pass, version)
    if access_pass.status not in (Status.ACTIVE, Status.SUSPENDED, Status.EXPIRED):
        raise _pass_conflict(access_pass)
    today = timezone.localdate()
    if valid_until is None or valid_until <= access_pass.valid_until:
        raise ValidationError({"valid_until": [_("Choose a date after the pass's current end date.")]})
    errors = _validity_errors(max(access_pass.valid_from, today), valid_until, work_order=access_pass.work_order)
    if errors:
        raise ValidationError(errors)
    before_status, before_until = access_pass.status, access_pass.valid_until
    access_pass.valid_until = valid_until
    fields = ["valid_until", bump(access_pass)]
    if access_pass.status == Status.EXPIRED:
        access_pass.status = Status.ACTIVE
        access_pass.status_changed_at = timezone.now()
        fields += ["status", "status_changed_at"]
    access_pass.save(update_fields=fields)
    log_action(
        actor=actor, action="contractors.pass.extended", target=access_pass, reason=reason,
        data={"status": [before_status, access_pass.status],
              "valid_until": [before_until.isoformat(), valid_until.isoformat()]},
    )  # fmt: skip
    return access_pass


def passes_expire(*, today: date) -> int:
    """The daily run: active and suspended passes whose last day has passed become expired, each
    with its audit entry. Safe to run twice (the second run finds nothing)."""
    count = 0
    candidates = AccessPass.objects.filter(
        status__in=[Status.ACTIVE, Status.SUSPENDED], valid_until__lt=today
    ).values_list("pk", flat=True)
    for pk in list(candidates.iterator()):
        with transaction.atomic():
            access_pass = AccessPass.objects.select_for_update().get(pk=pk)
            if access_pass.status not in (Status.ACTIVE, Status.SUSPENDED) or access_pass.valid_until >= today:
                continue
            before = access_pass.status
            access_pass.status = Status.EXPIRED
            access_pass.status_reason = ""
            access_pass.status_changed_at = timezone.now()
            access_pass.save(update_fields=["status", "status_reason", "status_changed_at", bump(access_pass)])
            log_action(actor=None, action="contractors.pass.expired", target=access_pass,
                       data={"status": [before, Status.EXPIRED]})  # fmt: skip
            count += 1
    return count


# --- The gate ------------------------------------------------------------------------------------


def find_pass(number: str) -> AccessPass | None:
    number = (number or "").strip().upper()
    if not number:
        return None
    return (
        AccessPass.objects.select_related("holder", "company", "work_order")
        .prefetch_related("holder__documents", "zones")
        .filter(number=number)
        .first()
    )


@transaction.atomic
def gate_check(*, actor, number: str, checkpoint: str = "") -> tuple[GateCheck, gate.Decision]:
    """Check a pass at a gate now and record the check (who, where, when, the answer and every
    reason). An unknown number is recorded too: a run of them at one gate is worth a look."""
    require(actor, "passes.check")
    number = (number or "").strip()
    if not number:
        raise ValidationError({"number": [_("Scan the card or type its number.")]})
    if len(number) > 40:
        raise ValidationError({"number": [_("This is too long for a pass number (at most 40 characters).")]})
    checkpoint = (checkpoint or "").strip()[:100]
    access_pass = find_pass(number)
    if access_pass is None:
        decision = gate.Decision(None, [gate.Refusal("unknown_number")])
    else:
        today = timezone.localdate()
        decision = gate.Decision(
            access_pass, gate.refusals_for(access_pass, today=today, documents=list(access_pass.holder.documents.all()))
        )
    check = GateCheck.objects.create(
        access_pass=access_pass, number_presented=number.upper(), checked_by=actor, checkpoint=checkpoint,
        allowed=decision.allowed, reasons=[refusal.as_dict() for refusal in decision.refusals],
    )  # fmt: skip
    return check, decision
