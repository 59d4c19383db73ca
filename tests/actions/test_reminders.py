from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from apps.actions.models import Action
from apps.actions.reminders import action_reminders_plan
from apps.actions.tasks import plan_reminders
from apps.notifications.models import Notification, OutboxMessage
from apps.notifications.services import outbox_deliver_pending
from tests.factories import ActionFactory, UserFactory

SITE = ZoneInfo("Asia/Yekaterinburg")


@pytest.fixture
def settings_nmk(settings):
    settings.ACTIONS_DUE_SOON_DAYS = 3
    settings.ACTIONS_ESCALATE_MANAGER_AFTER_DAYS = 7
    settings.ACTIONS_ESCALATE_HEAD_AFTER_DAYS = 14
    return settings


def _actions(org, owner, today):
    def due(days):
        return date.fromordinal(today.toordinal() + days)

    return {
        "late_20": ActionFactory(unit=org.crew, owner=owner, title="Replace worn slings", due_date=due(-20)),
        "late_9": ActionFactory(unit=org.crew, owner=owner, title="Guard tail pulley", due_date=due(-9)),
        "late_1": ActionFactory(unit=org.crew, owner=owner, title="Mark walkway", due_date=due(-1)),
        "today": ActionFactory(unit=org.crew, owner=owner, title="Fix stair lighting", due_date=today),
        "soon": ActionFactory(unit=org.crew, owner=owner, title="Order gloves", due_date=due(3)),
        "later": ActionFactory(unit=org.crew, owner=owner, title="Paint floor", due_date=due(4)),
        "done": ActionFactory(unit=org.crew, owner=owner, title="Closed one", due_date=due(-30), status="done"),
    }


def test_digest_lists_overdue_today_and_soon_once_per_person(settings_nmk, org, owner, line_manager, hse_head):
    today = date(2026, 11, 22)
    _actions(org, owner, today)
    with time_machine.travel(datetime(2026, 11, 22, 7, 0, tzinfo=SITE), tick=False):
        run = action_reminders_plan(today=timezone.localdate())
    assert (run.digests, run.manager_escalations, run.head_escalations) == (1, 1, 1)
    digest = OutboxMessage.objects.get(kind="actions_digest")
    assert digest.recipient == owner
    assert digest.subject == "HSE Portal: 3 overdue actions"
    assert "Replace worn slings" in digest.body and "20 days late" in digest.body
    assert "Due today:\n- A-" in digest.body and "Fix stair lighting" in digest.body
    assert "Order gloves" in digest.body
    assert "Paint floor" not in digest.body  # 4 days ahead is beyond N = 3
    assert "Closed one" not in digest.body
    escalation = OutboxMessage.objects.get(kind="escalation_manager")
    assert escalation.recipient == line_manager
    assert "Replace worn slings" in escalation.body and "Guard tail pulley" in escalation.body
    assert "Mark walkway" not in escalation.body
    to_head = OutboxMessage.objects.get(kind="escalation_head")
    assert to_head.recipient == hse_head
    assert "Replace worn slings" in to_head.body and "Guard tail pulley" not in to_head.body


def test_escalation_level_is_recorded_on_the_action(settings_nmk, org, owner, line_manager, hse_head):
    today = date(2026, 11, 22)
    actions = _actions(org, owner, today)
    action_reminders_plan(today=today)
    levels = dict(Action.objects.values_list("title", "escalation"))
    assert levels[actions["late_20"].title] == Action.Escalation.HSE_HEAD
    assert levels[actions["late_9"].title] == Action.Escalation.MANAGER
    assert levels[actions["late_1"].title] == Action.Escalation.NONE


def test_the_digest_follows_time(settings_nmk, org, owner, line_manager):
    """Travel forward: the action due soon becomes due today, then overdue, then escalated."""
    ActionFactory(unit=org.crew, owner=owner, title="Order gloves", due_date=date(2026, 11, 24))
    for day, expected in [
        (date(2026, 11, 22), "Due soon:"),
        (date(2026, 11, 24), "Due today:"),
        (date(2026, 11, 25), "1 day late"),
    ]:
        with time_machine.travel(datetime(day.year, day.month, day.day, 7, tzinfo=SITE), tick=False):
            action_reminders_plan(today=timezone.localdate())
        assert expected in OutboxMessage.objects.get(dedupe_key=f"actions_digest:{owner.pk}:{day}").body
    with time_machine.travel(datetime(2026, 12, 2, 7, tzinfo=SITE), tick=False):
        run = action_reminders_plan(today=timezone.localdate())
    assert run.manager_escalations == 1


def test_running_twice_the_same_day_sends_nothing_new(settings_nmk, org, owner, line_manager, hse_head):
    _actions(org, owner, date(2026, 11, 22))
    with time_machine.travel(datetime(2026, 11, 22, 7, tzinfo=SITE), tick=False):
        plan_reminders()
        delivered = outbox_deliver_pending()
        assert delivered == 3
        first_mail = len(mail.outbox)
        plan_reminders()
        assert outbox_deliver_pending() == 0
    assert len(mail.outbox) == first_mail == 3
    assert Notification.objects.count() == 3
    assert OutboxMessage.objects.count() == 3


def test_the_digest_is_in_the_owners_language(settings_nmk, org, line_manager):
    russian = UserFactory(role="line_manager", language="ru", line_manager=line_manager, first_name="Иван")
    ActionFactory(unit=org.crew, owner=russian, due_date=date(2026, 11, 20))
    action_reminders_plan(today=date(2026, 11, 22))
    digest = OutboxMessage.objects.get(recipient=russian)
    assert "просрочено" in digest.subject.lower() or "просроч" in digest.body.lower()


def test_owner_without_a_manager_escalates_to_the_hse_head(settings_nmk, org, hse_head):
    lonely = UserFactory(role="line_manager", line_manager=None)
    ActionFactory(unit=org.crew, owner=lonely, title="Nobody above me", due_date=date(2026, 11, 10))
    action_reminders_plan(today=date(2026, 11, 22))
    assert "Nobody above me" in OutboxMessage.objects.get(kind="escalation_head", recipient=hse_head).body


def test_query_count_does_not_grow_with_actions(
    settings_nmk, org, owner, line_manager, hse_head, django_assert_max_num_queries
):
    for index in range(5):
        ActionFactory(unit=org.crew, owner=owner, due_date=date(2026, 11, 1 + index))
    with django_assert_max_num_queries(30) as few:
        action_reminders_plan(today=date(2026, 11, 22))
    OutboxMessage.objects.all().delete()
    for index in range(60):
        ActionFactory(unit=org.crew, owner=owner, due_date=date(2026, 11, 1 + index % 20))
    with django_assert_max_num_queries(len(few.captured_queries)):
        action_reminders_plan(today=date(2026, 11, 23))


def test_failed_mail_stays_in_the_outbox_and_is_retried(settings_nmk, org, owner, line_manager, monkeypatch):
    ActionFactory(unit=org.crew, owner=owner, due_date=date(2026, 11, 20))
    action_reminders_plan(today=date(2026, 11, 22))

    def smtp_down(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr("apps.notifications.services._Mail.begin", smtp_down)
    assert outbox_deliver_pending() == 0
    message = OutboxMessage.objects.get(kind="actions_digest")
    assert (message.sent_at, message.attempts, message.last_error) == (None, 1, "connection refused")
    assert not Notification.objects.exists()
    monkeypatch.undo()
    assert outbox_deliver_pending() == 1
    assert Notification.objects.get().recipient == owner


def test_demo_data_overdue_actions_produce_digest_and_escalation(db, settings_nmk):
    from apps.accounts.models import User
    from apps.core.demo import load_demo_data

    load_demo_data(today=date(2026, 11, 22))
    plan_reminders_today = action_reminders_plan(today=date(2026, 11, 22))
    assert plan_reminders_today.digests >= 1
    manager = User.objects.get(username="manager")
    digest = OutboxMessage.objects.get(kind="actions_digest", recipient=manager)
    assert "Fit interlocked guard on conveyor C-3 tail pulley" in digest.body
    escalation = OutboxMessage.objects.get(kind="escalation_manager", recipient=manager.line_manager)
    assert "Fit interlocked guard on conveyor C-3 tail pulley" in escalation.body
