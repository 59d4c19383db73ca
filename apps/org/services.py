from datetime import date
from decimal import Decimal

from django.db import transaction

from apps.audit.services import log_action

from .models import HoursWorked, Person, StructuralUnit


@transaction.atomic
def hours_worked_record(*, actor, unit: StructuralUnit, month: date, hours: Decimal, reason: str = "") -> HoursWorked:
    """Set a unit's hours worked for a month (one row per unit and month); a correction keeps
    the previous figure in the audit trail."""
    month = month.replace(day=1)
    row = HoursWorked.objects.select_for_update().filter(unit=unit, month=month).first()
    previous = row.hours if row else None
    if row is None:
        row = HoursWorked(unit=unit, month=month, hours=hours)
    else:
        row.hours = hours
    row.full_clean()
    row.save()
    log_action(
        actor=actor,
        action="org.hours_worked.recorded",
        target=row,
        unit=unit,
        reason=reason,
        data={
            "month": month.isoformat(),
            "hours": str(hours),
            "previous_hours": str(previous) if previous is not None else None,
        },
    )
    return row


PERSON_FIELDS = ("full_name", "personnel_number", "job_title", "unit", "is_foreman", "is_active")


@transaction.atomic
def person_create(*, actor, **fields) -> Person:
    person = Person(**fields)
    person.full_clean()
    person.save()
    log_action(actor=actor, action="org.person.created", target=person, data={"unit": person.unit_id})
    return person


@transaction.atomic
def person_update(*, actor, person: Person, **fields) -> Person:
    """Change a person's record; what changed is kept in the audit trail (moves between units too)."""
    changes = {}
    for name, value in fields.items():
        if name not in PERSON_FIELDS:
            raise ValueError(f"Unknown person field {name!r}")
        old = getattr(person, name)
        if old != value:
            changes[name] = [str(getattr(old, "pk", old)), str(getattr(value, "pk", value))]
            setattr(person, name, value)
    person.full_clean()
    person.save()
    if changes:
        log_action(actor=actor, action="org.person.updated", target=person, data={"changes": changes})
    return person
