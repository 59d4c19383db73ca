from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from apps.incidents.models import Incident
from apps.incidents.selectors import incident_rates
from tests.factories import HoursWorkedFactory

from .helpers import make_incident

pytestmark = pytest.mark.django_db


def at(day):
    return datetime(2026, 1, day, 10, tzinfo=UTC)


@pytest.fixture
def records(org, hse_specialist):
    HoursWorkedFactory(unit=org.shop, month=date(2026, 1, 1), hours=Decimal("300000"))
    HoursWorkedFactory(unit=org.crew, month=date(2026, 1, 1), hours=Decimal("100000"))
    HoursWorkedFactory(unit=org.other_shop, month=date(2026, 1, 1), hours=Decimal("999999"))
    lt = Incident.Classification.LOST_TIME
    make_incident(org.crew, hse_specialist, occurred_at=at(3), classification=lt, days_lost=10)
    make_incident(org.shop, hse_specialist, occurred_at=at(4), classification=lt, days_lost=6)
    make_incident(org.shop, hse_specialist, occurred_at=at(5), classification="medical", days_lost=0)
    make_incident(org.shop, hse_specialist, occurred_at=at(6), classification="first_aid", days_lost=0)
    for day in (7, 8, 9, 10, 11, 12):
        make_incident(org.shop, hse_specialist, occurred_at=at(day), type="near_miss", classification="none",
                      days_lost=0)  # fmt: skip
    make_incident(org.other_shop, hse_specialist, occurred_at=at(3), classification=lt, days_lost=50)


def test_rates_of_a_shop_include_its_crews(records, org):
    rates = incident_rates(units=[org.shop], date_from=date(2026, 1, 1), date_to=date(2026, 1, 31))
    assert rates.hours == Decimal("400000")
    # 3 recordable × 200,000 / 400,000 = 1.5
    assert rates.trir == Decimal("1.50")
    # 2 lost-time × 1,000,000 / 400,000 = 5
    assert rates.ltifr == Decimal("5.00")
    # 16 days × 1,000 / 400,000 = 0.04
    assert rates.severity_rate == Decimal("0.04")
    # 6 near misses / 4 injuries
    assert rates.near_miss_ratio == Decimal("1.50")


def test_rates_of_one_crew(records, org):
    rates = incident_rates(units=[org.crew], date_from=date(2026, 1, 1), date_to=date(2026, 1, 31))
    assert (rates.trir, rates.ltifr, rates.severity_rate) == (Decimal("2.00"), Decimal("10.00"), Decimal("0.10"))
    assert rates.near_miss_ratio == Decimal("0.00")


def test_zero_hours_give_none_not_a_crash(org, hse_specialist):
    make_incident(org.shop, hse_specialist, occurred_at=at(3))
    HoursWorkedFactory(unit=org.shop, month=date(2026, 1, 1), hours=Decimal("0"))
    rates = incident_rates(units=[org.shop], date_from=date(2026, 1, 1), date_to=date(2026, 1, 31))
    assert (rates.trir, rates.ltifr, rates.severity_rate) == (None, None, None)
    assert rates.near_miss_ratio == Decimal("0.00")


def test_no_injuries_gives_no_ratio(org):
    rates = incident_rates(units=[org.shop], date_from=date(2026, 1, 1), date_to=date(2026, 1, 31))
    assert rates.near_miss_ratio is None
    assert rates.trir is None


def test_period_bounds_and_user_scope(records, org, hse_specialist):
    rates = incident_rates(user=hse_specialist, date_from=date(2026, 1, 4), date_to=date(2026, 1, 5))
    assert (rates.recordable, rates.lost_time, rates.days_lost) == (2, 1, 6)
    assert rates.hours == Decimal("400000")  # the month of the period, of the user's units only
