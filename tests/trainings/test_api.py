"""The trainings API: the same rules as the pages (scope: 404; role or part in the session: 403; a
rule broken: 400 with the field; a status that no longer allows the step: 409), list query counts
that do not grow with the rows, and the schema."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.trainings.models import Attendance, Course, TrainingRequirement, TrainingSession
from tests.factories import PersonFactory, UserFactory
from tests.factories.trainings import AttendanceFactory, TrainerFactory, TrainingSessionFactory
from tests.trainings.web import make_world

pytestmark = pytest.mark.django_db

V1 = "/api/v1"


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def iso(days):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


@pytest.fixture
def world(org, hse_specialist):
    return make_world(org, hse_specialist)


# --- Courses, requirements, trainers ---------------------------------------------------------------------


def test_courses_are_read_by_every_training_role_and_written_by_the_hse_head(world, hse_head, hse_specialist):
    rows = api(hse_specialist).get(f"{V1}/courses/").json()["results"]
    assert rows[0]["code"] == "first-aid" and rows[0]["requirement_count"] == 1 and rows[0]["trainer_count"] == 1
    body = {"code": "loto", "name": "Energy isolation", "validity_months": 24}
    assert api(hse_specialist).post(f"{V1}/courses/", body, format="json").status_code == 403
    created = api(hse_head).post(f"{V1}/courses/", body, format="json")
    assert created.status_code == 201 and created.json()["default_hours"] == "4.0"
    course = Course.objects.get(code="loto")
    # The code is fixed once the course exists: sending it is refused on the field, nothing is changed.
    refused = api(hse_head).patch(f"{V1}/courses/{course.pk}/", {"validity_months": 36, "code": "x"}, format="json")
    assert refused.status_code == 400 and list(refused.json()) == ["code"]
    course.refresh_from_db()
    assert (course.code, course.validity_months) == ("loto", 24)
    changed = api(hse_head).patch(f"{V1}/courses/{course.pk}/", {"validity_months": 36}, format="json")
    assert changed.status_code == 200 and changed.json()["validity_months"] == 36 and changed.json()["code"] == "loto"
    bad = api(hse_head).post(f"{V1}/courses/", {**body, "code": "loto2", "validity_months": 0}, format="json")
    assert bad.status_code == 400 and "validity_months" in bad.json()


def test_requirements_added_and_removed(world, hse_head, org):
    client = api(hse_head)
    missing = client.post(
        f"{V1}/training-requirements/", {"course": world.course.pk, "applies_to": "unit"}, format="json"
    )
    assert missing.status_code == 400 and "unit" in missing.json()
    zone = {"course": world.course.pk, "applies_to": "contractor_zone", "unit": org.crew.pk}
    added = client.post(f"{V1}/training-requirements/", zone, format="json")
    assert added.status_code == 201 and added.json()["unit_name"] == "Flotation crew"
    listed = client.get(f"{V1}/training-requirements/", {"course": world.course.pk}).json()
    assert listed["count"] == 2
    assert client.delete(f"{V1}/training-requirements/{added.json()['id']}/").status_code == 204
    assert not TrainingRequirement.objects.filter(pk=added.json()["id"]).exists()


def test_trainers_qualified_and_withdrawn(world, hse_head, line_manager, hse_specialist):
    body = {"user": line_manager.pk, "course": world.course.pk, "qualified_on": iso(-1), "qualification": "TtT"}
    assert api(hse_specialist).post(f"{V1}/trainers/", body, format="json").status_code == 403
    created = api(hse_head).post(f"{V1}/trainers/", body, format="json")
    assert created.status_code == 201 and created.json()["is_active"] is True
    pk = created.json()["id"]
    withdrawn = api(hse_head).post(f"{V1}/trainers/{pk}/withdraw/", {"reason": "Left"}, format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["is_active"] is False
    again = api(hse_head).post(f"{V1}/trainers/{pk}/withdraw/", {"reason": "Left"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "state_conflict"
    assert api(hse_specialist).get(f"{V1}/trainers/", {"course": world.course.pk}).json()["count"] == 2


# --- Sessions ------------------------------------------------------------------------------------------


def _plan(world, trainer, unit):
    return {"course": world.course.pk, "trainer": trainer.pk, "unit": unit.pk, "date": iso(3), "hours": "4",
            "place": "Room 7"}  # fmt: skip


class TestSessions:
    def test_list_is_scoped(self, world, hse_specialist, outsider, executive):
        assert [row["place"] for row in api(hse_specialist).get(f"{V1}/training-sessions/").json()["results"]] == [
            "Room 12"
        ]
        assert api(outsider).get(f"{V1}/training-sessions/").json()["count"] == 0
        assert api(outsider).get(f"{V1}/training-sessions/{world.session.pk}/").status_code == 404
        row = api(executive).get(f"{V1}/training-sessions/{world.session.pk}/").json()
        assert row["attendee_count"] == 1 and row["course_name"] == "First aid" and row["status"] == "planned"

    def test_old_sessions_are_listed_and_filters_validated(self, world, hse_specialist, org):
        TrainingSessionFactory(course=world.course, trainer=hse_specialist, unit=org.crew, date=timezone.localdate()
                               - timedelta(days=400))  # fmt: skip
        client = api(hse_specialist)
        assert client.get(f"{V1}/training-sessions/").json()["count"] == 2
        assert client.get(f"{V1}/training-sessions/", {"date_from": iso(-10)}).json()["count"] == 1
        bad = client.get(f"{V1}/training-sessions/", {"status": "nope", "unit": org.other_shop.pk})
        assert bad.status_code == 400 and set(bad.json()) == {"status", "unit"}

    def test_plan(self, world, hse_specialist, org, executive, line_manager):
        created = api(hse_specialist).post(f"{V1}/training-sessions/", _plan(world, hse_specialist, org.crew),
                                           format="json")  # fmt: skip
        assert created.status_code == 201 and created.json()["place"] == "Room 7"
        assert api(executive).post(f"{V1}/training-sessions/", {}, format="json").status_code == 403
        assert (
            api(line_manager).post(f"{V1}/training-sessions/", {}, format="json").status_code == 403
        )  # no qualification

    def test_plan_refusals_are_field_errors(self, world, hse_specialist, org):
        outside = api(hse_specialist).post(f"{V1}/training-sessions/", _plan(world, hse_specialist, org.other_shop),
                                           format="json")  # fmt: skip
        assert outside.status_code == 400 and "unit" in outside.json()
        stranger = UserFactory(role="hse_specialist")
        unqualified = api(hse_specialist).post(f"{V1}/training-sessions/", _plan(world, stranger, org.crew),
                                               format="json")  # fmt: skip
        assert unqualified.status_code == 400 and "trainer" in unqualified.json()
        assert api(hse_specialist).post(f"{V1}/training-sessions/", {**_plan(world, hse_specialist, org.crew),
                                        "hours": "0"}, format="json").status_code == 400  # fmt: skip

    def test_update_deliver_cancel(self, world, hse_specialist, line_manager):
        client = api(hse_specialist)
        changed = client.patch(f"{V1}/training-sessions/{world.session.pk}/", {"place": "Hall"}, format="json")
        assert changed.status_code == 200 and changed.json()["place"] == "Hall"
        assert api(line_manager).patch(f"{V1}/training-sessions/{world.session.pk}/", {"place": "x"},
                                       format="json").status_code == 403  # fmt: skip
        nobody = client.post(f"{V1}/training-sessions/{world.session.pk}/deliver/", {}, format="json")
        assert nobody.status_code == 400
        client.post(
            f"{V1}/attendances/{world.attendance.pk}/mark/", {"presence": "present", "passed": True}, format="json"
        )
        delivered = client.post(f"{V1}/training-sessions/{world.session.pk}/deliver/", {"result": "Ok"}, format="json")
        assert delivered.status_code == 200 and delivered.json()["status"] == "delivered"
        late = client.post(f"{V1}/training-sessions/{world.session.pk}/cancel/", {"reason": "x"}, format="json")
        assert late.status_code == 409
        edit = client.patch(f"{V1}/training-sessions/{world.session.pk}/", {}, format="json")
        assert edit.status_code == 409

    def test_the_list_query_count_does_not_grow(self, world, hse_specialist, org, django_assert_max_num_queries):
        client = api(hse_specialist)
        with django_assert_max_num_queries(5):
            client.get(f"{V1}/training-sessions/")
        for _ in range(15):
            TrainingSessionFactory(course=world.course, trainer=hse_specialist, unit=org.crew)
        with django_assert_max_num_queries(5):
            assert client.get(f"{V1}/training-sessions/").json()["count"] == 16


# --- Attendance ----------------------------------------------------------------------------------------


class TestAttendance:
    def test_add_mark_feedback_revoke(self, world, hse_specialist, hse_head, org):
        client = api(hse_specialist)
        person = PersonFactory(unit=org.crew, full_name="Ivanova Anna")
        added = client.post(f"{V1}/attendances/", {"session": world.session.pk, "person": person.pk}, format="json")
        assert added.status_code == 201 and added.json()["attendee_name"] == "Ivanova Anna"
        twice = client.post(f"{V1}/attendances/", {"session": world.session.pk, "person": person.pk}, format="json")
        assert twice.status_code == 400 and "person" in twice.json()
        pk = added.json()["id"]
        marked = client.post(f"{V1}/attendances/{pk}/mark/", {"presence": "present", "passed": True}, format="json")
        assert marked.status_code == 200 and marked.json()["certificate_state"] == "valid"
        assert marked.json()["certificate_url"].endswith(
            "/trainings/certificates/" + Attendance.objects.get(pk=pk).certificate_code + "/"
        )
        feedback = client.post(f"{V1}/attendances/{pk}/feedback/", {"score": 5, "comment": "Clear"}, format="json")
        assert feedback.status_code == 200 and feedback.json()["feedback_score"] == 5
        assert client.post(f"{V1}/attendances/{pk}/feedback/", {"score": 6}, format="json").status_code == 400
        assert client.post(f"{V1}/attendances/{pk}/revoke/", {"reason": "x"}, format="json").status_code == 403
        revoked = api(hse_head).post(f"{V1}/attendances/{pk}/revoke/", {"reason": "Forged"}, format="json")
        assert revoked.status_code == 200 and revoked.json()["certificate_state"] == "revoked"
        again = api(hse_head).post(f"{V1}/attendances/{pk}/revoke/", {"reason": "Forged"}, format="json")
        assert again.status_code == 409

    def test_remove_and_scope(self, world, hse_specialist, outsider, executive):
        assert api(outsider).get(f"{V1}/attendances/{world.attendance.pk}/").status_code == 404
        assert api(outsider).post(f"{V1}/attendances/", {"session": world.session.pk, "person": world.person.pk},
                                  format="json").status_code == 400  # fmt: skip
        assert api(executive).delete(f"{V1}/attendances/{world.attendance.pk}/").status_code == 403
        assert api(hse_specialist).delete(f"{V1}/attendances/{world.attendance.pk}/").status_code == 204
        assert not Attendance.objects.filter(pk=world.attendance.pk).exists()

    def test_a_bad_mark_is_a_field_error(self, world, hse_specialist):
        response = api(hse_specialist).post(f"{V1}/attendances/{world.attendance.pk}/mark/", {"presence": "gone"},
                                            format="json")  # fmt: skip
        assert response.status_code == 400 and "presence" in response.json()

    def test_list_by_session_with_bounded_queries(self, world, hse_specialist, org, django_assert_max_num_queries):
        client = api(hse_specialist)
        with django_assert_max_num_queries(6):
            client.get(f"{V1}/attendances/", {"session": world.session.pk})
        for _ in range(10):
            AttendanceFactory(session=world.session, person=PersonFactory(unit=org.crew))
        with django_assert_max_num_queries(6):
            assert client.get(f"{V1}/attendances/", {"session": world.session.pk}).json()["count"] == 11


# --- The matrix and the trainers' activity -------------------------------------------------------------


def test_the_matrix_rows(world, hse_specialist, outsider, org):
    AttendanceFactory(person=PersonFactory(unit=org.crew, full_name="Expired E.", job_title="Flotation operator"),
                      course=world.course, valid_until=timezone.localdate() - timedelta(days=1))  # fmt: skip
    rows = api(hse_specialist).get(f"{V1}/competence-matrix/").json()["results"]
    by_name = {row["person"]["full_name"]: row["cells"] for row in rows}
    assert by_name["Petrov P. P."] == [{"course": world.course.pk, "state": "missing", "valid_until": None,
                                        "attendance": None}]  # fmt: skip
    assert by_name["Expired E."][0]["state"] == "expired"
    expired = api(hse_specialist).get(f"{V1}/competence-matrix/", {"state": "expired"}).json()
    assert [row["person"]["full_name"] for row in expired["results"]] == ["Expired E."]
    assert api(hse_specialist).get(f"{V1}/competence-matrix/", {"state": "valid!"}).status_code == 400
    theirs = api(outsider).get(f"{V1}/competence-matrix/").json()["results"]
    assert [row["person"]["full_name"] for row in theirs] == ["Sidorov S. S."]  # their own shop only


def test_the_matrix_query_count(world, hse_specialist, org, django_assert_max_num_queries):
    client = api(hse_specialist)
    with django_assert_max_num_queries(7):
        client.get(f"{V1}/competence-matrix/")
    for _ in range(20):
        PersonFactory(unit=org.crew, job_title="Flotation operator")
    with django_assert_max_num_queries(7):
        assert client.get(f"{V1}/competence-matrix/").json()["count"] == 21


def test_trainer_activity(world, hse_specialist, hse_head, line_manager, org):
    Attendance.objects.filter(pk=world.attendance.pk).update(presence="present", passed=True, feedback_score=4)
    TrainingSession.objects.filter(pk=world.session.pk).update(status="delivered")
    rows = api(hse_specialist).get(f"{V1}/trainer-activity/").json()["results"]
    assert rows == [{
        "trainer": hse_specialist.pk, "trainer_name": hse_specialist.get_full_name(), "sessions_planned": 0,
        "sessions_delivered": 1, "hours_delivered": "4.0", "preparation_hours": "0.0", "attendees": 1,
        "feedback_average": 4.0, "feedback_count": 1,
    }]  # fmt: skip
    assert api(line_manager).get(f"{V1}/trainer-activity/").json()["results"] == []
    TrainerFactory(user=UserFactory(role="line_manager"), course=world.course)
    assert api(hse_head).get(f"{V1}/trainer-activity/").json()["count"] == 2
    old = api(hse_specialist).get(f"{V1}/trainer-activity/", {"date_to": iso(-1)}).json()["results"]
    assert old[0]["sessions_delivered"] == 0
    assert api(hse_specialist).get(f"{V1}/trainer-activity/", {"date_from": "x"}).status_code == 400


def test_roles_without_trainings_are_refused(world, pass_admin):
    for path in ("courses/", "training-sessions/", "attendances/", "competence-matrix/", "trainer-activity/"):
        assert api(pass_admin).get(f"{V1}/{path}").status_code == 403, path
    assert api().get(f"{V1}/courses/").status_code == 401


# --- The schema ----------------------------------------------------------------------------------------


def test_the_schema_documents_the_endpoints_filters_and_conflicts(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    params = {p["name"] for p in paths["/api/v1/training-sessions/"]["get"]["parameters"]}
    assert params >= {"course", "unit", "trainer", "status", "date_from", "date_to", "page"}
    matrix = {p["name"]: p for p in paths["/api/v1/competence-matrix/"]["get"]["parameters"]}
    assert set(matrix) >= {"unit", "job_title", "course", "state", "page"}
    assert matrix["unit"]["schema"]["type"] == "integer"
    assert {p["name"] for p in paths["/api/v1/trainer-activity/"]["get"]["parameters"]} >= {"date_from", "date_to"}
    for path in ("training-sessions/{id}/deliver/", "training-sessions/{id}/cancel/", "attendances/{id}/mark/",
                 "attendances/{id}/revoke/", "trainers/{id}/withdraw/"):  # fmt: skip
        assert "409" in paths[f"/api/v1/{path}"]["post"]["responses"], path
    assert "patch" in paths["/api/v1/training-sessions/{id}/"] and "put" not in paths["/api/v1/training-sessions/{id}/"]


def test_the_schema_has_no_warnings_from_trainings(capsys):
    from drf_spectacular.generators import SchemaGenerator

    SchemaGenerator().get_schema(request=None, public=True)
    warnings = [line for line in capsys.readouterr().err.splitlines() if "trainings" in line]
    assert warnings == []
