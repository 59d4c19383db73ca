"""The period picker of the KPI dashboard and the executive summary: the trends cover exactly the
months asked for (3, 6 or 12, ending with the page's month); anything else is a picker error."""

import pytest
from django.urls import reverse

from apps.common.dates import months_back

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("months", [3, 6, 12])
def test_the_dashboard_trends_cover_the_period(client_as, line_manager, months):
    response = client_as(line_manager).get(reverse("kpis:dashboard"), {"months": months})
    assert response.status_code == 200
    month = response.context["month"]
    for card in response.context["cards"]:
        assert [figure.month for figure in card.kpi.trend] == months_back(month, months)
    assert response.text.count('class="row-label"') >= months  # the safe/unsafe chart: one row a month


def test_the_dashboard_keeps_the_period_in_its_month_links(client_as, line_manager):
    page = client_as(line_manager).get(reverse("kpis:dashboard"), {"months": 6}).text
    assert "&amp;months=6" in page and 'name="months" value="6"' in page


@pytest.mark.parametrize("value", ["4", "x", "-6"])
def test_the_dashboard_refuses_a_period_not_offered(client_as, line_manager, value):
    response = client_as(line_manager).get(reverse("kpis:dashboard"), {"months": value})
    assert response.status_code == 400
    assert 'data-testid="period-error"' in response.text


@pytest.mark.parametrize("months", [3, 12])
def test_the_summary_trends_cover_the_period(client_as, executive, months):
    response = client_as(executive).get(reverse("kpis:summary"), {"months": months})
    assert response.status_code == 200
    month = response.context["summary"].month
    for card in response.context["summary"].cards:
        assert [figure.month for figure in card.trend] == months_back(month, months)


def test_the_summary_refuses_a_period_not_offered(client_as, executive):
    response = client_as(executive).get(reverse("kpis:summary"), {"months": "7"})
    assert response.status_code == 400
    assert len(response.context["summary"].cards[0].trend) == 12
    assert 'data-testid="period-error"' in response.text
