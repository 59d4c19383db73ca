"""The executive on a phone and on a desktop: the summary answers "are we safer, where must I act?",
an escalation is decided in place and shows as decided; nothing is wider than the screen; then the
monthly PDF is generated, polled while it is made, and downloaded."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from apps.kpis import reports
from apps.kpis.models import Escalation, KpiSnapshot, KpiTarget, MonthlyReport
from tests.browser.conftest import DESKTOP, PHONE, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def last_month() -> date:
    return (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


@pytest.fixture
def open_escalation(org, hse_head, executive):
    month = last_month()
    before = (month - timedelta(days=1)).replace(day=1)
    for when, numerator in ((before, 71), (month, 78)):
        KpiSnapshot.objects.create(kpi="feedback_share", month=when, unit=org.crew, numerator=numerator,
                                   denominator=100)  # fmt: skip
    KpiTarget.objects.create(kpi="feedback_share", valid_from=before, value=80, set_by=hse_head)
    return Escalation.objects.create(
        title="Fund a second lockout station at the crusher conveyor",
        why="Two near misses during belt cleaning: isolation at the single station takes 40 minutes.",
        options="Buy and install a second station now: 1.2 M roubles\nWait for next year's budget",
        deadline=timezone.localdate() + timedelta(days=5), raised_by=hse_head,
    )  # fmt: skip


def fits(page, size) -> None:
    width = size["viewport"]["width"]
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    wider = page.evaluate(
        "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > "
        "window.innerWidth + 1).map(e => e.tagName + '.' + e.className)"
    )
    assert wider == []


def test_the_executive_decides_an_escalation_on_the_phone(executive, open_escalation, new_page, sign_in, live_server):
    page = sign_in(new_page(PHONE), executive)
    page.goto(f"{live_server.url}/kpis/summary/")
    assert page.get_by_role("heading", name="Executive summary").is_visible()
    assert page.get_by_text("Feedback given on the spot rose from 71.0% to 78.0% (target 80.0%).").is_visible()
    fits(page, PHONE)
    screenshot(page, "kpis-summary-phone")

    item = page.locator("[data-testid=open-escalation]")
    item.get_by_text("Decide", exact=True).click()
    item.get_by_role("button", name="Record the decision").click()  # nothing chosen: refused in place
    page.wait_for_load_state("networkidle")
    assert (
        page.locator("[data-testid=decision-error]").inner_text() == "Choose one of the options or write your decision."
    )
    item = page.locator("[data-testid=open-escalation]")
    item.get_by_label("Buy and install a second station now: 1.2 M roubles").check()
    item.get_by_label("Comment (optional)").fill("From the reserve fund; install before the January shutdown.")
    item.get_by_role("button", name="Record the decision").click()
    page.wait_for_load_state("networkidle")

    assert page.get_by_text("Decision recorded").is_visible()
    assert page.get_by_text("Nothing awaits a decision.").is_visible()
    decided = page.locator("[data-testid=decided]")
    assert "Buy and install a second station now: 1.2 M roubles" in decided.inner_text()
    fits(page, PHONE)
    open_escalation.refresh_from_db()
    assert open_escalation.status == Escalation.Status.DECIDED
    assert open_escalation.comment == "From the reserve fund; install before the January shutdown."

    page.locator("[data-testid=decided] a").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=status]").inner_text() == "Decided"
    assert "install before the January shutdown" in page.locator("[data-testid=decision]").inner_text()
    fits(page, PHONE)
    screenshot(page, "kpis-escalation-decided-phone")


def test_the_executive_generates_and_downloads_the_monthly_pdf_on_a_desktop(
    executive, open_escalation, new_page, sign_in, live_server
):
    page = sign_in(new_page(DESKTOP), executive)
    page.goto(f"{live_server.url}/kpis/summary/")
    fits(page, DESKTOP)
    screenshot(page, "kpis-summary-desktop")
    page.get_by_role("link", name="Monthly PDFs").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("No monthly report yet.").is_visible()
    page.get_by_role("button", name="Generate the PDF").click()
    page.wait_for_load_state("networkidle")

    row = page.locator("[data-testid=report-row]")
    assert row.get_attribute("data-status") == "queued"
    assert row.get_attribute("hx-get")  # polled while it is made
    report = MonthlyReport.objects.get()
    assert report.month == last_month()
    reports.report_run(report.pk)  # what the worker does (the tests' broker is in memory)

    page.wait_for_selector("[data-testid=report-row][data-status=done]", timeout=15_000)
    assert page.locator("[data-testid=report-row]").get_attribute("hx-get") is None  # polling stopped
    fits(page, DESKTOP)
    screenshot(page, "kpis-report-list-desktop")
    with page.expect_download() as download_info:
        page.locator("[data-testid=download]").click()
    download = download_info.value
    assert download.suggested_filename == f"hse-executive-summary-{last_month():%Y-%m}.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
