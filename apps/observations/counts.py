"""Monthly counts of observations per unit and kind: the headline figures and the trend read a
few thousand of these rows instead of aggregating a million observations on every request.

`count_observation` adds one observation inside the service's transaction (an update, or the
month's first row; two requests creating the same row at once both count). The counts can
always be recounted from the observations (`rebuild_monthly_counts`, run by the nightly task and
after bulk loads): they are a cache of the truth, never the truth itself."""

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone


def _month_of(moment):
    return timezone.localtime(moment).date().replace(day=1)


def count_observation(observation) -> None:
    from .models import ObservationMonthlyCount

    key = {"unit_id": observation.unit_id, "month": _month_of(observation.observed_at), "kind": observation.kind}
    feedback, stopped = int(bool(observation.feedback_given)), int(bool(observation.work_stopped))
    increments = {
        "total": F("total") + 1,
        "with_feedback": F("with_feedback") + feedback,
        "work_stopped": F("work_stopped") + stopped,
    }
    if ObservationMonthlyCount.objects.filter(**key).update(**increments):
        return
    try:
        with transaction.atomic():
            ObservationMonthlyCount.objects.create(**key, total=1, with_feedback=feedback, work_stopped=stopped)
    except IntegrityError:  # another request created the month's row first
        ObservationMonthlyCount.objects.filter(**key).update(**increments)


def rebuild_monthly_counts(observation_model=None, count_model=None) -> int:
    """Recount every month from the observations (grouped in the database); returns the rows."""
    if observation_model is None:
        from .models import Observation as observation_model
        from .models import ObservationMonthlyCount as count_model
    grouped = (
        observation_model.objects.order_by()
        .annotate(month=TruncMonth("observed_at"))
        .values("unit_id", "month", "kind")
        .annotate(
            total=Count("id"),
            with_feedback=Count("id", filter=Q(feedback_given=True)),
            work_stopped=Count("id", filter=Q(work_stopped=True)),
        )
    )
    rows = [
        count_model(
            unit_id=row["unit_id"],
            month=timezone.localtime(row["month"]).date() if hasattr(row["month"], "hour") else row["month"],
            kind=row["kind"],
            total=row["total"],
            with_feedback=row["with_feedback"],
            work_stopped=row["work_stopped"],
        )  # fmt: skip
        for row in grouped.iterator(chunk_size=10_000)
    ]
    with transaction.atomic():
        count_model.objects.all().delete()
        count_model.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def counts_summary(counts) -> dict:
    """The figures of observation_summary (total, with feedback, safe, unsafe, work stopped) from
    a queryset of monthly counts."""
    from .models import Observation

    sums = counts.aggregate(
        sum_total=Sum("total"),
        sum_feedback=Sum("with_feedback"),
        sum_safe=Sum("total", filter=Q(kind__in=Observation.POSITIVE_KINDS)),
        sum_unsafe=Sum("total", filter=Q(kind__in=Observation.NEGATIVE_KINDS)),
        sum_stopped=Sum("work_stopped"),
    )
    row = {
        "total": sums["sum_total"] or 0,
        "with_feedback": sums["sum_feedback"] or 0,
        "safe": sums["sum_safe"] or 0,
        "unsafe": sums["sum_unsafe"] or 0,
        "work_stopped": sums["sum_stopped"] or 0,
    }
    row["feedback_share"] = row["with_feedback"] / row["total"] if row["total"] else None
    row["safe_unsafe_ratio"] = row["safe"] / row["unsafe"] if row["unsafe"] else None
    return row
