"""Demo trainings: seven courses, what they are required of (job titles, the concentrator and the
mine, every contractor zone), four internal trainers (the two HSE specialists, the concentrator's
head and the HSE head), a year and more of delivered sessions with attendance and feedback, and a
few sessions planned in the coming weeks.

The matrix shows every state in several units: most trainings valid, some running out within 30
days, some that ran out, some never taken (a failed test or an absence counts as none). Every
contractor worker holding a pass has a site induction in force, except one, whose induction ran
out five days ago: this morning's check of their pass at the concentrator gate, made through the
gate service, turned them away saying "the training in Site induction … ran out".

Idempotent: keyed on the courses' codes. Deterministic: a fixed seed, dates counted from `today`.
Rows are written in bulk (the audit trail of the demo's history is not replayed)."""

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from apps.accounts.access import unit_in_scope
from apps.contractors import gate
from apps.contractors import services as contractor_services
from apps.contractors.models import AccessPass, ContractorCompany, ContractorWorker, WorkOrder
from apps.org.models import Person

from .models import Attendance, Course, Trainer, TrainingRequirement, TrainingSession
from .services import add_months

# code, name, validity (months), usual hours, what it teaches
COURSES = [
    ("defensive-driving", "Defensive driving", 36, 8, "Hazard perception, speed and distance, driving on haul roads "
     "and underground, fatigue."),
    ("first-aid", "First aid", 12, 8, "Primary survey, CPR and defibrillator, bleeding control, the recovery "
     "position, calling for help on site."),
    ("loto", "Energy isolation (LOTO)", 12, 4, "Identifying energy sources, isolating, locking and tagging, "
     "verifying zero energy, group isolation."),
    ("work-at-height", "Work at height", 12, 6, "Fall protection hierarchy, harness and lanyard checks, anchor "
     "points, rescue plans."),
    ("site-induction", "Site induction", 12, 2, "Site rules, hazards of the plant and the mine, emergency "
     "routes, permits to work, reporting."),
    ("lifting-operations", "Lifting operations", 24, 6, "Lifting plans, slinging, signals, load charts, "
     "exclusion zones."),
    ("confined-space", "Confined space entry", 12, 4, "Permits, gas testing, ventilation, the standby person and "
     "rescue."),
]  # fmt: skip

# (course, job title, unit code or None)
JOB_REQUIREMENTS = [
    ("lifting-operations", "Crane operator", None),
    ("lifting-operations", "Slinger", None),
    ("lifting-operations", "Lifting foreman", None),
    ("defensive-driving", "Haul truck driver", None),
    ("defensive-driving", "Bus driver", None),
    ("defensive-driving", "Load-haul-dump operator", None),
    ("loto", "Electrician", None),
    ("loto", "Mechanic", "repair-shop"),
    ("loto", "Crusher operator", None),
    ("work-at-height", "Welder", None),
    ("work-at-height", "Mechanic", "repair-shop"),
    ("confined-space", "Miner", "ug-mine"),
]
UNIT_REQUIREMENTS = [("first-aid", "concentrator"), ("first-aid", "ug-mine")]
# A requirement on a unit covers the zones under it: every zone the demo passes open sits under one.
ZONE_REQUIREMENTS = [("site-induction", code) for code in ("concentrator", "repair-shop", "ug-mine", "transport")]

# username -> [(course, how they qualified)]
TRAINERS = {
    "specialist": [
        ("first-aid", "Red Cross first aid instructor, certificate RC-2019-0412"),
        ("loto", "Train-the-trainer in energy isolation (LOTO), certificate EI-2020-117"),
        ("work-at-height", "Work at height instructor course, certificate WH-2020-033"),
        ("lifting-operations", "Slinging and lifting instructor, Rostekhnadzor-approved programme"),
    ],
    "specialist2": [
        ("defensive-driving", "Defensive driving instructor (Smith System), certificate DD-2019-88"),
        ("confined-space", "Confined space supervisor and instructor, certificate CS-2020-21"),
        ("first-aid", "Red Cross first aid instructor, certificate RC-2020-0977"),
        ("site-induction", "Prepared the contractors' site induction with the HSE head"),
    ],
    "manager": [
        ("first-aid", "First aid instructor course 2021; teaches his shop's refreshers"),
        ("loto", "Wrote the concentrator's isolation procedures; train-the-trainer 2021"),
    ],
    "head": [
        ("site-induction", "Author of the site induction programme"),
        ("work-at-height", "Work at height instructor, certificate WH-2018-002"),
    ],
}

# The share of people in each state of a required course (the rest valid).
EXPIRING_SHARE, EXPIRED_SHARE, MISSING_SHARE = 0.14, 0.11, 0.12
PLACES = ["Training room, administration building", "Concentrator control room annex", "Mine training centre",
          "Repair shop briefing room", "Transport shop classroom"]  # fmt: skip
COMMENTS = ["Practical and to the point.", "More hands-on practice, please.", "Good examples from our own shop.",
            "The video was hard to hear.", "Finally understood the why behind the rule.", ""]  # fmt: skip
# Sessions planned in the coming weeks: course, unit, days ahead, trainer, hours of preparation so far.
PLANNED = [
    ("first-aid", "concentrator", 9, "manager", 2),
    ("loto", "repair-shop", 14, "specialist", 3),
    ("defensive-driving", "transport", 20, "specialist2", 4),
    ("site-induction", "concentrator", 5, "head", 1),
    ("work-at-height", "repair-shop", 27, "specialist", 0),
]
EXPIRED_INDUCTION_DAYS = 5  # the contractor worker refused at the gate: their induction ran out this long ago
GATE = "Concentrator gate"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def load_demo(*, units: dict, users: dict, today: date) -> int:
    """Demo records of this app; idempotent. Returns how many demo sessions there are."""
    codes = [row[0] for row in COURSES]
    if not Course.objects.filter(code__in=codes).exists():
        _load(units=units, users=users, today=today)
    return TrainingSession.objects.filter(course__code__in=codes).count()


class _Builder:
    """Sessions keyed by (course, unit, date), with their attendees, written in bulk at the end."""

    def __init__(self, rng: random.Random, trainers: dict, users: dict, today: date):
        self.rng, self.trainers, self.users, self.today = rng, trainers, users, today
        self.sessions: dict[tuple, TrainingSession] = {}
        self.attendees: dict[tuple, list[dict]] = defaultdict(list)
        self.turn: dict[str, int] = defaultdict(int)

    def session(self, course: Course, unit, day: date, *, trainer=None, status=TrainingSession.Status.DELIVERED):
        key = (course.code, unit.pk, day)
        if key not in self.sessions:
            if trainer is None:
                # The trainers who cover the unit take the session in turn (any of them, if none does).
                teachers = [t for t in self.trainers[course.code] if unit_in_scope(t, unit)]
                teachers = teachers or self.trainers[course.code]
                trainer = teachers[self.turn[course.code] % len(teachers)]
                self.turn[course.code] += 1
            delivered = status == TrainingSession.Status.DELIVERED
            self.sessions[key] = TrainingSession(
                course=course, trainer=trainer, unit=unit, date=day, hours=course.default_hours,
                preparation_hours=Decimal(self.rng.choice([0, 1, 2, 2, 3, 4, 6])), place=self.rng.choice(PLACES),
                status=status, created_by=trainer, created_at=_at(day - timedelta(days=21), 10),
                delivered_at=_at(day, 17) if delivered else None,
                result="All attendees took the practical test." if delivered else "",
            )  # fmt: skip
        return key

    def attend(self, key, *, person=None, worker=None, presence="present", passed=True, feedback=True):
        if any(a["person"] == person and a["worker"] == worker for a in self.attendees[key]):
            return  # on the list already
        self.attendees[key].append(
            {"person": person, "worker": worker, "presence": presence, "passed": passed, "feedback": feedback}
        )

    def code(self) -> str:
        return "".join(self.rng.choice(CODE_ALPHABET) for _ in range(16))

    def save(self) -> None:
        keys = list(self.sessions)
        for key in keys:  # a delivered session had someone there: the absent who turned up, failed
            attendees = self.attendees[key]
            delivered = self.sessions[key].status == TrainingSession.Status.DELIVERED
            if delivered and attendees and not any(a["presence"] == "present" for a in attendees):
                attendees[0].update(presence="present", passed=False)
        TrainingSession.objects.bulk_create([self.sessions[key] for key in keys])
        rows = []
        for key in keys:
            session = self.sessions[key]
            for attendee in self.attendees[key]:
                delivered = session.status == TrainingSession.Status.DELIVERED
                present = delivered and attendee["presence"] == "present"
                passed = attendee["passed"] if present else None
                scored = present and attendee["feedback"] and self.rng.random() < 0.8
                rows.append(
                    Attendance(
                        session=session,
                        person=attendee["person"],
                        contractor_worker=attendee["worker"],
                        presence=attendee["presence"] if delivered else Attendance.Presence.REGISTERED,
                        passed=passed,
                        valid_until=add_months(session.date, session.course.validity_months) if passed else None,
                        certificate_code=self.code() if passed else None,
                        marked_by=session.trainer if delivered else None,
                        marked_at=_at(session.date, 16) if delivered else None,
                        feedback_score=self.rng.choice([3, 4, 4, 5, 5, 5]) if scored else None,
                        feedback_comment=self.rng.choice(COMMENTS) if scored else "",
                    )  # fmt: skip
                )
        Attendance.objects.bulk_create(rows, batch_size=500)


def _slots(course: Course, today: date, rng: random.Random) -> dict[str, list[date]]:
    """Session dates giving each state today: valid, running out within 30 days, run out."""
    months = course.validity_months
    renewal = add_months(today, -months)  # a session on this day is valid until today
    valid_back = [300, 210, 130, 60, 25] if months == 12 else [520, 330, 160, 45]
    return {
        "valid": [today - timedelta(days=days + rng.randint(0, 6)) for days in valid_back],
        "expiring": [renewal + timedelta(days=days) for days in (4, 19)],
        "expired": [renewal - timedelta(days=days) for days in (9, 33)],
    }


def _load(*, units: dict, users: dict, today: date) -> None:
    rng = random.Random(2612)
    courses = {}
    for code, name, months, hours, description in COURSES:
        courses[code] = Course.objects.create(
            code=code, name=name, validity_months=months, default_hours=hours, description=description
        )

    created = timezone.now() - timedelta(days=400)
    requirements = [
        TrainingRequirement(course=courses[course], applies_to="job_title", job_title=title,
                            unit=units[unit] if unit else None, created_at=created)
        for course, title, unit in JOB_REQUIREMENTS
    ]  # fmt: skip
    requirements += [
        TrainingRequirement(course=courses[course], applies_to="unit", unit=units[unit], created_at=created)
        for course, unit in UNIT_REQUIREMENTS
    ]
    requirements += [
        TrainingRequirement(course=courses[course], applies_to="contractor_zone", unit=units[unit], created_at=created)
        for course, unit in ZONE_REQUIREMENTS
    ]
    TrainingRequirement.objects.bulk_create(requirements)

    qualified_on = today - timedelta(days=1500)  # before the oldest demo session
    trainers: dict[str, list] = defaultdict(list)
    rows = []
    for username, qualifications in TRAINERS.items():
        for offset, (course, how) in enumerate(qualifications):
            user = users[username]
            since = qualified_on + timedelta(days=offset * 40)
            rows.append(Trainer(user=user, course=courses[course], qualified_on=since, qualification=how))
            trainers[course].append(user)
    Trainer.objects.bulk_create(rows)

    builder = _Builder(rng, trainers, users, today)
    _employees(builder, courses, today, unit_ids=[unit.pk for unit in units.values()])
    refused = _contractors(builder, courses["site-induction"], users, today)
    for course, unit, ahead, trainer, preparation in PLANNED:
        key = builder.session(courses[course], units[unit], today + timedelta(days=ahead), trainer=users[trainer],
                              status=TrainingSession.Status.PLANNED)  # fmt: skip
        builder.sessions[key].preparation_hours = Decimal(preparation)
    _register_for_planned(builder, courses, units, today)
    if refused is not None:  # the worker refused at the gate is booked on the next induction
        key = (courses["site-induction"].code, units["concentrator"].pk, today + timedelta(days=5))
        if key in builder.sessions:
            builder.attend(key, worker=refused.holder)
    builder.save()

    if refused is not None:
        # This morning at the concentrator gate, through the gate service: turned away for the
        # induction that ran out (the check says which training and since when).
        contractor_services.gate_check(actor=users["passoffice"], number=refused.number, checkpoint=GATE)


def _host(unit):
    """Where a unit's people are trained: its shop (the unit above a crew or an area)."""
    return unit.parent if unit.parent_id else unit


def _employees(builder: _Builder, courses: dict, today: date, *, unit_ids) -> None:
    """Each person's required courses: most passed in time, some running out, some run out, some
    never taken (a few of those failed the test or missed the session). The demo units' people
    and the demo's courses only (a plant-scale database holds others)."""
    from .matrix import required_courses_for

    demo_people = Person.objects.filter(is_active=True, unit__in=unit_ids).select_related("unit__parent")
    people = list(demo_people.order_by("personnel_number"))
    required = required_courses_for(people)
    by_id = {course.pk: course for course in courses.values()}
    slots = {course.pk: _slots(course, today, builder.rng) for course in courses.values()}
    for person in people:
        for course_id in sorted(required[person.pk] & by_id.keys()):
            course = by_id[course_id]
            draw = builder.rng.random()
            if draw < MISSING_SHARE:
                if draw < MISSING_SHARE / 2:  # at a session, but no pass: absent or failed
                    day = builder.rng.choice(slots[course_id]["valid"])
                    key = builder.session(course, _host(person.unit), day)
                    failed = draw < MISSING_SHARE / 4
                    builder.attend(key, person=person, presence="present" if failed else "absent",
                                   passed=False if failed else None, feedback=failed)  # fmt: skip
                    if not any(a["passed"] for a in builder.attendees[key]):
                        _one_who_passed(builder, key, course, _host(person.unit), required, people)
                continue
            if draw < MISSING_SHARE + EXPIRED_SHARE:
                state = "expired"
            elif draw < MISSING_SHARE + EXPIRED_SHARE + EXPIRING_SHARE:
                state = "expiring"
            else:
                state = "valid"
            day = builder.rng.choice(slots[course_id][state])
            builder.attend(builder.session(course, _host(person.unit), day), person=person)


def _one_who_passed(builder: _Builder, key, course, unit, required, people) -> None:
    """A delivered session has someone present: a colleague of the unit who retook the course then."""
    for other in people:
        on_it = any(a["person"] == other for a in builder.attendees[key])
        if _host(other.unit).pk == unit.pk and course.pk in required[other.pk] and not on_it:
            builder.attend(key, person=other)
            return


def _register_for_planned(builder: _Builder, courses: dict, units: dict, today: date) -> None:
    """The planned sessions' attendees: people of the unit whose training in the course runs out."""
    planned = [key for key, s in builder.sessions.items() if s.status == TrainingSession.Status.PLANNED]
    for key in planned:
        session = builder.sessions[key]
        seen = set()
        for other_key, attendees in list(builder.attendees.items()):
            other = builder.sessions[other_key]
            if other.course_id != session.course_id or other.status != TrainingSession.Status.DELIVERED:
                continue
            if other.unit_id != session.unit_id:
                continue
            until = add_months(other.date, other.course.validity_months)
            for attendee in attendees:
                person = attendee["person"]
                due = until <= today + timedelta(days=40)
                if person is not None and attendee["passed"] and due and person.pk not in seen:
                    seen.add(person.pk)
                    builder.attend(key, person=person)


def _contractors(builder: _Builder, induction: Course, users: dict, today: date):
    """Site inductions of the contractor workers holding a pass; one ran out. Returns that pass."""
    passes = list(
        AccessPass.objects.filter(holder__company__tax_number__startswith="510301")
        .select_related("holder", "company", "work_order")
        .prefetch_related("holder__documents", "zones")
        .order_by("pk")
    )
    if not passes:
        return None
    refused = None
    for access_pass in passes:
        if (
            access_pass.status == AccessPass.Status.ACTIVE
            and access_pass.company.status == ContractorCompany.Status.APPROVED
            and access_pass.work_order is not None
            and access_pass.work_order.status == WorkOrder.Status.IN_PROGRESS
        ):
            others = gate.refusals_for(access_pass, today=today, documents=list(access_pass.holder.documents.all()))
            if {r.code for r in others} <= {"training_missing"}:  # only the training is wanting
                refused = access_pass
                break
    unit_of = {}
    for access_pass in passes:
        zones = list(access_pass.zones.all())
        unit_of.setdefault(access_pass.holder_id, zones[0] if zones else access_pass.work_order.unit)
    workers = ContractorWorker.objects.filter(pk__in=unit_of).order_by("pk")
    renewal = add_months(today, -induction.validity_months)
    monthly = [today - timedelta(days=days) for days in (12, 41, 75, 110, 160, 220, 290)]
    head = users["head"]
    for worker in workers:
        if refused is not None and worker.pk == refused.holder_id:
            day = renewal - timedelta(days=EXPIRED_INDUCTION_DAYS)  # valid until five days ago
        else:
            day = builder.rng.choice(monthly)
        # Inductions are held in the zone's shop (the top of its tree), by the HSE head or the mine's specialist.
        zone = unit_of[worker.pk]
        while zone.parent_id is not None:
            zone = zone.parent
        trainer = head if zone.code in ("concentrator", "repair-shop") else users["specialist2"]
        key = builder.session(induction, zone, day, trainer=trainer)
        builder.attend(key, worker=worker)
    return refused
