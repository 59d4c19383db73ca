"""Charts and diagrams people can read (issue 15), measured in the browser on the demo enterprise:
every <text> of every chart and diagram of the pages with charts renders at 12 CSS px or more on a
390 px phone and on a 1366 px desktop (font size × the SVG's on-screen scale, getScreenCTM), the
collapsed trends opened first; nothing is wider than the screen; and on a phone the cause tree's
final event is inside the part of the diagram one can reach, shown first."""

import pytest
from django.conf import settings
from django.utils import timezone

from apps.core.demo import load_demo_data
from apps.incidents.models import Investigation
from tests.browser.conftest import DESKTOP, PHONE, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MIN_PX = 12
SIZES = {"phone": PHONE, "desktop": DESKTOP}

# Every visible <text> of every chart or diagram: (its class, its words, its size on screen in px).
MEASURE = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const found = [];
  for (const svg of document.querySelectorAll('main svg')) {
    for (const text of svg.querySelectorAll('text')) {
      if (!text.checkVisibility() || !text.textContent.trim()) continue;
      const ctm = text.getScreenCTM();
      const size = parseFloat(getComputedStyle(text).fontSize) * Math.hypot(ctm.a, ctm.b);
      found.push([svg.getAttribute('class'), text.textContent.trim(), size]);
    }
  }
  return found;
}"""


@pytest.fixture
def demo(db):
    load_demo_data(today=timezone.localdate())
    return Investigation.objects.filter(facts__is_final_event=True).distinct().order_by("pk").first()


def sign_in_demo(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", settings.DEMO_PASSWORD)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_load_state("networkidle")


def measured(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    texts = page.evaluate(MEASURE)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= page.viewport_size["width"]
    return texts


@pytest.mark.parametrize("size", sorted(SIZES))
def test_every_chart_text_is_at_least_12px(demo, new_page, live_server, size):
    page = new_page(SIZES[size])
    sign_in_demo(page, live_server, "head")
    pages = {
        "observations": "/observations/stats/",
        "observations-3": "/observations/stats/?months=3",
        "kpis": "/kpis/",
        "kpis-6": "/kpis/?months=6",
        "summary": "/kpis/summary/",
        "unit": f"/org/units/{demo.incident.unit_id}/",
        "cause-tree": f"/incidents/investigations/{demo.pk}/",
    }
    kinds = set()
    for name, path in pages.items():
        texts = measured(page, live_server.url + path)
        assert texts, f"{name}: no chart text measured"
        small = [(kind, words, round(px, 1)) for kind, words, px in texts if px < MIN_PX]
        assert small == [], f"{name} at {size}: text below {MIN_PX} px"
        kinds |= {kind for kind, _words, _px in texts}
        screenshot(page, f"chart-text-{name}-{size}")
    assert {"kpi-chart", f"cause-tree cause-tree-{'narrow' if size == 'phone' else 'wide'}"} <= kinds


def test_the_cause_tree_final_event_is_reachable_and_shown_first_on_a_phone(demo, new_page, live_server):
    page = new_page(PHONE)
    sign_in_demo(page, live_server, "head")
    page.goto(f"{live_server.url}/incidents/investigations/{demo.pk}/")
    page.wait_for_load_state("networkidle")
    assert not page.locator("div.cause-tree-wide").is_visible()  # the phone gets the top-to-bottom tree
    frame = page.locator("div.cause-tree-narrow")
    final = frame.locator("g.final rect")
    final.scroll_into_view_if_needed()
    box, shown = frame.bounding_box(), final.bounding_box()
    # Inside the frame as it opens (no sideways scroll needed), and the frame inside the screen.
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["viewport"]["width"]
    assert shown["x"] >= box["x"] and shown["x"] + shown["width"] <= box["x"] + box["width"]
    # Every fact can be reached: by scrolling the page down and the frame sideways.
    reach = frame.evaluate("e => e.scrollWidth")
    for fact in frame.locator("g.fact rect").all():
        left = fact.evaluate("r => r.getBBox().x")
        assert 0 <= left <= reach
    screenshot(page, "chart-text-cause-tree-final-phone")
