"""The competence matrix: the four cell states on both sides of each boundary (time travel), which
courses are required of whom (job title anywhere or under a unit, a unit and its sub-units), the
state filters done in SQL, the bounded queries of a page, and the CSV."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.org.models import Person
from apps.trainings import matrix
from apps.trainings.matrix import cell_state, competence_matrix, matrix_people_for_user, required_courses_for
from apps.trainings.models import EXPIRING_SOON_DAYS
from tests.factories import (
    AttendanceFactory,
    CourseFactory,
    PersonFactory,
    TrainingRequirementFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

SITE = ZoneInfo("Asia/Yekaterinburg")
D = date(2026, 12, 15)  # the last day a training is valid


def at(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=SITE)


# --- States --------------------------------------------------------------------------------------


def test_the_window_is_thirty_days():
    assert EXPIRING_SOON_DAYS == 30


@pytest.mark.parametrize(
    ("days_before", "state"),
    [(31, "valid"), (30, "expiring"), (1, "expiring"), (0, "expiring"), (-1, "expired"), (-400, "expired")],
)
def test_a_training_valid_until_d_changes_state_on_the_boundaries(time_machine, days_before, state):
    time_machine.move_to(at(D - timedelta(days=days_before)))
    today = timezone.localdate()
    assert today == D - timedelta(days=days_before)
    assert cell_state(D, today) == state


def test_no_training_is_missing():
    assert cell_state(None, D) == "missing"


def test_a_person_in_the_matrix_moves_from_valid_to_expiring_to_expired(time_machine, org):
    person = PersonFactory(unit=org.crew, job_title="Crane operator")
    course = CourseFactory(name="Lifting operations", validity_months=24)
    TrainingRequirementFactory(course=course, job_title="Crane operator")
    attendance = AttendanceFactory(person=person, course=course, valid_until=D)
    for days_before, state in [(31, "valid"), (30, "expiring"), (0, "expiring"), (-1, "expired")]:
        time_machine.move_to(at(D - timedelta(days=days_before)))
        result = competence_matrix(people=[person], today=timezone.localdate())
        assert result.courses == [course]
        assert result.rows[0].cells == [matrix.Cell(state, D, attendance.pk)]
        assert result.counts[state] == 1 and sum(result.counts.values()) == 1


def test_the_latest_training_counts_and_a_revoked_one_does_not(org):
    person = PersonFactory(unit=org.crew, job_title="Electrician")
    course = CourseFactory(name="LOTO")
    TrainingRequirementFactory(course=course, job_title="Electrician")
    AttendanceFactory(person=person, course=course, valid_until=D - timedelta(days=200))
    newer = AttendanceFactory(person=person, course=course, valid_until=D)
    AttendanceFactory(
        person=person, course=course, valid_until=D + timedelta(days=300), revoked_at=timezone.now(),
        revoke_reason="Signed by someone else",
    )  # fmt: skip
    cell = competence_matrix(people=[person], today=D - timedelta(days=100)).rows[0].cells[0]
    assert (cell.state, cell.valid_until, cell.attendance_id) == ("valid", D, newer.pk)


# --- Who must take what ----------------------------------------------------------------------------


def test_a_job_title_anywhere_is_required_whatever_the_case_and_spaces(org):
    course = TrainingRequirementFactory(job_title="Crane operator").course
    here = PersonFactory(unit=org.crew, job_title="  crane OPERATOR ")
    there = PersonFactory(unit=org.other_shop, job_title="Crane operator")
    other = PersonFactory(unit=org.crew, job_title="Slinger")
    assert required_courses_for([here, there, other]) == {here.pk: {course.pk}, there.pk: {course.pk}, other.pk: set()}


def test_a_job_title_under_a_unit_is_required_in_it_and_below_only(org):
    course = TrainingRequirementFactory(job_title="Electrician", unit=org.shop).course
    in_shop = PersonFactory(unit=org.shop, job_title="Electrician")
    in_crew = PersonFactory(unit=org.crew, job_title="Electrician")
    elsewhere = PersonFactory(unit=org.other_shop, job_title="Electrician")
    assert required_courses_for([in_shop, in_crew, elsewhere]) == {
        in_shop.pk: {course.pk}, in_crew.pk: {course.pk}, elsewhere.pk: set(),
    }  # fmt: skip


def test_a_unit_requirement_covers_its_sub_units_not_its_parent_nor_elsewhere(org):
    course = TrainingRequirementFactory(applies_to="unit", unit=org.crew).course
    below = UnitFactory(parent=org.crew, kind="crew")
    in_crew, in_below = PersonFactory(unit=org.crew), PersonFactory(unit=below)
    in_parent, elsewhere = PersonFactory(unit=org.shop), PersonFactory(unit=org.other_shop)
    assert required_courses_for([in_crew, in_below, in_parent, elsewhere]) == {
        in_crew.pk: {course.pk}, in_below.pk: {course.pk}, in_parent.pk: set(), elsewhere.pk: set(),
    }  # fmt: skip


def test_a_contractor_zone_requirement_is_not_asked_of_employees(org):
    TrainingRequirementFactory(applies_to="contractor_zone", unit=org.shop)
    person = PersonFactory(unit=org.shop)
    assert required_courses_for([person]) == {person.pk: set()}
    assert competence_matrix(people=[person], today=D).courses == []


def test_a_cell_is_none_where_the_course_is_not_required(org):
    lifting = TrainingRequirementFactory(course=CourseFactory(name="A lifting"), job_title="Crane operator").course
    first_aid = TrainingRequirementFactory(course=CourseFactory(name="B first aid"), applies_to="unit",
                                           unit=org.crew, job_title="").course  # fmt: skip
    operator = PersonFactory(unit=org.other_shop, job_title="Crane operator")
    sampler = PersonFactory(unit=org.crew, job_title="Sampler")
    result = competence_matrix(people=[operator, sampler], today=D)
    assert result.courses == [lifting, first_aid]
    assert [[c and c.state for c in row.cells] for row in result.rows] == [["missing", None], [None, "missing"]]
    assert result.counts == {"valid": 0, "expiring": 0, "expired": 0, "missing": 2}


def test_a_page_of_the_matrix_reads_three_queries_whatever_the_number_of_people(org):
    courses = [CourseFactory(name=f"Course {n}") for n in range(4)]
    for course in courses:
        TrainingRequirementFactory(course=course, job_title="Mechanic")
    TrainingRequirementFactory(course=courses[0], applies_to="unit", unit=org.shop, job_title="")

    def page(size):
        people = [PersonFactory(unit=org.crew, job_title="Mechanic") for _ in range(size)]
        for index, person in enumerate(people):
            AttendanceFactory(person=person, course=courses[index % 4], valid_until=D + timedelta(days=index))
        with CaptureQueriesContext(connection) as queries:
            result = competence_matrix(people=people, today=D)
        assert len(result.rows) == size and all(len(row.cells) == 4 for row in result.rows)
        return len(queries)

    assert page(2) == page(25) == 3


# --- Filtering in SQL ------------------------------------------------------------------------------


@pytest.fixture
def states(org):
    """Five mechanics of the crew, one per state of the lifting course, plus one with none required."""
    today = D
    lifting = CourseFactory(name="Lifting operations")
    first_aid = CourseFactory(name="First aid")
    TrainingRequirementFactory(course=lifting, job_title="Mechanic")
    TrainingRequirementFactory(course=first_aid, applies_to="unit", unit=org.shop, job_title="")
    people = {}
    for name, until in [
        ("valid", today + timedelta(days=31)),
        ("expiring", today + timedelta(days=30)),
        ("expiring_today", today),
        ("expired", today - timedelta(days=1)),
        ("missing", None),
    ]:
        person = PersonFactory(unit=org.crew, job_title="Mechanic", full_name=f"Mechanic {name}")
        if until:
            AttendanceFactory(person=person, course=lifting, valid_until=until)
        # first aid valid for everyone, so only the lifting course decides
        AttendanceFactory(person=person, course=first_aid, valid_until=today + timedelta(days=200))
        people[name] = person
    petrov = Person.objects.get(full_name="Petrov P. P.")  # the crew's flotation operator: first aid only
    AttendanceFactory(person=petrov, course=first_aid, valid_until=today + timedelta(days=200))
    people["elsewhere"] = PersonFactory(unit=org.other_shop, job_title="Slinger", full_name="Slinger elsewhere")
    return {"today": today, "lifting": lifting, "first_aid": first_aid, **people}


def _names(queryset):
    return sorted(p.full_name.removeprefix("Mechanic ") for p in queryset)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("expired", ["expired"]),
        ("expiring", ["expiring", "expiring_today"]),
        ("missing", ["missing"]),
        ("attention", ["expired", "expiring", "expiring_today", "missing"]),
    ],
)
def test_the_state_filter_keeps_exactly_the_people_with_such_a_cell(states, hse_head, state, expected):
    people = matrix_people_for_user(hse_head, state=state, today=states["today"])
    assert _names(people) == expected


def test_the_state_filter_for_one_course(states, hse_head):
    today = states["today"]
    assert _names(matrix_people_for_user(hse_head, state="attention", course=states["first_aid"], today=today)) == []
    assert _names(matrix_people_for_user(hse_head, state="missing", course=states["lifting"], today=today)) == [
        "missing"
    ]


def test_a_course_filter_keeps_those_it_is_required_of(states, hse_head):
    people = matrix_people_for_user(hse_head, course=states["lifting"], today=states["today"])
    assert len(people) == 5 and states["elsewhere"] not in people


def test_the_filters_by_unit_job_title_and_scope(states, hse_head, hse_specialist, outsider, org):
    today = states["today"]
    everyone = set(matrix_people_for_user(hse_head, today=today))
    assert states["elsewhere"] in everyone and states["valid"] in everyone
    assert states["elsewhere"] not in set(matrix_people_for_user(hse_specialist, today=today))
    assert set(matrix_people_for_user(outsider, today=today)) == set(
        matrix_people_for_user(hse_head, unit=org.other_shop, today=today)
    )
    assert len(matrix_people_for_user(hse_head, unit=org.shop, job_title=" mechanic", today=today)) == 5
    assert list(matrix_people_for_user(hse_head, job_title="Slinger", today=today)) == [states["elsewhere"]]


def test_the_filtered_people_are_one_query_and_inactive_people_are_left_out(states, hse_head):
    states["missing"].is_active = False
    states["missing"].save()
    people = matrix_people_for_user(hse_head, state="attention", today=states["today"])
    with CaptureQueriesContext(connection) as queries:
        names = _names(people)
    assert names == ["expired", "expiring", "expiring_today"] and len(queries) == 1


def test_a_course_required_of_nobody_filters_to_nobody(states, hse_head):
    unused = CourseFactory(name="Confined space")
    assert list(matrix_people_for_user(hse_head, course=unused, state="missing", today=states["today"])) == []


# --- CSV -------------------------------------------------------------------------------------------


def test_the_csv_has_a_header_and_one_row_per_person(states, hse_head):
    today = states["today"]
    people = matrix_people_for_user(hse_head, unit=states["valid"].unit, today=today)
    rows = list(matrix.matrix_csv_rows(people=people, today=today))
    assert rows[0] == ["Person", "Personnel number", "Unit", "Job title", "First aid", "Lifting operations"]
    by_name = {row[0]: row for row in rows[1:]}
    assert len(by_name) == 6 and by_name["Petrov P. P."][-2:] == [by_name["Mechanic valid"][-2], ""]
    first_aid = (today + timedelta(days=200)).strftime("%d.%m.%Y")
    assert by_name["Mechanic valid"][2:] == [
        "Flotation crew", "Mechanic", f"valid until {first_aid}",
        f"valid until {(today + timedelta(days=31)).strftime('%d.%m.%Y')}",
    ]  # fmt: skip
    assert by_name["Mechanic expired"][-1] == f"expired {(today - timedelta(days=1)).strftime('%d.%m.%Y')}"
    assert by_name["Mechanic expiring_today"][-1] == f"expiring {today.strftime('%d.%m.%Y')}"
    assert by_name["Mechanic missing"][-1] == "missing"
    slinger = list(matrix.matrix_csv_rows(people=[states["elsewhere"]], today=today))[1]
    assert slinger[-2:] == ["", ""]


# --- What mutation testing found untested --------------------------------------------------------


def test_a_job_title_under_a_unit_filters_in_sql_to_that_unit_and_below(org, hse_head):
    """The SQL filter and `required_courses_for` agree: the title under the shop, not elsewhere."""
    course = TrainingRequirementFactory(job_title="Electrician", unit=org.shop).course
    in_crew = PersonFactory(unit=org.crew, job_title="Electrician", full_name="Electrician crew")
    PersonFactory(unit=org.other_shop, job_title="Electrician", full_name="Electrician elsewhere")
    PersonFactory(unit=org.crew, job_title="Welder", full_name="Welder crew")
    assert list(matrix_people_for_user(hse_head, course=course, state="missing", today=D)) == [in_crew]


def test_two_requirements_of_one_course_each_bring_their_people(org, hse_head):
    """A course required of a job title and of a unit: people of either, in SQL as in Python."""
    course = CourseFactory(name="Gas safety")
    TrainingRequirementFactory(course=course, job_title="Welder")
    TrainingRequirementFactory(course=course, applies_to="unit", unit=org.other_shop, job_title="")
    welder = PersonFactory(unit=org.crew, job_title="Welder", full_name="A welder")
    driver = PersonFactory(unit=org.other_shop, job_title="Driver", full_name="A driver")
    PersonFactory(unit=org.crew, job_title="Driver", full_name="Crew driver")
    found = set(matrix_people_for_user(hse_head, course=course, state="missing", today=D))
    sidorov = Person.objects.get(full_name="Sidorov S. S.")  # the other shop's haul truck driver
    assert found == {welder, driver, sidorov}
    assert required_courses_for([welder, driver]) == {welder.pk: {course.pk}, driver.pk: {course.pk}}


def test_a_person_matching_the_second_requirement_only_is_still_required(org):
    """The requirements are all looked at: a first one that does not match does not end the search."""
    first = TrainingRequirementFactory(job_title="Fitter").course
    second = TrainingRequirementFactory(job_title="Slinger").course
    unit_course = TrainingRequirementFactory(applies_to="unit", unit=org.other_shop, job_title="").course
    in_crew = TrainingRequirementFactory(applies_to="unit", unit=org.crew, job_title="").course
    slinger = PersonFactory(unit=org.crew, job_title="Slinger")
    assert required_courses_for([slinger]) == {slinger.pk: {second.pk, in_crew.pk}}
    assert first.pk != unit_course.pk


def test_a_state_filter_over_several_courses_keeps_a_person_of_any(states, hse_head, org):
    """Missing first aid for one person, expired lifting for another: both need attention."""
    PersonFactory(unit=org.shop, job_title="Clerk", full_name="Mechanic clerk")
    people = _names(matrix_people_for_user(hse_head, state="attention", today=states["today"]))
    assert "clerk" in people and "expired" in people


def test_filters_given_as_ids_work_as_records(states, hse_head, org):
    today = states["today"]
    by_record = list(matrix_people_for_user(hse_head, unit=org.crew, course=states["lifting"], today=today))
    by_id = list(matrix_people_for_user(hse_head, unit=org.crew.pk, course=states["lifting"].pk, today=today))
    assert by_id == by_record and len(by_id) == 5


def test_the_rows_come_by_unit_then_name(org, hse_head):
    UnitFactory(name="Aaa shop", code="aaa-shop")
    zed = PersonFactory(unit=org.crew, full_name="Zed Z. Z.")
    abe = PersonFactory(unit=org.crew, full_name="Abe A. A.")
    crew = list(matrix_people_for_user(hse_head, unit=org.crew, today=D))
    assert crew.index(abe) < crew.index(zed)
    everyone = list(matrix_people_for_user(hse_head, today=D))
    units = [p.unit.name for p in everyone]
    assert units == sorted(units)


def test_a_contractor_workers_training_in_the_course_does_not_hide_the_employees_missing_it(org, hse_head):
    """A worker's attendance has no person: it must not reach the filter's subquery as a NULL
    (NOT IN a list holding NULL is never true, and every "missing" cell would vanish)."""
    from tests.factories import WorkerFactory

    course = TrainingRequirementFactory(job_title="Fitter").course
    fitter = PersonFactory(unit=org.crew, job_title="Fitter", full_name="The fitter")
    AttendanceFactory(person=None, contractor_worker=WorkerFactory(), course=course, valid_until=D)
    assert list(matrix_people_for_user(hse_head, course=course, state="missing", today=D)) == [fitter]
    assert list(matrix_people_for_user(hse_head, course=course, state="attention", today=D)) == [fitter]
