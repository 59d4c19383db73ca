"""Demo KPIs: a handful of targets set by the demo HSE head, and the snapshots of the last 13
months computed over the demo data of the other apps (which bypassed the refresh signals: bulk
loads). Idempotent: targets are keyed on KPI, level and month; snapshots are replaced."""

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.accounts.roles import Role
from apps.common.dates import month_start, months_back

from .models import KpiTarget
from .snapshots import snapshots_refresh

DEMO_MONTHS = 13

# KPI, role ("" for enterprise-wide), target, why
DEMO_TARGETS = [
    ("observations", Role.HSE_SPECIALIST, "8", "Two walks a week on the floor for every HSE specialist."),
    ("observations", Role.LINE_MANAGER, "4", "One safety walk a week for every line manager."),
    ("feedback_share", "", "80", "An observation without a conversation changes nothing."),
    ("actions_on_time", "", "90", "Late actions do not prevent the next injury."),
    ("training_compliance", "", "95", "Required trainings in force for nearly everyone on the rolls."),
    ("signals_answered", "", "100", "Every signal answered within 14 days."),
    ("audits_done", "", "100", "The audit plan is kept."),
    ("overdue_actions", "", "5", "Few overdue actions in any unit."),
    ("trir", "", "1.0", "Below the sector's benchmark."),
    ("ltifr", "", "1.0", "Below the sector's benchmark."),
]


# Matters the demo HSE head put to the executive: one awaiting the decision, one decided.
DEMO_ESCALATIONS = [
    {
        "title": "Fixed guarding for the flotation conveyors' tail pulleys",
        "why": "Three unsafe-condition findings at the tail pulleys in 90 days, the last one with a "
        "hand 20 cm from the nip point. The temporary barriers are moved for cleaning and not put back.",
        "options": "A. Fixed guards on all 14 tail pulleys this quarter: 2.4 million roubles.\n"
        "B. Guards on the 4 worst now, the rest next year: 0.8 million roubles now.\n"
        "C. Keep the barriers and inspect them weekly: no cost, the risk stays.",
        "days": 10,
        "decision": None,
    },
    {
        "title": "No lone work on the crushing section's night shift",
        "why": "Two near misses at the crusher feed at night with one operator on the floor and nobody "
        "to stop the line.",
        "options": "A. A second operator on every night shift.\nB. A lone-worker alarm and hourly radio checks.",
        "days": 3,
        "decision": ("Option A from the first of next month; option B at once until then.",
                     "Tell the crews at the next safety day."),
    },
]  # fmt: skip


def _load_escalations(head, today: date) -> None:
    from datetime import timedelta

    from .escalations import escalation_decide, escalation_raise
    from .models import Escalation

    executive = get_user_model().objects.filter(username="executive").first()
    # The service refuses a deadline before today's date, whatever day the demo is built for.
    today = max(today, timezone.localdate())
    for item in DEMO_ESCALATIONS:
        if Escalation.objects.filter(title=item["title"]).exists():
            continue
        escalation = escalation_raise(
            actor=head, title=item["title"], why=item["why"], options=item["options"],
            deadline=today + timedelta(days=item["days"]),
        )  # fmt: skip
        if item["decision"] and executive is not None:
            decision, comment = item["decision"]
            escalation_decide(actor=executive, escalation=escalation, decision=decision, comment=comment)


def load_demo(*, today: date) -> int:
    """Set the demo targets (from the first demo month), the demo escalations, and compute the
    snapshots; returns the snapshot rows written."""
    months = months_back(today, DEMO_MONTHS)
    head = get_user_model().objects.filter(username="head").first()
    if head is not None:
        _load_escalations(head, today)
        for code, role, value, reason in DEMO_TARGETS:
            KpiTarget.objects.update_or_create(
                kpi=code, role=role, unit=None, valid_from=months[0],
                defaults={"value": Decimal(value), "set_by": head, "reason": reason},
            )  # fmt: skip
    return snapshots_refresh(start=months[0], end=month_start(today), today=today)
