"""The gate check, decided at the moment of the check: a pass becomes refused when its company is
suspended, its work order stopped or its holder's medical clearance or site induction runs out,
without anyone touching the pass, and lets its holder in again once that is put right. Every
reason is listed; every check is recorded, an unknown number too."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from apps.audit.models import AuditEntry
from apps.contractors import gate, services
from apps.contractors.models import AccessPass, GateCheck
from tests.contractors import rows
from tests.contractors.rows import TODAY, day

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(rows.at(TODAY))


@pytest.fixture
def world(org, pass_admin, line_manager):
    return rows.build_world(org, pass_admin=pass_admin, responsible=line_manager)


def check(actor, number, checkpoint="Gate 1"):
    record, decision = services.gate_check(actor=actor, number=number, checkpoint=checkpoint)
    return record, decision


def reasons(actor, number) -> list[str]:
    record, decision = check(actor, number)
    assert record.allowed is decision.allowed
    return [refusal["code"] for refusal in record.reasons]


def test_a_good_pass_lets_its_holder_in_and_the_check_is_recorded(world, pass_admin):
    record, decision = check(pass_admin, world.access_pass.number.lower(), checkpoint="  Gate 3, turnstile 2 ")
    assert decision.allowed and decision.refusals == [] and decision.access_pass == world.access_pass
    record = GateCheck.objects.get()
    assert (record.access_pass, record.allowed, record.reasons) == (world.access_pass, True, [])
    assert (record.number_presented, record.checked_by, record.checkpoint) == (
        world.access_pass.number,
        pass_admin,
        "Gate 3, turnstile 2",
    )
    assert record.checked_at >= rows.at(TODAY)


@pytest.mark.parametrize("name", ["pass_admin", "hse_specialist", "hse_head", "outsider"])
def test_who_checks_passes_any_pass(world, persona, name):
    # A guard must be able to refuse any card: the check is not scoped to the checker's units.
    assert reasons(persona(name), world.access_pass.number) == []


@pytest.mark.parametrize("name", ["line_manager", "executive", "system_admin"])
def test_a_role_without_passes_check_is_refused_and_nothing_is_recorded(world, persona, name):
    with pytest.raises(PermissionDenied):
        check(persona(name), world.access_pass.number)
    assert not GateCheck.objects.exists()


def test_an_unknown_number_is_recorded_as_a_refused_check(org, pass_admin):
    record, decision = check(pass_admin, " p-404404 ")
    assert (decision.allowed, decision.access_pass) == (False, None)
    assert (record.access_pass, record.number_presented, record.allowed) == (None, "P-404404", False)
    assert record.reasons == [{"code": "unknown_number", "detail": ""}]


def test_a_number_longer_than_any_pass_is_unknown_up_to_forty_characters(org, pass_admin):
    assert reasons(pass_admin, "X" * 40) == ["unknown_number"]
    with pytest.raises(ValidationError) as error:
        check(pass_admin, "X" * 41)
    assert "number" in error.value.message_dict
    with pytest.raises(ValidationError):
        check(pass_admin, "   ")
    assert GateCheck.objects.count() == 1


def test_a_suspended_company_refuses_its_passes_until_approved_again(world, pass_admin, hse_head):
    number = world.access_pass.number
    services.company_set_status(actor=hse_head, company=world.company, status="suspended", reason="Insurance lapsed")
    record, decision = check(pass_admin, number)
    assert not decision.allowed
    assert record.reasons == [{"code": "company_suspended", "detail": "Insurance lapsed"}]
    services.company_set_status(actor=hse_head, company=world.company, status="approved", reason="Insurance renewed")
    assert reasons(pass_admin, number) == []
    # Nobody touched the pass: no status change, no entry in its trail but the issue.
    assert AccessPass.objects.get(pk=world.access_pass.pk).status == "active"
    assert rows.codes(world.access_pass) == ["contractors.pass.issued"]


def test_a_banned_company_is_refused(world, pass_admin, hse_head):
    services.company_set_status(actor=hse_head, company=world.company, status="banned", reason="Fatality")
    assert reasons(pass_admin, world.access_pass.number) == ["company_banned"]


def test_a_stopped_work_order_refuses_its_passes_until_resumed(world, pass_admin, hse_specialist):
    number = world.access_pass.number
    services.work_order_step(actor=hse_specialist, order=world.order, step="stop", reason="No fall protection")
    record, _ = check(pass_admin, number)
    assert record.reasons == [{"code": "work_order_stopped", "detail": "No fall protection"}]
    services.work_order_step(actor=hse_specialist, order=world.order, step="resume", reason="Nets and anchors fitted")
    assert reasons(pass_admin, number) == []
    assert rows.codes(world.access_pass) == ["contractors.pass.issued"]


def test_a_finished_work_order_refuses_its_passes(world, pass_admin, hse_specialist):
    services.work_order_step(actor=hse_specialist, order=world.order, step="finish")
    record, _ = check(pass_admin, world.access_pass.number)
    assert record.reasons == [{"code": "work_order_finished", "detail": world.order.number}]


@pytest.mark.parametrize("kind", ["medical", "induction"])
def test_a_document_in_force_until_today_lets_in_and_refuses_the_day_after(
    org, pass_admin, line_manager, time_machine, kind
):
    firm = rows.company()
    holder = rows.worker(firm)
    holder.documents.filter(kind=kind).update(valid_until=TODAY)
    access_pass = rows.access_pass(holder, zones=[org.crew], issued_by=pass_admin)
    assert reasons(pass_admin, access_pass.number) == []
    time_machine.move_to(rows.at(day(1), 7))
    record, _ = check(pass_admin, access_pass.number)
    assert record.reasons == [{"code": f"document_expired_{kind}", "detail": TODAY.isoformat()}]
    # Put right: a new document of the kind is the one the gate reads.
    services.worker_document_add(actor=pass_admin, worker=holder, kind=kind, valid_until=day(366))
    assert reasons(pass_admin, access_pass.number) == []
    assert AccessPass.objects.get(pk=access_pass.pk).status == "active"


@pytest.mark.parametrize("kind", ["medical", "induction"])
def test_a_document_that_ran_out_yesterday_refuses(org, pass_admin, kind):
    holder = rows.worker(rows.company())
    holder.documents.filter(kind=kind).update(valid_until=day(-1))
    access_pass = rows.access_pass(holder, zones=[org.crew], issued_by=pass_admin)
    assert reasons(pass_admin, access_pass.number) == [f"document_expired_{kind}"]


def test_the_latest_document_of_a_kind_counts(org, pass_admin):
    holder = rows.worker(rows.company(), documents=("induction",))
    holder.documents.create(kind="medical", valid_until=day(-200))
    holder.documents.create(kind="medical", valid_until=day(100))
    access_pass = rows.access_pass(holder, zones=[org.crew], issued_by=pass_admin)
    assert reasons(pass_admin, access_pass.number) == []


def test_a_missing_document_refuses_and_other_kinds_do_not_stand_in(org, pass_admin):
    holder = rows.worker(rows.company(), documents=("heights", "qualification"))
    access_pass = rows.access_pass(holder, zones=[org.crew], issued_by=pass_admin)
    assert reasons(pass_admin, access_pass.number) == ["document_missing_medical", "document_missing_induction"]


def test_a_pass_valid_until_today_lets_in_and_refuses_the_day_after(org, pass_admin, time_machine):
    access_pass = rows.access_pass(rows.worker(rows.company()), zones=[org.crew], issued_by=pass_admin,
                                   valid_until=TODAY)  # fmt: skip
    assert reasons(pass_admin, access_pass.number) == []
    time_machine.move_to(rows.at(day(1), 6))
    # Still active (the nightly expiry has not run yet): the gate reads the date itself.
    record, _ = check(pass_admin, access_pass.number)
    assert record.reasons == [{"code": "pass_expired", "detail": TODAY.isoformat()}]


def test_a_pass_not_valid_yet(org, pass_admin):
    access_pass = rows.access_pass(rows.worker(rows.company()), zones=[org.crew], issued_by=pass_admin,
                                   valid_from=day(1))  # fmt: skip
    record, _ = check(pass_admin, access_pass.number)
    assert record.reasons == [{"code": "pass_not_yet_valid", "detail": day(1).isoformat()}]


@pytest.mark.parametrize("status", ["suspended", "blocked", "revoked"])
def test_a_pass_not_active_is_refused_with_its_reason(org, pass_admin, status):
    access_pass = rows.access_pass(rows.worker(rows.company()), zones=[org.crew], issued_by=pass_admin,
                                   status=status, reason="Critical violation")  # fmt: skip
    record, _ = check(pass_admin, access_pass.number)
    assert record.reasons == [{"code": f"pass_{status}", "detail": "Critical violation"}]


def test_an_expired_pass_says_so_once(org, pass_admin):
    access_pass = rows.access_pass(rows.worker(rows.company()), zones=[org.crew], issued_by=pass_admin,
                                   status="expired", valid_until=day(-2))  # fmt: skip
    assert reasons(pass_admin, access_pass.number) == ["pass_expired"]


def test_a_holder_who_left_the_company(org, pass_admin):
    holder = rows.worker(rows.company())
    access_pass = rows.access_pass(holder, zones=[org.crew], issued_by=pass_admin)
    holder.is_active = False
    holder.save()
    assert reasons(pass_admin, access_pass.number) == ["holder_left_company"]


def test_a_blocked_pass_after_a_violation_refuses_with_the_reason(world, pass_admin, hse_specialist):
    services.pass_block(actor=hse_specialist, access_pass=world.access_pass, reason="Work at height without harness")
    record, decision = check(pass_admin, world.access_pass.number)
    assert decision.refusals == [gate.Refusal("pass_blocked", "Work at height without harness")]
    services.pass_unblock(actor=pass_admin, access_pass=world.access_pass, reason="Retrained")
    assert reasons(pass_admin, world.access_pass.number) == []


def test_every_reason_is_listed_at_once(org, pass_admin, line_manager):
    firm = rows.company(status="suspended", reason="Insurance lapsed")
    holder = rows.worker(firm, documents=("induction",), valid_until=day(-1))
    order = rows.work_order(firm, org.crew, line_manager, status="stopped", reason="Critical violation")
    access_pass = rows.access_pass(holder, zones=[org.crew], issued_by=pass_admin, order=order, status="blocked",
                                   reason="Critical violation", valid_from=day(-30), valid_until=day(-1))  # fmt: skip
    holder.is_active = False
    holder.save()
    record, decision = check(pass_admin, access_pass.number)
    assert not decision.allowed and not record.allowed
    assert [r["code"] for r in record.reasons] == [
        "pass_blocked",
        "pass_expired",
        "company_suspended",
        "holder_left_company",
        "work_order_stopped",
        "document_missing_medical",
        "document_expired_induction",
    ]


def test_a_check_writes_no_audit_entry_and_costs_the_same_queries_however_many_documents(
    org, pass_admin, django_assert_num_queries, django_assert_max_num_queries
):
    few = rows.access_pass(rows.worker(rows.company()), zones=[org.crew], issued_by=pass_admin)
    many_holder = rows.worker(rows.company("Big LLC"))
    for offset in range(20):
        many_holder.documents.create(kind="medical", valid_until=day(offset))
    many = rows.access_pass(many_holder, zones=[org.crew], issued_by=pass_admin)
    check(pass_admin, few.number)  # content types and the like are cached by now
    # The pass with its holder, company and work order; its holder's documents; its zones; the
    # sanctions in force; the insert of the check; the savepoint around them (the test runs in a
    # transaction). A fixed few, whatever the number of documents.
    with django_assert_max_num_queries(8) as first:
        check(pass_admin, few.number)
    with django_assert_num_queries(len(first.captured_queries)):
        check(pass_admin, many.number)
    assert not AuditEntry.objects.filter(action__startswith="contractors.gate").exists()


@pytest.mark.parametrize(
    ("refusal", "english"),
    [
        ({"code": "unknown_number"}, "No pass has this number."),
        ({"code": "pass_blocked", "detail": "Work at height without harness"},
         "The pass is blocked. Work at height without harness"),
        ({"code": "document_expired_medical", "detail": "2026-11-21"},
         "The medical clearance has expired. Date: 21 Nov 2026."),
        ({"code": "document_missing_induction"}, "No site induction on file."),
        ({"code": "company_suspended", "detail": "Insurance lapsed"},
         "The company is suspended. Insurance lapsed"),
        ({"code": "turnstile_fault"}, "turnstile_fault"),
    ],
)  # fmt: skip
def test_what_the_guard_is_told(refusal, english):
    with translation.override("en"):
        assert gate.describe(refusal) == english
