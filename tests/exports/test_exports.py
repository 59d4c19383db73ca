"""Background exports: complete or visibly failed, claimed once, the requester's alone."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.exports import registry, services
from apps.exports.models import ExportJob


def _rows(job):
    count = job.params.get("count", 3)
    return (
        ["Reference", "What was seen"],
        count,
        ((f"O-{i}", f"=cmd {i}" if i == 0 else f"seen {i}") for i in range(count)),
    )


def _broken(job):
    def rows():
        yield ("O-1", "first")
        raise RuntimeError("database went away")

    return ["Reference", "What was seen"], 2, rows()


@pytest.fixture(autouse=True)
def kinds():
    registry.register_export("test_rows", "Test rows", _rows, capability="observations.view")
    registry.register_export("test_broken", "Broken rows", _broken, capability="observations.view")


def test_an_export_is_written_complete_and_formula_safe(django_capture_on_commit_callbacks, hse_specialist):
    with django_capture_on_commit_callbacks() as queued:
        job = services.export_request(actor=hse_specialist, kind="test_rows", params={"count": 25_001})
    assert len(queued) == 1 and job.status == ExportJob.Status.QUEUED
    assert AuditEntry.objects.filter(action="exports.export.requested", target_id=str(job.pk)).exists()
    done = services.export_run(job.pk)
    assert (done.status, done.rows_done, done.rows_total, done.percent) == ("done", 25_001, 25_001, 100)
    lines = done.file.open("rb").read().decode().splitlines()
    assert len(lines) == 25_002  # the header and every row
    assert lines[1] == "O-0,'=cmd 0"


def test_a_failure_leaves_no_file_and_says_why(hse_specialist):
    job = services.export_request(actor=hse_specialist, kind="test_broken", params={})
    done = services.export_run(job.pk)
    assert done.status == ExportJob.Status.FAILED and not done.file
    assert "database went away" in done.error


def test_a_job_runs_once(hse_specialist):
    job = services.export_request(actor=hse_specialist, kind="test_rows", params={})
    assert services.export_run(job.pk).status == "done"
    assert services.export_run(job.pk) is None  # redelivered task: nothing to do


def test_a_job_whose_worker_died_is_run_again_only_when_stale(hse_specialist):
    job = services.export_request(actor=hse_specialist, kind="test_rows", params={})
    recent = timezone.now() - services.STALE_AFTER + timedelta(minutes=1)
    ExportJob.objects.filter(pk=job.pk).update(status="running", started_at=recent)
    assert services.export_run(job.pk) is None
    ExportJob.objects.filter(pk=job.pk).update(started_at=recent - timedelta(minutes=2))
    assert services.export_run(job.pk).status == "done"


def test_sweep_queues_what_waited_more_than_a_minute(hse_specialist, monkeypatch):
    queued = []
    monkeypatch.setattr(services, "queue_export", queued.append)
    fresh = services.export_request(actor=hse_specialist, kind="test_rows", params={})
    old = services.export_request(actor=hse_specialist, kind="test_rows", params={})
    ExportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(seconds=61))
    assert services.export_sweep() == 1
    assert queued == [old.pk] and fresh.pk not in queued


def test_a_role_without_the_capability_may_not_export(pass_admin):
    with pytest.raises(PermissionDenied):
        services.export_request(actor=pass_admin, kind="test_rows", params={})
    assert not ExportJob.objects.exists()


def test_pages_show_progress_then_the_download_to_the_requester_only(client_as, hse_specialist, hse_head):
    job = services.export_request(actor=hse_specialist, kind="test_rows", params={"count": 3})
    client = client_as(hse_specialist)
    page = client.get(job.get_absolute_url())
    assert "Waiting for a worker" in page.text and 'hx-trigger="every 2s"' in page.text
    services.export_run(job.pk)
    fragment = client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert "Ready: 3 rows." in fragment.text and "every 2s" not in fragment.text
    download = client.get(reverse("exports:download", args=[job.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"Reference,")
    assert client_as(hse_head).get(reverse("exports:download", args=[job.pk])).status_code == 404
    assert "Test rows" in client_as(hse_specialist).get(reverse("exports:list")).text
