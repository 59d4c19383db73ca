"""The monthly counts are a cache of the observations: kept in step by the service, equal to a
recount, and what the figures page and the list's cards read."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from apps.common import pagination
from apps.observations import selectors, services
from apps.observations.counts import rebuild_monthly_counts
from apps.observations.models import Observation, ObservationMonthlyCount
from tests.factories import ObservationFactory

TZ = ZoneInfo("Asia/Yekaterinburg")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=TZ)


def _snapshot():
    return sorted(
        ObservationMonthlyCount.objects.values_list(
            "unit_id", "month", "kind", "total", "with_feedback", "work_stopped"
        )
    )


@time_machine.travel(NOW, tick=False)
def test_counts_kept_by_the_service_equal_a_recount(org, hse_specialist, categories):
    rng = random.Random(7)
    kinds = [choice for choice, _ in Observation.Kind.choices]
    for _ in range(60):
        feedback = rng.random() < 0.5
        services.observation_log(
            actor=hse_specialist,
            unit=rng.choice([org.shop, org.crew]),
            kind=rng.choice(kinds),
            category=categories["ppe"],
            description="Seen on the walk",
            feedback_given=feedback,
            feedback_to="worker" if feedback else "",
            work_stopped=rng.random() < 0.2,
            # Across month ends in site time, where UTC and the plant's clock disagree.
            observed_at=NOW - timedelta(days=rng.randint(0, 70), hours=rng.randint(0, 23)),
        )
    kept = _snapshot()
    assert sum(row[3] for row in kept) == 60
    rebuild_monthly_counts()
    assert _snapshot() == kept


@time_machine.travel(NOW, tick=False)
def test_the_counts_trend_equals_the_live_trend(org, hse_specialist, hse_head, categories):
    rng = random.Random(11)
    for _ in range(80):
        ObservationFactory(
            observer=hse_specialist, unit=org.crew, category=categories["ppe"],
            kind=rng.choice([choice for choice, _ in Observation.Kind.choices]),
            observed_at=NOW - timedelta(days=rng.randint(0, 200), minutes=rng.randint(0, 1440)),
        )  # fmt: skip
    rebuild_monthly_counts()
    month = NOW.date().replace(day=1)
    live = selectors.safe_unsafe_trend(selectors.observation_list_for_user(hse_head), last_month=month)
    counted = selectors.counts_trend(selectors.monthly_counts_for_user(hse_head), last_month=month)
    assert live == counted
    this_month = selectors.observations_in_month(Observation.objects.all(), month)
    figures = selectors.month_figures(selectors.monthly_counts_for_user(hse_head), month)
    assert figures == selectors.observation_summary(this_month)


def test_a_user_reads_the_counts_of_their_units_only(org, hse_specialist, outsider, categories):
    ObservationFactory(observer=hse_specialist, unit=org.crew, category=categories["ppe"])
    ObservationFactory(observer=outsider, unit=org.other_shop, category=categories["ppe"])
    rebuild_monthly_counts()
    assert {c.unit_id for c in selectors.monthly_counts_for_user(hse_specialist)} == {org.crew.pk}
    assert {c.unit_id for c in selectors.monthly_counts_for_user(outsider)} == {org.other_shop.pk}


@pytest.mark.parametrize("capped", [False, True])
def test_list_cards_show_the_list_or_this_month_when_the_list_is_capped(
    client_as, org, hse_specialist, categories, monkeypatch, capped
):
    ObservationFactory.create_batch(3, observer=hse_specialist, unit=org.crew, category=categories["ppe"])
    ObservationFactory(
        observer=hse_specialist, unit=org.crew, category=categories["ppe"],
        observed_at=datetime.now(TZ) - timedelta(days=70),
    )  # fmt: skip
    rebuild_monthly_counts()
    monkeypatch.setattr(pagination.CappedPaginator, "cap", 3 if capped else 10_000)
    response = client_as(hse_specialist).get(reverse("observations:list"))
    assert response.context["summary_is_month"] is capped
    assert response.context["summary"]["total"] == (3 if capped else 4)


def test_the_nightly_task_recounts(org, hse_specialist, categories):
    from apps.observations.tasks import recount_months

    ObservationFactory.create_batch(2, observer=hse_specialist, unit=org.crew, category=categories["ppe"])
    assert recount_months.apply().get() == 1
    assert ObservationMonthlyCount.objects.get().total == 2
