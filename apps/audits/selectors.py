from datetime import date

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404

from apps.accounts.access import scope_queryset, unit_ids_in_scope
from apps.accounts.models import User
from apps.accounts.roles import HSE_ROLES
from apps.actions.selectors import actions_of

from .models import Audit, AuditAnswer, AuditPlanEntry, ChecklistItem, ChecklistTemplate

TABS = ("planned", "in_progress", "completed")


def audit_list_for_user(user):
    """Audits of the units a user sees."""
    audits = Audit.objects.select_related("unit", "auditor", "template_version__template", "plan_entry")
    if not getattr(user, "is_authenticated", False) or not user.role:
        return audits.none()
    return scope_queryset(audits, user)


def audit_filter(audits, *, tab: str = "", unit_id=None, auditor_id=None, month_from=None, month_to=None):
    if tab == "in_progress":
        audits = audits.filter(status=Audit.Status.IN_PROGRESS)
    elif tab == "completed":
        audits = audits.filter(status=Audit.Status.COMPLETED)
    if unit_id:
        audits = audits.filter(unit_id=unit_id)
    if auditor_id:
        audits = audits.filter(auditor_id=auditor_id)
    if month_from:
        audits = audits.filter(started_at__date__gte=month_from)
    if month_to:
        audits = audits.filter(started_at__date__lt=_next_month(month_to))
    return audits.annotate(
        non_compliant_count=Count("answers", filter=Q(answers__result=AuditAnswer.Result.NON_COMPLIANT))
    ).order_by("-completed_at" if tab == "completed" else "-started_at", "-id")


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
    if not getattr(user, "is_authenticated", False) or not user.role:
        return entries.none()
    return scope_queryset(entries, user)


def plan_entry_filter(entries, *, month: date | None = None, unit_id=None, auditor_id=None, not_started=False):
    if month:
        entries = entries.filter(month=month)
    if unit_id:
        entries = entries.filter(unit_id=unit_id)
    if auditor_id:
        entries = entries.filter(auditor_id=auditor_id)
    if not_started:
        entries = entries.filter(audit__isnull=True)
    return entries.order_by("month", "auditor__last_name", "unit__name", "id")


def template_list_for_user(user, *, active_only: bool = False):
    """Checklists are enterprise-wide: every user who may see audits sees them all."""
    templates = ChecklistTemplate.objects.annotate(version_count=Count("versions", distinct=True))
    if active_only:
        templates = templates.filter(is_active=True)
    return templates.order_by("name")


def items_of(version):
    return ChecklistItem.objects.filter(version=version).order_by("order", "id")


def versions_with_items(template):
    return template.versions.select_related("published_by").prefetch_related(
        Prefetch("items", queryset=ChecklistItem.objects.order_by("order", "id"))
    )


def auditor_choices(user=None):
    """Who can be planned as an auditor: active HSE specialists and the HSE head (of the
    planner's units, when given)."""
    users = User.objects.filter(is_active=True, role__in=HSE_ROLES).order_by("last_name", "first_name")
    if user is not None:
        scope = unit_ids_in_scope(user)
        if scope is not None:
            users = users.filter(Q(units__in=scope) | Q(pk=user.pk)).distinct()
    return users


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def audits_done_vs_planned(*, month: date, user=None, units=None) -> dict:
    """The audit plan's fulfilment for one month: planned = plan entries of the month; done =
    those whose audit is completed. Limited to the units a user sees, or to given units (ids or
    objects). Totals plus rows per auditor and per unit, each {"planned", "done"}; `unplanned`
    counts audits completed in the month without a plan entry (shown, not counted as done)."""
    month = month.replace(day=1)
    entries = AuditPlanEntry.objects.filter(month=month)
    unplanned = Audit.objects.filter(
        plan_entry__isnull=True,
        status=Audit.Status.COMPLETED,
        completed_at__date__gte=month,
        completed_at__date__lt=_next_month(month),
    )
    if user is not None:
        entries = scope_queryset(entries, user)
        unplanned = scope_queryset(unplanned, user)
    if units is not None:
        unit_ids = [getattr(unit, "pk", unit) for unit in units]
        entries = entries.filter(unit_id__in=unit_ids)
        unplanned = unplanned.filter(unit_id__in=unit_ids)
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
