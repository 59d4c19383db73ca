"""Snapshots equal the live figures on random data, refreshing is idempotent and order-free, and a
rollup is a ratio of sums (a shop's figure is that of its units' rows together)."""

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.accounts.roles import Role
from apps.actions.models import Action
from apps.common.dates import months_back
from apps.incidents.models import Incident
from apps.kpis import definitions
from apps.kpis.models import KpiSnapshot
from apps.kpis.selectors import kpi_series, live_kpi_series
from apps.kpis.snapshots import snapshots_refresh, snapshots_refresh_all
from apps.observations.models import Observation
from apps.trainings.models import TrainingRequirement
from tests.factories import (
    ActionFactory,
    AnsweredSignalFactory,
    AttendanceFactory,
    AuditPlanEntryFactory,
    ClosedInvestigationFactory,
    CompletedAuditFactory,
    HoursWorkedFactory,
    IncidentFactory,
    ObservationCategoryFactory,
    ObservationFactory,
    PersonFactory,
    SignalFactory,
    TrainingRequirementFactory,
    TrainingSessionFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)
MONTHS = months_back(TODAY, 5)  # February to June 2026
CODES = [kpi.code for kpi in definitions.KPIS]


def _moment(rng, months=MONTHS):
    month = rng.choice(months)
    day = rng.randint(1, 28)
    last = TODAY if month == MONTHS[-1] else None
    if last is not None:
        day = rng.randint(1, last.day)
    # Any hour of the local day, including the last hours (UTC+5: the UTC date is the day before).
    return timezone.make_aware(datetime(month.year, month.month, day, rng.randint(0, 23), rng.randint(0, 59)))


def build_random_world(seed: int):
    rng = random.Random(seed)
    shop = UnitFactory()
    crews = [UnitFactory(parent=shop), UnitFactory(parent=shop)]
    units = [shop, *crews]
    people = [UserFactory(role=Role.HSE_SPECIALIST, units=[shop]) for _ in range(3)]
    categories = [ObservationCategoryFactory(code=code) for code in ("ppe", "loto", "height")]
    for _ in range(60):
        feedback = rng.random() < 0.6
        ObservationFactory(
            unit=rng.choice(units), observer=rng.choice(people), observed_at=_moment(rng),
            kind=rng.choice(Observation.Kind.values), category=rng.choice(categories),
            feedback_given=feedback, feedback_to="worker" if feedback else "",
        )  # fmt: skip
    for _ in range(40):
        created = _moment(rng)
        status = rng.choice(["open", "in_progress", "done", "verified", "cancelled"])
        due = created.date() + timedelta(days=rng.randint(-5, 40))
        fields = {}
        if status in ("done", "verified"):
            fields["completed_at"] = created + timedelta(days=rng.randint(0, 40))
        if status == "verified":
            fields["verified_by"] = people[0]
        if status == "cancelled":
            fields["cancel_reason"] = "Duplicate"
        action = ActionFactory(unit=rng.choice(units), owner=rng.choice(people), due_date=due, status=status, **fields)
        Action.objects.filter(pk=action.pk).update(created_at=created, updated_at=created + timedelta(days=3))
    for _ in range(25):
        classification = rng.choice(Incident.Classification.values)
        IncidentFactory(
            unit=rng.choice(units), occurred_at=_moment(rng), type=rng.choice(["injury", "near_miss", "property"]),
            classification=classification, days_lost=rng.randint(1, 20) if classification == "lost_time" else 0,
        )  # fmt: skip
    for unit in units:
        for month in MONTHS:
            if rng.random() < 0.8:
                HoursWorkedFactory(unit=unit, month=month, hours=Decimal(rng.choice([0, 800, 1500, 16000])))
    for _ in range(8):
        closed = _moment(rng)
        ClosedInvestigationFactory(
            incident__unit=rng.choice(units), closed_at=closed, approved_at=closed,
            deadline=closed.date() + timedelta(days=rng.randint(-3, 3)),
        )  # fmt: skip
    for _ in range(8):
        unit, auditor, month = rng.choice(units), rng.choice(people), rng.choice(MONTHS)
        entry = AuditPlanEntryFactory(unit=unit, auditor=auditor, month=month)
        if rng.random() < 0.7:
            CompletedAuditFactory(plan_entry=entry, unit=unit, auditor=auditor, started_at=_moment(rng))
    for _ in range(10):
        unit = rng.choice(units)
        recorded = _moment(rng, MONTHS[:-1]).date() - timedelta(days=10)
        if rng.random() < 0.6:
            AnsweredSignalFactory(internship=None, unit=unit, recorded_on=recorded,
                                  responded_on=recorded + timedelta(days=rng.randint(5, 20)))  # fmt: skip
        else:
            SignalFactory(internship=None, unit=unit, recorded_on=recorded)
    for _ in range(6):
        TrainingSessionFactory(unit=rng.choice(units), trainer=rng.choice(people), date=_moment(rng).date(),
                               status=rng.choice(["delivered", "planned"]))  # fmt: skip
    requirement = TrainingRequirementFactory(job_title="Mechanic")
    TrainingRequirement.objects.filter(pk=requirement.pk).update(created_at=datetime(2025, 1, 1, tzinfo=UTC))
    for _ in range(6):
        person = PersonFactory(unit=rng.choice(units), job_title="Mechanic")
        if rng.random() < 0.7:
            session_day = _moment(rng).date() - timedelta(days=300)
            AttendanceFactory(
                person=person, session=TrainingSessionFactory(course=requirement.course, date=session_day,
                                                              status="delivered"),
                valid_until=session_day + timedelta(days=rng.randint(200, 500)),
            )  # fmt: skip
    return rng, units, people


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_snapshots_equal_the_live_figures_on_random_data(seed):
    rng, units, people = build_random_world(seed)
    snapshots_refresh(start=MONTHS[0], end=MONTHS[-1], today=TODAY)
    unit_ids = [unit.pk for unit in units]
    subsets = [None, unit_ids, [unit_ids[0]], *[rng.sample(unit_ids, rng.randint(1, 3)) for _ in range(3)]]
    for code in CODES:
        for subset in subsets:
            months = sorted(rng.sample(MONTHS, rng.randint(1, len(MONTHS))))
            snapshot = kpi_series(code, unit_ids=subset, months=months)
            live = live_kpi_series(code, unit_ids=subset, months=months, today=TODAY)
            assert snapshot == live, (code, subset, months)
        if definitions.kpi(code).per_person:
            for person in people:
                snapshot = kpi_series(code, person_id=person.pk, months=MONTHS)
                assert snapshot == live_kpi_series(code, person_id=person.pk, months=MONTHS, today=TODAY), code
    assert any(figure.numerator for figure in kpi_series("observations", months=MONTHS))


def _all_rows():
    return sorted(
        KpiSnapshot.objects.values_list("kpi", "month", "unit_id", "person_id", "numerator", "denominator"),
        key=lambda row: (row[0], row[1], row[2], row[3] or 0),
    )


def test_refresh_is_idempotent_and_order_free():
    build_random_world(7)
    snapshots_refresh(start=MONTHS[0], end=MONTHS[-1], today=TODAY)
    first = _all_rows()
    assert first
    snapshots_refresh(start=MONTHS[0], end=MONTHS[-1], today=TODAY)
    assert _all_rows() == first
    # Month by month, newest first, and one unit at a time for one month: the same rows.
    for month in reversed(MONTHS):
        snapshots_refresh(start=month, end=month, today=TODAY)
    unit_id = first[0][2]
    snapshots_refresh(start=MONTHS[1], end=MONTHS[1], unit_ids=[unit_id], today=TODAY)
    snapshots_refresh(start=MONTHS[1], end=MONTHS[1], codes=["observations"], today=TODAY)
    assert _all_rows() == first


def test_refresh_removes_rows_of_records_gone(unit_and_observer=None):
    unit, observer = UnitFactory(), UserFactory()
    observation = ObservationFactory(unit=unit, observer=observer, observed_at=_moment(random.Random(1)))
    snapshots_refresh(start=MONTHS[0], end=MONTHS[-1], today=TODAY)
    assert KpiSnapshot.objects.filter(kpi="observations").exists()
    observation.delete()
    snapshots_refresh(start=MONTHS[0], end=MONTHS[-1], unit_ids=[unit.pk], today=TODAY)
    assert not KpiSnapshot.objects.filter(kpi="observations").exists()


def test_refresh_all_covers_the_last_months(django_assert_max_num_queries):
    unit, observer = UnitFactory(), UserFactory()
    ObservationFactory(unit=unit, observer=observer, observed_at=timezone.make_aware(datetime(2025, 7, 3, 10)))
    ObservationFactory(unit=unit, observer=observer, observed_at=timezone.make_aware(datetime(2025, 5, 3, 10)))
    snapshots_refresh_all(months=12, today=TODAY)  # July 2025 to June 2026
    months = set(KpiSnapshot.objects.filter(kpi="observations", person=None).values_list("month", flat=True))
    assert months == {date(2025, 7, 1)}


def test_a_shop_is_the_ratio_of_the_sums_of_its_units():
    shop = UnitFactory()
    crew = UnitFactory(parent=shop)
    observer = UserFactory()
    march = timezone.make_aware(datetime(2026, 3, 10, 10))
    # Shop: 1 of 1 with feedback (100 %); crew: 1 of 3 (33 %). Together 2 of 4 = 50 %, not 66.7 %.
    ObservationFactory(unit=shop, observer=observer, observed_at=march, feedback_given=True, feedback_to="crew")
    ObservationFactory(unit=crew, observer=observer, observed_at=march, feedback_given=True, feedback_to="crew")
    ObservationFactory(unit=crew, observer=observer, observed_at=march)
    ObservationFactory(unit=crew, observer=observer, observed_at=march)
    HoursWorkedFactory(unit=shop, month=date(2026, 3, 1), hours=Decimal("100000"))
    HoursWorkedFactory(unit=crew, month=date(2026, 3, 1), hours=Decimal("100000"))
    IncidentFactory(unit=crew, occurred_at=march, classification="medical")
    snapshots_refresh(start=date(2026, 3, 1), end=date(2026, 3, 1), today=TODAY)
    [both] = kpi_series("feedback_share", unit_ids=[shop.pk, crew.pk], months=[date(2026, 3, 1)])
    assert both.value == Decimal(50)
    assert (both.numerator, both.denominator) == (2, 4)
    [rate] = kpi_series("trir", unit_ids=[shop.pk, crew.pk], months=[date(2026, 3, 1)])
    assert rate.value == Decimal(1)  # 1 × 200,000 ÷ 200,000 h
    [crew_rate] = kpi_series("trir", unit_ids=[crew.pk], months=[date(2026, 3, 1)])
    assert crew_rate.value == Decimal(2)
