"""A long observation list is exported by a worker, complete, in the requester's scope and language."""

import pytest
from django.urls import reverse

from apps.exports.models import ExportJob
from apps.exports.services import export_run
from apps.observations import exports
from tests.factories import ObservationFactory


@pytest.fixture
def threshold(monkeypatch):
    monkeypatch.setattr(exports, "DIRECT_EXPORT_MAX", 3)


def test_the_direct_limit_is_five_thousand_rows():
    assert exports.DIRECT_EXPORT_MAX == 5_000


def test_up_to_the_limit_the_file_is_streamed(client_as, org, hse_specialist, threshold):
    ObservationFactory.create_batch(3, unit=org.crew, observer=hse_specialist)
    response = client_as(hse_specialist).get(reverse("observations:export"))
    assert response["Content-Type"].startswith("text/csv")
    assert len(b"".join(response.streaming_content).decode().splitlines()) == 4
    assert not ExportJob.objects.exists()


def test_one_row_more_becomes_a_job_with_the_filters(client_as, org, hse_specialist, threshold):
    ObservationFactory.create_batch(4, unit=org.crew, observer=hse_specialist, kind="unsafe_act")
    response = client_as(hse_specialist).get(reverse("observations:export"), {"kind": "unsafe_act", "page": "2"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert (job.kind, job.params, job.requested_by) == ("observations", {"kind": "unsafe_act"}, hse_specialist)


def test_the_job_reads_the_requesters_scope_filters_and_language(client_as, org, hse_specialist, outsider, threshold):
    ObservationFactory.create_batch(4, unit=org.crew, observer=hse_specialist, kind="unsafe_act", description="=1+1")
    ObservationFactory(unit=org.crew, observer=hse_specialist, kind="safe_act")
    ObservationFactory(unit=org.other_shop, observer=outsider, kind="unsafe_act")
    hse_specialist.language = "ru"
    hse_specialist.save()
    client_as(hse_specialist).get(reverse("observations:export"), {"kind": "unsafe_act"})
    job = export_run(ExportJob.objects.get().pk)
    lines = job.file.open("rb").read().decode().splitlines()
    assert job.status == "done" and len(lines) == 5  # header + the four in scope and of that kind
    assert "Reference" not in lines[0]  # the header is in Russian
    assert all("'=1+1" in line for line in lines[1:])


def test_a_bad_filter_answers_the_page_not_a_job(client_as, org, hse_specialist, threshold):
    response = client_as(hse_specialist).get(reverse("observations:export"), {"date_from": "yesterday"})
    assert response.status_code == 400 and not ExportJob.objects.exists()
