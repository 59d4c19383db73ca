from celery import shared_task

from . import services


@shared_task(name="exports.run", acks_late=True, soft_time_limit=3 * 60 * 60, time_limit=3 * 60 * 60 + 60)
def run_export(job_id: str) -> str | None:
    """Write one export's file. Safe to run twice: the job is claimed once."""
    job = services.export_run(job_id)
    return job.status if job else None


@shared_task(name="exports.sweep")
def sweep_exports() -> int:
    return services.export_sweep()
