"""Incident records for tests, created directly (not through the services) so any state is possible."""

import io
from datetime import UTC, datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.incidents.models import Incident, Investigation, InvolvedPerson

DIAGNOSIS = "Fracture of the left radius, plaster cast"


def soon():
    """A due date inside the planning window: a month from today."""
    return timezone.localdate() + timedelta(days=30)


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


def jpeg(name="scene.jpg", size=(4, 4)):
    """A real (tiny) JPEG photo, as a browser uploads it."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def planned_and_covered(incident, coordinator, *, status="actions_planned", **fields):
    """An investigation whose Five Whys end in a root cause with an open action: ready for the HSE
    head's approval (or, with `status="approved"` and an approver, for closing)."""
    from apps.actions.models import Action
    from apps.incidents.models import WhyChain, WhyStep

    investigation = make_investigation(incident, coordinator, status=status, **fields)
    chain = WhyChain.objects.create(investigation=investigation, problem_statement="Hand caught")
    root = WhyStep.objects.create(chain=chain, order=1, answer="No interlock on the guard", is_root_cause=True)
    Action.objects.create(
        title="Fit an interlock", unit=incident.unit, owner=coordinator, created_by=coordinator, due_date=soon(),
        control_level="engineering", source_record=root,
    )  # fmt: skip
    return investigation
