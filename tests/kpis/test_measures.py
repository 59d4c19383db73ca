"""Every KPI's numerator and denominator on hand-computed cases: empty periods, zero hours, month
boundaries in the portal's time zone (Asia/Yekaterinburg, UTC+5) and each rule's one-step
boundaries (14/15 days for signals, 90/91 days for repeat findings, the due date itself on time)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.accounts.roles import Role
from apps.actions.models import Action
from apps.incidents.models import Incident
from apps.kpis import definitions
from apps.kpis.measures import MEASURES, measure
from apps.observations.models import Observation
from apps.trainings.models import TrainingRequirement, TrainingSession
from tests.factories import (
    ActionFactory,
    AnsweredSignalFactory,
    AttendanceFactory,
    AuditAnswerFactory,
    AuditPlanEntryFactory,
    ChecklistItemFactory,
    ChecklistVersionFactory,
    ClosedInvestigationFactory,
    CompletedAuditFactory,
    ContractorAuditFactory,
    CourseFactory,
    HoursWorkedFactory,
    IncidentFactory,
    InternshipDayFactory,
    InternshipFactory,
    ObservationCategoryFactory,
    ObservationFactory,
    PersonFactory,
    SanctionFactory,
    SignalFactory,
    TrainingRequirementFactory,
    TrainingSessionFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MARCH, APRIL, MAY = date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)
TODAY = date(2026, 6, 15)
LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)
# The last second of March and the first of April on the site's clock (UTC+5).
LAST_SECOND_OF_MARCH = datetime(2026, 3, 31, 18, 59, 59, tzinfo=UTC)
FIRST_SECOND_OF_APRIL = datetime(2026, 3, 31, 19, 0, 0, tzinfo=UTC)


def local(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def rows(code, *, start=MARCH, end=MAY, unit_ids=None, today=TODAY):
    """{(unit id, person id, month): (numerator, denominator)}"""
    found = {}
    for row in measure(code, start=start, end=end, unit_ids=unit_ids, today=today):
        key = (row.unit_id, row.person_id, row.month)
        assert key not in found, f"duplicate row {key}"
        found[key] = (row.numerator, row.denominator)
    return found


def unit_rows(code, **kwargs):
    return {key: value for key, value in rows(code, **kwargs).items() if key[1] is None}


@pytest.fixture
def unit():
    return UnitFactory()


@pytest.fixture
def specialist(unit):
    return UserFactory(role=Role.HSE_SPECIALIST, units=[unit])


def test_every_kpi_has_a_measure_and_an_empty_database_gives_no_rows():
    assert set(MEASURES) == {kpi.code for kpi in definitions.KPIS}
    for code in MEASURES:
        assert measure(code, start=MARCH, end=MAY, today=TODAY) == []


def test_unknown_kpi_is_refused():
    with pytest.raises(KeyError):
        measure("nothing", start=MARCH, end=MAY)


def test_months_after_today_are_left_out(unit, specialist):
    ObservationFactory(unit=unit, observer=specialist, observed_at=local(date(2026, 6, 1)))
    assert measure("observations", start=date(2026, 7, 1), end=date(2026, 9, 1), today=TODAY) == []
    assert len(measure("observations", start=MARCH, end=date(2026, 9, 1), today=TODAY)) == 2


# --- Observations ----------------------------------------------------------------------------------


def test_observations_by_month_unit_and_observer_with_the_month_boundary(unit, specialist):
    other = UserFactory(role=Role.HSE_SPECIALIST, units=[unit])
    ObservationFactory(unit=unit, observer=specialist, observed_at=LAST_SECOND_OF_MARCH)
    ObservationFactory(unit=unit, observer=specialist, observed_at=local(MARCH))
    ObservationFactory(unit=unit, observer=other, observed_at=local(MARCH))
    ObservationFactory(unit=unit, observer=specialist, observed_at=FIRST_SECOND_OF_APRIL)
    found = rows("observations")
    assert found == {
        (unit.pk, specialist.pk, MARCH): (2, None),
        (unit.pk, other.pk, MARCH): (1, None),
        (unit.pk, None, MARCH): (3, None),
        (unit.pk, specialist.pk, APRIL): (1, None),
        (unit.pk, None, APRIL): (1, None),
    }


def test_unit_filter(unit, specialist):
    elsewhere = UnitFactory()
    ObservationFactory(unit=unit, observer=specialist, observed_at=local(MARCH))
    ObservationFactory(unit=elsewhere, observer=specialist, observed_at=local(MARCH))
    assert set(unit_rows("observations", unit_ids=[elsewhere.pk])) == {(elsewhere.pk, None, MARCH)}
    assert measure("observations", start=MARCH, end=MAY, unit_ids=[], today=TODAY) == []


def test_feedback_share(unit, specialist):
    ObservationFactory(
        unit=unit, observer=specialist, observed_at=local(MARCH), feedback_given=True, feedback_to="worker"
    )
    ObservationFactory(unit=unit, observer=specialist, observed_at=local(MARCH))
    ObservationFactory(unit=unit, observer=specialist, observed_at=local(MARCH))
    assert unit_rows("feedback_share") == {(unit.pk, None, MARCH): (1, 3)}
    assert rows("feedback_share")[(unit.pk, specialist.pk, MARCH)] == (1, 3)


def test_safe_share_leaves_near_misses_out(unit, specialist):
    kinds = [
        Observation.Kind.SAFE_ACT,
        Observation.Kind.GOOD_PRACTICE,
        Observation.Kind.UNSAFE_ACT,
        Observation.Kind.UNSAFE_CONDITION,
        Observation.Kind.NEAR_MISS,
    ]
    for kind in kinds:
        ObservationFactory(unit=unit, observer=specialist, observed_at=local(MARCH), kind=kind)
    assert rows("safe_share") == {(unit.pk, None, MARCH): (2, 4)}


def test_safe_share_of_only_near_misses_has_no_row(unit, specialist):
    ObservationFactory(unit=unit, observer=specialist, observed_at=local(MARCH), kind=Observation.Kind.NEAR_MISS)
    assert rows("safe_share") == {}


# --- Audits ----------------------------------------------------------------------------------------


def test_audits_done_counts_plan_entries_completed_by_the_end_of_their_month(unit, specialist):
    in_time = AuditPlanEntryFactory(unit=unit, auditor=specialist, month=MARCH)
    CompletedAuditFactory(plan_entry=in_time, unit=unit, auditor=specialist, started_at=LAST_SECOND_OF_MARCH)
    late = AuditPlanEntryFactory(unit=unit, auditor=specialist, month=MARCH)
    CompletedAuditFactory(plan_entry=late, unit=unit, auditor=specialist, started_at=FIRST_SECOND_OF_APRIL)
    started = AuditPlanEntryFactory(unit=unit, auditor=specialist, month=MARCH)
    from tests.factories import AuditFactory

    AuditFactory(plan_entry=started, unit=unit, auditor=specialist, started_at=local(MARCH))
    AuditPlanEntryFactory(unit=unit, auditor=specialist, month=MARCH)  # not started
    found = rows("audits_done")
    assert found[(unit.pk, None, MARCH)] == (1, 4)
    assert found[(unit.pk, specialist.pk, MARCH)] == (1, 4)
    assert (unit.pk, None, APRIL) not in found  # the late audit does not count for April's plan


def test_contractor_audits_by_completion(unit):
    ContractorAuditFactory(audit=CompletedAuditFactory(unit=unit, started_at=LAST_SECOND_OF_MARCH))
    ContractorAuditFactory(audit=CompletedAuditFactory(unit=unit, started_at=FIRST_SECOND_OF_APRIL))
    from tests.factories import AuditFactory

    ContractorAuditFactory(audit=AuditFactory(unit=unit, started_at=local(MARCH)))  # in progress
    assert rows("contractor_audits") == {(unit.pk, None, MARCH): (1, None), (unit.pk, None, APRIL): (1, None)}


def test_contractor_sanctions_by_decision_in_the_unit_of_the_violation(unit):
    SanctionFactory(violation__unit=unit, decided_at=LAST_SECOND_OF_MARCH)
    SanctionFactory(violation__unit=unit, decided_at=local(MARCH))
    SanctionFactory(violation__unit=unit, decided_at=FIRST_SECOND_OF_APRIL)
    assert rows("contractor_sanctions") == {(unit.pk, None, MARCH): (2, None), (unit.pk, None, APRIL): (1, None)}


# --- Investigations --------------------------------------------------------------------------------


def test_investigations_on_time_the_deadline_itself_is_on_time(unit):
    deadline = date(2026, 3, 20)
    on_deadline = timezone.make_aware(datetime(2026, 3, 20, 23, 59))
    day_after = timezone.make_aware(datetime(2026, 3, 21, 0, 1))
    ClosedInvestigationFactory(incident__unit=unit, deadline=deadline, closed_at=on_deadline)
    ClosedInvestigationFactory(incident__unit=unit, deadline=deadline, closed_at=day_after)
    from tests.factories import InvestigationFactory

    InvestigationFactory(incident__unit=unit)  # still open
    assert rows("investigations_on_time") == {(unit.pk, None, MARCH): (1, 2)}


def test_investigation_quality_averages_the_scores_of_those_closed(unit):
    # No analysis, no actions: only "on time" passes (20) for the first, nothing for the late one.
    ClosedInvestigationFactory(
        incident__unit=unit, deadline=date(2026, 3, 20), closed_at=local(date(2026, 3, 18)),
        approved_at=local(date(2026, 3, 18)),
    )  # fmt: skip
    ClosedInvestigationFactory(
        incident__unit=unit, deadline=date(2026, 3, 20), closed_at=local(date(2026, 3, 25)),
        approved_at=local(date(2026, 3, 25)),
    )  # fmt: skip
    assert rows("investigation_quality") == {(unit.pk, None, MARCH): (20, 2)}


def test_investigation_quality_queries_do_not_grow_with_investigations(unit, django_assert_max_num_queries):
    for day in range(1, 11):
        ClosedInvestigationFactory(incident__unit=unit, closed_at=local(date(2026, 3, day)))
    with django_assert_max_num_queries(8):
        measure("investigation_quality", start=MARCH, end=MAY, today=TODAY)


# --- Actions ---------------------------------------------------------------------------------------


def test_actions_on_time_the_due_date_itself_is_on_time(unit):
    owner = UserFactory(role=Role.LINE_MANAGER, units=[unit])
    due = date(2026, 3, 20)
    ActionFactory(unit=unit, owner=owner, due_date=due, status="done", completed_at=local(due, 23))
    ActionFactory(unit=unit, owner=owner, due_date=due, status="verified", completed_at=local(due + timedelta(1), 0),
                  verified_by=owner)  # fmt: skip
    ActionFactory(unit=unit, owner=owner, due_date=due, status="open")
    found = rows("actions_on_time")
    assert found == {(unit.pk, owner.pk, MARCH): (1, 2), (unit.pk, None, MARCH): (1, 2)}


def _action(unit, owner, *, created, due, **fields):
    action = ActionFactory(unit=unit, owner=owner, due_date=due, **fields)
    Action.objects.filter(pk=action.pk).update(created_at=created, updated_at=fields.get("updated_at", created))
    return action


def test_overdue_actions_at_month_end_rebuilt_from_dates(unit):
    owner = UserFactory(role=Role.LINE_MANAGER, units=[unit])
    end_of_march = date(2026, 3, 31)
    # Overdue on 31 March: due the day before, still open.
    _action(unit, owner, created=LONG_AGO, due=date(2026, 3, 30))
    # Due on the last day: not yet overdue that day.
    _action(unit, owner, created=LONG_AGO, due=end_of_march)
    # Done in April: still open at the end of March, so overdue then.
    _action(unit, owner, created=LONG_AGO, due=date(2026, 3, 1), status="done", completed_at=local(date(2026, 4, 2)))
    # Done on 31 March: not overdue at the end of March.
    _action(unit, owner, created=LONG_AGO, due=date(2026, 3, 1), status="done", completed_at=local(end_of_march, 23))
    # Created in April: not there at the end of March.
    _action(unit, owner, created=local(date(2026, 4, 1)), due=date(2026, 3, 1))
    # Cancelled in March: gone; cancelled in April: still overdue at the end of March.
    _action(unit, owner, created=LONG_AGO, due=date(2026, 3, 1), status="cancelled", cancel_reason="dup",
            updated_at=local(date(2026, 3, 15)))  # fmt: skip
    _action(unit, owner, created=LONG_AGO, due=date(2026, 3, 1), status="cancelled", cancel_reason="dup",
            updated_at=local(date(2026, 4, 15)))  # fmt: skip
    found = rows("overdue_actions", start=MARCH, end=MARCH)
    assert found == {(unit.pk, owner.pk, MARCH): (3, None), (unit.pk, None, MARCH): (3, None)}
    # Days late on 31 March: 1 + 30 + 30.
    assert rows("overdue_age", start=MARCH, end=MARCH) == {(unit.pk, None, MARCH): (61, 3)}


def test_overdue_actions_of_the_current_month_are_counted_today(unit):
    owner = UserFactory(role=Role.LINE_MANAGER, units=[unit])
    _action(unit, owner, created=LONG_AGO, due=TODAY - timedelta(days=1))
    _action(unit, owner, created=LONG_AGO, due=TODAY)
    june = date(2026, 6, 1)
    assert unit_rows("overdue_actions", start=june, end=june) == {(unit.pk, None, june): (1, None)}
    assert rows("overdue_age", start=june, end=june) == {(unit.pk, None, june): (1, 1)}


def test_no_overdue_actions_no_rows(unit):
    owner = UserFactory(role=Role.LINE_MANAGER, units=[unit])
    _action(unit, owner, created=LONG_AGO, due=date(2027, 1, 1))
    assert rows("overdue_actions") == {}
    assert rows("overdue_age") == {}


# --- Repeat findings -------------------------------------------------------------------------------


@pytest.mark.parametrize(("days_before", "repeat"), [(90, True), (91, False)])
def test_repeat_observation_within_90_days(unit, specialist, days_before, repeat):
    category = ObservationCategoryFactory(code="loto")
    found_at = local(date(2026, 4, 10))
    ObservationFactory(unit=unit, observer=specialist, category=category, observed_at=found_at)
    ObservationFactory(
        unit=unit, observer=specialist, category=category, observed_at=found_at - timedelta(days=days_before)
    )
    expected = {(unit.pk, None, APRIL): (1, None)} if repeat else {}
    assert rows("repeat_findings", start=APRIL, end=APRIL) == expected


def test_repeat_needs_the_same_unit_category_and_an_unsafe_kind(unit, specialist):
    category, other_category = ObservationCategoryFactory(code="loto"), ObservationCategoryFactory(code="ppe")
    found_at = local(date(2026, 4, 10))
    ObservationFactory(unit=unit, observer=specialist, category=category, observed_at=found_at)
    before = found_at - timedelta(days=10)
    ObservationFactory(unit=UnitFactory(), observer=specialist, category=category, observed_at=before)
    ObservationFactory(unit=unit, observer=specialist, category=other_category, observed_at=before)
    ObservationFactory(unit=unit, observer=specialist, category=category, observed_at=before, kind="safe_act")
    assert rows("repeat_findings", start=APRIL, end=APRIL) == {}
    # A safe act is never a repeat, even after an unsafe one.
    ObservationFactory(unit=unit, observer=specialist, category=category, observed_at=found_at + timedelta(1),
                       kind="good_practice")  # fmt: skip
    assert rows("repeat_findings", start=APRIL, end=APRIL) == {}
    # The third unsafe one repeats the first (and the first repeats nothing).
    ObservationFactory(unit=unit, observer=specialist, category=category, observed_at=found_at + timedelta(2))
    assert rows("repeat_findings", start=APRIL, end=APRIL) == {(unit.pk, None, APRIL): (1, None)}


@pytest.mark.parametrize(("days_before", "repeat"), [(90, True), (91, False)])
def test_repeat_audit_finding_same_checklist_item_wording(unit, days_before, repeat):
    version = ChecklistVersionFactory()
    later_version = ChecklistVersionFactory(template=version.template, number=2)
    completed = local(date(2026, 4, 10))
    first = CompletedAuditFactory(unit=unit, template_version=version, started_at=completed - timedelta(days_before))
    second = CompletedAuditFactory(unit=unit, template_version=later_version, started_at=completed)
    AuditAnswerFactory(audit=first, item=ChecklistItemFactory(version=version, text="Guard on tail pulley"))
    AuditAnswerFactory(audit=second, item=ChecklistItemFactory(version=later_version, text="Guard on tail pulley"))
    AuditAnswerFactory(audit=second, item=ChecklistItemFactory(version=later_version, text="Another question"))
    expected = {(unit.pk, None, APRIL): (1, None)} if repeat else {}
    assert rows("repeat_findings", start=APRIL, end=APRIL) == expected


def test_repeat_findings_add_observations_and_audits(unit, specialist):
    category = ObservationCategoryFactory(code="loto")
    found_at = local(date(2026, 4, 10))
    for days in (0, 5):
        ObservationFactory(unit=unit, observer=specialist, category=category, observed_at=found_at - timedelta(days))
    version = ChecklistVersionFactory()
    for days in (0, 5):
        audit = CompletedAuditFactory(unit=unit, template_version=version, started_at=found_at - timedelta(days))
        AuditAnswerFactory(audit=audit, item=ChecklistItemFactory(version=version, text="Guard"))
    assert rows("repeat_findings", start=APRIL, end=APRIL) == {(unit.pk, None, APRIL): (2, None)}


# --- Trainings and internships ---------------------------------------------------------------------


def test_trainings_delivered_by_date_and_trainer(unit):
    trainer = UserFactory(role=Role.LINE_MANAGER, units=[unit])
    TrainingSessionFactory(unit=unit, trainer=trainer, date=date(2026, 3, 31), status="delivered")
    TrainingSessionFactory(unit=unit, trainer=trainer, date=date(2026, 4, 1), status="delivered")
    TrainingSessionFactory(unit=unit, trainer=trainer, date=date(2026, 3, 5), status="planned")
    TrainingSessionFactory(unit=unit, trainer=trainer, date=date(2026, 3, 6), status="cancelled")
    assert rows("trainings_delivered") == {
        (unit.pk, trainer.pk, MARCH): (1, None),
        (unit.pk, None, MARCH): (1, None),
        (unit.pk, trainer.pk, APRIL): (1, None),
        (unit.pk, None, APRIL): (1, None),
    }


def _requirement(**fields):
    requirement = TrainingRequirementFactory(**fields)
    TrainingRequirement.objects.filter(pk=requirement.pk).update(created_at=LONG_AGO)
    return requirement


def _session(course, day):
    return TrainingSessionFactory(course=course, date=day, status="delivered")


def test_training_compliance_at_month_end(unit):
    course = CourseFactory(validity_months=12)
    _requirement(course=course, job_title="Mechanic")
    valid, expires_on_last_day, expired, missing = (PersonFactory(unit=unit, job_title="Mechanic") for _ in range(4))
    PersonFactory(unit=unit, job_title="Cook")  # nothing required
    PersonFactory(unit=unit, job_title="Mechanic", is_active=False)  # off the rolls
    AttendanceFactory(person=valid, session=_session(course, date(2026, 1, 10)), valid_until=date(2027, 1, 10))
    AttendanceFactory(person=expires_on_last_day, session=_session(course, date(2025, 3, 31)),
                      valid_until=date(2026, 3, 31))  # fmt: skip
    AttendanceFactory(person=expired, session=_session(course, date(2025, 3, 30)),
                      valid_until=date(2026, 3, 30))  # fmt: skip
    assert missing  # no training at all
    found = rows("training_compliance", start=MARCH, end=APRIL)
    assert found[(unit.pk, None, MARCH)] == (2, 4)
    assert found[(unit.pk, None, APRIL)] == (1, 4)


def test_training_compliance_rebuilds_the_past(unit):
    course = CourseFactory(validity_months=12)
    _requirement(course=course, job_title="Mechanic")
    person = PersonFactory(unit=unit, job_title="Mechanic")
    # Trained in April: missing at the end of March, in force at the end of April.
    AttendanceFactory(person=person, session=_session(course, date(2026, 4, 3)), valid_until=date(2027, 4, 3))
    # Revoked in May: in force at the end of April still (the same certificate counted once).
    revoked = AttendanceFactory(
        person=PersonFactory(unit=unit, job_title="Mechanic"), session=_session(course, date(2026, 1, 3)),
        valid_until=date(2027, 1, 3),
    )  # fmt: skip
    type(revoked).objects.filter(pk=revoked.pk).update(revoked_at=local(date(2026, 5, 5)), revoke_reason="fraud")
    found = rows("training_compliance", start=MARCH, end=MAY)
    assert found[(unit.pk, None, MARCH)] == (1, 2)
    assert found[(unit.pk, None, APRIL)] == (2, 2)
    assert found[(unit.pk, None, MAY)] == (1, 2)


def test_training_compliance_requirements_made_later_do_not_count(unit):
    course = CourseFactory()
    requirement = TrainingRequirementFactory(course=course, applies_to="unit", unit=unit, job_title="")
    TrainingRequirement.objects.filter(pk=requirement.pk).update(created_at=local(date(2026, 4, 10)))
    PersonFactory(unit=unit)
    found = rows("training_compliance", start=MARCH, end=APRIL)
    assert found == {(unit.pk, None, APRIL): (0, 1)}


def test_training_compliance_without_requirements_has_no_rows(unit):
    PersonFactory(unit=unit)
    assert rows("training_compliance") == {}


def test_internship_days_per_specialist(unit):
    internship = InternshipFactory(unit=unit, starts_on=date(2026, 3, 30), ends_on=date(2026, 4, 1))
    for day in (date(2026, 3, 30), date(2026, 3, 31), date(2026, 4, 1)):
        InternshipDayFactory(internship=internship, day=day)
    found = rows("internship_days")
    assert found[(unit.pk, internship.specialist_id, MARCH)] == (2, None)
    assert found[(unit.pk, None, MARCH)] == (2, None)
    assert found[(unit.pk, None, APRIL)] == (1, None)


@pytest.mark.parametrize(("answered_after", "in_time"), [(14, True), (15, False)])
def test_signals_answered_within_14_days(unit, answered_after, in_time):
    recorded = date(2026, 3, 10)  # its 14 days run out on 24 March
    internship = InternshipFactory(unit=unit, starts_on=recorded, ends_on=recorded + timedelta(2))
    AnsweredSignalFactory(
        internship=internship, recorded_on=recorded, responded_on=recorded + timedelta(answered_after)
    )
    assert rows("signals_answered") == {(unit.pk, None, MARCH): (1 if in_time else 0, 1)}


def test_signals_counted_in_the_month_their_14_days_run_out(unit):
    internship = InternshipFactory(unit=unit, starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 3))
    SignalFactory(internship=internship, recorded_on=date(2026, 3, 17))  # due 31 March
    SignalFactory(internship=internship, recorded_on=date(2026, 3, 18))  # due 1 April
    SignalFactory(internship=None, unit=unit, recorded_on=date(2026, 2, 20))  # due 6 March, unanswered
    assert rows("signals_answered") == {(unit.pk, None, MARCH): (0, 2), (unit.pk, None, APRIL): (0, 1)}


def test_signals_not_yet_due_today_are_not_counted(unit):
    june = date(2026, 6, 1)
    SignalFactory(internship=None, unit=unit, recorded_on=TODAY - timedelta(days=14))  # due today
    SignalFactory(internship=None, unit=unit, recorded_on=TODAY - timedelta(days=13))  # due tomorrow
    assert rows("signals_answered", start=june, end=june) == {(unit.pk, None, june): (0, 1)}


# --- Lagging rates ---------------------------------------------------------------------------------


def test_rates_count_cases_against_hours(unit):
    HoursWorkedFactory(unit=unit, month=MARCH, hours=Decimal("40000"))
    HoursWorkedFactory(unit=unit, month=APRIL, hours=Decimal("0"))
    C = Incident.Classification
    IncidentFactory(unit=unit, occurred_at=LAST_SECOND_OF_MARCH, classification=C.LOST_TIME, days_lost=5)
    IncidentFactory(unit=unit, occurred_at=local(MARCH), classification=C.RESTRICTED)
    IncidentFactory(unit=unit, occurred_at=local(MARCH), classification=C.MEDICAL)
    IncidentFactory(unit=unit, occurred_at=local(MARCH), classification=C.FATALITY)
    IncidentFactory(unit=unit, occurred_at=local(MARCH), classification=C.FIRST_AID)
    IncidentFactory(unit=unit, occurred_at=FIRST_SECOND_OF_APRIL, classification=C.MEDICAL)
    hours = Decimal("40000")
    assert rows("trir") == {(unit.pk, None, MARCH): (4, hours), (unit.pk, None, APRIL): (1, 0)}
    assert rows("dart")[(unit.pk, None, MARCH)] == (2, hours)
    assert rows("ltifr")[(unit.pk, None, MARCH)] == (2, hours)
    assert rows("severity_rate")[(unit.pk, None, MARCH)] == (5, hours)
    # Zero hours: a row whose value is None, never a division error.
    assert definitions.value_of(definitions.kpi("trir"), 1, Decimal(0)) is None
    assert definitions.value_of(definitions.kpi("trir"), 4, hours) == Decimal(20)


def test_rates_with_hours_and_no_cases_have_a_zero_row(unit):
    HoursWorkedFactory(unit=unit, month=MARCH, hours=Decimal("1000"))
    assert rows("trir") == {(unit.pk, None, MARCH): (0, Decimal("1000"))}
    assert rows("severity_rate") == {(unit.pk, None, MARCH): (0, Decimal("1000"))}


def test_near_miss_ratio(unit):
    IncidentFactory(unit=unit, occurred_at=local(MARCH), type=Incident.Type.NEAR_MISS, classification="none")
    IncidentFactory(unit=unit, occurred_at=local(MARCH), type=Incident.Type.NEAR_MISS, classification="none")
    IncidentFactory(unit=unit, occurred_at=local(MARCH), type=Incident.Type.INJURY)
    IncidentFactory(unit=unit, occurred_at=local(APRIL), type=Incident.Type.NEAR_MISS, classification="none")
    IncidentFactory(unit=unit, occurred_at=local(APRIL), type=Incident.Type.PROPERTY, classification="none")
    assert rows("near_miss_ratio") == {(unit.pk, None, MARCH): (2, 1), (unit.pk, None, APRIL): (1, 0)}
    assert definitions.value_of(definitions.kpi("near_miss_ratio"), 1, 0) is None


def test_session_status_values_are_the_models():
    assert TrainingSession.Status.DELIVERED == "delivered"
