"""Reads of the register: who sees which actions, the list filter's defaults and order, the tab
counts, the actions of a source record, and the choices lists."""

from datetime import date, timedelta

import pytest

from apps.accounts.roles import Role
from apps.actions import selectors
from apps.actions.models import Action
from tests.factories import ActionFactory, ObservationFactory, UserFactory

TODAY = date(2026, 11, 22)


class TestActionListForUser:
    def test_units_in_scope_own_actions_and_the_reports_actions(self, org, owner, line_manager, hse_specialist):
        in_scope = ActionFactory(unit=org.crew, owner=hse_specialist)
        far_own = ActionFactory(unit=org.other_shop, owner=line_manager)
        far_report = ActionFactory(unit=org.other_shop, owner=owner)  # owner reports to line_manager
        lonely = UserFactory(role=Role.LINE_MANAGER, units=[org.other_shop], line_manager=None)
        far_other = ActionFactory(unit=org.other_shop, owner=lonely)
        visible = set(selectors.action_list_for_user(line_manager))
        assert visible == {in_scope, far_own, far_report}
        assert far_other not in visible

    def test_enterprise_wide_roles_see_every_unit(self, org, owner, hse_head, executive):
        far = ActionFactory(unit=org.other_shop, owner=owner)
        assert far in selectors.action_list_for_user(hse_head)
        assert far in selectors.action_list_for_user(executive)

    def test_a_user_without_a_role_sees_nothing_not_even_their_own(self, org):
        roleless = UserFactory(role="")
        ActionFactory(unit=org.crew, owner=roleless)
        assert not selectors.action_list_for_user(roleless).exists()

    def test_anonymous_sees_nothing(self, org, owner):
        from django.contrib.auth.models import AnonymousUser

        ActionFactory(unit=org.crew, owner=owner)
        assert not selectors.action_list_for_user(AnonymousUser()).exists()


class TestActionFilter:
    @pytest.fixture
    def rows(self, org, owner, hse_head):
        return [
            ActionFactory(unit=org.crew, owner=owner, title="late", due_date=TODAY - timedelta(1)),
            ActionFactory(unit=org.crew, owner=hse_head, title="mine", due_date=TODAY, description="pump"),
            ActionFactory(unit=org.crew, owner=owner, title="done", status="done", control_level="ppe"),
        ]

    def test_defaults_filter_nothing(self, rows, hse_head):
        result = selectors.action_filter(Action.objects.all(), user=hse_head, today=TODAY)
        assert sorted(action.title for action in result) == ["done", "late", "mine"]

    def test_an_unknown_tab_filters_nothing(self, rows, hse_head):
        result = selectors.action_filter(Action.objects.all(), user=hse_head, today=TODAY, tab="other")
        assert result.count() == 3

    def test_order_open_first_by_due_date_then_done_then_closed(self, org, owner, hse_head):
        cancelled = ActionFactory(unit=org.crew, owner=owner, status="cancelled", cancel_reason="x",
                                  due_date=TODAY - timedelta(30))  # fmt: skip
        verified = ActionFactory(unit=org.crew, owner=owner, status="verified", verified_by=hse_head,
                                 due_date=TODAY - timedelta(20))  # fmt: skip
        done = ActionFactory(unit=org.crew, owner=owner, status="done", due_date=TODAY + timedelta(5))
        later = ActionFactory(unit=org.crew, owner=owner, due_date=TODAY + timedelta(2))
        sooner = ActionFactory(unit=org.crew, owner=owner, status="in_progress", due_date=TODAY + timedelta(1))
        result = list(selectors.action_filter(Action.objects.all(), user=hse_head, today=TODAY))
        assert result[:3] == [sooner, later, done]
        assert set(result[3:]) == {cancelled, verified}

    def test_same_due_date_is_ordered_by_id(self, org, owner, hse_head):
        first = ActionFactory(unit=org.crew, owner=owner, due_date=TODAY)
        second = ActionFactory(unit=org.crew, owner=owner, due_date=TODAY)
        Action.objects.filter(pk=first.pk).update(title="zzz")  # a later row update must not reorder
        result = list(selectors.action_filter(Action.objects.all(), user=hse_head, today=TODAY))
        assert result == [first, second]

    def test_overdue_is_open_and_before_today(self, rows, org, owner, hse_head):
        ActionFactory(unit=org.crew, owner=owner, title="done late", status="done", due_date=TODAY - timedelta(3))
        result = selectors.action_filter(Action.objects.all(), user=hse_head, today=TODAY, tab="overdue")
        assert [action.title for action in result] == ["late"]


class TestCounts:
    def test_every_count(self, org, owner, hse_head):
        ActionFactory(unit=org.crew, owner=hse_head, due_date=TODAY - timedelta(1))  # mine, open, overdue
        ActionFactory(unit=org.crew, owner=hse_head, due_date=TODAY, status="in_progress")  # mine, open, not late
        ActionFactory(unit=org.crew, owner=hse_head, status="done", due_date=TODAY - timedelta(5))  # mine, awaiting
        ActionFactory(unit=org.crew, owner=owner, due_date=TODAY - timedelta(2))  # open, overdue
        ActionFactory(unit=org.crew, owner=owner, due_date=TODAY + timedelta(2))  # open
        ActionFactory(unit=org.crew, owner=owner, status="done")  # awaiting verification
        ActionFactory(unit=org.crew, owner=owner, status="cancelled", cancel_reason="x", due_date=TODAY - timedelta(9))
        counts = selectors.action_counts_for_user(hse_head, today=TODAY)
        assert counts == {"mine_open": 2, "mine_overdue": 1, "open": 4, "overdue": 2, "awaiting_verification": 2}

    def test_counts_stay_in_the_users_scope(self, org, owner, hse_specialist):
        ActionFactory(unit=org.other_shop, owner=owner, due_date=TODAY - timedelta(1))
        ActionFactory(unit=org.crew, owner=owner, due_date=TODAY - timedelta(1))
        counts = selectors.action_counts_for_user(hse_specialist, today=TODAY)
        assert (counts["open"], counts["overdue"], counts["mine_open"]) == (1, 1, 0)

    def test_own_counts_are_live_and_the_others_kept_a_minute_per_user_and_day(self, org, owner, hse_head, monkeypatch):
        from django.core.cache import cache

        kept = []
        real_cached = selectors.cached
        monkeypatch.setattr(
            selectors, "cached", lambda key, compute, timeout: kept.append((key, timeout)) or real_cached(
                key, compute, timeout=timeout)
        )  # fmt: skip
        ActionFactory(unit=org.crew, owner=owner, due_date=TODAY + timedelta(2))
        first = selectors.action_counts_for_user(hse_head, today=TODAY)
        assert (first["open"], first["mine_open"]) == (1, 0)
        ActionFactory(unit=org.crew, owner=owner, due_date=TODAY - timedelta(1))  # someone else's work
        ActionFactory(unit=org.crew, owner=hse_head, due_date=TODAY - timedelta(1))  # my own
        again = selectors.action_counts_for_user(hse_head, today=TODAY)
        assert (again["open"], again["overdue"]) == (1, 0)  # kept
        assert (again["mine_open"], again["mine_overdue"]) == (1, 1)  # live
        assert selectors.action_counts_for_user(owner, today=TODAY)["open"] == 3  # another user: own entry
        assert selectors.action_counts_for_user(hse_head, today=TODAY + timedelta(1))["open"] == 3  # next day
        cache.clear()  # the minute is over
        assert selectors.action_counts_for_user(hse_head, today=TODAY)["open"] == 3
        assert kept[0] == (f"action-counts:{hse_head.pk}:2026-11-22", 60)


class TestActionsOf:
    def test_one_record_a_queryset_and_several_sources(self, org, owner, hse_head):
        first = ObservationFactory(unit=org.crew, observer=hse_head)
        second = ObservationFactory(unit=org.crew, observer=hse_head)
        third = ObservationFactory(unit=org.crew, observer=hse_head)
        a1 = ActionFactory(unit=org.crew, owner=owner, source_record=first, due_date=TODAY + timedelta(3))
        a2 = ActionFactory(unit=org.crew, owner=owner, source_record=second, due_date=TODAY + timedelta(1))
        a3 = ActionFactory(unit=org.crew, owner=owner, source_record=third, due_date=TODAY + timedelta(2))
        ActionFactory(unit=org.crew, owner=owner)  # opened by hand
        assert list(selectors.actions_of(first)) == [a1]
        from apps.observations.models import Observation

        both = Observation.objects.filter(pk__in=[first.pk, second.pk])
        assert list(selectors.actions_of(both)) == [a2, a1]  # by due date
        assert list(selectors.actions_of(first, third)) == [a3, a1]
        assert list(selectors.actions_of(both, third)) == [a2, a3, a1]
        assert list(selectors.actions_of(third, both)) == [a2, a3, a1]
        assert list(selectors.actions_of()) == []

    def test_same_due_date_is_ordered_by_id(self, org, owner, hse_head):
        observation = ObservationFactory(unit=org.crew, observer=hse_head)
        first = ActionFactory(unit=org.crew, owner=owner, source_record=observation, due_date=TODAY)
        second = ActionFactory(unit=org.crew, owner=owner, source_record=observation, due_date=TODAY)
        Action.objects.filter(pk=first.pk).update(title="zzz")  # moves the row; the order must not change
        assert list(selectors.actions_of(observation)) == [first, second]

    def test_the_same_id_of_another_model_is_not_confused(self, org, owner, hse_head):
        from django.contrib.contenttypes.models import ContentType

        observation = ObservationFactory(unit=org.crew, observer=hse_head)
        answer_type = ContentType.objects.get_by_natural_key("audits", "auditanswer")
        ActionFactory(unit=org.crew, owner=owner, source_type=answer_type, source_id=observation.pk)
        assert not selectors.actions_of(observation).exists()
        from apps.observations.models import Observation

        assert not selectors.actions_of(Observation.objects.filter(pk=observation.pk)).exists()

    def test_rows_come_with_owner_and_unit(self, org, owner, hse_head, django_assert_num_queries):
        observation = ObservationFactory(unit=org.crew, observer=hse_head)
        ActionFactory.create_batch(3, unit=org.crew, owner=owner, source_record=observation)
        rows = selectors.actions_of(observation)
        with django_assert_num_queries(1):
            assert [(str(row.owner), str(row.unit)) for row in rows] == [(str(owner), str(org.crew))] * 3


class TestChoices:
    def test_sources_are_the_registered_kinds_and_by_hand(self):
        choices = dict(selectors.source_choices())
        assert {"observation", "safety_audit", "investigation"} <= set(choices)
        assert list(dict(selectors.source_choices()))[-1] == "none"
        assert str(choices["none"]) == "Opened by hand"

    def test_owners_are_active_users_with_a_role_by_name(self, org):
        b_anna = UserFactory(last_name="Bolotov", first_name="Anna")
        a_boris = UserFactory(last_name="Abramov", first_name="Boris")
        a_anna = UserFactory(last_name="Abramov", first_name="Anna")
        UserFactory(last_name="Aaa", role="")
        UserFactory(last_name="Aab", is_active=False)
        owners = list(selectors.owner_choices())
        assert owners == [a_anna, a_boris, b_anna]
