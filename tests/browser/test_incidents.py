import pytest

from apps.incidents.models import CauseTreeFact, CauseTreeLink
from tests.browser.conftest import PHONE, confirm, screenshot
from tests.incidents.helpers import make_incident, make_investigation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_commission_builds_a_small_cause_tree_on_a_phone(org, hse_specialist, new_page, sign_in, live_server):
    investigation = make_investigation(make_incident(org.crew, hse_specialist), hse_specialist, status="analysis")
    page = sign_in(new_page(PHONE), hse_specialist)
    page.goto(f"{live_server.url}{investigation.get_absolute_url()}#cause-tree")

    page.fill("#cause-tree input[name=text]", "Hand caught in the tail pulley")
    with page.expect_navigation():
        page.click("[data-testid=add-final-event]")
    assert page.locator("[data-testid=tree-diagram] svg.cause-tree:visible").is_visible()

    final = CauseTreeFact.objects.get(is_final_event=True)
    for text, unusual in (("Operator reaches in to clear spillage", False), ("Guard removed for cleaning", True)):
        fact = page.locator(f"#fact-{final.pk}")
        fact.locator("summary").click()
        fact.locator("input[name=text]").first.fill(text)
        if unusual:
            fact.locator("input[name=is_unusual]").first.check()
        with page.expect_navigation():
            fact.locator("[data-testid=add-antecedent]").click()

    diagram = page.locator("[data-testid=tree-diagram] svg.cause-tree:visible")
    assert diagram.locator("g.fact").count() == 3
    assert diagram.locator("g.fact.unusual").count() == 1
    assert diagram.locator("path[data-kind=conjunction]").count() == 2
    assert CauseTreeLink.objects.filter(consequent=final).count() == 2

    # A loop is refused with a message the commission understands.
    page.select_option("select[name=antecedent]", label="Hand caught in the tail pulley")
    page.select_option("select[name=consequent]", label="Guard removed for cleaning")
    with page.expect_navigation():
        page.get_by_role("button", name="Link", exact=True).click()
    assert "cannot lead to another fact" in page.locator("#cause-tree .alert-danger").first.inner_text()
    screenshot(page, "incident-cause-tree-phone")


def test_a_reversed_period_is_shown_in_the_filter_card(org, hse_specialist, new_page, sign_in, live_server):
    make_incident(org.crew, hse_specialist, location="Conveyor 3 tail pulley")
    page = sign_in(new_page(), hse_specialist)
    page.goto(f"{live_server.url}/incidents/")
    page.locator("summary", has_text="Filters").click()
    page.fill("input[name=date_from]", "2026-10-31")
    page.fill("input[name=date_to]", "2026-10-01")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").click()
    card = page.locator("details:has(summary:has-text('Filters'))")
    assert card.get_attribute("open") is not None
    assert "The end of the period is before its start." in card.inner_text()
    assert "Conveyor 3 tail pulley" not in page.locator("main#content").inner_text()
    page.fill("input[name=date_from]", "2026-10-01")
    page.fill("input[name=date_to]", "2026-10-31")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").click()
    assert "Conveyor 3 tail pulley" in page.locator("main#content").inner_text()


def test_approving_in_a_second_tab_tells_it_was_already_approved(org, hse_specialist, hse_head, new_page, sign_in,
                                                                live_server):  # fmt: skip
    from apps.incidents.models import Investigation
    from tests.incidents.helpers import planned_and_covered

    investigation = planned_and_covered(make_incident(org.crew, hse_specialist), hse_specialist)
    first = sign_in(new_page(), hse_head)
    second = first.context.new_page()
    for tab in (first, second):
        tab.goto(f"{live_server.url}{investigation.get_absolute_url()}")
    for tab in (first, second):
        with tab.expect_navigation():
            tab.get_by_role("button", name="Approve").click()
            confirm(tab)
    assert "Investigation approved." in first.locator(".messages").inner_text()
    # The second tab approved what it saw before the first approval: refused, naming who and when.
    assert "Someone else changed this investigation" in second.locator(".messages").inner_text()
    assert Investigation.objects.get(pk=investigation.pk).status == "approved"
    screenshot(second, "incident-approved-in-another-tab")
