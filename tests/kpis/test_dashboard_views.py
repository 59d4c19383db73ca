"""The KPI pages (apps/kpis/dashboard_views.py): who may open each, the scope of the figures (a
line manager sees only own units'), filters refused rather than ignored, drill-down links that keep
the unit and month, the month picker's bounds, sorting, targets, and query counts that do not grow
with units or months."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from apps.accounts.roles import Role
from apps.audit.models import AuditEntry
from apps.kpis.models import KpiTarget
from tests.factories import KpiSnapshotFactory, KpiTargetFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
MAY = date(2026, 5, 1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def snap(unit, value, *, kpi="observations", month=MAY, person=None, denominator=None):
    return KpiSnapshotFactory(
        kpi=kpi, unit=unit, month=month, person=person, numerator=Decimal(value),
        denominator=None if denominator is None else Decimal(denominator),
    )  # fmt: skip


def card(response, code):
    return next(c for c in response.context["cards"] if c.kpi.code == code)


# --- Who may open what ---------------------------------------------------------------------------------

ALLOWED = {
    "kpis:dashboard": {"hse_specialist", "hse_head", "line_manager", "executive", "system_admin", "outsider"},
    "kpis:scorecard": {"hse_specialist", "hse_head", "outsider"},
    "kpis:scorecard_all": {"hse_head", "executive"},
    "kpis:work_queue": {"hse_head"},
    "kpis:targets": {"hse_specialist", "hse_head", "line_manager", "executive", "system_admin", "outsider"},
}


@pytest.mark.parametrize("name", sorted(ALLOWED))
@pytest.mark.parametrize(
    "who", ["hse_specialist", "hse_head", "line_manager", "executive", "pass_admin", "system_admin", "outsider"]
)
def test_each_page_as_every_persona(client_as, persona, name, who):
    response = client_as(persona(who)).get(reverse(name))
    assert response.status_code == (200 if who in ALLOWED[name] else 403)


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_anonymous_users_sign_in_first(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


class TestScorecardPerson:
    def test_the_head_opens_a_specialists_scorecard(self, client_as, hse_head, hse_specialist):
        snap(hse_specialist.units.first(), 7, person=hse_specialist)
        response = client_as(hse_head).get(reverse("kpis:scorecard_person", args=[hse_specialist.pk]))
        assert response.status_code == 200
        assert response.context["person"] == hse_specialist
        assert card(response, "observations").kpi.value == 7

    @pytest.mark.parametrize("other", ["line_manager", "hse_head", "executive"])
    def test_404_for_someone_who_is_not_an_hse_specialist(self, client_as, persona, hse_head, other):
        response = client_as(hse_head).get(reverse("kpis:scorecard_person", args=[persona(other).pk]))
        assert response.status_code == 404

    def test_404_for_an_inactive_or_unknown_user(self, client_as, hse_head):
        gone = UserFactory(role=Role.HSE_SPECIALIST, is_active=False)
        client = client_as(hse_head)
        assert client.get(reverse("kpis:scorecard_person", args=[gone.pk])).status_code == 404
        assert client.get(reverse("kpis:scorecard_person", args=[99999])).status_code == 404

    def test_a_specialist_may_not_open_anothers(self, client_as, hse_specialist, outsider):
        response = client_as(hse_specialist).get(reverse("kpis:scorecard_person", args=[outsider.pk]))
        assert response.status_code == 403


# --- The dashboard ---------------------------------------------------------------------------------------


class TestDashboardScope:
    url = reverse("kpis:dashboard")

    def test_a_line_manager_sees_only_own_units_figures(self, client_as, org, line_manager, hse_head):
        snap(org.shop, 3)
        snap(org.crew, 2)
        snap(org.other_shop, 40)
        manager = client_as(line_manager).get(self.url)
        assert card(manager, "observations").kpi.value == 5  # shop + its crew, not the other shop
        head = client_as(hse_head).get(self.url)
        assert card(head, "observations").kpi.value == 45

    def test_one_of_the_users_units_with_the_units_under_it(self, client_as, org, line_manager):
        snap(org.shop, 3)
        snap(org.crew, 2)
        client = client_as(line_manager)
        assert card(client.get(self.url, {"unit": org.crew.pk}), "observations").kpi.value == 2
        assert card(client.get(self.url, {"unit": org.shop.pk}), "observations").kpi.value == 5

    def test_another_units_filter_is_refused_not_shown(self, client_as, org, line_manager):
        snap(org.other_shop, 40)
        response = client_as(line_manager).get(self.url, {"unit": org.other_shop.pk})
        assert response.status_code == 400
        assert "cards" not in response.context
        assert "This unit is not one of yours." in response.content.decode()
        assert "40" not in response.content.decode().split('data-testid="filter-refused"')[1]

    @pytest.mark.parametrize("value", ["abc", "99999", "-1"])
    def test_a_malformed_unit_is_refused(self, client_as, line_manager, value):
        assert client_as(line_manager).get(self.url, {"unit": value}).status_code == 400

    def test_the_unit_picker_offers_only_own_units(self, client_as, org, line_manager):
        response = client_as(line_manager).get(self.url)
        offered = set(response.context["form"].fields["unit"].queryset)
        assert offered == {org.shop, org.crew}

    def test_signals_and_contractors_are_counted_in_scope(self, client_as, org, line_manager):
        from tests.factories import SanctionFactory, ViolationFactory, WorkOrderFactory
        from tests.factories.internships import SignalFactory

        SignalFactory(internship=None, unit=org.crew, recorded_on=date(2026, 5, 31))  # 15 days
        SignalFactory(internship=None, unit=org.crew, recorded_on=date(2026, 6, 1))  # 14 days: not yet
        SignalFactory(internship=None, unit=org.other_shop, recorded_on=date(2026, 5, 1))
        WorkOrderFactory(unit=org.shop)
        WorkOrderFactory(unit=org.other_shop)
        SanctionFactory(violation=ViolationFactory(unit=org.crew))
        SanctionFactory(violation=ViolationFactory(unit=org.other_shop))
        response = client_as(line_manager).get(self.url)
        assert response.context["signals_unanswered"] == 1
        assert response.context["contractors"]["on_site"] == {"orders": 1, "companies": 1}
        assert response.context["contractors"]["sanctioned"]["sanctions"] == 1


class TestDashboardMonth:
    url = reverse("kpis:dashboard")

    def test_the_default_is_the_last_complete_month(self, client_as, line_manager):
        response = client_as(line_manager).get(self.url)
        assert response.context["month"] == MAY
        assert not response.context["is_current_month"]

    def test_the_current_month_so_far(self, client_as, line_manager):
        response = client_as(line_manager).get(self.url, {"month": "2026-06"})
        assert response.status_code == 200 and response.context["is_current_month"]
        assert response.context["next_month"] is None
        assert "so far" in response.content.decode()

    @pytest.mark.parametrize("value", ["2026-07", "2030-01", "1999-12", "June", "2026-13"])
    def test_months_outside_the_bounds_are_refused(self, client_as, line_manager, value):
        response = client_as(line_manager).get(self.url, {"month": value})
        assert response.status_code == 400
        assert response.context["form"].errors["month"]

    def test_the_picker_is_bounded(self, client_as, line_manager):
        html = client_as(line_manager).get(self.url).content.decode()
        assert 'type="month"' in html and 'max="2026-06"' in html and 'value="2026-05"' in html

    def test_a_month_reads_that_months_snapshots_and_the_trend_before_it(self, client_as, org, line_manager):
        snap(org.shop, 4, month=date(2026, 3, 1))
        snap(org.shop, 9, month=date(2026, 4, 1))
        response = client_as(line_manager).get(self.url, {"month": "2026-04"})
        observations = card(response, "observations")
        assert observations.kpi.value == 9 and observations.kpi.previous == 4
        assert [f.value for f in observations.kpi.trend][-2:] == [4, 9]
        assert len(observations.kpi.trend) == 12


class TestDashboardFigures:
    url = reverse("kpis:dashboard")

    def test_met_and_missed_against_the_target_in_force(self, client_as, org, line_manager):
        snap(org.shop, 5)
        snap(org.shop, 1, kpi="overdue_actions")
        KpiTargetFactory(kpi="observations", value=Decimal(8))
        KpiTargetFactory(kpi="overdue_actions", value=Decimal(2))
        response = client_as(line_manager).get(self.url)
        assert card(response, "observations").met is False
        assert card(response, "overdue_actions").met is True  # lower is better
        html = response.content.decode()
        assert "Target missed" in html and "Target met" in html and "≥ 8" in html and "≤ 2" in html

    def test_each_card_explains_itself(self, client_as, line_manager):
        html = client_as(line_manager).get(self.url).content.decode()
        assert html.count("What is this?") == 12
        assert "Observations with feedback ÷ all observations × 100" in html

    def test_safe_and_unsafe_on_one_scale_from_the_share(self, client_as, org, line_manager):
        snap(org.shop, 30, kpi="safe_share", denominator=40)
        response = client_as(line_manager).get(self.url)
        chart = str(response.context["safe_chart"])
        assert ">30</tspan>" in chart and ">10</tspan>" in chart  # 40 observed, 30 safe: 10 unsafe
        assert "May Safe 30, Unsafe 10" in chart  # the aria-label

    def test_overdue_actions_by_owner_drill_down_to_the_owners_actions(self, client_as, org, line_manager):
        owner = UserFactory(role=Role.LINE_MANAGER, units=[org.crew], last_name="Petrova")
        snap(org.crew, 3, kpi="overdue_actions", person=owner)
        response = client_as(line_manager).get(self.url, {"unit": org.shop.pk})
        assert [person for person, _figure in response.context["owners"]] == [owner]
        chart = str(response.context["owners_chart"])
        assert f"owner={owner.pk}" in chart and f"unit={org.shop.pk}" in chart and "tab=overdue" in chart

    def test_top_observation_categories_link_to_the_filtered_list(self, client_as, org, line_manager):
        from tests.factories import ObservationCategoryFactory, ObservationFactory

        loto = ObservationCategoryFactory(code="kpi-test-loto", name_en="Energy isolation", name_ru="Блокировка")
        for _ in range(2):
            ObservationFactory(unit=org.crew, category=loto, observed_at=datetime(2026, 5, 20, 8, tzinfo=UTC))
        ObservationFactory(unit=org.crew, category=loto, observed_at=datetime(2026, 6, 2, 8, tzinfo=UTC))  # June
        ObservationFactory(unit=org.other_shop, category=loto, observed_at=datetime(2026, 5, 20, 8, tzinfo=UTC))
        response = client_as(line_manager).get(self.url)
        [row] = response.context["categories"]
        assert row["label"] == "Energy isolation" and row["count"] == 2
        assert f"category={loto.pk}" in row["url"] and "date_from=2026-05-01" in row["url"]
        assert "date_to=2026-05-31" in row["url"]

    def test_no_snapshots_yet_says_when_they_come(self, client_as, line_manager, hse_head):
        html = client_as(line_manager).get(self.url).content.decode()
        assert "Figures are computed every night; the first ones appear tomorrow." in html
        assert "KPI targets</a> page" not in html
        assert "KPI targets</a> page" in client_as(hse_head).get(self.url).content.decode()

    def test_the_freshness_of_the_figures(self, client_as, org, line_manager):
        snap(org.shop, 1)
        response = client_as(line_manager).get(self.url)
        assert response.context["freshness"] is not None
        assert "Figures as of" in response.content.decode()


class TestDrillDown:
    url = reverse("kpis:dashboard")

    def test_links_keep_the_unit_and_month(self, client_as, org, hse_specialist):
        response = client_as(hse_specialist).get(self.url, {"unit": org.crew.pk, "month": "2026-04"})
        drill = response.context["drill"]
        unit = f"unit={org.crew.pk}"
        assert drill["observations"].startswith(reverse("observations:list"))
        assert unit in drill["observations"] and "date_from=2026-04-01" in drill["observations"]
        assert "date_to=2026-04-30" in drill["observations"]
        assert drill["overdue_actions"] == f"{reverse('actions:list')}?tab=overdue&{unit}"
        assert drill["training_compliance"] == f"{reverse('trainings:matrix')}?{unit}&state=attention"
        assert drill["signals_answered"] == f"{reverse('internships:signal_list')}?overdue=1&{unit}"
        assert "month_from=2026-04" in drill["audits_done"] and unit in drill["audits_done"]
        assert card(response, "observations").url == drill["observations"]

    def test_a_manager_gets_the_board_not_the_signal_list(self, client_as, org, line_manager):
        drill = client_as(line_manager).get(self.url, {"unit": org.crew.pk}).context["drill"]
        assert drill["signals_answered"] == reverse("internships:board", args=[org.crew.pk])

    @pytest.mark.parametrize("key", ["observations", "overdue_actions", "training_compliance", "audits_done"])
    def test_the_drill_down_pages_accept_the_filters(self, client_as, org, line_manager, key):
        drill = client_as(line_manager).get(self.url, {"unit": org.shop.pk}).context["drill"]
        assert client_as(line_manager).get(drill[key]).status_code == 200


class TestQueryCounts:
    def test_the_dashboard_does_not_grow_with_units_or_months(
        self, client_as, org, line_manager, django_assert_max_num_queries
    ):
        snap(org.shop, 1)
        snap(org.shop, 1, kpi="overdue_actions", person=UserFactory(units=[org.shop]))
        client = client_as(line_manager)
        client.get(reverse("kpis:dashboard"))
        with django_assert_max_num_queries(22) as few:
            client.get(reverse("kpis:dashboard"))
        crews = [UnitFactory(parent=org.shop, kind="crew") for _ in range(6)]
        for month in range(1, 5):
            for unit in [org.shop, org.crew, *crews]:
                for code in ("observations", "overdue_actions", "training_compliance", "repeat_findings"):
                    snap(
                        unit, 2, kpi=code, month=date(2026, month, 1), denominator=3 if code.startswith("tr") else None
                    )
                snap(unit, 1, kpi="overdue_actions", month=date(2026, month, 1), person=UserFactory(units=[unit]))
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get(reverse("kpis:dashboard"))
        assert len(response.context["owners"]) == 1
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get(reverse("kpis:dashboard"), {"month": "2026-04"})
        assert len(response.context["owners"]) == 8

    def test_the_side_by_side_view_does_not_grow_with_specialists(
        self, client_as, org, hse_head, django_assert_max_num_queries
    ):
        snap(org.shop, 4, person=UserFactory(role=Role.HSE_SPECIALIST, units=[org.shop]))
        client = client_as(hse_head)
        client.get(reverse("kpis:scorecard_all"))
        with django_assert_max_num_queries(17) as few:
            client.get(reverse("kpis:scorecard_all"))
        for _ in range(30):
            person = UserFactory(role=Role.HSE_SPECIALIST, units=[org.shop])
            snap(org.shop, 4, person=person)
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get(reverse("kpis:scorecard_all"))
        assert len(response.context["page"].object_list) == 25

    def test_the_scorecard_is_bounded(self, client_as, org, hse_specialist, django_assert_max_num_queries):
        for month in range(1, 6):
            snap(org.shop, month, person=hse_specialist, month=date(2026, month, 1))
        client = client_as(hse_specialist)
        client.get(reverse("kpis:scorecard"))
        with django_assert_max_num_queries(5):
            client.get(reverse("kpis:scorecard"))


# --- Scorecards ---------------------------------------------------------------------------------------


class TestScorecard:
    def test_own_figures_against_the_roles_targets(self, client_as, org, hse_specialist, outsider):
        snap(org.shop, 6, person=hse_specialist)
        snap(org.other_shop, 20, person=outsider)
        snap(org.shop, 50)  # the unit's row is not the person's
        KpiTargetFactory(kpi="observations", role=Role.HSE_SPECIALIST, value=Decimal(5))
        KpiTargetFactory(kpi="observations", value=Decimal(100))  # enterprise-wide: the role's wins
        response = client_as(hse_specialist).get(reverse("kpis:scorecard"))
        observations = card(response, "observations")
        assert observations.kpi.value == 6 and observations.kpi.target == 5 and observations.met is True
        assert [c.kpi.code for c in response.context["cards"]] == [
            "observations", "feedback_share", "audits_done", "actions_on_time", "trainings_delivered",
            "internship_days",
        ]  # fmt: skip
        assert f"observer={hse_specialist.pk}" in observations.url

    def test_a_bad_month_is_refused(self, client_as, hse_specialist):
        assert client_as(hse_specialist).get(reverse("kpis:scorecard"), {"month": "2027-01"}).status_code == 400


class TestScorecardAll:
    url = reverse("kpis:scorecard_all")

    @pytest.fixture
    def three(self, org, hse_specialist, outsider):
        third = UserFactory(role=Role.HSE_SPECIALIST, units=[org.crew], first_name="Anna", last_name="Aaronova")
        snap(org.shop, 6, person=hse_specialist)
        snap(org.other_shop, 20, person=outsider)
        return [third, hse_specialist, outsider]

    def test_every_specialist_side_by_side_met_or_missed(self, client_as, hse_head, three):
        KpiTargetFactory(kpi="observations", role=Role.HSE_SPECIALIST, value=Decimal(10))
        response = client_as(hse_head).get(self.url)
        rows = list(response.context["page"])
        assert {row.person for row in rows} == set(three)
        by_person = {row.person: row for row in rows}
        observations = [cell for cell in by_person[three[2]].cells if cell[0].code == "observations"][0]
        assert observations[1:] == ("20", True)
        html = response.content.decode()
        assert "kpi-cell-met" in html and "kpi-cell-missed" in html
        assert reverse("kpis:scorecard_person", args=[three[1].pk]) in html

    def test_sorted_by_a_column_either_way_missing_last(self, client_as, hse_head, three):
        client = client_as(hse_head)
        down = [row.person for row in client.get(self.url, {"sort": "-observations"}).context["page"]]
        assert down == [three[2], three[1], three[0]]  # 20, 6, then the one without rows … at 0
        up = [row.person for row in client.get(self.url, {"sort": "observations"}).context["page"]]
        assert up == [three[0], three[1], three[2]]
        by_name = [row.person.last_name for row in client.get(self.url).context["page"]]
        assert by_name == sorted(by_name)

    def test_an_unknown_sort_is_refused(self, client_as, hse_head):
        response = client_as(hse_head).get(self.url, {"sort": "salary"})
        assert response.status_code == 400
        assert "Sort by the name or by one of the KPIs." in response.content.decode()

    def test_paginated(self, client_as, org, hse_head):
        for _ in range(27):
            UserFactory(role=Role.HSE_SPECIALIST, units=[org.shop])
        client = client_as(hse_head)
        assert len(client.get(self.url).context["page"].object_list) == 25
        assert len(client.get(self.url, {"page": 2}).context["page"].object_list) == 2


# --- Targets ------------------------------------------------------------------------------------------


class TestTargets:
    url = reverse("kpis:targets")

    def test_everyone_with_the_dashboard_reads_them(self, client_as, line_manager, hse_head):
        KpiTargetFactory(kpi="observations", value=Decimal(8), set_by=hse_head)
        response = client_as(line_manager).get(self.url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Gemba observations" in html and "in force" in html
        assert response.context["form"] is None and "Set a target" not in html and "Remove" not in html

    def test_the_head_sets_a_target(self, client_as, hse_head, org):
        response = client_as(hse_head).post(
            self.url, {"kpi": "feedback_share", "value": "85", "valid_from": "2026-07", "unit": org.shop.pk,
                       "reason": "Shop agreed"},
        )  # fmt: skip
        assert response.status_code == 302
        target = KpiTarget.objects.get(kpi="feedback_share")
        assert (target.value, target.valid_from, target.unit, target.role) == (
            Decimal(85),
            date(2026, 7, 1),
            org.shop,
            "",
        )
        assert AuditEntry.objects.filter(action__startswith="kpis.target").exists()

    def test_a_role_and_a_unit_together_are_refused_in_place(self, client_as, hse_head, org):
        response = client_as(hse_head).post(
            self.url, {"kpi": "observations", "value": "8", "valid_from": "2026-07", "unit": org.shop.pk,
                       "role": Role.HSE_SPECIALIST},
        )  # fmt: skip
        assert response.status_code == 400
        assert not KpiTarget.objects.exists()
        assert "not both" in response.content.decode()

    @pytest.mark.parametrize(
        "data",
        [
            {"kpi": "nope", "value": "8", "valid_from": "2026-07"},
            {"kpi": "observations", "value": "-1", "valid_from": "2026-07"},
            {"kpi": "observations", "value": "8", "valid_from": "July"},
        ],
    )
    def test_bad_input_is_a_field_error(self, client_as, hse_head, data):
        response = client_as(hse_head).post(self.url, data)
        assert response.status_code == 400 and response.context["form"].errors
        assert not KpiTarget.objects.exists()

    def test_others_may_not_set_or_remove(self, client_as, line_manager, hse_specialist, hse_head):
        target = KpiTargetFactory(set_by=hse_head)
        for user in (line_manager, hse_specialist):
            client = client_as(user)
            assert (
                client.post(self.url, {"kpi": "observations", "value": "1", "valid_from": "2026-07"}).status_code == 403
            )
            assert client.post(reverse("kpis:target_remove", args=[target.pk]), {"reason": "x"}).status_code == 403
        assert KpiTarget.objects.count() == 1

    def test_the_head_removes_one_with_a_reason(self, client_as, hse_head):
        target = KpiTargetFactory(set_by=hse_head)
        client = client_as(hse_head)
        url = reverse("kpis:target_remove", args=[target.pk])
        assert client.get(url).status_code == 405
        client.post(url, {"reason": ""})
        assert KpiTarget.objects.exists()  # no reason: kept, with a message
        assert client.post(url, {"reason": "Replaced by the unit targets"}).status_code == 302
        assert not KpiTarget.objects.exists()
        assert client.post(url, {"reason": "again"}).status_code == 404
