"""The database's own last line under the hours worked rules, and the unit tree's invariants."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.org.models import HOURS_WORKED_MAX, HoursWorked
from tests.factories import UnitFactory


def insert(unit, **fields):
    with transaction.atomic():
        return HoursWorked.objects.create(unit=unit, **({"month": date(2026, 3, 1), "hours": Decimal("1")} | fields))


class TestHoursWorkedConstraints:
    def test_the_month_floor_is_1970(self, org):
        insert(org.crew, month=date(1970, 1, 1))
        with pytest.raises(IntegrityError):
            insert(org.crew, month=date(1969, 12, 1))

    def test_a_month_is_stored_as_its_first_day(self, org):
        with pytest.raises(IntegrityError):
            insert(org.crew, month=date(2026, 3, 2))

    def test_hours_are_not_negative_and_not_above_the_cap(self, org):
        insert(org.crew, month=date(2026, 1, 1), hours=Decimal("0"))
        insert(org.crew, month=date(2026, 2, 1), hours=HOURS_WORKED_MAX)
        for hours in (Decimal("-0.1"), HOURS_WORKED_MAX + Decimal("0.1")):
            with pytest.raises(IntegrityError):
                insert(org.crew, month=date(2026, 4, 1), hours=hours)

    def test_one_row_per_unit_and_month(self, org):
        insert(org.crew)
        with pytest.raises(IntegrityError):
            insert(org.crew)

    def test_clean_moves_any_day_to_the_first(self, org):
        row = HoursWorked(unit=org.crew, month=date(2026, 3, 31), hours=Decimal("1"))
        row.clean()
        assert row.month == date(2026, 3, 1)

    def test_str_names_the_unit_and_month(self, org):
        assert str(insert(org.crew, hours=Decimal("12.5"))) == "Flotation crew 2026-03: 12.5"


class TestUnitTree:
    def test_the_parent_must_be_on_the_same_site(self, org):
        unit = UnitFactory.build(site=org.other_shop.site, parent=org.shop, code="x")
        with pytest.raises(ValidationError) as error:
            unit.full_clean()
        assert "parent" in error.value.message_dict

    def test_a_unit_cannot_sit_under_its_own_descendant(self, org):
        area = UnitFactory(parent=org.crew, kind="area")
        org.shop.parent = area
        with pytest.raises(ValidationError) as error:
            org.shop.full_clean()
        assert "parent" in error.value.message_dict

    def test_a_unit_cannot_be_its_own_parent(self, org):
        org.crew.parent = org.crew
        with pytest.raises(ValidationError):
            org.crew.full_clean()

    def test_a_unit_under_a_sibling_is_fine(self, org):
        other_crew = UnitFactory(parent=org.shop, kind="crew")
        other_crew.parent = org.crew
        other_crew.full_clean()
