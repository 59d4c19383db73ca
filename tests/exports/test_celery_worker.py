"""An export made by a real Celery worker over a real Redis: requested from the page, finished by
the worker, downloaded complete."""

import pytest
from django.db import connection
from django.urls import reverse

from apps.exports.models import ExportJob
from apps.observations import exports
from tests.celery_helpers import RedisServer, WorkerProcess, publishing_to, wait_until
from tests.factories import ObservationFactory

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(tmp_path, transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("a worker process shares the test database only on PostgreSQL")
    redis = RedisServer(tmp_path)
    redis.start()
    process = WorkerProcess(redis.url, tmp_path / "worker.log")
    process.start()
    with publishing_to(redis.url):
        yield process
    process.stop()
    redis.stop()


def test_a_long_export_is_finished_by_the_worker(client_as, org, hse_specialist, worker, monkeypatch):
    monkeypatch.setattr(exports, "DIRECT_EXPORT_MAX", 2)  # in this process: the request makes a job
    ObservationFactory.create_batch(7, unit=org.crew, observer=hse_specialist)
    client = client_as(hse_specialist)
    response = client.get(reverse("observations:export"))
    job = ExportJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    wait_until(
        lambda: ExportJob.objects.filter(pk=job.pk, status="done").exists(),
        timeout=60,
        message="the export to be done\n" + worker.output(),
    )
    download = client.get(reverse("exports:download", args=[job.pk]))
    assert len(b"".join(download.streaming_content).decode().splitlines()) == 8
