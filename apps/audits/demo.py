"""Demo safety audits: two checklists (one with a second version), the audit plan of this and
last month for both HSE specialists, two audits completed last month with findings, and
planned audits waiting to be started this month."""

import io
from datetime import date, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

WALK_THROUGH = [
    (
        "Housekeeping",
        "Walkways and stairs clear of material, spills and trip hazards",
        2,
        "Look behind equipment and under conveyors, not only at the main walkway.",
    ),
    ("Housekeeping", "Materials and spare parts stored in marked areas, stacked stable", 1, ""),
    (
        "Machine guarding",
        "Guards fitted on all moving parts: belts, couplings, tail pulleys",
        3,
        "Try the guard: it must need a tool to remove.",
    ),
    ("Machine guarding", "Emergency pull-cords and stop buttons reachable and tested", 3, ""),
    (
        "Energy isolation (LOTO)",
        "Equipment under repair isolated, locked and tagged by each worker",
        3,
        "Ask the fitter to show their own lock and the zero-energy check.",
    ),
    ("Energy isolation (LOTO)", "Isolation points labelled; LOTO station stocked", 2, ""),
    ("PPE", "Hard hats, safety glasses and boots worn by everyone in the area", 2, ""),
    ("PPE", "Hearing protection worn in marked noise zones", 2, ""),
    ("Lifting gear", "Slings, shackles and chain blocks tagged with a valid inspection date", 2, ""),
    ("Electrical", "Cabinets closed, cables undamaged, no improvised connections", 3, ""),
    ("Emergency", "Emergency exits and escape routes marked and unobstructed", 3, ""),
    ("Emergency", "Fire extinguishers in place, inspected, not blocked", 2, ""),
]
WALK_THROUGH_V2_CHANGE = (
    8,  # the hearing-protection item, made more specific in version 2
    (
        "PPE",
        "Hearing protection worn in marked noise zones; noise signs legible at every entry",
        2,
        "Stand at each entry to the zone: the sign must be readable from there.",
    ),
)

LIFTING = [
    ("Preparation", "Lift plan or work permit issued for the lift and signed by the supervisor", 3, ""),
    ("Preparation", "Load weight known and within the crane's rated capacity at the radius", 3, ""),
    ("Equipment", "Crane daily inspection logbook filled in for this shift", 2, ""),
    (
        "Equipment",
        "Slings and shackles tagged, inspection in date, no visible damage",
        3,
        "Reject any sling without a legible tag.",
    ),
    ("Equipment", "Limit switches and load indicator working", 2, ""),
    ("Execution", "Exclusion zone barriered; no one under the suspended load", 3, ""),
    ("Execution", "Slinger and crane operator certified; one signaller agreed", 2, ""),
    ("Execution", "Tag lines used to control the load", 1, ""),
    ("Execution", "Ground conditions and outrigger pads checked (mobile cranes)", 2, ""),
]

# unit codes per specialist, and which checklist: this month and last month
PLAN = {
    "specialist": {
        "previous": [("concentrator", "walk-through"), ("crushing", "walk-through"),
                     ("lifting-crew", "lifting-operations"), ("machining", "walk-through")],
        "current": [("flotation", "walk-through"), ("repair-shop", "walk-through"),
                    ("lifting-crew", "lifting-operations"), ("crushing", "walk-through")],
    },
    "specialist2": {
        "previous": [("ug-mine", "walk-through"), ("ug-crew-1", "walk-through"), ("haul-trucks", "walk-through")],
        "current": [("ug-crew-1", "walk-through"), ("haul-trucks", "walk-through"),
                    ("light-vehicles", "walk-through")],
    },
}  # fmt: skip

# Last month's completed audits: unit, checklist, day of month, {item order: (result, comment)}
COMPLETED = [
    ("concentrator", "walk-through", 9, "manager", {
        1: ("non_compliant", "Slurry spill on the walkway at flotation cell 4; no barrier, workers stepping through."),
        3: ("non_compliant", "Tail pulley guard of conveyor C-12 removed for cleaning and not refitted."),
        9: ("not_applicable", ""),
    }),
    ("lifting-crew", "lifting-operations", 16, "manager2", {
        4: ("non_compliant", "Two chain slings in the rigging loft without inspection tags."),
        9: ("not_applicable", ""),
    }),
]  # fmt: skip


def _demo_photo(label: str) -> ContentFile:
    """A small generated picture standing in for a photo taken on the floor."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 420), (92, 98, 104))
    draw = ImageDraw.Draw(image)
    for x in range(-420, 640, 60):
        draw.polygon([(x, 420), (x + 30, 420), (x + 450, 0), (x + 420, 0)], fill=(242, 183, 5))
    draw.rectangle([20, 20, 620, 80], fill=(255, 255, 255))
    draw.text((32, 40), label, fill=(20, 83, 45))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return ContentFile(buffer.getvalue(), name="demo-photo.jpg")


def _version(template, number, rows, head, notes=""):
    from .models import ChecklistItem, ChecklistTemplateVersion

    version, created = ChecklistTemplateVersion.objects.get_or_create(
        template=template, number=number, defaults={"published_by": head, "notes": notes}
    )
    if created:
        ChecklistItem.objects.bulk_create(
            ChecklistItem(version=version, order=order, section=section, text=text, weight=weight, guidance=guidance)
            for order, (section, text, weight, guidance) in enumerate(rows, start=1)
        )
    return version


def _previous_month(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


def load_demo(*, units: dict, users: dict, today) -> int:
    """Demo records of this app; idempotent. Returns how many audits and planned audits of its
    two months there are."""
    from apps.actions.models import Action

    from .models import Audit, AuditAnswer, AuditPlanEntry, ChecklistTemplate, compute_score

    head = users["head"]
    walk, _ = ChecklistTemplate.objects.get_or_create(
        code="walk-through",
        defaults={
            "name": "Workplace safety walk-through",
            "description": "Monthly walk-through of a shop or area: housekeeping, guarding, LOTO, PPE, "
            "lifting gear, electrical safety and emergency readiness.",
        },
    )
    walk_v1 = _version(walk, 1, WALK_THROUGH, head)
    order, changed = WALK_THROUGH_V2_CHANGE
    v2_rows = [changed if index == order else row for index, row in enumerate(WALK_THROUGH, start=1)]
    _version(walk, 2, v2_rows, head, notes="Hearing protection: noise signs at every entry added to the check.")
    lifting, _ = ChecklistTemplate.objects.get_or_create(
        code="lifting-operations",
        defaults={
            "name": "Lifting operations",
            "description": "Audit of a crane or hoist lift in progress: planning, equipment and execution.",
        },
    )
    lifting_v1 = _version(lifting, 1, LIFTING, head)
    templates = {"walk-through": walk, "lifting-operations": lifting}
    # Last month's audits were conducted against the versions in force then.
    versions_then = {"walk-through": walk_v1, "lifting-operations": lifting_v1}

    this_month = today.replace(day=1)
    months = {"current": this_month, "previous": _previous_month(this_month)}
    entries = {}
    for username, plan in PLAN.items():
        for period, rows in plan.items():
            for unit_code, template_code in rows:
                entry, _ = AuditPlanEntry.objects.get_or_create(
                    unit=units[unit_code],
                    auditor=users[username],
                    month=months[period],
                    template=templates[template_code],
                    defaults={"planned_by": head},
                )
                entries[(username, period, unit_code, template_code)] = entry

    tz = timezone.get_current_timezone()
    for unit_code, template_code, day, owner, results in COMPLETED:
        entry = entries[("specialist", "previous", unit_code, template_code)]
        if Audit.objects.filter(plan_entry=entry).exists():
            continue
        started = datetime.combine(months["previous"].replace(day=day), time(9, 30), tzinfo=tz)
        audit = Audit.objects.create(
            plan_entry=entry,
            unit=entry.unit,
            auditor=users["specialist"],
            template_version=versions_then[template_code],
            status=Audit.Status.COMPLETED,
            started_at=started,
            completed_at=started + timedelta(hours=1, minutes=40),
        )
        answers = []
        for item in audit.template_version.items.order_by("order"):
            result, comment = results.get(item.order, ("compliant", ""))
            answer = AuditAnswer.objects.create(
                audit=audit, item=item, result=result, comment=comment, answered_at=started
            )
            if result == "non_compliant":
                answer.photo.save("demo.jpg", _demo_photo(f"{entry.unit.name}: item {item.order}"), save=False)
                # Created directly: the due date (14 days after last month's audit) may be past.
                Action.objects.create(
                    title=item.text[:300],
                    description=comment,
                    unit=audit.unit,
                    owner=users[owner],
                    due_date=started.date() + timedelta(days=14),
                    control_level=Action.ControlLevel.ENGINEERING
                    if item.order == 3
                    else Action.ControlLevel.ADMINISTRATIVE,
                    source_type_id=_content_type_id(answer),
                    source_id=answer.pk,
                    created_by=users["specialist"],
                )
                answer.save()
            answers.append(answer)
        audit.score = compute_score(answers)
        audit.save(update_fields=["score"])
    # The demo's own rows (the two months above): a year of history may be loaded beside them.
    return Audit.objects.filter(plan_entry__in=entries.values()).count() + len(entries)


def _content_type_id(obj) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk
