"""Twenty requests at once on one investigation (PostgreSQL row locks): one workflow step wins and
the others are refused with a StateConflict; one investigation per incident however many open it
at once; changes of the analysis run one after another (no gap in a chain's whys, no loop made of
two links added together). The history has exactly one entry per committed change."""

import pytest

from apps.audit.models import AuditEntry
from apps.common.errors import StateConflict
from apps.incidents import services
from apps.incidents.models import CauseTreeLink, Incident, Investigation, WhyChain
from tests.concurrency import race

from .helpers import make_incident, make_investigation, planned_and_covered

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 20


def fresh(investigation):
    """What a request sees: the row as it was when the request loaded it."""
    return Investigation.objects.get(pk=investigation.pk)


def logged(code, investigation=None):
    rows = AuditEntry.objects.filter(action=code)
    if investigation is not None:
        rows = rows.filter(target_id=str(investigation.pk))
    return rows.count()


def assert_conflicts(outcomes):
    assert all(isinstance(error, StateConflict) for error in outcomes.failed), outcomes.failed


@pytest.fixture
def incident(org, hse_specialist):
    return make_incident(org.crew, hse_specialist)


@pytest.mark.parametrize(
    ("step", "before", "after", "who", "code"),
    [
        ("analysis", "opened", "analysis", "hse_specialist", "analysis_started"),
        ("plan", "analysis", "actions_planned", "hse_specialist", "actions_planned"),
        ("approve", "actions_planned", "approved", "hse_head", "approved"),
        ("close", "approved", "closed", "hse_specialist", "closed"),
    ],
)
def test_twenty_identical_steps_take_effect_once(persona, incident, hse_specialist, hse_head, step, before, after,
                                                 who, code):  # fmt: skip
    approver = {"approved_by": hse_head} if before == "approved" else {}
    investigation = planned_and_covered(incident, hse_specialist, status=before, **approver)
    actor = persona(who)
    outcomes = race(
        RACERS, lambda i: services.INVESTIGATION_STEPS[step](actor=actor, investigation=fresh(investigation))
    )
    assert outcomes.succeeded == 1 and len(outcomes.failed) == RACERS - 1
    assert_conflicts(outcomes)
    investigation.refresh_from_db()
    assert investigation.status == after
    assert logged(f"incidents.investigation.{code}", investigation) == 1


def test_twenty_approvals_approve_once_with_one_note(incident, hse_specialist, hse_head):
    investigation = planned_and_covered(incident, hse_specialist)
    outcomes = race(
        RACERS,
        lambda i: services.investigation_approve(actor=hse_head, investigation=fresh(investigation), note=f"#{i}"),
    )
    assert outcomes.succeeded == 1
    assert_conflicts(outcomes)
    investigation.refresh_from_db()
    assert investigation.approval_note == outcomes.results[0].approval_note
    entry = AuditEntry.objects.get(action="incidents.investigation.approved")
    assert entry.reason == investigation.approval_note


def test_approve_racing_close_keeps_the_order_of_the_workflow(incident, hse_specialist, hse_head):
    investigation = planned_and_covered(incident, hse_specialist)

    def step(i):
        if i % 2:
            return services.investigation_close(actor=hse_specialist, investigation=fresh(investigation))
        return services.investigation_approve(actor=hse_head, investigation=fresh(investigation), note="ok")

    outcomes = race(RACERS, step)
    assert_conflicts(outcomes)
    statuses = sorted(result.status for result in outcomes.results)
    # One approval; a close only after it (it needs the approval), at most once.
    assert statuses in (["approved"], ["approved", "closed"])
    investigation.refresh_from_db()
    assert investigation.status == statuses[-1]
    assert investigation.approved_by == hse_head
    assert logged("incidents.investigation.approved") == 1
    assert logged("incidents.investigation.closed") == statuses.count("closed")
    assert (investigation.closed_at is not None) == ("closed" in statuses)


def test_twenty_openings_make_one_investigation(incident, hse_specialist, hse_head):
    coordinators = [hse_specialist, hse_head]

    def open_it(i):
        return services.investigation_open(
            actor=coordinators[i % 2], incident=Incident.objects.get(pk=incident.pk), coordinator=coordinators[i % 2]
        )

    outcomes = race(RACERS, open_it)
    assert outcomes.succeeded == 1
    assert_conflicts(outcomes)
    assert {error.messages[0] for error in outcomes.failed} == {"This incident is already being investigated."}
    assert Investigation.objects.filter(incident=incident).count() == 1
    assert logged("incidents.investigation.opened") == 1


def test_twenty_whys_at_once_are_numbered_without_a_gap(incident, hse_specialist, line_manager):
    investigation = make_investigation(incident, hse_specialist, members=[line_manager], status="analysis")
    chain = WhyChain.objects.create(investigation=investigation, problem_statement="Hand caught")
    actors = [hse_specialist, line_manager]
    outcomes = race(
        RACERS,
        lambda i: services.step_add(actor=actors[i % 2], chain=WhyChain.objects.get(pk=chain.pk), answer=f"#{i}"),
    )
    assert outcomes.succeeded == RACERS, outcomes.failed
    assert list(chain.steps.values_list("order", flat=True)) == list(range(1, RACERS + 1))
    assert logged("incidents.why.added") == RACERS


def test_two_links_added_at_once_cannot_make_a_loop(incident, hse_specialist):
    investigation = make_investigation(incident, hse_specialist, status="analysis")
    final = services.fact_add(actor=hse_specialist, investigation=investigation, text="Hand caught")
    a = services.fact_add(actor=hse_specialist, investigation=investigation, text="Reaches in", leads_to=final)
    b = services.fact_add(actor=hse_specialist, investigation=investigation, text="Guard off", leads_to=final)
    # Each link alone is valid; the two together are a loop.
    outcomes = race(
        RACERS,
        lambda i: services.link_add(
            actor=hse_specialist, investigation=fresh(investigation), antecedent=a if i % 2 else b,
            consequent=b if i % 2 else a,
        ),
    )  # fmt: skip
    assert outcomes.succeeded == 1
    assert all(not isinstance(error, StateConflict) for error in outcomes.failed)  # a rule, not a status
    assert CauseTreeLink.objects.filter(investigation=investigation).count() == 3
    assert logged("incidents.link.added") == 1


def test_edits_racing_the_approval_are_kept_only_before_it(incident, hse_specialist, hse_head):
    investigation = planned_and_covered(incident, hse_specialist)

    def step(i):
        if i == RACERS // 2:
            return services.investigation_approve(actor=hse_head, investigation=fresh(investigation))
        return services.chain_add(actor=hse_specialist, investigation=fresh(investigation), problem_statement=f"#{i}")

    outcomes = race(RACERS, step)
    assert_conflicts(outcomes)
    investigation.refresh_from_db()
    assert investigation.status == "approved"
    added = outcomes.succeeded - 1
    assert WhyChain.objects.filter(investigation=investigation).count() == 1 + added
    assert logged("incidents.why_chain.added") == added
    assert len(outcomes.failed) == RACERS - 1 - added
