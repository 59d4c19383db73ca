"""The executive's direct-reporting summary of one month: are we safer than last month, and where
must the executive act?

One read of everything the page and the monthly PDF show, for the whole enterprise (the executive
and the HSE head see every unit): the headline proactive KPIs against their targets with a 12-month
trend (from the snapshots), a few sentences on what changed since last month, the lagging rates,
the serious incidents of the last months and where their investigations stand, the overdue actions
by owner, the contractors under sanction, and the escalations awaiting the executive's decision.

Bounded: the same handful of queries however many incidents, actions, sanctions or escalations
there are (tests/kpis/test_summary.py pins the count).

What is "as of" when: the page shows where to act now — the overdue actions, the sanctions in
force and the last decisions of today, whichever month is picked; the monthly report
(`at_month_end=True`) shows those of the month's last day (reconstructed from the dates the rows
keep: due, done, decided, lifted), or of today while the month runs. Open escalations are always
those open now: a decision is taken now."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Min, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.actions.models import Action
from apps.common.dates import day_start, month_bounds, month_start, months_back, next_month
from apps.contractors.models import Sanction
from apps.incidents.models import Incident, Investigation

from .charts import format_value, horizontal_bars_svg, series_from_figures, sparkline_svg, trend_chart_svg
from .definitions import DOWN, Kpi
from .models import Escalation
from .selectors import TREND_MONTHS, kpi_cards, snapshot_freshness

HEADLINE = [
    "observations",
    "feedback_share",
    "audits_done",
    "actions_on_time",
    "overdue_actions",
    "training_compliance",
    "signals_answered",
    "internship_days",
    "trainings_delivered",
]
LAGGING = ["trir", "dart", "ltifr", "severity_rate", "near_miss_ratio"]
# KPIs counted at the month's end (a stock), not over the month (a flow): a month still running is
# compared with the last as it stands.
STOCKS = {"overdue_actions"}

# An incident is serious when its actual or potential severity is major or catastrophic.
SERIOUS_SEVERITY = 4
# The months of serious incidents shown: the month and the three before it.
SERIOUS_MONTHS_BEFORE = 3
SERIOUS_ROWS = 20
OWNER_ROWS = 10
SANCTIONED_ROWS = 15
DECIDED_ROWS = 5
# Investigation statuses after which its deadline no longer runs.
INVESTIGATION_DONE = (Investigation.Status.APPROVED, Investigation.Status.CLOSED)
# A change worth a sentence: shares by at least this many percentage points, other figures by at
# least this share of last month's figure (and by at least one whole unit).
MIN_POINTS = Decimal(3)
MIN_RELATIVE = Decimal("0.10")
CHANGES_SHOWN = 6
MONTHS_OFFERED = 24


@dataclass(frozen=True)
class Change:
    """One sentence of "what changed since last month"."""

    code: str
    text: str
    better: bool | None  # None: neither (a count of events to read, not a KPI)
    weight: float


@dataclass(frozen=True)
class SeriousIncident:
    incident: Incident
    investigation: Investigation | None
    this_month: bool
    overdue: bool  # the investigation's deadline has passed and it is not approved yet

    @property
    def severity(self) -> int:
        return max(self.incident.actual_severity, self.incident.potential_severity)


@dataclass(frozen=True)
class OwnerOverdue:
    owner_id: int
    name: str
    count: int
    oldest_due: date
    days_late: int


@dataclass(frozen=True)
class SanctionedCompany:
    company_id: int
    name: str
    status: str
    status_label: str
    kinds: list[str]
    count: int
    since: datetime  # the oldest sanction in force was decided


@dataclass
class ExecutiveSummary:
    month: date
    today: date
    as_of: date  # the day the stocks (overdue actions, sanctions in force) are counted on
    is_partial: bool  # the month is still running
    cards: list  # KpiCard of HEADLINE, in that order
    lagging: list  # KpiCard of LAGGING
    changes: list[Change]
    serious_incidents: list[SeriousIncident]
    serious_total: int
    serious_this_month: int
    overdue_by_owner: list[OwnerOverdue]
    overdue_total: int
    overdue_owners: int
    sanctioned: list[SanctionedCompany]
    sanctioned_total: int
    escalations_open: list[Escalation]
    escalations_decided: list[Escalation]
    freshness: datetime | None = None  # when the oldest snapshot read was computed
    serious_since: date | None = None
    extra: dict = field(default_factory=dict)

    @property
    def is_live(self) -> bool:
        """The stocks are today's (not a past day's)."""
        return self.as_of == self.today

    @property
    def escalations_overdue(self) -> int:
        return sum(1 for escalation in self.escalations_open if escalation.is_overdue(self.today))

    @property
    def targets_met(self) -> int:
        return sum(1 for card in self.cards if card.met)

    @property
    def targets_set(self) -> int:
        return sum(1 for card in self.cards if card.met is not None)


# --- Formatting --------------------------------------------------------------------------------------


def shown(definition: Kpi, value) -> str:
    """A KPI's value as the page, the sentences and the PDF print it ("78%", "1,204", "0.42")."""
    return format_value(value, definition.reads_as, definition.decimals)


def month_label(month: date) -> str:
    from django.utils.formats import date_format

    return date_format(month, "YEAR_MONTH_FORMAT")


def month_choices(today: date) -> list[tuple[date, str]]:
    """The months the picker offers, newest first: the current one ("so far") and the
    MONTHS_OFFERED - 1 before it."""
    months = list(reversed(months_back(today, MONTHS_OFFERED)))
    current = _("%(month)s (so far)") % {"month": month_label(months[0])}
    return [(months[0], current), *((month, month_label(month)) for month in months[1:])]


# --- What changed ------------------------------------------------------------------------------------


def _is_share(definition: Kpi) -> bool:
    return str(definition.reads_as) == "%"


def _change(card, *, partial: bool) -> Change | None:
    definition = card.definition
    value, previous = card.value, card.previous
    if value is None or previous is None:
        return None
    if partial and not definition.has_denominator and definition.code not in STOCKS:
        return None  # half a month's count against a whole month's says nothing
    value, previous = Decimal(value), Decimal(previous)
    delta = value - previous
    if _is_share(definition):
        if abs(delta) < MIN_POINTS:
            return None
        weight = float(abs(delta) / 100)
    else:
        base = abs(previous) if previous else Decimal(1)
        if abs(delta) < 1 and definition.decimals == 0:
            return None
        if abs(delta) / base < MIN_RELATIVE:
            return None
        weight = float(min(abs(delta) / base, Decimal(2)) / 2)
    rose = delta > 0
    better = rose if definition.direction != DOWN else not rose
    values = {
        "name": definition.name,
        "before": shown(definition, previous),
        "after": shown(definition, value),
    }
    if card.target is not None:
        values["target"] = shown(definition, card.target)
        text = (
            _("%(name)s rose from %(before)s to %(after)s (target %(target)s).")
            if rose
            else _("%(name)s fell from %(before)s to %(after)s (target %(target)s).")
        ) % values
        previous_met = _met(definition, previous, card.target)
        if card.met and not previous_met:
            text += " " + _("It is on target now.")
            weight += 1
        elif previous_met and card.met is False:
            text += " " + _("It has fallen off target.")
            weight += 1
    else:
        text = (
            _("%(name)s rose from %(before)s to %(after)s.")
            if rose
            else _("%(name)s fell from %(before)s to %(after)s.")
        ) % values
    return Change(code=definition.code, text=text, better=better, weight=weight)


def _met(definition: Kpi, value, target) -> bool | None:
    if value is None or target is None:
        return None
    return Decimal(value) <= Decimal(target) if definition.direction == DOWN else Decimal(value) >= Decimal(target)


def what_changed(cards, *, partial: bool = False, serious_this_month: int = 0, lagging=()) -> list[Change]:
    """The sentences of "what changed since last month": the KPIs that moved enough to matter
    (shares by 3 points or more, other figures by a tenth or more), the biggest movers first — a
    target reached or lost weighs most — then the serious incidents of the month, if any. At most
    CHANGES_SHOWN sentences."""
    changes = [change for card in [*cards, *lagging] if (change := _change(card, partial=partial))]
    changes.sort(key=lambda change: -change.weight)
    changes = changes[:CHANGES_SHOWN]
    if serious_this_month:
        changes.insert(
            0,
            Change(
                code="serious_incidents",
                text=ngettext(
                    "%(n)d serious incident this month (actual or potential severity 4 or 5).",
                    "%(n)d serious incidents this month (actual or potential severity 4 or 5).",
                    serious_this_month,
                )
                % {"n": serious_this_month},
                better=False,
                weight=10,
            ),
        )
    return changes


def escalation_sentence(summary: ExecutiveSummary) -> str:
    """ "2 escalations await your decision, 1 of them past its deadline." (empty when none)."""
    waiting = len(summary.escalations_open)
    if not waiting:
        return ""
    text = ngettext("%(n)d escalation awaits a decision.", "%(n)d escalations await a decision.", waiting) % {
        "n": waiting
    }
    late = summary.escalations_overdue
    if late:
        text += " " + ngettext(
            "%(n)d of them is past its deadline.", "%(n)d of them are past their deadline.", late
        ) % {"n": late}
    return text


def overdue_sentence(summary: ExecutiveSummary) -> str:
    """ "8 overdue actions · 4 owners" (plurals in both)."""
    actions = ngettext("%(n)d overdue action", "%(n)d overdue actions", summary.overdue_total) % {
        "n": summary.overdue_total
    }
    if not summary.overdue_total:
        return actions
    owners = ngettext("%(n)d owner", "%(n)d owners", summary.overdue_owners) % {"n": summary.overdue_owners}
    return f"{actions} · {owners}"


# --- The parts ------------------------------------------------------------------------------------


def _last_day(month: date) -> date:
    return next_month(month) - timedelta(days=1)


def serious_incidents(*, month: date, today: date) -> tuple[list[SeriousIncident], int, int, date]:
    """Incidents of actual or potential severity 4–5 in the month and the three before it, newest
    first (at most SERIOUS_ROWS), with their investigation: (rows, how many in all, how many in the
    month itself, the first day counted). Two queries."""
    since = months_back(month, SERIOUS_MONTHS_BEFORE + 1)[0]
    start, _end = month_bounds(since)
    month_start_at, end = month_bounds(month)
    incidents = Incident.objects.filter(occurred_at__gte=start, occurred_at__lt=end).filter(
        Q(actual_severity__gte=SERIOUS_SEVERITY) | Q(potential_severity__gte=SERIOUS_SEVERITY)
    )
    counts = incidents.aggregate(total=Count("id"), this_month=Count("id", filter=Q(occurred_at__gte=month_start_at)))
    rows = []
    for incident in incidents.select_related("unit", "investigation").order_by("-occurred_at", "-id")[:SERIOUS_ROWS]:
        try:
            investigation = incident.investigation
        except Investigation.DoesNotExist:
            investigation = None
        overdue = bool(
            investigation and investigation.status not in INVESTIGATION_DONE and investigation.deadline < today
        )
        rows.append(
            SeriousIncident(
                incident=incident,
                investigation=investigation,
                this_month=incident.occurred_at >= month_start_at,
                overdue=overdue,
            )
        )
    return rows, counts["total"], counts["this_month"], since


def _overdue_actions(*, as_of: date, live: bool):
    """Actions overdue on `as_of`: today, those still open and due before today; at the end of a
    past day, those open then — created before its end and done after it, or still open now — and due before it.
    Cancelled actions are left out (the register does not keep when they were cancelled)."""
    if live:
        return Action.objects.filter(stage=0, due_date__lt=as_of)
    end = day_start(as_of + timedelta(days=1))
    return Action.objects.filter(due_date__lte=as_of, created_at__lt=end).filter(
        Q(stage=0) | Q(status__in=(Action.Status.DONE, Action.Status.VERIFIED), completed_at__gte=end)
    )


def overdue_by_owner(*, as_of: date, live: bool) -> tuple[list[OwnerOverdue], int, int]:
    """The owners with the most overdue actions (at most OWNER_ROWS; then the oldest first), and
    the overdue actions and owners in all. Two queries, counted in the database."""
    overdue = _overdue_actions(as_of=as_of, live=live)
    totals = overdue.aggregate(total=Count("id"), owners=Count("owner", distinct=True))
    rows = (
        overdue.values("owner_id", "owner__first_name", "owner__last_name", "owner__username")
        .annotate(count=Count("id"), oldest=Min("due_date"))
        .order_by("-count", "oldest", "owner_id")[:OWNER_ROWS]
    )
    owners = [
        OwnerOverdue(
            owner_id=row["owner_id"],
            name=f"{row['owner__first_name']} {row['owner__last_name']}".strip() or row["owner__username"],
            count=row["count"],
            oldest_due=row["oldest"],
            days_late=(as_of - row["oldest"]).days,
        )
        for row in rows
    ]
    return owners, totals["total"], totals["owners"]


def contractors_under_sanction(*, as_of: date, live: bool) -> tuple[list[SanctionedCompany], int]:
    """Companies with a sanction in force (now, or at the end of a past month): the kinds in force,
    how many and since when, most sanctions first. Three queries."""
    if live:
        in_force = Sanction.objects.filter(status=Sanction.Status.IN_FORCE)
    else:
        end = day_start(as_of + timedelta(days=1))
        in_force = Sanction.objects.filter(decided_at__lt=end).filter(
            Q(status=Sanction.Status.IN_FORCE) | Q(lifted_at__gte=end)
        )
    total = in_force.aggregate(n=Count("company", distinct=True))["n"]
    rows = list(
        in_force.values("company_id", "company__name", "company__status")
        .annotate(count=Count("id"), since=Min("decided_at"))
        .order_by("-count", "since", "company_id")[:SANCTIONED_ROWS]
    )
    ids = [row["company_id"] for row in rows]
    kinds: dict[int, list[str]] = {}
    labels = dict(Sanction.Kind.choices)
    order = list(labels)
    for company_id, kind in in_force.filter(company_id__in=ids).values_list("company_id", "kind").distinct():
        kinds.setdefault(company_id, []).append(kind)
    from apps.contractors.models import ContractorCompany

    statuses = dict(ContractorCompany.Status.choices)
    companies = [
        SanctionedCompany(
            company_id=row["company_id"],
            name=row["company__name"],
            status=row["company__status"],
            status_label=str(statuses.get(row["company__status"], row["company__status"])),
            kinds=[str(labels[kind]) for kind in sorted(kinds.get(row["company_id"], []), key=order.index)],
            count=row["count"],
            since=row["since"],
        )
        for row in rows
    ]
    return companies, total


def escalations(*, decided_before=None) -> tuple[list[Escalation], list[Escalation]]:
    """The escalations open now (the nearest deadline first) and the last ones decided (before
    `decided_before`, when given). Two queries."""
    related = ("raised_by", "decided_by", "unit")
    open_now = list(Escalation.objects.filter(status=Escalation.Status.OPEN).select_related(*related).order_by(
        "deadline", "raised_at", "id"
    ))  # fmt: skip
    decided = Escalation.objects.filter(status=Escalation.Status.DECIDED)
    if decided_before is not None:
        decided = decided.filter(decided_at__lt=decided_before)
    decided = list(decided.select_related(*related).order_by("-decided_at", "-id")[:DECIDED_ROWS])
    return open_now, decided


# --- The whole -------------------------------------------------------------------------------------


def executive_summary(
    *, month: date, today: date, at_month_end: bool = False, trend_months: int = TREND_MONTHS
) -> ExecutiveSummary:
    """Everything the summary page and the monthly PDF show for `month`, enterprise-wide: the stocks
    of today, or with `at_month_end` (the report) of the month's last day (see the module); the
    KPI trends over the `trend_months` months ending with `month` (12 by default)."""
    month = month_start(month)
    partial = today <= _last_day(month)
    as_of = min(today, _last_day(month)) if at_month_end else today
    live = as_of == today
    every = kpi_cards([*HEADLINE, *LAGGING], month=month, trend_months=trend_months)
    cards, lagging = every[: len(HEADLINE)], every[len(HEADLINE) :]
    incidents, serious_total, serious_this_month, since = serious_incidents(month=month, today=today)
    owners, overdue_total, overdue_owners = overdue_by_owner(as_of=as_of, live=live)
    sanctioned, sanctioned_total = contractors_under_sanction(as_of=as_of, live=live)
    open_now, decided = escalations(decided_before=None if live else day_start(as_of + timedelta(days=1)))
    return ExecutiveSummary(
        month=month,
        today=today,
        as_of=as_of,
        is_partial=partial,
        cards=cards,
        lagging=lagging,
        changes=what_changed(cards, partial=partial, serious_this_month=serious_this_month, lagging=lagging),
        serious_incidents=incidents,
        serious_total=serious_total,
        serious_this_month=serious_this_month,
        serious_since=since,
        overdue_by_owner=owners,
        overdue_total=overdue_total,
        overdue_owners=overdue_owners,
        sanctioned=sanctioned,
        sanctioned_total=sanctioned_total,
        escalations_open=open_now,
        escalations_decided=decided,
        freshness=snapshot_freshness(unit_ids=None),
    )


# --- Charts (the page and the PDF draw the same) -------------------------------------------------------


@dataclass(frozen=True)
class CardView:
    """A KPI card as drawn: the card, its value and target as printed, and its sparkline."""

    card: object
    value: str
    target: str
    previous: str
    sparkline: str
    chart: str

    @property
    def definition(self):
        return self.card.definition


def card_views(cards, *, chart_kind: str = "line") -> list[CardView]:
    views = []
    for card in cards:
        definition = card.definition
        series = series_from_figures(card.trend)
        views.append(
            CardView(
                card=card,
                value=shown(definition, card.value),
                target=shown(definition, card.target) if card.target is not None else "",
                previous=shown(definition, card.previous) if card.previous is not None else "",
                sparkline=sparkline_svg(
                    series,
                    target=card.target,
                    title=str(definition.name),
                    direction=definition.direction,
                    reads_as=definition.reads_as,
                ),  # fmt: skip
                chart=trend_chart_svg(
                    series,
                    target=card.target,
                    title=str(definition.name),
                    reads_as=definition.reads_as,
                    direction=definition.direction,
                    decimals=definition.decimals,
                    kind=chart_kind,
                    height=180,
                ),  # fmt: skip
            )
        )
    return views


def overdue_chart(summary: ExecutiveSummary, *, links=None) -> str:
    if not summary.overdue_by_owner:
        return ""
    rows = [(owner.name, owner.count) for owner in summary.overdue_by_owner]
    return horizontal_bars_svg(rows, title=_("Overdue actions by owner"), tone="bad", links=links, decimals=0)
