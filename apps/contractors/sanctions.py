"""Contractor audits, violations and sanctions: what the HSE function finds on a contractor's
work and what follows.

- A contractor audit is an audit of the audits app (checklist, answers, score, findings →
  actions) tied to the company and its work order (`contractor_audit_start`).

- The sanction policy (`SanctionRule`, editable) proposes a sanction from the violation's severity
  and how many violations of that severity the company had within 12 months; the HSE specialist
  decides, and may choose another sanction (both are kept).
- A critical violation stops the work and blocks the passes involved at once, in the same
  transaction as the violation itself, records why, and tells the pass office and the work
  order's responsible person.
- A violation of serious severity or above opens an action in the one register: something on the
  site must be fixed.
- Lifting a sanction needs a reason; a pass under a sanction in force is refused at the gate and
  cannot be unblocked until the sanction is lifted."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.access import require
from apps.accounts.models import User
from apps.accounts.roles import roles_with
from apps.actions.models import Action
from apps.actions.services import action_create
from apps.audit.services import log_action
from apps.common import uploads
from apps.common.dates import short_date, validate_event_time
from apps.common.errors import StateConflict
from apps.common.locking import lock_and_reload
from apps.notifications.models import OutboxMessage
from apps.notifications.services import outbox_add_many

from . import services
from .models import AccessPass, ContractorCompany, Sanction, SanctionRule, Violation, WorkOrder

# The policy the portal falls back on for a cell missing from the editable table (the same as
# migration 0003 installs).
DEFAULT_POLICY = {
    Violation.Severity.MINOR: ("warning", "warning", "fine"),
    Violation.Severity.SERIOUS: ("warning", "fine", "stop_work"),
    Violation.Severity.SEVERE: ("stop_work", "block_passes", "removal"),
    Violation.Severity.CRITICAL: ("stop_work", "removal", "termination"),
}
REPETITION_WINDOW_DAYS = 365
MAX_REPETITION = 3
# Days the action opened by a violation has, by severity (minor ones open none).
ACTION_DAYS = {Violation.Severity.SERIOUS: 14, Violation.Severity.SEVERE: 7, Violation.Severity.CRITICAL: 3}

Kind = Sanction.Kind
ACTIVE_PASS_STATUSES = (AccessPass.Status.ACTIVE, AccessPass.Status.SUSPENDED)


def repetition_of(violation: Violation) -> int:
    """Which occurrence this is: 1 + the company's earlier violations of the same severity within
    the 12 months before it (capped at 3: "third or later")."""
    since = violation.observed_at - timedelta(days=REPETITION_WINDOW_DAYS)
    earlier = (
        Violation.objects.filter(company_id=violation.company_id, severity=violation.severity)
        .filter(observed_at__gte=since, observed_at__lte=violation.observed_at)
        .exclude(pk=violation.pk)
        .count()
    )
    return min(1 + earlier, MAX_REPETITION)


def proposed_sanction(violation: Violation) -> str:
    repetition = repetition_of(violation)
    rule = SanctionRule.objects.filter(severity=violation.severity, repetition=repetition).first()
    if rule is not None:
        return rule.proposed_kind
    return DEFAULT_POLICY[violation.severity][repetition - 1]


def _passes_involved(violation: Violation):
    """The passes a violation reaches: those of the workers involved, or, when none is named, every
    pass on its work order."""
    passes = AccessPass.objects.filter(status__in=ACTIVE_PASS_STATUSES)
    workers = list(violation.workers.values_list("pk", flat=True))
    if workers:
        return passes.filter(holder_id__in=workers)
    if violation.work_order_id:
        return passes.filter(work_order_id=violation.work_order_id)
    return passes.none()


def _block_passes(*, actor, passes, reason: str) -> list[AccessPass]:
    blocked = []
    for access_pass in passes.order_by("pk"):
        try:
            blocked.append(services.pass_block(actor=actor, access_pass=access_pass, reason=reason))
        except StateConflict:
            continue  # blocked or revoked meanwhile: nothing left to do for this one
    return blocked


def _stop_work(*, actor, order: WorkOrder | None, reason: str) -> bool:
    if order is None:
        return False
    try:
        services.work_order_step(actor=actor, order=order, step="stop", reason=reason)
    except StateConflict:
        return False  # already stopped or finished
    return True


def _pass_office():
    return list(User.objects.filter(role__in=roles_with("passes.receive_expiry_warnings"), is_active=True))


def _tell(*, recipients, kind: str, key: str, subject: str, body: str, url: str) -> None:
    outbox_add_many(
        [
            OutboxMessage(
                recipient=user, kind=kind, dedupe_key=f"{key}:{user.pk}", subject=subject[:250], body=body, url=url
            )  # fmt: skip
            for user in {user.pk: user for user in recipients if user is not None}.values()
        ]
    )


# Evidence of a violation: a photo or a PDF, checked by its content (issue 14).
VIOLATION_EVIDENCE = (uploads.PICTURE, uploads.PDF)
VIOLATION_EVIDENCE_MAX_BYTES = 20 * uploads.MEGABYTE


@transaction.atomic
def violation_record(
    *, actor, company: ContractorCompany, severity: str, description: str, unit, observed_at,
    work_order: WorkOrder | None = None, workers=(), location: str = "", evidence=None, today: date | None = None,
) -> Violation:  # fmt: skip
    """Record a violation. A critical one stops its work order and blocks the passes involved in
    this same transaction (sanction "stop work", or "block passes" without a work order), with the
    violation as the reason, and tells the pass office and the work order's responsible person."""
    require(actor, "contractors.record_violations", unit)
    errors = {}
    if severity not in Violation.Severity.values:
        errors["severity"] = [_("Choose minor, serious, severe or critical.")]
    if work_order is not None and work_order.company_id != company.pk:
        errors["work_order"] = [_("This work order belongs to another company.")]
    if evidence is not None:
        try:
            uploads.checked_upload(
                evidence, kinds=VIOLATION_EVIDENCE, max_bytes=VIOLATION_EVIDENCE_MAX_BYTES, field="evidence"
            )
        except ValidationError as error:
            errors.update(error.message_dict)
    workers = list(workers)
    if any(worker.company_id != company.pk for worker in workers):
        errors["workers"] = [_("Name only workers of this company.")]
    try:
        validate_event_time(observed_at)
    except ValidationError as error:
        errors["observed_at"] = error.messages
    if errors:
        raise ValidationError(errors)
    violation = Violation(
        company=company, work_order=work_order, severity=severity, description=(description or "").strip(),
        unit=unit, location=(location or "").strip(), observed_at=observed_at, recorded_by=actor,
    )  # fmt: skip
    if evidence is not None:
        violation.evidence = evidence
    violation.full_clean()
    violation.save()
    violation.workers.set(workers)
    log_action(actor=actor, action="contractors.violation.recorded", target=violation, reason=violation.description,
               data={"severity": severity, "company": company.pk})  # fmt: skip
    today = today or timezone.localdate()
    if severity in ACTION_DAYS:
        owner = work_order.responsible if work_order is not None else actor
        action_create(
            actor=actor, title=_("Fix after a contractor violation: %(what)s") % {"what": violation.description[:120]},
            unit=unit, owner=owner, due_date=today + timedelta(days=ACTION_DAYS[severity]),
            control_level=Action.ControlLevel.ADMINISTRATIVE, priority=Action.Priority.HIGH,
            description=violation.description, source_record=violation, today=today,
        )  # fmt: skip
    if severity == Violation.Severity.CRITICAL:
        _critical_response(actor=actor, violation=violation)
    return violation


def _critical_response(*, actor, violation: Violation) -> Sanction:
    reason = _("Critical violation on %(date)s: %(what)s") % {
        "date": short_date(timezone.localtime(violation.observed_at).date()), "what": violation.description[:400]
    }  # fmt: skip
    reason = reason[:500]
    order = violation.work_order
    kind = Kind.STOP_WORK if order is not None else Kind.BLOCK_PASSES
    sanction = Sanction.objects.create(
        violation=violation, company=violation.company, kind=kind, proposed_kind=proposed_sanction(violation),
        reason=reason, decided_by=actor,
    )  # fmt: skip
    _stop_work(actor=actor, order=order, reason=reason)
    blocked = _block_passes(actor=actor, passes=_passes_involved(violation), reason=reason)
    sanction.passes.set(blocked)
    log_action(actor=actor, action="contractors.sanction.applied", target=violation, reason=reason,
               data={"kind": kind, "passes": [p.number for p in blocked], "automatic": True})  # fmt: skip
    numbers = ", ".join(p.number for p in blocked) or _("none")
    _tell(
        recipients=[*_pass_office(), order.responsible if order else None],
        kind=OutboxMessage.Kind.CRITICAL_VIOLATION, key=f"critical-violation:{violation.pk}",
        subject=_("Critical violation: %(company)s, work stopped") % {"company": violation.company.name},
        body=_("%(reason)s\nWork order: %(order)s\nPasses blocked: %(passes)s")
        % {"reason": reason, "order": order or "—", "passes": numbers},
        url=violation.get_absolute_url(),
    )  # fmt: skip
    return sanction


@transaction.atomic
def sanction_apply(
    *, actor, violation: Violation, kind: str, reason: str, passes=None, fine_amount: Decimal | None = None
) -> Sanction:
    """The HSE specialist's decision on a violation: the policy's proposal or another sanction.
    Stop work stops the work order; block passes and removal from site block the passes involved
    (or those chosen); contract termination bans the company (every gate refuses its passes)."""
    require(actor, "contractors.sanction", violation.unit)
    if kind not in Kind.values:
        raise ValidationError({"kind": [_("Choose a sanction.")]})
    reason = services._reason(reason)
    if kind == Kind.FINE and (fine_amount is None or fine_amount <= 0):
        raise ValidationError({"fine_amount": [_("Give the fine's amount.")]})
    if kind == Kind.STOP_WORK and violation.work_order is None:
        raise ValidationError({"kind": [_("This violation has no work order to stop.")]})
    sanction = Sanction.objects.create(
        violation=violation, company=violation.company, kind=kind, proposed_kind=proposed_sanction(violation),
        reason=reason, decided_by=actor, fine_amount=fine_amount if kind == Kind.FINE else None,
    )  # fmt: skip
    if kind == Kind.STOP_WORK:
        _stop_work(actor=actor, order=violation.work_order, reason=reason)
    if kind in (Kind.BLOCK_PASSES, Kind.REMOVAL):
        chosen = _passes_involved(violation) if passes is None else AccessPass.objects.filter(
            pk__in=[p.pk for p in passes], company=violation.company, status__in=ACTIVE_PASS_STATUSES
        )  # fmt: skip
        sanction.passes.set(_block_passes(actor=actor, passes=chosen, reason=reason))
    if kind == Kind.TERMINATION and violation.company.status != ContractorCompany.Status.BANNED:
        services.company_set_status(actor=actor, company=violation.company, status="banned", reason=reason)
    log_action(actor=actor, action="contractors.sanction.applied", target=violation, reason=reason,
               data={"kind": kind, "proposed": sanction.proposed_kind})  # fmt: skip
    return sanction


@transaction.atomic
def sanction_lift(*, actor, sanction: Sanction, reason: str) -> Sanction:
    """Lift a sanction, with a reason. Its passes stay blocked until the pass office unblocks them
    (with its own reason): lifting says the sanction is over, not that each pass is cleared."""
    require(actor, "contractors.sanction", sanction.violation.unit)
    reason = services._reason(reason)
    lock_and_reload(sanction)
    if not sanction.is_in_force:
        raise StateConflict(_("This sanction is already lifted."), code="state_conflict")
    sanction.status = Sanction.Status.LIFTED
    sanction.lifted_by = actor
    sanction.lifted_at = timezone.now()
    sanction.lift_reason = reason
    sanction.save(update_fields=["status", "lifted_by", "lifted_at", "lift_reason"])
    log_action(actor=actor, action="contractors.sanction.lifted", target=sanction.violation, reason=reason,
               data={"kind": sanction.kind, "status": [Sanction.Status.IN_FORCE, Sanction.Status.LIFTED]})  # fmt: skip
    return sanction


@transaction.atomic
def contractor_audit_start(*, actor, company: ContractorCompany, template, unit, work_order: WorkOrder | None = None):
    """Start a safety audit of a contractor's work in a unit, with the audits app's checklist (its
    answers, score and findings are the audit's own). The work order, when given, is the
    company's."""
    from apps.audits.services import audit_start

    from .models import ContractorAudit

    if work_order is not None and work_order.company_id != company.pk:
        raise ValidationError({"work_order": [_("This work order belongs to another company.")]})
    audit = audit_start(actor=actor, unit=unit, template=template)
    link = ContractorAudit.objects.create(audit=audit, company=company, work_order=work_order)
    log_action(actor=actor, action="contractors.audit.started", target=company, unit=unit,
               data={"audit": audit.pk, "work_order": getattr(work_order, "pk", None)})  # fmt: skip
    return link
