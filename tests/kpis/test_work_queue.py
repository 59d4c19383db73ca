"""The HSE head's work queue (apps/kpis/work_queue.py): each section on hand-made records, what
appears and what not, one step on either side of every threshold; the page's counts, first rows,
"see all" links and bounded queries."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from apps.actions.models import Action
from apps.incidents.models import Investigation
from apps.internships.models import Signal
from apps.kpis import work_queue
from apps.kpis.models import Escalation
from tests.factories import ActionFactory, IncidentFactory, InvestigationFactory, SanctionFactory, ViolationFactory
from tests.factories.internships import AnsweredSignalFactory, SignalFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def pks(rows) -> list[int]:
    return [row.pk for row in rows]


def escalation(unit=None, **kwargs):
    from tests.factories import UserFactory

    defaults = {
        "title": "Replace the conveyor guards",
        "why": "Three near misses in a month",
        "options": "Replace now\nWait for the overhaul",
        "deadline": TODAY + timedelta(days=7),
        "unit": unit,
        "raised_by": UserFactory(role="hse_head"),
    }
    defaults.update(kwargs)
    return Escalation.objects.create(**defaults)


class TestIncidentsWithoutInvestigation:
    def test_only_incidents_with_no_investigation_oldest_first(self, org, hse_head):
        newer = IncidentFactory(unit=org.shop, occurred_at=NOW - timedelta(days=1))
        older = IncidentFactory(unit=org.crew, occurred_at=NOW - timedelta(days=5))
        InvestigationFactory(incident=IncidentFactory(unit=org.shop))
        assert pks(work_queue.incidents_without_investigation(hse_head)) == [older.pk, newer.pk]

    def test_scoped_to_the_users_units(self, org, hse_specialist):
        mine = IncidentFactory(unit=org.crew)
        IncidentFactory(unit=org.other_shop)
        assert pks(work_queue.incidents_without_investigation(hse_specialist)) == [mine.pk]


class TestInvestigationsNearDeadline:
    @pytest.mark.parametrize(
        ("days", "shown"),
        [(-10, True), (-1, True), (0, True), (2, True), (3, True), (4, False), (30, False)],
    )
    def test_three_days_or_less_or_past(self, org, hse_head, days, shown):
        investigation = InvestigationFactory(incident=IncidentFactory(unit=org.shop), deadline=TODAY + timedelta(days))
        assert (investigation.pk in pks(work_queue.investigations_near_deadline(hse_head, today=TODAY))) is shown

    @pytest.mark.parametrize("status", ["opened", "analysis", "actions_planned"])
    def test_while_it_is_being_worked_on(self, org, hse_head, status):
        investigation = InvestigationFactory(
            incident=IncidentFactory(unit=org.shop), deadline=TODAY - timedelta(days=1), status=status
        )
        assert pks(work_queue.investigations_near_deadline(hse_head, today=TODAY)) == [investigation.pk]

    @pytest.mark.parametrize("status", ["approved", "closed"])
    def test_not_once_approved_or_closed(self, org, hse_head, status):
        InvestigationFactory(
            incident=IncidentFactory(unit=org.shop), deadline=TODAY - timedelta(days=1), status=status,
            approved_by=hse_head, approved_at=NOW,
        )  # fmt: skip
        assert not work_queue.investigations_near_deadline(hse_head, today=TODAY).exists()

    def test_most_urgent_first(self, org, hse_head):
        later = InvestigationFactory(incident=IncidentFactory(unit=org.shop), deadline=TODAY + timedelta(days=2))
        earlier = InvestigationFactory(incident=IncidentFactory(unit=org.shop), deadline=TODAY - timedelta(days=2))
        assert pks(work_queue.investigations_near_deadline(hse_head, today=TODAY)) == [earlier.pk, later.pk]


class TestInvestigationsAwaitingApproval:
    def test_actions_planned_waits_for_the_head(self, org, hse_head):
        waiting = InvestigationFactory(incident=IncidentFactory(unit=org.shop), status="actions_planned")
        InvestigationFactory(incident=IncidentFactory(unit=org.shop), status="analysis")
        InvestigationFactory(
            incident=IncidentFactory(unit=org.shop), status="approved", approved_by=hse_head, approved_at=NOW
        )
        assert pks(work_queue.investigations_awaiting_approval(hse_head)) == [waiting.pk]


class TestSignalsUnanswered:
    @pytest.mark.parametrize(("days", "shown"), [(13, False), (14, False), (15, True), (40, True)])
    def test_more_than_fourteen_days(self, org, hse_head, days, shown):
        signal = SignalFactory(internship=None, unit=org.shop, recorded_on=TODAY - timedelta(days=days))
        assert (signal.pk in pks(work_queue.signals_unanswered(hse_head, today=TODAY))) is shown

    def test_in_progress_counts_answered_does_not(self, org, hse_head):
        working = SignalFactory(
            internship=None, unit=org.shop, recorded_on=TODAY - timedelta(days=20), status=Signal.Status.IN_PROGRESS
        )
        AnsweredSignalFactory(internship=None, unit=org.shop, recorded_on=TODAY - timedelta(days=20))
        assert pks(work_queue.signals_unanswered(hse_head, today=TODAY)) == [working.pk]

    def test_the_queue_never_loads_the_raw_text(self, org, hse_head):
        SignalFactory(internship=None, unit=org.shop, recorded_on=TODAY - timedelta(days=20))
        row = work_queue.signals_unanswered(hse_head, today=TODAY).get()
        assert "raw_text" in row.get_deferred_fields()


class TestActionsEscalated:
    def test_open_actions_escalated_to_the_head(self, org, hse_head):
        escalated = ActionFactory(unit=org.shop, due_date=TODAY - timedelta(days=30), escalation=2)
        ActionFactory(unit=org.shop, due_date=TODAY - timedelta(days=30), escalation=1)  # the manager's
        ActionFactory(unit=org.shop, due_date=TODAY - timedelta(days=30), escalation=0)
        ActionFactory(
            unit=org.shop, due_date=TODAY - timedelta(days=30), escalation=2, status=Action.Status.DONE
        )  # done meanwhile
        assert pks(work_queue.actions_escalated(hse_head)) == [escalated.pk]

    def test_in_progress_counts_longest_overdue_first(self, org, hse_head):
        newer = ActionFactory(unit=org.shop, due_date=TODAY - timedelta(days=20), escalation=2)
        older = ActionFactory(
            unit=org.shop, due_date=TODAY - timedelta(days=40), escalation=2, status=Action.Status.IN_PROGRESS
        )
        assert pks(work_queue.actions_escalated(hse_head)) == [older.pk, newer.pk]


class TestContractorSanctions:
    def test_violations_without_a_decision(self, org, hse_head):
        waiting = ViolationFactory(unit=org.shop)
        SanctionFactory(violation=ViolationFactory(unit=org.shop))
        assert pks(work_queue.violations_awaiting_sanction(hse_head)) == [waiting.pk]

    @pytest.mark.parametrize(
        ("age", "shown"),
        [
            (timedelta(days=30) - timedelta(seconds=1), False),
            (timedelta(days=30), False),
            (timedelta(days=30, seconds=1), True),
            (timedelta(days=90), True),
        ],
    )
    def test_sanctions_in_force_for_more_than_thirty_days(self, org, hse_head, age, shown):
        sanction = SanctionFactory(violation=ViolationFactory(unit=org.shop), decided_at=NOW - age)
        assert (sanction.pk in pks(work_queue.sanctions_to_review(hse_head))) is shown

    def test_lifted_sanctions_need_no_review(self, org, hse_head):
        SanctionFactory(
            violation=ViolationFactory(unit=org.shop), decided_at=NOW - timedelta(days=90), status="lifted",
            lifted_by=hse_head, lifted_at=NOW, lift_reason="Retrained",
        )  # fmt: skip
        assert not work_queue.sanctions_to_review(hse_head).exists()

    def test_scoped_by_the_violations_unit(self, org, hse_specialist):
        SanctionFactory(violation=ViolationFactory(unit=org.other_shop), decided_at=NOW - timedelta(days=90))
        mine = SanctionFactory(violation=ViolationFactory(unit=org.crew), decided_at=NOW - timedelta(days=90))
        assert pks(work_queue.sanctions_to_review(hse_specialist)) == [mine.pk]


class TestEscalationsOpen:
    def test_open_ones_nearest_deadline_first(self, org, hse_head):
        later = escalation(deadline=TODAY + timedelta(days=9))
        sooner = escalation(unit=org.shop, deadline=TODAY + timedelta(days=1))
        escalation(status="withdrawn")
        escalation(status="decided", decision="Replace now", decided_at=NOW, decided_by=hse_head)
        assert pks(work_queue.escalations_open(hse_head)) == [sooner.pk, later.pk]

    def test_an_enterprise_wide_escalation_is_for_those_who_see_all_units(self, org, hse_specialist):
        escalation()
        mine = escalation(unit=org.shop)
        assert pks(work_queue.escalations_open(hse_specialist)) == [mine.pk]


class TestThePage:
    url = reverse("kpis:work_queue")

    def test_every_section_says_nothing_waiting_when_empty(self, client_as, hse_head):
        response = client_as(hse_head).get(self.url)
        assert response.status_code == 200
        assert [section.count for section in response.context["sections"]] == [0] * len(work_queue.SECTIONS)
        assert response.content.decode().count("Nothing waiting") == len(work_queue.SECTIONS)

    def test_a_count_the_first_five_rows_and_see_all(self, client_as, hse_head, org):
        for days in range(7):
            IncidentFactory(unit=org.shop, occurred_at=NOW - timedelta(days=days + 1))
        response = client_as(hse_head).get(self.url)
        section = response.context["sections"][0]
        assert section.key == "incidents"
        assert section.count == 7 and len(section.rows) == 5 and section.more == 2
        assert section.url == reverse("kpis:work_queue_section", args=["incidents"])
        assert "and 2 more" in response.content.decode()

    def test_signals_see_all_is_the_overdue_signal_list(self, client_as, hse_head, org):
        SignalFactory(internship=None, unit=org.shop, recorded_on=TODAY - timedelta(days=15))
        sections = {s.key: s for s in client_as(hse_head).get(self.url).context["sections"]}
        assert sections["signals"].count == 1
        assert sections["signals"].url == reverse("internships:signal_list") + "?overdue=1"
        assert sections["signals"].rows[0].days_waiting == 15
        assert sections["escalations"].url == reverse("kpis:escalation_list") + "?status=open"

    def fill(self, org, hse_head, n):
        for _ in range(n):
            IncidentFactory(unit=org.shop)
            InvestigationFactory(incident=IncidentFactory(unit=org.shop), deadline=TODAY, status="actions_planned")
            SignalFactory(internship=None, unit=org.shop, recorded_on=TODAY - timedelta(days=20))
            ActionFactory(unit=org.shop, due_date=TODAY - timedelta(days=30), escalation=2)
            ViolationFactory(unit=org.shop)
            SanctionFactory(violation=ViolationFactory(unit=org.shop), decided_at=NOW - timedelta(days=60))
            escalation(unit=org.shop)

    def test_query_count_does_not_grow_with_records(self, client_as, hse_head, org, django_assert_max_num_queries):
        self.fill(org, hse_head, 1)
        client = client_as(hse_head)
        client.get(self.url)
        with django_assert_max_num_queries(18) as few:
            client.get(self.url)
        self.fill(org, hse_head, 8)
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get(self.url)
        assert all(section.count >= 9 for section in response.context["sections"])

    @pytest.mark.parametrize("key", [spec.key for spec in work_queue.SECTIONS])
    def test_each_section_page_lists_everything(self, client_as, hse_head, org, key):
        self.fill(org, hse_head, 2)
        response = client_as(hse_head).get(reverse("kpis:work_queue_section", args=[key]))
        assert response.status_code == 200
        assert len(response.context["page"].object_list) >= 2

    def test_an_unknown_section_is_404(self, client_as, hse_head):
        assert client_as(hse_head).get(reverse("kpis:work_queue_section", args=["nope"])).status_code == 404

    def test_the_head_only(self, client_as, line_manager, executive, hse_specialist):
        for user in (line_manager, executive, hse_specialist):
            assert client_as(user).get(self.url).status_code == 403


def test_thresholds_are_the_documented_ones():
    assert work_queue.NEAR_DEADLINE_DAYS == 3
    assert work_queue.SANCTION_REVIEW_DAYS == 30
    assert Investigation.EDITABLE == (
        Investigation.Status.OPENED,
        Investigation.Status.ANALYSIS,
        Investigation.Status.ACTIONS_PLANNED,
    )
    assert timezone.is_aware(NOW)
