import logging
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from apps.accounts.access import require
from apps.audit.services import log_action
from apps.common.csv_export import SafeCSVWriter

from .models import ExportJob
from .registry import export_kind

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 10_000  # rows between two progress updates
# A job still "running" this long after it started died with its worker: it is run again.
STALE_AFTER = timedelta(minutes=30)


@transaction.atomic
def export_request(*, actor, kind: str, params: dict) -> ExportJob:
    """Queue an export of `kind` with these (already validated) filters. The rows are read when the
    job runs, with the requester's scope at that time."""
    registered = export_kind(kind)
    require(actor, registered.capability)
    job = ExportJob.objects.create(kind=kind, params=params, requested_by=actor)
    log_action(actor=actor, action="exports.export.requested", target=job, data={"kind": kind, "params": params})
    transaction.on_commit(lambda: queue_export(job.pk))
    return job


def queue_export(job_id) -> bool:
    """Ask a worker to run the job; with the broker down it stays queued for the sweep."""
    from .tasks import run_export

    try:
        run_export.apply_async(args=[str(job_id)], retry=False)
    except Exception as error:  # noqa: BLE001 - any broker failure must not reach the user
        logger.warning("Export %s not queued (broker unavailable): %s", job_id, error)
        return False
    return True


def _claim(job_id) -> ExportJob | None:
    """Mark the job running, once: a second worker (or a redelivered task) finds it taken."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
        if job is None:
            return None
        stale = job.status == ExportJob.Status.RUNNING and job.started_at < timezone.now() - STALE_AFTER
        if job.status != ExportJob.Status.QUEUED and not stale:
            return None
        job.status = ExportJob.Status.RUNNING
        job.started_at = timezone.now()
        job.rows_done = 0
        job.save(update_fields=["status", "started_at", "rows_done"])
        return job


def _write(path: Path, job: ExportJob, header, rows) -> int:
    writer = SafeCSVWriter()
    written = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(writer.writerow(header))
        for row in rows:
            handle.write(writer.writerow(row))
            written += 1
            if written % PROGRESS_EVERY == 0:
                ExportJob.objects.filter(pk=job.pk).update(rows_done=written)
    return written


def export_run(job_id) -> ExportJob | None:
    """Write the job's file. The file is attached only once every row is written: an export is
    complete, or it is marked failed with the reason, never offered half written."""
    job = _claim(job_id)
    if job is None:
        return None
    registered = export_kind(job.kind)
    temp_dir = Path(settings.MEDIA_ROOT) / "exports" / "tmp"
    temp_dir.mkdir(parents=True, exist_ok=True)
    path = temp_dir / f"{job.pk}.csv"
    try:
        header, total, rows = registered.build_rows(job)
        ExportJob.objects.filter(pk=job.pk).update(rows_total=total)
        written = _write(path, job, header, rows)
        name = f"{slugify(registered.filename)}-{timezone.localtime():%Y%m%d-%H%M}.csv"
        with path.open("rb") as done:
            job.file.save(name, File(done), save=False)
        job.status = ExportJob.Status.DONE
        job.rows_done = job.rows_total = written
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "status", "rows_done", "rows_total", "finished_at"])
    except Exception as error:
        logger.exception("Export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=f"{type(error).__name__}: {error}"[:500], finished_at=timezone.now()
        )
        job.refresh_from_db()
    finally:
        path.unlink(missing_ok=True)
    return job


def export_sweep() -> int:
    """Queue what a broker outage or a dead worker left behind; returns how many were queued."""
    now = timezone.now()
    waiting = ExportJob.objects.filter(status=ExportJob.Status.QUEUED, created_at__lt=now - timedelta(minutes=1))
    stale = ExportJob.objects.filter(status=ExportJob.Status.RUNNING, started_at__lt=now - STALE_AFTER)
    ids = list(waiting.values_list("pk", flat=True)) + list(stale.values_list("pk", flat=True))
    for job_id in ids:
        queue_export(job_id)
    return len(ids)
