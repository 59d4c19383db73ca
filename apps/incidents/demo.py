"""Demo incidents: two investigated ones (Five Whys, cause tree, actions, approval), one whose
investigation has just opened, and a first-aid case. Idempotent: keyed on each description."""

from datetime import datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

INJURY = {
    "key": "Operator's hand caught between the belt and the tail pulley of conveyor C-3 while clearing spillage.",
    "unit": "crushing",
    "days_ago": 40,
    "fields": {
        "type": "injury", "actual_severity": 4, "potential_severity": 4, "location": "Conveyor C-3, tail pulley",
        "classification": "lost_time", "days_lost": 5,
        "immediate_actions": "Conveyor stopped with the pull-wire; first aid given; taken to the plant clinic.",
    },
    "injured": ("Pavlov D. S.", "Crushed fingers of the left hand", "Left hand",
                "Fracture of the distal phalanx of the 3rd finger; splint, 5 days sick leave", 5),
    "timeline": [(-30, "Spillage reported at the C-3 tail by the shift foreman"), (0, "Hand caught; pull-wire stop"),
                 (10, "First aid at the crushing section"), (45, "Admitted at the plant clinic")],
    "chain": ("Operator's hand caught at the tail pulley of conveyor C-3", [
        "He reached in to clear spillage with the conveyor running",
        "Spillage builds up at the tail pulley every shift and has to be cleared",
        "The skirt seals at the loading chute are worn and not on any inspection list",
        "The maintenance plan has no skirt-seal inspection and the tail guard has no interlock",
    ]),
    "facts": [  # text, unusual, leads to (indexes; 0 = the final event)
        ("Operator's hand caught between belt and tail pulley", False, []),
        ("Operator reaches under the belt with a shovel", False, [0]),
        ("Conveyor running during cleaning", True, [0]),
        ("Tail pulley guard removed", True, [0]),
        ("Spillage piled at the tail pulley", False, [1, 3]),
        ("Skirt seals worn at the loading chute", True, [4]),
        ("Stopping the belt needs a call to the control room", False, [2]),
        ("Guard held by wing nuts, no interlock", False, [3]),
    ],
    "actions": [  # title, level, status, the cause it addresses ("why": the root cause, or a fact index)
        ("Add skirt-seal inspection and a tail-guard check to the weekly maintenance plan", "administrative",
         "verified", "why"),
        ("Interlock the C-3 tail pulley guard with the drive", "engineering", "verified", 3),
        ("Install a local isolation switch at the C-3 tail", "engineering", "verified", 2),
        ("Replace the worn skirt seals at the C-3 loading chute", "engineering", "verified", 5),
    ],
    "status": "closed",
    "coordinator": "specialist",
    "members": ["manager"],
}  # fmt: skip

NEAR_MISS = {
    "key": "A 2-t gearbox swung towards the slinger when the tag line slipped during slewing.",
    "unit": "lifting-crew",
    "days_ago": 25,
    "fields": {
        "type": "near_miss", "actual_severity": 1, "potential_severity": 5, "location": "Repair bay, overhead crane 2",
        "classification": "none", "days_lost": 0, "immediate_actions": "Lift stopped; load lowered; toolbox talk.",
    },
    "injured": None,
    "timeline": [(0, "Load swings 0.5 m from the slinger"), (5, "Lift stopped and load lowered")],
    "chain": ("The load swung within half a metre of the slinger", [
        "The slinger stood in the swing zone to steady the load by hand",
        "The tag line was too short for the lift height",
        "Routine lifts have no lift plan setting tag lines and an exclusion zone",
        "The lifting procedure exempts routine lifts from planning and there is no marked exclusion zone",
    ]),
    "facts": [
        ("Swinging load passes 0.5 m from the slinger", False, []),
        ("Slinger inside the swing zone", True, [0]),
        ("Load swings during slewing", False, [0]),
        ("Tag line 2 m long for a 6 m lift", True, [1, 2]),
        ("No exclusion zone marked on the floor", True, [1]),
        ("Crane slews at full speed", False, [2]),
    ],
    "actions": [
        ("Revise the lifting procedure: no lift is exempt from a lift plan", "administrative", "open", "why"),
        ("Mark and fence exclusion zones under the crane runway", "engineering", "open", 4),
        ("Steer loads with tag lines from outside the swing zone: briefing and spot checks", "administrative",
         "open", 1),
        ("Stock 10 m tag lines in the lifting crew store", "substitution", "in_progress", 3),
    ],
    "status": "approved",
    "coordinator": "specialist",
    "members": ["manager2"],
}  # fmt: skip

TRUCK = {
    "key": "Haul truck HT-12 reversed into a parked pickup at the fuel bay; no one hurt.",
    "unit": "haul-trucks",
    "days_ago": 6,
    "fields": {
        "type": "road", "actual_severity": 2, "potential_severity": 4, "location": "Fuel bay, pit road 2",
        "classification": "none", "days_lost": 0, "immediate_actions": "Area cordoned; vehicles moved.",
    },
    "injured": None, "timeline": [(0, "Truck reverses into the pickup")], "chain": None, "facts": [], "actions": [],
    "status": "opened", "coordinator": "specialist2", "members": [],
}  # fmt: skip

CUT = {
    "key": "Machinist cut a finger on swarf while changing a tool on lathe L-4.",
    "unit": "machining",
    "days_ago": 3,
    "fields": {
        "type": "injury", "actual_severity": 2, "potential_severity": 2, "location": "Lathe L-4",
        "classification": "first_aid", "days_lost": 0, "immediate_actions": "Plaster from the first-aid kit.",
    },
    "injured": ("Egorov A. V.", "Small cut on the right index finger", "Right hand", "Cleaned and dressed", 0),
    "timeline": [], "chain": None, "facts": [], "actions": [], "status": None,
}  # fmt: skip


def _load_one(spec, *, units, users, today):
    from apps.actions.models import Action

    from .models import (
        CauseTreeFact,
        CauseTreeLink,
        Incident,
        Investigation,
        InvolvedPerson,
        TimelineEvent,
        WhyChain,
        WhyStep,
    )

    if Incident.objects.filter(description=spec["key"]).exists():
        return
    occurred = timezone.make_aware(datetime.combine(today - timedelta(days=spec["days_ago"]), time(9, 40)))
    incident = Incident.objects.create(
        unit=units[spec["unit"]], description=spec["key"], occurred_at=occurred, reported_by=users["specialist"],
        **spec["fields"],
    )  # fmt: skip
    if spec["injured"]:
        name, injury, body, diagnosis, leave = spec["injured"]
        InvolvedPerson.objects.create(
            incident=incident, role="injured", name=name, injury_description=injury, body_part=body,
            diagnosis=diagnosis, sick_leave_days=leave,
        )  # fmt: skip
    for minutes, text in spec["timeline"]:
        TimelineEvent.objects.create(incident=incident, at=occurred + timedelta(minutes=minutes), description=text)
    if not spec["status"]:
        return
    deadline = Investigation.deadline_for(incident)
    approved = spec["status"] in ("approved", "closed")
    investigation = Investigation.objects.create(
        incident=incident, coordinator=users[spec["coordinator"]], deadline=deadline, status=spec["status"],
        approved_by=users["head"] if approved else None,
        approved_at=timezone.make_aware(datetime.combine(deadline - timedelta(days=1), time(15))) if approved else None,
        approval_note="Causes are system causes; actions above the administrative level." if approved else "",
        closed_at=timezone.now() - timedelta(days=2) if spec["status"] == "closed" else None,
    )  # fmt: skip
    investigation.members.set([users[name] for name in spec["members"]])
    root = None
    if spec["chain"]:
        problem, answers = spec["chain"]
        chain = WhyChain.objects.create(investigation=investigation, problem_statement=problem)
        for order, answer in enumerate(answers, start=1):
            root = WhyStep.objects.create(chain=chain, order=order, answer=answer, is_root_cause=order == len(answers))
    facts = []
    for index, (text, unusual, _leads) in enumerate(spec["facts"]):
        facts.append(
            CauseTreeFact.objects.create(
                investigation=investigation, text=text, is_unusual=unusual, is_final_event=index == 0
            )
        )
    for index, (_text, _unusual, leads) in enumerate(spec["facts"]):
        for target in leads:
            CauseTreeLink.objects.create(investigation=investigation, antecedent=facts[index], consequent=facts[target])
    step_type = ContentType.objects.get_for_model(WhyStep)
    fact_type = ContentType.objects.get_for_model(CauseTreeFact)
    now = timezone.now()
    for title, level, status, address in spec["actions"]:
        cause = root if address == "why" else facts[address]
        if not Action.objects.filter(title=title, unit=incident.unit).exists():
            done = status in ("done", "verified")
            owner = users["manager2" if spec["unit"] == "lifting-crew" else "manager"]
            Action.objects.create(
                title=title, unit=incident.unit, owner=owner,
                due_date=today + timedelta(days=20), control_level=level, status=status,
                created_by=users[spec["coordinator"]],
                source_type=step_type if cause is root else fact_type, source_id=cause.pk,
                completed_at=now - timedelta(days=5) if done else None,
                completed_by=users["manager"] if done else None, evidence="Done; photos attached." if done else "",
                verified_at=now - timedelta(days=3) if status == "verified" else None,
                verified_by=users["head"] if status == "verified" else None,
                is_effective=True if status == "verified" else None,
                verification_note="Checked on site." if status == "verified" else "",
            )  # fmt: skip


def load_demo(*, units: dict, users: dict, today) -> int:
    """Demo records of this app; idempotent. Returns how many there are."""
    from .models import Incident

    for spec in (INJURY, NEAR_MISS, TRUCK, CUT):
        _load_one(spec, units=units, users=users, today=today)
    return Incident.objects.filter(description__in=[s["key"] for s in (INJURY, NEAR_MISS, TRUCK, CUT)]).count()
