"""Pages whose scripts changed for the Content-Security-Policy, in a real browser (the `new_page`
fixture fails any test whose page had something refused by the policy)."""

import pytest

from tests.browser.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_internship_plan_follows_the_unit_without_eval(org, hse_specialist, new_page, sign_in, live_server):
    page = sign_in(new_page(PHONE), hse_specialist)
    page.goto(f"{live_server.url}/internships/new/")
    assert page.locator("[data-testid=proposal-empty]").is_visible()
    assert page.locator(".js-hide").first.is_hidden()  # the no-JS button went (static script ran)
    page.select_option("#plan-form select[name=unit]", str(org.crew.pk))
    page.locator("[data-testid=proposal]").wait_for()
    assert "Proposed length" in page.locator("[data-testid=proposal]").inner_text()


def test_the_api_documentation_starts(hse_specialist, new_page, sign_in, live_server):
    page = sign_in(new_page(), hse_specialist)
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".swagger-ui .info").wait_for()
    page.locator(".opblock").first.wait_for()
