"""The executive summary on hand-made data: the headline cards from the snapshots, the "what changed"
sentences (which changes are worth one, in which order, their wording and plurals), serious
incidents and their investigations, overdue actions by owner at the month's end, contractors under
sanction at the month's end, escalations; an empty month; and a query count that does not grow."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.actions.models import Action
from apps.contractors.models import Sanction, Violation
from apps.kpis import summary as summaries
from apps.kpis.definitions import kpi
from apps.kpis.models import Escalation, KpiSnapshot, KpiTarget
from apps.kpis.selectors import Figure, KpiCard
from tests.factories import ActionFactory, CompanyFactory, UserFactory
from tests.incidents.helpers import make_incident, make_investigation

pytestmark = pytest.mark.django_db

JUNE, MAY, JULY = date(2026, 6, 1), date(2026, 5, 1), date(2026, 7, 1)
TODAY = date(2026, 7, 15)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to("2026-07-15 10:00:00+03:00", tick=False)


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def snapshot(code, month, unit, numerator, denominator=None):
    return KpiSnapshot.objects.create(
        kpi=code, month=month, unit=unit, numerator=Decimal(numerator),
        denominator=None if denominator is None else Decimal(denominator),
    )  # fmt: skip


def card(code, value, previous, target=None) -> KpiCard:
    definition = kpi(code)
    value = None if value is None else Decimal(value)
    previous = None if previous is None else Decimal(previous)
    target = None if target is None else Decimal(target)
    met = None
    if value is not None and target is not None:
        met = value <= target if definition.direction == "down" else value >= target
    trend = [Figure(MAY, previous, Decimal(0), None), Figure(JUNE, value, Decimal(0), None)]
    return KpiCard(definition, JUNE, value, target, met, previous, trend)


# --- What changed -------------------------------------------------------------------------------------


def test_a_share_that_moved_three_points_is_worth_a_sentence_with_its_target():
    [change] = summaries.what_changed([card("feedback_share", "78", "71", target="80")])
    assert change.text == "Feedback given on the spot rose from 71.0% to 78.0% (target 80.0%)."
    assert change.better is True


def test_three_points_is_the_threshold_for_shares():
    assert summaries.what_changed([card("feedback_share", "74", "71")])
    assert not summaries.what_changed([card("feedback_share", "73.9", "71")])


def test_a_tenth_is_the_threshold_for_other_figures():
    assert summaries.what_changed([card("observations", "110", "100")])
    assert not summaries.what_changed([card("observations", "109", "100")])


def test_lower_is_better_for_overdue_actions():
    [change] = summaries.what_changed([card("overdue_actions", "9", "12", target="5")])
    assert change.text == "Overdue actions fell from 12 to 9 (target 5)."
    assert change.better is True
    [worse] = summaries.what_changed([card("overdue_actions", "15", "12")])
    assert worse.text == "Overdue actions rose from 12 to 15."
    assert worse.better is False


def test_a_target_reached_or_lost_comes_first_and_says_so():
    changes = summaries.what_changed([
        card("observations", "200", "100"),  # +100 %: a big mover, no target
        card("training_compliance", "90", "85", target="88"),  # +5 points, now on target
        card("actions_on_time", "70", "82", target="80"),  # -12 points, fell off target
    ])  # fmt: skip
    assert [change.code for change in changes] == ["actions_on_time", "training_compliance", "observations"]
    assert changes[0].text.endswith("It has fallen off target.")
    assert changes[1].text.endswith("It is on target now.")


def test_no_sentence_without_last_months_figure_or_this_months():
    assert not summaries.what_changed([card("feedback_share", "78", None), card("audits_done", None, "50")])


def test_a_month_still_running_compares_no_counts_but_the_stocks():
    changes = summaries.what_changed(
        [card("observations", "20", "100"), card("overdue_actions", "20", "10"), card("feedback_share", "60", "71")],
        partial=True,
    )
    assert [change.code for change in changes] == ["overdue_actions", "feedback_share"]


def test_serious_incidents_lead_the_sentences_with_plurals():
    one = summaries.what_changed([card("observations", "200", "100")], serious_this_month=1)
    assert one[0].text == "1 serious incident this month (actual or potential severity 4 or 5)."
    two = summaries.what_changed([], serious_this_month=2)
    assert two[0].text == "2 serious incidents this month (actual or potential severity 4 or 5)."


def test_at_most_six_sentences():
    cards = [card(code, "50", "20") for code in ["feedback_share", "audits_done", "actions_on_time",
                                                  "training_compliance", "signals_answered", "safe_share",
                                                  "investigations_on_time"]]  # fmt: skip
    assert len(summaries.what_changed(cards)) == summaries.CHANGES_SHOWN


# --- The whole summary on hand-made records -------------------------------------------------------------


@pytest.fixture
def world(org, hse_specialist, hse_head, executive, line_manager):
    snapshot("feedback_share", MAY, org.crew, 50, 70)
    snapshot("feedback_share", MAY, org.shop, 21, 30)
    snapshot("feedback_share", JUNE, org.crew, 50, 70)
    snapshot("feedback_share", JUNE, org.shop, 28, 30)
    snapshot("observations", MAY, org.crew, 100)
    snapshot("observations", JUNE, org.crew, 150)
    snapshot("trir", JUNE, org.crew, 2, 400_000)
    KpiTarget.objects.create(kpi="feedback_share", valid_from=date(2026, 1, 1), value=80, set_by=hse_head)

    # Serious incidents: June (potential 4), March (actual 4: the first month counted), February (too
    # early), and a June one of severity 3 (not serious).
    june = make_incident(org.crew, hse_specialist, occurred_at=at(date(2026, 6, 20)), actual_severity=2,
                         potential_severity=4, classification="first_aid", days_lost=0)  # fmt: skip
    make_investigation(june, hse_specialist, deadline=date(2026, 6, 30), status="analysis")
    march = make_incident(org.crew, hse_specialist, occurred_at=at(date(2026, 3, 1), 8), actual_severity=4)
    make_incident(org.crew, hse_specialist, occurred_at=at(date(2026, 2, 27)), actual_severity=5)
    make_incident(org.crew, hse_specialist, occurred_at=at(date(2026, 6, 5)), actual_severity=3, potential_severity=3)

    # Overdue actions at the end of June.
    owner_1 = UserFactory(role="line_manager", first_name="Anna", last_name="Orlova")
    owner_2 = UserFactory(role="line_manager", first_name="Boris", last_name="Lebedev")
    ActionFactory(unit=org.crew, owner=owner_1, due_date=date(2026, 6, 1))  # open
    late_done = ActionFactory(unit=org.crew, owner=owner_1, due_date=date(2026, 6, 20), status="done")
    late_done.completed_at = at(date(2026, 7, 2))
    late_done.save()
    on_time = ActionFactory(unit=org.crew, owner=owner_2, due_date=date(2026, 6, 29), status="done")
    on_time.completed_at = at(date(2026, 6, 29))
    on_time.save()
    ActionFactory(unit=org.crew, owner=owner_2, due_date=date(2026, 6, 30))  # due on the last day: late by its end
    ActionFactory(unit=org.crew, owner=owner_2, due_date=date(2026, 7, 5))  # not due yet in June
    Action.objects.update(created_at=at(date(2026, 5, 1)))
    # Opened in July with a past due date: not overdue at the end of June (it did not exist then).
    ActionFactory(unit=org.crew, owner=owner_2, due_date=date(2026, 6, 15))
    Action.objects.filter(due_date=date(2026, 6, 15)).update(created_at=at(date(2026, 7, 1)))

    # Sanctions in force at the end of June.
    def sanction(company, kind, decided, lifted=None):
        violation = Violation.objects.create(company=company, severity="serious", description="x", unit=org.crew,
                                             observed_at=at(decided), recorded_by=hse_specialist)  # fmt: skip
        row = Sanction.objects.create(violation=violation, company=company, kind=kind, reason="r",
                                      decided_by=hse_specialist, decided_at=at(decided))  # fmt: skip
        if lifted:
            Sanction.objects.filter(pk=row.pk).update(status="lifted", lifted_at=at(lifted), lifted_by=hse_head,
                                                      lift_reason="done")  # fmt: skip
        return row

    kept = CompanyFactory(name="Stroymontazh LLC")
    sanction(kept, "warning", date(2026, 5, 3))
    sanction(kept, "stop_work", date(2026, 6, 11))
    sanction(CompanyFactory(name="Liftservice JSC"), "fine", date(2026, 6, 10), lifted=date(2026, 7, 3))
    sanction(CompanyFactory(name="Gone LLC"), "warning", date(2026, 6, 1), lifted=date(2026, 6, 20))
    sanction(CompanyFactory(name="Later LLC"), "warning", date(2026, 7, 2))

    # Escalations: one open, one decided in June, one decided in July.
    def escalation(title, status="open", decided=None):
        return Escalation.objects.create(
            title=title, why="w", options="a\nb", deadline=date(2026, 7, 10), raised_by=hse_head, status=status,
            decision="a" if decided else "", decided_by=executive if decided else None,
            decided_at=at(decided) if decided else None,
        )  # fmt: skip

    escalation("Open one")
    escalation("Decided in June", "decided", date(2026, 6, 15))
    escalation("Decided in July", "decided", date(2026, 7, 2))
    return {"june": june, "march": march, "owner_1": owner_1, "owner_2": owner_2}


def test_the_summary_of_a_past_month_at_its_end(world):
    summary = summaries.executive_summary(month=JUNE, today=TODAY, at_month_end=True)

    assert (summary.month, summary.as_of, summary.is_partial) == (JUNE, date(2026, 6, 30), False)
    assert [c.code for c in summary.cards] == summaries.HEADLINE
    assert [c.code for c in summary.lagging] == summaries.LAGGING
    feedback = summary.cards[summaries.HEADLINE.index("feedback_share")]
    assert (feedback.value, feedback.previous, feedback.target, feedback.met) == (78, 71, 80, False)
    assert summary.lagging[0].value == 1  # 2 × 200,000 ÷ 400,000
    assert "Feedback given on the spot rose from 71.0% to 78.0% (target 80.0%)." in [c.text for c in summary.changes]
    assert summary.changes[0].text.startswith("1 serious incident this month")

    assert [row.incident for row in summary.serious_incidents] == [world["june"], world["march"]]
    june_row = summary.serious_incidents[0]
    assert june_row.this_month and june_row.overdue and june_row.severity == 4
    assert summary.serious_incidents[1].investigation is None
    assert (summary.serious_total, summary.serious_this_month, summary.serious_since) == (2, 1, date(2026, 3, 1))

    assert [(o.name, o.count, o.days_late) for o in summary.overdue_by_owner] == [
        ("Anna Orlova", 2, 29),
        ("Boris Lebedev", 1, 0),
    ]
    assert (summary.overdue_total, summary.overdue_owners) == (3, 2)

    assert [(c.name, c.kinds, c.count) for c in summary.sanctioned] == [
        ("Stroymontazh LLC", ["Warning", "Stop work"], 2),
        ("Liftservice JSC", ["Fine"], 1),
    ]
    assert summary.sanctioned_total == 2
    assert summary.sanctioned[0].since == at(date(2026, 5, 3))

    assert [e.title for e in summary.escalations_open] == ["Open one"]
    assert summary.escalations_overdue == 1  # deadline 10 July, today the 15th
    assert [e.title for e in summary.escalations_decided] == ["Decided in June"]
    assert summary.freshness is not None


@pytest.mark.parametrize(("month", "at_month_end"), [(JULY, True), (JULY, False), (JUNE, False)])
def test_the_page_and_a_running_month_count_stocks_as_of_today(world, month, at_month_end):
    summary = summaries.executive_summary(month=month, today=TODAY, at_month_end=at_month_end)
    assert (summary.as_of, summary.is_live, summary.is_partial) == (TODAY, True, month == JULY)
    # Today: the open June actions and the one due 5 July; the late-done one is done.
    assert [(o.name, o.count) for o in summary.overdue_by_owner] == [("Boris Lebedev", 3), ("Anna Orlova", 1)]
    assert [c.name for c in summary.sanctioned] == ["Stroymontazh LLC", "Later LLC"]
    assert [e.title for e in summary.escalations_decided] == ["Decided in July", "Decided in June"]


def test_an_empty_month(db):
    summary = summaries.executive_summary(month=date(2024, 1, 1), today=TODAY)
    assert summary.changes == []
    assert summary.serious_incidents == [] and summary.serious_total == 0
    assert summary.overdue_by_owner == [] and summary.overdue_total == 0
    assert summary.sanctioned == [] and summary.escalations_open == []
    assert summary.freshness is None
    assert summary.targets_set == 0
    observations = summary.cards[0]
    assert observations.value == 0  # a count of nothing is zero
    assert summary.cards[summaries.HEADLINE.index("feedback_share")].value is None  # a ratio of nothing is no figure


def _queries(month=JUNE) -> int:
    with CaptureQueriesContext(connection) as queries:
        summaries.executive_summary(month=month, today=TODAY, at_month_end=True)
    return len(queries)


SUMMARY_QUERIES = 12
# The summary's, the signed-in user and the navigation bar's unread notifications.
PAGE_QUERIES = SUMMARY_QUERIES + 2


def test_the_query_count_is_fixed_and_does_not_grow_with_the_records(world, org, hse_specialist, hse_head):
    assert _queries() == SUMMARY_QUERIES
    for index in range(15):
        incident = make_incident(org.crew, hse_specialist, occurred_at=at(date(2026, 6, 1 + index)), actual_severity=4)
        make_investigation(incident, hse_specialist)
        owner = UserFactory(role="line_manager")
        ActionFactory(unit=org.crew, owner=owner, due_date=date(2026, 5, 1 + index))
        Action.objects.filter(owner=owner).update(created_at=at(date(2026, 4, 1)))
        company = CompanyFactory()
        violation = Violation.objects.create(company=company, severity="minor", description="x", unit=org.crew,
                                             observed_at=timezone.now(), recorded_by=hse_specialist)  # fmt: skip
        Sanction.objects.create(violation=violation, company=company, kind="warning", reason="r",
                                decided_by=hse_specialist, decided_at=at(date(2026, 6, 2)))  # fmt: skip
        Escalation.objects.create(title=f"E{index}", why="w", options="a", deadline=TODAY, raised_by=hse_head)
    assert _queries() == SUMMARY_QUERIES
    summary = summaries.executive_summary(month=JUNE, today=TODAY, at_month_end=True)
    assert len(summary.overdue_by_owner) == summaries.OWNER_ROWS
    assert summary.overdue_total == 18


def test_the_page_shows_the_parts_and_its_queries_do_not_grow(world, client_as, executive, org, hse_head):
    client = client_as(executive)
    url = reverse("kpis:summary") + "?month=2026-06"
    with CaptureQueriesContext(connection) as first:
        response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("Feedback given on the spot", "Stroymontazh LLC", "Anna Orlova", "Open one", "Decided in June",
                 world["june"].reference, "figures as of", "TRIR"):  # fmt: skip
        assert text in body, text
    assert 'class="kpi-chart"' in body and 'class="kpi-sparkline"' in body
    for index in range(10):
        Escalation.objects.create(title=f"More {index}", why="w", options="a\nb", deadline=TODAY, raised_by=hse_head)
        ActionFactory(unit=org.crew, owner=UserFactory(role="line_manager"), due_date=date(2026, 6, 2))
    with CaptureQueriesContext(connection) as second:
        assert client.get(url).status_code == 200
    assert len(second) == len(first) == PAGE_QUERIES, [q["sql"] for q in second.captured_queries]


def test_a_malformed_month_is_an_error_in_place(client_as, executive):
    response = client_as(executive).get(reverse("kpis:summary"), {"month": "2026-13"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_the_head_sees_the_summary_without_decide_forms_and_a_specialist_is_refused(
    world, client_as, hse_head, hse_specialist
):
    body = client_as(hse_head).get(reverse("kpis:summary")).content.decode()
    assert "Open one" in body and 'class="decide-form"' not in body and "Raise an escalation" in body
    assert client_as(hse_specialist).get(reverse("kpis:summary")).status_code == 403


def test_month_choices_offer_two_years_newest_first():
    choices = summaries.month_choices(TODAY)
    assert len(choices) == summaries.MONTHS_OFFERED
    assert choices[0][0] == JULY and choices[1][0] == JUNE and choices[-1][0] == date(2024, 8, 1)


def test_the_overdue_chart_links_each_owner_to_their_actions(world, client_as, executive):
    body = client_as(executive).get(reverse("kpis:summary") + "?month=2026-06").content.decode()
    assert f"/actions/?tab=overdue&amp;owner={world['owner_1'].pk}" in body


def test_the_page_opens_on_the_last_complete_month_with_todays_stocks(world, client_as, executive):
    response = client_as(executive).get(reverse("kpis:summary"))
    summary = response.context["summary"]
    assert (summary.month, summary.as_of) == (JUNE, TODAY)
    assert 'value="2026-07"' in response.content.decode()  # the running month: one choice away
    assert "July 2026 (so far)" in response.content.decode()
