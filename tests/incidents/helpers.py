"""Incident records for tests, created directly (not through the services) so any state is possible."""

from datetime import UTC, datetime, timedelta

from apps.incidents.models import Incident, Investigation, InvolvedPerson

DIAGNOSIS = "Fracture of the left radius, plaster cast"


def make_incident(unit, reporter, **fields):
    values = {
        "type": Incident.Type.INJURY,
        "actual_severity": 3,
        "potential_severity": 4,
        "occurred_at": datetime(2026, 10, 5, 9, 30, tzinfo=UTC),
        "location": "Conveyor 3 tail pulley",
        "description": "Hand caught at the tail pulley while cleaning spillage.",
        "classification": Incident.Classification.LOST_TIME,
        "days_lost": 5,
        "reported_by": reporter,
    }
    values.update(fields)
    return Incident.objects.create(unit=unit, **values)


def make_injured(incident):
    return InvolvedPerson.objects.create(
        incident=incident,
        role=InvolvedPerson.Role.INJURED,
        name="Ivanov I. I.",
        injury_description="Crushed fingers",
        body_part="Left hand",
        diagnosis=DIAGNOSIS,
        sick_leave_days=5,
    )


def make_investigation(incident, coordinator, members=(), **fields):
    investigation = Investigation.objects.create(
        incident=incident,
        coordinator=coordinator,
        deadline=fields.pop("deadline", incident.occurred_at.date() + timedelta(days=10)),
        **fields,
    )
    investigation.members.set(members)
    return investigation
