"""What the pages read from the snapshots: values, cards against targets, side-by-side views, the
freshness; queries that do not grow with units or months; and a line manager kept to own units."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.accounts.roles import Role
from apps.common.dates import months_back
from apps.kpis.selectors import (
    Figure,
    kpi_by_person,
    kpi_by_unit,
    kpi_cards,
    kpi_series,
    kpi_table,
    snapshot_freshness,
)
from tests.factories import KpiSnapshotFactory, KpiTargetFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

MAR, APR = date(2026, 3, 1), date(2026, 4, 1)
MONTHS = months_back(APR, 12)


def snap(code, unit, month, numerator, denominator=None, person=None):
    return KpiSnapshotFactory(
        kpi=code, unit=unit, month=month, person=person, numerator=Decimal(numerator),
        denominator=None if denominator is None else Decimal(denominator),
    )  # fmt: skip


def test_series_of_a_count_and_of_a_ratio_with_empty_months():
    unit = UnitFactory()
    snap("observations", unit, MAR, 5)
    snap("feedback_share", unit, MAR, 3, 4)
    assert kpi_series("observations", months=[MAR, APR]) == [
        Figure(MAR, Decimal(5), Decimal(5), None),
        Figure(APR, Decimal(0), Decimal(0), None),  # a count: no rows is none counted
    ]
    assert kpi_series("feedback_share", months=[MAR, APR]) == [
        Figure(MAR, Decimal(75), Decimal(3), Decimal(4)),
        Figure(APR, None, Decimal(0), None),  # a ratio with nothing to divide by
    ]


def test_series_sums_the_units_given_and_reads_a_persons_rows():
    a, b, c = UnitFactory(), UnitFactory(), UnitFactory()
    person = UserFactory()
    snap("feedback_share", a, MAR, 1, 1)
    snap("feedback_share", b, MAR, 1, 3)
    snap("feedback_share", c, MAR, 0, 10)
    snap("feedback_share", a, MAR, 1, 2, person=person)
    snap("feedback_share", b, MAR, 0, 2, person=person)
    [both] = kpi_series("feedback_share", unit_ids=[a.pk, b.pk], months=[MAR])
    assert (both.numerator, both.denominator, both.value) == (2, 4, Decimal(50))
    [everyone] = kpi_series("feedback_share", months=[MAR])
    assert (everyone.numerator, everyone.denominator) == (2, 14)
    [theirs] = kpi_series("feedback_share", person_id=person.pk, months=[MAR])
    assert (theirs.numerator, theirs.denominator, theirs.value) == (1, 4, Decimal(25))
    assert kpi_series("feedback_share", unit_ids=[], months=[MAR])[0].value is None


def test_zero_hours_give_no_rate():
    unit = UnitFactory()
    snap("trir", unit, MAR, 1, 0)
    assert kpi_series("trir", months=[MAR])[0].value is None


def test_cards_against_targets_and_directions():
    unit = UnitFactory()
    snap("observations", unit, MAR, 6)
    snap("observations", unit, APR, 9)
    snap("overdue_actions", unit, MAR, 2)
    snap("overdue_actions", unit, APR, 7)
    KpiTargetFactory(kpi="observations", value=Decimal(8))
    KpiTargetFactory(kpi="overdue_actions", value=Decimal(5))
    observations, overdue, trir = kpi_cards(["observations", "overdue_actions", "trir"], month=APR)
    assert (observations.value, observations.target, observations.met) == (9, 8, True)
    assert (observations.previous, observations.change) == (6, 3)
    assert len(observations.trend) == 12 and observations.trend[-1].month == APR
    assert (overdue.value, overdue.met, overdue.change) == (7, False, 5)  # lower is better: 7 > 5 misses
    assert (trir.value, trir.target, trir.met, trir.change) == (None, None, None, None)


@pytest.mark.parametrize(("value", "met"), [(8, True), (7, False)])
def test_met_one_step_each_side_of_the_target(value, met):
    snap("observations", UnitFactory(), APR, value)
    KpiTargetFactory(kpi="observations", value=Decimal(8))
    [card] = kpi_cards(["observations"], month=APR)
    assert card.met is met


def test_role_target_for_a_persons_card():
    person = UserFactory(role=Role.LINE_MANAGER)
    snap("observations", UnitFactory(), APR, 5, person=person)
    KpiTargetFactory(kpi="observations", value=Decimal(8))
    KpiTargetFactory(kpi="observations", role=Role.LINE_MANAGER, value=Decimal(4))
    [card] = kpi_cards(["observations"], person_id=person.pk, role=Role.LINE_MANAGER, month=APR)
    assert (card.value, card.target, card.met) == (5, 4, True)


def test_by_unit_with_and_without_rollup():
    shop = UnitFactory(name="A shop")
    crew = UnitFactory(name="B crew", parent=shop)
    snap("observations", shop, APR, 2)
    snap("observations", crew, APR, 3)
    own = kpi_by_unit("observations", unit_ids=[shop.pk, crew.pk], month=APR)
    assert [(unit, figure.value) for unit, figure in own] == [(shop, 2), (crew, 3)]
    rolled = kpi_by_unit("observations", unit_ids=[shop.pk, crew.pk], month=APR, rollup=True)
    assert [figure.value for _unit, figure in rolled] == [5, 3]


def test_by_person_side_by_side():
    unit = UnitFactory()
    ann = UserFactory(last_name="Alpha")
    bob = UserFactory(last_name="Beta")
    idle = UserFactory(last_name="Gamma")
    snap("observations", unit, APR, 9, person=ann)
    snap("observations", unit, APR, 4, person=bob)
    side = kpi_by_person("observations", person_ids=[ann.pk, bob.pk, idle.pk], month=APR)
    assert [(user, figure.value) for user, figure in side] == [(ann, 9), (bob, 4), (idle, 0)]
    assert [user for user, _figure in kpi_by_person("observations", month=APR)] == [ann, bob]
    assert kpi_by_person("observations", unit_ids=[UnitFactory().pk], month=APR) == []


def test_freshness_is_the_oldest_row_read():
    a, b = UnitFactory(), UnitFactory()
    now = timezone.now()
    old = snap("observations", a, APR, 1)
    type(old).objects.filter(pk=old.pk).update(computed_at=now - timedelta(hours=5))
    snap("observations", b, APR, 1)
    assert snapshot_freshness() == now - timedelta(hours=5)
    assert snapshot_freshness(unit_ids=[b.pk]) > now - timedelta(minutes=1)
    assert snapshot_freshness(unit_ids=[UnitFactory().pk]) is None


def _world(units: int, months: int):
    made = [UnitFactory() for _ in range(units)]
    people = [UserFactory() for _ in range(units)]
    for unit, person in zip(made, people, strict=True):
        for month in months_back(APR, months):
            for code in ("observations", "feedback_share", "trir"):
                snap(code, unit, month, 3, 4)
            snap("observations", unit, month, 2, person=person)
    KpiTargetFactory(kpi="observations", unit=made[0], value=Decimal(8))
    return made, people


@pytest.mark.parametrize(("units", "months"), [(1, 1), (6, 12)])
def test_queries_do_not_grow_with_units_or_months(units, months, django_assert_max_num_queries):
    made, people = _world(units, months)
    unit_ids = [unit.pk for unit in made]
    codes = ["observations", "feedback_share", "trir", "dart"]
    with django_assert_max_num_queries(1):
        kpi_series("observations", unit_ids=unit_ids, months=MONTHS)
    with django_assert_max_num_queries(1):
        kpi_table(codes, unit_ids=unit_ids, months=MONTHS)
    with django_assert_max_num_queries(3):
        cards = kpi_cards(codes, unit_ids=unit_ids, month=APR)
    assert len(cards) == 4
    with django_assert_max_num_queries(3):
        kpi_by_unit("observations", unit_ids=unit_ids, month=APR, rollup=True)
    with django_assert_max_num_queries(2):
        kpi_by_person("observations", person_ids=[p.pk for p in people], month=APR)
    with django_assert_max_num_queries(1):
        snapshot_freshness(unit_ids=unit_ids)


def test_figures_as_of_is_kept_a_minute_then_read_again(org, monkeypatch, django_assert_num_queries):
    from apps.kpis import selectors as kept

    monkeypatch.setattr(kept, "FRESHNESS_SECONDS", 60)
    snap("observations", org.crew, date(2026, 5, 1), 3)
    with django_assert_num_queries(1):
        first = kept.snapshot_freshness(unit_ids=[org.crew.pk])
    with django_assert_num_queries(0):
        assert kept.snapshot_freshness(unit_ids=[org.crew.pk]) == first
    with django_assert_num_queries(1):  # another question is another key
        kept.snapshot_freshness(unit_ids=[org.shop.pk])
