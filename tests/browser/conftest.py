"""Real-browser tests: Debian's chromium driven by Playwright (its own browser download cannot
work on these machines, so the executable path is set)."""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# body are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


from tests.observations.conftest import categories  # noqa: E402, F401 - fixture for the observation journeys


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def _is_policy_violation(text: str) -> bool:
    """A console line of the browser refusing something under the Content-Security-Policy, or htmx
    refusing to evaluate a script (the policy allows no eval)."""
    return "Content Security Policy" in text or "evalDisallowed" in text


@pytest.fixture
def new_page(browser):
    contexts = []
    violations: list[str] = []

    def make(size=DESKTOP):
        context = browser.new_context(**size)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        # Every page of every browser test: a script or style the CSP refused fails the test.
        page.on("console", lambda message: _is_policy_violation(message.text) and violations.append(message.text))
        return page

    yield make
    for context in contexts:
        context.close()
    assert violations == [], "the Content-Security-Policy refused something"


@pytest.fixture
def sign_in(live_server):
    from tests.factories import PASSWORD

    def sign_in_as(page, user):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("form:has(input[name=password]) button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    return sign_in_as


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def confirm(page, *, then_wait=False):
    """Answer the portal's confirmation dialog (static/js/confirm.js) with its OK button; with
    `then_wait`, wait for the page the form's answer loads (not for the page still shown)."""
    button = page.locator("#confirm-dialog[open] [data-confirm-ok]")
    if not then_wait:
        button.click()
        return
    with page.expect_navigation():
        button.click()
