"""The daily run of the internships app: a few lines around a service, idempotent per day."""

from celery import shared_task
from django.utils import timezone

from .escalation import signals_escalate


@shared_task(name="internships.escalate_signals", acks_late=True, autoretry_for=(OSError,), retry_backoff=True,
             max_retries=5)  # fmt: skip
def escalate_signals() -> int:
    """Daily, before the working day: signals unanswered for more than 14 days go to the HSE head."""
    return signals_escalate(today=timezone.localdate())
