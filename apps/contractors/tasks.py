"""The pass office's daily runs. Each is a few lines around a service, idempotent per day: run
twice (or retried after a lost worker) it changes nothing more."""

from celery import shared_task
from django.utils import timezone

from . import services
from .warnings import expiry_warnings_plan


@shared_task(name="contractors.expire_passes", acks_late=True, autoretry_for=(OSError,), retry_backoff=True,
             max_retries=5)  # fmt: skip
def expire_passes() -> int:
    """Daily, just after midnight: active and suspended passes past their last day become expired."""
    return services.passes_expire(today=timezone.localdate())


@shared_task(name="contractors.plan_expiry_warnings", acks_late=True, autoretry_for=(OSError,), retry_backoff=True,
             max_retries=5)  # fmt: skip
def plan_expiry_warnings() -> dict:
    """Daily, before the morning shift: warn the pass office and the work orders' responsible
    people of passes and documents about to run out."""
    return expiry_warnings_plan(today=timezone.localdate()).__dict__
