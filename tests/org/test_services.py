from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from apps.audit.models import AuditEntry
from apps.org.models import HOURS_WORKED_MAX, HoursWorked, Person
from apps.org.services import hours_worked_record, person_create, person_update
from tests.factories import PersonFactory, UnitFactory, UserFactory
from tests.org.conftest import SITE_TZ


def test_recording_hours_keeps_one_row_per_unit_and_month(org, hse_specialist):
    hours_worked_record(actor=hse_specialist, unit=org.crew, month=date(2026, 3, 17), hours=Decimal("1200"))
    row = hours_worked_record(
        actor=hse_specialist, unit=org.crew, month=date(2026, 3, 1), hours=Decimal("1250.5"), reason="HR correction"
    )
    assert HoursWorked.objects.filter(unit=org.crew).count() == 1
    assert row.month == date(2026, 3, 1)
    assert row.hours == Decimal("1250.5")
    latest = AuditEntry.objects.filter(action="org.hours_worked.recorded").first()
    assert latest.actor == hse_specialist
    assert latest.unit == org.crew
    assert latest.target_id == str(row.pk)
    assert latest.reason == "HR correction"
    assert latest.data == {"month": "2026-03-01", "hours": "1250.5", "previous_hours": "1200.0"}
    first = AuditEntry.objects.filter(action="org.hours_worked.recorded").last()
    assert first.data == {"month": "2026-03-01", "hours": "1200", "previous_hours": None}
    assert first.reason == ""


def test_each_unit_and_month_has_its_own_row(org, hse_specialist):
    hours_worked_record(actor=hse_specialist, unit=org.crew, month=date(2026, 3, 1), hours=Decimal("10"))
    hours_worked_record(actor=hse_specialist, unit=org.crew, month=date(2026, 4, 1), hours=Decimal("20"))
    hours_worked_record(actor=hse_specialist, unit=org.shop, month=date(2026, 3, 1), hours=Decimal("30"))
    assert sorted(HoursWorked.objects.values_list("unit__code", "month", "hours")) == [
        ("concentrator", date(2026, 3, 1), Decimal("30.0")),
        ("flotation", date(2026, 3, 1), Decimal("10.0")),
        ("flotation", date(2026, 4, 1), Decimal("20.0")),
    ]


def test_negative_hours_are_refused_and_nothing_is_logged(org, hse_specialist):
    with pytest.raises(ValidationError) as error:
        hours_worked_record(actor=hse_specialist, unit=org.crew, month=date(2026, 3, 1), hours=Decimal("-0.1"))
    assert "hours" in error.value.message_dict
    assert not HoursWorked.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_refused_correction_keeps_the_previous_figure(org, hse_specialist):
    hours_worked_record(actor=hse_specialist, unit=org.crew, month=date(2026, 3, 1), hours=Decimal("100"))
    with pytest.raises(ValidationError):
        hours_worked_record(actor=hse_specialist, unit=org.crew, month=date(2026, 3, 1), hours=Decimal("-1"))
    assert HoursWorked.objects.get().hours == Decimal("100")
    assert AuditEntry.objects.count() == 1


class TestHoursBounds:
    """Hours are >= 0 and at most HOURS_WORKED_MAX (ten million) per unit and month."""

    def test_the_cap_is_ten_million(self):
        assert Decimal("10000000") == HOURS_WORKED_MAX

    @pytest.mark.parametrize("hours", ["0", "0.1", "10000000", "9999999.9"])
    def test_inside_the_bounds_is_kept(self, org, hse_specialist, hours):
        row = hours_worked_record(actor=hse_specialist, unit=org.crew, month=date(2026, 3, 1), hours=Decimal(hours))
        assert HoursWorked.objects.get(pk=row.pk).hours == Decimal(hours)

    @pytest.mark.parametrize("hours", ["-0.1", "10000000.1", "10000001", "99999999999.9"])
    def test_outside_the_bounds_is_a_field_error(self, org, hse_specialist, hours):
        with pytest.raises(ValidationError) as error:
            hours_worked_record(actor=hse_specialist, unit=org.crew, month=date(2026, 3, 1), hours=Decimal(hours))
        assert list(error.value.message_dict) == ["hours"]
        assert not HoursWorked.objects.exists()
        assert not AuditEntry.objects.exists()

    def test_more_than_one_decimal_is_refused(self, org, hse_specialist):
        with pytest.raises(ValidationError):
            hours_worked_record(actor=hse_specialist, unit=org.crew, month=date(2026, 3, 1), hours=Decimal("1.25"))
        assert not HoursWorked.objects.exists()


class TestHoursMonthWindow:
    """A month inside the records' window (from PORTAL_RECORDS_BEGIN's month) that has begun."""

    def record(self, org, user, month):
        return hours_worked_record(actor=user, unit=org.crew, month=month, hours=Decimal("10"))

    def test_the_current_month_may_be_recorded_as_it_goes(self, org, hse_specialist, now):
        assert self.record(org, hse_specialist, date(2026, 12, 31)).month == date(2026, 12, 1)

    def test_the_next_month_is_refused(self, org, hse_specialist, now):
        with pytest.raises(ValidationError) as error:
            self.record(org, hse_specialist, date(2027, 1, 1))
        assert error.value.error_dict["month"][0].code == "in_future"
        assert not HoursWorked.objects.exists()
        assert not AuditEntry.objects.exists()

    def test_the_month_begins_at_midnight_site_time(self, org, hse_specialist, settings):
        # 00:30 on 1 December in Yekaterinburg is still 30 November in UTC.
        with time_machine.travel(datetime(2026, 12, 1, 0, 30, tzinfo=SITE_TZ), tick=False):
            assert self.record(org, hse_specialist, date(2026, 12, 1)).month == date(2026, 12, 1)
        with (
            time_machine.travel(datetime(2026, 11, 30, 23, 30, tzinfo=SITE_TZ), tick=False),
            pytest.raises(ValidationError),
        ):
            self.record(org, hse_specialist, date(2026, 12, 1))

    def test_the_first_month_of_the_records_is_accepted_the_one_before_is_not(self, org, hse_specialist, now):
        assert self.record(org, hse_specialist, date(2000, 1, 31)).month == date(2000, 1, 1)
        with pytest.raises(ValidationError) as error:
            self.record(org, hse_specialist, date(1999, 12, 31))
        assert error.value.error_dict["month"][0].code == "too_early"
        assert HoursWorked.objects.count() == 1

    def test_the_window_follows_the_setting(self, org, hse_specialist, now, settings):
        settings.PORTAL_RECORDS_BEGIN = date(2015, 6, 20)
        assert self.record(org, hse_specialist, date(2015, 6, 1)).month == date(2015, 6, 1)
        with pytest.raises(ValidationError):
            self.record(org, hse_specialist, date(2015, 5, 31))


class TestHoursPermissions:
    @pytest.mark.parametrize("role", ["line_manager", "executive", "pass_admin"])
    def test_a_role_without_the_capability_is_refused(self, org, persona, role):
        with pytest.raises(PermissionDenied):
            hours_worked_record(actor=persona(role), unit=org.crew, month=date(2026, 3, 1), hours=Decimal("10"))
        assert not HoursWorked.objects.exists()
        assert not AuditEntry.objects.exists()

    def test_a_unit_outside_the_scope_is_refused(self, org, outsider):
        with pytest.raises(PermissionDenied):
            hours_worked_record(actor=outsider, unit=org.crew, month=date(2026, 3, 1), hours=Decimal("10"))
        assert not HoursWorked.objects.exists()
        assert not AuditEntry.objects.exists()

    def test_a_unit_deep_under_the_specialists_unit_is_in_scope(self, org, hse_specialist):
        area = UnitFactory(parent=org.crew, kind="area")
        hours_worked_record(actor=hse_specialist, unit=area, month=date(2026, 3, 1), hours=Decimal("10"))
        assert HoursWorked.objects.filter(unit=area).exists()

    @pytest.mark.parametrize("role", ["hse_head", "system_admin"])
    def test_enterprise_wide_roles_record_anywhere(self, org, persona, role):
        hours_worked_record(actor=persona(role), unit=org.other_shop, month=date(2026, 3, 1), hours=Decimal("1"))
        assert HoursWorked.objects.filter(unit=org.other_shop).exists()

    def test_anonymous_and_inactive_users_are_refused(self, org):
        from django.contrib.auth.models import AnonymousUser

        inactive = UserFactory(role="hse_head", is_active=False)
        for actor in (AnonymousUser(), inactive, None):
            with pytest.raises(PermissionDenied):
                hours_worked_record(actor=actor, unit=org.crew, month=date(2026, 3, 1), hours=Decimal("10"))
        assert not HoursWorked.objects.exists()


def person_fields(org, **overrides):
    return {"full_name": "Orlov O. O.", "personnel_number": "N-1", "job_title": "Welder", "unit": org.crew} | overrides


class TestPersonCreate:
    def test_is_logged_with_the_unit(self, org, hse_head):
        person = person_create(actor=hse_head, **person_fields(org))
        entry = AuditEntry.objects.get()
        assert (entry.action, entry.actor, entry.unit, entry.target_id) == (
            "org.person.created",
            hse_head,
            org.crew,
            str(person.pk),
        )
        assert entry.data == {"unit": org.crew.pk}

    def test_rejects_a_duplicate_personnel_number(self, org, hse_head):
        person_create(actor=hse_head, **person_fields(org))
        with pytest.raises(ValidationError) as error:
            person_create(actor=hse_head, **person_fields(org, full_name="B"))
        assert "personnel_number" in error.value.message_dict
        assert Person.objects.filter(personnel_number="N-1").count() == 1
        assert AuditEntry.objects.count() == 1

    @pytest.mark.parametrize(("field", "limit"), [("full_name", 200), ("personnel_number", 30), ("job_title", 200)])
    def test_field_lengths_are_enforced(self, org, hse_head, field, limit):
        person_create(actor=hse_head, **person_fields(org, **{field: "x" * limit}))
        with pytest.raises(ValidationError) as error:
            person_create(actor=hse_head, **person_fields(org, **{"personnel_number": "N-2", field: "y" * (limit + 1)}))
        assert field in error.value.message_dict
        assert Person.objects.count() == 3  # the two of the org fixture and the first one

    @pytest.mark.parametrize("role", ["hse_specialist", "line_manager", "executive", "pass_admin"])
    def test_a_role_without_the_capability_is_refused(self, org, persona, role):
        with pytest.raises(PermissionDenied):
            person_create(actor=persona(role), **person_fields(org))
        assert not Person.objects.filter(personnel_number="N-1").exists()
        assert not AuditEntry.objects.exists()

    def test_an_unknown_field_is_a_programming_error(self, org, hse_head):
        with pytest.raises(ValueError, match="salary"):
            person_create(actor=hse_head, salary=1, **person_fields(org))
        assert not Person.objects.filter(personnel_number="N-1").exists()


class TestPersonUpdate:
    def test_a_move_to_another_unit_is_in_the_trail(self, org, hse_head):
        person = PersonFactory(unit=org.crew)
        person_update(actor=hse_head, person=person, unit=org.shop, job_title="Senior operator")
        entry = AuditEntry.objects.get(action="org.person.updated")
        assert entry.data["changes"] == {
            "unit": [str(org.crew.pk), str(org.shop.pk)],
            "job_title": ["Mechanic", "Senior operator"],
        }
        assert (entry.actor, entry.unit, entry.target_id) == (hse_head, org.shop, str(person.pk))
        person.refresh_from_db()
        assert (person.unit, person.job_title) == (org.shop, "Senior operator")

    def test_booleans_are_logged_as_text(self, org, hse_head):
        person = PersonFactory(unit=org.crew)
        person_update(actor=hse_head, person=person, is_active=False, is_foreman=False)
        assert AuditEntry.objects.get().data == {"changes": {"is_active": ["True", "False"]}}

    def test_no_change_logs_nothing(self, org, hse_head):
        person = PersonFactory(unit=org.crew)
        person_update(actor=hse_head, person=person, unit=org.crew, job_title="Mechanic")
        assert not AuditEntry.objects.exists()

    def test_the_change_is_checked_against_the_stored_row(self, org, hse_head):
        person = PersonFactory(unit=org.crew, job_title="Mechanic")
        Person.objects.filter(pk=person.pk).update(job_title="Fitter")  # another request saved first
        person_update(actor=hse_head, person=person, job_title="Welder")
        assert AuditEntry.objects.get().data == {"changes": {"job_title": ["Fitter", "Welder"]}}

    def test_an_invalid_change_is_refused_and_nothing_is_written(self, org, hse_head):
        person = PersonFactory(unit=org.crew, full_name="Orlov O. O.")
        with pytest.raises(ValidationError):
            person_update(actor=hse_head, person=person, full_name="")
        assert Person.objects.get(pk=person.pk).full_name == "Orlov O. O."
        assert not AuditEntry.objects.exists()

    def test_a_personnel_number_taken_by_another_is_refused(self, org, hse_head):
        other = PersonFactory(unit=org.crew, personnel_number="T-1")
        person = PersonFactory(unit=org.crew)
        with pytest.raises(ValidationError) as error:
            person_update(actor=hse_head, person=person, personnel_number=other.personnel_number)
        assert "personnel_number" in error.value.message_dict
        assert not AuditEntry.objects.exists()

    @pytest.mark.parametrize("role", ["hse_specialist", "line_manager", "executive", "pass_admin"])
    def test_a_role_without_the_capability_is_refused(self, org, persona, role):
        person = PersonFactory(unit=org.crew, job_title="Mechanic")
        with pytest.raises(PermissionDenied):
            person_update(actor=persona(role), person=person, job_title="Welder")
        assert Person.objects.get(pk=person.pk).job_title == "Mechanic"
        assert not AuditEntry.objects.exists()

    def test_an_unknown_field_is_a_programming_error(self, org, hse_head):
        person = PersonFactory(unit=org.crew)
        with pytest.raises(ValueError, match="salary"):
            person_update(actor=hse_head, person=person, salary=1)


@pytest.fixture
def scoped_manager(org, monkeypatch):
    """No role of the design has org.manage with a scope, so the capability table is widened
    for these tests: an HSE specialist of the concentrator who may manage people."""
    from apps.accounts import roles

    monkeypatch.setitem(roles.CAPABILITIES, "org.manage", roles.CAPABILITIES["org.manage"] | {"hse_specialist"})
    return UserFactory(role="hse_specialist", units=[org.shop])


def test_a_manager_may_not_move_a_person_out_of_the_scope(org, scoped_manager):
    person = PersonFactory(unit=org.crew)
    with pytest.raises(PermissionDenied):
        person_update(actor=scoped_manager, person=person, unit=org.other_shop)
    assert Person.objects.get(pk=person.pk).unit == org.crew
    assert not AuditEntry.objects.exists()


def test_a_manager_may_not_edit_a_person_outside_the_scope(org, scoped_manager):
    person = PersonFactory(unit=org.other_shop, job_title="Mechanic")
    with pytest.raises(PermissionDenied):
        person_update(actor=scoped_manager, person=person, unit=org.crew)
    with pytest.raises(PermissionDenied):
        person_create(actor=scoped_manager, **person_fields(org, unit=org.other_shop))
    assert Person.objects.get(pk=person.pk).unit == org.other_shop
    assert not AuditEntry.objects.exists()


def test_a_manager_moves_a_person_inside_the_scope(org, scoped_manager):
    person = PersonFactory(unit=org.crew)
    person_update(actor=scoped_manager, person=person, unit=org.shop)
    assert Person.objects.get(pk=person.pk).unit == org.shop


class TestPersonalNumberTakenBetweenCheckAndInsert:
    """Two requests adding the same personnel number at once both pass full_clean(); the second
    insert hits the unique index. Simulated here by skipping the check (the real race is in
    test_concurrency.py)."""

    @pytest.fixture
    def no_unique_check(self, monkeypatch):
        monkeypatch.setattr(Person, "validate_unique", lambda self, exclude=None: None)

    def test_create_gets_the_same_field_error_as_a_plain_duplicate(self, org, hse_head, no_unique_check):
        taken = Person.objects.get(full_name="Petrov P. P.")
        expected = taken.unique_error_message(Person, ("personnel_number",))
        with pytest.raises(ValidationError) as error:
            person_create(actor=hse_head, **person_fields(org, personnel_number=taken.personnel_number))
        assert error.value.message_dict == {"personnel_number": expected.messages}
        assert error.value.error_dict["personnel_number"][0].code == "unique"
        assert Person.objects.filter(personnel_number=taken.personnel_number).count() == 1
        assert not AuditEntry.objects.exists()

    def test_update_gets_the_field_error_too(self, org, hse_head, no_unique_check):
        taken = Person.objects.get(full_name="Petrov P. P.")
        person = PersonFactory(unit=org.crew)
        with pytest.raises(ValidationError) as error:
            person_update(actor=hse_head, person=person, personnel_number=taken.personnel_number)
        assert list(error.value.message_dict) == ["personnel_number"]
        assert not AuditEntry.objects.exists()

    def test_another_integrity_error_is_not_dressed_up(self, org, hse_head, monkeypatch):
        from django.db import IntegrityError

        person = PersonFactory(unit=org.crew)

        def broken_save(self, *args, **kwargs):
            raise IntegrityError("something else")

        monkeypatch.setattr(Person, "save", broken_save)
        with pytest.raises(IntegrityError):
            person_update(actor=hse_head, person=person, job_title="Welder")
        with pytest.raises(IntegrityError):
            person_create(actor=hse_head, **person_fields(org))


def test_unknown_fields_are_named_in_order(org, hse_head):
    with pytest.raises(ValueError) as error:
        person_create(actor=hse_head, salary=1, grade=2, **person_fields(org))
    assert str(error.value) == "Unknown person field(s): grade, salary"
