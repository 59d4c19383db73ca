"""The KPI snapshots' Celery tasks: a few lines around `apps.kpis.snapshots`, idempotent.

Beat schedule (hse_portal/settings/base.py CELERY_BEAT_SCHEDULE):
- "kpis.refresh_pending" every minute: the unit-months changed at least 30 seconds ago (catches a
  refresh whose countdown task was lost with the broker); also queued with a countdown after each
  change (`snapshots.refresh_requested`).
- "kpis.refresh_all" nightly at 02:50: every KPI of every unit for the last 24 months."""

from celery import shared_task
from django.utils import timezone

from . import snapshots


@shared_task(name="kpis.refresh_pending", acks_late=True)
def refresh_pending(older_than_seconds: int = 30) -> int:
    """Recompute the unit-months waiting for it; safe to run any number of times, concurrently too."""
    return snapshots.refresh_pending(older_than_seconds=older_than_seconds)


@shared_task(name="kpis.refresh_all", acks_late=True)
def refresh_all(months: int = 24) -> int:
    """The nightly full run (the same rows however often it runs)."""
    return snapshots.snapshots_refresh_all(months=months, today=timezone.localdate())


# The monthly report's tasks live beside its service; importing them here registers them with the
# worker (Celery discovers `tasks` modules only).
from .report_tasks import generate_monthly_report, schedule_monthly_report, sweep_monthly_reports  # noqa: E402, F401
