"""Plant-scale data: the demo enterprise grown to the size of a large producer.

`manage.py seed_demo --scale plant` adds, on top of the demo data, 300 structural units on three
sites, 200 users, ~9,000 people, four years of hours worked, 1,000,000 gemba observations,
100,000 actions, 20,000 incidents (a third investigated, with why-chains and cause trees),
5,000 safety audits with their answers, and 300 contractor companies with 10,000 workers, their
documents, 1,500 work orders (with their hours on site), 10,000 access passes, 20,000 gate checks
and 2,000 violations over three years with the sanctions decided on them. The data is
deterministic (a fixed seed): two runs give the same rows, so benchmarks compare like with like.

Rows go in by PostgreSQL `COPY` (a few minutes for the whole set on two cores); on SQLite (the
embedded default) by `bulk_create`, fine for the smaller sizes. Ids are assigned here, so rows can
point at each other without reading them back; sequences are moved past them at the end.
Each later app adds its own generator to `GENERATORS`; one that comes after plant databases were
already built is also an `ADD_ONS` entry, so the next `seed_demo --scale` adds its rows to them.
"""

import csv
import io
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone

from apps.core.scale_trainings import (
    generate_internships,
    generate_trainings,
    internships_generated,
    trainings_generated,
)


@dataclass(frozen=True)
class Scale:
    sites: int = 3
    shops_per_site: int = 10
    crews_per_shop: int = 9
    people_per_unit: int = 30
    specialists: int = 60
    managers: int = 130
    observations: int = 1_000_000
    actions: int = 100_000
    incidents: int = 20_000
    audits: int = 5_000
    years: int = 4
    contractor_companies: int = 300
    contractor_workers: int = 10_000
    contractor_passes: int = 10_000
    gate_checks: int = 20_000
    contractor_violations: int = 2_000

    @property
    def units(self) -> int:
        return self.sites * self.shops_per_site * (1 + self.crews_per_shop)


SCALES = {
    "plant": Scale(),
    # Small enough for a laptop on SQLite, big enough to see a page's query plan change.
    "site": Scale(
        sites=1,
        shops_per_site=6,
        crews_per_shop=4,
        people_per_unit=15,
        specialists=8,
        managers=20,
        observations=50_000,
        actions=8_000,
        incidents=1_000,
        audits=300,
        years=2,
        contractor_companies=30,
        contractor_workers=1_000,
        contractor_passes=1_000,
        gate_checks=2_000,
        contractor_violations=200,
    ),  # fmt: skip
}

KEY_PREFIX = "scale-"  # unit codes and usernames of generated rows start with it: reruns add nothing

SHOP_NAMES = [
    "Crushing", "Grinding", "Flotation", "Filtration", "Tailings", "Smelting", "Converter", "Refinery", "Casting",
    "Rolling", "Repair", "Power", "Water treatment", "Open pit", "Underground", "Haulage", "Rail", "Warehouse",
    "Laboratory", "Boiler house",
]  # fmt: skip
JOB_TITLES = [
    "Crane operator", "Mine surveyor", "Mechanic", "Electrician", "Flotation operator", "Crusher operator",
    "Welder", "Slinger", "Haul truck driver", "Laboratory assistant", "Fitter", "Shift foreman", "Pump operator",
    "Scaffolder", "Loader driver",
]  # fmt: skip
SURNAMES = [
    "Ivanov", "Petrov", "Sidorov", "Smirnov", "Kuznetsov", "Popov", "Vasiliev", "Sokolov", "Mikhailov",
    "Novikov", "Fedorov", "Morozov", "Volkov", "Alekseev", "Lebedev", "Semenov", "Egorov", "Pavlov",
]  # fmt: skip
FIRST_NAMES = ["Anna", "Boris", "Dmitry", "Elena", "Igor", "Irina", "Marina", "Oleg", "Pavel", "Sergey", "Olga",
               "Viktor", "Yulia", "Andrey", "Natalia", "Roman"]  # fmt: skip

# What was seen: subject + place + detail, about behaviour and conditions (never a name).
SEEN_SUBJECTS = [
    "Guard missing on the tail pulley", "Slinger standing under the suspended load", "Oil spill on the walkway",
    "Scaffold tag out of date", "Lockout padlock without a tag", "Gas cylinder not chained", "Handrail loose",
    "Safety glasses not worn while grinding", "Extension cable across the passage", "Fire extinguisher blocked",
    "Forklift reversing without a spotter", "Harness worn and clipped to the anchor", "Pre-shift check done and logged",
    "Housekeeping at the bay in good order", "Ear defenders worn in the noise zone", "Chemical drum without a label",
    "Ladder with a cracked rung", "Isolation verified with a test before work", "Speed limit kept by haul trucks",
    "Hot work permit displayed at the job", "Emergency shower obstructed", "Conveyor emergency stop wire slack",
]  # fmt: skip
SEEN_PLACES = ["at bay 1", "at bay 3", "near pump 7", "at the loading chute", "in the control room corridor",
               "on level +12", "at the tail of conveyor C-3", "in the reagent store", "at the crane runway",
               "near the cyclone cluster", "at the workshop door", "on the haul road", "in the substation"]  # fmt: skip
SEEN_DETAILS = ["", "; work stopped until fixed", "; the crew agreed to fix it now", "; reported to the foreman",
                "; second time this month", "; good example for the toolbox talk"]  # fmt: skip
ACTION_TITLES = [
    "Fit a fixed guard", "Replace the worn sling", "Add the step to the isolation procedure", "Mark the exclusion zone",
    "Repair the handrail", "Chain the gas cylinders", "Install a spill kit", "Relabel the chemical drums",
    "Add a spotter to the reversing plan", "Replace the cracked ladder", "Clear the emergency shower",
    "Tension the emergency stop wire", "Move the cable to a cable tray", "Train the crew on the new procedure",
]  # fmt: skip
INCIDENT_TEXTS = [
    "Hand caught between belt and pulley while clearing spillage", "Slip on an oily walkway",
    "Load swung towards the slinger",
    "Truck reversed into a light vehicle", "Small fire in the cable tray", "Eye irritation from reagent splash",
    "Fall from the second rung of a ladder", "Cut on a sharp sheet edge", "Strain while lifting a valve by hand",
]  # fmt: skip


@dataclass
class Context:
    rng: random.Random
    scale: Scale
    now: datetime
    today: date
    site_ids: list = field(default_factory=list)
    unit_ids: list = field(default_factory=list)  # every generated unit
    shop_ids: list = field(default_factory=list)
    parent_of: dict = field(default_factory=dict)
    specialists: list = field(default_factory=list)  # (user id, [unit ids])
    managers: list = field(default_factory=list)
    head_id: int | None = None
    users_by_unit: dict = field(default_factory=dict)  # unit id -> [user ids covering it]
    managers_by_unit: dict = field(default_factory=dict)
    observation_range: tuple = (0, 0)
    observation_unit: dict = field(default_factory=dict)  # a sample: observation id -> unit id
    counts: dict = field(default_factory=dict)


# Writing rows -------------------------------------------------------------------------------------


def _next_id(model) -> int:
    return (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1


def _csv_value(value):
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value)
    return value


def insert_rows(model, columns: list[str], rows, *, chunk: int = 50_000) -> int:
    """Insert `rows` (tuples in the order of `columns`, model attnames) as fast as the database
    allows: COPY on PostgreSQL, bulk_create elsewhere. Returns how many."""
    table = model._meta.db_table
    db_columns = [model._meta.get_field(name).column if not name.endswith("_id") else name for name in columns]
    quoted = ", ".join(f'"{column}"' for column in db_columns)
    total = 0
    if connection.vendor == "postgresql":
        buffer, writer, pending = io.StringIO(), None, 0
        writer = csv.writer(buffer)

        def flush():
            nonlocal buffer, writer, pending
            if not pending:
                return
            buffer.seek(0)
            with connection.cursor() as cursor:
                cursor.cursor.copy_expert(f"COPY {table} ({quoted}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer)
            buffer, pending = io.StringIO(), 0
            writer = csv.writer(buffer)

        for row in rows:
            writer.writerow([_csv_value(value) for value in row])
            pending += 1
            total += 1
            if pending >= chunk:
                flush()
        flush()
        return total
    batch = []
    for row in rows:
        batch.append(model(**dict(zip(columns, row, strict=True))))
        total += 1
        if len(batch) >= 2000:
            model.objects.bulk_create(batch)
            batch = []
    if batch:
        model.objects.bulk_create(batch)
    return total


def _reset_sequences(models_list) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models_list:
            table, pk = model._meta.db_table, model._meta.pk.column
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{pk}'), "
                f"COALESCE((SELECT MAX({pk}) FROM {table}), 1))"
            )


def _spread(ctx: Context, *, years: float | None = None) -> datetime:
    """A moment in the last `years`, denser towards now (more is logged as the programme grows)."""
    span = (years or ctx.scale.years) * 365 * 86400
    offset = span * (ctx.rng.random() ** 1.6)
    return ctx.now - timedelta(seconds=offset + 60)


# Generators -------------------------------------------------------------------------------------


def generate_org(ctx: Context) -> None:
    from apps.accounts.models import User
    from apps.accounts.roles import Role
    from apps.org.models import HoursWorked, Person, Site, StructuralUnit

    rng, scale = ctx.rng, ctx.scale
    site_id = _next_id(Site)
    sites = []
    for index in range(scale.sites):
        sites.append(
            (site_id + index, f"Plant {index + 1}", f"{KEY_PREFIX}site-{index + 1}", f"Industrial zone {index + 1}")
        )
    insert_rows(Site, ["id", "name", "code", "address"], sites)
    ctx.site_ids = [row[0] for row in sites]

    unit_id = _next_id(StructuralUnit)
    units = []
    for site_index, site in enumerate(ctx.site_ids):
        for shop_index in range(scale.shops_per_site):
            shop = unit_id
            unit_id += 1
            name = f"{SHOP_NAMES[shop_index % len(SHOP_NAMES)]} shop {site_index + 1}.{shop_index + 1}"
            units.append((shop, site, None, name, f"{KEY_PREFIX}{site_index + 1}-{shop_index + 1}", "shop", True))
            ctx.shop_ids.append(shop)
            for crew_index in range(scale.crews_per_shop):
                crew = unit_id
                unit_id += 1
                units.append(
                    (crew, site, shop, f"{name}, crew {crew_index + 1}",
                     f"{KEY_PREFIX}{site_index + 1}-{shop_index + 1}-{crew_index + 1}", "crew", True)
                )  # fmt: skip
                ctx.parent_of[crew] = shop
    insert_rows(StructuralUnit, ["id", "site_id", "parent_id", "name", "code", "kind", "is_active"], units)
    ctx.unit_ids = [row[0] for row in units]

    person_id = _next_id(Person)
    people = []
    for unit in ctx.unit_ids:
        for index in range(scale.people_per_unit):
            surname = rng.choice(SURNAMES)
            initials = f"{rng.choice('ABDEGIKMNOPRSTV')}. {rng.choice('ABDEGIKMNOPRSTV')}."
            people.append(
                (
                    person_id,
                    f"{surname} {initials}",
                    f"S{person_id:07d}",
                    rng.choice(JOB_TITLES),
                    unit,
                    index == 0,
                    True,
                )
            )
            person_id += 1
    insert_rows(
        Person, ["id", "full_name", "personnel_number", "job_title", "unit_id", "is_foreman", "is_active"], people
    )

    months = []
    first = (ctx.today.replace(day=1) - timedelta(days=365 * scale.years)).replace(day=1)
    month = first
    while month <= ctx.today.replace(day=1):
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    hours_id = _next_id(HoursWorked)
    hours = []
    for unit in ctx.unit_ids:
        for month in months:
            hours.append(
                (hours_id, unit, month, Decimal(scale.people_per_unit * 165) + Decimal(rng.randint(-200, 200)))
            )
            hours_id += 1
    insert_rows(HoursWorked, ["id", "unit_id", "month", "hours"], hours)

    password = make_password("hse-demo-2026")
    user_id = _next_id(User)
    users, links = [], []
    shops = list(ctx.shop_ids)
    rng.shuffle(shops)
    for index in range(scale.specialists):
        covered = [shops[(index * 2 + k) % len(shops)] for k in range(2)]
        users.append((user_id, f"{KEY_PREFIX}specialist{index + 1}", Role.HSE_SPECIALIST, covered, ctx.head_id))
        ctx.specialists.append((user_id, covered))
        user_id += 1
    for index in range(scale.managers):
        shop = shops[index % len(shops)]
        covered = [shop]
        users.append((user_id, f"{KEY_PREFIX}manager{index + 1}", Role.LINE_MANAGER, covered, None))
        ctx.managers.append((user_id, covered))
        user_id += 1
    rows = []
    for uid, username, role, covered, manager in users:
        first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        rows.append(
            (uid, username, password, first_name, last_name, f"{username}@plant.example", role, "", "en",
             True, False, False, ctx.now, manager)
        )  # fmt: skip
        for unit in covered:
            links.append((uid, unit))
    insert_rows(
        User,
        ["id", "username", "password", "first_name", "last_name", "email", "role", "job_title", "language",
         "is_active", "is_staff", "is_superuser", "date_joined", "line_manager_id"],
        rows,
    )  # fmt: skip
    through = User.units.through
    link_id = _next_id(through)
    insert_rows(
        through, ["id", "user_id", "structuralunit_id"], [(link_id + i, u, s) for i, (u, s) in enumerate(links)]
    )
    for uid, covered in ctx.specialists + ctx.managers:
        for shop in covered:
            for unit in [shop] + [crew for crew, parent in ctx.parent_of.items() if parent == shop]:
                ctx.users_by_unit.setdefault(unit, []).append(uid)
    for uid, covered in ctx.managers:
        for shop in covered:
            for unit in [shop] + [crew for crew, parent in ctx.parent_of.items() if parent == shop]:
                ctx.managers_by_unit.setdefault(unit, []).append(uid)
    _reset_sequences([Site, StructuralUnit, Person, HoursWorked, User, through])
    ctx.counts.update(units=len(units), people=len(people), users=len(users), hours_rows=len(hours))


def _observer_for(ctx: Context, unit: int) -> int:
    candidates = ctx.users_by_unit.get(unit) or ctx.users_by_unit[ctx.parent_of.get(unit, unit)]
    return ctx.rng.choice(candidates)


def generate_observations(ctx: Context) -> None:
    from apps.observations.models import Observation, ObservationCategory

    rng = ctx.rng
    categories = list(ObservationCategory.objects.filter(is_active=True).values_list("pk", flat=True))
    kinds = (["safe_act"] * 30 + ["unsafe_act"] * 25 + ["unsafe_condition"] * 30 + ["good_practice"] * 8
             + ["near_miss"] * 7)  # fmt: skip
    risks = ["low"] * 35 + ["medium"] * 40 + ["high"] * 20 + ["critical"] * 5
    units = [unit for unit in ctx.unit_ids if ctx.users_by_unit.get(unit)]
    start = _next_id(Observation)

    def rows():
        for offset in range(ctx.scale.observations):
            pk = start + offset
            unit = rng.choice(units)
            kind = rng.choice(kinds)
            feedback = rng.random() < 0.62
            observed = _spread(ctx)
            if offset % 50 == 0:
                ctx.observation_unit[pk] = unit
            yield (
                pk, _observer_for(ctx, unit), observed, unit, rng.choice(SEEN_PLACES), kind, rng.choice(categories),
                f"{rng.choice(SEEN_SUBJECTS)} {rng.choice(SEEN_PLACES)}{rng.choice(SEEN_DETAILS)}",
                feedback, rng.choice(["worker", "crew", "manager"]) if feedback else "",
                "Explained the risk and agreed the safe way" if feedback else "",
                kind == "unsafe_act" and rng.random() < 0.1,
                rng.choice(risks), observed + timedelta(minutes=rng.randint(0, 90)),
            )  # fmt: skip

    count = insert_rows(
        Observation,
        ["id", "observer_id", "observed_at", "unit_id", "area", "kind", "category_id", "description", "feedback_given",
         "feedback_to", "feedback_text", "work_stopped", "risk", "created_at"],
        rows(),
    )  # fmt: skip
    ctx.observation_range = (start, start + count - 1)
    _reset_sequences([Observation])
    from apps.observations.counts import rebuild_monthly_counts

    rebuild_monthly_counts()
    ctx.counts["observations"] = count


def generate_actions(ctx: Context) -> None:
    from apps.actions.models import Action
    from apps.observations.models import Observation

    rng = ctx.rng
    observation_type = ContentType.objects.get_for_model(Observation).pk
    sampled = list(ctx.observation_unit.items())
    statuses = ["open"] * 22 + ["in_progress"] * 10 + ["done"] * 8 + ["verified"] * 55 + ["cancelled"] * 5
    levels = ["elimination"] * 5 + ["substitution"] * 8 + ["engineering"] * 30 + ["administrative"] * 40 + ["ppe"] * 17
    priorities = ["low", "medium", "medium", "high", "critical"]
    start = _next_id(Action)
    fallback_creator = ctx.specialists[0][0]

    def rows():
        for offset in range(ctx.scale.actions):
            pk = start + offset
            if sampled and rng.random() < 0.6:
                source_id, unit = rng.choice(sampled)
                source_type = observation_type
            else:
                source_id, source_type, unit = None, None, rng.choice(ctx.unit_ids)
            owners = ctx.managers_by_unit.get(unit) or ctx.managers_by_unit.get(ctx.parent_of.get(unit), [])
            owner = rng.choice(owners) if owners else fallback_creator
            creator = _observer_for(ctx, unit) if ctx.users_by_unit.get(unit) else fallback_creator
            created = _spread(ctx, years=2)
            status = rng.choice(statuses)
            # Open work is mostly recent; about one in five open actions is overdue.
            if status in ("open", "in_progress"):
                created = ctx.now - timedelta(days=rng.randint(1, 120))
                due = ctx.today + timedelta(days=rng.randint(-40, 60))
            else:
                due = (created + timedelta(days=rng.randint(7, 60))).date()
            done = status in ("done", "verified")
            verified = status == "verified"
            yield (
                pk, f"{rng.choice(ACTION_TITLES)} ({pk})", "", unit, owner, due, rng.choice(priorities), status,
                rng.choice(levels), source_type, source_id, None, creator, created, created,
                "Done; photo attached." if done else "", created + timedelta(days=5) if done else None,
                owner if done else None, created + timedelta(days=9) if verified else None,
                creator if verified else None, True if verified else None, "Checked on site." if verified else "",
                "No longer needed: equipment removed." if status == "cancelled" else "", 0, None,
            )  # fmt: skip

    count = insert_rows(
        Action,
        ["id", "title", "description", "unit_id", "owner_id", "due_date", "priority", "status", "control_level",
         "source_type_id", "source_id", "follow_up_of_id", "created_by_id", "created_at", "updated_at", "evidence",
         "completed_at", "completed_by_id", "verified_at", "verified_by_id", "is_effective", "verification_note",
         "cancel_reason", "escalation", "escalated_at"],
        rows(),
    )  # fmt: skip
    _reset_sequences([Action])
    ctx.counts["actions"] = count


def generate_incidents(ctx: Context) -> None:
    from apps.incidents.models import (
        CauseTreeFact,
        CauseTreeLink,
        Incident,
        Investigation,
        WhyChain,
        WhyStep,
    )

    rng = ctx.rng
    types = (
        ["near_miss"] * 55
        + ["injury"] * 20
        + ["property"] * 10
        + ["road"] * 5
        + ["fire"] * 3
        + ["environmental"] * 4
        + ["illness"] * 3
    )
    incident_id = _next_id(Incident)
    investigation_id = _next_id(Investigation)
    chain_id, step_id = _next_id(WhyChain), _next_id(WhyStep)
    fact_id, link_id = _next_id(CauseTreeFact), _next_id(CauseTreeLink)
    incidents, investigations, chains, steps, facts, links = [], [], [], [], [], []
    for offset in range(ctx.scale.incidents):
        pk = incident_id + offset
        unit = rng.choice(ctx.unit_ids)
        kind = rng.choice(types)
        actual = 1 if kind == "near_miss" else rng.choice([1, 2, 2, 3, 3, 4])
        potential = max(actual, rng.choice([1, 2, 3, 4, 5]))
        classification, days_lost = "none", 0
        if kind in ("injury", "illness"):
            classification = rng.choice(["first_aid"] * 5 + ["medical"] * 3 + ["restricted"] * 2 + ["lost_time"] * 2)
            if classification == "lost_time":
                days_lost = rng.randint(1, 40)
        occurred = _spread(ctx)
        reporter = _observer_for(ctx, unit) if ctx.users_by_unit.get(unit) else ctx.specialists[0][0]
        incidents.append(
            (pk, kind, actual, potential, occurred, unit, f"Bay {rng.randint(1, 12)}", rng.choice(INCIDENT_TEXTS),
             "Area made safe; first aid given where needed.", classification, days_lost, reporter,
             occurred + timedelta(hours=2))
        )  # fmt: skip
        if offset % 3:
            continue
        coordinator = rng.choice(ctx.specialists)[0]
        deadline = (occurred + timedelta(days=Investigation.DEADLINE_DAYS[max(actual, potential)])).date()
        age = (ctx.now - occurred).days
        status = "closed" if age > 60 else rng.choice(["opened", "analysis", "actions_planned", "approved"])
        approved = status in ("approved", "closed")
        investigations.append(
            (investigation_id, pk, coordinator, deadline, status, occurred + timedelta(days=1),
             ctx.head_id if approved else None, occurred + timedelta(days=8) if approved else None,
             "Analysis accepted." if approved else "", occurred + timedelta(days=30) if status == "closed" else None)
        )  # fmt: skip
        if status != "opened":
            chains.append((chain_id, investigation_id, "Why did it happen?"))
            for order in range(1, 4):
                steps.append((step_id, chain_id, order, f"Cause at level {order}", order == 3))
                step_id += 1
            chain_id += 1
            final = fact_id
            for index, text in enumerate(
                ["Final event", "Unusual condition", "Usual condition", "Earlier unusual fact"]
            ):
                facts.append((fact_id, investigation_id, text, index in (1, 3), index == 0))
                fact_id += 1
            for antecedent, consequent in ((final + 1, final), (final + 2, final), (final + 3, final + 1)):
                links.append((link_id, investigation_id, antecedent, consequent))
                link_id += 1
        investigation_id += 1
    insert_rows(
        Incident,
        ["id", "type", "actual_severity", "potential_severity", "occurred_at", "unit_id", "location", "description",
         "immediate_actions", "classification", "days_lost", "reported_by_id", "created_at"],
        incidents,
    )  # fmt: skip
    insert_rows(
        Investigation,
        ["id", "incident_id", "coordinator_id", "deadline", "status", "opened_at", "approved_by_id", "approved_at",
         "approval_note", "closed_at"],
        investigations,
    )  # fmt: skip
    insert_rows(WhyChain, ["id", "investigation_id", "problem_statement"], chains)
    insert_rows(WhyStep, ["id", "chain_id", "order", "answer", "is_root_cause"], steps)
    insert_rows(CauseTreeFact, ["id", "investigation_id", "text", "is_unusual", "is_final_event"], facts)
    insert_rows(CauseTreeLink, ["id", "investigation_id", "antecedent_id", "consequent_id"], links)
    _reset_sequences([Incident, Investigation, WhyChain, WhyStep, CauseTreeFact, CauseTreeLink])
    ctx.counts.update(incidents=len(incidents), investigations=len(investigations))


def generate_audits(ctx: Context) -> None:
    from apps.audits.models import Audit, AuditAnswer, AuditPlanEntry, ChecklistTemplateVersion

    rng = ctx.rng
    versions = list(ChecklistTemplateVersion.objects.select_related("template").prefetch_related("items"))
    if not versions:
        return
    plan_id, audit_id, answer_id = _next_id(AuditPlanEntry), _next_id(Audit), _next_id(AuditAnswer)
    plans, audits, answers, seen = [], [], [], set()
    attempts = 0
    while len(audits) < ctx.scale.audits and attempts < ctx.scale.audits * 5:
        attempts += 1
        auditor, covered = rng.choice(ctx.specialists)
        shop = rng.choice(covered)
        unit = rng.choice([shop] + [crew for crew, parent in ctx.parent_of.items() if parent == shop][:3])
        version = rng.choice(versions)
        started = _spread(ctx, years=min(ctx.scale.years, 3))
        month = started.date().replace(day=1)
        key = (unit, auditor, month, version.template_id)
        if key in seen:
            continue
        seen.add(key)
        plans.append((plan_id, unit, auditor, month, version.template_id, ctx.head_id, started - timedelta(days=20)))
        completed = (ctx.now - started).days > 3 or rng.random() < 0.5
        items = list(version.items.all())
        compliant = applicable = 0
        for item in items:
            result = rng.choice(["compliant"] * 8 + ["non_compliant"] + ["not_applicable"])
            if result == "compliant":
                compliant += item.weight
            if result != "not_applicable":
                applicable += item.weight
            comment = "Not as required: see photo." if result == "non_compliant" else ""
            answers.append((answer_id, audit_id, item.pk, result, comment, "", started + timedelta(minutes=item.order)))
            answer_id += 1
        score = (Decimal(compliant) * 100 / Decimal(applicable)).quantize(Decimal("0.1")) if applicable else None
        audits.append(
            (audit_id, plan_id, unit, auditor, version.pk, "completed" if completed else "in_progress", started,
             started + timedelta(hours=2) if completed else None, score if completed else None)
        )  # fmt: skip
        plan_id += 1
        audit_id += 1
    insert_rows(
        AuditPlanEntry, ["id", "unit_id", "auditor_id", "month", "template_id", "planned_by_id", "created_at"], plans
    )
    insert_rows(
        Audit,
        ["id", "plan_entry_id", "unit_id", "auditor_id", "template_version_id", "status", "started_at", "completed_at",
         "score"],
        audits,
    )  # fmt: skip
    insert_rows(AuditAnswer, ["id", "audit_id", "item_id", "result", "comment", "photo", "answered_at"], answers)
    _reset_sequences([AuditPlanEntry, Audit, AuditAnswer])
    ctx.counts.update(audits=len(audits), audit_answers=len(answers))


CONTRACTOR_TAX_PREFIX = "99"  # generated companies' tax numbers (the demo's start with 51)
CONTRACTOR_TRADES = [
    ("Stroymontazh", ["Welder", "Pipe fitter", "Rigger"]), ("Promservice", ["Mechanical fitter", "Turner"]),
    ("Vysotmontazh", ["Industrial climber", "Rigger"]), ("Electroset", ["Electrician", "Cable jointer"]),
    ("Lesa", ["Scaffolder"]), ("Chistota", ["Industrial cleaner", "Vacuum truck driver"]),
    ("Avtoservice", ["Tyre fitter", "Heavy vehicle mechanic"]), ("Geodezia", ["Surveyor"]),
    ("Teplomontazh", ["Insulation fitter", "Welder"]), ("Krovlya", ["Roofer", "Industrial climber"]),
]  # fmt: skip
CONTRACTOR_TOWNS = ["Kola", "Khibiny", "Apatity", "Kirovsk", "Monchegorsk", "Olenegorsk", "Kandalaksha", "Polar"]
CONTRACTOR_WORK = [
    "Relining of mill", "Pipeline replacement at", "Roof repair over", "Cable tray replacement in",
    "Scaffolding for", "Painting of steelwork at", "Cleaning of sumps at", "Overhaul of pump at",
    "Conveyor belt splicing at", "Insulation of pipes at",
]  # fmt: skip
SUSPEND_REASONS = ["Liability insurance expired.", "Failed the contractor safety audit.", "Permit (SRO) withdrawn."]
PASS_REASONS = {
    "suspended": ["Medical clearance renewal pending.", "On leave.", "Induction to be repeated."],
    "blocked": ["Critical violation: work at height without fall protection.", "Worked under a suspended load.",
                "Bypassed the isolation (LOTO) of a conveyor.", "Alcohol test failed at the gate."],
    "revoked": ["Left the company.", "Card lost; a new pass was issued.", "Contract terminated."],
}  # fmt: skip
CHECKPOINTS = ["Main gate, turnstile 1", "Main gate, turnstile 2", "Plant gate", "Mine portal", "Rail gate"]


def contractors_generated() -> bool:
    from apps.contractors.models import ContractorCompany

    return ContractorCompany.objects.filter(tax_number__startswith=CONTRACTOR_TAX_PREFIX).exists()


def generate_contractors(ctx: Context) -> None:
    """Companies (a few suspended or banned), their workers with medical clearances and inductions
    (some running out this week, some expired), work orders in the generated units, one pass per
    worker in every status, and a month of gate checks. Reads the units and managers from the
    database, so it runs the same on a fresh plant database and on one built before it existed."""
    from apps.accounts.models import User
    from apps.accounts.roles import Role
    from apps.contractors.models import (
        AccessPass,
        CompanyDocument,
        ContractorCompany,
        ContractorWorker,
        GateCheck,
        WorkerDocument,
        WorkOrder,
    )
    from apps.org.models import StructuralUnit

    scale, today, now = ctx.scale, ctx.today, ctx.now
    rng = random.Random(2026_07)  # its own stream: the same rows on a fresh database and as an add-on
    generated_units = StructuralUnit.objects.filter(code__startswith=KEY_PREFIX).order_by("pk")
    units = list(generated_units.values_list("pk", "parent_id", "name"))
    if not units or not scale.contractor_companies:
        return
    unit_ids = [pk for pk, _parent, _name in units]
    shop_of = {pk: parent or pk for pk, parent, _name in units}
    unit_name = {pk: name for pk, _parent, name in units}
    managers_by_shop: dict[int, list[int]] = defaultdict(list)
    links = User.units.through.objects.filter(user__username__startswith=f"{KEY_PREFIX}manager")
    for user_id, unit_id in links.order_by("user_id", "structuralunit_id").values_list("user_id", "structuralunit_id"):
        managers_by_shop[unit_id].append(user_id)
    head = ctx.head_id or User.objects.filter(role=Role.HSE_HEAD).order_by("pk").values_list("pk", flat=True).first()
    office = User.objects.filter(role=Role.PASS_ADMIN).order_by("pk").values_list("pk", flat=True).first() or head

    def on(day: date, hour: int = 9) -> datetime:
        return timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=hour)

    company_id, document_id = _next_id(ContractorCompany), _next_id(CompanyDocument)
    companies, company_documents, company_status = [], [], {}
    for index in range(scale.contractor_companies):
        pk = company_id + index
        trade = CONTRACTOR_TRADES[index % len(CONTRACTOR_TRADES)][0]
        status, reason, roll = "approved", "", rng.random()
        if roll < 0.04:
            status, reason = "suspended", rng.choice(SUSPEND_REASONS)
        elif roll < 0.05:
            status, reason = "banned", "Fatal accident on site; contract terminated."
        company_status[pk] = status
        companies.append(
            (pk, f"{trade}-{rng.choice(CONTRACTOR_TOWNS)} No. {index + 1} LLC",
             f"{CONTRACTOR_TAX_PREFIX}{index + 1:08d}", status, reason,
             f"{rng.choice(SURNAMES)} {rng.choice('ABDEGIKMNOPRSTV')}.",
             f"+7 815 {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}", "", "",
             now - timedelta(days=rng.randint(30, 1500)))
        )  # fmt: skip
        for kind in ("insurance", "permit"):
            until = today + timedelta(days=-rng.randint(1, 30) if status == "suspended" else rng.randint(5, 700))
            company_documents.append((document_id, pk, kind, f"{kind[:3].upper()}-{pk}", until))
            document_id += 1
    company_ids = [row[0] for row in companies]

    order_id = _next_id(WorkOrder)
    orders, orders_of = [], defaultdict(list)  # orders_of: company -> [(id, unit, status, ends_on)]
    for offset in range(scale.contractor_companies * 5):
        pk = order_id + offset
        company = company_ids[offset % len(company_ids)]
        unit = rng.choice(unit_ids)
        status = rng.choice(["in_progress"] * 12 + ["planned"] * 2 + ["finished"] * 5 + ["stopped"])
        if company_status[company] != "approved":
            status = rng.choice(["stopped", "finished"])
        if status == "finished":
            ends = today - timedelta(days=rng.randint(1, 400))
            starts = ends - timedelta(days=rng.randint(10, 200))
        elif status == "planned":
            starts = today + timedelta(days=rng.randint(1, 30))
            ends = starts + timedelta(days=rng.randint(10, 200))
        else:
            starts = today - timedelta(days=rng.randint(1, 200))
            ends = today + timedelta(days=rng.randint(5, 300))
        responsible = rng.choice(managers_by_shop.get(shop_of[unit]) or [head])
        stop_reason = rng.choice(PASS_REASONS["blocked"]) if status == "stopped" else ""
        orders.append(
            (pk, company, f"S-WO-{pk:06d}", f"{rng.choice(CONTRACTOR_WORK)} {unit_name[unit].lower()}", unit,
             f"Bay {rng.randint(1, 12)}", starts, ends, responsible, rng.random() < 0.3, status, stop_reason,
             rng.randint(0, 3000))
        )  # fmt: skip
        orders_of[company].append((pk, unit, status, ends))

    worker_id, wdoc_id = _next_id(ContractorWorker), _next_id(WorkerDocument)
    workers, worker_documents = [], []
    for offset in range(scale.contractor_workers):
        pk = worker_id + offset
        company = company_ids[offset % len(company_ids)]
        titles = CONTRACTOR_TRADES[(company - company_id) % len(CONTRACTOR_TRADES)][1]
        name = f"{rng.choice(SURNAMES)} {rng.choice('ABDEGIKMNOPRSTV')}. {rng.choice('ABDEGIKMNOPRSTV')}."
        workers.append((pk, company, name, rng.choice(titles), "", rng.random() < 0.97))
        kinds = ["medical", "induction"] + (["heights"] if rng.random() < 0.2 else [])
        for kind in kinds:
            roll = rng.random()
            if roll < 0.03:
                until = today - timedelta(days=rng.randint(1, 60))
            elif roll < 0.05:
                until = today + timedelta(days=rng.randint(0, 7))
            else:
                until = today + timedelta(days=rng.randint(8, 400))
            worker_documents.append((wdoc_id, pk, kind, f"{kind[:3].upper()}-{wdoc_id}", until))
            wdoc_id += 1

    last = (
        AccessPass.objects.filter(number__regex=r"^P-[0-9]{6}$").order_by("-number").values_list("number", flat=True)
    ).first()
    first_number = int(last[2:]) + 1 if last else 1
    pass_id = _next_id(AccessPass)
    zone_id = _next_id(AccessPass.zones.through)
    passes, zones, live = [], [], []
    statuses = ["active"] * 78 + ["expired"] * 10 + ["suspended"] * 3 + ["blocked"] * 4 + ["revoked"] * 5
    for offset, worker in enumerate(workers[: scale.contractor_passes]):
        pk, holder, company = pass_id + offset, worker[0], worker[1]
        status = rng.choice(statuses)
        open_orders = [o for o in orders_of[company] if o[2] in ("in_progress", "planned")]
        order = rng.choice(open_orders or orders_of[company] or [None])
        if status == "expired" or (order is not None and order[2] == "finished"):
            status = "expired" if status in ("active", "suspended") else status
            until = today - timedelta(days=rng.randint(1, 300))
            starts = until - timedelta(days=rng.randint(30, 200))
        else:
            starts = today - timedelta(days=rng.randint(1, 150))
            until = today + timedelta(days=rng.randint(0, 7) if rng.random() < 0.04 else rng.randint(8, 200))
            if order is not None:
                until = min(until, order[3])
        starts = min(starts, until)
        reason = rng.choice(PASS_REASONS[status]) if status in PASS_REASONS else ""
        issued = on(starts, rng.randint(8, 16))
        changed = issued if status == "active" else max(issued, now - timedelta(days=rng.randint(0, 30)))
        passes.append(
            (pk, f"P-{first_number + offset:06d}", holder, company, order[0] if order else None, starts, until,
             status, reason, changed, office, issued)
        )  # fmt: skip
        unit = order[1] if order else rng.choice(unit_ids)
        zones.append((zone_id, pk, unit))
        zone_id += 1
        if shop_of[unit] != unit and rng.random() < 0.2:
            zones.append((zone_id, pk, shop_of[unit]))
            zone_id += 1
        live.append((pk, passes[-1][1], status, starts, until, company_status[company], reason))

    check_id = _next_id(GateCheck)
    checks = []
    for offset in range(scale.gate_checks if live else 0):
        day = today - timedelta(days=rng.randint(0, 29))
        at = on(day, 6) + timedelta(minutes=rng.randint(0, 14 * 60))
        if at > now:
            at = now - timedelta(minutes=rng.randint(1, 300))
        if rng.random() < 0.03:
            number = f"X-{rng.randint(100000, 999999)}"
            checks.append((check_id + offset, None, number, at, office, rng.choice(CHECKPOINTS), False,
                           [{"code": "unknown_number", "detail": ""}]))  # fmt: skip
            continue
        pk, number, status, starts, until, firm_status, reason = rng.choice(live)
        reasons = []
        if status != "active":
            reasons.append({"code": f"pass_{status}", "detail": reason})
        if until < at.date() and status != "expired":
            reasons.append({"code": "pass_expired", "detail": until.isoformat()})
        if firm_status != "approved":
            reasons.append({"code": f"company_{firm_status}", "detail": ""})
        checks.append((check_id + offset, pk, number, at, office, rng.choice(CHECKPOINTS), not reasons, reasons))

    insert_rows(
        ContractorCompany,
        ["id", "name", "tax_number", "status", "status_reason", "contact_name", "contact_phone", "contact_email",
         "notes", "created_at"],
        companies,
    )  # fmt: skip
    insert_rows(CompanyDocument, ["id", "company_id", "kind", "number", "valid_until"], company_documents)
    insert_rows(
        WorkOrder,
        ["id", "company_id", "number", "title", "unit_id", "location", "starts_on", "ends_on", "responsible_id",
         "is_high_hazard", "status", "stop_reason", "hours_on_site"],
        orders,
    )  # fmt: skip
    insert_rows(ContractorWorker, ["id", "company_id", "full_name", "job_title", "photo", "is_active"], workers)
    insert_rows(WorkerDocument, ["id", "worker_id", "kind", "number", "valid_until"], worker_documents)
    insert_rows(
        AccessPass,
        ["id", "number", "holder_id", "company_id", "work_order_id", "valid_from", "valid_until", "status",
         "status_reason", "status_changed_at", "issued_by_id", "issued_at"],
        passes,
    )  # fmt: skip
    insert_rows(AccessPass.zones.through, ["id", "accesspass_id", "structuralunit_id"], zones)
    insert_rows(
        GateCheck,
        ["id", "access_pass_id", "number_presented", "checked_at", "checked_by_id", "checkpoint", "allowed", "reasons"],
        checks,
    )  # fmt: skip
    _reset_sequences([ContractorCompany, CompanyDocument, WorkOrder, ContractorWorker, WorkerDocument, AccessPass,
                      AccessPass.zones.through, GateCheck])  # fmt: skip
    ctx.counts.update(
        contractor_companies=len(companies), contractor_workers=len(workers),
        contractor_documents=len(worker_documents), work_orders=len(orders), access_passes=len(passes),
        gate_checks=len(checks),
    )  # fmt: skip


VIOLATION_YEARS = 3
# What HSE specialists find at contractors, by severity, and how often each severity is found.
VIOLATION_TEXTS = {
    "minor": ["Hoses and cables left across the walkway", "Scaffold tag out of date", "Helmet worn without the chin "
              "strap", "Offcuts and rubbish left at the job", "Gas cylinder not chained", "First-aid kit incomplete"],
    "serious": ["Grinding without a face shield", "Hot work without a fire watch", "Work permit not at the job",
                "Entered the crane's exclusion zone", "Ladder used as a work platform"],
    "severe": ["Wheel changed without chocks or stands", "Entered a confined space without a gas test",
               "Bypassed the isolation (LOTO) of a conveyor", "Worked under a suspended load"],
    "critical": ["Work at height without fall protection", "Excavation without shoring next to a live cable",
                 "Alcohol test failed at the gate"],
}  # fmt: skip
VIOLATION_MIX = ["minor"] * 55 + ["serious"] * 30 + ["severe"] * 12 + ["critical"] * 3
SANCTION_REASONS = {
    "warning": "A written warning to the company; the crew re-briefed at the job.",
    "fine": "A fine under the contract's HSE clause.",
    "stop_work": "Work stopped until the job is re-planned and the crew re-briefed.",
    "block_passes": "Passes of the workers involved blocked until they are retrained.",
}
LIFT_REASONS = {
    "warning": "Twelve months without a repeat.",
    "fine": "Fine paid.",
    "stop_work": "Corrective measures verified on site; work resumed.",
    "block_passes": "Workers retrained and tested; passes cleared.",
}


def contractor_violations_generated() -> bool:
    from apps.contractors.models import Violation

    return Violation.objects.filter(company__tax_number__startswith=CONTRACTOR_TAX_PREFIX).exists()


def generate_contractor_violations(ctx: Context) -> None:
    """Violations at the generated companies over three years (denser towards now), recorded by
    the HSE specialist of the unit, on the work order running there at the time when there was one,
    with the workers involved; and the sanctions decided on them. Every sanction that stops work or
    blocks passes has been lifted since (the work orders and passes are generated in their own
    states), warnings and fines stay in force for a year; the last week's non-critical violations
    await the specialist's decision. Reads the companies, work orders and workers from the database,
    so it also runs as an add-on to a plant database built before it."""
    from apps.accounts.models import User
    from apps.contractors.models import ContractorCompany, ContractorWorker, Sanction, Violation, WorkOrder
    from apps.contractors.sanctions import DEFAULT_POLICY
    from apps.org.models import StructuralUnit

    scale, now = ctx.scale, ctx.now
    rng = random.Random(2026_08)  # its own stream, like the contractors'
    generated = ContractorCompany.objects.filter(tax_number__startswith=CONTRACTOR_TAX_PREFIX)
    company_ids = list(generated.order_by("pk").values_list("pk", flat=True))
    if not company_ids or not scale.contractor_violations:
        return
    orders_of: dict[int, list[tuple]] = defaultdict(list)
    for row in (
        WorkOrder.objects.filter(company__in=generated)
        .order_by("pk")
        .values_list("company_id", "pk", "unit_id", "starts_on", "ends_on", "location")
    ):
        orders_of[row[0]].append(row[1:])
    workers_of: dict[int, list[int]] = defaultdict(list)
    for company, worker in (
        ContractorWorker.objects.filter(company__in=generated).order_by("pk").values_list("company_id", "pk")
    ):
        workers_of[company].append(worker)
    shop_of = dict(StructuralUnit.objects.filter(code__startswith=KEY_PREFIX).values_list("pk", "parent_id"))
    unit_ids = sorted(shop_of)
    specialists_of: dict[int, list[int]] = defaultdict(list)
    links = User.units.through.objects.filter(user__username__startswith=f"{KEY_PREFIX}specialist")
    for user_id, unit_id in links.order_by("user_id", "structuralunit_id").values_list("user_id", "structuralunit_id"):
        specialists_of[unit_id].append(user_id)
    head = ctx.head_id or User.objects.filter(role="hse_head").order_by("pk").values_list("pk", flat=True).first()
    if head is None or not unit_ids:
        return

    violation_id, link_id, sanction_id = _next_id(Violation), _next_id(Violation.workers.through), _next_id(Sanction)
    violations, links_rows, sanctions = [], [], []
    span = VIOLATION_YEARS * 365 * 86400
    for offset in range(scale.contractor_violations):
        pk = violation_id + offset
        observed = now - timedelta(seconds=span * rng.random() ** 1.3 + 3600)
        company = rng.choice(company_ids)
        severity = rng.choice(VIOLATION_MIX)
        if severity == "critical" and now - observed < timedelta(days=14):
            severity = "severe"  # a recent critical one would still have its work stopped: not generated
        running = [o for o in orders_of[company] if o[2] <= observed.date() <= o[3]]
        order = rng.choice(running) if running else None
        unit = order[1] if order else rng.choice([o[1] for o in orders_of[company]] or unit_ids)
        recorder = rng.choice(specialists_of.get(shop_of.get(unit) or unit) or [head])
        recorded = min(observed + timedelta(minutes=rng.randint(5, 240)), now)
        violations.append(
            (pk, company, order[0] if order else None, severity,
             f"{rng.choice(VIOLATION_TEXTS[severity])}.", unit, order[4] if order else "", observed, "", recorder,
             recorded)
        )  # fmt: skip
        crew = workers_of[company]
        for worker in rng.sample(crew, min(len(crew), rng.choice([0, 1, 1, 2]))):
            links_rows.append((link_id, pk, worker))
            link_id += 1

    # The policy's proposal counts the company's violations of the same severity in the 12 months
    # before, as `sanctions.repetition_of` does.
    seen: dict[tuple, list] = defaultdict(list)
    for row in sorted(violations, key=lambda row: (row[7], row[0])):
        pk, company, order, severity, _text, _unit, _place, observed, _evidence, recorder, recorded = row
        earlier = seen[company, severity]
        repetition = min(1 + sum(1 for t in earlier if t >= observed - timedelta(days=365)), 3)
        earlier.append(observed)
        if severity != "critical" and now - observed < timedelta(days=7):
            continue  # awaiting the specialist's decision
        proposed = DEFAULT_POLICY[severity][repetition - 1]
        kind = proposed if proposed in SANCTION_REASONS else "block_passes"  # no removals or bans here
        if rng.random() < 0.15:  # the specialist chose otherwise
            mild = severity in ("minor", "serious")
            kind = rng.choice(["fine", "warning"] if mild else ["stop_work", "block_passes"])
        if kind == "stop_work" and order is None:
            kind = "block_passes"
        decided = min(recorded + timedelta(hours=rng.randint(0, 48)), now)
        lasts = timedelta(days=365) if kind in ("warning", "fine") else timedelta(days=rng.randint(2, 14))
        lifted = decided + lasts if decided + lasts < now else None
        if lifted is None and kind not in ("warning", "fine"):
            lifted = now - timedelta(minutes=rng.randint(1, 600))
        sanctions.append(
            (sanction_id, pk, company, kind, proposed, "lifted" if lifted else "in_force", SANCTION_REASONS[kind],
             Decimal(rng.choice([50_000, 100_000, 250_000])) if kind == "fine" else None, recorder, decided,
             recorder if lifted else None, lifted, LIFT_REASONS[kind] if lifted else "")
        )  # fmt: skip
        sanction_id += 1

    insert_rows(
        Violation,
        ["id", "company_id", "work_order_id", "severity", "description", "unit_id", "location", "observed_at",
         "evidence", "recorded_by_id", "recorded_at"],
        violations,
    )  # fmt: skip
    insert_rows(Violation.workers.through, ["id", "violation_id", "contractorworker_id"], links_rows)
    insert_rows(
        Sanction,
        ["id", "violation_id", "company_id", "kind", "proposed_kind", "status", "reason", "fine_amount",
         "decided_by_id", "decided_at", "lifted_by_id", "lifted_at", "lift_reason"],
        sanctions,
    )  # fmt: skip
    _reset_sequences([Violation, Violation.workers.through, Sanction])
    ctx.counts.update(contractor_violations=len(violations), sanctions=len(sanctions))


# Each app's generator, in dependency order. Later capabilities append theirs.
GENERATORS = [
    generate_org, generate_observations, generate_actions, generate_incidents, generate_audits, generate_contractors,
    generate_contractor_violations, generate_trainings, generate_internships,
]  # fmt: skip
# Generators that came after plant databases were built: (generator, are its rows there?). On a
# database with the scale data, the next run adds the rows of those whose rows are missing.
ADD_ONS = [
    (generate_contractors, contractors_generated),
    (generate_contractor_violations, contractor_violations_generated),
    (generate_trainings, trainings_generated),
    (generate_internships, internships_generated),
]


def already_generated() -> bool:
    from apps.org.models import StructuralUnit

    return StructuralUnit.objects.filter(code__startswith=KEY_PREFIX).exists()


def generate(scale: Scale, *, seed: int = 2026, now: datetime | None = None, log=print) -> dict:
    """Add the scale data (once: a second run adds nothing). Returns the counts."""
    from apps.accounts.models import User
    from apps.accounts.roles import Role

    generators = GENERATORS
    if already_generated():
        generators = [generator for generator, present in ADD_ONS if not present()]
        if not generators:
            log("Scale data already present: nothing added.")
            return {}
        log("Scale data present; adding " + ", ".join(g.__name__.removeprefix("generate_") for g in generators))
    now = now or datetime.now(UTC).replace(microsecond=0)
    ctx = Context(rng=random.Random(seed), scale=scale, now=now, today=timezone.localdate(now))
    ctx.head_id = User.objects.filter(role=Role.HSE_HEAD).values_list("pk", flat=True).first()
    for generator in generators:
        started = datetime.now()
        with transaction.atomic():
            generator(ctx)
        log(f"  {generator.__name__.removeprefix('generate_')}: {(datetime.now() - started).total_seconds():.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return ctx.counts
