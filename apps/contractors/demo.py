"""Demo contractors: eight companies (one suspended), forty workers with their medical clearances
and site inductions, twelve work orders in the plant's units (with their hours on site, so the
scorecard has rates and a rank), about forty access passes, a week of gate checks and five
violations.

The issue's "done when" is in it: three days ago an HSE specialist found work at height without
fall protection on the crane runway job, and recorded it as a critical violation through the
violation service, which stopped the work order, blocked its workers' passes and put a "stop work"
sanction in force, all in one transaction with the violation as the reason. Each pass's trail
says who did it and why; the gate refuses them, naming the block, the stopped work and the
sanction; and the pass office cannot unblock them until the HSE function lifts the sanction.
The other violations: two minor ones, a serious one with the warning the specialist decided, and a
severe one at the tyre fitters still awaiting the specialist's decision. Idempotent: keyed on the
companies' tax numbers. Deterministic: a fixed seed, dates counted from `today`."""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from . import gate, sanctions, services
from .models import AccessPass, ContractorCompany, GateCheck, WorkerDocument

# tax number, name, contact, what they do (the job titles of their people)
COMPANIES = [
    ("5103011001", "Stroymontazh-Kola LLC", "Orlov A. V.", ["Welder", "Pipe fitter", "Rigger"]),
    ("5103011002", "Uralpromservice JSC", "Belyaev S. N.", ["Mechanical fitter", "Turner", "Crusher repair fitter"]),
    ("5103011003", "Sevzapvysotmontazh LLC", "Kiselev D. P.", ["Industrial climber", "Rigger", "Welder"]),
    ("5103011004", "Khibiny Electro LLC", "Gusev O. I.", ["Electrician", "Cable jointer"]),
    ("5103011005", "Polar Scaffolding LLC", "Antonova E. A.", ["Scaffolder", "Scaffolding inspector"]),
    ("5103011006", "Kola Cleaning Services LLC", "Titov R. V.", ["Industrial cleaner", "Vacuum truck driver"]),
    ("5103011007", "Apatit Transport Service LLC", "Markov I. S.", ["Tyre fitter", "Heavy vehicle mechanic"]),
    ("5103011008", "GeoSurvey North LLC", "Zueva N. K.", ["Surveyor", "Laser scanner operator"]),
]  # fmt: skip
WORKERS_PER_COMPANY = [6, 6, 5, 5, 5, 4, 5, 4]  # 40 people
SUSPENDED = ("5103011006", "Liability insurance expired; the renewed policy has not been presented.")

SURNAMES = [
    "Abramov", "Baranov", "Belov", "Bogdanov", "Vorobiev", "Gavrilov", "Gerasimov", "Danilov", "Zhukov",
    "Zaitsev", "Ilyin", "Karpov", "Komarov", "Kudryavtsev", "Loginov", "Maksimov", "Medvedev", "Nazarov",
    "Nikitin", "Osipov", "Polyakov", "Romanov", "Savin", "Sorokin", "Tarasov", "Tikhonov", "Filippov",
    "Frolov", "Chernov", "Sharov", "Shcherbakov", "Yakovlev",
]  # fmt: skip
INITIALS = "ABDEGIKMNOPRSTV"

# number, company (index), title, unit code, location, starts and ends (days from today), who
# opens it, who answers for it, high hazard, status
WORK_ORDERS = [
    ("WO-2026-101", 0, "Replacement of the slurry pipeline at flotation cells 5-8", "flotation", "Cells 5-8, level +6",
     -25, 40, "specialist", "manager", True, "in_progress"),
    ("WO-2026-102", 0, "Repair of the crusher building roof", "crushing", "Roof, axis 1-6",
     -5, 60, "specialist", "manager", True, "in_progress"),
    ("WO-2026-103", 1, "Overhaul of cone crusher No. 3", "crushing", "Crusher bay 3",
     -15, 20, "specialist", "manager", True, "in_progress"),
    ("WO-2026-104", 1, "Gearbox replacement on conveyor C-3", "crushing", "Conveyor C-3 drive",
     -40, -3, "specialist", "manager", False, "finished"),
    ("WO-2026-105", 2, "Replacement of crane runway rails, overhead crane 2", "lifting-crew", "Repair bay, +12 m",
     -10, 30, "specialist", "manager2", True, "stopped"),
    ("WO-2026-106", 2, "Painting of the flotation building steelwork", "flotation", "Flotation hall, trusses",
     -20, 45, "specialist", "manager", True, "in_progress"),
    ("WO-2026-107", 3, "Cable tray replacement in the repair shop substation", "repair-shop", "Substation 6 kV",
     -12, 35, "specialist", "manager2", True, "in_progress"),
    ("WO-2026-108", 3, "Lighting upgrade in the haulage drift", "ug-crew-1", "Drift 4, level -120",
     -8, 50, "specialist2", "specialist2", False, "in_progress"),
    ("WO-2026-109", 4, "Scaffolding for the thickener repair", "flotation", "Thickener No. 2",
     -18, 25, "specialist", "manager", True, "in_progress"),
    ("WO-2026-110", 5, "Cleaning of sumps and spillage under the conveyors", "crushing", "Conveyor gallery",
     -30, 30, "specialist", "manager", False, "in_progress"),
    ("WO-2026-111", 6, "Tyre change and service of haul trucks", "haul-trucks", "Truck workshop, bay 2",
     -35, 90, "specialist2", "specialist2", False, "in_progress"),
    ("WO-2026-112", 7, "Laser scanning of the open stopes", "mine-survey", "Stopes 12-15",
     -6, 4, "specialist2", "specialist2", False, "in_progress"),
]  # fmt: skip
STOPPED_ORDER = "WO-2026-105"
# Hours on site of each work order (in the order above): the scorecard's rates are per 10,000.
HOURS_ON_SITE = [420, 160, 610, 980, 240, 530, 300, 150, 380, 700, 1150, 90]

# Special cases, by the worker's place in the list (0-39).
EXPIRING_DOCUMENTS = {3: ("medical", 2), 13: ("induction", 5), 27: ("medical", 6)}  # runs out this week
EXPIRED_DOCUMENT = {21: ("medical", -2)}  # ran out: the gate refuses the holder
PASS_ENDS_THIS_WEEK = {1: 1, 8: 4, 30: 7}
SUSPENDED_PASSES = {5: "Medical clearance renewal pending.", 33: "On leave until the end of the month."}
REVOKED_PASSES = {10: "Left the company.", 36: "Card lost; a new pass was issued."}
UNBLOCKED_AFTER = {17: ("Drove a forklift without a seat belt.", "Briefed on the traffic rules; one-off.")}
NO_PASS = {39}  # registered, waiting for the induction

# The violations, oldest first: work order, severity, what was found, where, when (days before
# today, hour, minute), the workers involved (the first n of the order's active pass holders; None:
# all of them), and the sanction the HSE specialist decided (kind and why; None: not decided yet,
# or, for the critical one, decided by the service itself).
CRITICAL_VIOLATION = (
    "Work at height without fall protection on the crane runway at +12 m: the crew's harnesses were not "
    "clipped to the lifeline."
)
VIOLATIONS = [
    ("WO-2026-101", "minor", "Hoses and welding cables left across the walkway, no cable bridge.",
     "Cells 5-8, level +6", (20, 14, 10), 0, None),
    ("WO-2026-103", "serious", "Grinding at the crusher without a face shield; the grinder's guard removed.",
     "Crusher bay 3", (12, 11, 15), 1,
     ("warning", "First serious violation within 12 months: a written warning; the crew was briefed on "
                 "grinding PPE at the job and the guard refitted.")),
    ("WO-2026-109", "minor", "Scaffold inspection tag not updated after the shift change.",
     "Thickener No. 2", (9, 8, 30), 0, None),
    ("WO-2026-111", "severe", "Wheel changed on a haul truck raised on the jack alone, without stands or "
                              "wheel chocks.",
     "Truck workshop, bay 2", (5, 15, 20), 1, None),
    (STOPPED_ORDER, "critical", CRITICAL_VIOLATION, "Repair bay, crane runway, +12 m", (3, 10, 40), None, None),
]  # fmt: skip


def _name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(INITIALS)}. {rng.choice(INITIALS)}."


def _at(day: date, hour: int, minute: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def load_demo(*, units: dict, users: dict, today: date) -> int:
    """Demo records of this app; idempotent. Returns how many demo passes there are."""
    tax_numbers = [row[0] for row in COMPANIES]
    if not ContractorCompany.objects.filter(tax_number__in=tax_numbers).exists():
        _load(units=units, users=users, today=today)
    return AccessPass.objects.filter(company__tax_number__in=tax_numbers).count()


def _load(*, units: dict, users: dict, today: date) -> None:
    rng = random.Random(2026)
    head, office = users["head"], users["passoffice"]

    companies = []
    for index, (tax_number, name, contact, _titles) in enumerate(COMPANIES):
        company = services.company_create(
            actor=head, name=name, tax_number=tax_number, contact_name=contact,
            contact_phone=f"+7 815 55 {20 + index:02d}-{31 + index * 7:02d}",
            contact_email=f"office@{name.split()[0].lower()}.example",
        )  # fmt: skip
        insured_until = today + timedelta(days=-5 if tax_number == SUSPENDED[0] else 120 + 25 * index)
        services.company_document_add(actor=head, company=company, kind="insurance", number=f"INS-{tax_number[-4:]}",
                                      valid_until=insured_until)  # fmt: skip
        services.company_document_add(actor=head, company=company, kind="permit", number=f"SRO-{tax_number[-4:]}",
                                      valid_until=today + timedelta(days=4 if index == 3 else 300 + index))  # fmt: skip
        companies.append(company)

    orders, openers = {}, {}
    for position, row in enumerate(WORK_ORDERS):
        number, company_index, title, unit, location, starts, ends, opener, responsible, hazard, _status = row
        order = services.work_order_create(
            actor=users[opener], company=companies[company_index], unit=units[unit], responsible=users[responsible],
            number=number, title=title, location=location, starts_on=today + timedelta(days=starts),
            ends_on=today + timedelta(days=ends), is_high_hazard=hazard,
            hours_on_site=HOURS_ON_SITE[position],
        )  # fmt: skip
        services.work_order_step(actor=users[opener], order=order, step="start")
        orders[number] = order
        openers[number] = users[opener]  # the HSE specialist of the unit: the one who sanctions there
    orders_of = {index: [o for o in orders.values() if o.company_id == c.pk] for index, c in enumerate(companies)}

    workers = []
    for company_index, count in enumerate(WORKERS_PER_COMPANY):
        titles = COMPANIES[company_index][3]
        for slot in range(count):
            position = len(workers)
            worker = services.worker_create(
                actor=office,
                company=companies[company_index],
                full_name=_name(rng),
                job_title=titles[slot % len(titles)],
            )
            ends = {"medical": 150 + rng.randint(0, 200), "induction": 60 + rng.randint(0, 300)}
            special = (EXPIRING_DOCUMENTS | EXPIRED_DOCUMENT).get(position)
            if special:
                ends[special[0]] = special[1]
            if position in NO_PASS:
                ends.pop("induction")
            if company_index == 2:  # the climbers' admission to work at height
                ends["heights"] = 200 + slot
            for kind, days in ends.items():
                number = f"{kind[:3].upper()}-{1000 + position}"
                until = today + timedelta(days=days)
                services.worker_document_add(actor=office, worker=worker, kind=kind, number=number, valid_until=until)
            workers.append((worker, company_index))

    passes = {}
    for position, (worker, company_index) in enumerate(workers):
        if position in NO_PASS:
            continue
        candidates = orders_of[company_index]
        order = candidates[position % len(candidates)]
        ends_on = order.ends_on
        valid_until = min(ends_on, today + timedelta(days=PASS_ENDS_THIS_WEEK.get(position, 90)))
        zones = [order.unit] if position % 3 else [order.unit, order.unit.parent or order.unit]
        passes[position] = services.pass_issue(
            actor=office, holder=worker, zones=set(zones), valid_from=min(order.starts_on, today - timedelta(days=3)),
            valid_until=valid_until, work_order=order,
        )  # fmt: skip

    # The finished job: its passes ran out with it and the nightly run expired them.
    services.work_order_step(actor=users["specialist"], order=orders["WO-2026-104"], step="finish")
    services.passes_expire(today=today)

    for position, reason in SUSPENDED_PASSES.items():
        services.pass_suspend(actor=office, access_pass=passes[position], reason=reason)
    for position, reason in REVOKED_PASSES.items():
        services.pass_revoke(actor=office, access_pass=passes[position], reason=reason)
        if position == 36:  # the replacement card
            old = passes[position]
            passes[position] = services.pass_issue(
                actor=office, holder=old.holder, zones=list(old.zones.all()), valid_from=today,
                valid_until=old.valid_until, work_order=old.work_order,
            )  # fmt: skip
    for position, (why, cleared) in UNBLOCKED_AFTER.items():
        blocker = openers[passes[position].work_order.number]
        services.pass_block(actor=blocker, access_pass=passes[position], reason=why)
        services.pass_unblock(actor=head, access_pass=passes[position], reason=cleared)

    suspended = next(c for c in companies if c.tax_number == SUSPENDED[0])
    services.company_set_status(actor=head, company=suspended, status="suspended", reason=SUSPENDED[1])

    _violations(orders=orders, openers=openers, today=today)

    _gate_checks(passes=passes, office=office, today=today, rng=rng)


def _violations(*, orders: dict, openers: dict, today: date) -> None:
    """The violations, through the violation service, recorded by the HSE specialist of the unit.
    The critical one (the "done when") stops its work order and blocks the passes of the crew
    named, with a "stop work" sanction in force; the serious one gets the warning decided."""
    for number, severity, description, location, (days, hour, minute), named, decided in VIOLATIONS:
        order, specialist = orders[number], openers[number]
        crew = [
            p.holder
            for p in AccessPass.objects.filter(work_order=order, status=AccessPass.Status.ACTIVE)
            .select_related("holder")
            .order_by("pk")
        ]
        violation = sanctions.violation_record(
            actor=specialist, company=order.company, severity=severity, description=description, unit=order.unit,
            location=location, observed_at=_at(today - timedelta(days=days), hour, minute), work_order=order,
            workers=crew if named is None else crew[:named], today=today,
        )  # fmt: skip
        if decided is not None:
            kind, reason = decided
            sanctions.sanction_apply(actor=specialist, violation=violation, kind=kind, reason=reason)


def _gate_checks(*, passes: dict, office, today: date, rng: random.Random) -> None:
    """A week of morning checks at the gates, and today's, refusals included."""
    gates = ["Main gate, turnstile 1", "Main gate, turnstile 2", "Concentrator gate", "Mine portal"]
    demo_passes = AccessPass.objects.filter(pk__in=[p.pk for p in passes.values()])
    regular = list(
        demo_passes.filter(status=AccessPass.Status.ACTIVE)
        .exclude(company__status=ContractorCompany.Status.SUSPENDED)
        .select_related("holder", "company", "work_order")
        .prefetch_related("holder__documents")
        .order_by("pk")
    )
    past = []
    for back in range(6, 0, -1):
        day = today - timedelta(days=back)
        for access_pass in regular:
            if day < access_pass.valid_from or rng.random() < 0.25:
                continue  # not on shift that day
            # Decided as on that day: the passes read here were active all week, so only the
            # holder's documents (one medical clearance ran out two days ago) can refuse.
            refusals = gate.refusals_for(access_pass, today=day, documents=list(access_pass.holder.documents.all()))
            past.append(GateCheck(
                access_pass=access_pass, number_presented=access_pass.number, checked_by=office,
                checked_at=_at(day, 7, rng.randint(10, 59)), checkpoint=rng.choice(gates), allowed=not refusals,
                reasons=[r.as_dict() for r in refusals],
            ))  # fmt: skip
        if back % 2:
            past.append(GateCheck(
                number_presented=f"P-{rng.randint(900000, 999999)}", checked_by=office,
                checked_at=_at(day, 8, rng.randint(0, 59)), checkpoint=gates[0], allowed=False,
                reasons=[gate.Refusal("unknown_number").as_dict()],
            ))  # fmt: skip
    GateCheck.objects.bulk_create(past)
    # This morning, through the service (decided now): the blocked crew, the suspended company's
    # people and the worker whose medical clearance ran out are turned away; the others go in.
    today_numbers = [p.number for p in regular[:8]]
    today_numbers += list(
        demo_passes.filter(status__in=[AccessPass.Status.BLOCKED, AccessPass.Status.REVOKED])
        .order_by("pk")
        .values_list("number", flat=True)
    )
    today_numbers += list(
        AccessPass.objects.filter(company__tax_number=SUSPENDED[0]).order_by("pk").values_list("number", flat=True)[:2]
    )
    expired_medical = WorkerDocument.objects.filter(
        valid_until__lt=today, kind="medical", worker__company__tax_number__in=[row[0] for row in COMPANIES]
    ).values("worker_id")
    today_numbers += list(
        AccessPass.objects.filter(holder__in=expired_medical, status=AccessPass.Status.ACTIVE).values_list(
            "number", flat=True
        )
    )
    today_numbers.append("P-4711")
    for index, number in enumerate(today_numbers):
        services.gate_check(actor=office, number=number, checkpoint=gates[index % 2])
