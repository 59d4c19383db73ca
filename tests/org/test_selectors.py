from datetime import date
from decimal import Decimal

from apps.org.selectors import (
    months_back,
    organisation_summary_for_user,
    person_list_for_user,
    unit_hours_by_month,
    unit_tree_for_user,
)
from tests.factories import HoursWorkedFactory, PersonFactory, UnitFactory


def test_months_back_crosses_the_year():
    assert months_back(date(2026, 2, 1), 3) == [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]


def test_unit_tree_is_in_tree_order_with_depths(org, hse_specialist):
    area = UnitFactory(parent=org.crew, name="Reagents area", kind="area")
    assert [(unit, depth) for unit, depth in unit_tree_for_user(hse_specialist)] == [
        (org.shop, 0),
        (org.crew, 1),
        (area, 2),
    ]


def test_tree_headcount_includes_the_units_below(org, hse_specialist):
    PersonFactory(unit=org.shop)
    totals = {unit.code: unit.total_headcount for unit, _ in unit_tree_for_user(hse_specialist)}
    assert totals == {"concentrator": 2, "flotation": 1}


def test_people_are_scoped_and_searchable(org, hse_specialist, hse_head):
    PersonFactory(unit=org.shop, full_name="Ivanova A. A.", job_title="Crane operator")
    assert {p.full_name for p in person_list_for_user(hse_specialist)} == {"Petrov P. P.", "Ivanova A. A."}
    assert [p.full_name for p in person_list_for_user(hse_specialist, search="crane")] == ["Ivanova A. A."]
    assert len(person_list_for_user(hse_head)) == 3


def test_unit_hours_by_month_marks_missing_months(org):
    HoursWorkedFactory(unit=org.crew, month=date(2026, 2, 1), hours=Decimal("800"))
    assert unit_hours_by_month(org.crew, last=date(2026, 3, 1), count=3) == [
        (date(2026, 1, 1), None),
        (date(2026, 2, 1), Decimal("800.0")),
        (date(2026, 3, 1), None),
    ]


def test_summary_counts_only_the_users_units(org, hse_specialist, hse_head):
    HoursWorkedFactory(unit=org.crew, month=date(2026, 10, 1), hours=Decimal("800"))
    HoursWorkedFactory(unit=org.other_shop, month=date(2026, 10, 1), hours=Decimal("500"))
    HoursWorkedFactory(unit=org.crew, month=date(2025, 1, 1), hours=Decimal("999"))  # older than 12 months
    mine = organisation_summary_for_user(hse_specialist, today=date(2026, 11, 22))
    everything = organisation_summary_for_user(hse_head, today=date(2026, 11, 22))
    assert (mine["unit_count"], mine["headcount"], mine["hours_12_months"]) == (2, 1, Decimal("800"))
    assert (everything["unit_count"], everything["headcount"], everything["hours_12_months"]) == (
        3,
        2,
        Decimal("1300"),
    )
