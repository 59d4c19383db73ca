"""Celery tasks of the monthly executive report: a few lines around apps.kpis.reports.

Registered with the worker through apps/kpis/tasks.py (which imports this module): Celery's
autodiscovery reads each app's `tasks` module only."""

from celery import shared_task
from django.utils import timezone

from . import reports

RETRIES = 3
RETRY_SECONDS = 60


@shared_task(
    name="kpis.generate_monthly_report",
    bind=True,
    acks_late=True,
    max_retries=RETRIES,
    soft_time_limit=9 * 60,
    time_limit=10 * 60,
)
def generate_monthly_report(self, report_id: int) -> str | None:
    """Make one report's PDF and mail it. Safe to run twice: the report is claimed once and mailed
    once. A failure (the report then says failed and why) is retried a few times, a minute apart."""
    try:
        report = reports.report_run(report_id)
    except Exception as error:
        raise self.retry(exc=error, countdown=RETRY_SECONDS * (self.request.retries + 1)) from error
    return report.status if report else None


@shared_task(name="kpis.schedule_monthly_report")
def schedule_monthly_report() -> int | None:
    """The beat's run on the 2nd of each month: the report of the month before."""
    report = reports.report_schedule(today=timezone.localdate())
    return report.pk if report else None


@shared_task(name="kpis.sweep_monthly_reports")
def sweep_monthly_reports() -> int:
    return reports.report_sweep()
