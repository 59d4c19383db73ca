"""Trainings selectors: scope, annotations, trainer activity in bounded queries, certificates."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.roles import Role
from apps.trainings import selectors
from apps.trainings.models import Attendance, TrainingSession
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

DELIVERED = TrainingSession.Status.DELIVERED


def test_course_list_counts_requirements_and_active_trainers(org):
    course, other = CourseFactory(name="A"), CourseFactory(name="B")
    TrainingRequirementFactory(course=course)
    TrainingRequirementFactory(course=course, applies_to="unit", unit=org.shop, job_title="")
    TrainerFactory(course=course)
    TrainerFactory(course=course, is_active=False)
    rows = {c.name: (c.requirement_count, c.trainer_count) for c in selectors.course_list()}
    assert rows == {"A": (2, 1), "B": (0, 0)}
    assert other in selectors.course_list()


def test_requirement_list_by_course(org):
    course = CourseFactory()
    mine = TrainingRequirementFactory(course=course)
    TrainingRequirementFactory()
    assert list(selectors.requirement_list(course=course)) == [mine]
    assert len(selectors.requirement_list()) == 2


def test_trainers_shown_are_ones_own_their_reports_or_all_for_the_head(hse_head, line_manager):
    report = UserFactory(role=Role.HSE_SPECIALIST, line_manager=line_manager)
    own, reports, other = TrainerFactory(user=line_manager), TrainerFactory(user=report), TrainerFactory()
    assert set(selectors.trainer_list_for_user(line_manager)) == {own, reports}
    assert set(selectors.trainer_list_for_user(report)) == {reports}
    assert set(selectors.trainer_list_for_user(hse_head)) == {own, reports, other}


def test_sessions_in_scope_and_those_one_teaches_with_counts(org, hse_specialist, outsider, hse_head, pass_admin):
    here = TrainingSessionFactory(unit=org.crew)
    there = TrainingSessionFactory(unit=org.other_shop)
    taught = TrainingSessionFactory(unit=org.other_shop, trainer=hse_specialist)
    AttendanceFactory(session=here, presence="present")
    AttendanceFactory(session=here)
    assert set(selectors.session_list_for_user(hse_specialist)) == {here, taught}
    assert set(selectors.session_list_for_user(outsider)) == {there, taught}
    assert set(selectors.session_list_for_user(hse_head)) == {here, there, taught}
    assert list(selectors.session_list_for_user(pass_admin)) == []
    row = selectors.session_list_for_user(hse_head).get(pk=here.pk)
    assert (row.attendee_count, row.present_count) == (2, 1)


def test_a_session_list_is_one_query_whatever_its_length(org, hse_head):
    for _ in range(3):
        AttendanceFactory(session=TrainingSessionFactory(unit=org.crew))
    with CaptureQueriesContext(connection) as queries:
        rows = [(s.course.name, s.trainer.username, s.unit.name, s.attendee_count)
                for s in selectors.session_list_for_user(hse_head)]  # fmt: skip
    assert len(rows) == 3 and len(queries) == 1


def test_attendances_and_candidates(org, hse_specialist):
    session = TrainingSessionFactory(unit=org.crew)
    on = AttendanceFactory(session=session, person=PersonFactory(unit=org.crew, full_name="B on it"))
    worker = WorkerFactory(full_name="A worker")
    AttendanceFactory(session=session, person=None, contractor_worker=worker)
    with CaptureQueriesContext(connection) as queries:
        rows = [
            (a.attendee_name, a.person and a.person.unit.name, a.contractor_worker and a.contractor_worker.company.name)
            for a in selectors.session_attendances(session)
        ]
    assert [r[0] for r in rows] == ["A worker", "B on it"] and len(queries) == 1
    free = PersonFactory(unit=org.crew)
    PersonFactory(unit=org.crew, is_active=False)
    PersonFactory(unit=org.other_shop)
    other_worker = WorkerFactory()
    people, workers = selectors.attendee_candidates(session, hse_specialist)
    assert on.person not in people and free in people
    assert {p.unit_id for p in people} <= {org.shop.pk, org.crew.pk}
    assert list(workers) == [other_worker]


def test_trainer_activity_in_two_queries_whatever_the_number_of_trainers(org):
    trainers = [UserFactory(role=Role.HSE_SPECIALIST) for _ in range(3)]
    first = trainers[0]
    delivered = TrainingSessionFactory(trainer=first, date=date(2026, 3, 1), status=DELIVERED, hours=4,
                                       preparation_hours=Decimal("6"))  # fmt: skip
    TrainingSessionFactory(trainer=first, date=date(2026, 4, 1), status=DELIVERED, hours=Decimal("2.5"))
    TrainingSessionFactory(trainer=first, date=date(2026, 5, 1), preparation_hours=2)  # planned
    TrainingSessionFactory(trainer=first, date=date(2026, 5, 2), status="cancelled", preparation_hours=9)
    for score in (5, 4, None):
        AttendanceFactory(session=delivered, presence="present", feedback_score=score)
    AttendanceFactory(session=delivered, presence="absent")
    TrainingSessionFactory(trainer=trainers[1], date=date(2025, 1, 1), status=DELIVERED)
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.trainer_activity_rows(trainers)
    assert len(queries) == 2
    one = rows[0]
    assert one.user == first
    assert (one.sessions_planned, one.sessions_delivered, one.hours_delivered, one.preparation_hours) == (
        1, 2, Decimal("6.5"), Decimal("8"),
    )  # fmt: skip
    assert (one.attendees, one.feedback_count, one.feedback_average) == (3, 2, 4.5)
    assert (rows[1].sessions_delivered, rows[2].sessions_delivered, rows[2].feedback_average) == (1, 0, None)
    window = selectors.trainer_activity_rows(trainers, since=date(2026, 3, 2), until=date(2026, 4, 1))
    assert (window[0].sessions_delivered, window[0].attendees, window[1].sessions_delivered) == (1, 0, 0)
    assert selectors.trainer_activity_rows([]) == []


def test_a_certificate_is_found_by_its_code_only():
    attendance = AttendanceFactory(passed_on=date(2026, 1, 10))
    found = selectors.certificate_by_code(f" {attendance.certificate_code} ")
    assert found == attendance
    with CaptureQueriesContext(connection) as queries:
        assert found.session.course.name and found.person.full_name
    assert len(queries) == 0
    assert selectors.certificate_by_code("nope") is None
    assert selectors.certificate_by_code("") is None
    assert selectors.certificate_by_code("x" * 200) is None
    assert Attendance.objects.count() == 1
