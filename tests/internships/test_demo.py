"""The demo holds the issue's "done when" for internships: a finished internship in the flotation
section with its daily log, contacts, host review, summary and actions, and its signals answered on
the unit's board; plus one in progress, one planned and the QR form's signals. Loading it twice
changes nothing."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from apps.accounts.models import User
from apps.actions.models import Action
from apps.internships import rules, selectors
from apps.internships.demo import FORM_SIGNALS
from apps.internships.length import proposal_for_unit
from apps.internships.models import Internship, InternshipContact, InternshipDay, Signal
from apps.org.models import StructuralUnit

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 22)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.combine(TODAY, time(8, 0), tzinfo=ZoneInfo("Asia/Yekaterinburg")))


@pytest.fixture
def demo(db):
    from apps.core.demo import load_demo_data

    return load_demo_data(today=TODAY)


def _counts():
    return tuple(model.objects.count() for model in (Internship, InternshipDay, InternshipContact, Signal, Action))


def test_loading_twice_changes_nothing(demo):
    from apps.core.demo import load_demo_data

    before = _counts()
    assert load_demo_data(today=TODAY) == demo
    assert _counts() == before
    assert demo["internships"] == 3


def test_a_finished_internship_in_the_flotation_section(demo):
    flotation = StructuralUnit.objects.get(code="flotation")
    internship = Internship.objects.get(unit=flotation, status=Internship.Status.FINISHED)
    assert internship.specialist.username == "specialist"
    assert internship.host_foreman.is_foreman and internship.host_foreman.unit == flotation
    assert internship.length_days == internship.proposed_days == proposal_for_unit(flotation).days == 3
    assert internship.proposal_reason == "10 people in 3 job titles: 3 days"
    assert internship.ends_on == TODAY - timedelta(days=21)
    assert internship.finished_at.date() == internship.ends_on
    days = list(selectors.internship_days(internship))
    assert [d.day for d in days] == [internship.starts_on + timedelta(days=n) for n in range(3)]
    assert all(
        d.morning_work_order and d.crew_roles and d.work_done and d.risks_seen and d.shift_handover for d in days
    )
    contacts = list(internship.contacts.all())
    assert 3 <= len(contacts) <= 4 and sum(c.is_safety_ambassador for c in contacts) == 1
    assert internship.host_view == Internship.HostView.CREW_MEMBER
    assert internship.summary and internship.instruction_changes
    actions = list(internship.actions.all())
    assert len(actions) == 2 and all(a.source_kind.code == "internship" for a in actions)


def test_its_signals_are_answered_on_the_board(demo):
    internship = Internship.objects.get(unit__code="flotation", status=Internship.Status.FINISHED)
    signals = list(internship.signals.all())
    assert 6 <= len(signals) <= 8
    statuses = [s.status for s in signals]
    assert statuses.count(Signal.Status.ANSWERED) == 5 and statuses.count(Signal.Status.IN_PROGRESS) == 1
    [waiting] = [s for s in signals if s.status == Signal.Status.NEW]
    assert waiting.is_overdue(TODAY) and waiting.escalated_on == waiting.recorded_on + timedelta(days=15)
    assert {s.response for s in signals if s.response} >= {"ppe_provided", "tool_replaced", "rule_changed", "explained"}
    board = list(selectors.board_for_unit(StructuralUnit.objects.get(code="concentrator")))
    answered = {s.paraphrase for s in signals if s.status == Signal.Status.ANSWERED}
    assert answered <= {row["paraphrase"] for row in board}
    # The demo's own rows (with the answered QR-form signal); the demo's year of history adds older ones.
    own = answered | {outcome[3] for _days, _kind, _text, outcome in FORM_SIGNALS if outcome}
    assert len([row for row in board if row["paraphrase"] in own]) == 6
    summary = selectors.board_summary(internship.unit)
    assert summary["heard"] == 7 and summary["answered"] == 5 and summary["answered_in_time"] == 4


def test_the_other_internships_and_the_form_signals(demo):
    running = Internship.objects.get(status=Internship.Status.IN_PROGRESS)
    assert running.specialist.username == "specialist2" and running.unit.code == "ug-crew-1"
    assert 1 <= running.days.count() <= 2
    planned = Internship.objects.get(status=Internship.Status.PLANNED)
    assert planned.starts_on > TODAY and planned.unit.code == "crushing"
    # The demo's own form signals: of the last weeks (the demo's year of history holds older ones).
    form = Signal.objects.filter(source=Signal.Source.WORKER_FORM, recorded_on__gte=TODAY - timedelta(days=30))
    assert form.count() == 3 and form.filter(status=Signal.Status.ANSWERED).count() == 1
    assert set(form.values_list("unit__code", flat=True)) == {"concentrator"}


def test_who_reads_the_demo_signals(demo):
    users = {u.username: u for u in User.objects.all()}
    heard = Signal.objects.select_related("internship").filter(source=Signal.Source.INTERNSHIP,
                                                               unit__code="flotation").first()  # fmt: skip
    assert rules.can_read_signal(users["specialist"], heard) and rules.can_read_signal(users["head"], heard)
    for name in ("specialist2", "manager", "executive", "admin", "passoffice"):
        assert not rules.can_read_signal(users[name], heard), name
