"""Twenty requests at once on PostgreSQL: block and unblock on one pass leave a consistent status
and exactly one audit entry per committed change; twenty passes issued at once get twenty
distinct numbers with no gap; the expiry run twice at once expires each pass once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.common.errors import StateConflict
from apps.contractors import services
from apps.contractors.models import AccessPass, ContractorWorker
from tests.concurrency import race
from tests.contractors import rows

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 20


def in_days(days: int):
    return timezone.localdate() + timedelta(days=days)


def fresh(access_pass):
    """What a request sees: the row as it was when the request loaded it."""
    return AccessPass.objects.get(pk=access_pass.pk)


@pytest.fixture
def access_pass(org, pass_admin):
    holder = rows.worker(rows.company(), valid_until=in_days(200))
    return rows.access_pass(holder, zones=[org.crew], issued_by=pass_admin, valid_from=in_days(-10),
                            valid_until=in_days(60))  # fmt: skip


def assert_consistent_chain(access_pass, outcomes, start: str) -> list:
    """One entry per committed change; each starts where the one before ended; the row ends where
    the last one did; every refusal is a conflict."""
    assert all(isinstance(error, StateConflict) for error in outcomes.failed), outcomes.failed
    entries = rows.entries(access_pass)
    assert len(entries) == outcomes.succeeded == RACERS - len(outcomes.failed)
    chain = [entry.data["status"] for entry in entries]
    state = start
    for before, after in chain:
        assert before == state
        state = after
    access_pass.refresh_from_db()
    assert access_pass.status == state
    return entries


def test_twenty_blocks_at_once_block_once(access_pass, pass_admin, hse_head, hse_specialist):
    actors = [pass_admin, hse_head, hse_specialist]
    outcomes = race(RACERS, lambda i: services.pass_block(
        actor=actors[i % 3], access_pass=fresh(access_pass), reason=f"Violation seen by {i}"))  # fmt: skip
    assert outcomes.succeeded == 1
    assert {error.messages[0] for error in outcomes.failed} == {"This pass is already blocked."}
    entries = assert_consistent_chain(access_pass, outcomes, "active")
    assert [entry.action for entry in entries] == ["contractors.pass.blocked"]
    assert access_pass.status_reason == entries[0].reason


def test_twenty_blocks_and_unblocks_at_once_leave_a_consistent_status_and_trail(access_pass, pass_admin, hse_head):
    def step(i):
        if i % 2:
            return services.pass_unblock(actor=hse_head, access_pass=fresh(access_pass), reason=f"Cleared {i}")
        return services.pass_block(actor=pass_admin, access_pass=fresh(access_pass), reason=f"Violation {i}")

    outcomes = race(RACERS, step)
    assert outcomes.succeeded >= 1
    entries = assert_consistent_chain(access_pass, outcomes, "active")
    assert {entry.action for entry in entries} <= {"contractors.pass.blocked", "contractors.pass.unblocked"}
    last = entries[-1]
    expected_reason = last.reason if access_pass.status == "blocked" else ""
    assert access_pass.status_reason == expected_reason


def test_a_block_racing_a_revoke_and_a_suspension(access_pass, pass_admin, hse_specialist):
    def step(i):
        pick = i % 3
        if pick == 0:
            return services.pass_revoke(actor=pass_admin, access_pass=fresh(access_pass), reason=f"Card lost {i}")
        if pick == 1:
            return services.pass_block(actor=hse_specialist, access_pass=fresh(access_pass), reason=f"Violation {i}")
        return services.pass_suspend(actor=pass_admin, access_pass=fresh(access_pass), reason=f"Holiday {i}")

    outcomes = race(RACERS, step)
    assert_consistent_chain(access_pass, outcomes, "active")
    # Whatever the order, a revoke is the last word and the pass cannot move again from it.
    codes = rows.codes(access_pass)
    assert codes.count("contractors.pass.revoked") == 1
    assert codes[-1] == "contractors.pass.revoked"
    assert access_pass.status == "revoked"


def _issue_many(org, pass_admin, count: int):
    firm = rows.company()
    holders = [rows.worker(firm, f"Worker {i}", valid_until=in_days(200)) for i in range(count)]
    return race(count, lambda i: services.pass_issue(
        actor=pass_admin, holder=ContractorWorker.objects.get(pk=holders[i].pk), zones=[org.crew],
        valid_from=in_days(0), valid_until=in_days(30)))  # fmt: skip


def test_twenty_passes_issued_at_once_on_an_empty_table_are_numbered_one_to_twenty(org, pass_admin):
    outcomes = _issue_many(org, pass_admin, RACERS)
    assert not outcomes.failed, outcomes.failed
    numbers = sorted(p.number for p in outcomes.results)
    assert numbers == [f"P-{n:06d}" for n in range(1, RACERS + 1)]
    assert AuditEntry.objects.filter(action="contractors.pass.issued").count() == RACERS


def test_twenty_passes_issued_at_once_continue_the_sequence_with_no_gap(org, pass_admin):
    firm = rows.company("Earlier LLC")
    for number in ("P-000005", "P-000006", "P-CARD-1"):
        rows.access_pass(rows.worker(firm), zones=[org.crew], issued_by=pass_admin, number=number)
    outcomes = _issue_many(org, pass_admin, RACERS)
    assert not outcomes.failed, outcomes.failed
    assert sorted(p.number for p in outcomes.results) == [f"P-{n:06d}" for n in range(7, 7 + RACERS)]


def test_the_expiry_run_twice_at_once_expires_each_pass_once(org, pass_admin):
    holder = rows.worker(rows.company(), valid_until=in_days(200))
    late = [rows.access_pass(holder, zones=[org.crew], issued_by=pass_admin, valid_from=in_days(-40),
                             valid_until=in_days(-1 - i)) for i in range(30)]  # fmt: skip
    outcomes = race(4, lambda i: services.passes_expire(today=timezone.localdate()))
    assert not outcomes.failed
    assert sum(outcomes.results) == len(late)
    assert set(AccessPass.objects.values_list("status", flat=True)) == {"expired"}
    assert AuditEntry.objects.filter(action="contractors.pass.expired").count() == len(late)
