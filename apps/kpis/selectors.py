"""What the KPI pages read: figures from the snapshot table (`KpiSnapshot`), never computed live.

A figure of several units (a shop and the units under it, the whole enterprise) is the ratio of the
sums of their rows' numerators and denominators, never an average of their ratios; a person's
figure is the sum over that person's rows (in whichever units). A KPI without a denominator (a
count) is worth 0 in a month without rows; a ratio with nothing to divide by is None.

Every function here runs a fixed number of queries whatever the number of units, people or months
(at most three); the callers scope: they pass the unit ids the user may see (`unit_ids=None` is the
whole enterprise, for the roles that see it).

`live_kpi_series` computes the same figures from the records themselves (`apps.kpis.measures`): for
the test that snapshots equal the live figures, and for a "recompute now" check."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Min, Sum

from apps.common.cache import cached
from apps.common.dates import month_start, months_back
from apps.org.models import StructuralUnit

from . import definitions
from .definitions import DOWN, Kpi
from .models import KpiSnapshot
from .targets import targets_for

TREND_MONTHS = 12


@dataclass(frozen=True)
class Figure:
    """One KPI's value in one month, with the sums it comes from."""

    month: date
    value: Decimal | None
    numerator: Decimal
    denominator: Decimal | None


@dataclass
class KpiCard:
    """A KPI of a page: its value in the month against the target in force, the month before and
    the 12-month trend (oldest first, ending with the month)."""

    definition: Kpi
    month: date
    value: Decimal | None
    target: Decimal | None
    met: bool | None
    previous: Decimal | None
    trend: list[Figure] = field(default_factory=list)
    change: Decimal | None = None

    @property
    def code(self) -> str:
        return self.definition.code

    @property
    def figure(self) -> Figure | None:
        """The month's figure (numerator and denominator), the last of the trend."""
        return self.trend[-1] if self.trend else None


def _figure(definition: Kpi, month: date, numerator, denominator) -> Figure:
    numerator = Decimal(numerator or 0)
    denominator = Decimal(denominator) if denominator is not None else None
    return Figure(month, definitions.value_of(definition, numerator, denominator), numerator, denominator)


def _months(months: Iterable[date]) -> list[date]:
    return [month_start(month) for month in months]


def _rows(codes, *, unit_ids, person_id, months):
    """The snapshot rows of these KPIs and months: unit rows (person null) or one person's rows,
    of these units (None: all)."""
    rows = KpiSnapshot.objects.filter(kpi__in=list(codes), month__in=list(months))
    if person_id is None:
        rows = rows.filter(person__isnull=True)
    else:
        rows = rows.filter(person_id=getattr(person_id, "pk", person_id))
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=list(unit_ids))
    return rows.order_by()


def met_target(definition: Kpi, value: Decimal | None, target: Decimal | None) -> bool | None:
    """Whether the value meets the target, which way is better considered; None without either."""
    if value is None or target is None:
        return None
    return value <= target if definition.direction == DOWN else value >= target


def kpi_table(
    codes: Iterable[str], *, unit_ids: Iterable[int] | None = None, person_id=None, months: Iterable[date]
) -> dict[str, list[Figure]]:
    """code -> its figures for `months` (in the order given): one query for all the KPIs."""
    codes = list(codes)
    months = _months(months)
    sums: dict[tuple[str, date], tuple] = {}
    if codes and months and (unit_ids is None or list(unit_ids)):
        grouped = (
            _rows(codes, unit_ids=unit_ids, person_id=person_id, months=months)
            .values("kpi", "month")
            .annotate(numerator=Sum("numerator"), denominator=Sum("denominator"))
        )
        sums = {(row["kpi"], row["month"]): (row["numerator"], row["denominator"]) for row in grouped}
    table = {}
    for code in codes:
        definition = definitions.kpi(code)
        table[code] = [_figure(definition, month, *sums.get((code, month), (0, None))) for month in months]
    return table


def kpi_series(
    code: str, *, unit_ids: Iterable[int] | None = None, person_id=None, months: Iterable[date]
) -> list[Figure]:
    """One KPI's figures for `months` (in the order given), of these units (None: the whole
    enterprise) or of one person's rows. One query."""
    return kpi_table([code], unit_ids=unit_ids, person_id=person_id, months=months)[code]


def kpi_cards(
    codes: Iterable[str],
    *,
    unit_ids: Iterable[int] | None = None,
    person_id=None,
    role: str = "",
    month: date,
    trend_months: int = TREND_MONTHS,
) -> list[KpiCard]:
    """The cards of these KPIs for `month`: value, target in force (unit over role over
    enterprise-wide; see targets.py), whether it is met, the month before, the trend of the
    `trend_months` months ending with `month` (12 by default) and the change since the month
    before. Two or three queries whatever the number of KPIs."""
    codes = list(codes)
    month = month_start(month)
    if unit_ids is not None:
        unit_ids = list(unit_ids)
    table = kpi_table(codes, unit_ids=unit_ids, person_id=person_id, months=months_back(month, trend_months))
    targets = targets_for(codes, month=month, unit_ids=unit_ids, role=role)
    cards = []
    for code in codes:
        definition = definitions.kpi(code)
        trend = table[code]
        value = trend[-1].value
        previous = trend[-2].value if len(trend) > 1 else None
        change = value - previous if value is not None and previous is not None else None
        cards.append(
            KpiCard(
                definition=definition,
                month=month,
                value=value,
                target=targets[code],
                met=met_target(definition, value, targets[code]),
                previous=previous,
                trend=trend,
                change=change,
            )
        )
    return cards


def _descendants(unit_ids: list[int]) -> dict[int, set[int]]:
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in StructuralUnit.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found = {}
    for unit_id in unit_ids:
        seen: set[int] = set()
        stack = [unit_id]
        while stack:
            pk = stack.pop()
            if pk not in seen:
                seen.add(pk)
                stack.extend(children.get(pk, ()))
        found[unit_id] = seen
    return found


def kpi_by_unit(
    code: str, *, unit_ids: Iterable[int], month: date, rollup: bool = False
) -> list[tuple[StructuralUnit, Figure]]:
    """Each unit's figure of one KPI in `month`, side by side (by unit name): of the unit's own
    records, or with `rollup` of the unit and every unit under it. Two queries (three with rollup)."""
    definition = definitions.kpi(code)
    month = month_start(month)
    unit_ids = list(unit_ids)
    units = list(StructuralUnit.objects.filter(pk__in=unit_ids).order_by("name", "id"))
    if not units:
        return []
    covered = _descendants(unit_ids) if rollup else {pk: {pk} for pk in unit_ids}
    wanted = set().union(*covered.values())
    sums = {
        row["unit_id"]: (row["numerator"], row["denominator"])
        for row in _rows([code], unit_ids=wanted, person_id=None, months=[month])
        .values("unit_id")
        .annotate(numerator=Sum("numerator"), denominator=Sum("denominator"))
    }
    result = []
    for unit in units:
        numerator, denominator, any_denominator = Decimal(0), Decimal(0), False
        for pk in covered[unit.pk]:
            if pk in sums:
                numerator += sums[pk][0] or 0
                if sums[pk][1] is not None:
                    denominator += sums[pk][1]
                    any_denominator = True
        result.append((unit, _figure(definition, month, numerator, denominator if any_denominator else None)))
    return result


def kpi_by_person(
    code: str, *, person_ids: Iterable[int] | None = None, unit_ids: Iterable[int] | None = None, month: date
) -> list[tuple[object, Figure]]:
    """Each person's figure of one per-person KPI in `month` (the HSE head's side-by-side view of
    the specialists): the people given (those without rows too), or everyone with rows; of their
    rows in these units (None: any). By name. Two queries."""
    definition = definitions.kpi(code)
    month = month_start(month)
    rows = KpiSnapshot.objects.filter(kpi=code, month=month, person__isnull=False).order_by()
    if person_ids is not None:
        person_ids = [getattr(pk, "pk", pk) for pk in person_ids]
        rows = rows.filter(person_id__in=person_ids)
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=list(unit_ids))
    sums = {
        row["person_id"]: (row["numerator"], row["denominator"])
        for row in rows.values("person_id").annotate(numerator=Sum("numerator"), denominator=Sum("denominator"))
    }
    wanted = person_ids if person_ids is not None else list(sums)
    if not wanted:
        return []
    users = get_user_model().objects.filter(pk__in=wanted).order_by("last_name", "first_name", "username", "id")
    return [(user, _figure(definition, month, *sums.get(user.pk, (0, None)))) for user in users]


# How long "figures as of …" is kept: the snapshots change once a minute at most.
FRESHNESS_SECONDS = 60


def snapshot_freshness(
    *, unit_ids: Iterable[int] | None = None, codes: Iterable[str] | None = None, months: Iterable[date] | None = None
) -> datetime | None:
    """When the oldest of the rows read was computed (pages show "figures as of …"); None when
    there are none. One query, kept a minute per question (a MIN over every row read: 35–60 ms at
    plant scale, asked by every page)."""
    unit_ids = None if unit_ids is None else sorted(set(unit_ids))
    codes = None if codes is None else sorted(set(codes))
    months = None if months is None else sorted(_months(months))
    key = (
        "kpis:freshness:"
        + hashlib.sha1(repr((unit_ids, codes, months)).encode(), usedforsecurity=False).hexdigest()[:20]
    )
    return cached(key, lambda: _oldest_computed(unit_ids, codes, months), timeout=FRESHNESS_SECONDS)


def _oldest_computed(unit_ids, codes, months) -> datetime | None:
    rows = KpiSnapshot.objects.order_by()
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=list(unit_ids))
    if codes is not None:
        rows = rows.filter(kpi__in=list(codes))
    if months is not None:
        rows = rows.filter(month__in=months)
    return rows.aggregate(oldest=Min("computed_at"))["oldest"]


def live_kpi_series(
    code: str,
    *,
    unit_ids: Iterable[int] | None = None,
    person_id=None,
    months: Iterable[date],
    today: date | None = None,
) -> list[Figure]:
    """The figures `kpi_series` would read, computed now from the records (`measures.measure`)."""
    from .measures import measure

    definition = definitions.kpi(code)
    months = _months(months)
    if not months:
        return []
    if unit_ids is not None:
        unit_ids = list(unit_ids)
        if not unit_ids:
            return [_figure(definition, month, 0, None) for month in months]
    person_id = getattr(person_id, "pk", person_id)
    rows = measure(code, start=min(months), end=max(months), unit_ids=unit_ids, today=today)
    sums: dict[date, list] = {}
    for row in rows:
        if row.person_id != person_id:
            continue
        numerator, denominator = sums.setdefault(row.month, [Decimal(0), None])
        sums[row.month][0] = numerator + Decimal(row.numerator)
        if row.denominator is not None:
            sums[row.month][1] = (denominator or Decimal(0)) + Decimal(row.denominator)
    return [_figure(definition, month, *sums.get(month, (0, None))) for month in months]


def last_complete_month(today: date) -> date:
    """The month before today's: the month a monthly page or report is usually about."""
    return month_start(month_start(today) - timedelta(days=1))


__all__ = [
    "Figure",
    "KpiCard",
    "kpi_by_person",
    "kpi_by_unit",
    "kpi_cards",
    "kpi_series",
    "kpi_table",
    "last_complete_month",
    "live_kpi_series",
    "met_target",
    "snapshot_freshness",
]
