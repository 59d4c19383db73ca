"""The training pages as the personas: happy paths, GET refused on POST views, read-only roles
refused, the outsider's 404, form errors in place (400), one-tap marking (htmx row and without
JavaScript), and list query counts that do not grow with the rows."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.trainings.models import Attendance, Course, Trainer, TrainingRequirement, TrainingSession
from tests.factories import PersonFactory, UserFactory
from tests.factories.trainings import AttendanceFactory, TrainerFactory, TrainingSessionFactory
from tests.trainings.web import make_world, messages_of

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def in_days(days):
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture
def world(org, hse_specialist):
    return make_world(org, hse_specialist)


def url(name, *args):
    return reverse(f"trainings:{name}", args=args)


# --- The session list ----------------------------------------------------------------------------------


class TestSessionList:
    def test_lists_the_session_with_a_plan_button(self, client_as, hse_specialist, world):
        page = client_as(hse_specialist).get(url("session_list"))
        assert page.status_code == 200
        text = page.text
        assert "First aid" in text and "Room 12" in text and "Flotation crew" in text
        assert 'data-testid="plan-session"' in text

    def test_read_only_roles_see_it_without_the_button(self, client_as, executive, world):
        text = client_as(executive).get(url("session_list")).text
        assert "First aid" in text and 'data-testid="plan-session"' not in text

    def test_a_line_manager_plans_only_once_qualified(self, client_as, line_manager, world):
        client = client_as(line_manager)
        assert 'data-testid="plan-session"' not in client.get(url("session_list")).text
        TrainerFactory(user=line_manager, course=world.course)
        assert 'data-testid="plan-session"' in client.get(url("session_list")).text

    def test_the_outsider_does_not_see_the_crew_session(self, client_as, outsider, world):
        text = client_as(outsider).get(url("session_list")).text
        assert "Room 12" not in text and "No sessions planned or held lately" in text

    def test_pass_office_is_refused(self, client_as, pass_admin):
        assert client_as(pass_admin).get(url("session_list")).status_code == 403

    def test_upcoming_first_then_recent_old_ones_behind_a_period(self, client_as, hse_specialist, org, world):
        soon = TrainingSessionFactory(course=world.course, trainer=hse_specialist, unit=org.crew, date=in_days(5),
                                      place="Upcoming room")  # fmt: skip
        recent = TrainingSessionFactory(course=world.course, trainer=hse_specialist, unit=org.crew,
                                        date=in_days(-90), place="Recent room")  # fmt: skip
        old = TrainingSessionFactory(course=world.course, trainer=hse_specialist, unit=org.crew, date=in_days(-91),
                                     place="Old room")  # fmt: skip
        client = client_as(hse_specialist)
        text = client.get(url("session_list")).text
        assert text.index("Room 12") < text.index(soon.place) < text.index(recent.place)
        assert old.place not in text
        older = client.get(url("session_list"), {"date_from": in_days(-400).isoformat()}).text
        assert old.place in older

    def test_filters_and_malformed_ones_in_place(self, client_as, hse_specialist, world):
        client = client_as(hse_specialist)
        assert "Room 12" not in client.get(url("session_list"), {"status": "delivered"}).text
        assert "Room 12" in client.get(url("session_list"), {"status": "planned"}).text
        bad = client.get(url("session_list"), {"status": "nonsense"})
        assert bad.status_code == 400 and "Select a valid choice." in bad.text
        backwards = client.get(url("session_list"), {"date_from": in_days(1), "date_to": in_days(0)})
        assert backwards.status_code == 400 and "The period cannot end before it starts." in backwards.text

    def test_query_count_does_not_grow_with_rows(
        self, client_as, hse_specialist, org, world, django_assert_max_num_queries
    ):
        client = client_as(hse_specialist)
        client.get(url("session_list"))  # warms the filter choices' cache
        with django_assert_max_num_queries(9):
            client.get(url("session_list"))
        for day in range(20):
            session = TrainingSessionFactory(course=world.course, trainer=hse_specialist, unit=org.crew,
                                             date=in_days(day))  # fmt: skip
            AttendanceFactory(session=session, person=PersonFactory(unit=org.crew))
        client.get(url("session_list"))
        with django_assert_max_num_queries(9):
            assert client.get(url("session_list")).text.count('data-testid="session-status"') == 21


# --- Planning and editing --------------------------------------------------------------------------------


def _plan(ctx_course, trainer, unit, **extra):
    return {
        "course": ctx_course.pk, "trainer": trainer.pk, "unit": unit.pk, "date": in_days(3).isoformat(),
        "hours": "4", "place": "Room 7", **extra,
    }  # fmt: skip


class TestSessionCreate:
    def test_plans_a_session(self, client_as, hse_specialist, org, world):
        client = client_as(hse_specialist)
        form = client.get(url("session_create"), {"course": world.course.pk})
        assert form.status_code == 200 and 'value="4.0"' in form.text  # the course's usual length
        response = client.post(url("session_create"), _plan(world.course, hse_specialist, org.crew))
        session = TrainingSession.objects.get(place="Room 7")
        assert response.status_code == 302 and response["Location"] == session.get_absolute_url()
        assert "First aid planned for" in messages_of(client.get(response["Location"]))[0]

    def test_a_unit_outside_scope_is_refused_in_place(self, client_as, hse_specialist, org, world):
        response = client_as(hse_specialist).post(url("session_create"),
                                                  _plan(world.course, hse_specialist, org.other_shop))  # fmt: skip
        assert response.status_code == 400 and "Select a valid choice" in response.text
        assert not TrainingSession.objects.filter(place="Room 7").exists()

    def test_an_unqualified_trainer_is_refused_in_place(self, client_as, hse_specialist, org, world):
        other = UserFactory(role="hse_specialist", units=[org.shop])
        TrainerFactory(user=other, course=world.course, qualified_on=in_days(10))
        response = client_as(hse_specialist).post(url("session_create"), _plan(world.course, other, org.crew))
        assert response.status_code == 400 and "is not qualified to teach First aid on this date." in response.text

    @pytest.mark.parametrize("role", ["executive", "system_admin", "line_manager"])
    def test_roles_that_do_not_plan_are_refused(self, client_as, persona, role, world):
        assert client_as(persona(role)).get(url("session_create")).status_code == 403


class TestSessionEdit:
    def test_changes_the_place(self, client_as, hse_specialist, org, world):
        client = client_as(hse_specialist)
        assert client.get(url("session_edit", world.session.pk)).status_code == 200
        data = {"trainer": hse_specialist.pk, "unit": org.crew.pk, "date": world.session.date.isoformat(),
                "hours": "4", "preparation_hours": "6", "place": "Room 99"}  # fmt: skip
        assert client.post(url("session_edit", world.session.pk), data).status_code == 302
        world.session.refresh_from_db()
        assert (world.session.place, world.session.preparation_hours) == ("Room 99", 6)

    def test_read_only_and_outsider(self, client_as, executive, outsider, world):
        assert client_as(executive).get(url("session_edit", world.session.pk)).status_code == 403
        assert client_as(outsider).get(url("session_edit", world.session.pk)).status_code == 404


# --- The session page and attendance -------------------------------------------------------------------


class TestSessionDetail:
    def test_shows_the_session_and_its_attendees_with_one_tap_marks(self, client_as, hse_specialist, world):
        text = client_as(hse_specialist).get(world.session.get_absolute_url()).text
        assert "First aid" in text and "Room 12" in text and "Petrov P. P." in text
        assert text.count('data-testid="mark-passed"') == 1
        assert 'hx-post="' + url("attendance_mark", world.attendance.pk) in text
        assert 'data-testid="add-attendees"' in text and 'data-testid="deliver"' in text

    def test_a_future_session_is_marked_on_its_day(self, client_as, hse_specialist, world):
        TrainingSession.objects.filter(pk=world.session.pk).update(date=in_days(1))
        text = client_as(hse_specialist).get(world.session.get_absolute_url()).text
        assert 'data-testid="mark-passed"' not in text and 'data-testid="deliver"' not in text
        assert "Attendance is marked on the day of the session." in text and 'data-testid="add-attendees"' in text

    def test_a_delivered_session_takes_corrections_not_new_attendees(self, client_as, hse_specialist, world):
        TrainingSession.objects.filter(pk=world.session.pk).update(status="delivered")
        text = client_as(hse_specialist).get(world.session.get_absolute_url()).text
        assert 'data-testid="mark-passed"' in text and 'data-testid="add-attendees"' not in text

    def test_read_only_role_sees_no_marks(self, client_as, executive, world):
        text = client_as(executive).get(world.session.get_absolute_url()).text
        assert "Petrov P. P." in text and 'data-testid="mark-passed"' not in text and "add-attendees" not in text

    def test_the_outsider_gets_404(self, client_as, outsider, world):
        assert client_as(outsider).get(world.session.get_absolute_url()).status_code == 404

    def test_candidates_are_found_by_name(self, client_as, hse_specialist, org, world):
        PersonFactory(unit=org.crew, full_name="Ivanova Anna")
        PersonFactory(unit=org.crew, full_name="Kuznetsov Oleg")
        text = client_as(hse_specialist).get(world.session.get_absolute_url(), {"find": "ivanova"}).text
        assert "Ivanova Anna" in text and "Kuznetsov Oleg" not in text

    def test_query_count_does_not_grow_with_attendees(
        self, client_as, hse_specialist, org, world, django_assert_max_num_queries
    ):
        client = client_as(hse_specialist)
        client.get(world.session.get_absolute_url())
        with django_assert_max_num_queries(12):
            client.get(world.session.get_absolute_url())
        for _ in range(15):
            AttendanceFactory(session=world.session, person=PersonFactory(unit=org.crew), passed=True,
                              presence="present", valid_until=in_days(300), certificate_code=None)  # fmt: skip
        with django_assert_max_num_queries(12):
            assert client.get(world.session.get_absolute_url()).text.count('data-testid="attendee"') == 16


class TestAttendanceMark:
    def test_get_is_refused(self, client_as, hse_specialist, world):
        assert client_as(hse_specialist).get(url("attendance_mark", world.attendance.pk)).status_code == 405

    def test_one_tap_by_htmx_answers_the_row(self, client_as, hse_specialist, world):
        response = client_as(hse_specialist).post(url("attendance_mark", world.attendance.pk), {"mark": "passed"},
                                                  **HTMX)  # fmt: skip
        assert response.status_code == 200 and response["X-Attendee-Row"] == "true"
        assert response.text.lstrip().startswith("<li") and 'data-mark="passed"' in response.text
        assert "Certificate · valid until" in response.text
        world.attendance.refresh_from_db()
        assert world.attendance.presence == "present" and world.attendance.passed is True
        assert world.attendance.valid_until is not None

    def test_without_javascript_back_to_the_row(self, client_as, hse_specialist, world):
        response = client_as(hse_specialist).post(url("attendance_mark", world.attendance.pk), {"mark": "absent"})
        assert response.status_code == 302
        assert response["Location"].endswith(f"#att-{world.attendance.pk}")
        world.attendance.refresh_from_db()
        assert world.attendance.presence == "absent"

    def test_a_refusal_is_shown_in_the_row(self, client_as, hse_specialist, world):
        TrainingSession.objects.filter(pk=world.session.pk).update(date=in_days(2))
        response = client_as(hse_specialist).post(url("attendance_mark", world.attendance.pk), {"mark": "passed"},
                                                  **HTMX)  # fmt: skip
        assert response.status_code == 400 and 'data-testid="row-error"' in response.text
        assert "mark attendance on the day" in response.text
        assert 'data-mark=""' in response.text

    def test_a_malformed_mark(self, client_as, hse_specialist, world):
        response = client_as(hse_specialist).post(url("attendance_mark", world.attendance.pk), {"mark": "x"}, **HTMX)
        assert response.status_code == 400 and "Select a valid choice" in response.text

    def test_read_only_refused_outsider_404(self, client_as, executive, outsider, world):
        assert (
            client_as(executive).post(url("attendance_mark", world.attendance.pk), {"mark": "passed"}).status_code
            == 403
        )
        assert (
            client_as(outsider).post(url("attendance_mark", world.attendance.pk), {"mark": "passed"}).status_code == 404
        )


class TestAttendees:
    def test_adds_several_at_once(self, client_as, hse_specialist, org, world, company_worker):
        anna = PersonFactory(unit=org.crew, full_name="Ivanova Anna")
        client = client_as(hse_specialist)
        response = client.post(
            url("attendee_add", world.session.pk), {"people": [anna.pk], "workers": [company_worker.pk]}
        )
        assert response.status_code == 302
        assert set(world.session.attendances.values_list("person__full_name", "contractor_worker__full_name")) == {
            ("Petrov P. P.", None), ("Ivanova Anna", None), (None, "Ivanov Ivan"),
        }  # fmt: skip
        assert messages_of(client.get(response["Location"])) == ["2 attendees added."]

    def test_nobody_ticked_is_an_error_in_place(self, client_as, hse_specialist, world):
        response = client_as(hse_specialist).post(url("attendee_add", world.session.pk), {})
        assert response.status_code == 400 and "Tick at least one person to add." in response.text

    def test_get_refused_and_read_only(self, client_as, hse_specialist, executive, world):
        assert client_as(hse_specialist).get(url("attendee_add", world.session.pk)).status_code == 405
        assert client_as(executive).post(url("attendee_add", world.session.pk), {}).status_code == 403

    def test_removes_one(self, client_as, hse_specialist, world):
        response = client_as(hse_specialist).post(url("attendee_remove", world.attendance.pk))
        assert response.status_code == 302 and not Attendance.objects.filter(pk=world.attendance.pk).exists()

    def test_remove_after_delivery_is_a_message(self, client_as, hse_specialist, world):
        TrainingSession.objects.filter(pk=world.session.pk).update(status="delivered")
        client = client_as(hse_specialist)
        response = client.post(url("attendee_remove", world.attendance.pk))
        assert response.status_code == 302 and Attendance.objects.filter(pk=world.attendance.pk).exists()
        assert messages_of(client.get(response["Location"]))


@pytest.fixture
def company_worker(org):
    from tests.factories import CompanyFactory, WorkerFactory

    return WorkerFactory(company=CompanyFactory(), full_name="Ivanov Ivan")


class TestDeliverAndCancel:
    def test_delivers_once_someone_is_present(self, client_as, hse_specialist, world):
        client = client_as(hse_specialist)
        refused = client.post(url("session_deliver", world.session.pk), {"result": "Done"})
        assert refused.status_code == 400 and "nobody is marked present" in refused.text
        client.post(url("attendance_mark", world.attendance.pk), {"mark": "passed"})
        assert client.post(url("session_deliver", world.session.pk), {"result": "Done"}).status_code == 302
        world.session.refresh_from_db()
        assert world.session.status == "delivered" and world.session.result == "Done"

    def test_cancel_needs_a_reason_in_place(self, client_as, hse_specialist, world):
        client = client_as(hse_specialist)
        refused = client.post(url("session_cancel", world.session.pk), {"reason": ""})
        assert refused.status_code == 400 and 'id="cancel" open' in refused.text
        assert client.post(url("session_cancel", world.session.pk), {"reason": "Room flooded"}).status_code == 302
        world.session.refresh_from_db()
        assert world.session.status == "cancelled"
        again = client.post(url("session_cancel", world.session.pk), {"reason": "Again"})
        assert again.status_code == 302 and messages_of(client.get(again["Location"]))  # a conflict, as a message

    @pytest.mark.parametrize("name", ["session_deliver", "session_cancel"])
    def test_get_refused_read_only_outsider(self, client_as, executive, outsider, hse_specialist, world, name):
        assert client_as(hse_specialist).get(url(name, world.session.pk)).status_code == 405
        assert client_as(executive).post(url(name, world.session.pk), {"reason": "x"}).status_code == 403
        assert client_as(outsider).post(url(name, world.session.pk), {"reason": "x"}).status_code == 404


class TestFeedbackAndRevoke:
    def test_records_feedback_of_a_present_attendee(self, client_as, hse_specialist, world):
        client = client_as(hse_specialist)
        client.post(url("attendance_mark", world.attendance.pk), {"mark": "passed"})
        assert client.post(url("feedback", world.attendance.pk), {"score": "4", "comment": "Good"}).status_code == 302
        world.attendance.refresh_from_db()
        assert (world.attendance.feedback_score, world.attendance.feedback_comment) == (4, "Good")
        bad = client.post(url("feedback", world.attendance.pk), {"score": "9"})
        assert bad.status_code == 400 and "Select a valid choice" in bad.text

    def test_revoke_is_the_hse_heads(self, client_as, hse_specialist, hse_head, world):
        client_as(hse_specialist).post(url("attendance_mark", world.attendance.pk), {"mark": "passed"})
        assert client_as(hse_specialist).post(url("certificate_revoke", world.attendance.pk),
                                              {"reason": "x"}).status_code == 403  # fmt: skip
        client = client_as(hse_head)
        refused = client.post(url("certificate_revoke", world.attendance.pk), {"reason": ""})
        assert refused.status_code == 400
        assert client.post(url("certificate_revoke", world.attendance.pk), {"reason": "Forged"}).status_code == 302
        world.attendance.refresh_from_db()
        assert world.attendance.is_revoked and world.attendance.revoke_reason == "Forged"

    def test_get_refused(self, client_as, hse_head, world):
        assert client_as(hse_head).get(url("feedback", world.attendance.pk)).status_code == 405
        assert client_as(hse_head).get(url("certificate_revoke", world.attendance.pk)).status_code == 405


# --- The matrix -----------------------------------------------------------------------------------------


class TestMatrix:
    def test_missing_then_valid(self, client_as, hse_specialist, world):
        client = client_as(hse_specialist)
        text = client.get(url("matrix")).text
        assert "Petrov P. P." in text and 'data-state="missing"' in text
        client.post(url("attendance_mark", world.attendance.pk), {"mark": "passed"})
        text = client.get(url("matrix")).text
        assert 'data-state="valid"' in text and 'data-testid="count-valid">1<' in text

    def test_expired_and_expiring_cells(self, client_as, hse_specialist, org, world):
        PersonFactory(unit=org.crew, full_name="Expired E.", job_title="Flotation operator")
        AttendanceFactory(person=org.crew.people.get(full_name="Expired E."), course=world.course,
                          valid_until=in_days(-1))  # fmt: skip
        soon = PersonFactory(unit=org.crew, full_name="Soon S.", job_title="Flotation operator")
        AttendanceFactory(person=soon, course=world.course, valid_until=in_days(30))
        client = client_as(hse_specialist)
        text = client.get(url("matrix")).text
        assert 'data-state="expired"' in text and 'data-state="expiring"' in text
        expired = client.get(url("matrix"), {"state": "expired"}).text
        assert "Expired E." in expired and "Soon S." not in expired and "Petrov" not in expired

    def test_scope_and_malformed_filters(self, client_as, outsider, hse_specialist, org, world):
        assert "Petrov P. P." not in client_as(outsider).get(url("matrix")).text
        bad = client_as(hse_specialist).get(url("matrix"), {"unit": org.other_shop.pk})
        assert bad.status_code == 400 and "Select a valid choice" in bad.text

    def test_csv_with_the_same_filters(self, client_as, hse_specialist, world):
        response = client_as(hse_specialist).get(url("matrix_csv"), {"job_title": "flotation operator"})
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert rows[0][:4] == ["Person", "Personnel number", "Unit", "Job title"] and "First aid" in rows[0]
        assert rows[1][0] == "Petrov P. P." and rows[1][rows[0].index("First aid")] == "missing"
        assert client_as(hse_specialist).get(url("matrix_csv"), {"state": "bad"}).status_code == 400

    def test_pass_office_refused(self, client_as, pass_admin):
        assert client_as(pass_admin).get(url("matrix")).status_code == 403
        assert client_as(pass_admin).get(url("matrix_csv")).status_code == 403

    def test_query_count_does_not_grow_with_people(
        self, client_as, hse_specialist, org, world, django_assert_max_num_queries
    ):
        client = client_as(hse_specialist)
        client.get(url("matrix"))
        with django_assert_max_num_queries(11):
            client.get(url("matrix"))
        for _ in range(30):
            person = PersonFactory(unit=org.crew, job_title="Flotation operator")
            AttendanceFactory(person=person, course=world.course, valid_until=in_days(100))
        with django_assert_max_num_queries(11):
            text = client.get(url("matrix")).text
        assert text.count('class="who fw-normal"') == 25  # a page of 25 people


# --- Courses -------------------------------------------------------------------------------------------


class TestCourses:
    def test_list_and_detail(self, client_as, hse_specialist, world):
        client = client_as(hse_specialist)
        assert "First aid" in client.get(url("course_list")).text
        text = client.get(url("course_detail", world.course.pk)).text
        assert "Flotation operator" in text and hse_specialist.get_full_name() in text
        assert "Add a requirement" not in text

    def test_the_hse_head_adds_and_edits_a_course(self, client_as, hse_head):
        client = client_as(hse_head)
        data = {"code": "loto", "name": "Energy isolation", "validity_months": "24", "default_hours": "6"}
        assert client.post(url("course_create"), data).status_code == 302
        course = Course.objects.get(code="loto")
        bad = client.post(url("course_edit", course.pk), {"name": "", "validity_months": "0", "default_hours": "6"})
        assert bad.status_code == 400 and "This field is required." in bad.text
        edit = {"name": "LOTO", "validity_months": "36", "default_hours": "6", "is_active": "on"}
        assert client.post(url("course_edit", course.pk), edit).status_code == 302
        course.refresh_from_db()
        assert (course.name, course.validity_months) == ("LOTO", 36)

    def test_requirements_and_trainers(self, client_as, hse_head, line_manager, org, world):
        client = client_as(hse_head)
        missing = client.post(url("requirement_add", world.course.pk), {"applies_to": "unit"})
        assert missing.status_code == 400 and "Choose the unit or zone" in missing.text
        assert client.post(url("requirement_add", world.course.pk),
                           {"applies_to": "unit", "unit": org.crew.pk}).status_code == 302  # fmt: skip
        requirement = TrainingRequirement.objects.get(course=world.course, applies_to="unit")
        assert client.post(url("requirement_remove", requirement.pk)).status_code == 302
        assert not TrainingRequirement.objects.filter(pk=requirement.pk).exists()
        data = {"user": line_manager.pk, "qualified_on": in_days(-1).isoformat(), "qualification": "TtT 2026"}
        assert client.post(url("trainer_add", world.course.pk), data).status_code == 302
        trainer = Trainer.objects.get(user=line_manager)
        assert client.post(url("trainer_withdraw", trainer.pk), {"reason": "Left"}).status_code == 302
        trainer.refresh_from_db()
        assert not trainer.is_active

    @pytest.mark.parametrize("name", ["requirement_add", "trainer_add"])
    def test_get_refused_and_specialist_refused(self, client_as, hse_head, hse_specialist, world, name):
        assert client_as(hse_head).get(url(name, world.course.pk)).status_code == 405
        assert client_as(hse_specialist).post(url(name, world.course.pk), {}).status_code == 403

    def test_course_pages_refused_to_the_specialist(self, client_as, hse_specialist, world):
        assert client_as(hse_specialist).get(url("course_create")).status_code == 403
        assert client_as(hse_specialist).get(url("course_edit", world.course.pk)).status_code == 403


# --- Trainers' activity --------------------------------------------------------------------------------


class TestTrainers:
    def _delivered(self, world):
        Attendance.objects.filter(pk=world.attendance.pk).update(presence="present", passed=True, feedback_score=5)
        TrainingSession.objects.filter(pk=world.session.pk).update(status="delivered", preparation_hours=3)

    def test_the_trainer_sees_their_own_activity(self, client_as, hse_specialist, world):
        self._delivered(world)
        text = client_as(hse_specialist).get(url("trainer_list")).text
        assert hse_specialist.get_full_name() in text and "5.0" in text

    def test_the_manager_sees_reports_only(self, client_as, hse_head, line_manager, org, world):
        stranger = UserFactory(role="line_manager", units=[org.shop], first_name="Stranger")
        TrainerFactory(user=stranger, course=world.course)
        assert "Stranger" in client_as(hse_head).get(url("trainer_list")).text  # the HSE head: everyone
        text = client_as(line_manager).get(url("trainer_list")).text
        assert "Stranger" not in text
        assert client_as(line_manager).get(url("trainer_detail", stranger.pk)).status_code == 404
        stranger.line_manager = line_manager
        stranger.save()
        assert "Stranger" in client_as(line_manager).get(url("trainer_list")).text
        assert client_as(line_manager).get(url("trainer_detail", stranger.pk)).status_code == 200

    def test_detail_shows_qualifications_and_sessions(self, client_as, hse_head, hse_specialist, world):
        text = client_as(hse_head).get(url("trainer_detail", hse_specialist.pk)).text
        assert "First aid" in text and "Room 12" not in text  # sessions list course, date, unit
        assert world.session.get_absolute_url() in text

    def test_period_filter(self, client_as, hse_specialist, world):
        bad = client_as(hse_specialist).get(url("trainer_list"), {"date_from": "2026-02-01", "date_to": "2026-01-01"})
        assert bad.status_code == 400

    def test_query_count_does_not_grow_with_trainers(
        self, client_as, hse_head, org, world, django_assert_max_num_queries
    ):
        client = client_as(hse_head)
        client.get(url("trainer_list"))
        with django_assert_max_num_queries(7):
            client.get(url("trainer_list"))
        for _ in range(10):
            TrainingSessionFactory(course=world.course, unit=org.crew)
        with django_assert_max_num_queries(7):
            assert client.get(url("trainer_list")).text.count("trainings/trainers/") >= 11
