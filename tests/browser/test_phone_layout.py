"""Phone sweep: every list page of the demo enterprise at 390×844, as the roles that see it, in
English and Russian. Nothing may be wider than the screen (the page never scrolls sideways) and
no primary button may sit outside it; a table becomes cards (`.table-responsive-cards`)."""

import pytest
from django.core.management import call_command

from tests.browser.conftest import PHONE, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "hse-demo-2026"  # apps/core/demo.py

HEAD_PAGES = [
    "/", "/actions/", "/actions/?tab=overdue", "/observations/", "/observations/stats/", "/audits/",
    "/audits/plan/", "/audits/templates/", "/incidents/", "{investigation}",
    "/contractors/passes/", "/contractors/companies/", "/contractors/work-orders/", "/contractors/violations/",
    "/trainings/", "/trainings/matrix/", "/trainings/courses/", "/trainings/trainers/", "/internships/",
    "/internships/signals/", "/kpis/", "/kpis/scorecard/", "/kpis/scorecards/", "/kpis/work-queue/",
    "/kpis/targets/", "/kpis/summary/", "/kpis/escalations/", "/kpis/reports/", "/notifications/", "/audit/",
    "/org/units/", "/org/people/", "/exports/",
]  # fmt: skip
PAGES = {
    "head": HEAD_PAGES,
    "specialist": ["/", "/actions/", "/observations/", "/audits/", "/audits/plan/", "/internships/", "/trainings/",
                   "/trainings/matrix/"],
    "manager": ["/", "/actions/", "/actions/?tab=overdue", "/kpis/", "/trainings/"],
    "executive": ["/", "/kpis/summary/", "/kpis/escalations/", "/kpis/reports/"],
    "passoffice": ["/", "/contractors/passes/", "/contractors/companies/", "/contractors/work-orders/",
                   "/contractors/gate/"],
}  # fmt: skip

# Not window.innerWidth: in a mobile browser the page zooms out to fit content wider than the
# screen, and innerWidth grows with it (a 600px row makes it 612), so the check would always pass.
# The layout viewport (clientWidth) stays the screen's width.
LAYOUT = """() => {
  const width = document.documentElement.clientWidth;
  const outside = [...document.querySelectorAll('.btn-primary')]
    .filter(button => button.offsetParent !== null)
    .filter(button => { const box = button.getBoundingClientRect(); return box.left < 0 || box.right > width; })
    .map(button => button.innerText.trim());
  return {scrollWidth: document.documentElement.scrollWidth, width, outside};
}"""


def _sign_in(page, base, username, language):
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"


def _problems(page):
    layout = page.evaluate(LAYOUT)
    assert layout["width"] == PHONE["viewport"]["width"]
    problems = []
    if layout["scrollWidth"] > layout["width"]:
        problems.append(f"{layout['scrollWidth']}px wide on a {layout['width']}px screen")
    problems += [f"primary button {text!r} outside the screen" for text in layout["outside"]]
    return problems


@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_list_page_fits_a_phone(language, new_page, live_server):
    from apps.incidents.models import Investigation

    call_command("seed_demo", verbosity=0)
    # The closed investigation of INC-1: its actions table was the one cut off on a phone.
    records = {"investigation": Investigation.objects.filter(status="closed").earliest("pk").get_absolute_url()}
    found = {}
    for username, urls in PAGES.items():
        page = new_page(PHONE)
        _sign_in(page, live_server.url, username, language)
        for url in (url.format(**records) for url in urls):
            response = page.goto(live_server.url + url)
            assert response.status == 200, f"{username} {url}: {response.status}"
            problems = _problems(page)
            if problems:
                found[f"{username} {url}"] = problems
                screenshot(page, f"phone-layout-{language}-{username}-{url.strip('/').replace('/', '-') or 'home'}")
    assert found == {}


def test_the_check_itself_sees_a_page_wider_than_the_phone(new_page, live_server, hse_specialist, sign_in):
    """The sweep fails when a row pushes the page sideways or a primary button off the screen."""
    page = sign_in(new_page(PHONE), hse_specialist)
    assert _problems(page) == []
    page.evaluate("""() => {
      const wide = document.createElement('div'); wide.style.width = '600px'; wide.textContent = 'wide';
      const button = document.createElement('a'); button.className = 'btn btn-primary'; button.textContent = 'Go';
      button.style.marginLeft = '450px'; button.style.display = 'inline-block';
      document.querySelector('main').append(wide, button);
    }""")
    problems = _problems(page)
    assert any("wide on a 390px screen" in problem for problem in problems)
    assert "primary button 'Go' outside the screen" in problems
