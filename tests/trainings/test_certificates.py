"""The certificate and the attendance sheet as PDF, and the public verification page its QR code
opens: valid until, expired on (time travel), revoked, unknown (404); no more personal data than
the name on the certificate, no cookie, not indexed."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from apps.trainings import certificates
from tests.factories import CompanyFactory, WorkerFactory
from tests.factories.trainings import AttendanceFactory
from tests.trainings.web import make_world, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org, hse_specialist):
    return make_world(org, hse_specialist)


@pytest.fixture
def passed(world, client_as, hse_specialist):
    client_as(hse_specialist).post(reverse("trainings:attendance_mark", args=[world.attendance.pk]), {"mark": "passed"})
    world.attendance.refresh_from_db()
    return world.attendance


def verify_url(code):
    return reverse("trainings:verify", args=[code])


# --- The PDFs ------------------------------------------------------------------------------------------


def test_the_certificate_names_the_person_course_and_validity(passed, client_as, hse_specialist, tmp_path):
    response = client_as(hse_specialist).get(reverse("trainings:certificate", args=[passed.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    assert "Petrov P. P." in text and "First aid" in text and "Certificate of training" in text
    assert passed.valid_until.strftime("%Y") in text and passed.certificate_code in text
    assert certificates.verification_url(passed.certificate_code) in text.replace("\n", "").replace(" ", "")


def test_the_qr_code_holds_the_absolute_verification_url(passed, settings, monkeypatch):
    settings.PORTAL_BASE_URL = "https://hse.plant.test/"
    encoded = []
    real_make = certificates.segno.make
    monkeypatch.setattr(
        certificates.segno, "make", lambda content, **kw: encoded.append(content) or real_make(content, **kw)
    )
    monkeypatch.setattr(certificates, "render_pdf", lambda template, context, request=None: b"%PDF")
    certificates.certificate_pdf(passed)
    assert encoded == [f"https://hse.plant.test/trainings/certificates/{passed.certificate_code}/"]


def test_no_certificate_unless_valid(world, passed, client_as, hse_specialist, hse_head, outsider):
    client = client_as(hse_specialist)
    registered = AttendanceFactory(session=world.session, person=world.session.unit.people.create(
        full_name="Registered R.", personnel_number="X-1", job_title="Operator"))  # fmt: skip
    assert client.get(reverse("trainings:certificate", args=[registered.pk])).status_code == 404
    assert client_as(outsider).get(reverse("trainings:certificate", args=[passed.pk])).status_code == 404
    client_as(hse_head).post(reverse("trainings:certificate_revoke", args=[passed.pk]), {"reason": "Forged"})
    assert client_as(hse_specialist).get(reverse("trainings:certificate", args=[passed.pk])).status_code == 404


def test_the_certificate_of_a_contractor_worker(world, client_as, hse_specialist, tmp_path):
    worker = WorkerFactory(company=CompanyFactory(name="Montazh LLC"), full_name="Sidorenko Pavel")
    attendance = AttendanceFactory(session=world.session, person=None, contractor_worker=worker,
                                   valid_until=timezone.localdate() + timedelta(days=300))  # fmt: skip
    response = client_as(hse_specialist).get(reverse("trainings:certificate", args=[attendance.pk]))
    assert "Sidorenko Pavel" in pdf_text(response.content, tmp_path)


def test_the_attendance_sheet_lists_attendees_with_a_signature_column(world, client_as, executive, tmp_path):
    response = client_as(executive).get(reverse("trainings:attendance_sheet", args=[world.session.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    assert "Attendance sheet" in text and "Petrov P. P." in text and "First aid" in text
    assert "SIGNATURE" in text.upper() and "Trainer's signature" in text and "Room 12" in text


def test_the_attendance_sheet_is_scoped(world, client_as, outsider, pass_admin):
    assert client_as(outsider).get(reverse("trainings:attendance_sheet", args=[world.session.pk])).status_code == 404
    assert client_as(pass_admin).get(reverse("trainings:attendance_sheet", args=[world.session.pk])).status_code == 403


# --- The verification page ---------------------------------------------------------------------------


def _public_get(client, code):
    client.logout()
    client.cookies.clear()
    return client.get(verify_url(code))


def test_a_valid_certificate(passed, client):
    response = _public_get(client, passed.certificate_code)
    assert response.status_code == 200
    text = response.text
    assert 'data-state="valid"' in text and "Valid until" in text
    assert "Petrov P. P." in text and "First aid" in text


def test_it_shows_nothing_more_than_the_name_course_and_date(passed, client, hse_specialist):
    text = _public_get(client, passed.certificate_code).text
    person = passed.person
    for private in (person.personnel_number, person.job_title, person.unit.name, "Concentrator", hse_specialist.email,
                    hse_specialist.get_full_name(), "Room 12"):  # fmt: skip
        assert private not in text, private
    assert "<form" not in text and "csrfmiddlewaretoken" not in text


def test_no_cookie_and_not_indexed(passed, client):
    response = _public_get(client, passed.certificate_code)
    assert not response.cookies  # neither a session nor a CSRF cookie
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in response.text
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_expired_the_day_after_the_last_valid_day(passed, client):
    last_day = passed.valid_until
    with time_machine.travel(
        timezone.make_aware(timezone.datetime.combine(last_day, timezone.datetime.min.time())) + timedelta(hours=12)
    ):
        assert 'data-state="valid"' in _public_get(client, passed.certificate_code).text
    with time_machine.travel(
        timezone.make_aware(timezone.datetime.combine(last_day + timedelta(days=1), timezone.datetime.min.time()))
        + timedelta(hours=12)
    ):
        text = _public_get(client, passed.certificate_code).text
        assert 'data-state="expired"' in text and "Expired on" in text and "Petrov P. P." in text


def test_revoked(passed, client, client_as, hse_head):
    client_as(hse_head).post(reverse("trainings:certificate_revoke", args=[passed.pk]), {"reason": "Forged signature"})
    text = _public_get(client, passed.certificate_code).text
    assert 'data-state="revoked"' in text and "Revoked" in text and "Forged signature" not in text


@pytest.mark.parametrize("code", ["nope", "x" * 25, "CERT-999999"])
def test_an_unknown_code_is_a_404_page(code, client, db):
    response = _public_get(client, code)
    assert response.status_code == 404 and "No such certificate" in response.text
    assert not response.cookies


def test_signed_in_users_see_the_same_page(passed, client_as, hse_head):
    response = client_as(hse_head).get(verify_url(passed.certificate_code))
    assert response.status_code == 200 and 'data-state="valid"' in response.text
    assert passed.person.personnel_number not in response.text


def test_post_is_refused(passed, client):
    assert client.post(verify_url(passed.certificate_code)).status_code == 405
