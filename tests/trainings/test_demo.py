"""The demo holds the issue's "done when" for trainings: a competence matrix with valid, expiring,
expired and missing cells in several units, every trainer's activity, sessions planned ahead, and a
contractor worker refused at the gate because their site induction ran out. Loading it twice
changes nothing."""

from collections import Counter
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from apps.accounts.models import User
from apps.audit.models import AuditEntry
from apps.contractors import gate
from apps.contractors.models import AccessPass, GateCheck
from apps.org.models import Person
from apps.trainings import matrix, selectors
from apps.trainings.models import Attendance, Course, Trainer, TrainingRequirement, TrainingSession

pytestmark = pytest.mark.django_db

SITE = ZoneInfo("Asia/Yekaterinburg")
TODAY = date(2026, 11, 22)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.combine(TODAY, time(8), tzinfo=SITE))


@pytest.fixture
def demo(db):
    from apps.core.demo import load_demo_data

    return load_demo_data(today=TODAY)


def test_the_courses_requirements_and_trainers(demo):
    assert 6 <= Course.objects.count() <= 8
    validity = dict(Course.objects.values_list("code", "validity_months"))
    assert (validity["defensive-driving"], validity["first-aid"], validity["lifting-operations"]) == (36, 12, 24)
    kinds = Counter(TrainingRequirement.objects.values_list("applies_to", flat=True))
    assert kinds["job_title"] >= 6 and kinds["unit"] >= 1 and kinds["contractor_zone"] >= 1
    trainers = set(Trainer.objects.filter(is_active=True).values_list("user__username", flat=True))
    assert {"specialist", "specialist2", "manager", "head"} <= trainers
    assert all(Trainer.objects.values_list("qualification", flat=True))


def test_the_matrix_shows_every_state_in_several_units(demo):
    head = User.objects.get(username="head")
    people = matrix.matrix_people_for_user(head, today=TODAY)
    result = matrix.competence_matrix(people=people, today=TODAY)
    assert all(result.counts[state] >= 5 for state in matrix.STATES), result.counts
    units_with = {state: set() for state in matrix.STATES}
    for row in result.rows:
        for cell in row.cells:
            if cell is not None:
                units_with[cell.state].add(row.person.unit_id)
    assert all(len(units) >= 3 for units in units_with.values()), units_with
    # The filters in SQL agree with the cells.
    for state in ("expired", "expiring", "missing"):
        expected = {row.person.pk for row in result.rows if any(c and c.state == state for c in row.cells)}
        assert set(matrix.matrix_people_for_user(head, state=state, today=TODAY).values_list("pk", flat=True)) == (
            expected
        )


def test_every_trainer_has_activity_and_sessions_are_planned_ahead(demo):
    users = list(User.objects.filter(username__in=["specialist", "specialist2", "manager", "head"]).order_by("pk"))
    rows = selectors.trainer_activity_rows(users, since=date(2025, 11, 22), until=TODAY)
    for row in rows:
        assert row.sessions_delivered >= 1 and row.attendees >= 1 and row.hours_delivered > 0, row
    assert any(row.feedback_count for row in rows) and all(
        1 <= row.feedback_average <= 5 for row in rows if row.feedback_count
    )
    planned = TrainingSession.objects.filter(status="planned", date__gt=TODAY)
    assert planned.count() >= 3 and Attendance.objects.filter(session__in=planned).exists()
    # Delivered sessions: someone present at each, validity as the course says, certificates unique.
    delivered = TrainingSession.objects.filter(status="delivered")
    assert not delivered.exclude(attendances__presence="present").exists()
    assert not delivered.filter(date__gt=TODAY).exists()
    passed = Attendance.objects.filter(valid_until__isnull=False)
    assert passed.count() == passed.exclude(certificate_code=None).count() > 50
    assert not Attendance.objects.filter(session__status="planned").exclude(presence="registered").exists()
    for trainer_id, course_id, day in delivered.values_list("trainer_id", "course_id", "date"):
        assert Trainer.objects.filter(user_id=trainer_id, course_id=course_id, qualified_on__lte=day).exists()


def test_a_contractor_worker_is_refused_at_the_gate_for_an_expired_induction(demo):
    check = GateCheck.objects.filter(reasons__contains=[{"code": "training_expired"}]).get()
    assert not check.allowed and check.checkpoint == "Concentrator gate"
    assert check.reasons == [{"code": "training_expired", "detail": "Site induction|2026-11-17"}]
    text = gate.describe(check.reasons[0])
    assert text.startswith("The training in Site induction") and "ran out" in text
    # Everyone else with a pass has an induction in force: their gate answers are the contractors demo's.
    induction = Course.objects.get(code="site-induction")
    expired = Attendance.objects.filter(session__course=induction, valid_until__lt=TODAY)
    assert expired.count() == 1 and expired.get().contractor_worker == check.access_pass.holder
    holders = AccessPass.objects.values("holder_id")
    inducted = Attendance.objects.filter(
        session__course=induction, valid_until__gte=TODAY, contractor_worker__in=holders
    )
    assert inducted.values("contractor_worker").distinct().count() == holders.distinct().count() - 1
    assert [r.code for r in gate.refusals_for(check.access_pass, today=TODAY)] == ["training_expired"]


def test_loading_twice_changes_nothing(demo):
    from apps.core.demo import load_demo_data

    def counts():
        return (Course.objects.count(), TrainingRequirement.objects.count(), Trainer.objects.count(),
                TrainingSession.objects.count(), Attendance.objects.count(), GateCheck.objects.count(),
                AuditEntry.objects.count(), Person.objects.count())  # fmt: skip

    before = counts()
    assert load_demo_data(today=TODAY) == demo
    assert counts() == before
    assert demo["trainings"] == TrainingSession.objects.count()
