"""Which target applies to a KPI: the most specific one in force.

A target is set for the whole enterprise, for a role (the per-person KPIs of HSE specialists or
line managers) or for a unit and the units under it. For a month, the target in force at each level
is the one with the latest `valid_from` on or before that month; the levels are tried from the most
specific: the nearest unit (the unit itself, then its parent, …), then the role, then the
enterprise-wide target (no role, no unit).

For a set of units (a line manager's dashboard over several units), a unit target applies only when
it is set on a unit that is the unit itself or an ancestor of every unit of the set: the nearest
such unit wins. The enterprise as a whole (`unit_ids=None`) has no unit target."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from apps.common.dates import month_start
from apps.org.models import StructuralUnit

from .models import KpiTarget


def _ancestry(unit_id: int, parent_of: dict[int, int | None]) -> list[int]:
    """The unit and its ancestors, nearest first."""
    chain: list[int] = []
    while unit_id is not None and unit_id not in chain:
        chain.append(unit_id)
        unit_id = parent_of.get(unit_id)
    return chain


def _common_ancestry(unit_ids: Iterable[int], parent_of: dict[int, int | None]) -> list[int]:
    """The units that are the unit itself or an ancestor of every unit given, nearest first."""
    chains = [_ancestry(unit_id, parent_of) for unit_id in unit_ids]
    if not chains:
        return []
    common = set(chains[0]).intersection(*map(set, chains[1:]))
    return [unit_id for unit_id in chains[0] if unit_id in common]


def _latest(targets: list[KpiTarget]) -> KpiTarget | None:
    return max(targets, key=lambda target: (target.valid_from, target.pk), default=None)


def _resolve(targets: list[KpiTarget], *, ancestry: list[int], role: str) -> Decimal | None:
    """The value of the most specific target among `targets` (one KPI's, all in force)."""
    if ancestry:
        by_unit: dict[int, list[KpiTarget]] = {}
        for target in targets:
            if target.unit_id is not None:
                by_unit.setdefault(target.unit_id, []).append(target)
        for unit_id in ancestry:
            if unit_id in by_unit:
                return _latest(by_unit[unit_id]).value
    if role:
        found = _latest([t for t in targets if t.unit_id is None and t.role == role])
        if found is not None:
            return found.value
    found = _latest([t for t in targets if t.unit_id is None and t.role == ""])
    return found.value if found is not None else None


def targets_for(
    codes: Iterable[str], *, month: date, unit_ids: Iterable[int] | None = None, role: str = ""
) -> dict[str, Decimal | None]:
    """code -> the target in force in `month` for these units (None: the whole enterprise) and
    role; None where no target is set. One query for the targets, and one for the unit tree when
    unit targets of these KPIs exist."""
    codes = list(codes)
    month = month_start(month)
    in_force = list(KpiTarget.objects.filter(kpi__in=codes, valid_from__lte=month).order_by())
    ancestry: list[int] = []
    if unit_ids is not None and any(target.unit_id is not None for target in in_force):
        unit_ids = list(unit_ids)
        if unit_ids:
            parent_of = dict(StructuralUnit.objects.values_list("id", "parent_id"))
            ancestry = _common_ancestry(unit_ids, parent_of)
    by_code: dict[str, list[KpiTarget]] = {code: [] for code in codes}
    for target in in_force:
        by_code[target.kpi].append(target)
    return {code: _resolve(by_code[code], ancestry=ancestry, role=role) for code in codes}


def target_for(code: str, *, month: date, unit=None, role: str = "") -> Decimal | None:
    """The target of one KPI in force in `month` for a unit (a StructuralUnit or its id; None: the
    enterprise) and a role: unit (nearest ancestor) over role over enterprise-wide."""
    unit_ids = None if unit is None else [getattr(unit, "pk", unit)]
    return targets_for([code], month=month, unit_ids=unit_ids, role=role)[code]
