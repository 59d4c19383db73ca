from datetime import date

from django.db.models import Count, Q, Sum

from apps.accounts.access import scope_queryset, unit_ids_in_scope

from .models import HoursWorked, Person, Site, StructuralUnit


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_back(last: date, count: int) -> list[date]:
    """`count` first-of-month dates ending with `last`'s month, oldest first."""
    year, month = last.year, last.month
    result = []
    for _ in range(count):
        result.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(result))


def site_list_for_user(user):
    scope = unit_ids_in_scope(user)
    sites = Site.objects.all()
    if scope is not None:
        sites = sites.filter(units__in=scope).distinct()
    return sites


def unit_list_for_user(user):
    units = StructuralUnit.objects.select_related("site", "parent").annotate(
        headcount=Count("people", filter=Q(people__is_active=True))
    )
    return scope_queryset(units, user, unit_field="pk").order_by("site__name", "name")


def unit_tree_for_user(user) -> list[tuple[StructuralUnit, int]]:
    """The user's units in tree order, each with its depth below the top visible unit.

    Each unit also gets `total_headcount`: its people plus the people of the units under it."""
    units = list(unit_list_for_user(user))
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


def person_list_for_user(user, *, unit_id=None, search: str = "", foremen_only: bool = False):
    people = scope_queryset(Person.objects.select_related("unit", "unit__site"), user)
    if unit_id:
        people = people.filter(unit_id=unit_id)
    if search:
        people = people.filter(
            Q(full_name__icontains=search) | Q(job_title__icontains=search) | Q(personnel_number__icontains=search)
        )
    if foremen_only:
        people = people.filter(is_foreman=True)
    return people.order_by("full_name")


def hours_worked_list_for_user(user, *, unit_id=None):
    rows = scope_queryset(HoursWorked.objects.select_related("unit"), user)
    if unit_id:
        rows = rows.filter(unit_id=unit_id)
    return rows.order_by("unit__name", "-month")


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
    return {
        "unit_count": units.count(),
        "headcount": people.count(),
        "foreman_count": people.filter(is_foreman=True).count(),
        "hours_12_months": hours.aggregate(total=Sum("hours"))["total"] or 0,
        "since_month": first_month,
    }
