"""What every journey of tests/browser/test_journeys.py is made of: a signed-in page at a phone's or a
desktop's size in English or Russian, the words of the page in the user's language (taken from the
portal's own catalogue, so a journey reads the screen as its user does), and the layout check run on
every screen the journey passes through, which also saves its screenshot."""

import re
from dataclasses import dataclass

import pytest
from django.utils import translation

from tests.browser.conftest import DESKTOP, PHONE, screenshot

SIZES = {"phone": PHONE, "desktop": DESKTOP}
LANGUAGES = ("en", "ru")
RUNS = [pytest.param(size, language, id=f"{size}-{language}") for size in SIZES for language in LANGUAGES]

# The smallest text a chart or a diagram may show, in CSS pixels as drawn on the screen.
MIN_CHART_TEXT_PX = 12

# Measured in the page: what sticks out of the screen, primary buttons out of reach, chart and
# diagram text drawn smaller than MIN_CHART_TEXT_PX. An element inside a container that scrolls
# sideways is reachable (the container is measured instead); a primary button never may be out.
LAYOUT_PROBLEMS = """
([minText, screenWidth]) => {
  // Not innerWidth: a phone browser zooms out to fit what is too wide, and innerWidth grows with it.
  const width = screenWidth;
  const problems = [];
  if (window.innerWidth > screenWidth || document.documentElement.clientWidth > screenWidth) {
    problems.push('the page is zoomed out to fit ' + window.innerWidth + ' px');
  }
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
    + ' "' + (el.textContent || '').trim().slice(0, 40) + '"';
  const shown = el => el.getClientRects().length
    && el.checkVisibility({visibilityProperty: true, opacityProperty: true});
  const scrolls = el => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(up).overflowX)) return true;
    }
    return false;
  };
  if (document.documentElement.scrollWidth > width) {
    problems.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' px wide');
  }
  for (const el of document.body.querySelectorAll('*')) {
    if (!shown(el) || el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || scrolls(el)) continue;
    if (box.right > width + 1 || box.left < -1) problems.push('wider than the screen: ' + name(el));
  }
  for (const button of document.querySelectorAll('.btn-primary')) {
    if (!shown(button)) continue;
    const box = button.getBoundingClientRect();
    if (box.right > width + 1 || box.left < -1) problems.push('primary button out of reach: ' + name(button));
  }
  for (const text of document.querySelectorAll('svg text')) {
    if (!shown(text) || !text.textContent.trim()) continue;
    const matrix = text.getScreenCTM();
    const size = parseFloat(getComputedStyle(text).fontSize) * Math.hypot(matrix.a, matrix.b);
    if (size < minText - 0.05) problems.push('chart text of ' + size.toFixed(1) + ' px: ' + name(text));
  }
  return problems;
}
"""

OPEN_EVERY_DISCLOSURE = """
() => [...document.querySelectorAll('details:not([open])')].map(d => { d.open = true; return d; }).length
"""
CLOSE_WHAT_WAS_OPENED = """
(count) => [...document.querySelectorAll('details[open]')].slice(-count).forEach(d => d.open = false)
"""


@dataclass
class Journey:
    """One run of a journey: a role's page at one size in one language."""

    page: object
    base_url: str
    size: str
    language: str
    name: str
    screens: int = 0

    def t(self, text: str, context: str | None = None) -> str:
        """`text` as the user reads it: the portal's own translation in the journey's language."""
        with translation.override(self.language):
            return translation.pgettext(context, text) if context else translation.gettext(text)

    def go(self, path: str):
        self.page.goto(f"{self.base_url}{path}")
        self.page.wait_for_load_state("networkidle")

    def submit(self, locator):
        """Press a button that sends a form, confirming the step where the page asks to."""
        locator.click()
        dialog = self.page.locator("dialog[open]")
        try:
            dialog.wait_for(timeout=700)
        except Exception:  # noqa: BLE001 - Playwright's TimeoutError: the page asked nothing
            pass
        else:
            with self.page.expect_navigation():
                dialog.locator("[data-confirm-ok]").click()
        self.page.wait_for_load_state("networkidle")

    def choose(self, scope, name: str, value: str):
        """Tap the choice `value` of the radio group `name` (drawn as buttons: its label is tapped)."""
        radio = scope.locator(f"input[name='{name}'][value='{value}']")
        radio_id = radio.get_attribute("id")
        label = scope.locator(f"label[for='{radio_id}']")
        (label if radio_id and label.count() else radio).first.click()

    def screen(self, step: str):
        """Save this screen's screenshot and fail on anything the layout check finds on it, with every
        disclosure of the page opened (what it holds must fit too)."""
        self.screens += 1
        self.page.evaluate("window.scrollTo(0, 0)")  # the sticky bar drawn at the top of the full-page shot
        screenshot(self.page, f"journey-{self.name}-{self.screens:02d}-{step}-{self.size}-{self.language}")
        assert self.page.locator("html").get_attribute("lang") == self.language
        opened = self.page.evaluate(OPEN_EVERY_DISCLOSURE)
        problems = self.page.evaluate(LAYOUT_PROBLEMS, [MIN_CHART_TEXT_PX, SIZES[self.size]["viewport"]["width"]])
        self.page.evaluate(CLOSE_WHAT_WAS_OPENED, opened)
        assert problems == [], f"{step} at {self.size} in {self.language}: " + "; ".join(problems[:10])

    def text(self, selector: str = "main") -> str:
        return re.sub(r"\s+", " ", self.page.locator(selector).first.inner_text())


def start(new_page, sign_in, live_server, user, size: str, language: str, name: str) -> Journey:
    """Sign `user` in (their language set as they would set it on their account page)."""
    if user is not None:
        user.language = language
        user.save(update_fields=["language"])
    page = new_page(SIZES[size])
    if user is not None:
        sign_in(page, user)
    return Journey(page=page, base_url=live_server.url, size=size, language=language, name=name)
