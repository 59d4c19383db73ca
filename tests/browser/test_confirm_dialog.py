"""The confirmation dialog (static/js/confirm.js) in a real browser: it asks, "No, go back" sends
nothing and keeps what was typed, the confirm button sends the form. Which forms ask:
tests/common/test_confirmations.py."""

import pytest

from apps.actions.models import Action
from tests.browser.conftest import PHONE, screenshot
from tests.factories import ActionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dialog_asks_cancel_keeps_and_ok_sends(org, hse_specialist, line_manager, new_page, sign_in, live_server):
    action = ActionFactory(unit=org.crew, owner=line_manager, created_by=hse_specialist, title="Guard the pulley")
    page = sign_in(new_page(PHONE), hse_specialist)
    page.goto(f"{live_server.url}{action.get_absolute_url()}")
    page.locator("#cancel summary").click()
    page.fill("#cancel textarea[name=reason]", "Duplicate of another action")
    dialog = page.locator("#confirm-dialog")

    page.locator("#cancel button[type=submit]").click()
    assert dialog.is_visible()
    assert dialog.locator("[data-confirm-message]").inner_text() == (
        "Cancel this action? It will no longer count as work to do."
    )
    screenshot(page, "confirm-dialog-phone")
    dialog.get_by_role("button", name="No, go back").click()
    assert not dialog.is_visible()
    page.wait_for_timeout(300)
    action.refresh_from_db()
    assert action.status == Action.Status.OPEN  # nothing was sent
    assert page.locator("#cancel textarea[name=reason]").input_value() == "Duplicate of another action"

    page.locator("#cancel button[type=submit]").click()
    with page.expect_navigation():  # the form is sent once the dialog has closed
        dialog.get_by_role("button", name="Cancel the action").click()
    action.refresh_from_db()
    assert action.status == Action.Status.CANCELLED
    assert action.cancel_reason == "Duplicate of another action"
