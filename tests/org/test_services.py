from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.audit.models import AuditEntry
from apps.org.models import HoursWorked
from apps.org.services import hours_worked_record, person_create, person_update
from tests.factories import PersonFactory


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
    assert latest.reason == "HR correction"
    assert latest.data == {"month": "2026-03-01", "hours": "1250.5", "previous_hours": "1200.0"}


def test_negative_hours_are_refused_and_nothing_is_logged(org, hse_specialist):
    with pytest.raises(ValidationError) as error:
        hours_worked_record(actor=hse_specialist, unit=org.crew, month=date(2026, 3, 1), hours=Decimal("-5"))
    assert "hours" in error.value.message_dict
    assert not HoursWorked.objects.exists()
    assert not AuditEntry.objects.exists()


def test_person_move_to_another_unit_is_in_the_trail(org, hse_head):
    person = PersonFactory(unit=org.crew)
    person_update(actor=hse_head, person=person, unit=org.shop, job_title="Senior operator")
    entry = AuditEntry.objects.get(action="org.person.updated")
    assert entry.data["changes"]["unit"] == [str(org.crew.pk), str(org.shop.pk)]
    assert entry.data["changes"]["job_title"] == ["Mechanic", "Senior operator"]


def test_person_update_with_no_change_logs_nothing(org, hse_head):
    person = PersonFactory(unit=org.crew)
    person_update(actor=hse_head, person=person, unit=org.crew)
    assert not AuditEntry.objects.exists()


def test_person_create_rejects_a_duplicate_personnel_number(org, hse_head):
    person_create(actor=hse_head, full_name="A", personnel_number="X-1", job_title="Welder", unit=org.crew)
    with pytest.raises(ValidationError):
        person_create(actor=hse_head, full_name="B", personnel_number="X-1", job_title="Welder", unit=org.crew)
