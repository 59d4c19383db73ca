import pytest

from tests.browser.conftest import PHONE, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("persona_name", "heading"),
    [
        ("hse_specialist", "My units"),
        ("hse_head", "Enterprise structure"),
        ("line_manager", "My shop"),
        ("executive", "Enterprise structure"),
        ("pass_admin", "Units on site"),
        ("system_admin", "Enterprise structure"),
    ],
)
def test_each_role_signs_in_and_sees_its_home_page(persona, persona_name, heading, new_page, sign_in, live_server):
    user = persona(persona_name)
    page = sign_in(new_page(), user)
    assert page.url == f"{live_server.url}/"
    assert page.locator("h1").first.inner_text().startswith("Hello")
    assert page.get_by_text(heading).first.is_visible()
    assert page.locator("[data-testid=user-menu]").inner_text().strip().startswith(str(user))
    screenshot(page, f"home-{persona_name}")


def test_wrong_password_stays_on_login_with_an_error(org, hse_specialist, new_page, live_server):
    page = new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", hse_specialist.username)
    page.fill("input[name=password]", "wrong")
    page.click("form:has(input[name=password]) button[type=submit]")
    assert "/accounts/login/" in page.url
    assert page.locator(".alert-danger").is_visible()


def test_phone_menu_language_switch_and_sign_out(hse_specialist, new_page, sign_in, live_server):
    page = sign_in(new_page(PHONE), hse_specialist)
    page.click("button.navbar-toggler")
    page.get_by_role("button", name="RU").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "ru"
    screenshot(page, "home-specialist-phone-ru")
    page.click("button.navbar-toggler")
    page.locator("#mainNav.show").wait_for()
    page.click("[data-testid=user-menu]")
    sign_out = page.locator("form[action='/accounts/logout/'] button")
    sign_out.wait_for(state="visible")
    sign_out.click()
    page.wait_for_url("**/accounts/login/**")
    assert "/accounts/login/" in page.url
