"""Trainings services: each rule and refusal, and the audit entries they write."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.accounts.roles import Role
from apps.audit.models import AuditEntry
from apps.common.errors import StateConflict
from apps.trainings import services
from apps.trainings.models import Attendance, Trainer, TrainingSession
from apps.trainings.services import add_months
from tests.factories import (
    AttendanceFactory,
    CourseFactory,
    PersonFactory,
    TrainerFactory,
    TrainingRequirementFactory,
    TrainingSessionFactory,
    UserFactory,
    WorkerFactory,
)

pytestmark = pytest.mark.django_db

SITE = ZoneInfo("Asia/Yekaterinburg")
TODAY = date(2026, 11, 22)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.combine(TODAY, time(10), tzinfo=SITE))


def actions(**filters) -> list[str]:
    return list(AuditEntry.objects.filter(**filters).order_by("id").values_list("action", flat=True))


@pytest.fixture
def course(db):
    return CourseFactory(code="first-aid", name="First aid", validity_months=12)


@pytest.fixture
def trainer(hse_specialist, course):
    return TrainerFactory(user=hse_specialist, course=course, qualified_on=date(2025, 1, 10))


def plan(actor, course, trainer_user, unit, day=TODAY, **extra):
    return services.session_plan(
        actor=actor, course=course, trainer=trainer_user, unit=unit, date=day, hours=4, place="Room 1", **extra
    )


@pytest.fixture
def session(hse_specialist, trainer, course, org):
    return plan(hse_specialist, course, hse_specialist, org.crew)


# --- Calendar months -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 1, 15), 12, date(2027, 1, 15)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 12, 1), 36, date(2029, 12, 1)),
    ],
)
def test_months_are_added_on_the_calendar(day, months, expected):
    assert add_months(day, months) == expected


# --- Courses and requirements ----------------------------------------------------------------------


def test_the_head_creates_and_updates_a_course_with_the_trail(hse_head):
    course = services.course_create(actor=hse_head, code="loto", name=" Energy isolation ", validity_months=12)
    assert (course.name, course.default_hours, course.is_active) == ("Energy isolation", 4, True)
    services.course_update(actor=hse_head, course=course, validity_months=24, name="Energy isolation (LOTO)")
    course.refresh_from_db()
    assert (course.validity_months, course.name) == (24, "Energy isolation (LOTO)")
    entry = AuditEntry.objects.filter(action="trainings.course.updated").get()
    assert entry.data == {"validity_months": [12, 24], "name": ["Energy isolation", "Energy isolation (LOTO)"]}
    assert actions() == ["trainings.course.created", "trainings.course.updated"]


@pytest.mark.parametrize("months", [0, 121])
def test_a_course_validity_is_one_to_120_months(hse_head, months):
    with pytest.raises(ValidationError) as error:
        services.course_create(actor=hse_head, code="x", name="X", validity_months=months)
    assert "validity_months" in error.value.message_dict


def test_only_the_head_manages_courses(hse_specialist, course):
    with pytest.raises(PermissionDenied):
        services.course_create(actor=hse_specialist, code="x", name="X", validity_months=12)
    with pytest.raises(PermissionDenied):
        services.course_update(actor=hse_specialist, course=course, name="Y")


def test_a_course_update_refuses_unknown_fields(hse_head, course):
    with pytest.raises(ValidationError) as error:
        services.course_update(actor=hse_head, course=course, pk=5)
    assert "pk" in error.value.message_dict


def test_a_requirement_is_added_once(hse_head, course, org):
    requirement = services.requirement_add(
        actor=hse_head, course=course, applies_to="job_title", job_title=" Crane operator ", unit=org.shop
    )
    assert requirement.job_title == "Crane operator"
    with pytest.raises(ValidationError) as error:
        services.requirement_add(
            actor=hse_head, course=course, applies_to="job_title", job_title="crane operator", unit=org.shop
        )
    assert "already required" in error.value.message_dict["job_title"][0]
    # The same title anywhere, or in another unit, is another requirement.
    services.requirement_add(actor=hse_head, course=course, applies_to="job_title", job_title="Crane operator")
    services.requirement_add(actor=hse_head, course=course, applies_to="unit", unit=org.shop)
    with pytest.raises(ValidationError) as error:
        services.requirement_add(actor=hse_head, course=course, applies_to="unit", unit=org.shop)
    assert "unit" in error.value.message_dict
    services.requirement_add(actor=hse_head, course=course, applies_to="contractor_zone", unit=org.shop)
    assert actions(action="trainings.requirement.added") == ["trainings.requirement.added"] * 4


def test_a_requirement_names_its_job_title_or_unit(hse_head, course):
    with pytest.raises(ValidationError) as error:
        services.requirement_add(actor=hse_head, course=course, applies_to="job_title", job_title="  ")
    assert "job_title" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.requirement_add(actor=hse_head, course=course, applies_to="unit")
    assert "unit" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.requirement_add(actor=hse_head, course=course, applies_to="everyone")
    assert "applies_to" in error.value.message_dict


def test_a_requirement_is_removed_with_the_trail(hse_head, course, org):
    requirement = TrainingRequirementFactory(course=course, applies_to="unit", unit=org.shop, job_title="")
    services.requirement_remove(actor=hse_head, requirement=requirement)
    assert not course.requirements.exists()
    entry = AuditEntry.objects.get(action="trainings.requirement.removed")
    assert entry.unit == org.shop and entry.data["course"] == course.pk


# --- Trainers --------------------------------------------------------------------------------------


def test_the_head_qualifies_a_trainer(hse_head, line_manager, course):
    trainer = services.trainer_qualify(
        actor=hse_head, user=line_manager, course=course, qualified_on=TODAY, qualification="Red Cross instructor"
    )
    assert (trainer.user, trainer.is_active, trainer.qualified_on) == (line_manager, True, TODAY)
    assert actions() == ["trainings.trainer.qualified"]


@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.PASS_ADMIN, Role.SYSTEM_ADMIN])
def test_a_trainer_is_of_a_role_that_runs_sessions(hse_head, course, role):
    with pytest.raises(ValidationError) as error:
        services.trainer_qualify(
            actor=hse_head, user=UserFactory(role=role), course=course, qualified_on=TODAY, qualification="X"
        )
    assert "user" in error.value.message_dict


def test_a_qualification_says_how_and_since_a_day_that_has_come(hse_head, hse_specialist, course):
    with pytest.raises(ValidationError) as error:
        services.trainer_qualify(
            actor=hse_head, user=hse_specialist, course=course, qualified_on=TODAY + timedelta(days=1),
            qualification=" ",
        )  # fmt: skip
    assert set(error.value.message_dict) == {"qualified_on", "qualification"}


def test_qualifying_twice_is_refused_and_a_withdrawn_trainer_is_reactivated(hse_head, hse_specialist, trainer, course):
    with pytest.raises(ValidationError):
        services.trainer_qualify(actor=hse_head, user=hse_specialist, course=course, qualified_on=TODAY,
                                 qualification="Again")  # fmt: skip
    with pytest.raises(ValidationError) as error:
        services.trainer_withdraw(actor=hse_head, trainer=trainer, reason="")
    assert "reason" in error.value.message_dict
    services.trainer_withdraw(actor=hse_head, trainer=trainer, reason="Left the HSE department")
    with pytest.raises(StateConflict):
        services.trainer_withdraw(actor=hse_head, trainer=trainer, reason="Twice")
    again = services.trainer_qualify(
        actor=hse_head, user=hse_specialist, course=course, qualified_on=TODAY, qualification="Refresher 2026"
    )
    assert again.pk == trainer.pk and again.is_active and again.qualification == "Refresher 2026"
    assert Trainer.objects.count() == 1
    assert actions() == ["trainings.trainer.withdrawn", "trainings.trainer.reactivated"]


# --- Planning sessions -----------------------------------------------------------------------------


def test_a_specialist_plans_a_session_taught_by_a_qualified_trainer(session, hse_specialist, org):
    assert (session.status, session.created_by, session.unit) == ("planned", hse_specialist, org.crew)
    entry = AuditEntry.objects.get(action="trainings.session.planned")
    assert entry.unit == org.crew and entry.data["trainer"] == hse_specialist.pk


def test_an_unqualified_trainer_is_refused(hse_specialist, hse_head, course, org):
    with pytest.raises(ValidationError) as error:
        plan(hse_specialist, course, hse_head, org.shop)
    assert "not qualified" in error.value.message_dict["trainer"][0]


def test_the_trainer_is_qualified_on_or_before_the_session_date(hse_specialist, trainer, course, org):
    with pytest.raises(ValidationError) as error:
        plan(hse_specialist, course, hse_specialist, org.shop, day=date(2025, 1, 9))
    assert "trainer" in error.value.message_dict
    assert plan(hse_specialist, course, hse_specialist, org.shop, day=date(2025, 1, 10)).pk


def test_a_withdrawn_trainer_is_refused(hse_specialist, trainer, course, org):
    trainer.is_active = False
    trainer.save()
    with pytest.raises(ValidationError):
        plan(hse_specialist, course, hse_specialist, org.shop)


def test_a_line_manager_plans_only_once_qualified(line_manager, course, org):
    other = CourseFactory(name="Work at height")
    with pytest.raises(PermissionDenied):
        plan(line_manager, course, line_manager, org.shop)
    TrainerFactory(user=line_manager, course=other)
    with pytest.raises(ValidationError):  # now a trainer, but not of this course
        plan(line_manager, course, line_manager, org.shop)
    assert plan(line_manager, other, line_manager, org.crew).trainer == line_manager


def test_a_session_is_for_a_unit_the_planner_sees(outsider, trainer, course, org, hse_specialist):
    TrainerFactory(user=outsider, course=course)
    with pytest.raises(ValidationError) as error:
        plan(outsider, course, outsider, org.shop)
    assert "unit" in error.value.message_dict


@pytest.mark.parametrize("name", ["executive", "pass_admin", "system_admin"])
def test_roles_that_do_not_run_sessions_cannot_plan(persona, name, trainer, course, hse_specialist, org):
    with pytest.raises(PermissionDenied):
        plan(persona(name), course, hse_specialist, org.shop)


def test_a_planned_session_is_updated_and_a_delivered_one_is_not(session, hse_specialist, org):
    services.session_update(actor=hse_specialist, session=session, place="Room 2", hours=6)
    session.refresh_from_db()
    assert (session.place, session.hours) == ("Room 2", 6)
    assert AuditEntry.objects.get(action="trainings.session.updated").data == {"place": ["Room 1", "Room 2"],
                                                                                "hours": ["4.0", "6"]}  # fmt: skip
    with pytest.raises(ValidationError):
        services.session_update(actor=hse_specialist, session=session, status="delivered")
    session.status = TrainingSession.Status.DELIVERED
    session.save()
    with pytest.raises(StateConflict):
        services.session_update(actor=hse_specialist, session=session, place="Room 3")


def test_moving_a_session_before_the_trainers_qualification_is_refused(session, hse_specialist):
    with pytest.raises(ValidationError) as error:
        services.session_update(actor=hse_specialist, session=session, date=date(2024, 12, 31))
    assert "trainer" in error.value.message_dict


def test_a_session_is_cancelled_with_a_reason(session, hse_specialist):
    with pytest.raises(ValidationError):
        services.session_cancel(actor=hse_specialist, session=session, reason=" ")
    services.session_cancel(actor=hse_specialist, session=session, reason="Trainer ill")
    assert (session.status, session.result) == ("cancelled", "Trainer ill")
    assert AuditEntry.objects.get(action="trainings.session.cancelled").reason == "Trainer ill"
    with pytest.raises(StateConflict):
        services.session_cancel(actor=hse_specialist, session=session, reason="Again")


def test_someone_else_cannot_run_the_session(session, line_manager, outsider, hse_head, org):
    person = PersonFactory(unit=org.crew)
    for stranger in (line_manager, outsider):
        with pytest.raises(PermissionDenied):
            services.attendee_add(actor=stranger, session=session, person=person)
        with pytest.raises(PermissionDenied):
            services.session_cancel(actor=stranger, session=session, reason="No")
    assert services.attendee_add(actor=hse_head, session=session, person=person).pk  # the head: anywhere


# --- Attendees -------------------------------------------------------------------------------------


def test_attendees_employees_and_contractor_workers_once_each(session, hse_specialist, org):
    person, worker = PersonFactory(unit=org.crew), WorkerFactory()
    services.attendee_add(actor=hse_specialist, session=session, person=person)
    services.attendee_add(actor=hse_specialist, session=session, contractor_worker=worker)
    with pytest.raises(ValidationError) as error:
        services.attendee_add(actor=hse_specialist, session=session, person=person)
    assert "already on this session" in error.value.message_dict["person"][0]
    with pytest.raises(ValidationError) as error:
        services.attendee_add(actor=hse_specialist, session=session, contractor_worker=worker)
    assert "contractor_worker" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.attendee_add(actor=hse_specialist, session=session, person=person, contractor_worker=worker)
    with pytest.raises(ValidationError):
        services.attendee_add(actor=hse_specialist, session=session)
    assert session.attendances.count() == 2
    assert actions(action__startswith="trainings.attendee") == ["trainings.attendee.added"] * 2


def test_inactive_attendees_and_people_out_of_reach_are_refused(session, hse_specialist, org):
    with pytest.raises(ValidationError) as error:
        services.attendee_add(actor=hse_specialist, session=session, person=PersonFactory(unit=org.crew,
                                                                                          is_active=False))  # fmt: skip
    assert "no longer on the roll" in error.value.message_dict["person"][0]
    with pytest.raises(ValidationError):
        services.attendee_add(actor=hse_specialist, session=session, contractor_worker=WorkerFactory(is_active=False))
    with pytest.raises(ValidationError) as error:
        services.attendee_add(actor=hse_specialist, session=session, person=PersonFactory(unit=org.other_shop))
    assert "units you see" in error.value.message_dict["person"][0]


def test_a_trainer_outside_the_unit_adds_the_units_people(course, org, hse_specialist):
    """A line manager of another shop teaching this crew adds the crew's people, not their own."""
    teacher = UserFactory(role=Role.LINE_MANAGER, units=[org.other_shop])
    TrainerFactory(user=teacher, course=course)
    session = plan(hse_specialist, course, teacher, org.crew)
    assert services.attendee_add(actor=teacher, session=session, person=PersonFactory(unit=org.crew)).pk
    with pytest.raises(ValidationError):
        services.attendee_add(actor=teacher, session=session, person=PersonFactory(unit=org.shop))


def test_an_attendee_is_removed_before_delivery_only(session, hse_specialist, org):
    attendance = services.attendee_add(actor=hse_specialist, session=session, person=PersonFactory(unit=org.crew))
    services.attendee_remove(actor=hse_specialist, attendance=attendance)
    assert not session.attendances.exists()
    attendance = services.attendee_add(actor=hse_specialist, session=session, person=PersonFactory(unit=org.crew))
    services.attendance_mark(actor=hse_specialist, attendance=attendance, presence="present", passed=True)
    services.session_deliver(actor=hse_specialist, session=session)
    with pytest.raises(StateConflict):
        services.attendee_remove(actor=hse_specialist, attendance=attendance)


# --- Marking and delivering ------------------------------------------------------------------------


@pytest.fixture
def attendees(session, hse_specialist, org):
    return [
        services.attendee_add(actor=hse_specialist, session=session, person=PersonFactory(unit=org.crew))
        for _ in range(3)
    ]


def test_present_and_passed_is_valid_for_the_course_months_with_a_certificate(session, attendees, hse_specialist):
    marked = services.attendance_mark(actor=hse_specialist, attendance=attendees[0], presence="present", passed=True)
    assert marked.valid_until == date(2027, 11, 22)
    assert marked.certificate_code and marked.marked_by == hse_specialist and marked.marked_at
    code = marked.certificate_code
    again = services.attendance_mark(actor=hse_specialist, attendance=attendees[0], presence="present", passed=True)
    assert again.certificate_code == code  # given once


@pytest.mark.parametrize(("presence", "passed"), [("present", False), ("present", None), ("absent", True)])
def test_anything_but_present_and_passed_gives_no_validity(session, attendees, hse_specialist, presence, passed):
    marked = services.attendance_mark(actor=hse_specialist, attendance=attendees[0], presence=presence, passed=passed)
    assert (marked.valid_until, marked.certificate_code) == (None, None)
    assert marked.passed is (passed if presence == "present" else None)


def test_a_session_of_31_january_is_valid_until_the_end_of_february(hse_specialist, trainer, org):
    course = CourseFactory(validity_months=1)
    TrainerFactory(user=hse_specialist, course=course)
    session = plan(hse_specialist, course, hse_specialist, org.crew, day=date(2026, 1, 31))
    attendance = services.attendee_add(actor=hse_specialist, session=session, person=PersonFactory(unit=org.crew))
    marked = services.attendance_mark(actor=hse_specialist, attendance=attendance, presence="present", passed=True)
    assert marked.valid_until == date(2026, 2, 28)


def test_attendance_is_not_marked_before_the_session_day(hse_specialist, trainer, course, org):
    session = plan(hse_specialist, course, hse_specialist, org.crew, day=TODAY + timedelta(days=1))
    attendance = services.attendee_add(actor=hse_specialist, session=session, person=PersonFactory(unit=org.crew))
    with pytest.raises(ValidationError) as error:
        services.attendance_mark(actor=hse_specialist, attendance=attendance, presence="present", passed=True)
    assert "presence" in error.value.message_dict
    with pytest.raises(ValidationError):  # nor delivered
        services.session_deliver(actor=hse_specialist, session=session)


def test_delivery_needs_someone_present_and_marks_the_rest_absent(session, attendees, hse_specialist):
    with pytest.raises(ValidationError) as error:
        services.session_deliver(actor=hse_specialist, session=session)
    assert "attendances" in error.value.message_dict
    services.attendance_mark(actor=hse_specialist, attendance=attendees[0], presence="present", passed=True)
    services.attendance_mark(actor=hse_specialist, attendance=attendees[1], presence="present", passed=False)
    services.session_deliver(actor=hse_specialist, session=session, result=" All went well ")
    session.refresh_from_db()
    assert (session.status, session.result) == ("delivered", "All went well") and session.delivered_at
    presences = [a.presence for a in Attendance.objects.filter(session=session).order_by("id")]
    assert presences == ["present", "present", "absent"]
    entry = AuditEntry.objects.get(action="trainings.session.delivered")
    assert entry.data["marked_absent"] == 1 and entry.data["passed"] == 1 and entry.data["present"] == 2
    with pytest.raises(StateConflict):
        services.session_deliver(actor=hse_specialist, session=session)


def test_a_session_of_today_is_delivered_and_one_of_yesterday_too(hse_specialist, trainer, course, org):
    session = plan(hse_specialist, course, hse_specialist, org.crew, day=TODAY - timedelta(days=1))
    attendance = services.attendee_add(actor=hse_specialist, session=session, person=PersonFactory(unit=org.crew))
    services.attendance_mark(actor=hse_specialist, attendance=attendance, presence="present", passed=True)
    assert services.session_deliver(actor=hse_specialist, session=session).status == "delivered"


def test_a_mark_is_corrected_after_delivery_with_the_trail(session, attendees, hse_specialist, hse_head):
    services.attendance_mark(actor=hse_specialist, attendance=attendees[0], presence="present", passed=True)
    services.session_deliver(actor=hse_specialist, session=session)
    corrected = services.attendance_mark(actor=hse_head, attendance=attendees[1], presence="present", passed=True)
    assert corrected.valid_until == date(2027, 11, 22) and corrected.marked_by == hse_head
    entry = AuditEntry.objects.get(action="trainings.attendance.corrected")
    assert entry.data["presence"] == ["absent", "present"] and entry.actor == hse_head
    with pytest.raises(ValidationError):
        services.attendance_mark(actor=hse_specialist, attendance=attendees[1], presence="registered")


def test_cancelling_withdraws_any_validity_marked(session, attendees, hse_specialist):
    services.attendance_mark(actor=hse_specialist, attendance=attendees[0], presence="present", passed=True)
    services.session_cancel(actor=hse_specialist, session=session, reason="Fire drill")
    attendees[0].refresh_from_db()
    assert (attendees[0].valid_until, attendees[0].certificate_code) == (None, None)
    with pytest.raises(StateConflict):
        services.attendance_mark(actor=hse_specialist, attendance=attendees[0], presence="present", passed=True)


def test_moving_a_session_moves_the_validity_marked(session, attendees, hse_specialist):
    services.attendance_mark(actor=hse_specialist, attendance=attendees[0], presence="present", passed=True)
    services.session_update(actor=hse_specialist, session=session, date=TODAY - timedelta(days=2))
    attendees[0].refresh_from_db()
    assert attendees[0].valid_until == date(2027, 11, 20)


# --- Feedback and certificates ---------------------------------------------------------------------


def test_feedback_is_one_to_five_from_those_present(session, attendees, hse_specialist):
    services.attendance_mark(actor=hse_specialist, attendance=attendees[0], presence="present", passed=True)
    for score in (0, 6, "x", None):
        with pytest.raises(ValidationError):
            services.feedback_record(actor=hse_specialist, attendance=attendees[0], score=score)
    for score in (1, 5):
        marked = services.feedback_record(actor=hse_specialist, attendance=attendees[0], score=score, comment=" Good ")
        assert (marked.feedback_score, marked.feedback_comment) == (score, "Good")
    with pytest.raises(ValidationError) as error:
        services.feedback_record(actor=hse_specialist, attendance=attendees[1], score=4)
    assert "present" in error.value.message_dict["score"][0]
    assert actions(action="trainings.feedback.recorded") == ["trainings.feedback.recorded"] * 2


def test_an_attendee_rates_the_session_from_their_own_account(session, attendees, hse_specialist, line_manager):
    services.attendance_mark(actor=hse_specialist, attendance=attendees[0], presence="present", passed=True)
    own = UserFactory(role=Role.LINE_MANAGER)
    person = attendees[0].person
    with pytest.raises(PermissionDenied):
        services.feedback_record(actor=own, attendance=attendees[0], score=4)
    person.user = own
    person.save()
    assert services.feedback_record(actor=own, attendance=attendees[0], score=4).feedback_score == 4


def test_a_certificate_is_revoked_by_the_head_with_a_reason(session, attendees, hse_specialist, hse_head):
    marked = services.attendance_mark(actor=hse_specialist, attendance=attendees[0], presence="present", passed=True)
    with pytest.raises(PermissionDenied):
        services.certificate_revoke(actor=hse_specialist, attendance=marked, reason="Fraud")
    with pytest.raises(ValidationError) as error:
        services.certificate_revoke(actor=hse_head, attendance=marked, reason="  ")
    assert "reason" in error.value.message_dict
    services.certificate_revoke(actor=hse_head, attendance=marked, reason="Signed in for someone else")
    marked.refresh_from_db()
    assert marked.is_revoked and marked.revoked_by == hse_head and marked.certificate_state(TODAY) == "revoked"
    assert AuditEntry.objects.get(action="trainings.certificate.revoked").reason == "Signed in for someone else"
    with pytest.raises(StateConflict):
        services.certificate_revoke(actor=hse_head, attendance=marked, reason="Again")
    with pytest.raises(StateConflict):  # and a revoked certificate is not re-marked into force
        services.attendance_mark(actor=hse_specialist, attendance=marked, presence="present", passed=True)
    with pytest.raises(StateConflict):  # no certificate to revoke
        services.certificate_revoke(actor=hse_head, attendance=attendees[1], reason="Nothing")


def test_a_factory_attendance_passed_on_a_day_is_valid_for_the_course_months():
    attendance = AttendanceFactory(passed_on=date(2026, 1, 31), course=CourseFactory(validity_months=1))
    assert attendance.valid_until == date(2026, 2, 28) and attendance.certificate_code
    assert TrainingSessionFactory().trainer.trainer_qualifications.exists()
