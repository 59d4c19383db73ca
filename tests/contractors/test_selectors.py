"""Scoped reads of contractors and passes, and the pass office's day: passes running out within
EXPIRY_WARNING_DAYS (7 days ahead listed, 8 not), passes blocked today, today's refusals."""

from datetime import timedelta

import pytest

from apps.contractors import selectors, services
from apps.contractors.models import GateCheck
from tests.contractors import rows
from tests.contractors.rows import TODAY, day
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(rows.at(TODAY, 10))


@pytest.fixture
def passes(org, pass_admin):
    """A pass opening the crew (under the main shop), one opening the shop and the other site's
    shop, and one opening only the other site's shop."""
    firm = rows.company()
    crew = rows.access_pass(rows.worker(firm, "Crew C."), zones=[org.crew], issued_by=pass_admin)
    both = rows.access_pass(rows.worker(firm, "Both B."), zones=[org.shop, org.crew, org.other_shop],
                            issued_by=pass_admin)  # fmt: skip
    away = rows.access_pass(rows.worker(firm, "Away A."), zones=[org.other_shop], issued_by=pass_admin)
    return {"crew": crew, "both": both, "away": away}


class TestPassList:
    @pytest.mark.parametrize("name", ["pass_admin", "hse_head", "executive", "system_admin"])
    def test_enterprise_wide_roles_see_every_pass(self, passes, persona, name):
        assert set(selectors.pass_list_for_user(persona(name))) == set(passes.values())

    def test_an_hse_specialist_sees_the_passes_opening_one_of_their_units_once_each(self, passes, hse_specialist):
        listed = list(selectors.pass_list_for_user(hse_specialist))
        assert sorted(p.pk for p in listed) == sorted([passes["crew"].pk, passes["both"].pk])

    def test_the_outsider_sees_the_other_sites_passes(self, passes, outsider):
        assert {p.pk for p in selectors.pass_list_for_user(outsider)} == {passes["both"].pk, passes["away"].pk}

    def test_a_line_manager_reads_no_passes(self, passes, line_manager):
        assert not selectors.pass_list_for_user(line_manager).exists()

    def test_newest_first_with_holder_and_company_in_one_query(self, passes, hse_head, django_assert_num_queries):
        with django_assert_num_queries(1):
            listed = list(selectors.pass_list_for_user(hse_head))
            names = [(p.holder.full_name, p.company.name) for p in listed]
        assert [p.pk for p in listed] == [passes["away"].pk, passes["both"].pk, passes["crew"].pk]
        assert names[0] == ("Away A.", "Stroymontazh LLC")

    def test_search_by_number_start_holder_or_company(self, org, passes, hse_head, pass_admin):
        other = rows.access_pass(rows.worker(rows.company("Uralmash Service"), "Sokolov S."), zones=[org.crew],
                                 issued_by=pass_admin, number="P-777001")  # fmt: skip
        everyone = selectors.pass_list_for_user(hse_head)
        assert list(selectors.pass_search(everyone, "p-777")) == [other]
        assert list(selectors.pass_search(everyone, "777")) == []  # the number's start, not its middle
        assert list(selectors.pass_search(everyone, "sokol")) == [other]
        assert list(selectors.pass_search(everyone, "uralmash")) == [other]
        assert selectors.pass_search(everyone, "  ").count() == 4


class TestOtherLists:
    def test_companies_and_workers_are_enterprise_wide(self, org, passes, outsider, line_manager):
        for user in (outsider, line_manager):
            assert selectors.company_list_for_user(user).count() == 1
            assert selectors.worker_list_for_user(user).count() == 3

    def test_a_user_without_a_role_sees_nothing(self, org, passes):
        nobody = UserFactory(username="nobody", role="")
        assert not selectors.company_list_for_user(nobody).exists()
        assert not selectors.worker_list_for_user(nobody).exists()
        assert not selectors.work_order_list_for_user(nobody).exists()
        assert not selectors.pass_list_for_user(nobody).exists()

    def test_work_orders_are_scoped_by_their_unit(self, org, hse_specialist, outsider, hse_head, line_manager):
        firm = rows.company()
        here = rows.work_order(firm, org.crew, line_manager)
        there = rows.work_order(firm, org.other_shop, line_manager)
        assert list(selectors.work_order_list_for_user(hse_specialist)) == [here]
        assert list(selectors.work_order_list_for_user(line_manager)) == [here]
        assert list(selectors.work_order_list_for_user(outsider)) == [there]
        assert set(selectors.work_order_list_for_user(hse_head)) == {here, there}

    def test_a_passs_history_and_checks_newest_first(self, org, pass_admin, hse_head, line_manager, time_machine):
        world = rows.build_world(org, pass_admin=pass_admin, responsible=line_manager)
        time_machine.shift(timedelta(minutes=5))
        services.pass_block(actor=hse_head, access_pass=world.access_pass, reason="Violation")
        assert [e.action for e in selectors.pass_history(world.access_pass)] == [
            "contractors.pass.blocked",
            "contractors.pass.issued",
        ]
        for _ in range(3):
            time_machine.shift(timedelta(minutes=1))
            services.gate_check(actor=pass_admin, number=world.access_pass.number)
        checks = list(selectors.pass_checks(world.access_pass, limit=2))
        assert len(checks) == 2 and checks[0].checked_at > checks[1].checked_at


class TestPassOfficeDay:
    def test_passes_running_out_within_seven_days_are_listed_eight_not(self, org, pass_admin):
        assert selectors.EXPIRY_WARNING_DAYS == 7
        holder = rows.worker(rows.company())
        ending = {
            offset: rows.access_pass(holder, zones=[org.crew], issued_by=pass_admin, valid_until=day(offset))
            for offset in (-1, 0, 1, 7, 8)
        }
        suspended = rows.access_pass(holder, zones=[org.crew], issued_by=pass_admin, valid_until=day(3),
                                     status="suspended")  # fmt: skip
        result = selectors.pass_office_day(pass_admin, today=TODAY)
        assert [p.pk for p in result["expiring"]] == [ending[0].pk, ending[1].pk, ending[7].pk]
        assert suspended.pk not in {p.pk for p in result["expiring"]}
        assert result["week_end"] == day(7)

    def test_passes_blocked_today_with_their_reason(self, org, pass_admin, hse_head, time_machine):
        holder = rows.worker(rows.company())
        yesterday = rows.access_pass(holder, zones=[org.crew], issued_by=pass_admin, status="blocked",
                                     reason="Old violation", status_changed_at=rows.at(day(-1), 23, 59))  # fmt: skip
        this_morning = rows.access_pass(holder, zones=[org.crew], issued_by=pass_admin)
        time_machine.move_to(rows.at(TODAY, 0, 1))
        services.pass_block(actor=hse_head, access_pass=this_morning, reason="Critical violation")
        result = selectors.pass_office_day(pass_admin, today=TODAY)
        assert [(p.pk, p.status_reason) for p in result["blocked_today"]] == [(this_morning.pk, "Critical violation")]
        assert yesterday.pk not in {p.pk for p in result["blocked_today"]}
        assert result["counts"] == {"active": 0, "blocked": 2, "suspended": 0}

    def test_todays_refusals_at_the_gates(self, org, pass_admin, time_machine):
        holder = rows.worker(rows.company())
        good = rows.access_pass(holder, zones=[org.crew], issued_by=pass_admin)
        blocked = rows.access_pass(holder, zones=[org.crew], issued_by=pass_admin, status="blocked")
        time_machine.move_to(rows.at(day(-1), 23, 50))
        services.gate_check(actor=pass_admin, number=blocked.number)
        time_machine.move_to(rows.at(TODAY, 0, 5))
        services.gate_check(actor=pass_admin, number=good.number)
        today_refusal, _ = services.gate_check(actor=pass_admin, number=blocked.number)
        unknown, _ = services.gate_check(actor=pass_admin, number="P-999999")
        result = selectors.pass_office_day(pass_admin, today=TODAY)
        assert list(result["refusals_today"]) == [unknown, today_refusal]
        assert GateCheck.objects.count() == 4

    def test_a_specialists_day_holds_their_units_only(self, org, passes, pass_admin, hse_specialist):
        for access_pass in passes.values():
            services.pass_block(actor=pass_admin, access_pass=access_pass, reason="Violation")
            services.gate_check(actor=pass_admin, number=access_pass.number)
        services.gate_check(actor=pass_admin, number="P-999999")
        result = selectors.pass_office_day(hse_specialist, today=TODAY)
        mine = {passes["crew"].pk, passes["both"].pk}
        assert {p.pk for p in result["blocked_today"]} == mine
        assert {check.access_pass_id for check in result["refusals_today"]} == mine  # no unknown numbers
        assert result["counts"]["blocked"] == 2
        assert selectors.pass_office_day(pass_admin, today=TODAY)["refusals_today"].count() == 4
