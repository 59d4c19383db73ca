"""The gate refuses a contractor worker whose training required in a zone of the pass (or a unit
above the zone) has run out or was never taken, and says which course and since when."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.formats import date_format

from apps.contractors import gate, services
from tests.factories import AccessPassFactory, AttendanceFactory, CourseFactory, TrainingRequirementFactory

pytestmark = pytest.mark.django_db

SITE = ZoneInfo("Asia/Yekaterinburg")
TODAY = date(2026, 11, 22)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.combine(TODAY, time(7, 30), tzinfo=SITE))


@pytest.fixture
def induction(db):
    return CourseFactory(code="site-induction", name="Site induction", validity_months=12)


@pytest.fixture
def access_pass(org):
    return AccessPassFactory(zones=[org.crew])


def inducted(access_pass, course, valid_until):
    return AttendanceFactory(person=None, contractor_worker=access_pass.holder, course=course, valid_until=valid_until)


def check(actor, access_pass):
    record, decision = services.gate_check(actor=actor, number=access_pass.number)
    return record, decision


def test_an_induction_that_ran_out_yesterday_is_refused_naming_the_course_and_the_day(
    org, induction, access_pass, pass_admin
):
    TrainingRequirementFactory(course=induction, applies_to="contractor_zone", unit=org.crew, job_title="")
    inducted(access_pass, induction, TODAY - timedelta(days=1))
    record, decision = check(pass_admin, access_pass)
    assert not decision.allowed and not record.allowed
    assert record.reasons == [{"code": "training_expired", "detail": "Site induction|2026-11-21"}]
    with translation.override("en"):
        text = gate.describe(record.reasons[0])
        shown = date_format(date(2026, 11, 21), "SHORT_DATE_FORMAT")
    assert text == f"The training in Site induction, which this zone requires, ran out on {shown}."


def test_an_induction_valid_today_lets_in(org, induction, access_pass, pass_admin):
    TrainingRequirementFactory(course=induction, applies_to="contractor_zone", unit=org.crew, job_title="")
    inducted(access_pass, induction, TODAY)
    record, decision = check(pass_admin, access_pass)
    assert decision.allowed and record.reasons == []


def test_a_renewed_induction_supersedes_the_one_that_ran_out(org, induction, access_pass, pass_admin):
    TrainingRequirementFactory(course=induction, applies_to="contractor_zone", unit=org.crew, job_title="")
    inducted(access_pass, induction, TODAY - timedelta(days=300))
    inducted(access_pass, induction, TODAY + timedelta(days=60))
    assert check(pass_admin, access_pass)[1].allowed


def test_a_requirement_on_the_parent_unit_applies_to_a_zone_under_it(org, induction, access_pass, pass_admin):
    TrainingRequirementFactory(course=induction, applies_to="contractor_zone", unit=org.shop, job_title="")
    inducted(access_pass, induction, TODAY - timedelta(days=1))
    assert [r.code for r in check(pass_admin, access_pass)[1].refusals] == ["training_expired"]


def test_a_requirement_on_a_unit_under_the_zone_does_not_apply(org, induction, pass_admin):
    access_pass = AccessPassFactory(zones=[org.shop])
    TrainingRequirementFactory(course=induction, applies_to="contractor_zone", unit=org.crew, job_title="")
    assert check(pass_admin, access_pass)[1].allowed


def test_no_training_at_all_is_refused_as_missing(org, induction, access_pass, pass_admin):
    TrainingRequirementFactory(course=induction, applies_to="contractor_zone", unit=org.crew, job_title="")
    record, _decision = check(pass_admin, access_pass)
    assert record.reasons == [{"code": "training_missing", "detail": "Site induction"}]
    with translation.override("en"):
        assert gate.describe(record.reasons[0]) == "No training in Site induction, which this zone requires."


def test_a_revoked_induction_counts_as_missing(org, induction, access_pass, pass_admin):
    TrainingRequirementFactory(course=induction, applies_to="contractor_zone", unit=org.crew, job_title="")
    attendance = inducted(access_pass, induction, TODAY + timedelta(days=100))
    attendance.revoked_at, attendance.revoke_reason = timezone.now(), "Never attended"
    attendance.save()
    assert [r.code for r in check(pass_admin, access_pass)[1].refusals] == ["training_missing"]


def test_no_requirement_no_refusal(org, induction, access_pass, pass_admin):
    TrainingRequirementFactory(course=induction, applies_to="contractor_zone", unit=org.other_shop, job_title="")
    TrainingRequirementFactory(course=induction, applies_to="unit", unit=org.crew, job_title="")  # employees only
    assert check(pass_admin, access_pass)[1].allowed


def test_every_required_course_missing_or_expired_is_listed_by_name(org, induction, access_pass, pass_admin):
    heights = CourseFactory(code="heights", name="Work at height")
    for course in (induction, heights):
        TrainingRequirementFactory(course=course, applies_to="contractor_zone", unit=org.crew, job_title="")
    inducted(access_pass, heights, TODAY - timedelta(days=2))
    assert [r.as_dict() for r in check(pass_admin, access_pass)[1].refusals] == [
        {"code": "training_missing", "detail": "Site induction"},
        {"code": "training_expired", "detail": "Work at height|2026-11-20"},
    ]


def test_an_employees_training_does_not_count_for_a_contractor_worker(org, induction, access_pass, pass_admin):
    TrainingRequirementFactory(course=induction, applies_to="contractor_zone", unit=org.crew, job_title="")
    AttendanceFactory(course=induction, valid_until=TODAY + timedelta(days=100))  # someone else's
    assert [r.code for r in check(pass_admin, access_pass)[1].refusals] == ["training_missing"]


def test_the_api_pass_list_reads_no_training_row_per_pass(org, induction, pass_admin):
    """The trainings check is prefetched: the pass list costs the same queries for 2 passes as for 8,
    with a requirement in force and trainings on every holder."""
    from rest_framework.test import APIClient

    TrainingRequirementFactory(course=induction, applies_to="contractor_zone", unit=org.shop, job_title="")
    client = APIClient()
    client.force_authenticate(pass_admin)

    def add(count):
        for index in range(count):
            access_pass = AccessPassFactory(zones=[org.crew])
            inducted(access_pass, induction, TODAY + timedelta(days=index - 2))

    def queries():
        client.get("/api/v1/access-passes/")  # warm up
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/v1/access-passes/")
        assert response.status_code == 200
        return len(captured), response.json()["count"]

    add(2)
    few, count = queries()
    add(6)
    many, more = queries()
    assert (count, more) == (2, 8) and few == many
