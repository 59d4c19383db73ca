"""The reminder run's boundaries, each tested on both sides (README, "Settings"):

- due soon: due within N days (`ACTIONS_DUE_SOON_DAYS`): at N listed, at N+1 not;
- escalation to the owner's line manager: overdue *more than* M days
  (`ACTIONS_ESCALATE_MANAGER_AFTER_DAYS`): at M days late not escalated, at M+1 escalated;
- escalation to the HSE head: overdue more than K days (`ACTIONS_ESCALATE_HEAD_AFTER_DAYS`);
- a new owner or a new due date resets the escalation;
- the outbox gives up on a message after `OUTBOX_MAX_ATTEMPTS` failed deliveries.
"""

from datetime import date, timedelta

import pytest
from django.utils.formats import date_format

from apps.actions import services
from apps.actions.models import Action
from apps.actions.reminders import MAX_LINES, action_reminders_plan
from apps.notifications.models import OutboxMessage
from apps.notifications.services import outbox_deliver_pending
from tests.factories import ActionFactory, UserFactory

TODAY = date(2026, 11, 22)
N, M, K = 3, 7, 14


@pytest.fixture(autouse=True)
def rule_settings(settings):
    settings.ACTIONS_DUE_SOON_DAYS = N
    settings.ACTIONS_ESCALATE_MANAGER_AFTER_DAYS = M
    settings.ACTIONS_ESCALATE_HEAD_AFTER_DAYS = K
    settings.OUTBOX_MAX_ATTEMPTS = 4
    return settings


def due(days_from_today: int) -> date:
    return TODAY + timedelta(days=days_from_today)


def digest_of(user):
    return OutboxMessage.objects.get(kind=OutboxMessage.Kind.ACTIONS_DIGEST, recipient=user)


def escalations(kind):
    return {message.recipient_id: message.body for message in OutboxMessage.objects.filter(kind=kind)}


class TestDueSoon:
    def test_due_in_n_days_is_in_the_digest_n_plus_one_is_not(self, org, owner):
        ActionFactory(unit=org.crew, owner=owner, title="At N", due_date=due(N))
        ActionFactory(unit=org.crew, owner=owner, title="At N plus one", due_date=due(N + 1))
        run = action_reminders_plan(today=TODAY)
        body = digest_of(owner).body
        assert "At N" in body and "At N plus one" not in body
        assert "Due soon:" in body
        assert run.actions_seen == 1

    def test_nothing_due_within_n_days_sends_no_digest(self, org, owner):
        ActionFactory(unit=org.crew, owner=owner, due_date=due(N + 1))
        run = action_reminders_plan(today=TODAY)
        assert run.digests == 0 and not OutboxMessage.objects.exists()

    def test_due_today_and_one_day_late(self, org, owner):
        ActionFactory(unit=org.crew, owner=owner, title="Today one", due_date=TODAY)
        ActionFactory(unit=org.crew, owner=owner, title="Late one", due_date=due(-1))
        body = digest_of(owner).body if action_reminders_plan(today=TODAY).digests else ""
        today_part = body[body.index("Due today:") :]
        assert "Today one" in today_part and "Late one" not in today_part
        assert "1 day late" in body

    def test_closed_actions_are_never_reminded(self, org, owner, hse_head):
        for status in ("done", "verified", "cancelled"):
            ActionFactory(unit=org.crew, owner=owner, status=status, due_date=due(-30), cancel_reason="x",
                          verified_by=hse_head)  # fmt: skip
        run = action_reminders_plan(today=TODAY)
        assert (run.actions_seen, run.digests, run.manager_escalations, run.head_escalations) == (0, 0, 0, 0)

    def test_in_progress_actions_are_reminded(self, org, owner):
        ActionFactory(unit=org.crew, owner=owner, title="Started", status="in_progress", due_date=due(-1))
        action_reminders_plan(today=TODAY)
        assert "Started" in digest_of(owner).body

    def test_inactive_owners_get_no_digest(self, org, line_manager):
        gone = UserFactory(role="line_manager", is_active=False, line_manager=line_manager)
        ActionFactory(unit=org.crew, owner=gone, due_date=due(-1))
        assert action_reminders_plan(today=TODAY).digests == 0


class TestManagerEscalation:
    def test_m_days_late_is_not_escalated_m_plus_one_is(self, org, owner, line_manager):
        at_m = ActionFactory(unit=org.crew, owner=owner, title="Late M", due_date=due(-M))
        past_m = ActionFactory(unit=org.crew, owner=owner, title="Late M plus one", due_date=due(-(M + 1)))
        run = action_reminders_plan(today=TODAY)
        assert run.manager_escalations == 1
        body = escalations(OutboxMessage.Kind.ESCALATION_MANAGER)[line_manager.pk]
        assert f"A-{past_m.pk} Late M plus one" in body and f"A-{at_m.pk} " not in body
        at_m.refresh_from_db()
        past_m.refresh_from_db()
        assert (at_m.escalation, at_m.escalated_at) == (Action.Escalation.NONE, None)
        assert past_m.escalation == Action.Escalation.MANAGER and past_m.escalated_at is not None

    def test_exactly_m_days_late_alone_escalates_nothing(self, org, owner, line_manager):
        ActionFactory(unit=org.crew, owner=owner, due_date=due(-M))
        run = action_reminders_plan(today=TODAY)
        assert (run.digests, run.manager_escalations, run.head_escalations) == (1, 0, 0)

    def test_an_inactive_manager_is_not_written_to(self, org, line_manager):
        line_manager.is_active = False
        line_manager.save()
        owner = UserFactory(role="line_manager", line_manager=line_manager)
        ActionFactory(unit=org.crew, owner=owner, due_date=due(-(M + 1)))
        assert action_reminders_plan(today=TODAY).manager_escalations == 0

    def test_an_escalation_message_lists_the_owner_and_counts(self, org, owner, line_manager):
        ActionFactory.create_batch(MAX_LINES + 2, unit=org.crew, owner=owner, due_date=due(-(M + 1)))
        action_reminders_plan(today=TODAY)
        message = OutboxMessage.objects.get(kind=OutboxMessage.Kind.ESCALATION_MANAGER)
        assert str(owner) in message.body
        assert message.url == "/actions/?tab=overdue"
        assert message.dedupe_key == f"escalation_manager:{line_manager.pk}:{TODAY.isoformat()}"
        assert "… and 2 more" in message.body
        assert message.subject == f"HSE Portal: {MAX_LINES + 2} actions overdue for more than {M} days"


class TestHeadEscalation:
    def test_k_days_late_is_not_escalated_to_the_head_k_plus_one_is(self, org, owner, line_manager, hse_head):
        at_k = ActionFactory(unit=org.crew, owner=owner, title="Late K", due_date=due(-K))
        past_k = ActionFactory(unit=org.crew, owner=owner, title="Late K plus one", due_date=due(-(K + 1)))
        run = action_reminders_plan(today=TODAY)
        assert run.head_escalations == 1
        body = escalations(OutboxMessage.Kind.ESCALATION_HEAD)[hse_head.pk]
        assert f"A-{past_k.pk}" in body and f"A-{at_k.pk}" not in body
        head_message = OutboxMessage.objects.get(kind=OutboxMessage.Kind.ESCALATION_HEAD)
        assert head_message.subject == f"HSE Portal: 1 action overdue for more than {K} days"
        assert "long overdue across the enterprise" in head_message.body
        manager_body = escalations(OutboxMessage.Kind.ESCALATION_MANAGER)[line_manager.pk]
        assert f"A-{past_k.pk}" in manager_body and f"A-{at_k.pk}" in manager_body  # both past M
        at_k.refresh_from_db()
        past_k.refresh_from_db()
        assert (at_k.escalation, past_k.escalation) == (Action.Escalation.MANAGER, Action.Escalation.HSE_HEAD)

    def test_exactly_k_days_late_goes_to_the_manager_only(self, org, owner, line_manager, hse_head):
        ActionFactory(unit=org.crew, owner=owner, due_date=due(-K))
        run = action_reminders_plan(today=TODAY)
        assert (run.manager_escalations, run.head_escalations) == (1, 0)

    def test_every_active_hse_head_hears_and_no_one_else(self, org, owner, line_manager, hse_head, hse_specialist):
        second_head = UserFactory(role="hse_head")
        UserFactory(role="hse_head", is_active=False)
        ActionFactory(unit=org.crew, owner=owner, due_date=due(-(K + 1)))
        run = action_reminders_plan(today=TODAY)
        assert run.head_escalations == 2
        assert set(escalations(OutboxMessage.Kind.ESCALATION_HEAD)) == {hse_head.pk, second_head.pk}

    def test_without_a_manager_the_head_hears_after_m_days(self, org, hse_head):
        lonely = UserFactory(role="line_manager", line_manager=None)
        at_m = ActionFactory(unit=org.crew, owner=lonely, due_date=due(-M))
        past_m = ActionFactory(unit=org.crew, owner=lonely, due_date=due(-(M + 1)))
        run = action_reminders_plan(today=TODAY)
        assert (run.manager_escalations, run.head_escalations) == (0, 1)
        body = escalations(OutboxMessage.Kind.ESCALATION_HEAD)[hse_head.pk]
        assert f"A-{past_m.pk}" in body and f"A-{at_m.pk}" not in body

    def test_an_action_past_k_without_a_manager_is_listed_once(self, org, hse_head):
        lonely = UserFactory(role="line_manager", line_manager=None)
        action = ActionFactory(unit=org.crew, owner=lonely, due_date=due(-(K + 1)))
        action_reminders_plan(today=TODAY)
        assert escalations(OutboxMessage.Kind.ESCALATION_HEAD)[hse_head.pk].count(f"A-{action.pk}") == 1


class TestEscalationLevel:
    def test_a_higher_level_is_never_lowered_and_its_time_is_kept(self, org, owner, line_manager, hse_head):
        action = ActionFactory(unit=org.crew, owner=owner, due_date=due(-(K + 1)))
        action_reminders_plan(today=TODAY)
        action.refresh_from_db()
        first, action_time = action.escalation, action.escalated_at
        action_reminders_plan(today=TODAY + timedelta(days=1))
        action.refresh_from_db()
        assert (first, action.escalation, action.escalated_at) == (
            Action.Escalation.HSE_HEAD,
            Action.Escalation.HSE_HEAD,
            action_time,
        )

    def test_manager_level_rises_to_the_head_when_k_is_passed(self, org, owner, line_manager, hse_head):
        action = ActionFactory(unit=org.crew, owner=owner, due_date=due(-K))
        action_reminders_plan(today=TODAY)
        action.refresh_from_db()
        assert action.escalation == Action.Escalation.MANAGER
        action_reminders_plan(today=TODAY + timedelta(days=1))
        action.refresh_from_db()
        assert action.escalation == Action.Escalation.HSE_HEAD

    def test_a_manager_level_action_is_not_stamped_again(self, org, owner, line_manager):
        action = ActionFactory(unit=org.crew, owner=owner, due_date=due(-(M + 1)))
        action_reminders_plan(today=TODAY)
        action.refresh_from_db()
        stamped = action.escalated_at
        action_reminders_plan(today=TODAY + timedelta(days=1))
        action.refresh_from_db()
        assert (action.escalation, action.escalated_at) == (Action.Escalation.MANAGER, stamped)


class TestReassignmentResetsTheEscalation:
    @pytest.fixture
    def escalated(self, org, owner, line_manager, hse_head):
        action = ActionFactory(unit=org.crew, owner=owner, due_date=due(-(K + 1)))
        action_reminders_plan(today=TODAY)
        action.refresh_from_db()
        assert action.escalation == Action.Escalation.HSE_HEAD
        return action

    def test_a_new_due_date_resets_it_and_stops_the_escalations(self, escalated, line_manager):
        services.action_update(
            actor=line_manager, action=escalated, due_date=due(N + 1), reason="Parts ordered", today=TODAY
        )
        escalated.refresh_from_db()
        assert (escalated.escalation, escalated.escalated_at) == (Action.Escalation.NONE, None)
        OutboxMessage.objects.all().delete()
        run = action_reminders_plan(today=TODAY)
        assert (run.digests, run.manager_escalations, run.head_escalations) == (0, 0, 0)
        escalated.refresh_from_db()
        assert escalated.escalation == Action.Escalation.NONE

    def test_a_new_owner_resets_it_and_the_new_owners_manager_is_told(self, escalated, org, hse_specialist, hse_head):
        boss = UserFactory(role="line_manager", username="boss")
        new_owner = UserFactory(role="line_manager", username="new-owner", line_manager=boss)
        services.action_update(actor=hse_specialist, action=escalated, owner=new_owner)
        escalated.refresh_from_db()
        assert (escalated.escalation, escalated.escalated_at) == (Action.Escalation.NONE, None)
        OutboxMessage.objects.all().delete()
        action_reminders_plan(today=TODAY + timedelta(days=1))
        assert set(escalations(OutboxMessage.Kind.ESCALATION_MANAGER)) == {boss.pk}
        escalated.refresh_from_db()
        assert escalated.escalation == Action.Escalation.HSE_HEAD  # still long overdue: escalated again


class TestOutboxAttemptCap:
    def _message(self, owner, attempts):
        return OutboxMessage.objects.create(
            recipient=owner, kind="actions_digest", dedupe_key=f"k{attempts}", subject="s", body="b", attempts=attempts
        )

    def test_a_message_below_the_cap_is_retried_at_the_cap_it_is_left(self, settings, owner):
        cap = settings.OUTBOX_MAX_ATTEMPTS
        below = self._message(owner, cap - 1)
        at_cap = self._message(owner, cap)
        assert outbox_deliver_pending() == 1
        below.refresh_from_db()
        at_cap.refresh_from_db()
        assert below.sent_at is not None and below.attempts == cap
        assert at_cap.sent_at is None and at_cap.attempts == cap

    def test_failures_count_up_to_the_cap_then_stop(self, settings, owner, monkeypatch):
        def smtp_down(*args, **kwargs):
            raise OSError("connection refused")

        monkeypatch.setattr("apps.notifications.services._Mail.begin", smtp_down)
        message = self._message(owner, 0)
        for _ in range(settings.OUTBOX_MAX_ATTEMPTS + 2):
            outbox_deliver_pending()
        message.refresh_from_db()
        assert (message.attempts, message.sent_at) == (settings.OUTBOX_MAX_ATTEMPTS, None)


class TestDigestContent:
    def test_lines_are_oldest_first_with_unit_and_date_and_a_link_to_my_actions(self, org, owner):
        newer = ActionFactory(unit=org.crew, owner=owner, title="Newer", due_date=due(-2))
        older = ActionFactory(unit=org.crew, owner=owner, title="Older", due_date=due(-5))
        soon = ActionFactory(unit=org.crew, owner=owner, title="Soon", due_date=due(2))
        run = action_reminders_plan(today=TODAY)
        message = digest_of(owner)
        body = message.body
        assert body.index(f"A-{older.pk} Older") < body.index(f"A-{newer.pk} Newer")
        assert f"A-{older.pk} Older (Flotation crew) — 5 days late" in body
        assert f"A-{soon.pk} Soon (Flotation crew) — {date_format(due(2), 'SHORT_DATE_FORMAT')}" in body
        assert message.url == "/actions/?tab=mine"
        assert message.dedupe_key == f"actions_digest:{owner.pk}:{TODAY.isoformat()}"
        assert (run.actions_seen, run.digests, run.messages_new) == (3, 1, 1)

    @pytest.mark.parametrize(("days", "section"), [(-1, "Overdue"), (0, "Due today"), (1, "Due soon")])
    def test_a_long_section_ends_with_a_count(self, org, owner, days, section):
        ActionFactory.create_batch(MAX_LINES + 3, unit=org.crew, owner=owner, due_date=due(days))
        action_reminders_plan(today=TODAY)
        body = digest_of(owner).body
        assert f"{section}:" in body
        assert body.count("\n- A-") + body.startswith("- A-") == MAX_LINES
        assert "… and 3 more" in body

    @pytest.mark.parametrize("days", [-1, 0, 1])
    def test_a_full_section_has_no_count(self, org, owner, days):
        ActionFactory.create_batch(MAX_LINES, unit=org.crew, owner=owner, due_date=due(days))
        action_reminders_plan(today=TODAY)
        assert "more" not in digest_of(owner).body

    def test_every_owner_gets_one_even_after_an_inactive_one(self, org, line_manager):
        gone = UserFactory(role="line_manager", is_active=False)  # the lower id: listed first
        first = UserFactory(role="line_manager")
        second = UserFactory(role="line_manager")
        for person in (gone, first, second):
            ActionFactory(unit=org.crew, owner=person, due_date=due(-1))
        run = action_reminders_plan(today=TODAY)
        assert run.digests == 2
        assert set(OutboxMessage.objects.values_list("recipient_id", flat=True)) == {first.pk, second.pk}

    def test_a_second_run_the_same_day_reports_nothing_new(self, org, owner, line_manager, hse_head):
        ActionFactory(unit=org.crew, owner=owner, due_date=due(-(K + 1)))
        assert action_reminders_plan(today=TODAY).messages_new == 3
        again = action_reminders_plan(today=TODAY)
        assert (again.digests, again.messages_new) == (1, 0)
        assert OutboxMessage.objects.count() == 3


class TestEscalationContent:
    def test_each_manager_hears_of_their_own_reports(self, org, line_manager):
        gone_manager = UserFactory(role="line_manager", is_active=False)
        other_manager = UserFactory(role="line_manager")
        for manager in (gone_manager, line_manager, other_manager):
            report = UserFactory(role="line_manager", line_manager=manager)
            ActionFactory(unit=org.crew, owner=report, title=f"Late of {manager.pk}", due_date=due(-(M + 1)))
        run = action_reminders_plan(today=TODAY)
        assert run.manager_escalations == 2
        bodies = escalations(OutboxMessage.Kind.ESCALATION_MANAGER)
        assert set(bodies) == {line_manager.pk, other_manager.pk}
        assert f"Late of {line_manager.pk}" in bodies[line_manager.pk]
        assert f"Late of {other_manager.pk}" not in bodies[line_manager.pk]
        assert "These actions of people reporting to you are overdue:" in bodies[line_manager.pk]
        assert "… and" not in bodies[line_manager.pk]
        message = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.ESCALATION_MANAGER).first()
        assert message.subject == f"HSE Portal: 1 action overdue for more than {M} days"

    def test_a_managers_list_is_grouped_by_owner(self, org, line_manager):
        first = UserFactory(role="line_manager", line_manager=line_manager)
        second = UserFactory(role="line_manager", line_manager=line_manager)
        of_first = ActionFactory(unit=org.crew, owner=first, due_date=due(-(M + 1)))
        of_second = ActionFactory(unit=org.crew, owner=second, due_date=due(-(M + 5)))
        action_reminders_plan(today=TODAY)
        body = escalations(OutboxMessage.Kind.ESCALATION_MANAGER)[line_manager.pk]
        assert body.index(f"A-{of_first.pk} ") < body.index(f"A-{of_second.pk} ")

    def test_the_same_due_date_is_listed_by_reference(self, org, owner):
        first = ActionFactory(unit=org.crew, owner=owner, due_date=due(-1))
        second = ActionFactory(unit=org.crew, owner=owner, due_date=due(-1))
        Action.objects.filter(pk=first.pk).update(title="Moved row")  # the row moves; the order must not
        action_reminders_plan(today=TODAY)
        body = digest_of(owner).body
        assert body.index(f"A-{first.pk} ") < body.index(f"A-{second.pk} ")

    def test_the_head_escalation_is_stamped_with_the_time(self, org, owner, line_manager, hse_head):
        action = ActionFactory(unit=org.crew, owner=owner, due_date=due(-(K + 1)))
        action_reminders_plan(today=TODAY)
        action.refresh_from_db()
        assert action.escalation == Action.Escalation.HSE_HEAD and action.escalated_at is not None
