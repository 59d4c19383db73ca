"""Two-step sign-in on a phone: the pass office sets up an authenticator app from the profile
page, then signs in with the password and a code (computed here from the device's key)."""

import time
from datetime import UTC, datetime

import pytest
import time_machine
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.conftest import PHONE, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_now(device) -> str:
    return f"{totp(device.bin_key):06d}"


def test_set_up_then_sign_in_with_a_code_on_a_phone(pass_admin, new_page, sign_in, live_server):
    # A code is accepted once per 30-second step: the clock (the live server's too) moves on one
    # step between the set-up and the sign-in instead of the test waiting for it.
    with time_machine.travel(datetime.fromtimestamp(time.time(), tz=UTC), tick=True) as clock:
        page = sign_in(new_page(PHONE), pass_admin)
        page.goto(f"{live_server.url}/accounts/profile/")
        page.click("[data-testid=second-factor-start]")
        page.wait_for_url("**/accounts/profile/two-step/set-up/")
        assert page.locator("[data-testid=second-factor-qr] svg").is_visible()
        secret = page.locator("[data-testid=second-factor-secret]").inner_text()
        assert len(secret.split()) == 8
        screenshot(page, "second-factor-setup-phone")
        device = TOTPDevice.objects.get(user=pass_admin)
        page.fill("input[name=token]", code_now(device))
        page.click("form:has(input[name=token]) button[type=submit]")
        assert page.locator("[data-testid=backup-codes] li").count() == 10
        screenshot(page, "second-factor-backup-codes-phone")

        clock.shift(30)
        page = sign_in(new_page(PHONE), pass_admin)
        assert "/accounts/login/code/" in page.url
        screenshot(page, "second-factor-code-phone")
        page.fill("input[name=token]", code_now(device))
        page.click("[data-testid=second-factor-form] button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert page.url == f"{live_server.url}/"
        assert page.locator("h1").first.inner_text().startswith("Hello")
