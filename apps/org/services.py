"""Writes to the organisation: hours worked per unit and month, people on the units' rolls.

Each service checks the actor's capability in the unit itself (pages and API check too, but a
service is the last word: a task, a shell or a new view gets the same rule), runs in one
transaction and writes one audit entry per committed change. (The transaction is a `with` block,
not the decorator: mutation testing skips decorated functions.)"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.accounts.access import require
from apps.audit.services import log_action
from apps.common.dates import month_start
from apps.common.locking import lock_and_reload

from .models import HoursWorked, Person, StructuralUnit


def hours_worked_record(*, actor, unit: StructuralUnit, month: date, hours: Decimal, reason: str = "") -> HoursWorked:
    """Set a unit's hours worked for a month (one row per unit and month); a correction keeps
    the previous figure in the audit trail.

    Needs "org.record_hours" in the unit. The unit's row is locked first, so two people saving the
    same month at once are applied one after the other: one row, and each audit entry's
    `previous_hours` is the figure the other one saved."""
    with transaction.atomic():
        require(actor, "org.record_hours", unit)
        lock_and_reload(unit)
        month = month_start(month)
        row = HoursWorked.objects.filter(unit=unit, month=month).first()
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
            target=row,  # the entry's unit is the row's
            reason=reason,
            data={
                "month": month.isoformat(),
                "hours": str(row.hours),
                "previous_hours": str(previous) if previous is not None else None,
            },
        )
        return row


PERSON_FIELDS = ("full_name", "personnel_number", "job_title", "unit", "is_foreman", "is_active")


def _check_person_fields(fields) -> None:
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise ValueError(f"Unknown person field(s): {', '.join(sorted(unknown))}")


def _save_person(person: Person) -> None:
    """Save after full_clean(); a personnel number taken by a concurrent request between the
    check and the insert is the same field error, not a server error."""
    person.full_clean()
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as error:
        if Person.objects.filter(personnel_number=person.personnel_number).exclude(pk=person.pk).exists():
            # The very error full_clean() gives when the number was already taken before.
            raise ValidationError(
                {"personnel_number": person.unique_error_message(Person, ("personnel_number",))}
            ) from error
        raise


def person_create(*, actor, **fields) -> Person:
    """Put a person on a unit's roll. Needs "org.manage" in that unit."""
    with transaction.atomic():
        _check_person_fields(fields)
        require(actor, "org.manage", fields.get("unit"))
        person = Person(**fields)
        _save_person(person)
        log_action(actor=actor, action="org.person.created", target=person, data={"unit": person.unit_id})
        return person


def person_update(*, actor, person: Person, **fields) -> Person:
    """Change a person's record; what changed is kept in the audit trail (moves between units too).

    Needs "org.manage" in the person's unit, and in the new unit when the person moves. The row is
    locked and reloaded first, so the trail records the change against what was committed."""
    with transaction.atomic():
        _check_person_fields(fields)
        lock_and_reload(person)
        require(actor, "org.manage", person.unit)
        if "unit" in fields and fields["unit"] != person.unit:
            require(actor, "org.manage", fields["unit"])
        changes = {}
        for name, value in fields.items():
            old = getattr(person, name)
            if old != value:
                changes[name] = [str(getattr(old, "pk", old)), str(getattr(value, "pk", value))]
                setattr(person, name, value)
        if not changes:
            return person
        _save_person(person)
        log_action(actor=actor, action="org.person.updated", target=person, data={"changes": changes})
        return person
