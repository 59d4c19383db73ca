from celery import shared_task
from django.utils import timezone

from .reminders import action_reminders_plan


@shared_task(name="actions.plan_reminders", acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def plan_reminders() -> dict:
    """Daily: digests to owners, escalations to managers and the HSE head. Idempotent per day."""
    run = action_reminders_plan(today=timezone.localdate())
    return run.__dict__
