from celery import shared_task

from .counts import rebuild_monthly_counts


@shared_task(name="observations.recount_months", acks_late=True)
def recount_months() -> int:
    """Nightly: recount the monthly counts from the observations (repairs any drift, e.g. rows
    deleted in the admin). Idempotent."""
    return rebuild_monthly_counts()
