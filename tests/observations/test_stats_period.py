"""The observation figures over a period (?months=3, 6 or 12): the window is exact to the minute,
a period not offered is an error on the picker (400, the default period shown), never a 500."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.common.dates import day_start, month_start, months_back
from apps.observations.counts import rebuild_monthly_counts
from tests.factories import ObservationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("months", [3, 6, 12])
def test_the_period_starts_exactly_at_its_first_month(client_as, org, hse_head, hse_specialist, categories, months):
    first = months_back(timezone.localdate(), months)[0]
    start = day_start(first)
    for when in (start, start - timedelta(minutes=1), day_start(month_start(timezone.localdate()))):
        ObservationFactory(observer=hse_specialist, unit=org.crew, category=categories["ppe"], observed_at=when)
    rebuild_monthly_counts()
    response = client_as(hse_head).get(reverse("observations:stats"), {"months": months})
    assert response.status_code == 200
    # The first minute of the first month counts; the minute before it (a month more) does not.
    assert response.context["summary"]["total"] == 2
    assert [row["month"] for row in response.context["trend"]] == months_back(timezone.localdate(), months)
    assert response.context["period_first"] == first
    page = response.text
    assert f'<option value="{months}" selected>' in page  # kept in the picker


def test_the_default_period_is_twelve_months(client_as, org, hse_head):
    response = client_as(hse_head).get(reverse("observations:stats"))
    assert response.status_code == 200
    assert len(response.context["trend"]) == 12 and response.context["period"] == 12


@pytest.mark.parametrize("value", ["5", "0", "abc", "120"])
def test_a_period_not_offered_is_refused_on_the_picker(client_as, org, hse_head, value):
    response = client_as(hse_head).get(reverse("observations:stats"), {"months": value})
    assert response.status_code == 400
    assert len(response.context["trend"]) == 12  # the default period, said so
    assert 'data-testid="period-error"' in response.text


def test_safe_and_unsafe_are_one_chart(client_as, org, hse_head):
    page = client_as(hse_head).get(reverse("observations:stats")).text
    assert page.count('class="kpi-chart"') == 1
    assert "Safe and unsafe observations (one scale)" in page
