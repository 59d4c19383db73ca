from datetime import date

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from apps.accounts.access import can, scope_queryset, unit_ids_in_scope
from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.actions.selectors import actions_of
from apps.common.dates import month_bounds

from . import rules
from .models import Audit, AuditAnswer, AuditPlanEntry, ChecklistItem, ChecklistTemplate

TABS = ("planned", "in_progress", "completed")


def audit_list_for_user(user):
    """Audits of the units a user sees."""
    audits = Audit.objects.select_related("unit", "auditor", "template_version__template")
    if not can(user, "audits.view"):
        return audits.none()
    return scope_queryset(audits, user)


def audit_filter(audits, *, tab: str = "", unit_id=None, auditor_id=None, month_from=None, month_to=None):
    """Audits by status ("in_progress", "completed", or "" for both), unit, auditor (ids or
    objects) and months: completed audits by the month they were completed in, the others by the
    month they were started in. Months compare the raw timestamps with the months' bounds in the
    site's time zone, so the (unit, status, started_at) index serves the query."""
    if tab == "in_progress":
        audits = audits.filter(status=Audit.Status.IN_PROGRESS)
    elif tab == "completed":
        audits = audits.filter(status=Audit.Status.COMPLETED)
    if unit_id:
        audits = audits.filter(unit=unit_id)  # an id or a unit
    if auditor_id:
        audits = audits.filter(auditor=auditor_id)
    moment = "completed_at" if tab == "completed" else "started_at"
    if month_from:
        audits = audits.filter(**{f"{moment}__gte": month_bounds(month_from)[0]})
    if month_to:
        audits = audits.filter(**{f"{moment}__lt": month_bounds(month_to)[1]})
    # The findings counted per listed audit (a subquery PostgreSQL evaluates for the rows of the
    # page only, after the sort), not by grouping every audit with all its answers.
    findings = (
        AuditAnswer.objects.filter(audit=OuterRef("pk"), result=AuditAnswer.Result.NON_COMPLIANT)
        .order_by()
        .values("audit")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return audits.annotate(non_compliant_count=Coalesce(Subquery(findings), 0)).order_by(
        "-completed_at" if tab == "completed" else "-started_at", "-id"
    )


def audit_detail_for_user(user, pk) -> Audit:
    """One audit for this user: 404 when it is outside the user's units."""
    return get_object_or_404(audit_list_for_user(user).select_related("unit__parent"), pk=pk)


def answers_of(audit: Audit) -> list:
    """The audit's answers in checklist order, each with `found_actions`: the actions opened for it."""
    answers = list(audit.answers.select_related("item").order_by("item__order", "id"))
    by_answer: dict[int, list] = {}
    for action in actions_of(audit.answers.all()):
        by_answer.setdefault(action.source_id, []).append(action)
    for answer in answers:
        answer.found_actions = by_answer.get(answer.pk, [])
    return answers


def plan_entry_list_for_user(user):
    entries = AuditPlanEntry.objects.select_related("unit", "auditor", "template", "audit")
    if not can(user, "audits.view"):
        return entries.none()
    return scope_queryset(entries, user)


def plan_entry_filter(entries, *, month: date | None = None, unit_id=None, auditor_id=None, not_started=False):
    if month:
        entries = entries.filter(month=month)
    if unit_id:
        entries = entries.filter(unit=unit_id)  # an id or a unit
    if auditor_id:
        entries = entries.filter(auditor=auditor_id)
    if not_started:
        entries = entries.filter(audit__isnull=True)
    return entries.order_by("month", "auditor__last_name", "unit__name", "id")


def template_list_for_user(user, *, active_only: bool = False, active=None):
    """Checklists are enterprise-wide: every user who may see audits sees them all."""
    templates = ChecklistTemplate.objects.annotate(version_count=Count("versions"))
    if active_only:
        active = True
    if active is not None:
        templates = templates.filter(is_active=active)
    return templates.order_by("name")


def items_of(version):
    return ChecklistItem.objects.filter(version=version)  # in checklist order (the model's ordering)


def versions_with_items(template):
    # Newest first (the model's ordering), each with its items in checklist order.
    return template.versions.select_related("published_by").prefetch_related("items")


def auditor_choices(user=None):
    """Who can be planned as an auditor: active HSE specialists and the HSE head (of the
    planner's units, when given)."""
    users = User.objects.filter(is_active=True, role__in=rules.auditor_roles()).order_by("last_name", "first_name")
    if user is not None:
        scope = unit_ids_in_scope(user)
        if scope is not None:
            users = users.filter(Q(units__in=scope) | Q(pk=user.pk)).distinct()
    return users


def unit_managers(unit) -> list:
    """Who acknowledges an audit of a unit: the active line managers assigned to it or, when it has
    none (a crew), to the nearest unit above it."""
    while unit is not None:
        managers = list(
            User.objects.filter(is_active=True, role=Role.LINE_MANAGER, units=unit).order_by("last_name", "first_name")
        )
        if managers:
            return managers
        unit = unit.parent
    return []


def auditor_filter_choices(user):
    """Whom a user may filter audit lists by: the auditors of the audits and plan entries the
    user sees (former auditors too), and those who may be planned now."""
    return (
        User.objects.filter(
            Q(pk__in=audit_list_for_user(user).values("auditor_id"))
            | Q(pk__in=plan_entry_list_for_user(user).values("auditor_id"))
            | Q(pk__in=auditor_choices(user).values("pk"))
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def audits_done_vs_planned(*, month: date, user=None, units=None) -> dict:
    """The audit plan's fulfilment for one month: planned = plan entries of the month; done =
    those whose audit is completed. Limited to the units a user sees, or to given units (ids or
    objects). Totals plus rows per auditor and per unit, each {"planned", "done"}; `unplanned`
    counts audits completed in the month without a plan entry (shown, not counted as done)."""
    month = month.replace(day=1)
    begins, ends = month_bounds(month)
    entries = AuditPlanEntry.objects.filter(month=month)
    unplanned = Audit.objects.filter(
        plan_entry__isnull=True, status=Audit.Status.COMPLETED, completed_at__gte=begins, completed_at__lt=ends
    )
    if user is not None:
        entries = scope_queryset(entries, user)
        unplanned = scope_queryset(unplanned, user)
    if units is not None:  # units or their ids
        entries = entries.filter(unit__in=units)
        unplanned = unplanned.filter(unit__in=units)
    done_q = Q(audit__status=Audit.Status.COMPLETED)
    counts = {"planned": Count("id"), "done": Count("id", filter=done_q)}
    totals = entries.aggregate(**counts)
    by_auditor = list(
        entries.values("auditor_id", "auditor__first_name", "auditor__last_name", "auditor__username")
        .annotate(**counts)
        .order_by("auditor__last_name", "auditor__first_name", "auditor_id")
    )
    for row in by_auditor:
        full_name = f"{row['auditor__first_name']} {row['auditor__last_name']}".strip()
        row["auditor"] = full_name or row["auditor__username"]
    by_unit = list(entries.values("unit_id", "unit__name").annotate(**counts).order_by("unit__name", "unit_id"))
    for row in by_unit:
        row["unit"] = row["unit__name"]
    return {
        "month": month,
        "planned": totals["planned"],
        "done": totals["done"],
        "unplanned": unplanned.count(),
        "by_auditor": by_auditor,
        "by_unit": by_unit,
    }
