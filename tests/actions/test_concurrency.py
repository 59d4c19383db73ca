"""Twenty requests at once on one action (PostgreSQL row locks): one status change wins, the
others are refused with a StateConflict, and the history has exactly one entry per committed
change."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.actions import services
from apps.actions.models import Action
from apps.audit.models import AuditEntry
from apps.audit.selectors import history_for
from apps.common.errors import StateConflict
from tests.concurrency import race
from tests.factories import ActionFactory

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 20


def fresh(action):
    """What a request sees: the row as it was when the request loaded it."""
    return Action.objects.get(pk=action.pk)


def history_codes(action):
    return sorted(history_for(action).values_list("action", flat=True))


def assert_refused_as_conflicts(outcomes, message=None):
    assert all(isinstance(error, StateConflict) for error in outcomes.failed), outcomes.failed
    if message is not None:
        assert {error.messages[0] for error in outcomes.failed} == {message}


def test_complete_twenty_times_completes_once(action, owner):
    outcomes = race(RACERS, lambda i: services.action_complete(actor=owner, action=fresh(action), evidence=f"by {i}"))
    assert outcomes.succeeded == 1
    assert len(outcomes.failed) == RACERS - 1
    assert_refused_as_conflicts(outcomes, "This action is already done.")
    action.refresh_from_db()
    assert action.status == Action.Status.DONE
    assert action.evidence == outcomes.results[0].evidence
    assert history_codes(action) == ["actions.action.completed"]


def test_start_twenty_times_starts_once(action, owner):
    outcomes = race(RACERS, lambda i: services.action_start(actor=owner, action=fresh(action)))
    assert outcomes.succeeded == 1
    assert_refused_as_conflicts(outcomes, "This action is already in progress.")
    action.refresh_from_db()
    assert action.status == Action.Status.IN_PROGRESS
    assert history_codes(action) == ["actions.action.started"]


def test_verify_and_cancel_at_once_one_wins_and_the_row_is_consistent(org, owner, line_manager, hse_specialist):
    done = ActionFactory(unit=org.crew, owner=owner, status=Action.Status.DONE, evidence="Guard fitted")

    def step(i):
        if i % 2:
            return services.action_cancel(actor=hse_specialist, action=fresh(done), reason=f"Not needed {i}")
        return services.action_verify(actor=line_manager, action=fresh(done), effective=True, note=f"Checked {i}")

    outcomes = race(RACERS, step)
    assert outcomes.succeeded == 1
    assert_refused_as_conflicts(outcomes)
    done.refresh_from_db()
    if done.status == Action.Status.VERIFIED:
        assert (done.verified_by, done.is_effective, done.cancel_reason) == (line_manager, True, "")
        assert {e.messages[0] for e in outcomes.failed} <= {"This action is already verified."}
        assert history_codes(done) == ["actions.action.verified"]
    else:
        assert done.status == Action.Status.CANCELLED
        assert (done.verified_at, done.verified_by, done.is_effective) == (None, None, None)
        assert done.cancel_reason.startswith("Not needed")
        assert {e.messages[0] for e in outcomes.failed} <= {"This action is already cancelled."}
        assert history_codes(done) == ["actions.action.cancelled"]


def test_not_effective_with_follow_up_twenty_times_opens_one_follow_up(org, owner, line_manager):
    done = ActionFactory(unit=org.crew, owner=owner, status=Action.Status.DONE, evidence="Sign put up")
    due = timezone.localdate() + timedelta(days=30)
    outcomes = race(
        RACERS,
        lambda i: services.action_verify(
            actor=line_manager,
            action=fresh(done),
            effective=False,
            note=f"Sign ignored ({i})",
            not_effective_then="follow_up",
            follow_up={"due_date": due},
        ),
    )
    assert outcomes.succeeded == 1
    assert_refused_as_conflicts(outcomes, "This action is already verified.")
    done.refresh_from_db()
    assert (done.status, done.is_effective) == (Action.Status.VERIFIED, False)
    follow_up = Action.objects.get(follow_up_of=done)
    assert (follow_up.status, follow_up.due_date, follow_up.description) == (
        Action.Status.OPEN,
        due,
        done.verification_note,
    )
    assert history_codes(done) == ["actions.action.not_effective"]
    assert history_codes(follow_up) == ["actions.action.created"]
    assert AuditEntry.objects.count() == 2


def test_twenty_due_date_moves_are_logged_as_a_consistent_chain(action, line_manager):
    """Each move is a committed change: twenty entries, each starting where the previous ended."""
    start = timezone.localdate() + timedelta(days=10)
    outcomes = race(
        RACERS,
        lambda i: services.action_update(
            actor=line_manager, action=fresh(action), due_date=start + timedelta(days=i), reason=f"Move {i}"
        ),
    )
    assert outcomes.succeeded == RACERS and not outcomes.failed
    entries = list(history_for(action).order_by("created_at", "id"))
    assert [entry.action for entry in entries] == ["actions.action.updated"] * RACERS
    chain = [entry.data["changes"]["due_date"] for entry in entries]
    assert chain[0][0] == action.due_date.isoformat()
    for before, after in zip(chain, chain[1:], strict=False):
        assert after[0] == before[1]  # each one saw the previous one's committed date
    action.refresh_from_db()
    assert action.due_date.isoformat() == chain[-1][1]


def test_twenty_identical_due_date_moves_change_it_once(action, line_manager):
    new_date = timezone.localdate() + timedelta(days=45)
    outcomes = race(
        RACERS,
        lambda i: services.action_update(actor=line_manager, action=fresh(action), due_date=new_date, reason="Parts"),
    )
    assert outcomes.succeeded == RACERS  # the later ones find nothing left to change
    action.refresh_from_db()
    assert action.due_date == new_date
    assert history_codes(action) == ["actions.action.updated"]


def test_twenty_api_completions_answer_one_200_and_409s(action, owner):
    def step(i):
        client = APIClient()
        client.force_authenticate(owner)
        return client.post(f"/api/v1/actions/{action.pk}/complete/", {"evidence": f"by {i}"}, format="json")

    outcomes = race(RACERS, step)
    codes = sorted(response.status_code for response in outcomes.results)
    assert codes == [200] + [409] * (RACERS - 1)
    conflicts = [response.json() for response in outcomes.results if response.status_code == 409]
    assert all(body == {"detail": "This action is already done.", "code": "state_conflict"} for body in conflicts)
    assert history_codes(action) == ["actions.action.completed"]
