"""Scoped reads for contractors and passes, for pages and API alike.

Companies are enterprise-wide: every role that reads contractors sees them all. Work orders are
scoped by their unit, passes by their zones (a pass is in a user's scope when one of the units it
opens is); a gate check answers for any pass, since a guard must be able to refuse any card."""

from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q

from apps.accounts.access import can, scope_queryset, unit_ids_in_scope
from apps.audit.selectors import history_for
from apps.common.dates import day_start

from .models import AccessPass, ContractorCompany, ContractorWorker, GateCheck, WorkOrder

# "Expiring soon" on the pass office's page and in the warnings: this many days ahead.
EXPIRY_WARNING_DAYS = 7


def company_list_for_user(user):
    if not can(user, "contractors.view"):
        return ContractorCompany.objects.none()
    return ContractorCompany.objects.order_by("name", "id")


def worker_list_for_user(user):
    if not can(user, "contractors.view"):
        return ContractorWorker.objects.none()
    return ContractorWorker.objects.select_related("company").order_by("full_name", "id")


def work_order_list_for_user(user):
    if not can(user, "contractors.view"):
        return WorkOrder.objects.none()
    orders = WorkOrder.objects.select_related("company", "unit", "responsible")
    return scope_queryset(orders, user).order_by("-starts_on", "-id")


def pass_list_for_user(user):
    """Passes the user may read: all of them for enterprise-wide roles, otherwise those opening one
    of the user's units (an EXISTS, so a pass with several zones is listed once)."""
    if not can(user, "passes.view"):
        return AccessPass.objects.none()
    passes = AccessPass.objects.select_related("holder", "company", "work_order")
    scope = unit_ids_in_scope(user)
    if scope is not None:
        zones = AccessPass.zones.through.objects.filter(accesspass_id=OuterRef("pk"), structuralunit_id__in=scope)
        passes = passes.filter(Exists(zones))
    return passes.order_by("-issued_at", "-id")


def pass_search(passes, text: str):
    """Passes whose number starts with the text, or whose holder's or company's name contains it."""
    text = (text or "").strip()
    if not text:
        return passes
    return passes.filter(
        Q(number__startswith=text.upper()) | Q(holder__full_name__icontains=text) | Q(company__name__icontains=text)
    )


def pass_history(access_pass: AccessPass):
    """Every status change of the pass: who, when, why, before and after (the audit trail)."""
    return history_for(access_pass)


def pass_checks(access_pass: AccessPass, *, limit: int = 50):
    return access_pass.checks.select_related("checked_by").order_by("-checked_at", "-id")[:limit]


def pass_office_day(user, *, today: date) -> dict:
    """What the pass office's day needs: passes running out this week, passes blocked today and
    why, and today's refusals at the gates."""
    passes = pass_list_for_user(user)
    week_end = today + timedelta(days=EXPIRY_WARNING_DAYS)
    expiring = passes.filter(status=AccessPass.Status.ACTIVE, valid_until__gte=today, valid_until__lte=week_end)
    blocked_today = passes.filter(status=AccessPass.Status.BLOCKED, status_changed_at__gte=day_start(today))
    refusals = (
        GateCheck.objects.filter(allowed=False, checked_at__gte=day_start(today))
        .select_related("access_pass__holder", "access_pass__company", "checked_by")
        .order_by("-checked_at", "-id")
    )
    if unit_ids_in_scope(user) is not None:
        refusals = refusals.filter(access_pass__in=passes.values("pk"))
    counts = passes.aggregate(
        active=Count("pk", filter=Q(status=AccessPass.Status.ACTIVE)),
        blocked=Count("pk", filter=Q(status=AccessPass.Status.BLOCKED)),
        suspended=Count("pk", filter=Q(status=AccessPass.Status.SUSPENDED)),
    )
    return {
        "expiring": expiring.order_by("valid_until", "id"),
        "blocked_today": blocked_today.order_by("-status_changed_at", "-id"),
        "refusals_today": refusals,
        "counts": counts,
        "week_end": week_end,
    }


def violation_list_for_user(user):
    """Violations in the units the user sees (the pass office and executive: all)."""
    from .models import Violation

    if not can(user, "contractors.view"):
        return Violation.objects.none()
    violations = Violation.objects.select_related("company", "unit", "work_order", "recorded_by")
    return scope_queryset(violations, user).order_by("-observed_at", "-id")


def sanctions_in_force_for_pass(access_pass: AccessPass):
    return access_pass.sanctions.filter(status="in_force").select_related("violation")
