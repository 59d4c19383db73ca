from datetime import date

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from apps.accounts.access import unit_ids_in_scope
from apps.common.dates import day_after_start, day_start, month_bounds, month_start, months_back, next_month

from .counts import counts_summary
from .models import Observation, ObservationCategory, ObservationMonthlyCount

TABS = ("mine", "units")


def observation_list_for_user(user):
    """Observations a user may read: those of their units and their own."""
    observations = Observation.objects.select_related("unit", "category", "observer")
    if not getattr(user, "is_authenticated", False) or not user.role:
        return observations.none()
    scope = unit_ids_in_scope(user)
    if scope is None:
        return observations
    return observations.filter(Q(unit_id__in=scope) | Q(observer=user))


def search_observations(observations, text: str):
    """Full-text search over what was seen, the area and the feedback (PostgreSQL's text search;
    a plain substring match on other databases)."""
    text = text.strip()
    if not text:
        return observations
    if connection.vendor == "postgresql":
        # The stored, GIN-indexed vector of description, area and feedback (migration 0005).
        return observations.extra(
            where=["observations_observation.search_vector @@ websearch_to_tsquery('simple', %s)"], params=[text]
        )
    return observations.filter(
        Q(description__icontains=text) | Q(area__icontains=text) | Q(feedback_text__icontains=text)
    )


def observation_filter(
    observations,
    *,
    user,
    tab: str = "units",
    date_from: date | None = None,
    date_to: date | None = None,
    unit_id=None,
    kind: str = "",
    category_id=None,
    observer_id=None,
    feedback: str = "",
    search: str = "",
):
    """The list's filters (each applied when given), newest first. `tab="mine"`: the user's own;
    days are whole days of the site's clock, `date_to` included."""
    if tab == "mine":
        observations = observations.filter(observer=user)
    # Raw column against bounds in the site's time zone: the (unit, observed_at) index serves it.
    if date_from:
        observations = observations.filter(observed_at__gte=day_start(date_from))
    if date_to:
        observations = observations.filter(observed_at__lt=day_after_start(date_to))
    if unit_id:
        observations = observations.filter(unit_id=unit_id)
    if kind:
        observations = observations.filter(kind=kind)
    if category_id:
        observations = observations.filter(category_id=category_id)
    if observer_id:
        observations = observations.filter(observer_id=observer_id)
    if feedback == "yes":
        observations = observations.filter(feedback_given=True)
    elif feedback == "no":
        observations = observations.filter(feedback_given=False)
    return search_observations(observations, search).order_by("-observed_at", "-id")


def observations_in_month(observations, month: date):
    """The observations of one calendar month of the site's time zone (any day of it)."""
    start, end = month_bounds(month)
    return observations.filter(observed_at__gte=start, observed_at__lt=end)


def observation_summary(observations) -> dict:
    """Counts of a set of observations in one query: total, with feedback (and its share),
    safe (safe acts and good practice) against unsafe (unsafe acts and conditions, near misses)."""
    row = observations.order_by().aggregate(
        total=Count("id"),
        with_feedback=Count("id", filter=Q(feedback_given=True)),
        safe=Count("id", filter=Q(kind__in=Observation.POSITIVE_KINDS)),
        unsafe=Count("id", filter=Q(kind__in=Observation.NEGATIVE_KINDS)),
        work_stopped=Count("id", filter=Q(work_stopped=True)),
    )
    row["feedback_share"] = row["with_feedback"] / row["total"] if row["total"] else None
    row["safe_unsafe_ratio"] = row["safe"] / row["unsafe"] if row["unsafe"] else None
    return row


def observer_monthly_counts(observations, *, month: date) -> list[dict]:
    """Per observer, for one calendar month: observations, with feedback, share with feedback,
    against the monthly target (OBSERVATIONS_MONTHLY_TARGET)."""
    rows = (
        observations_in_month(observations, month)
        .order_by()
        .values("observer_id", "observer__first_name", "observer__last_name", "observer__username")
        .annotate(count=Count("id"), with_feedback=Count("id", filter=Q(feedback_given=True)))
        .order_by("-count", "observer__last_name")
    )
    target = settings.OBSERVATIONS_MONTHLY_TARGET
    result = []
    for row in rows:
        name = f"{row['observer__first_name']} {row['observer__last_name']}".strip() or row["observer__username"]
        result.append(
            {
                "observer_id": row["observer_id"],
                "observer": name,
                "count": row["count"],
                "with_feedback": row["with_feedback"],
                "feedback_share": row["with_feedback"] / row["count"],
                "target": target,
                "target_met": row["count"] >= target,
            }
        )
    return result


def safe_unsafe_trend(observations, *, last_month: date, months: int = 6) -> list[dict]:
    """Safe and unsafe observations per month, oldest first, for the trend chart (one query)."""
    month_list = months_back(last_month, months)
    rows = (
        observations.filter(
            observed_at__gte=day_start(month_list[0]), observed_at__lt=day_start(next_month(last_month))
        )
        .order_by()
        .annotate(month=TruncMonth("observed_at"))
        .values("month")
        .annotate(
            safe=Count("id", filter=Q(kind__in=Observation.POSITIVE_KINDS)),
            unsafe=Count("id", filter=Q(kind__in=Observation.NEGATIVE_KINDS)),
        )
    )
    by_month = {}
    for row in rows:
        by_month[row["month"].date()] = row  # the first of the month, on the site's clock
    return [
        {
            "month": month,
            "safe": by_month.get(month, {}).get("safe", 0),
            "unsafe": by_month.get(month, {}).get("unsafe", 0),
        }
        for month in month_list
    ]


def monthly_counts_for_user(user, *, unit_id=None):
    """The monthly counts (ObservationMonthlyCount) of the units a user sees."""
    counts = ObservationMonthlyCount.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.role:
        return counts.none()
    scope = unit_ids_in_scope(user)
    if scope is not None:
        counts = counts.filter(unit_id__in=scope)
    if unit_id:
        counts = counts.filter(unit_id=unit_id)
    return counts


def month_figures(counts, month: date) -> dict:
    """The headline figures of one month (as observation_summary) from the monthly counts."""
    return counts_summary(counts.filter(month=month_start(month)))


def period_figures(counts, *, first: date, last: date) -> dict:
    """The headline figures (as month_figures) of the months from `first` to `last`, both included."""
    return counts_summary(counts.filter(month__gte=month_start(first), month__lte=month_start(last)))


def counts_trend(counts, *, last_month: date, months: int = 6) -> list[dict]:
    """Safe and unsafe observations per month, oldest first, from the monthly counts (one query)."""
    month_list = months_back(last_month, months)
    rows = (
        counts.filter(month__gte=month_list[0], month__lte=month_list[-1])
        .order_by()
        .values("month")
        .annotate(
            safe_sum=Sum("total", filter=Q(kind__in=Observation.POSITIVE_KINDS)),
            unsafe_sum=Sum("total", filter=Q(kind__in=Observation.NEGATIVE_KINDS)),
        )
    )
    by_month = {row["month"]: {"safe": row["safe_sum"], "unsafe": row["unsafe_sum"]} for row in rows}
    return [
        {
            "month": month,
            "safe": by_month.get(month, {}).get("safe") or 0,
            "unsafe": by_month.get(month, {}).get("unsafe") or 0,
        }
        for month in month_list
    ]


def category_choices():
    return ObservationCategory.objects.filter(is_active=True)


def observer_month_summary(user, *, month: date) -> dict:
    """One observer's own figures for a month, against the monthly target (home page)."""
    own = observations_in_month(Observation.objects.filter(observer=user), month)
    return {**observation_summary(own), "target": settings.OBSERVATIONS_MONTHLY_TARGET}
