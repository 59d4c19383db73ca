"""Every upload entry point checks the file by its content and size and stores it under a random
name with the extension found in its content; every download view serves it with the content
type found in its bytes, as an attachment (raster photos shown in an <img> excepted), with
`nosniff`, and only to those who may see the record (issue 14)."""

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from apps.actions import services as action_services
from apps.audits import services as audit_services
from apps.common import uploads
from apps.contractors import sanctions
from apps.contractors import services as contractor_services
from apps.incidents import services as incident_services
from apps.observations import services as observation_services
from apps.observations.models import ObservationCategory
from tests.factories import ActionFactory, CompanyFactory
from tests.incidents.helpers import make_incident

RANDOM_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp|pdf)$")


def jpeg(name="photo.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), (200, 120, 40)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def png_named_jpg():
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), (20, 120, 40)).save(buffer, format="PNG")
    return SimpleUploadedFile("../../etc/Отчёт <1>.jpg", buffer.getvalue(), content_type="image/jpeg")


def svg_with_script():
    content = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
    return SimpleUploadedFile("drawing.svg", content, content_type="image/svg+xml")


def html_named_jpg():
    return SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")


def pdf_named_png():
    return SimpleUploadedFile("scan.png", b"%PDF-1.4\n%%EOF\n", content_type="image/png")


def oversized(limit):
    upload = jpeg("big.jpg")
    upload.size = limit + 1
    return upload


@dataclass
class Entry:
    name: str
    field: str
    limit: int
    inline: bool  # shown in an <img>: a raster picture is served inline
    submit: Callable  # (world, upload) -> the record's stored FieldFile
    url: Callable  # (world) -> the download URL of the record last submitted


class World:
    def __init__(self, org, hse_specialist, hse_head, pass_admin):
        self.org, self.hse_specialist, self.hse_head, self.pass_admin = org, hse_specialist, hse_head, pass_admin
        self.record = None


def _action(world, upload):
    action = ActionFactory(unit=world.org.crew, owner=world.hse_specialist, created_by=world.hse_specialist)
    (world.record,) = action_services.evidence_add(actor=world.hse_specialist, action=action, files=[upload])
    return world.record.file


def _incident(world, upload):
    incident = make_incident(world.org.crew, world.hse_specialist)
    (world.record,) = incident_services.attachment_add(actor=world.hse_specialist, incident=incident, files=[upload])
    return world.record.file


def _observation(world, upload):
    category, _ = ObservationCategory.objects.get_or_create(code="ppe", defaults={"name_en": "PPE", "name_ru": "СИЗ"})
    observation = observation_services.observation_log(
        actor=world.hse_specialist, unit=world.org.crew, kind="unsafe_condition", category=category,
        description="Guard missing on the conveyor", photos=[upload],
    )  # fmt: skip
    world.record = observation.photos.get()
    return world.record.image


def _audit(world, upload):
    template = audit_services.template_create(
        actor=world.hse_head, name="Walk", code="walk",
        items=[{"section": "Guarding", "text": "Guards in place", "weight": 1}],
    )  # fmt: skip
    entry = audit_services.plan_entry_create(
        actor=world.hse_head, unit=world.org.crew, auditor=world.hse_specialist,
        month=timezone.localdate().replace(day=1), template=template,
    )  # fmt: skip
    audit = audit_services.audit_start(actor=world.hse_specialist, plan_entry=entry)
    item = audit.answers.get().item
    world.record = audit_services.audit_answer(
        actor=world.hse_specialist, audit=audit, item=item, result="non_compliant", comment="No guard", photo=upload
    )
    return world.record.photo


def _worker(world, upload):
    world.record = contractor_services.worker_create(
        actor=world.pass_admin, company=CompanyFactory(), full_name="Ivan Petrov", job_title="Welder", photo=upload
    )
    return world.record.photo


def _violation(world, upload):
    world.record = sanctions.violation_record(
        actor=world.hse_specialist, company=CompanyFactory(), severity="minor", description="No harness",
        unit=world.org.crew, observed_at=timezone.now(), evidence=upload,
    )  # fmt: skip
    return world.record.evidence


ENTRIES = [
    Entry("action evidence", "files", action_services.EVIDENCE_MAX_BYTES, False, _action,
          lambda w: reverse("actions:evidence_download", args=[w.record.pk])),
    Entry("incident attachment", "files", incident_services.ATTACHMENT_MAX_BYTES, False, _incident,
          lambda w: reverse("incidents:attachment_download", args=[w.record.pk])),
    Entry("observation photo", "photos", observation_services.PHOTO_MAX_BYTES, True, _observation,
          lambda w: reverse("observations:photo", args=[w.record.pk])),
    Entry("audit photo", "photo", audit_services.PHOTO_MAX_BYTES, True, _audit,
          lambda w: reverse("audits:photo", args=[w.record.pk])),
    Entry("worker photo", "photo", contractor_services.WORKER_PHOTO_MAX_BYTES, True, _worker,
          lambda w: reverse("contractors:worker_photo", args=[w.record.pk])),
    Entry("violation evidence", "evidence", sanctions.VIOLATION_EVIDENCE_MAX_BYTES, False, _violation,
          lambda w: reverse("contractors:violation_evidence", args=[w.record.pk])),
]  # fmt: skip


@pytest.fixture
def world(org, hse_specialist, hse_head, pass_admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return World(org, hse_specialist, hse_head, pass_admin)


@pytest.fixture(params=ENTRIES, ids=[entry.name for entry in ENTRIES])
def entry(request):
    return request.param


@pytest.mark.parametrize(
    "make_upload",
    [svg_with_script, html_named_jpg, pdf_named_png],
    ids=["svg with a script", "html named .jpg", "pdf named .png"],
)
def test_a_file_that_is_not_what_the_entry_point_takes_is_refused_on_its_field(world, entry, make_upload):
    with pytest.raises(ValidationError) as error:
        entry.submit(world, make_upload())
    assert "this type of file is not accepted" in " ".join(error.value.message_dict[entry.field])


def test_an_oversized_file_is_refused_on_its_field(world, entry):
    with pytest.raises(ValidationError) as error:
        entry.submit(world, oversized(entry.limit))
    assert "is larger than" in " ".join(error.value.message_dict[entry.field])


def test_a_real_jpeg_is_stored_under_a_random_name_with_the_extension_of_its_content(world, entry):
    stored = entry.submit(world, jpeg("Мой снимок (1).JPEG"))
    basename = stored.name.rsplit("/", 1)[-1]
    assert RANDOM_NAME.match(basename) and basename.endswith(".jpg")
    assert "снимок" not in stored.name


def test_a_png_named_jpg_is_stored_as_png_never_under_the_clients_name(world):
    stored = _action(world, png_named_jpg())
    assert stored.name.endswith(".png") and ".." not in stored.name and "Отчёт" not in stored.name
    assert world.record.original_name == "Отчёт <1>.jpg"  # kept for display only (Django drops the path)


def test_a_download_is_served_with_the_detected_type_nosniff_and_the_right_disposition(world, entry, client_as):
    entry.submit(world, jpeg("Акт проверки.jpg"))
    response = client_as(world.hse_head).get(entry.url(world))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline" if entry.inline else "attachment")
    if entry.name in ("action evidence", "incident attachment"):
        # The original name, RFC 5987 encoded.
        assert f"filename*=utf-8''{quote('Акт проверки.jpg')}" in disposition
    b"".join(response.streaming_content)


def test_an_outsider_gets_404_for_every_download(world, entry, client_as, outsider, client):
    entry.submit(world, jpeg())
    anonymous = client.get(entry.url(world))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    if entry.name == "worker photo":
        # Contractor workers are enterprise-wide: every role that reads contractors sees them
        # (the gate and pass office of any unit); the outsider is one of those.
        assert client_as(outsider).get(entry.url(world)).status_code == 200
    else:
        assert client_as(outsider).get(entry.url(world)).status_code == 404


def test_a_stored_file_that_is_html_or_svg_is_never_served_as_such(world, client_as):
    """Even a file that reached the storage some other way (the admin, an old import) is served
    as an octet-stream attachment, never as HTML or SVG, and never inline."""
    _worker(world, jpeg())
    for content in (b"<html><script>alert(1)</script></html>", svg_with_script().read()):
        with open(world.record.photo.path, "wb") as handle:
            handle.write(content)
        response = client_as(world.hse_head).get(reverse("contractors:worker_photo", args=[world.record.pk]))
        assert response["Content-Type"] in ("application/octet-stream", "text/plain; charset=utf-8")
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        b"".join(response.streaming_content)


def test_the_violation_form_shows_the_evidence_error_in_place(world, client_as):
    company = CompanyFactory()
    response = client_as(world.hse_specialist).post(
        reverse("contractors:violation_create"),
        {"company": company.pk, "severity": "minor", "unit": world.org.crew.pk, "description": "No harness",
         "observed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "evidence": svg_with_script()},
    )  # fmt: skip
    assert response.status_code == 400
    assert "this type of file is not accepted" in " ".join(response.context["form"].errors["evidence"])


def test_uploads_random_name_keeps_only_stored_extensions():
    assert re.match(r"^x/[0-9a-f]{32}\.jpg$", uploads.random_name("x", "a.JPEG"))
    assert re.match(r"^x/[0-9a-f]{32}$", uploads.random_name("x", "a.svg"))
    assert re.match(r"^x/[0-9a-f]{32}$", uploads.random_name("x", "a.html"))
