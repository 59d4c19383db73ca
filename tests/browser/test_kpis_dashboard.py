"""The line manager on a phone (390 × 844): opens the KPI dashboard, nothing is wider than the
screen, every chart text measures at least 12 px in the browser, and the overdue actions by owner
drill down to that owner's overdue actions."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.accounts.roles import Role
from apps.kpis.selectors import last_complete_month
from tests.browser.conftest import PHONE, screenshot
from tests.factories import ActionFactory, KpiSnapshotFactory, KpiTargetFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MIN_CHART_TEXT_PX = 12


def _figures(org, owner):
    month = last_complete_month(timezone.localdate())
    months = [month]
    for _ in range(11):
        months.insert(0, (months[0] - timedelta(days=1)).replace(day=1))
    for index, each in enumerate(months):
        KpiSnapshotFactory(kpi="observations", unit=org.shop, month=each, numerator=Decimal(4 + index))
        KpiSnapshotFactory(
            kpi="safe_share", unit=org.crew, month=each, numerator=Decimal(20 + index), denominator=Decimal(30 + index)
        )
        KpiSnapshotFactory(
            kpi="training_compliance", unit=org.crew, month=each, numerator=Decimal(80), denominator=Decimal(100)
        )
    KpiSnapshotFactory(kpi="overdue_actions", unit=org.crew, month=month, person=owner, numerator=Decimal(2))
    KpiSnapshotFactory(kpi="overdue_actions", unit=org.crew, month=month, numerator=Decimal(2))
    KpiTargetFactory(kpi="observations", value=Decimal(10), valid_from=months[0])
    KpiTargetFactory(kpi="training_compliance", value=Decimal(90), valid_from=months[0])


def test_the_line_manager_reads_the_dashboard_on_a_phone_and_drills_into_overdue_actions(
    org, line_manager, new_page, sign_in, live_server
):
    owner = UserFactory(role=Role.LINE_MANAGER, units=[org.crew], first_name="Olga", last_name="Petrova")
    late = ActionFactory(unit=org.crew, owner=owner, due_date=timezone.localdate() - timedelta(days=9))
    ActionFactory(unit=org.crew, owner=line_manager, due_date=timezone.localdate() - timedelta(days=3))
    _figures(org, owner)

    page = sign_in(new_page(PHONE), line_manager)
    page.goto(f"{live_server.url}/kpis/")
    page.locator("[data-testid=kpi-cards]").wait_for()
    screenshot(page, "kpis-dashboard-phone")

    # Nothing wider than the phone: the page does not scroll sideways and no element sticks out.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    too_wide = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(el => el.getClientRects().length && el.getBoundingClientRect().right > window.innerWidth + 0.5)
            .filter(el => !el.closest('.table-responsive, .overflow-auto'))
            .map(el => el.tagName + '.' + el.className)"""
    )
    assert too_wide == []

    # Every text of every chart (the trends are inside closed disclosures: open them first).
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('svg.kpi-chart text')]
            .filter(t => t.getClientRects().length)
            .map(t => parseFloat(getComputedStyle(t).fontSize)
                      * t.ownerSVGElement.getBoundingClientRect().width / t.ownerSVGElement.viewBox.baseVal.width)"""
    )
    heights = page.evaluate(
        """() => [...document.querySelectorAll('svg.kpi-chart text')]
            .filter(t => t.getClientRects().length && t.textContent.trim())
            .map(t => t.getBoundingClientRect().height)"""
    )
    assert len(sizes) > 50  # the safe/unsafe chart, the trends, the ranked rows
    assert min(sizes) >= MIN_CHART_TEXT_PX, min(sizes)
    # The box of a line of text is about 1.15 em: 12 px text is at least ~13 px tall.
    assert min(heights) >= MIN_CHART_TEXT_PX, min(heights)
    assert page.locator("[data-testid=safe-unsafe] svg").get_attribute("aria-label").count("Unsafe") == 12

    # Overdue actions by owner: tap the owner's row in the chart.
    owners = page.locator("[data-testid=overdue-owners]")
    owners.scroll_into_view_if_needed()
    owners.locator("svg a").first.click()
    page.wait_for_load_state("networkidle")
    assert "/actions/" in page.url and f"owner={owner.pk}" in page.url and "tab=overdue" in page.url
    assert page.get_by_text(late.title).is_visible()
    assert page.get_by_text("Fix hazard", exact=False).count() == 1  # only that owner's
    screenshot(page, "kpis-dashboard-drilldown-phone")
