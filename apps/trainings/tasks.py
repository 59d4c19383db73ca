"""The trainings' daily run: a few lines around the digest, idempotent per day (run twice, or
retried after a lost worker, it adds nothing more)."""

from celery import shared_task
from django.utils import timezone

from .warnings import expiry_digest_plan


@shared_task(name="trainings.plan_expiry_digest", acks_late=True, autoretry_for=(OSError,), retry_backoff=True,
             max_retries=5)  # fmt: skip
def plan_expiry_digest() -> dict:
    """Daily, before the morning shift: tell people and their line managers of the trainings
    running out within 30 days or run out this week."""
    return expiry_digest_plan(today=timezone.localdate()).__dict__
