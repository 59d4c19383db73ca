"""The contractor scorecard: violations per 10,000 hours on site, sanctions, open actions, the
12-month trend and the rank among contractors."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.contractors import sanctions, scorecard
from apps.contractors.models import Violation
from tests.factories.contractors import WorkOrderFactory

pytestmark = pytest.mark.django_db


def _violations(order, user, severity, count, *, days_ago=10):
    for _ in range(count):
        Violation.objects.create(
            company=order.company, severity=severity, description="x", unit=order.unit,
            observed_at=timezone.now() - timedelta(days=days_ago), recorded_by=user,
        )  # fmt: skip


def test_rates_trend_and_rank(org, hse_specialist):
    today = timezone.localdate()
    good = WorkOrderFactory(unit=org.crew, responsible=hse_specialist, hours_on_site=20_000)
    bad = WorkOrderFactory(unit=org.crew, responsible=hse_specialist, hours_on_site=10_000)
    _violations(good, hse_specialist, "minor", 2)
    _violations(bad, hse_specialist, "serious", 1)
    _violations(bad, hse_specialist, "critical", 1, days_ago=400)  # outside the 12 months
    card = scorecard.company_scorecard(bad.company, today=today)
    assert card.hours == 10_000
    assert card.by_severity == {"minor": 0, "serious": 1, "severe": 0, "critical": 0}
    assert card.rate_per_10k["serious"] == 1.0
    assert card.weighted_rate == 3.0  # one serious weighs 3
    assert (card.rank, card.ranked) == (2, 2)
    assert scorecard.company_scorecard(good.company, today=today).rank == 1  # 2 minor / 20,000 h = 1.0
    assert len(card.trend) == 12 and sum(n for _m, n in card.trend) == 1


def test_a_company_without_hours_has_no_rate_and_no_rank(org, hse_specialist):
    order = WorkOrderFactory(unit=org.crew, responsible=hse_specialist, hours_on_site=0)
    _violations(order, hse_specialist, "minor", 1)
    card = scorecard.company_scorecard(order.company, today=timezone.localdate())
    assert (card.rate_per_10k["minor"], card.weighted_rate, card.rank) == (None, None, None)


def test_sanctions_and_open_actions_are_counted(org, hse_specialist):
    order = WorkOrderFactory(unit=org.crew, responsible=hse_specialist, hours_on_site=5_000)
    sanctions.violation_record(
        actor=hse_specialist, company=order.company, severity="critical", description="No harness",
        unit=order.unit, observed_at=timezone.now(), work_order=order,
    )  # fmt: skip
    card = scorecard.company_scorecard(order.company, today=timezone.localdate())
    assert card.sanctions == {"in_force": 1, "year": 1}
    assert card.open_actions == 1
