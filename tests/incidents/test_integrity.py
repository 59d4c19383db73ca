"""Every date, number and text the incident forms and API accept is range-checked, the database
refuses an impossible date, and attachments are checked by what they contain. Each rule is pinned
on both sides of its boundary; a refused write leaves the database as it was."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from apps.common.dates import day_start, records_begin
from apps.incidents import services
from apps.incidents.models import (
    APPROVAL_NOTE_MAX_LENGTH,
    DAYS_LOST_MAX,
    SICK_LEAVE_DAYS_MAX,
    Incident,
    IncidentAttachment,
    Investigation,
    InvolvedPerson,
    TimelineEvent,
    WhyChain,
    WhyStep,
)
from apps.incidents.services import ATTACHMENT_MAX_BYTES
from tests.factories import PersonFactory

from .helpers import jpeg, make_incident, make_investigation, planned_and_covered

pytestmark = pytest.mark.django_db

YEAR_ONE = "0001-01-01T00:00"


@pytest.fixture
def incident(org, hse_specialist):
    return make_incident(org.crew, hse_specialist)


@pytest.fixture
def investigation(incident, hse_specialist):
    return make_investigation(incident, hse_specialist, status="analysis")


def report_form(org, **overrides):
    data = {
        "unit": org.crew.pk, "type": "injury", "occurred_at": "2026-10-01T10:00", "location": "Cell 1",
        "description": "Cut", "actual_severity": 2, "potential_severity": 2, "classification": "medical",
    }  # fmt: skip
    data.update(overrides)
    return data


def report_api(org, **overrides):
    data = {
        "type": "near_miss", "actual_severity": 1, "potential_severity": 4, "unit": org.crew.pk,
        "occurred_at": "2026-10-01T10:00:00Z", "location": "Cell 2", "description": "Slipped",
    }  # fmt: skip
    data.update(overrides)
    return data


def report(actor, unit, **overrides):
    values = {
        "type": "injury", "actual_severity": 2, "potential_severity": 2, "location": "Cell 4",
        "occurred_at": datetime(2026, 1, 2, tzinfo=UTC), "description": "Cut finger", "classification": "first_aid",
    }  # fmt: skip
    values.update(overrides)
    return services.incident_report(actor=actor, unit=unit, **values)


# The year-1 date that broke the pages ------------------------------------------------------------


def test_a_year_one_incident_is_refused_on_the_form_and_the_list_still_answers(client_as, org, line_manager):
    client = client_as(line_manager)
    response = client.post(reverse("incidents:create"), report_form(org, occurred_at=YEAR_ONE))
    assert response.status_code == 400
    assert "before the enterprise" in response.text
    assert not Incident.objects.exists()
    assert client.get(reverse("incidents:list")).status_code == 200
    assert client.get(reverse("api:incident-list")).status_code == 200


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00+05:00", "1969-12-31T23:59:00Z"])
def test_a_year_one_incident_is_refused_by_the_api(client_as, org, line_manager, value):
    response = client_as(line_manager).post(
        reverse("api:incident-list"), report_api(org, occurred_at=value), content_type="application/json"
    )
    assert response.status_code == 400 and "occurred_at" in response.json()
    assert not Incident.objects.exists()


def test_a_year_one_timeline_event_is_refused_and_the_incident_page_still_answers(client_as, incident, hse_specialist):
    client = client_as(hse_specialist)
    response = client.post(
        reverse("incidents:timeline_add", args=[incident.pk]), {"at": YEAR_ONE, "description": "Alarm"}
    )
    assert response.status_code == 400 and "before the enterprise" in response.text
    assert not TimelineEvent.objects.exists()
    assert client.get(incident.get_absolute_url()).status_code == 200


def test_the_incident_time_starts_with_the_records(org, line_manager):
    first = day_start(records_begin())
    assert report(line_manager, org.crew, occurred_at=first).occurred_at == first
    with pytest.raises(ValidationError) as error:
        report(line_manager, org.crew, occurred_at=first - timedelta(minutes=1))
    assert "occurred_at" in error.value.message_dict
    assert Incident.objects.count() == 1


def test_the_incident_time_is_not_in_the_future(org, line_manager):
    # A phone's clock may run a few minutes ahead (the common five-minute tolerance), not more.
    report(line_manager, org.crew, occurred_at=timezone.now() + timedelta(minutes=4))
    with pytest.raises(ValidationError) as error:
        report(line_manager, org.crew, occurred_at=timezone.now() + timedelta(minutes=6))
    assert "occurred_at" in error.value.message_dict
    assert Incident.objects.count() == 1


# The database's own floor ----------------------------------------------------------------------

FLOOR = datetime(1970, 1, 1, tzinfo=UTC)


def _refused_by_the_database(queryset, **values):
    with pytest.raises(IntegrityError), transaction.atomic():
        queryset.update(**values)


def test_the_database_refuses_event_dates_before_1970(incident, hse_specialist, hse_head):
    incidents = Incident.objects.filter(pk=incident.pk)
    _refused_by_the_database(incidents, occurred_at=FLOOR - timedelta(seconds=1))
    incidents.update(occurred_at=FLOOR)
    event = TimelineEvent.objects.create(incident=incident, at=FLOOR)
    _refused_by_the_database(TimelineEvent.objects.filter(pk=event.pk), at=FLOOR - timedelta(seconds=1))
    investigation = make_investigation(incident, hse_specialist)
    investigations = Investigation.objects.filter(pk=investigation.pk)
    _refused_by_the_database(investigations, deadline=FLOOR.date() - timedelta(days=1))
    _refused_by_the_database(investigations, approved_at=FLOOR - timedelta(seconds=1))
    _refused_by_the_database(investigations, closed_at=FLOOR - timedelta(seconds=1))
    investigations.update(deadline=FLOOR.date(), approved_at=FLOOR, closed_at=FLOOR)
    incident.refresh_from_db()
    assert incident.occurred_at == FLOOR


# The timeline lies within a year of the incident -----------------------------------------------


@pytest.mark.parametrize("sign", [-1, 1])
def test_a_timeline_event_lies_within_a_year_of_the_incident(org, hse_specialist, sign):
    occurred = datetime(2024, 6, 1, 10, tzinfo=UTC)
    incident = make_incident(org.crew, hse_specialist, occurred_at=occurred)
    span = TimelineEvent.SPAN
    assert span == timedelta(days=365)
    services.timeline_add(actor=hse_specialist, incident=incident, at=occurred + sign * span, description="Edge")
    with pytest.raises(ValidationError) as error:
        services.timeline_add(
            actor=hse_specialist, incident=incident, at=occurred + sign * (span + timedelta(minutes=1)),
            description="Too far",
        )  # fmt: skip
    assert "within 365 days" in error.value.message_dict["at"][0]
    assert list(incident.timeline.values_list("description", flat=True)) == ["Edge"]


# Numbers ---------------------------------------------------------------------------------------


def test_days_lost_are_at_most_a_year_per_case(org, line_manager):
    assert DAYS_LOST_MAX == 366
    case = report(line_manager, org.crew, classification="lost_time", days_lost=DAYS_LOST_MAX)
    assert case.days_lost == 366
    with pytest.raises(ValidationError) as error:
        report(line_manager, org.crew, classification="lost_time", days_lost=DAYS_LOST_MAX + 1)
    assert "days_lost" in error.value.message_dict
    assert Incident.objects.count() == 1


def test_a_lost_time_case_has_at_least_one_day_and_others_none(org, line_manager):
    assert report(line_manager, org.crew, classification="lost_time", days_lost=1).days_lost == 1
    for classification, days in (("lost_time", 0), ("restricted", 1), ("fatality", 1)):
        with pytest.raises(ValidationError) as error:
            report(line_manager, org.crew, classification=classification, days_lost=days)
        assert "days_lost" in error.value.message_dict
    assert Incident.objects.count() == 1


@pytest.mark.parametrize(("days", "status"), [(DAYS_LOST_MAX, 302), (DAYS_LOST_MAX + 1, 400), (-1, 400),
                                              ("99999999999999999999", 400)])  # fmt: skip
def test_the_report_form_bounds_days_lost(client_as, org, line_manager, days, status):
    response = client_as(line_manager).post(
        reverse("incidents:create"), report_form(org, classification="lost_time", days_lost=days)
    )
    assert response.status_code == status
    assert Incident.objects.count() == (1 if status == 302 else 0)


@pytest.mark.parametrize(("days", "status"), [(DAYS_LOST_MAX, 201), (DAYS_LOST_MAX + 1, 400), (2**40, 400)])
def test_the_api_bounds_days_lost(client_as, org, line_manager, days, status):
    response = client_as(line_manager).post(
        reverse("api:incident-list"), report_api(org, type="injury", classification="lost_time", days_lost=days),
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == status
    assert Incident.objects.count() == (1 if status == 201 else 0)


@pytest.mark.parametrize("severity", [0, 6, "9" * 20])
def test_severities_are_one_to_five_on_the_form_and_the_api(client_as, org, line_manager, severity):
    client = client_as(line_manager)
    assert client.post(reverse("incidents:create"), report_form(org, actual_severity=severity)).status_code == 400
    response = client.post(
        reverse("api:incident-list"), report_api(org, potential_severity=severity), content_type="application/json"
    )
    assert response.status_code == 400 and "potential_severity" in response.json()
    assert not Incident.objects.exists()


@pytest.mark.parametrize(("days", "stored"), [(SICK_LEAVE_DAYS_MAX, True), (SICK_LEAVE_DAYS_MAX + 1, False)])
def test_sick_leave_is_at_most_a_year(client_as, incident, hse_specialist, days, stored):
    assert SICK_LEAVE_DAYS_MAX == 366
    response = client_as(hse_specialist).post(
        reverse("incidents:person_add", args=[incident.pk]),
        {"role": "injured", "name": "Ivanov I. I.", "sick_leave_days": days},
    )
    assert response.status_code == (302 if stored else 400)
    assert InvolvedPerson.objects.filter(sick_leave_days=days).exists() is stored


# Texts -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("length", "status"), [(5000, 302), (5001, 400)])
def test_the_description_is_capped_on_the_form(client_as, org, line_manager, length, status):
    response = client_as(line_manager).post(
        reverse("incidents:create"), report_form(org, description="x" * length, immediate_actions="y" * length)
    )
    assert response.status_code == status
    assert Incident.objects.count() == (1 if status == 302 else 0)


@pytest.mark.parametrize(("length", "status"), [(5000, 201), (5001, 400)])
def test_the_description_is_capped_on_the_api(client_as, org, line_manager, length, status):
    response = client_as(line_manager).post(
        reverse("api:incident-list"), report_api(org, description="x" * length), content_type="application/json"
    )
    assert response.status_code == status
    assert Incident.objects.count() == (1 if status == 201 else 0)


def test_the_description_is_capped_for_every_caller(org, line_manager):
    with pytest.raises(ValidationError) as error:
        report(line_manager, org.crew, description="x" * 5001)
    assert "description" in error.value.message_dict


@pytest.mark.parametrize(("length", "ok"), [(APPROVAL_NOTE_MAX_LENGTH, True), (APPROVAL_NOTE_MAX_LENGTH + 1, False)])
def test_the_approval_note_is_capped(incident, hse_specialist, hse_head, length, ok):
    from rest_framework.test import APIClient

    investigation = planned_and_covered(incident, hse_specialist)
    client = APIClient()
    client.force_authenticate(hse_head)
    response = client.post(
        f"/api/v1/investigations/{investigation.pk}/transition/", {"step": "approve", "note": "n" * length},
        format="json",
    )  # fmt: skip
    assert response.status_code == (200 if ok else 400)
    investigation.refresh_from_db()
    assert investigation.status == ("approved" if ok else "actions_planned")
    # The service holds the same cap for any other caller.
    if not ok:
        with pytest.raises(ValidationError):
            services.investigation_approve(actor=hse_head, investigation=investigation, note="n" * length)


@pytest.mark.parametrize(
    ("url", "field", "cap", "data"),
    [
        ("api:why-chain-list", "problem_statement", 500, lambda inv, final: {"investigation": inv.pk}),
        ("api:cause-tree-fact-list", "text", 300,
         lambda inv, final: {"investigation": inv.pk, "leads_to": final.pk}),
    ],
)  # fmt: skip
def test_analysis_texts_are_capped_on_the_api(client_as, investigation, hse_specialist, url, field, cap, data):
    final = services.fact_add(actor=hse_specialist, investigation=investigation, text="Hand caught")
    client = client_as(hse_specialist)
    for length, status in ((cap + 1, 400), (cap, 201)):
        response = client.post(
            reverse(url), {**data(investigation, final), field: "w" * length}, content_type="application/json"
        )
        assert response.status_code == status, response.content
        body = response.json()
        if status == 201:
            assert body[field] == "w" * length
        else:
            assert "no more than" in body[field][0]


def test_a_why_chain_has_at_most_twenty_whys(investigation, hse_specialist):
    assert WhyChain.MAX_STEPS == 20
    chain = WhyChain.objects.create(investigation=investigation, problem_statement="Hand caught")
    WhyStep.objects.bulk_create(WhyStep(chain=chain, order=n, answer=f"Because {n}") for n in range(1, 20))
    services.step_add(actor=hse_specialist, chain=chain, answer="Because 20")
    with pytest.raises(ValidationError) as error:
        services.step_add(actor=hse_specialist, chain=chain, answer="Because 21")
    assert "at most 20 whys" in error.value.message_dict["answer"][0]
    assert chain.steps.count() == 20


# People ----------------------------------------------------------------------------------------


def test_medical_details_are_recorded_only_by_those_who_may_read_them(incident, line_manager, hse_specialist):
    with pytest.raises(PermissionDenied):
        services.person_add(actor=line_manager, incident=incident, role="injured", name="A", diagnosis="Fracture")
    services.person_add(actor=line_manager, incident=incident, role="witness", name="B", diagnosis="")
    services.person_add(actor=hse_specialist, incident=incident, role="injured", name="C", diagnosis="Fracture")
    assert list(incident.people.values_list("name", flat=True)) == ["C", "B"]


def test_a_person_from_the_roll_is_of_the_incidents_unit(incident, org, hse_specialist):
    stranger = PersonFactory(unit=org.other_shop)
    with pytest.raises(ValidationError) as error:
        services.person_add(actor=hse_specialist, incident=incident, role="witness", person=stranger)
    assert "person" in error.value.message_dict
    assert not incident.people.exists()


# Attachments -----------------------------------------------------------------------------------


def renamed_executable(name="scene.jpg"):
    return SimpleUploadedFile(name, b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120, content_type="image/jpeg")


def video(name="scene.mp4"):
    return SimpleUploadedFile(name, b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 64)


def test_attachments_are_checked_by_content_on_the_page(client_as, incident, hse_specialist):
    client = client_as(hse_specialist)
    url = reverse("incidents:attachment_add", args=[incident.pk])
    response = client.post(url, {"files": [jpeg("scene.jpg"), renamed_executable("guard.jpg")]})
    assert response.status_code == 400
    assert "guard.jpg: this type of file is not accepted" in response.text
    assert not IncidentAttachment.objects.exists()  # none of the batch is kept
    assert client.post(url, {"files": [jpeg("scene.jpg"), video()]}).status_code == 302
    assert sorted(IncidentAttachment.objects.values_list("original_name", flat=True)) == ["scene.jpg", "scene.mp4"]
    page = client.get(incident.get_absolute_url()).text
    assert 'accept=".docx,.heic,.heif,.jpeg,.jpg,.mov,.mp4,.pdf,.png,.txt,.webp,.xlsx"' in page


def test_an_attachment_is_at_most_ten_megabytes(incident, hse_specialist):
    assert ATTACHMENT_MAX_BYTES == 10 * 1024 * 1024
    services.attachment_add(
        actor=hse_specialist, incident=incident, files=[SimpleUploadedFile("log.txt", b"a" * ATTACHMENT_MAX_BYTES)]
    )
    with pytest.raises(ValidationError) as error:
        services.attachment_add(
            actor=hse_specialist, incident=incident,
            files=[SimpleUploadedFile("big.txt", b"a" * (ATTACHMENT_MAX_BYTES + 1))],
        )  # fmt: skip
    assert "larger than 10 MB" in error.value.message_dict["files"][0]
    assert list(IncidentAttachment.objects.values_list("original_name", flat=True)) == ["log.txt"]


@pytest.mark.parametrize("value", ["0001-01-01T00:00", "0001-01-01T03:00", "0001-01-01"])
def test_a_naive_year_one_time_is_refused_by_the_api_not_a_500(client_as, org, line_manager, value):
    # Year 1 at the site (UTC+5) is year 0 in UTC: no Python datetime holds it.
    response = client_as(line_manager).post(
        reverse("api:incident-list"), report_api(org, occurred_at=value), content_type="application/json"
    )
    assert response.status_code == 400 and "occurred_at" in response.json()
    assert not Incident.objects.exists()
