"""The contractor scorecard: what the HSE head shows the contract owner.

Over the last 12 months: contractor audits done and their average score, violations by severity
and per 10,000 hours on site (hours from the company's work orders), sanctions, open actions from
its violations, the month-by-month trend, and the company's rank among the contractors with hours
on site (fewest weighted violations per 10,000 hours first)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Avg, Count, Q, Sum
from django.db.models.functions import TruncMonth

from apps.actions.models import Action
from apps.actions.selectors import actions_of
from apps.common.dates import day_start, month_start, months_back, next_month

from .models import ContractorAudit, ContractorCompany, Sanction, Violation, WorkOrder

MONTHS = 12
PER_HOURS = 10_000
# How much one violation of each severity weighs in the rank (a critical one counts as 27 minor).
SEVERITY_WEIGHT = {"minor": 1, "serious": 3, "severe": 9, "critical": 27}


@dataclass
class Scorecard:
    company: ContractorCompany
    since: date
    hours: int
    by_severity: dict[str, int]
    rate_per_10k: dict[str, float | None]
    weighted_rate: float | None
    sanctions: dict[str, int]
    open_actions: int
    trend: list[tuple[date, int]]
    rank: int | None
    ranked: int
    audits_done: int
    audit_score: float | None

    @property
    def total(self) -> int:
        return sum(self.by_severity.values())


def _window(today: date) -> tuple[date, object, object]:
    since = months_back(month_start(today), MONTHS)[0]
    return since, day_start(since), day_start(next_month(month_start(today)))


def _hours_by_company(since: date, today: date) -> dict[int, int]:
    rows = (
        WorkOrder.objects.filter(ends_on__gte=since, starts_on__lte=today)
        .values("company_id")
        .annotate(hours=Sum("hours_on_site"))
    )
    return {row["company_id"]: row["hours"] or 0 for row in rows}


def _weighted_by_company(start, end) -> dict[int, int]:
    weights: dict[int, int] = {}
    rows = Violation.objects.filter(observed_at__gte=start, observed_at__lt=end).values("company_id", "severity")
    for row in rows.annotate(n=Count("pk")):
        weights[row["company_id"]] = weights.get(row["company_id"], 0) + SEVERITY_WEIGHT[row["severity"]] * row["n"]
    return weights


def _rate(count: int, hours: int) -> float | None:
    return None if not hours else round(count * PER_HOURS / hours, 2)


def company_scorecard(company: ContractorCompany, *, today: date) -> Scorecard:
    since, start, end = _window(today)
    violations = Violation.objects.filter(company=company, observed_at__gte=start, observed_at__lt=end)
    by_severity = dict.fromkeys(SEVERITY_WEIGHT, 0)
    for row in violations.values("severity").annotate(n=Count("pk")):
        by_severity[row["severity"]] = row["n"]
    hours_all = _hours_by_company(since, today)
    hours = hours_all.get(company.pk, 0)
    weights = _weighted_by_company(start, end)
    rates = {pk: weights.get(pk, 0) * PER_HOURS / h for pk, h in hours_all.items() if h}
    ordered = sorted(rates, key=lambda pk: (rates[pk], pk))
    per_month = dict(violations.annotate(month=TruncMonth("observed_at")).values_list("month").annotate(n=Count("pk")))
    trend = [(month, sum(n for m, n in per_month.items() if m.date() == month)) for month in months_back(today, MONTHS)]
    sanctions = Sanction.objects.filter(company=company).aggregate(
        in_force=Count("pk", filter=Q(status=Sanction.Status.IN_FORCE)),
        year=Count("pk", filter=Q(decided_at__gte=start)),
    )
    open_actions = (
        actions_of(Violation.objects.filter(company=company))
        .filter(status__in=[Action.Status.OPEN, Action.Status.IN_PROGRESS])
        .count()
    )
    audits = ContractorAudit.objects.filter(
        company=company, audit__status="completed", audit__completed_at__gte=start, audit__completed_at__lt=end
    ).aggregate(done=Count("pk"), score=Avg("audit__score"))
    return Scorecard(
        company=company, since=since, hours=hours, by_severity=by_severity,
        rate_per_10k={severity: _rate(n, hours) for severity, n in by_severity.items()},
        weighted_rate=round(rates[company.pk], 2) if company.pk in rates else None,
        sanctions=sanctions, open_actions=open_actions, trend=trend,
        rank=ordered.index(company.pk) + 1 if company.pk in rates else None, ranked=len(ordered),
        audits_done=audits["done"],
        audit_score=None if audits["score"] is None else round(float(audits["score"]), 1),
    )  # fmt: skip
