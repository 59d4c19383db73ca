"""Violations and sanctions: the policy proposes, the HSE specialist decides; a critical violation
stops the work and blocks the passes involved at once; lifting needs a reason."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.models import AuditEntry
from apps.common.errors import StateConflict
from apps.contractors import gate, sanctions, services
from apps.contractors.models import AccessPass, Sanction, SanctionRule, Violation
from apps.notifications.models import OutboxMessage
from tests.factories.contractors import AccessPassFactory, WorkerFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(org, hse_specialist, pass_admin):
    order = WorkOrderFactory(unit=org.crew, responsible=hse_specialist)
    workers = [WorkerFactory(company=order.company) for _ in range(3)]
    passes = [AccessPassFactory(holder=worker, work_order=order) for worker in workers]
    return order, workers, passes


def record(actor, order, severity, *, workers=(), when=None, **kwargs):
    return sanctions.violation_record(
        actor=actor, company=order.company, severity=severity, description="Work at height without a harness",
        unit=order.unit, observed_at=when or timezone.now(), work_order=order, workers=workers, **kwargs,
    )  # fmt: skip


def test_a_critical_violation_stops_the_work_and_blocks_the_passes_of_the_workers_involved(
    site, hse_specialist, pass_admin
):
    order, workers, passes = site
    violation = record(hse_specialist, order, "critical", workers=workers[:2])
    order.refresh_from_db()
    assert order.status == "stopped"
    assert "Critical violation" in order.stop_reason
    statuses = {p.number: AccessPass.objects.get(pk=p.pk).status for p in passes}
    assert statuses == {passes[0].number: "blocked", passes[1].number: "blocked", passes[2].number: "active"}
    sanction = violation.sanctions.get()
    assert (sanction.kind, sanction.status) == ("stop_work", "in_force")
    assert sorted(sanction.passes.values_list("pk", flat=True)) == sorted([passes[0].pk, passes[1].pk])
    blocked = AccessPass.objects.get(pk=passes[0].pk)
    assert "Work at height without a harness" in blocked.status_reason
    entries = AuditEntry.objects.filter(action="contractors.pass.blocked")
    assert entries.count() == 2 and all(e.actor == hse_specialist for e in entries)
    # the pass office and the work order's responsible person hear of it
    told = set(OutboxMessage.objects.filter(kind="critical_violation").values_list("recipient__username", flat=True))
    pass_office = set(User.objects.filter(role="pass_admin").values_list("username", flat=True))
    assert pass_admin.username in pass_office
    assert told == pass_office | {hse_specialist.username}


def test_a_critical_violation_naming_no_worker_blocks_every_pass_on_the_work_order(site, hse_specialist):
    order, _workers, passes = site
    record(hse_specialist, order, "critical")
    assert set(AccessPass.objects.filter(pk__in=[p.pk for p in passes]).values_list("status", flat=True)) == {"blocked"}


def test_the_gate_refuses_a_pass_under_a_sanction_even_once_unblocked_is_refused(
    site, hse_specialist, pass_admin, hse_head
):
    order, workers, passes = site
    violation = record(hse_specialist, order, "critical", workers=workers[:1])
    target = AccessPass.objects.get(pk=passes[0].pk)
    codes = [r.code for r in gate.refusals_for(target, today=timezone.localdate())]
    assert codes[:1] == ["pass_blocked"] and "work_order_stopped" in codes and "sanction_in_force" in codes
    with pytest.raises(ValidationError) as refused:
        services.pass_unblock(actor=pass_admin, access_pass=target, reason="Cleared by HSE")
    assert "sanction" in str(refused.value).lower()
    sanctions.sanction_lift(actor=hse_head, sanction=violation.sanctions.get(), reason="Harnesses issued, crew briefed")
    services.pass_unblock(actor=pass_admin, access_pass=target, reason="Sanction lifted")
    assert AccessPass.objects.get(pk=target.pk).status == "active"


@pytest.mark.parametrize(
    ("severity", "earlier", "proposed"),
    [
        ("minor", 0, "warning"), ("minor", 1, "warning"), ("minor", 2, "fine"), ("minor", 5, "fine"),
        ("serious", 0, "warning"), ("serious", 1, "fine"), ("serious", 2, "stop_work"),
        ("severe", 0, "stop_work"), ("severe", 1, "block_passes"), ("severe", 2, "removal"),
        ("critical", 0, "stop_work"), ("critical", 1, "removal"), ("critical", 2, "termination"),
    ],
)  # fmt: skip
def test_the_policy_proposes_by_severity_and_repetition_within_12_months(
    site, hse_specialist, severity, earlier, proposed
):
    order, _workers, _passes = site
    now = timezone.now()
    for days in range(earlier):
        Violation.objects.create(
            company=order.company, severity=severity, description="Earlier", unit=order.unit,
            observed_at=now - timedelta(days=30 + days), recorded_by=hse_specialist,
        )  # fmt: skip
    violation = Violation.objects.create(
        company=order.company, severity=severity, description="Now", unit=order.unit, observed_at=now,
        recorded_by=hse_specialist,
    )  # fmt: skip
    assert sanctions.proposed_sanction(violation) == proposed


def test_a_violation_older_than_365_days_does_not_count(site, hse_specialist):
    order, _workers, _passes = site
    now = timezone.now()

    def violation(days_ago):
        return Violation.objects.create(
            company=order.company, severity="severe", description="x", unit=order.unit,
            observed_at=now - timedelta(days=days_ago), recorded_by=hse_specialist,
        )  # fmt: skip

    violation(366)
    current = violation(0)
    assert sanctions.repetition_of(current) == 1
    violation(365)
    assert sanctions.repetition_of(current) == 2


def test_the_editable_policy_wins_over_the_default(site, hse_specialist):
    order, _workers, _passes = site
    SanctionRule.objects.update_or_create(severity="minor", repetition=1, defaults={"proposed_kind": "fine"})
    violation = Violation.objects.create(
        company=order.company, severity="minor", description="x", unit=order.unit, observed_at=timezone.now(),
        recorded_by=hse_specialist,
    )  # fmt: skip
    assert sanctions.proposed_sanction(violation) == "fine"


def test_the_specialist_may_decide_otherwise_and_both_are_kept(site, hse_specialist):
    order, workers, passes = site
    violation = record(hse_specialist, order, "serious", workers=workers[:1])
    sanction = sanctions.sanction_apply(
        actor=hse_specialist, violation=violation, kind="block_passes", reason="Repeat offender on this site"
    )
    assert (sanction.kind, sanction.proposed_kind) == ("block_passes", "warning")
    assert list(sanction.passes.values_list("pk", flat=True)) == [passes[0].pk]
    assert AccessPass.objects.get(pk=passes[0].pk).status == "blocked"


def test_a_fine_needs_an_amount_and_termination_bans_the_company(site, hse_specialist):
    order, _workers, passes = site
    violation = record(hse_specialist, order, "minor")
    with pytest.raises(ValidationError) as refused:
        sanctions.sanction_apply(actor=hse_specialist, violation=violation, kind="fine", reason="Third time")
    assert "fine_amount" in refused.value.message_dict
    fine = sanctions.sanction_apply(
        actor=hse_specialist, violation=violation, kind="fine", reason="Third time", fine_amount=Decimal("50000")
    )
    assert fine.fine_amount == Decimal("50000")
    sanctions.sanction_apply(actor=hse_specialist, violation=violation, kind="termination", reason="Contract ended")
    order.company.refresh_from_db()
    assert order.company.status == "banned"
    assert "company_banned" in [r.code for r in gate.refusals_for(passes[0], today=timezone.localdate())]


def test_a_sanction_needs_a_reason_and_lifting_one_needs_a_reason(site, hse_specialist):
    order, _workers, _passes = site
    violation = record(hse_specialist, order, "minor")
    with pytest.raises(ValidationError):
        sanctions.sanction_apply(actor=hse_specialist, violation=violation, kind="warning", reason=" ")
    sanction = sanctions.sanction_apply(actor=hse_specialist, violation=violation, kind="warning", reason="Noted")
    with pytest.raises(ValidationError):
        sanctions.sanction_lift(actor=hse_specialist, sanction=sanction, reason="")
    sanctions.sanction_lift(actor=hse_specialist, sanction=sanction, reason="Appeal upheld")
    sanction.refresh_from_db()
    assert (sanction.status, sanction.lifted_by, sanction.lift_reason) == ("lifted", hse_specialist, "Appeal upheld")
    with pytest.raises(StateConflict):
        sanctions.sanction_lift(actor=hse_specialist, sanction=sanction, reason="Again")
    assert AuditEntry.objects.filter(action="contractors.sanction.lifted").count() == 1


def test_serious_violations_open_an_action_minor_ones_do_not(site, hse_specialist):
    order, _workers, _passes = site
    today = timezone.localdate()
    minor = record(hse_specialist, order, "minor", today=today)
    serious = record(hse_specialist, order, "serious", today=today)
    critical = record(hse_specialist, order, "critical", today=today)
    assert minor.actions.count() == 0
    action = serious.actions.get()
    assert (action.owner, action.due_date) == (order.responsible, today + timedelta(days=14))
    assert critical.actions.get().due_date == today + timedelta(days=3)


def test_who_may_record_and_sanction(site, pass_admin, line_manager, outsider, hse_specialist):
    order, _workers, _passes = site
    for user in (pass_admin, line_manager, outsider):
        with pytest.raises(PermissionDenied):
            record(user, order, "minor")
    violation = record(hse_specialist, order, "minor")
    for user in (pass_admin, line_manager, outsider):
        with pytest.raises(PermissionDenied):
            sanctions.sanction_apply(actor=user, violation=violation, kind="warning", reason="x")


def test_workers_of_another_company_and_a_future_time_are_refused(site, hse_specialist):
    order, _workers, _passes = site
    stranger = WorkerFactory()
    with pytest.raises(ValidationError) as refused:
        record(hse_specialist, order, "minor", workers=[stranger], when=timezone.now() + timedelta(hours=1))
    assert {"workers", "observed_at"} <= set(refused.value.message_dict)
    assert not Violation.objects.exists()


def test_a_sanction_in_force_is_listed_only_while_it_is(site, hse_specialist):
    order, workers, passes = site
    violation = record(hse_specialist, order, "critical", workers=workers[:1])
    sanction = violation.sanctions.get()
    assert sanction.is_in_force
    sanction.status = Sanction.Status.LIFTED
    sanction.lifted_by, sanction.lift_reason = hse_specialist, "x"
    sanction.save()
    codes = [r.code for r in gate.refusals_for(AccessPass.objects.get(pk=passes[0].pk), today=timezone.localdate())]
    assert "sanction_in_force" not in codes


def test_the_gate_names_the_sanction_and_tells_the_guard_why(site, hse_specialist):
    order, workers, passes = site
    record(hse_specialist, order, "critical", workers=workers[:1])
    refusals = gate.refusals_for(AccessPass.objects.get(pk=passes[0].pk), today=timezone.localdate())
    sanction = next(r for r in refusals if r.code == "sanction_in_force")
    assert (
        sanction.detail.startswith("Critical violation on ") and "Work at height without a harness" in sanction.detail
    )
    assert gate.describe(sanction.as_dict()) == f"A sanction is in force against this pass. {sanction.detail}"


@pytest.mark.parametrize(
    ("refusal", "told"),
    [
        ({"code": "unknown_number"}, "No pass has this number."),
        ({"code": "pass_blocked", "detail": "Fight"}, "The pass is blocked. Fight"),
        ({"code": "pass_suspended"}, "The pass is suspended."),
        ({"code": "pass_revoked"}, "The pass is revoked."),
        ({"code": "pass_expired", "detail": "2026-11-30"}, "The pass has expired. Date: 30 Nov 2026."),
        ({"code": "pass_not_yet_valid"}, "The pass is not valid yet."),
        ({"code": "company_suspended"}, "The company is suspended."),
        ({"code": "company_banned"}, "The company is banned from the site."),
        ({"code": "holder_left_company"}, "The holder no longer works for the company."),
        ({"code": "work_order_stopped"}, "The work order is stopped."),
        ({"code": "work_order_finished"}, "The work order is finished."),
        ({"code": "document_missing_medical"}, "No medical clearance on file."),
        ({"code": "document_expired_induction"}, "The site induction has expired."),
        ({"code": "something_new"}, "something_new"),
    ],
)
def test_what_each_refusal_tells_the_guard(refusal, told):
    assert gate.describe(refusal) == told
