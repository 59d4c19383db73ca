import pytest

from apps.observations.models import Observation
from tests.browser.conftest import PHONE, screenshot
from tests.observations.conftest import jpeg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_specialist_logs_an_observation_with_a_photo_on_a_phone(
    org, hse_specialist, categories, new_page, sign_in, live_server, tmp_path
):
    photo = tmp_path / "guard.jpg"
    photo.write_bytes(jpeg().read())
    page = sign_in(new_page(PHONE), hse_specialist)
    page.goto(f"{live_server.url}/observations/new/")
    page.get_by_text("Unsafe condition").click()
    page.get_by_text("Housekeeping").click()
    page.fill("textarea[name=description]", "Pallets block the emergency exit of bay 2")
    page.get_by_text("Yes", exact=True).click()
    page.get_by_text("The crew").click()
    page.fill("textarea[name=feedback_text]", "Asked the crew to clear it before the shift")
    page.get_by_text("Medium", exact=True).click()  # nothing is pre-selected: the observer rates it
    page.select_option("select[name=unit]", label=str(org.crew))  # two units: chosen in sight
    page.set_input_files("input[name=photos]", str(photo))
    screenshot(page, "observation-form-phone")
    page.get_by_role("button", name="Save observation").click()
    page.wait_for_load_state("networkidle")

    observation = Observation.objects.get()
    assert page.url.endswith(observation.get_absolute_url())
    assert observation.feedback_to == "crew" and observation.photos.count() == 1
    assert (observation.risk, observation.unit) == ("medium", org.crew)
    assert page.locator("img.photo-thumb").count() == 1
    assert page.locator("img.photo-thumb").evaluate("img => img.naturalWidth") > 0  # the photo really loads

    page.goto(f"{live_server.url}/observations/?tab=mine")
    assert page.get_by_text("Pallets block the emergency exit of bay 2").is_visible()
    screenshot(page, "observation-list-phone")


def test_a_missing_choice_is_shown_in_place_and_nothing_typed_is_lost(
    org, hse_specialist, categories, new_page, sign_in, live_server
):
    page = sign_in(new_page(PHONE), hse_specialist)
    page.goto(f"{live_server.url}/observations/new/")
    page.fill("textarea[name=description]", "Ladder with a broken rung")
    page.get_by_role("button", name="Save observation").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("textarea[name=description]").input_value() == "Ladder with a broken rung"
    assert page.get_by_text("This field is required.").first.is_visible()
    assert not Observation.objects.exists()


def test_a_bad_filter_is_shown_in_the_filter_card_and_the_tab_is_kept(
    org, hse_specialist, categories, new_page, sign_in, live_server
):
    page = sign_in(new_page(PHONE), hse_specialist)
    page.goto(f"{live_server.url}/observations/?tab=mine&date_from=0001-01-01")
    card = page.locator("details.card")
    assert card.get_attribute("open") is not None  # opened on the error
    assert card.locator(".invalid-feedback").first.is_visible()
    assert "before the enterprise's records begin" in card.locator(".invalid-feedback").first.inner_text()
    page.fill("input[name=date_from]", "2026-11-01")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state("networkidle")
    assert "tab=mine" in page.url and "date_from=2026-11-01" in page.url
    assert page.locator(".invalid-feedback").count() == 0
    assert page.locator("ul.nav-pills a.nav-link.active").inner_text() == "My observations"
    screenshot(page, "observation-list-filtered-phone")
