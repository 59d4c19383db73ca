from pathlib import Path

import pytest

from apps.actions.models import Action
from tests.browser.conftest import PHONE, screenshot
from tests.factories import ActionFactory
from tests.observations.conftest import jpeg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_closes_with_a_photo_on_a_phone_and_manager_verifies(
    org, line_manager, hse_specialist, new_page, sign_in, live_server, tmp_path
):
    action = ActionFactory(unit=org.crew, owner=line_manager, created_by=hse_specialist, title="Guard the pulley")
    photo = Path(tmp_path) / "guard.jpg"
    photo.write_bytes(jpeg("guard.jpg").read())

    page = sign_in(new_page(PHONE), line_manager)
    page.goto(f"{live_server.url}/actions/?tab=mine")
    page.get_by_text("Guard the pulley").click()
    page.get_by_role("button", name="Mark as done").click()
    assert page.locator("#complete .alert-danger, #complete .invalid-feedback").first.is_visible()
    page.fill("textarea[name=evidence]", "Interlocked guard fitted and tested")
    page.set_input_files("input[name=files]", str(photo))
    page.get_by_role("button", name="Mark as done").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=status]").inner_text() == "Done"
    assert page.get_by_role("link", name="guard.jpg").is_visible()
    screenshot(page, "action-done-phone")

    manager_page = sign_in(new_page(PHONE), hse_specialist)
    manager_page.goto(f"{live_server.url}{action.get_absolute_url()}")
    manager_page.get_by_label("Yes: the hazard is controlled").check()
    manager_page.fill("textarea[name=note]", "Checked on the night shift")
    manager_page.get_by_role("button", name="Record verification").click()
    manager_page.wait_for_load_state("networkidle")
    assert manager_page.locator("[data-testid=status]").inner_text() == "Verified"
    action.refresh_from_db()
    assert (action.status, action.verified_by) == (Action.Status.VERIFIED, hse_specialist)
