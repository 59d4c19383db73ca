"""The demo data holds the issue's "done when": a critical violation, recorded through the
violation service, has stopped its work order and blocked its workers' passes with a "stop work"
sanction in force (the trail says who and why); the gate refuses them with every reason, and the
pass office cannot unblock them until the sanction is lifted. The other violations and the hours on
site give the scorecard its rates and rank. Loading it twice changes nothing; the plant-scale
generator adds its companies, workers, passes and violations once."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count

from apps.common.dates import short_date
from apps.contractors import gate, sanctions, scorecard, selectors, services
from apps.contractors.models import (
    AccessPass,
    ContractorCompany,
    ContractorWorker,
    GateCheck,
    Sanction,
    Violation,
    WorkerDocument,
    WorkOrder,
)
from tests.contractors import rows
from tests.contractors.rows import TODAY, day

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(rows.at(TODAY, 8))


@pytest.fixture
def demo(db):
    from apps.core.demo import load_demo_data

    return load_demo_data(today=TODAY)


def _user(username):
    from apps.accounts.models import User

    return User.objects.get(username=username)


def test_the_critical_violation_stopped_the_work_and_blocked_the_crews_passes(demo):
    violation = Violation.objects.get(severity="critical")
    stopped = WorkOrder.objects.get(status="stopped")
    assert violation.work_order == stopped and stopped.number == "WO-2026-105" and stopped.is_high_hazard
    assert violation.recorded_by.username == "specialist"
    assert violation.observed_at == rows.at(day(-3), 10, 40)
    assert violation.description.startswith("Work at height without fall protection")
    sanction = violation.sanctions.get()
    assert (sanction.kind, sanction.status, sanction.decided_by.username) == ("stop_work", "in_force", "specialist")
    reason = sanction.reason
    assert reason.startswith(f"Critical violation on {short_date(day(-3))}: Work at height")
    assert stopped.stop_reason == reason
    assert [(e.action, e.actor.username, e.reason) for e in rows.entries(stopped)][-1] == (
        "contractors.work_order.stopped", "specialist", reason,
    )  # fmt: skip
    # The crew named: every holder of a pass on the job, their passes blocked and under the sanction.
    blocked = list(AccessPass.objects.filter(work_order=stopped).order_by("pk"))
    assert len(blocked) >= 3 and {p.status for p in blocked} == {"blocked"}
    assert set(violation.workers.all()) == {p.holder for p in blocked}
    assert set(sanction.passes.all()) == set(blocked)
    for access_pass in blocked:
        assert access_pass.status_reason == reason
        entry = rows.entries(access_pass)[-1]
        assert (entry.action, entry.actor.username, entry.reason, entry.data) == (
            "contractors.pass.blocked", "specialist", reason, {"status": ["active", "blocked"]},
        )  # fmt: skip
    # The action to fix it is in the register, owned by the one answering for the job.
    action = violation.actions.get()
    assert (action.owner, action.due_date) == (stopped.responsible, day(3))


def test_the_gate_refuses_the_crew_with_the_block_the_stopped_work_and_the_sanction(demo):
    stopped = WorkOrder.objects.get(status="stopped")
    reason = stopped.stop_reason
    expected = [
        {"code": "pass_blocked", "detail": reason},
        {"code": "work_order_stopped", "detail": reason},
        {"code": "sanction_in_force", "detail": reason},
    ]
    guard = _user("passoffice")
    blocked = list(AccessPass.objects.filter(work_order=stopped).select_related("holder", "company", "work_order"))
    for access_pass in blocked:
        assert [r.as_dict() for r in gate.refusals_for(access_pass, today=TODAY)] == expected
        check, decision = services.gate_check(actor=guard, number=access_pass.number)
        assert not decision.allowed
        assert check.reasons == expected
    # This morning's checks at the gate (in the demo) turned them away with the same reasons.
    refused = selectors.pass_office_day(guard, today=TODAY)["refusals_today"]
    assert any(check.reasons == expected for check in refused)
    assert {p.pk for p in blocked} <= {p.pk for p in selectors.pass_office_day(guard, today=TODAY)["blocked_today"]}


def test_the_pass_office_cannot_unblock_while_the_sanction_is_in_force(demo):
    office, specialist = _user("passoffice"), _user("specialist")
    access_pass = AccessPass.objects.filter(work_order__status="stopped").order_by("pk").first()
    with pytest.raises(ValidationError) as refused:
        services.pass_unblock(actor=office, access_pass=access_pass, reason="The crew was briefed")
    assert "sanction is in force" in str(refused.value)
    access_pass.refresh_from_db()
    assert access_pass.status == "blocked"
    sanction = Sanction.objects.get(violation__severity="critical")
    sanctions.sanction_lift(
        actor=specialist, sanction=sanction, reason="Harnesses and lifeline checked; crew re-briefed"
    )
    with pytest.raises(ValidationError) as no_reason:
        services.pass_unblock(actor=office, access_pass=access_pass, reason="  ")
    assert "reason" in no_reason.value.message_dict
    services.pass_unblock(actor=office, access_pass=access_pass, reason="Sanction lifted; cleared to enter")
    access_pass.refresh_from_db()
    assert access_pass.status == "active"
    # The work order itself is still stopped: the gate still says so, and nothing else.
    assert [r.code for r in gate.refusals_for(access_pass, today=TODAY)] == ["work_order_stopped"]


def _demo_violations():
    """The contractors demo's own violations (the demo's year of history adds older ones)."""
    from apps.contractors.demo import VIOLATIONS

    return Violation.objects.filter(description__in=[row[2] for row in VIOLATIONS])


def test_the_other_violations_and_the_scorecard(demo):
    violations = _demo_violations()
    by_severity = dict(violations.values_list("severity").annotate(n=Count("pk")))
    assert by_severity == {"minor": 2, "serious": 1, "severe": 1, "critical": 1}
    serious = violations.get(severity="serious")
    warning = serious.sanctions.get()
    assert (warning.kind, warning.proposed_kind, warning.status) == ("warning", "warning", "in_force")
    assert warning.decided_by.username == "specialist" and warning.reason
    assert rows.codes(serious)[-1] == "contractors.sanction.applied"
    severe = violations.get(severity="severe")
    critical = violations.get(severity="critical")
    assert severe.company != critical.company and severe.recorded_by.username == "specialist2"
    assert not severe.sanctions.exists() and sanctions.proposed_sanction(severe) == "stop_work"  # to decide
    assert not Sanction.objects.filter(violation__in=violations, violation__severity="minor").exists()
    # Serious and worse opened an action each; minor ones none.
    assert sum(v.actions.count() for v in violations) == 3
    # Every company has hours on site: each gets a rate and a place; the critical one ranks last.
    assert not WorkOrder.objects.filter(hours_on_site=0).exists()
    card = scorecard.company_scorecard(critical.company, today=TODAY)
    assert card.hours == sum(critical.company.work_orders.values_list("hours_on_site", flat=True))
    assert card.by_severity["critical"] == 1 and card.rate_per_10k["critical"] == round(10_000 / card.hours, 2)
    assert (card.rank, card.ranked) == (8, 8)
    assert card.sanctions == {"in_force": 1, "year": 1} and card.open_actions == 1
    clean = ContractorCompany.objects.exclude(violations__isnull=False).order_by("pk").first()
    assert scorecard.company_scorecard(clean, today=TODAY).weighted_rate == 0
    assert all(v.observed_at >= rows.at(day(-30)) for v in violations)


def test_the_demo_holds_the_cases_the_pass_office_meets(demo):
    companies = ContractorCompany.objects.all()
    assert 6 <= companies.count() <= 8
    suspended = companies.get(status="suspended")
    assert suspended.status_reason
    assert 35 <= ContractorWorker.objects.count() <= 45
    assert WorkOrder.objects.count() == 12 and WorkOrder.objects.filter(is_high_hazard=True).count() >= 5
    statuses = dict(AccessPass.objects.values_list("status").annotate(n=Count("pk")))
    assert statuses["active"] >= 25 and statuses["blocked"] >= 3
    assert statuses["suspended"] >= 1 and statuses["revoked"] >= 1 and statuses["expired"] >= 1
    assert 35 <= sum(statuses.values()) == demo["access passes"] <= 45
    # A few documents and passes run out this week; one medical clearance ran out already.
    week = WorkerDocument.objects.filter(valid_until__gte=TODAY, valid_until__lte=day(7))
    assert week.count() >= 2
    assert WorkerDocument.objects.filter(valid_until__lt=TODAY, kind="medical").count() == 1
    assert selectors.pass_office_day(_office(), today=TODAY)["expiring"].count() >= 3
    # Gate checks over the last week, refusals today among them.
    refused_today = selectors.pass_office_day(_office(), today=TODAY)["refusals_today"]
    codes = {reason["code"] for check in refused_today for reason in check.reasons}
    assert {"pass_blocked", "work_order_stopped", "company_suspended", "document_expired_medical",
            "unknown_number"} <= codes  # fmt: skip
    assert GateCheck.objects.filter(checked_at__lt=rows.at(day(-3))).exists()


def _office():
    return _user("passoffice")


def test_loading_twice_adds_nothing(demo):
    from apps.audit.models import AuditEntry
    from apps.core.demo import load_demo_data

    def counts():
        return (AccessPass.objects.count(), GateCheck.objects.count(), AuditEntry.objects.count(),
                Violation.objects.count(), Sanction.objects.count())  # fmt: skip

    before = counts()
    assert load_demo_data(today=TODAY) == demo
    assert counts() == before


def test_the_scale_generator_adds_contractors_once_also_to_an_existing_scale_database(demo):
    from apps.core import scale
    from tests.factories import ObservationCategoryFactory

    ObservationCategoryFactory()  # the categories of the data migration are gone after a flushing test
    tiny = scale.Scale(sites=1, shops_per_site=2, crews_per_shop=2, people_per_unit=2, specialists=2, managers=2,
                       observations=20, actions=10, incidents=3, audits=2, years=1, contractor_companies=5,
                       contractor_workers=60, contractor_passes=50, gate_checks=80,
                       contractor_violations=60)  # fmt: skip
    added = scale.generate(tiny, log=lambda *_: None)
    assert (added["contractor_companies"], added["contractor_workers"], added["access_passes"]) == (5, 60, 50)
    assert added["contractor_violations"] == 60
    generated = AccessPass.objects.filter(company__tax_number__startswith=scale.CONTRACTOR_TAX_PREFIX)
    assert generated.count() == 50
    numbers = sorted(generated.values_list("number", flat=True))
    assert numbers[0] == f"P-{demo['access passes'] + 1:06d}"  # after the demo's passes, no gap
    assert services._next_number() == f"P-{demo['access passes'] + 51:06d}"
    # Every generated pass opens a generated unit and satisfies the rules the database keeps.
    assert not generated.filter(zones__isnull=True).exists()
    assert set(generated.values_list("status", flat=True)) <= set(AccessPass.Status.values)
    assert GateCheck.objects.filter(access_pass__in=generated).count() > 0
    _check_generated_violations(scale)
    assert scale.generate(tiny, log=lambda *_: None) == {}
    # A plant database built before violations existed gets them on the next run, once.
    violations = Violation.objects.filter(company__tax_number__startswith=scale.CONTRACTOR_TAX_PREFIX)
    Sanction.objects.filter(violation__in=violations).delete()
    violations.delete()
    again = scale.generate(tiny, log=lambda *_: None)
    assert set(again) == {"contractor_violations", "sanctions"} and again["contractor_violations"] == 60
    assert scale.generate(tiny, log=lambda *_: None) == {}
    # A plant database built before contractors existed gets them on the next run, once.
    Sanction.objects.filter(violation__in=violations).delete()
    violations.delete()
    AccessPass.zones.through.objects.filter(accesspass__in=generated).delete()
    GateCheck.objects.filter(number_presented__in=numbers).delete()
    GateCheck.objects.filter(access_pass__in=generated).delete()
    generated.delete()
    WorkOrder.objects.filter(company__tax_number__startswith=scale.CONTRACTOR_TAX_PREFIX).delete()
    WorkerDocument.objects.filter(worker__company__tax_number__startswith=scale.CONTRACTOR_TAX_PREFIX).delete()
    from apps.trainings.models import Attendance  # the workers' site inductions (generated after them)

    Attendance.objects.filter(contractor_worker__company__tax_number__startswith=scale.CONTRACTOR_TAX_PREFIX).delete()
    ContractorWorker.objects.filter(company__tax_number__startswith=scale.CONTRACTOR_TAX_PREFIX).delete()
    ContractorCompany.objects.filter(tax_number__startswith=scale.CONTRACTOR_TAX_PREFIX).delete()
    again = scale.generate(tiny, log=lambda *_: None)
    assert set(again) >= {"contractor_companies", "access_passes"} and "observations" not in again


def _check_generated_violations(scale):
    """The generated violations keep the rules the services would: three years at most, the work
    order one of the company's running then, a specialist covering the unit (or the HSE head) as
    the recorder, and no sanction left in force that would stop work or block a pass."""
    violations = list(
        Violation.objects.filter(company__tax_number__startswith=scale.CONTRACTOR_TAX_PREFIX).select_related(
            "work_order", "recorded_by"
        )
    )
    now = rows.at(TODAY, 8)
    assert all(now - timedelta(days=3 * 365 + 1) <= v.observed_at <= now for v in violations)
    assert len({v.severity for v in violations}) >= 3
    with_order = [v for v in violations if v.work_order is not None]
    assert with_order
    for violation in with_order:
        order = violation.work_order
        assert order.company_id == violation.company_id and order.unit_id == violation.unit_id
        assert order.starts_on <= violation.observed_at.date() <= order.ends_on
    assert {v.recorded_by.role for v in violations} <= {"hse_specialist", "hse_head"}
    generated_sanctions = Sanction.objects.filter(violation__in=[v.pk for v in violations])
    assert generated_sanctions.exists()
    assert not generated_sanctions.filter(status="in_force").exclude(kind__in=["warning", "fine"]).exists()
    assert not generated_sanctions.filter(kind="fine", fine_amount__isnull=True).exists()
    undecided = [v for v in violations if not v.sanctions.exists()]
    assert all(now - v.observed_at < timedelta(days=7) and v.severity != "critical" for v in undecided)


def test_the_system_admin_looks_up_the_violations_and_sanctions_and_edits_the_policy(demo, client):
    from django.urls import reverse

    from apps.contractors.models import SanctionRule
    from apps.contractors.sanctions import DEFAULT_POLICY

    for severity, kinds in DEFAULT_POLICY.items():  # the data migration's rows (gone after a flushing test)
        for repetition, kind in enumerate(kinds, start=1):
            SanctionRule.objects.get_or_create(severity=severity, repetition=repetition,
                                               defaults={"proposed_kind": kind})  # fmt: skip
    client.force_login(_user("admin"))
    critical = Violation.objects.get(severity="critical")
    page = client.get(reverse("admin:contractors_violation_changelist"), {"severity__exact": "critical"})
    assert page.status_code == 200 and critical.company.name in page.text
    found = client.get(reverse("admin:contractors_violation_changelist"), {"q": "crane runway"})
    assert found.context["cl"].result_count == 1
    detail = client.get(reverse("admin:contractors_violation_change", args=[critical.pk]))
    assert detail.status_code == 200 and 'name="severity"' not in detail.text and 'name="description"' in detail.text
    sanction = critical.sanctions.get()
    assert (
        client.get(reverse("admin:contractors_sanction_changelist"), {"status__exact": "in_force"}).status_code == 200
    )
    form = client.get(reverse("admin:contractors_sanction_change", args=[sanction.pk])).text
    assert 'name="status"' not in form and 'name="kind"' not in form and 'name="reason"' in form
    assert client.get(reverse("admin:contractors_sanction_add")).status_code == 403
    policy = client.get(reverse("admin:contractors_sanctionrule_changelist"))
    rules = list(policy.context["cl"].result_list)
    assert [(r.severity, r.repetition) for r in rules] == [
        (severity, repetition) for severity in ("minor", "serious", "severe", "critical") for repetition in (1, 2, 3)
    ]
    assert 'name="form-0-proposed_kind"' in policy.text
    edited = {"form-TOTAL_FORMS": str(len(rules)), "form-INITIAL_FORMS": str(len(rules)), "_save": "Save"}
    for index, rule in enumerate(rules):
        edited[f"form-{index}-id"] = str(rule.pk)
        edited[f"form-{index}-proposed_kind"] = (
            "fine" if (rule.severity, rule.repetition) == ("minor", 1) else rule.proposed_kind
        )
    assert client.post(reverse("admin:contractors_sanctionrule_changelist"), edited).status_code == 302
    minor = Violation.objects.filter(severity="minor").order_by("observed_at").first()
    assert sanctions.proposed_sanction(minor) == "fine"
