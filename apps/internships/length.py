"""How long an internship should last, from the unit's specifics.

A unit with more people, and more kinds of work, takes longer to understand: the proposal starts
at the minimum and adds a day for each threshold passed, never beyond the maximum. The planner may
choose another length within 3 to 7 days; the proposal and its reason are kept with the plan."""

from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import Lower, Trim
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.org.models import Person, StructuralUnit

from .models import INTERNSHIP_MAX_DAYS, INTERNSHIP_MIN_DAYS

# (more than this many people, one more day)
HEADCOUNT_STEPS = (15, 40)
# (at least this many job titles, one more day)
JOB_TITLE_STEPS = (4, 7)


@dataclass(frozen=True)
class Proposal:
    days: int
    reason: str  # in the active language, e.g. "24 people in 5 job titles: 3 days, +1 for …"


def proposed_length(*, headcount: int, job_titles: int) -> Proposal:
    """3 days; +1 for more than 15 people, +1 more for more than 40; +1 for 4 or more job titles,
    +1 more for 7 or more; never fewer than 3 nor more than 7 days."""
    headcount = max(headcount, 0)
    job_titles = max(job_titles, 0)
    days = INTERNSHIP_MIN_DAYS
    parts = [ngettext("%(n)d day", "%(n)d days", days) % {"n": days}]
    for step in HEADCOUNT_STEPS:
        if headcount > step:
            days += 1
            parts.append(_("+1 for more than %(n)d people") % {"n": step})
    for step in JOB_TITLE_STEPS:
        if job_titles >= step:
            days += 1
            parts.append(_("+1 for %(n)d or more job titles") % {"n": step})
    if days > INTERNSHIP_MAX_DAYS:
        days = INTERNSHIP_MAX_DAYS
        parts.append(_("capped at %(n)d days") % {"n": INTERNSHIP_MAX_DAYS})
    people = ngettext("%(n)d person", "%(n)d people", headcount) % {"n": headcount}
    titles = ngettext("%(n)d job title", "%(n)d job titles", job_titles) % {"n": job_titles}
    reason = _("%(people)s in %(titles)s: %(steps)s") % {"people": people, "titles": titles, "steps": ", ".join(parts)}
    return Proposal(days=days, reason=reason)


def unit_subtree_ids(unit: StructuralUnit | int) -> set[int]:
    """The unit and every unit under it, at any depth (one query reads the whole tree, which is
    small, whatever its depth)."""
    root = getattr(unit, "pk", unit)
    children: dict[int | None, list[int]] = {}
    for unit_id, parent_id in StructuralUnit.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(unit_id)
    seen: set[int] = set()
    stack = [root]
    while stack:
        unit_id = stack.pop()
        if unit_id not in seen:
            seen.add(unit_id)
            stack.extend(children.get(unit_id, ()))
    return seen


def unit_headcount(unit: StructuralUnit) -> tuple[int, int]:
    """(active people, distinct job titles — ignoring case and spaces) on the rolls of the unit
    and the units under it."""
    figures = Person.objects.filter(unit_id__in=unit_subtree_ids(unit), is_active=True).aggregate(
        headcount=Count("id"), job_titles=Count(Lower(Trim("job_title")), distinct=True)
    )
    return figures["headcount"], figures["job_titles"]


def proposal_for_unit(unit: StructuralUnit) -> Proposal:
    """The proposal for a unit, counting the active people on its roll and in the units under it
    and their distinct job titles (two queries)."""
    headcount, job_titles = unit_headcount(unit)
    return proposed_length(headcount=headcount, job_titles=job_titles)
