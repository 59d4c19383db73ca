"""Signals unanswered for more than 14 days are escalated to the HSE head: once per signal, one
message per head and day, never quoting a signal; safe to run twice; a few queries however many
signals there are."""

from datetime import date, timedelta

import pytest

from apps.accounts.roles import Role
from apps.internships import tasks
from apps.internships.models import Internship, Signal
from apps.internships.services import signals_escalate
from apps.notifications.models import OutboxMessage
from tests.factories import AnsweredSignalFactory, InternshipFactory, SignalFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)
KIND = OutboxMessage.Kind.SIGNAL_ESCALATION


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


@pytest.fixture
def internship(org, hse_specialist):
    return InternshipFactory(unit=org.crew, specialist=hse_specialist, status=Internship.Status.FINISHED)


def messages():
    return list(OutboxMessage.objects.filter(kind=KIND).order_by("recipient_id"))


def test_fourteen_days_is_not_escalated_fifteen_is(internship, hse_head):
    fourteen = SignalFactory(internship=internship, recorded_on=ago(14))
    fifteen = SignalFactory(internship=internship, recorded_on=ago(15), raw_text="Secret words of a worker")
    assert signals_escalate(today=TODAY) == 1
    fourteen.refresh_from_db()
    fifteen.refresh_from_db()
    assert fourteen.escalated_on is None and fifteen.escalated_on == TODAY
    assert fourteen.is_overdue(TODAY) is False and fifteen.is_overdue(TODAY) is True
    [message] = messages()
    assert message.recipient == hse_head
    assert message.dedupe_key == f"{KIND}:{hse_head.pk}:2026-06-15"
    assert message.subject == "1 signal has waited more than 14 days for a response"
    assert "Flotation crew: 1" in message.body
    assert "Secret words" not in message.subject + message.body
    assert message.url.endswith("?overdue=1")
    # The next day the fourteen-day-old one is fifteen: escalated then, in that day's message.
    assert signals_escalate(today=TODAY + timedelta(days=1)) == 1
    assert len(messages()) == 2


def test_answered_signals_are_never_escalated_taken_up_ones_are(internship, hse_head):
    AnsweredSignalFactory(internship=internship, recorded_on=ago(40), responded_on=ago(1))
    working = SignalFactory(internship=internship, recorded_on=ago(20), status=Signal.Status.IN_PROGRESS)
    assert signals_escalate(today=TODAY) == 1
    working.refresh_from_db()
    assert working.escalated_on == TODAY
    assert Signal.objects.filter(escalated_on__isnull=False).count() == 1


def test_a_second_run_the_same_day_adds_nothing(internship, hse_head):
    SignalFactory(internship=internship, recorded_on=ago(30))
    assert signals_escalate(today=TODAY) == 1
    assert signals_escalate(today=TODAY) == 0
    assert len(messages()) == 1
    # Escalated once: a later day does not escalate it again, nor message about it alone.
    assert signals_escalate(today=TODAY + timedelta(days=1)) == 0
    assert Signal.objects.get().escalated_on == TODAY
    assert len(messages()) == 1


def test_one_message_per_head_counting_all_overdue_signals(org, internship, hse_head, hse_specialist):
    second_head = UserFactory(role=Role.HSE_HEAD)
    UserFactory(role=Role.HSE_HEAD, is_active=False)
    SignalFactory(internship=internship, recorded_on=ago(40), escalated_on=ago(25))  # escalated before
    for _ in range(3):
        SignalFactory(internship=internship, recorded_on=ago(16))
    SignalFactory(internship=None, unit=org.other_shop, recorded_on=ago(15))
    assert signals_escalate(today=TODAY) == 4
    sent = messages()
    assert [m.recipient for m in sent] == sorted([hse_head, second_head], key=lambda user: user.pk)
    assert all(m.subject == "4 signals have waited more than 14 days for a response" for m in sent)
    assert "5 signals are overdue in all:" in sent[0].body
    assert "Flotation crew: 4" in sent[0].body and "Transport shop: 1" in sent[0].body
    assert not OutboxMessage.objects.filter(recipient=hse_specialist).exists()


def test_message_in_the_heads_language(internship, hse_head):
    hse_head.language = "ru"
    hse_head.save()
    SignalFactory(internship=internship, recorded_on=ago(15))
    signals_escalate(today=TODAY)
    [message] = messages()
    assert message.subject  # translated by the lead's catalogue; never the raw text
    assert message.dedupe_key.endswith(":2026-06-15")


def test_bounded_queries(org, internship, hse_head, django_assert_max_num_queries):
    SignalFactory(internship=internship, recorded_on=ago(20))
    # Savepoint, update, counts per unit, today's count, the heads, one insert, release: 7.
    with django_assert_max_num_queries(7) as few:
        signals_escalate(today=TODAY)
    Signal.objects.update(escalated_on=None)
    OutboxMessage.objects.all().delete()
    for _ in range(25):
        SignalFactory(internship=internship, recorded_on=ago(20))
        SignalFactory(internship=None, unit=org.other_shop, recorded_on=ago(30))
    UserFactory(role=Role.HSE_HEAD)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert signals_escalate(today=TODAY) == 51


def test_nothing_to_escalate_sends_nothing(internship, hse_head, django_assert_num_queries):
    SignalFactory(internship=internship, recorded_on=ago(3))
    with django_assert_num_queries(3):  # the update, inside its savepoint
        assert signals_escalate(today=TODAY) == 0
    assert messages() == []


def test_the_task_escalates_as_of_the_local_date(internship, hse_head, time_machine):
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    time_machine.move_to(datetime.combine(TODAY, time(7, 10), tzinfo=ZoneInfo("Asia/Yekaterinburg")))
    SignalFactory(internship=internship, recorded_on=ago(15))
    assert tasks.escalate_signals.name == "internships.escalate_signals"
    assert tasks.escalate_signals() == 1
    assert Signal.objects.get().escalated_on == TODAY
