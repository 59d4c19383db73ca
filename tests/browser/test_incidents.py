import pytest

from apps.incidents.models import CauseTreeFact, CauseTreeLink
from tests.browser.conftest import PHONE, screenshot
from tests.incidents.helpers import make_incident, make_investigation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_commission_builds_a_small_cause_tree_on_a_phone(org, hse_specialist, new_page, sign_in, live_server):
    investigation = make_investigation(make_incident(org.crew, hse_specialist), hse_specialist, status="analysis")
    page = sign_in(new_page(PHONE), hse_specialist)
    page.goto(f"{live_server.url}{investigation.get_absolute_url()}#cause-tree")

    page.fill("#cause-tree input[name=text]", "Hand caught in the tail pulley")
    with page.expect_navigation():
        page.click("[data-testid=add-final-event]")
    assert page.locator("[data-testid=tree-diagram] svg.cause-tree").is_visible()

    final = CauseTreeFact.objects.get(is_final_event=True)
    for text, unusual in (("Operator reaches in to clear spillage", False), ("Guard removed for cleaning", True)):
        fact = page.locator(f"#fact-{final.pk}")
        fact.locator("summary").click()
        fact.locator("input[name=text]").first.fill(text)
        if unusual:
            fact.locator("input[name=is_unusual]").first.check()
        with page.expect_navigation():
            fact.locator("[data-testid=add-antecedent]").click()

    diagram = page.locator("[data-testid=tree-diagram] svg.cause-tree")
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
