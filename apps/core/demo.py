"""Demo data: a mining and processing plant with one user per role. Safe to load again."""

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.org.models import HoursWorked, Person, Site, StructuralUnit
from apps.org.selectors import months_back

SITES = [
    ("mine", "Kirovsky mine", "Kirovsk, Murmansk region"),
    ("plant", "Apatite processing plant", "Kirovsk, industrial zone 2"),
]

# code, name, kind, site, parent code
UNITS = [
    ("ug-mine", "Underground mine", "shop", "mine", None),
    ("ug-crew-1", "Development crew No. 1", "crew", "mine", "ug-mine"),
    ("ug-crew-2", "Production crew No. 2", "crew", "mine", "ug-mine"),
    ("mine-survey", "Mine survey section", "area", "mine", "ug-mine"),
    ("concentrator", "Concentrator", "shop", "plant", None),
    ("crushing", "Crushing section", "area", "plant", "concentrator"),
    ("flotation", "Flotation section", "area", "plant", "concentrator"),
    ("repair-shop", "Mechanical repair shop", "shop", "plant", None),
    ("lifting-crew", "Cranes and lifting crew", "crew", "plant", "repair-shop"),
    ("machining", "Machining and welding area", "area", "plant", "repair-shop"),
    ("transport", "Transport shop", "shop", "mine", None),
    ("haul-trucks", "Haul truck crew", "crew", "mine", "transport"),
    ("light-vehicles", "Light vehicles and buses", "crew", "mine", "transport"),
]

# unit code -> (foreman's job title, [(job title, how many)])
CREWS = {
    "ug-crew-1": ("Mining foreman", [("Drilling rig operator", 5), ("Miner", 6), ("Electrician", 2)]),
    "ug-crew-2": ("Mining foreman", [("Load-haul-dump operator", 5), ("Miner", 6), ("Shotcrete operator", 2)]),
    "mine-survey": ("Chief mine surveyor", [("Mine surveyor", 4)]),
    "crushing": ("Crushing foreman", [("Crusher operator", 6), ("Conveyor operator", 4)]),
    "flotation": ("Flotation foreman", [("Flotation operator", 7), ("Sampler", 2)]),
    "lifting-crew": ("Lifting foreman", [("Crane operator", 6), ("Slinger", 4)]),
    "machining": ("Repair foreman", [("Mechanic", 6), ("Welder", 3), ("Turner", 2)]),
    "haul-trucks": ("Transport foreman", [("Haul truck driver", 8), ("Tyre fitter", 2)]),
    "light-vehicles": ("Transport foreman", [("Bus driver", 4), ("Car mechanic", 2)]),
}

FIRST_NAMES = [
    "Alexei",
    "Dmitry",
    "Sergei",
    "Ivan",
    "Nikolai",
    "Andrei",
    "Pavel",
    "Mikhail",
    "Oleg",
    "Yuri",
    "Viktor",
    "Anna",
    "Elena",
    "Olga",
    "Natalia",
    "Svetlana",
    "Maxim",
    "Roman",
]
LAST_NAMES = [
    "Ivanov",
    "Smirnov",
    "Kuznetsov",
    "Popov",
    "Vasiliev",
    "Petrov",
    "Sokolov",
    "Mikhailov",
    "Novikov",
    "Fedorov",
    "Morozov",
    "Volkov",
    "Alekseev",
    "Lebedev",
    "Semenov",
    "Egorov",
    "Pavlov",
    "Kozlov",
    "Stepanov",
    "Nikolaev",
    "Orlov",
    "Andreev",
    "Makarov",
    "Zakharov",
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str
    job_title: str
    units: tuple[str, ...] = ()
    manager: str | None = None


DEMO_USERS = [
    DemoUser("admin", "Igor", "Belov", Role.SYSTEM_ADMIN, "IT systems administrator"),
    DemoUser("executive", "Vladimir", "Gromov", Role.EXECUTIVE, "Managing director"),
    DemoUser("head", "Tatiana", "Krylova", Role.HSE_HEAD, "Head of HSE department", manager="executive"),
    DemoUser(
        "specialist",
        "Maria",
        "Orlova",
        Role.HSE_SPECIALIST,
        "HSE specialist",
        ("concentrator", "repair-shop"),
        manager="head",
    ),
    DemoUser(
        "specialist2",
        "Artem",
        "Zaitsev",
        Role.HSE_SPECIALIST,
        "HSE specialist",
        ("ug-mine", "transport"),
        manager="head",
    ),
    DemoUser(
        "manager",
        "Konstantin",
        "Sidorov",
        Role.LINE_MANAGER,
        "Head of the concentrator",
        ("concentrator",),
        manager="executive",
    ),
    DemoUser(
        "manager2",
        "Boris",
        "Frolov",
        Role.LINE_MANAGER,
        "Head of the mechanical repair shop",
        ("repair-shop",),
        manager="executive",
    ),
    DemoUser("passoffice", "Galina", "Titova", Role.PASS_ADMIN, "Pass office administrator", manager="head"),
]


def _people_for(unit_code: str, rng: random.Random, counter: list[int]):
    foreman_title, crew = CREWS[unit_code]
    rows = [(foreman_title, True)] + [(title, False) for title, count in crew for _ in range(count)]
    for title, is_foreman in rows:
        counter[0] += 1
        yield {
            "personnel_number": f"T-{counter[0]:05d}",
            "full_name": f"{rng.choice(LAST_NAMES)} {rng.choice(FIRST_NAMES)[0]}. {rng.choice(FIRST_NAMES)[0]}.",
            "job_title": title,
            "is_foreman": is_foreman,
        }


@transaction.atomic
def load_demo_data(*, today: date) -> dict:
    """Create or refresh the demo enterprise. Idempotent: running it twice changes nothing."""
    rng = random.Random(2026)  # the same people and hours every time
    sites = {}
    for code, name, address in SITES:
        sites[code], _ = Site.objects.update_or_create(code=code, defaults={"name": name, "address": address})
    units = {}
    for code, name, kind, site_code, parent_code in UNITS:
        units[code], _ = StructuralUnit.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "site": sites[site_code],
                "parent": units.get(parent_code) if parent_code else None,
            },
        )
    counter = [0]
    for unit_code in CREWS:
        for row in _people_for(unit_code, rng, counter):
            Person.objects.update_or_create(
                personnel_number=row.pop("personnel_number"), defaults={**row, "unit": units[unit_code]}
            )
    last_complete_month = months_back(today.replace(day=1), 2)[0]
    for unit_code in CREWS:
        headcount = Person.objects.filter(unit=units[unit_code], is_active=True).count()
        for month in months_back(last_complete_month, 12):
            hours = Decimal(round(headcount * 164 * rng.uniform(0.9, 1.05), 1)).quantize(Decimal("0.1"))
            HoursWorked.objects.get_or_create(unit=units[unit_code], month=month, defaults={"hours": hours})
    users = {}
    for demo in DEMO_USERS:
        user, created = User.objects.update_or_create(
            username=demo.username,
            defaults={
                "first_name": demo.first_name,
                "last_name": demo.last_name,
                "role": demo.role,
                "job_title": demo.job_title,
                "email": f"{demo.username}@demo.hse-portal.local",
                "is_staff": demo.role == Role.SYSTEM_ADMIN,
                "is_superuser": demo.role == Role.SYSTEM_ADMIN,
            },
        )
        if created:
            user.set_password(settings.DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.units.set([units[code] for code in demo.units])
        users[demo.username] = user
    for demo in DEMO_USERS:
        if demo.manager:
            User.objects.filter(pk=users[demo.username].pk).update(line_manager=users[demo.manager])
    actions = _load_demo_actions(units, users, today)
    from apps.audits.demo import load_demo as load_audits
    from apps.contractors.demo import load_demo as load_contractors
    from apps.core.demo_history import load_history
    from apps.incidents.demo import load_demo as load_incidents
    from apps.internships.demo import load_demo as load_internships
    from apps.kpis.demo import load_demo as load_kpis
    from apps.observations.demo import load_demo as load_observations
    from apps.trainings.demo import load_demo as load_trainings

    return {
        "sites": len(sites),
        "units": len(units),
        "people": counter[0],
        "users": len(users),
        "actions": actions,
        "observations": load_observations(units=units, users=users, today=today),
        "audits": load_audits(units=units, users=users, today=today),
        "incidents": load_incidents(units=units, users=users, today=today),
        "access passes": load_contractors(units=units, users=users, today=today),
        "trainings": load_trainings(units=units, users=users, today=today),
        "internships": load_internships(units=units, users=users, today=today),
        "history": load_history(units=units, users=users, today=today),
        "kpi snapshots": load_kpis(today=today),
    }


# title, unit, owner, days from today to the due date, status, control level, priority (opened by hand)
DEMO_ACTIONS = [
    (
        "Fit interlocked guard on conveyor C-3 tail pulley",
        "crushing",
        "manager",
        -10,
        "open",
        "engineering",
        "high",
    ),
    (
        "Replace worn slings in the lifting crew's store and tag the rest",
        "lifting-crew",
        "manager2",
        -20,
        "in_progress",
        "engineering",
        "critical",
    ),
    (
        "Add LOTO points to the flotation cell agitator isolation procedure",
        "flotation",
        "specialist",
        -9,
        "open",
        "administrative",
        "high",
    ),
    (
        "Mark pedestrian walkways in the machining area",
        "machining",
        "manager2",
        -2,
        "open",
        "engineering",
        "medium",
    ),
    (
        "Install fixed edge protection at the crusher feed platform",
        "crushing",
        "manager",
        0,
        "in_progress",
        "engineering",
        "high",
    ),
    (
        "Provide cut-resistant gloves for the welding bay",
        "machining",
        "manager2",
        2,
        "open",
        "ppe",
        "medium",
    ),
    (
        "Replace solvent degreaser with a water-based cleaner",
        "machining",
        "manager2",
        12,
        "open",
        "substitution",
        "medium",
    ),
    (
        "Remove the redundant manual sampling point on the flotation line",
        "flotation",
        "manager",
        25,
        "open",
        "elimination",
        "medium",
    ),
    (
        "Brief crane operators on the new wind-speed stop rule",
        "lifting-crew",
        "manager2",
        5,
        "open",
        "administrative",
        "low",
    ),
    (
        "Repair lighting along the crushing section stairs",
        "crushing",
        "manager",
        -30,
        "done",
        "engineering",
        "medium",
    ),
    (
        "Fit mirrors at the blind corner by the repair shop gate",
        "repair-shop",
        "manager2",
        -40,
        "verified",
        "engineering",
        "medium",
    ),
    (
        "Route haul trucks away from the workshop pedestrian crossing",
        "haul-trucks",
        "specialist2",
        -12,
        "open",
        "engineering",
        "high",
    ),
]


def _load_demo_actions(units, users, today: date) -> int:
    from datetime import timedelta

    from django.utils import timezone

    from apps.actions.models import Action
    from apps.audit.services import log_action

    head = users["head"]
    now = timezone.now()
    for title, unit_code, owner, due_in, status, level, priority in DEMO_ACTIONS:
        defaults = {
            "owner": users[owner],
            "due_date": today + timedelta(days=due_in),
            "status": status,
            "control_level": level,
            "priority": priority,
            "created_by": users["specialist"],
        }
        if status in ("done", "verified"):
            defaults.update(
                completed_at=now - timedelta(days=3),
                completed_by=users[owner],
                evidence="Work order closed; photos taken on site.",
            )
        if status == "verified":
            defaults.update(
                verified_at=now - timedelta(days=1),
                verified_by=head,
                is_effective=True,
                verification_note="Checked on a gemba walk: in place and used.",
            )
        action, created = Action.objects.get_or_create(title=title, unit=units[unit_code], defaults=defaults)
        if created:
            log_action(actor=users["specialist"], action="actions.action.created", target=action)
    return len(DEMO_ACTIONS)
