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


def test_sites_are_those_holding_a_unit_in_scope(org, hse_specialist, outsider, hse_head):
    from apps.org.selectors import site_list_for_user

    assert list(site_list_for_user(hse_specialist)) == [org.shop.site]
    assert list(site_list_for_user(outsider)) == [org.other_shop.site]
    assert set(site_list_for_user(hse_head)) == {org.shop.site, org.other_shop.site}
    assert list(site_list_for_user(hse_head, search=org.other_shop.site.code)) == [org.other_shop.site]


def test_a_site_with_several_units_in_scope_is_listed_once(org, hse_specialist):
    from apps.org.selectors import site_list_for_user

    UnitFactory(parent=org.crew, kind="area")
    assert site_list_for_user(hse_specialist).count() == 1


def test_a_user_without_units_sees_no_site_unit_or_person(org):
    from apps.org.selectors import site_list_for_user, unit_list_for_user
    from tests.factories import UserFactory

    nobody = UserFactory(role="hse_specialist")
    assert not site_list_for_user(nobody).exists()
    assert not unit_list_for_user(nobody).exists()
    assert not person_list_for_user(nobody).exists()


def test_unit_filters(org, hse_head):
    from apps.org.selectors import unit_list_for_user

    closed = UnitFactory(parent=org.shop, kind="area", name="Old area", code="old-area", is_active=False)
    assert list(unit_list_for_user(hse_head, parent_id=org.shop.pk)) == [org.crew, closed]
    assert list(unit_list_for_user(hse_head, kind="crew")) == [org.crew]
    assert list(unit_list_for_user(hse_head, is_active=False)) == [closed]
    assert closed not in unit_list_for_user(hse_head, is_active=True)
    assert list(unit_list_for_user(hse_head, site_id=org.other_shop.site_id)) == [org.other_shop]
    assert list(unit_list_for_user(hse_head, search="OLD-AR")) == [closed]
    assert list(unit_list_for_user(hse_head, search="flotation")) == [org.crew]


def test_headcount_counts_only_people_on_the_roll(org, hse_head):
    from apps.org.selectors import unit_list_for_user

    PersonFactory(unit=org.crew, is_active=False)
    assert unit_list_for_user(hse_head).get(pk=org.crew.pk).headcount == 1


def test_a_filtered_tree_starts_where_the_parent_is_not_shown(org, hse_head):
    from apps.org.selectors import unit_list_for_user, unit_tree

    area = UnitFactory(parent=org.crew, kind="area")
    tree = unit_tree(unit_list_for_user(hse_head).exclude(pk=org.shop.pk))
    assert [(unit, depth) for unit, depth in tree] == [(org.crew, 0), (area, 1), (org.other_shop, 0)]


def test_people_filters(org, hse_head):
    foreman = PersonFactory(unit=org.crew, full_name="Aaa Foreman", is_foreman=True)
    left = PersonFactory(unit=org.crew, full_name="Bbb Left", is_active=False, personnel_number="Q-77")
    assert list(person_list_for_user(hse_head, is_foreman=True)) == [foreman]
    assert list(person_list_for_user(hse_head, foremen_only=True)) == [foreman]
    assert foreman not in person_list_for_user(hse_head, is_foreman=False)
    assert list(person_list_for_user(hse_head, is_active=False)) == [left]
    assert left not in person_list_for_user(hse_head, is_active=True)
    assert list(person_list_for_user(hse_head, search="q-77")) == [left]
    assert list(person_list_for_user(hse_head, unit_id=org.other_shop.pk)) == list(org.other_shop.people.all())


def test_hours_month_bounds_are_inclusive_whole_months(org, hse_head, outsider):
    from apps.org.selectors import hours_worked_list_for_user

    for month in (1, 2, 3, 4):
        HoursWorkedFactory(unit=org.crew, month=date(2026, month, 1))
    HoursWorkedFactory(unit=org.other_shop, month=date(2026, 2, 1))

    def months(**bounds):
        return [row.month.month for row in hours_worked_list_for_user(hse_head, unit_id=org.crew.pk, **bounds)]

    assert months() == [4, 3, 2, 1]
    assert months(month_from=date(2026, 2, 28), month_to=date(2026, 3, 1)) == [3, 2]
    assert months(month_from=date(2026, 2, 1), month_to=date(2026, 2, 1)) == [2]
    assert [row.unit for row in hours_worked_list_for_user(outsider)] == [org.other_shop]


def test_lists_are_in_name_order_not_creation_order(org, hse_head):
    from apps.org.models import Site
    from apps.org.selectors import site_list_for_user, unit_choices_for_user, unit_list_for_user
    from tests.factories import SiteFactory

    Site.objects.filter(pk=org.shop.site_id).update(name="B site")
    Site.objects.filter(pk=org.other_shop.site_id).update(name="C site")
    late_site = SiteFactory(name="A site")
    late_unit = UnitFactory(site=late_site, name="Zz shop")
    early_name = UnitFactory(parent=org.shop, name="Aa crew", kind="crew")
    assert [site.name for site in site_list_for_user(hse_head)] == ["A site", "B site", "C site"]
    assert [unit.name for unit in unit_choices_for_user(hse_head)] == [
        "Aa crew",
        "Concentrator",
        "Flotation crew",
        "Transport shop",
        "Zz shop",
    ]
    # By site, then by name.
    assert list(unit_list_for_user(hse_head)) == [late_unit, early_name, org.shop, org.crew, org.other_shop]
    PersonFactory(unit=org.crew, full_name="Aaa First")
    assert [p.full_name for p in person_list_for_user(hse_head)] == ["Aaa First", "Petrov P. P.", "Sidorov S. S."]


def test_hours_are_listed_by_unit_name_then_unit_then_newest_month(org, hse_head):
    from apps.org.selectors import hours_worked_list_for_user

    first = UnitFactory(name="Aaa unit")  # created last, named first
    namesake = UnitFactory(name="Aaa unit")
    for unit in (org.other_shop, namesake, first):
        for month in (1, 2):
            HoursWorkedFactory(unit=unit, month=date(2026, month, 1))
    rows = [(row.unit_id, row.month.month) for row in hours_worked_list_for_user(hse_head)]
    # One unit's months together, newest first, even when two units share a name.
    assert rows == [
        (first.pk, 2),
        (first.pk, 1),
        (namesake.pk, 2),
        (namesake.pk, 1),
        (org.other_shop.pk, 2),
        (org.other_shop.pk, 1),
    ]


def test_tree_headcount_adds_up_every_child(org, hse_specialist):
    second_crew = UnitFactory(parent=org.shop, kind="crew", name="Second crew")
    PersonFactory.create_batch(2, unit=second_crew)
    PersonFactory(unit=org.shop)
    totals = {unit.code: unit.total_headcount for unit, _ in unit_tree_for_user(hse_specialist)}
    assert totals == {"concentrator": 1 + 1 + 2, "flotation": 1, second_crew.code: 2}


def test_unit_hours_by_month_covers_twelve_months_of_this_unit_only(org):
    HoursWorkedFactory(unit=org.crew, month=date(2025, 4, 1), hours=Decimal("1"))  # the first month
    HoursWorkedFactory(unit=org.crew, month=date(2026, 3, 1), hours=Decimal("12"))  # the last month
    HoursWorkedFactory(unit=org.crew, month=date(2025, 3, 1), hours=Decimal("99"))  # before the window
    HoursWorkedFactory(unit=org.shop, month=date(2025, 5, 1), hours=Decimal("77"))  # another unit
    months = unit_hours_by_month(org.crew, last=date(2026, 3, 1))
    assert len(months) == 12
    assert months[4][0] == date(2025, 8, 1)
    assert months[0] == (date(2025, 4, 1), Decimal("1"))
    assert months[-1] == (date(2026, 3, 1), Decimal("12"))
    assert [hours for _, hours in months[1:-1]] == [None] * 10


def test_summary_window_is_the_last_twelve_months_including_this_one(org, hse_specialist):
    HoursWorkedFactory(unit=org.crew, month=date(2025, 12, 1), hours=Decimal("1"))  # the first of the 12
    HoursWorkedFactory(unit=org.crew, month=date(2025, 11, 1), hours=Decimal("1000"))  # the 13th month back
    HoursWorkedFactory(unit=org.crew, month=date(2026, 11, 1), hours=Decimal("10"))  # this month
    PersonFactory(unit=org.crew, is_foreman=True)
    PersonFactory(unit=org.crew, is_foreman=True, is_active=False)
    PersonFactory(unit=org.other_shop, is_foreman=True)
    summary = organisation_summary_for_user(hse_specialist, today=date(2026, 11, 22))
    assert summary == {
        "unit_count": 2,
        "headcount": 2,
        "foreman_count": 1,
        "hours_12_months": Decimal("11"),
        "since_month": date(2025, 12, 1),
    }


def test_summary_without_hours_is_zero(org, outsider):
    summary = organisation_summary_for_user(outsider, today=date(2026, 11, 22))
    assert summary["hours_12_months"] == 0
    assert (summary["unit_count"], summary["headcount"], summary["foreman_count"]) == (1, 1, 0)


def test_an_inactive_unit_is_not_counted_in_the_summary(org, hse_specialist):
    UnitFactory(parent=org.shop, kind="crew", is_active=False)
    assert organisation_summary_for_user(hse_specialist, today=date(2026, 11, 22))["unit_count"] == 2
