"""The demo data holds the issue's "done when": a work order stopped after a critical violation,
its workers' passes blocked with that reason through the services (the trail says who and why),
and the gate refusing them with both reasons. Loading it twice changes nothing; the plant-scale
generator adds its companies, workers and passes once."""

import pytest
from django.db.models import Count

from apps.contractors import selectors, services
from apps.contractors.models import (
    AccessPass,
    ContractorCompany,
    ContractorWorker,
    GateCheck,
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


def test_the_stopped_work_order_and_its_blocked_passes_are_refused_at_the_gate_with_the_reasons(demo):
    from apps.accounts.models import User

    stopped = WorkOrder.objects.get(status="stopped")
    assert stopped.is_high_hazard
    assert stopped.stop_reason == f"Critical violation: work at height without fall protection, {TODAY.isoformat()}"
    assert [(e.action, e.actor.username, e.reason) for e in rows.entries(stopped)][-1] == (
        "contractors.work_order.stopped",
        "specialist",
        stopped.stop_reason,
    )
    blocked = list(AccessPass.objects.filter(work_order=stopped))
    assert len(blocked) >= 3 and {p.status for p in blocked} == {"blocked"}
    guard = User.objects.get(username="passoffice")
    for access_pass in blocked:
        assert access_pass.status_reason == stopped.stop_reason
        entry = rows.entries(access_pass)[-1]
        assert (entry.action, entry.actor.username, entry.reason, entry.data) == (
            "contractors.pass.blocked",
            "specialist",
            stopped.stop_reason,
            {"status": ["active", "blocked"]},
        )
        check, decision = services.gate_check(actor=guard, number=access_pass.number)
        assert not decision.allowed
        assert check.reasons == [
            {"code": "pass_blocked", "detail": stopped.stop_reason},
            {"code": "work_order_stopped", "detail": stopped.stop_reason},
        ]
    day_of_office = selectors.pass_office_day(guard, today=TODAY)
    assert {p.pk for p in blocked} <= {p.pk for p in day_of_office["blocked_today"]}


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
    from apps.accounts.models import User

    return User.objects.get(username="passoffice")


def test_loading_twice_adds_nothing(demo):
    from apps.audit.models import AuditEntry
    from apps.core.demo import load_demo_data

    counts = (AccessPass.objects.count(), GateCheck.objects.count(), AuditEntry.objects.count())
    assert load_demo_data(today=TODAY) == demo
    assert counts == (AccessPass.objects.count(), GateCheck.objects.count(), AuditEntry.objects.count())


def test_the_scale_generator_adds_contractors_once_also_to_an_existing_scale_database(demo):
    from apps.core import scale
    from tests.factories import ObservationCategoryFactory

    ObservationCategoryFactory()  # the categories of the data migration are gone after a flushing test
    tiny = scale.Scale(sites=1, shops_per_site=2, crews_per_shop=2, people_per_unit=2, specialists=2, managers=2,
                       observations=20, actions=10, incidents=3, audits=2, years=1, contractor_companies=5,
                       contractor_workers=60, contractor_passes=50, gate_checks=80)  # fmt: skip
    added = scale.generate(tiny, log=lambda *_: None)
    assert (added["contractor_companies"], added["contractor_workers"], added["access_passes"]) == (5, 60, 50)
    generated = AccessPass.objects.filter(company__tax_number__startswith=scale.CONTRACTOR_TAX_PREFIX)
    assert generated.count() == 50
    numbers = sorted(generated.values_list("number", flat=True))
    assert numbers[0] == f"P-{demo['access passes'] + 1:06d}"  # after the demo's passes, no gap
    assert services._next_number() == f"P-{demo['access passes'] + 51:06d}"
    # Every generated pass opens a generated unit and satisfies the rules the database keeps.
    assert not generated.filter(zones__isnull=True).exists()
    assert set(generated.values_list("status", flat=True)) <= set(AccessPass.Status.values)
    assert GateCheck.objects.filter(access_pass__in=generated).count() > 0
    assert scale.generate(tiny, log=lambda *_: None) == {}
    # A plant database built before contractors existed gets them on the next run, once.
    AccessPass.zones.through.objects.filter(accesspass__in=generated).delete()
    GateCheck.objects.filter(number_presented__in=numbers).delete()
    GateCheck.objects.filter(access_pass__in=generated).delete()
    generated.delete()
    WorkOrder.objects.filter(company__tax_number__startswith=scale.CONTRACTOR_TAX_PREFIX).delete()
    WorkerDocument.objects.filter(worker__company__tax_number__startswith=scale.CONTRACTOR_TAX_PREFIX).delete()
    ContractorWorker.objects.filter(company__tax_number__startswith=scale.CONTRACTOR_TAX_PREFIX).delete()
    ContractorCompany.objects.filter(tax_number__startswith=scale.CONTRACTOR_TAX_PREFIX).delete()
    again = scale.generate(tiny, log=lambda *_: None)
    assert set(again) >= {"contractor_companies", "access_passes"} and "observations" not in again
