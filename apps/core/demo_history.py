"""A year of demo history before the demo's own recent records, so the KPI pages have 12-month
trends to show.

The other apps' demos hold the last weeks (observations: three months; audits: last month and this
one; actions, signals, sanctions: a few weeks). This module adds, for the demo's units and users,
the twelve calendar months before last month (`history_months`), with a story the charts tell:

- gemba walks by the two HSE specialists and the two line managers in their own units, 17 a month
  at first and about 34 by the end, the managers walking more and more; feedback given on the spot
  rises from under half of the walks to nine in ten, and the share of safe behaviour with it;
- actions from the unsafe findings (the observation is their source), owned by the unit's line
  manager (the mine's by its HSE specialist), done on time more and more often (55% at first, over
  90% at the end), a few done late, a few still open and overdue today; most verified by the head;
- the audit plan of both specialists, seven audits a month, most completed within their month,
  some in the next, a few not at all; findings on the checklist items;
- four contractor audits over the year, and five contractor violations with the sanction the
  specialist decided a few days later (lifted since);
- two to four signals a month from the units' QR forms, most answered within the 14 days;
- and one month, `DIP`, the plant's planned maintenance shutdown, when fewer walks were made, audits
  slipped and actions and signals waited.

Rows go in with `bulk_create` and explicit dates (no history entries, no KPI refresh requests: the
KPI demo computes the snapshots after this). Deterministic: each month's rows come from a generator
seeded with the calendar month, so a month gets the same rows whichever day the demo is loaded on.
Idempotent, and never a duplicate: every row has a key of its own, looked up before inserting —
observations a deterministic `submission_key`, actions their source observation, planned audits the
plan's natural key (unit, auditor, month, checklist), contractor audits their company and unit,
violations their company and what was found, signals their unit, date and text. Loaded again on a
later day, the months already there keep their rows and the months that came into the window get
theirs."""

import calendar
import random
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from apps.common.dates import months_back, next_month

HISTORY_MONTHS = 12
# The month (0 = the oldest of the twelve) of the plant's planned maintenance shutdown.
DIP = 7
# The namespace of the history observations' submission keys.
NAMESPACE = uuid.UUID("6f1c2d52-9a37-4c1b-8a43-2f4f3b8e1d07")
SEED = "hse-demo-history"

PLANT = {"concentrator", "crushing", "flotation", "repair-shop", "lifting-crew", "machining"}
# observer -> {unit code: weight}
WALKS = {
    "specialist": {"crushing": 3, "flotation": 2, "concentrator": 1, "lifting-crew": 2, "machining": 2,
                   "repair-shop": 1},
    "specialist2": {"ug-crew-1": 3, "ug-crew-2": 3, "ug-mine": 1, "mine-survey": 1, "haul-trucks": 3,
                    "light-vehicles": 1, "transport": 1},
    "manager": {"crushing": 3, "flotation": 3, "concentrator": 1},
    "manager2": {"lifting-crew": 3, "machining": 3, "repair-shop": 1},
}  # fmt: skip
# Walks a month: (at first, added each month)
WALK_RATE = {"specialist": (7, 0.3), "specialist2": (6, 0.3), "manager": (2, 0.5), "manager2": (2, 0.4)}
# Who owns the actions of a unit's findings.
OWNERS = {"concentrator": "manager", "crushing": "manager", "flotation": "manager", "repair-shop": "manager2",
          "lifting-crew": "manager2", "machining": "manager2"}  # fmt: skip
MINE_OWNER = "specialist2"

AREAS = {
    "concentrator": ["Reagent store", "Control room corridor", "Thickener area"],
    "crushing": ["Conveyor C-3 gallery", "Crusher feed platform", "Screen house", "Conveyor C-12 tail"],
    "flotation": ["Flotation cells 1-4", "Reagent dosing point", "Slurry pump bay", "Launders, level +6"],
    "repair-shop": ["Shop gate", "Tool store", "Compressor room"],
    "lifting-crew": ["Repair bay, overhead crane 2", "Rigging loft", "Laydown yard"],
    "machining": ["Lathe bay", "Welding bay", "Press area"],
    "ug-mine": ["Main haulage drift", "Shaft station, level -120"],
    "ug-crew-1": ["Drift 4, level -120", "Ventilation raise", "Crosscut 7"],
    "ug-crew-2": ["Stope 12 draw point", "LHD workshop", "Ore pass 3"],
    "mine-survey": ["Stopes 12-15", "Survey office"],
    "transport": ["Fuel bay", "Vehicle workshop"],
    "haul-trucks": ["Pit road 2", "Truck workshop, bay 2", "Dump point"],
    "light-vehicles": ["Bus stop at the portal", "Garage"],
}

# category, kind, where (plant / mine / any), what was seen, what was said on the spot, risk,
# work stopped, the follow-up action and its control level (unsafe findings only)
SEEN = [
    ("ppe", "unsafe_act", "any", "Worker without safety glasses at a grinding job",
     "Explained the risk of chips to the eyes; glasses fetched from the store", "high", False,
     "Put safety-glasses dispensers at the entries to the grinding areas", "ppe"),
    ("ppe", "unsafe_act", "plant", "Hearing protection not worn in the marked noise zone",
     "Talked about noise damage being permanent; ear plugs handed out", "medium", False,
     "Renew the noise-zone signs and stock ear plugs at each entry", "ppe"),
    ("ppe", "safe_act", "any", "Whole crew in full PPE, chin straps fastened, at the start of the shift",
     "Thanked the crew and the foreman", "low", False, "", ""),
    ("ppe", "unsafe_condition", "mine", "Self-rescuer station at the crosscut short of two units",
     "Told the foreman; spare units brought from the shaft station", "high", False,
     "Add the self-rescuer stations to the weekly check list", "administrative"),
    ("loto", "unsafe_act", "plant", "Chute blockage cleared with the feeder switched off but not locked",
     "Work stopped; isolation and personal locks applied together", "critical", True,
     "Fit a lockable isolator next to the feeder", "engineering"),
    ("loto", "safe_act", "any", "Fitter applied a personal lock and tried the start button before the repair",
     "Thanked him and asked what makes it easy to do", "medium", False, "", ""),
    ("loto", "unsafe_condition", "plant", "LOTO station without tags and with two padlocks missing",
     "Told the shift foreman; locks borrowed from the next section", "medium", False,
     "Restock the LOTO station and add it to the shift checklist", "administrative"),
    ("loto", "good_practice", "plant", "Isolation points photographed and posted on the equipment board",
     "Praised the idea; to be shared with the other sections", "low", False, "", ""),
    ("height", "unsafe_condition", "plant", "Handrail missing on the platform over the sump",
     "Area barriered off until repaired", "critical", True,
     "Refit the handrail and add toe boards on the sump platform", "engineering"),
    ("height", "unsafe_act", "any", "Ladder used without anyone footing it to reach a valve",
     "Talked about the fall; the work was finished from a mobile platform", "high", False,
     "Install a fixed access platform at the valve", "engineering"),
    ("height", "safe_act", "any", "Harness clipped to the anchor before stepping onto the roof",
     "Thanked the crew", "low", False, "", ""),
    ("lifting", "unsafe_act", "plant", "Load guided by hand from under the hook",
     "Explained the exclusion zone; showed the tag line", "high", True,
     "Brief slingers on tag lines and mark the exclusion zones", "administrative"),
    ("lifting", "unsafe_condition", "plant", "Chain sling with a worn link still hanging in the rigging loft",
     "Sling tagged out and removed", "high", False,
     "Quarantine cage for rejected slings in the rigging loft", "engineering"),
    ("lifting", "safe_act", "plant", "Crane operator stopped the lift when the signaller lost sight of the load",
     "Thanked the operator in front of the crew", "medium", False, "", ""),
    ("machinery", "unsafe_condition", "any", "Guard on a drive coupling held on with wire",
     "Equipment stopped until the guard is fixed properly", "critical", True,
     "Replace the coupling guard with a bolted, interlocked one", "engineering"),
    ("machinery", "unsafe_act", "plant", "Spillage shovelled next to the running tail pulley",
     "Work stopped; belt stopped and isolated before cleaning", "critical", True,
     "Install a spillage chute and a pull-wire at the tail pulley", "engineering"),
    ("machinery", "good_practice", "any", "Pull-cords tested at the start of the shift and the test logged",
     "Recognised at the shift meeting", "low", False, "", ""),
    ("driving", "unsafe_act", "mine", "Light vehicle overtook a loaded haul truck on the ramp",
     "Driver stopped and briefed on the ramp rules", "critical", False,
     "Mark no-overtaking zones on the ramp and brief all drivers", "administrative"),
    ("driving", "safe_act", "mine", "Driver did the walk-around check and reported a cracked mirror",
     "Thanked the driver; mirror replaced before the shift", "medium", False, "", ""),
    ("driving", "near_miss", "mine", "Truck reversed towards a pickup parked in its blind spot",
     "Reported to the transport foreman; parking moved", "critical", False,
     "Mark a light-vehicle parking area away from the reversing zone", "engineering"),
    ("driving", "unsafe_condition", "mine", "Berm on the pit road edge washed out over a length of 20 m",
     "Road closed on that side until the berm is rebuilt", "high", True,
     "Rebuild the berm and add it to the road inspection round", "engineering"),
    ("housekeeping", "unsafe_condition", "any", "Walkway blocked by spare parts and pallets",
     "Agreed with the crew to clear it before the end of the shift", "medium", False,
     "Mark storage areas for spare parts off the walkway", "administrative"),
    ("housekeeping", "good_practice", "any", "Shadow board for the tools, everything in place",
     "Praised the crew; photo shared with the other units", "low", False, "", ""),
    ("housekeeping", "unsafe_condition", "plant", "Slurry spill on the stairs to the cell platform",
     "Stairs cleaned and a barrier put up", "medium", False,
     "Repair the leaking launder joint above the stairs", "engineering"),
    ("tools", "unsafe_act", "any", "Angle grinder used with the guard removed",
     "Work stopped; guard refitted; asked why it was removed", "high", True,
     "Replace the grinders with tool-free guard adjustment models", "substitution"),
    ("tools", "safe_act", "any", "Damaged extension lead taken out of use and reported",
     "Thanked the worker", "low", False, "", ""),
    ("tools", "unsafe_condition", "mine", "Drill rig cab air filter clogged; dust inside the cab",
     "Told the foreman; the rig was sent for service", "medium", False,
     "Add the cab filter to the rig's weekly service", "administrative"),
    ("chemicals", "unsafe_act", "plant", "Reagent decanted without a face shield",
     "Talked about splashes; the shield was fetched", "high", False,
     "Fit a closed dosing system at the decanting point", "engineering"),
    ("chemicals", "unsafe_condition", "any", "Unlabelled bottle of solvent on the workbench",
     "Bottle labelled and moved to the chemicals cabinet", "medium", False,
     "Check labels on all containers in the weekly round", "administrative"),
    ("chemicals", "good_practice", "plant", "Eye-wash station tested and the test tag signed",
     "Thanked the crew", "low", False, "", ""),
    ("other", "near_miss", "any", "Pallet slid off a forklift fork at the corner",
     "Talked with the crew about securing loads", "high", False,
     "Fit load backrests on the forklifts", "engineering"),
    ("other", "safe_act", "any", "Crew held a take-five before starting an unfamiliar job",
     "Thanked the crew and the foreman", "low", False, "", ""),
]  # fmt: skip

# Kinds' weights at first and at the end of the year (safe behaviour grows as feedback does).
KIND_WEIGHTS_FIRST = {"unsafe_act": 34, "unsafe_condition": 30, "near_miss": 6, "safe_act": 22, "good_practice": 8}
KIND_WEIGHTS_LAST = {"unsafe_act": 20, "unsafe_condition": 24, "near_miss": 6, "safe_act": 36, "good_practice": 14}
FEEDBACK_TO = {"unsafe_act": "worker", "unsafe_condition": "manager", "near_miss": "crew", "safe_act": "worker",
               "good_practice": "crew"}  # fmt: skip
NEGATIVE = ("unsafe_act", "unsafe_condition", "near_miss")
DUE_DAYS = {"critical": 7, "high": 14, "medium": 21, "low": 30}

# Audit plan: specialist -> the units and checklists of each month (alternatives by month).
AUDIT_PLAN = {
    "specialist": [
        [("crushing", "walk-through")],
        [("flotation", "walk-through"), ("concentrator", "walk-through")],
        [("lifting-crew", "lifting-operations")],
        [("machining", "walk-through"), ("repair-shop", "walk-through")],
    ],
    "specialist2": [
        [("ug-crew-1", "walk-through"), ("ug-crew-2", "walk-through")],
        [("haul-trucks", "walk-through"), ("light-vehicles", "walk-through")],
        [("ug-mine", "walk-through"), ("transport", "walk-through"), ("mine-survey", "walk-through")],
    ],
}
# What a non-compliant answer says, by checklist and item order.
FINDINGS = {
    "walk-through": {
        1: "Spillage and loose material on the walkway behind the equipment.",
        2: "Spare parts stacked unstable next to the walkway.",
        3: "Guard removed from a belt drive and left on the floor.",
        4: "Emergency stop button behind a pallet; not reachable.",
        5: "Equipment under repair isolated but not locked by every worker.",
        6: "Isolation points not labelled on the new pump.",
        7: "Two workers without safety glasses in the area.",
        8: "Hearing protection not worn in the noise zone.",
        9: "Sling without an inspection tag on the rack.",
        10: "Cabinet door open; cable with damaged insulation.",
        11: "Escape route partly blocked by material.",
        12: "Fire extinguisher without an inspection tag.",
    },
    "lifting-operations": {
        1: "Lift started before the permit was signed.",
        2: "Load weight not known to the crew.",
        3: "Crane logbook not filled in for the shift.",
        4: "Shackle without a legible tag in use.",
        5: "Load indicator out of order.",
        6: "Exclusion zone not barriered.",
        7: "Signaller not agreed before the lift.",
        8: "No tag line used on a long load.",
    },
}
NOT_APPLICABLE = {"lifting-operations": {9}}  # outrigger pads: overhead cranes only

# (month of the twelve, company tax number, unit, checklist)
CONTRACTOR_AUDITS = [
    (2, "5103011002", "crushing", "walk-through"),
    (5, "5103011001", "flotation", "walk-through"),
    (8, "5103011005", "flotation", "walk-through"),
    (11, "5103011004", "repair-shop", "walk-through"),
]
# (month of the twelve, day, company tax number, unit, severity, what was found, where, sanction kind,
# fine, why, days until lifted, why lifted)
CONTRACTOR_VIOLATIONS = [
    (1, 14, "5103011006", "crushing", "minor", "Vacuum hose laid across the conveyor gallery walkway, no bridge.",
     "Conveyor gallery", "warning", None, "First minor violation: a warning; the hose was re-routed.",
     90, "Three months without a repeat."),
    (3, 9, "5103011004", "repair-shop", "serious",
     "Cable pulled into an open cabinet of the substation without isolation and locking.", "Substation 6 kV",
     "warning", None, "First serious violation within 12 months: a written warning and a LOTO briefing.",
     60, "Isolation briefing held; no repeat since."),
    (5, 21, "5103011001", "flotation", "minor", "Gas cylinders stored unchained next to the welding area.",
     "Flotation hall", "warning", None, "Cylinders chained at once; a warning to the site manager.",
     45, "Cylinder racks installed by the contractor."),
    (8, 6, "5103011002", "crushing", "minor", "Work area at the cone crusher not barriered during the relining.",
     "Crusher bay 3", "fine", Decimal("30000"), "Barrier missing after two reminders: a fine.",
     20, "Fine paid; barriers in place."),
    (10, 17, "5103011007", "haul-trucks", "minor", "Used tyres stacked across the walkway of the truck workshop.",
     "Truck workshop, bay 2", "warning", None, "A warning; the tyres were moved to the marked yard.",
     30, "The tyre yard is kept clear."),
]  # fmt: skip
# kind, what was said, response, what was done, as shown on the board
SIGNALS = [
    ("ppe", "The winter gloves we get are too thick to hold the small tools.", "ppe_provided",
     "Thinner insulated gloves with a grip coating were added to the store.", "Winter gloves too thick for tools."),
    ("tool", "The long scraper for the launders bends; we use a piece of pipe instead.", "tool_replaced",
     "Stiffer scrapers in two lengths were bought.", "Launder scrapers bend in use."),
    ("rule", "The hot-work permit takes an hour to get on the night shift.", "procedure_simplified",
     "The shift foreman may now sign the hot-work permit on nights.", "Night-shift hot-work permits are slow."),
    ("rule_broken", "People walk across the conveyor because the crossing is far away.", "rule_changed",
     "A second crossing bridge was installed mid-way.", "The conveyor crossing is too far away."),
    ("hazard", "The lighting on the stairs to the screens is out half of the time.", "tool_replaced",
     "LED fittings with a battery backup were installed on the stairs.", "Stair lighting to the screens fails."),
    ("concern", "We do not know who to call when the crane remote stops working.", "explained",
     "The crane service phone number is now on every remote and on the board.", "Who to call about crane remotes."),
    ("ppe", "There are no face shields in the right size at the reagent point.", "ppe_provided",
     "Face shields in three sizes are now kept at the reagent point.", "Face shields missing in some sizes."),
    ("idea", "A mirror at the corner by the tool store would stop the near misses with the forklift.",
     "tool_replaced", "A convex mirror was fitted at the corner.", "A mirror at the tool store corner."),
    ("hazard", "Water drips on the electrical cabinet in the pump bay when it rains.", "tool_replaced",
     "The roof was patched and a drip shield fitted over the cabinet.", "Rain drips on a cabinet in the pump bay."),
    ("rule", "The checklist for the rig has items for a model we no longer have.", "procedure_simplified",
     "The rig checklist was rewritten for the current fleet.", "The rig checklist is out of date."),
    ("tool", "The impact wrench for the truck wheels is too weak; we use a cheater bar.", "tool_replaced",
     "A heavier impact wrench was bought for the tyre bay.", "The wheel impact wrench is too weak."),
    ("concern", "Nobody tells us what came of the near misses we report.", "explained",
     "Near-miss follow-ups are now read out at the weekly shift meeting.", "No news of reported near misses."),
]  # fmt: skip
# Where each signal above can be heard: "mine", "any", the plant otherwise (by its place in the list).
SIGNAL_WHERE = {0: "any", 2: "any", 9: "mine", 10: "mine", 11: "any"}
# unit -> weight among the units' QR forms (flotation's board belongs to its internship)
SIGNAL_UNITS = {"concentrator": 2, "crushing": 2, "repair-shop": 1, "lifting-crew": 1, "machining": 1,
                "ug-mine": 1, "transport": 1, "haul-trucks": 1}  # fmt: skip


class HistoryCounts(dict):
    """The history's rows by kind; printed as one entry of the seed command's summary."""

    def __str__(self):
        return "(" + ", ".join(f"{count} {name}" for name, count in self.items()) + ")"


def history_months(today: date) -> list[date]:
    """The first days of the twelve months of history: those before last month, oldest first."""
    return months_back(today, HISTORY_MONTHS + 2)[:HISTORY_MONTHS]


def observation_months(today: date) -> list[date]:
    """The months of the history's walks: the same twelve and last month too (topped up to the
    trend beside the observations demo's own walks, so the last complete month is on the curve)."""
    return months_back(today, HISTORY_MONTHS + 2)[:-1]


def _rng(kind: str, month: date) -> random.Random:
    return random.Random(f"{SEED}:{kind}:{month:%Y-%m}")


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _day_in(month: date, rng: random.Random, *, first: int = 1, last: int | None = None) -> date:
    days = calendar.monthrange(month.year, month.month)[1]
    return month.replace(day=rng.randint(first, min(last or days, days)))


def _factor(index: int) -> float:
    return 0.6 if index == DIP else 1.0


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def load_history(*, units: dict, users: dict, today: date) -> dict:
    """Add the year of history (see the module docstring); returns its rows by kind."""
    months = history_months(today)
    limit = _at(today, 0)  # nothing in the history happens later than the start of today
    counts = HistoryCounts()
    walk_months = observation_months(today)
    observations = _observations(units, users, walk_months)
    counts["observations"] = len(observations)
    counts["actions"] = _actions(units, users, walk_months, observations, limit)
    counts["planned audits"], counts["audits"] = _audits(units, users, months, limit)
    counts["contractor audits"], counts["contractor violations"] = _contractors(units, users, months)
    counts["signals"] = _signals(units, months, today)
    return counts


# --- Observations ----------------------------------------------------------------------------------


def _observation_rows(units, users, months, categories, demo_walks):
    """(key, Observation) of every month, not saved. Each observer's walks of a month follow the
    trend, less the walks the observations demo already holds in that month (`demo_walks`)."""
    from apps.observations.models import Observation

    rows = []
    for index, month in enumerate(months):
        rng = _rng("observations", month)
        progress = index / (len(months) - 1)
        kind_weights = {
            kind: KIND_WEIGHTS_FIRST[kind] + (KIND_WEIGHTS_LAST[kind] - KIND_WEIGHTS_FIRST[kind]) * progress
            for kind in KIND_WEIGHTS_FIRST
        }
        feedback_share = 0.45 + 0.45 * progress - (0.15 if index == DIP else 0)
        for observer, unit_weights in WALKS.items():
            base, step = WALK_RATE[observer]
            walks = max(1, round((base + step * index) * _factor(index)) + rng.randint(-1, 1))
            walks = max(0, walks - demo_walks.get((users[observer].pk, month), 0))
            with_feedback = set(rng.sample(range(walks), round(walks * feedback_share)))
            for number in range(walks):
                unit_code = _weighted(rng, unit_weights)
                where = "plant" if unit_code in PLANT else "mine"
                kind = _weighted(rng, kind_weights)
                choices = [row for row in SEEN if row[1] == kind and row[2] in (where, "any")]
                category, kind, _where, seen, said, risk, stopped, _action, _level = rng.choice(choices)
                if category not in categories:
                    category = "other" if "other" in categories else next(iter(categories))
                feedback = number in with_feedback
                day = _day_in(month, rng)
                key = uuid.uuid5(NAMESPACE, f"observation:{month:%Y-%m}:{observer}:{number}")
                rows.append((key, Observation(
                    observer=users[observer], observed_at=_at(day, rng.randint(7, 16), rng.choice((0, 15, 30, 45))),
                    unit=units[unit_code], area=rng.choice(AREAS[unit_code]), kind=kind,
                    category=categories[category], description=seen, feedback_given=feedback,
                    feedback_to=FEEDBACK_TO[kind] if feedback else "", feedback_text=said if feedback else "",
                    work_stopped=stopped, risk=risk, submission_key=key,
                )))  # fmt: skip
    return rows


def _observations(units, users, months) -> list:
    """The history's observations (those already there and those added now)."""
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    from apps.observations.counts import rebuild_monthly_counts
    from apps.observations.models import Observation, ObservationCategory

    categories = {category.code: category for category in ObservationCategory.objects.all()}
    if not categories:
        return []
    # The observations demo's own walks carry no submission key (the history's all do).
    demo_walks = {
        (row["observer_id"], timezone.localtime(row["month"]).date()): row["n"]
        for row in Observation.objects.filter(
            submission_key__isnull=True, observer__in=[users[name] for name in WALKS],
            observed_at__gte=_at(months[0], 0), observed_at__lt=_at(next_month(months[-1]), 0),
        ).annotate(month=TruncMonth("observed_at")).values("observer_id", "month").annotate(n=Count("id"))
    }  # fmt: skip
    rows = _observation_rows(units, users, months, categories, demo_walks)
    keys = [key for key, _observation in rows]
    existing = set(Observation.objects.filter(submission_key__in=keys).values_list("submission_key", flat=True))
    new = [observation for key, observation in rows if key not in existing]
    if new:
        Observation.objects.bulk_create(new, batch_size=500)
        for observation in new:
            observation.created_at = observation.observed_at + timedelta(minutes=20)
        Observation.objects.bulk_update(new, ["created_at"], batch_size=500)
        rebuild_monthly_counts()  # bulk rows bypass the service's counting
    return list(Observation.objects.filter(submission_key__in=keys).order_by("observed_at", "pk"))


# --- Actions ---------------------------------------------------------------------------------------


def _actions(units, users, months, observations, limit) -> int:
    """The follow-up actions of the history's unsafe findings; returns how many there are."""
    from django.contrib.contenttypes.models import ContentType

    from apps.actions.models import Action
    from apps.observations.models import Observation
    from apps.observations.services import PRIORITY_FOR_RISK

    if not observations:
        return 0
    source_type = ContentType.objects.get_for_model(Observation)
    have = set(
        Action.objects.filter(source_type=source_type, source_id__in=[o.pk for o in observations]).values_list(
            "source_id", flat=True
        )
    )
    plans = {row[3]: (row[7], row[8]) for row in SEEN if row[7]}
    month_index = {month: index for index, month in enumerate(months)}
    unit_codes = {unit.pk: code for code, unit in units.items()}
    new = []
    count = 0
    for observation in observations:
        if observation.kind not in NEGATIVE or observation.description not in plans:
            continue
        rng = random.Random(f"{SEED}:action:{observation.submission_key}")
        if observation.risk == "medium" and rng.random() < 0.5:
            continue
        if observation.risk == "low":
            continue
        count += 1
        if observation.pk in have:
            continue
        seen_on = timezone.localdate(observation.observed_at)
        index = month_index.get(seen_on.replace(day=1), len(months) - 1)
        on_time = 0.55 + 0.035 * index - (0.3 if index == DIP else 0)
        title, level = plans[observation.description]
        owner = users[OWNERS.get(unit_codes[observation.unit_id], MINE_OWNER)]
        created = observation.observed_at + timedelta(minutes=40)
        due = seen_on + timedelta(days=DUE_DAYS[observation.risk])
        if index >= len(months) - 3 and rng.random() < 0.12:
            done_on = None  # stuck: still open (a few of the last months' actions)
        elif rng.random() < on_time:
            done_on = max(seen_on + timedelta(days=1), due - timedelta(days=rng.randint(0, 5)))
        else:
            done_on = due + timedelta(days=rng.randint(2, 25))
        done = _at(done_on, rng.randint(10, 16), rng.choice((0, 20, 40))) if done_on else None
        if done is not None and done >= limit:
            done = None  # not done yet: open (and overdue if its day has passed)
        verified = done + timedelta(days=rng.randint(2, 7), hours=1) if done and rng.random() < 0.8 else None
        if verified is not None and verified >= limit:
            verified = None
        status = "verified" if verified else "done" if done else rng.choice(("open", "in_progress"))
        action = Action(
            title=title, description=observation.description, unit_id=observation.unit_id, owner=owner,
            due_date=due, priority=PRIORITY_FOR_RISK[observation.risk], status=status, control_level=level,
            source_type=source_type, source_id=observation.pk, created_by=observation.observer,
            evidence="Done; photos attached to the work order." if done else "", completed_at=done,
            completed_by=owner if done else None, verified_at=verified, verified_by=users["head"] if verified else None,
            is_effective=True if verified else None,
            verification_note="Checked on a walk: in place and used." if verified else "",
        )  # fmt: skip
        action._history_times = (created, verified or done or created)
        new.append(action)
    if new:
        Action.objects.bulk_create(new, batch_size=500)
        for action in new:
            action.created_at, action.updated_at = action._history_times
        Action.objects.bulk_update(new, ["created_at", "updated_at"], batch_size=500)
    return count


# --- Audits ----------------------------------------------------------------------------------------


def _checklists():
    from apps.audits.models import ChecklistTemplate, ChecklistTemplateVersion

    templates = {t.code: t for t in ChecklistTemplate.objects.filter(code__in=FINDINGS)}
    versions = {
        v.template.code: v
        for v in ChecklistTemplateVersion.objects.filter(template__in=templates.values(), number=1)
        .select_related("template")
        .prefetch_related("items")
    }
    return templates, versions


def _answers(audit, version, rng: random.Random, findings_rate: float):
    from apps.audits.models import AuditAnswer

    answers = []
    for item in version.items.all():
        if item.order in NOT_APPLICABLE.get(version.template.code, ()):
            result, comment = "not_applicable", ""
        elif rng.random() < findings_rate and item.order in FINDINGS[version.template.code]:
            result, comment = "non_compliant", FINDINGS[version.template.code][item.order]
        else:
            result, comment = "compliant", ""
        answers.append(AuditAnswer(
            audit=audit, item=item, result=result, comment=comment,
            answered_at=audit.started_at + timedelta(minutes=5 * item.order),
        ))  # fmt: skip
    return answers


def _audits(units, users, months, limit) -> tuple[int, int]:
    """The audit plan of the twelve months and the audits done against it; returns how many
    planned audits and audits of it there are."""
    from apps.audits.models import Audit, AuditAnswer, AuditPlanEntry, compute_score

    templates, versions = _checklists()
    if set(templates) != set(FINDINGS) or set(versions) != set(FINDINGS):
        return 0, 0
    head = users["head"]
    planned = []
    for index, month in enumerate(months):
        for auditor, slots in AUDIT_PLAN.items():
            for slot in slots:
                unit_code, template_code = slot[index % len(slot)]
                planned.append((index, month, auditor, unit_code, template_code))
    keys = {(units[u].pk, users[a].pk, m, templates[t].pk) for _i, m, a, u, t in planned}
    existing = {
        (e.unit_id, e.auditor_id, e.month, e.template_id): e
        for e in AuditPlanEntry.objects.filter(
            month__in=months, unit__in=units.values(), auditor__in=[users[name] for name in AUDIT_PLAN]
        )  # fmt: skip
    }
    new_entries, new_audits, answers = [], [], []
    for index, month, auditor, unit_code, template_code in planned:
        key = (units[unit_code].pk, users[auditor].pk, month, templates[template_code].pk)
        if key in existing:
            continue
        rng = random.Random(f"{SEED}:audit:{month:%Y-%m}:{auditor}:{unit_code}:{template_code}")
        entry = AuditPlanEntry(
            unit=units[unit_code],
            auditor=users[auditor],
            month=month,
            template=templates[template_code],
            planned_by=head,
        )
        new_entries.append(entry)
        in_month = 0.72 + 0.025 * index - (0.35 if index == DIP else 0)
        if rng.random() < in_month:
            day = _day_in(month, rng, first=3, last=26)
        elif rng.random() < 0.6:
            day = _day_in(next_month(month), rng, first=2, last=10)  # done, but late
        else:
            continue  # not done
        started = _at(day, rng.randint(8, 13), rng.choice((0, 30)))
        if started + timedelta(hours=3) >= limit:
            continue
        audit = Audit(
            plan_entry=entry, unit=units[unit_code], auditor=users[auditor],
            template_version=versions[template_code], status=Audit.Status.COMPLETED, started_at=started,
            completed_at=started + timedelta(hours=1, minutes=rng.randint(20, 70)),
        )  # fmt: skip
        audit_answers = _answers(audit, versions[template_code], rng, 0.16 - 0.008 * index)
        audit.score = compute_score(audit_answers)
        new_audits.append(audit)
        answers.extend(audit_answers)
    if new_entries:
        AuditPlanEntry.objects.bulk_create(new_entries, batch_size=500)
        for entry in new_entries:
            entry.created_at = _at(entry.month - timedelta(days=12), 10)
        AuditPlanEntry.objects.bulk_update(new_entries, ["created_at"], batch_size=500)
        for audit in new_audits:
            audit.plan_entry_id = audit.plan_entry.pk
        Audit.objects.bulk_create(new_audits, batch_size=500)
        for answer in answers:
            answer.audit_id = answer.audit.pk
        AuditAnswer.objects.bulk_create(answers, batch_size=1000)
    entries = AuditPlanEntry.objects.filter(month__in=months)
    entries = [e for e in entries.values_list("unit_id", "auditor_id", "month", "template_id") if e in keys]
    done = Audit.objects.filter(plan_entry__month__in=months, plan_entry__auditor__in=[
        users[name] for name in AUDIT_PLAN
    ]).count()  # fmt: skip
    return len(entries), done


# --- Contractors -----------------------------------------------------------------------------------


def _contractors(units, users, months) -> tuple[int, int]:
    """A few contractor audits and violations (with their sanctions) over the year; returns how
    many of each there are."""
    from apps.audits.models import Audit, AuditAnswer, compute_score
    from apps.contractors.models import ContractorAudit, ContractorCompany, Sanction, Violation

    companies = {
        c.tax_number: c
        for c in ContractorCompany.objects.filter(
            tax_number__in={row[1] for row in CONTRACTOR_AUDITS} | {row[2] for row in CONTRACTOR_VIOLATIONS}
        )
    }
    _templates, versions = _checklists()
    specialist = users["specialist"]
    new_audits, answers, links = [], [], []
    for index, tax_number, unit_code, template_code in CONTRACTOR_AUDITS:
        company, version = companies.get(tax_number), versions.get(template_code)
        if company is None or version is None:
            continue
        rng = _rng(f"contractor-audit:{tax_number}", months[index])
        started = _at(_day_in(months[index], rng, first=5, last=24), 10)
        links.append((company, started))
        # One per company and unit in the history (also when loaded again on a later day).
        if ContractorAudit.objects.filter(
            company=company, audit__unit=units[unit_code], audit__started_at__lt=_at(next_month(months[-1]), 0)
        ).exists():
            continue
        audit = Audit(
            unit=units[unit_code], auditor=specialist, template_version=version, status=Audit.Status.COMPLETED,
            started_at=started, completed_at=started + timedelta(hours=1, minutes=30),
        )  # fmt: skip
        audit_answers = _answers(audit, version, rng, 0.2)
        audit.score = compute_score(audit_answers)
        new_audits.append((audit, company))
        answers.extend(audit_answers)
    if new_audits:
        Audit.objects.bulk_create([audit for audit, _company in new_audits])
        for answer in answers:
            answer.audit_id = answer.audit.pk
        AuditAnswer.objects.bulk_create(answers)
        ContractorAudit.objects.bulk_create(
            ContractorAudit(audit=audit, company=company) for audit, company in new_audits
        )

    found, new_violations, new_sanctions = [], [], []
    for row in CONTRACTOR_VIOLATIONS:
        index, day, tax_number, unit_code, severity, what, where, kind, fine, why, lifted_after, lifted_why = row
        company = companies.get(tax_number)
        if company is None:
            continue
        observed = _at(months[index].replace(day=day), 11, 10)
        found.append((company, observed))
        if Violation.objects.filter(company=company, description=what).exists():
            continue  # keyed on what was found (also when loaded again on a later day)
        recorder = users["specialist" if unit_code in PLANT else "specialist2"]
        violation = Violation(
            company=company, severity=severity, description=what, unit=units[unit_code], location=where,
            observed_at=observed, recorded_by=recorder, recorded_at=observed + timedelta(hours=1),
        )  # fmt: skip
        decided = observed + timedelta(days=2, hours=3)
        new_violations.append(violation)
        # The policy proposes a warning for each: the company's first of that severity in 12 months.
        new_sanctions.append(Sanction(
            violation=violation, company=company, kind=kind, proposed_kind="warning", reason=why,
            fine_amount=fine, decided_by=recorder, decided_at=decided, status=Sanction.Status.LIFTED,
            lifted_by=recorder, lifted_at=decided + timedelta(days=lifted_after), lift_reason=lifted_why,
        ))  # fmt: skip
    if new_violations:
        Violation.objects.bulk_create(new_violations)
        for sanction in new_sanctions:
            sanction.violation_id = sanction.violation.pk
        Sanction.objects.bulk_create(new_sanctions)
    return len(links), len(found)


# --- Signals ---------------------------------------------------------------------------------------


def _signals(units, months, today: date) -> int:
    """Two to four signals a month from the units' QR forms, answered (most within the 14 days);
    returns how many there are."""
    from apps.internships.models import SIGNAL_ANSWER_DAYS, Signal

    planned = []
    for index, month in enumerate(months):
        rng = _rng("signals", month)
        in_time = 0.6 + 0.035 * index - (0.3 if index == DIP else 0)
        for number in range(rng.randint(2, 4)):
            # The concentrator's QR form is the busiest: one of its signals every month.
            unit_code = rng.choice(("concentrator", "crushing")) if number == 0 else _weighted(rng, SIGNAL_UNITS)
            where = "plant" if unit_code in PLANT else "mine"
            heard = [row for n, row in enumerate(SIGNALS) if SIGNAL_WHERE.get(n, "plant") in (where, "any")]
            kind, raw_text, response, response_text, paraphrase = rng.choice(heard)
            recorded_on = _day_in(month, rng)
            late = rng.random() >= in_time
            answered_on = recorded_on + timedelta(
                days=rng.randint(16, 30) if late else rng.randint(2, SIGNAL_ANSWER_DAYS)
            )
            if answered_on >= today:
                continue
            planned.append(Signal(
                unit=units[unit_code], source=Signal.Source.WORKER_FORM, kind=kind, raw_text=raw_text,
                recorded_on=recorded_on, paraphrase=paraphrase, status=Signal.Status.ANSWERED, response=response,
                response_text=response_text, responded_on=answered_on,
                escalated_on=recorded_on + timedelta(days=SIGNAL_ANSWER_DAYS + 1) if late else None,
            ))  # fmt: skip
    planned_by_key = {}
    for signal in planned:
        planned_by_key.setdefault((signal.unit.pk, signal.recorded_on, signal.raw_text), signal)
    existing = set(
        Signal.objects.filter(
            source=Signal.Source.WORKER_FORM, recorded_on__in={s.recorded_on for s in planned}
        ).values_list("unit_id", "recorded_on", "raw_text")
    )
    Signal.objects.bulk_create([signal for key, signal in planned_by_key.items() if key not in existing])
    return len(planned_by_key)
