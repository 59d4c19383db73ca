from datetime import date

from django.db.models import Count, Q, Sum

from apps.accounts.access import scope_queryset, unit_ids_in_scope
from apps.common.dates import month_start, months_back

from .models import HoursWorked, Person, Site, StructuralUnit


def site_list_for_user(user, *, search: str = ""):
    """The sites that hold at least one unit the user sees (every site for enterprise-wide roles)."""
    scope = unit_ids_in_scope(user)
    sites = Site.objects.all()
    if scope is not None:
        sites = sites.filter(pk__in=StructuralUnit.objects.filter(pk__in=scope).values("site_id"))
    if search:
        sites = sites.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return sites.order_by("name", "pk")


def unit_choices_for_user(user):
    """The units a user may pick in a filter or a form: in scope, by name, nothing annotated."""
    return scope_queryset(StructuralUnit.objects.all(), user, unit_field="pk").order_by("name", "pk")


def unit_list_for_user(user, *, site_id=None, parent_id=None, kind: str = "", is_active=None, search: str = ""):
    """The units the user sees, each with its `headcount` (active people on its own roll)."""
    units = StructuralUnit.objects.select_related("site").annotate(
        headcount=Count("people", filter=Q(people__is_active=True))
    )
    units = scope_queryset(units, user, unit_field="pk")
    if site_id:
        units = units.filter(site_id=site_id)
    if parent_id:
        units = units.filter(parent_id=parent_id)
    if kind:
        units = units.filter(kind=kind)
    if is_active is not None:
        units = units.filter(is_active=is_active)
    if search:
        units = units.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return units.order_by("site__name", "name", "pk")


def unit_tree(units) -> list[tuple[StructuralUnit, int]]:
    """Units (from `unit_list_for_user`) in tree order, each with its depth below the top shown
    unit; a unit whose parent is not among them starts a tree of its own.

    Each unit also gets `total_headcount`: its people plus the people of the units under it."""
    units = list(units)
    by_id = {unit.pk: unit for unit in units}
    children: dict[int | None, list[StructuralUnit]] = {}
    for unit in units:
        parent_id = unit.parent_id if unit.parent_id in by_id else None
        children.setdefault(parent_id, []).append(unit)
    ordered: list[tuple[StructuralUnit, int]] = []

    def walk(parent_id, depth):
        total = 0
        for unit in children.get(parent_id, []):
            ordered.append((unit, depth))
            unit.total_headcount = unit.headcount + walk(unit.pk, depth + 1)
            total += unit.total_headcount
        return total

    walk(None, 0)
    return ordered


def unit_tree_for_user(user) -> list[tuple[StructuralUnit, int]]:
    """The user's units in tree order (see `unit_tree`)."""
    return unit_tree(unit_list_for_user(user))


def person_list_for_user(
    user, *, unit_id=None, search: str = "", foremen_only: bool = False, is_foreman=None, is_active=None
):
    """People on the rolls of the user's units, by name. `foremen_only` is `is_foreman=True`."""
    people = scope_queryset(Person.objects.select_related("unit"), user)
    if unit_id:
        people = people.filter(unit_id=unit_id)
    if search:
        people = people.filter(
            Q(full_name__icontains=search) | Q(job_title__icontains=search) | Q(personnel_number__icontains=search)
        )
    if foremen_only:
        is_foreman = True
    if is_foreman is not None:
        people = people.filter(is_foreman=is_foreman)
    if is_active is not None:
        people = people.filter(is_active=is_active)
    return people.order_by("full_name", "pk")


def hours_worked_list_for_user(user, *, unit_id=None, month_from: date | None = None, month_to: date | None = None):
    """Hours worked in the user's units, by unit then newest month first; the month bounds are
    inclusive and count whole months (any day of a month names that month)."""
    rows = scope_queryset(HoursWorked.objects.all(), user)
    if unit_id:
        rows = rows.filter(unit_id=unit_id)
    if month_from:
        rows = rows.filter(month__gte=month_start(month_from))
    if month_to:
        rows = rows.filter(month__lte=month_start(month_to))
    return rows.order_by("unit__name", "unit_id", "-month")


def unit_hours_by_month(unit: StructuralUnit, *, last: date, count: int = 12) -> list[tuple[date, float | None]]:
    """Hours worked by one unit (not its sub-units) per month; None where nothing was recorded."""
    months = months_back(last, count)
    recorded = dict(
        HoursWorked.objects.filter(unit=unit, month__gte=months[0], month__lte=months[-1]).values_list("month", "hours")
    )
    return [(month, recorded.get(month)) for month in months]


def organisation_summary_for_user(user, *, today: date) -> dict:
    """Headline figures of the units a user sees, for the home pages."""
    units = scope_queryset(StructuralUnit.objects.filter(is_active=True), user, unit_field="pk")
    people = scope_queryset(Person.objects.filter(is_active=True), user)
    first_month = months_back(month_start(today), 12)[0]
    hours = scope_queryset(HoursWorked.objects.filter(month__gte=first_month), user)
    counts = people.aggregate(headcount=Count("pk"), foremen=Count("pk", filter=Q(is_foreman=True)))
    return {
        "unit_count": units.count(),
        "headcount": counts["headcount"],
        "foreman_count": counts["foremen"],
        "hours_12_months": hours.aggregate(total=Sum("hours"))["total"] or 0,
        "since_month": first_month,
    }
