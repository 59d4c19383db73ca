"""Plant-scale trainings and internships (`apps.core.scale` runs these after the contractors).

Trainings: 12 courses, required by job title, by shop and for contractor workers in every zone;
about 100 internal trainers; three years of sessions (15,000 at plant scale) with a dozen attendees
each, their marks, results and feedback, and every contractor worker's site induction (some run
out). Internships: eight per HSE specialist over four years with their daily logs, contacts and
signals (most answered), and the workers' QR-form signals. Both read what they need from the
database, so they also run as add-ons to a plant database built before them."""

import random
from collections import defaultdict
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.utils import timezone

COURSE_PREFIX = "scale-"
# code, name, validity in months, usual hours
COURSES = [
    ("first-aid", "First aid at work", 12, 8), ("loto", "Energy isolation (LOTO)", 12, 4),
    ("heights", "Work at height", 12, 8), ("induction", "Site induction", 12, 2),
    ("lifting", "Lifting operations and slinging", 24, 8), ("driving", "Defensive driving", 36, 6),
    ("confined", "Confined space entry", 12, 8), ("hot-work", "Hot work", 12, 4),
    ("chemicals", "Handling chemicals", 24, 4), ("fire", "Fire safety", 12, 2),
    ("electrical", "Electrical safety (group III)", 12, 8), ("scaffold", "Scaffold inspection", 24, 6),
]  # fmt: skip
# job title -> courses required of it (by code)
JOB_REQUIREMENTS = {
    "Crane operator": ["lifting", "heights"], "Slinger": ["lifting"], "Electrician": ["loto", "electrical"],
    "Mechanic": ["loto"], "Fitter": ["loto", "confined"], "Welder": ["hot-work", "fire"],
    "Haul truck driver": ["driving"], "Loader driver": ["driving"], "Scaffolder": ["heights", "scaffold"],
    "Laboratory assistant": ["chemicals"], "Pump operator": ["confined"], "Shift foreman": ["first-aid", "loto"],
}  # fmt: skip
SIGNAL_TEXTS = {
    "concern": ["The crew does not trust the new interlock", "Nobody checks the gas detector before entry"],
    "tool": ["The torque wrench is too heavy to use overhead", "The hose reel jams every shift"],
    "rule": ["Two permits for one short job: people skip the second", "The isolation sheet has 40 lines"],
    "ppe": ["No gloves in size 11 in the store", "Face shields scratched, not replaced for months"],
    "rule_broken": ["Walking round the conveyor takes 15 minutes, so people step over it",
                    "The spotter is on another job when the truck reverses"],
    "hazard": ["The handrail at the thickener shakes", "Ice on the steps to the control room"],
    "idea": ["Put the lockout board at the entrance", "Paint the walkway edges yellow"],
}  # fmt: skip
RESPONSES = ["rule_changed", "procedure_simplified", "tool_replaced", "ppe_provided", "explained"]


def trainings_generated() -> bool:
    from apps.trainings.models import Course

    return Course.objects.filter(code__startswith=COURSE_PREFIX).exists()


def internships_generated() -> bool:
    from apps.internships.models import Internship

    return Internship.objects.filter(unit__code__startswith=COURSE_PREFIX).exists()


def _generated_units():
    from apps.org.models import StructuralUnit

    from .scale import KEY_PREFIX

    rows = list(
        StructuralUnit.objects.filter(code__startswith=KEY_PREFIX).order_by("pk").values_list("pk", "parent_id")
    )
    shops = [pk for pk, parent in rows if parent is None]
    crews_of = defaultdict(list)
    for pk, parent in rows:
        if parent is not None:
            crews_of[parent].append(pk)
    return rows, shops, crews_of


def _covering(prefix: str) -> dict[int, list[int]]:
    """user id -> the generated units they cover, for generated users whose name starts with prefix."""
    from apps.accounts.models import User

    from .scale import KEY_PREFIX

    covered = defaultdict(list)
    links = User.units.through.objects.filter(user__username__startswith=f"{KEY_PREFIX}{prefix}")
    for user_id, unit_id in links.order_by("user_id", "structuralunit_id").values_list("user_id", "structuralunit_id"):
        covered[user_id].append(unit_id)
    return covered


def generate_trainings(ctx) -> None:
    from apps.contractors.models import ContractorWorker
    from apps.org.models import Person
    from apps.trainings.models import Attendance, Course, Trainer, TrainingRequirement, TrainingSession

    from .scale import CONTRACTOR_TAX_PREFIX, _next_id, _reset_sequences, insert_rows

    rng = random.Random(2026_12)
    today, now = ctx.today, ctx.now
    units, shops, crews_of = _generated_units()
    if not units:
        return
    shop_of = {pk: parent or pk for pk, parent in units}
    people_of_shop = defaultdict(list)
    for pk, unit_id in (
        Person.objects.filter(unit__in=[u for u, _p in units], is_active=True)
        .order_by("pk")
        .values_list("pk", "unit_id")
    ):
        people_of_shop[shop_of[unit_id]].append(pk)

    course_id = _next_id(Course)
    courses = {}
    for offset, (code, _name, months, hours) in enumerate(COURSES):
        courses[code] = (course_id + offset, months, hours)
    insert_rows(
        Course, ["id", "code", "name", "description", "validity_months", "default_hours", "is_active"],
        [(pk, f"{COURSE_PREFIX}{code}", name, "", months, hours, True)
         for (code, name, _m, _h), (pk, months, hours) in zip(COURSES, courses.values(), strict=True)],
    )  # fmt: skip

    requirement_id = _next_id(TrainingRequirement)
    requirements = []
    for title, codes in JOB_REQUIREMENTS.items():
        for code in codes:
            requirements.append((requirement_id, courses[code][0], "job_title", title, None, now))
            requirement_id += 1
    for shop in shops[::3]:  # every third shop asks first aid of everyone
        requirements.append((requirement_id, courses["first-aid"][0], "unit", "", shop, now))
        requirement_id += 1
    for shop in shops:  # contractor workers need the site induction in every zone
        requirements.append((requirement_id, courses["induction"][0], "contractor_zone", "", shop, now))
        requirement_id += 1
    insert_rows(
        TrainingRequirement, ["id", "course_id", "applies_to", "job_title", "unit_id", "created_at"], requirements
    )

    specialists, managers = _covering("specialist"), _covering("manager")
    trainer_units = {**specialists, **dict(list(managers.items())[:40])}
    trainer_id = _next_id(Trainer)
    trainers, teaches = [], defaultdict(list)  # course id -> [(user, units)]
    codes = [code for code, *_rest in COURSES if code != "induction"]
    for user_id, covered in trainer_units.items():
        for code in rng.sample(codes, rng.randint(1, 3)):
            trainers.append((trainer_id, user_id, courses[code][0], today - timedelta(days=rng.randint(400, 1400)),
                             "Train-the-trainer course and an assessed first session", True))  # fmt: skip
            teaches[courses[code][0]].append((user_id, covered))
            trainer_id += 1
    head = ctx.head_id
    if head is not None:
        trainers.append((trainer_id, head, courses["induction"][0], today - timedelta(days=1500), "HSE head", True))
    insert_rows(Trainer, ["id", "user_id", "course_id", "qualified_on", "qualification", "is_active"], trainers)

    session_id, attendance_id = _next_id(TrainingSession), _next_id(Attendance)
    sessions, attendances = [], []
    teachable = sorted(teaches)
    months_of = {pk: months for pk, months, _hours in courses.values()}
    hours_of = {pk: hours for pk, _months, hours in courses.values()}
    total = max(ctx.scale.actions // 7, 50)  # 15,000 at plant scale
    for offset in range(total):
        pk = session_id + offset
        course = rng.choice(teachable)
        trainer, covered = rng.choice(teaches[course])
        shop = shop_of[rng.choice(covered)]
        unit = rng.choice(crews_of.get(shop) or [shop])
        day = today - timedelta(days=int(3 * 365 * rng.random() ** 1.2)) if rng.random() > 0.04 else (
            today + timedelta(days=rng.randint(1, 60)))  # fmt: skip
        delivered = day <= today
        created = timezone.make_aware(timezone.datetime.combine(day - timedelta(days=14), timezone.datetime.min.time()))
        sessions.append(
            (pk, course, trainer, unit, day, hours_of[course], rng.choice([0, 1, 2, 4]),
             f"Training room {rng.randint(1, 9)}",
             "delivered" if delivered else "planned", "Delivered as planned." if delivered else "", trainer, created,
             created + timedelta(days=14, hours=17) if delivered else None)
        )  # fmt: skip
        crowd = people_of_shop.get(shop) or []
        for person in rng.sample(crowd, min(len(crowd), rng.randint(6, 16))):
            present = not delivered or rng.random() < 0.94
            passed = delivered and present and rng.random() < 0.97
            valid_until = day + relativedelta(months=months_of[course]) if passed else None
            attendances.append(
                (attendance_id, pk, person, None, ("present" if present else "absent") if delivered else "registered",
                 passed if delivered and present else None, valid_until, f"s{attendance_id:011d}" if passed else None,
                 trainer if delivered else None, rng.choice([4, 5, 5, 5, 3]) if passed and rng.random() < 0.6 else None,
                 "", "")
            )  # fmt: skip
            attendance_id += 1
    # Every generated contractor worker's site induction, in sessions of twenty by the HSE head.
    workers = list(
        ContractorWorker.objects.filter(company__tax_number__startswith=CONTRACTOR_TAX_PREFIX)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if head is not None and workers:
        pk = session_id + total
        for start in range(0, len(workers), 20):
            day = today - timedelta(days=rng.randint(5, 420))
            created = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))
            sessions.append((pk, courses["induction"][0], head, shops[0], day, 2, 0, "Pass office briefing room",
                             "delivered", "", head, created, created + timedelta(hours=12)))  # fmt: skip
            for worker in workers[start : start + 20]:
                attendances.append((attendance_id, pk, None, worker, "present", True, day + relativedelta(months=12),
                                    f"s{attendance_id:011d}", head, None, "", ""))  # fmt: skip
                attendance_id += 1
            pk += 1
    insert_rows(
        TrainingSession,
        ["id", "course_id", "trainer_id", "unit_id", "date", "hours", "preparation_hours", "place", "status", "result",
         "created_by_id", "created_at", "delivered_at"],
        sessions,
    )  # fmt: skip
    insert_rows(
        Attendance,
        ["id", "session_id", "person_id", "contractor_worker_id", "presence", "passed", "valid_until",
         "certificate_code", "marked_by_id", "feedback_score", "feedback_comment", "revoke_reason"],
        attendances,
    )  # fmt: skip
    _reset_sequences([Course, TrainingRequirement, Trainer, TrainingSession, Attendance])
    ctx.counts.update(courses=len(courses), training_sessions=len(sessions), attendances=len(attendances))


def generate_internships(ctx) -> None:
    from apps.internships.models import Internship, InternshipContact, InternshipDay, Signal
    from apps.org.models import Person

    from .scale import _next_id, _reset_sequences, insert_rows

    rng = random.Random(2026_13)
    today, now = ctx.today, ctx.now
    units, shops, crews_of = _generated_units()
    if not units:
        return
    foremen = defaultdict(list)
    for pk, unit_id in (
        Person.objects.filter(unit__in=[u for u, _p in units], is_foreman=True)
        .order_by("pk")
        .values_list("pk", "unit_id")
    ):
        foremen[unit_id].append(pk)
    specialists = _covering("specialist")
    internship_id, day_id = _next_id(Internship), _next_id(InternshipDay)
    contact_id, signal_id = _next_id(InternshipContact), _next_id(Signal)
    internships, days, contacts, signals = [], [], [], []

    def signal_row(pk, unit, internship, source, kind, heard: date):
        answered = (today - heard).days > 20 or rng.random() < 0.6
        responded = min(heard + timedelta(days=rng.randint(2, 13)), today) if answered else None
        text = rng.choice(SIGNAL_TEXTS[kind])
        escalated = heard + timedelta(days=15) if not answered and (today - heard).days > 14 else None
        return (pk, unit, internship, source, kind, f"{text}.", heard, text if answered else "",
                "answered" if answered else rng.choice(["new", "in_progress"]),
                rng.choice(RESPONSES) if answered else "",
                "Done and told to the crew at the morning meeting." if answered else "",
                responded, escalated)  # fmt: skip

    for specialist, covered in specialists.items():
        crews = [crew for unit in covered for crew in crews_of.get(unit, []) if foremen.get(crew)]
        for number in range(8):
            if not crews:
                break
            crew = rng.choice(crews)
            start = today - timedelta(days=int(4 * 365 * (number + rng.random()) / 8) + 10)
            length = rng.randint(3, 7)
            pk = internship_id
            internship_id += 1
            internships.append(
                (pk, specialist, crew, foremen[crew][0], start, start + timedelta(days=length - 1), length,
                 "Proposed from the crew's size and job titles.", "finished", "Two instructions to rewrite.",
                 "Simplify the isolation sheet.", now - timedelta(days=(today - start).days - length),
                 "crew_member" if rng.random() < 0.7 else "visitor", "", start + timedelta(days=length), specialist,
                 now - timedelta(days=(today - start).days + 14))
            )  # fmt: skip
            for offset in range(length):
                days.append((day_id, pk, start + timedelta(days=offset), "Routine maintenance of the line.",
                             "Operator, fitter", "Worked with the fitters on the pump change.", "Pinch points", "",
                             ""))  # fmt: skip
                day_id += 1
            for _ in range(rng.randint(1, 4)):
                contacts.append((contact_id, pk, f"Crew member {contact_id}", "Operator", "", rng.random() < 0.3))
                contact_id += 1
            for _ in range(rng.randint(3, 9)):
                kind = rng.choice(["concern", "tool", "rule", "ppe", "rule_broken"])
                signals.append(
                    signal_row(signal_id, crew, pk, "internship", kind, start + timedelta(days=rng.randrange(length)))
                )
                signal_id += 1
    every_crew = [crew for crews in crews_of.values() for crew in crews]
    for _ in range(ctx.scale.specialists * 50):  # 3,000 QR-form signals at plant scale
        heard = today - timedelta(days=int(2 * 365 * rng.random() ** 1.5))
        signals.append(
            signal_row(signal_id, rng.choice(every_crew), None, "worker_form", rng.choice(["hazard", "idea"]), heard)
        )
        signal_id += 1
    insert_rows(
        Internship,
        ["id", "specialist_id", "unit_id", "host_foreman_id", "starts_on", "ends_on", "proposed_days",
         "proposal_reason", "status", "summary", "instruction_changes", "finished_at", "host_view", "host_comment",
         "host_reviewed_on", "created_by_id", "created_at"],
        internships,
    )  # fmt: skip
    insert_rows(
        InternshipDay,
        ["id", "internship_id", "day", "morning_work_order", "crew_roles", "work_done", "risks_seen", "surprises",
         "shift_handover"],
        days,
    )  # fmt: skip
    insert_rows(
        InternshipContact,
        ["id", "internship_id", "name", "job_title", "how_to_reach", "is_safety_ambassador"],
        contacts,
    )
    insert_rows(
        Signal,
        ["id", "unit_id", "internship_id", "source", "kind", "raw_text", "recorded_on", "paraphrase", "status",
         "response", "response_text", "responded_on", "escalated_on"],
        signals,
    )  # fmt: skip
    _reset_sequences([Internship, InternshipDay, InternshipContact, Signal])
    ctx.counts.update(internships=len(internships), internship_days=len(days), signals=len(signals))
