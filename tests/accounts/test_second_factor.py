"""Two-step sign-in (issue 14): a TOTP app and backup codes for the HSE head, the pass office and
system admins. Codes are real: computed here from the device's key with django_otp.oath.totp at a
frozen time. Wrong codes are throttled by django-otp (each device pauses 2^(n-1) s after its n-th
wrong code in a row) and count as failed sign-ins for django-axes (5 per username and address)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts import services
from apps.accounts.middleware import SECOND_FACTOR_PENDING
from apps.accounts.roles import roles_with
from apps.audit.models import AuditEntry
from tests.factories import PASSWORD

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # the start of a 30-second TOTP step
LOGIN = reverse("accounts:login")
CODE_PAGE = reverse("accounts:second_factor_verify")
TOKEN = reverse("api:auth-token")
IP = "10.1.1.1"


@pytest.fixture(autouse=True)
def _frozen_clock():
    """Every test runs at T0 (the session timeouts count from there too); tests move on from it."""
    with time_machine.travel(T0, tick=False):
        yield


def code_now(device) -> str:
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def wrong_code(device) -> str:
    return f"{(int(code_now(device)) + 1) % 1_000_000:06d}"


def give_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def sign_in_password(client, user):
    return client.post(LOGIN, {"username": user.username, "password": PASSWORD}, REMOTE_ADDR=IP)


def enter_code(client, code, next_url=""):
    data = {"token": code}
    if next_url:
        data["next"] = next_url
    return client.post(CODE_PAGE, data, REMOTE_ADDR=IP)


def actions(action):
    return AuditEntry.objects.filter(action=action)


def test_only_the_head_the_pass_office_and_system_admins_may_use_it():
    assert roles_with("accounts.use_second_factor") == {"hse_head", "pass_admin", "system_admin"}
    assert roles_with("accounts.reset_second_factor") == {"system_admin"}


class TestEnrolment:
    def test_set_up_with_a_real_code_then_backup_codes_shown_once(self, hse_head):
        client = Client()
        client.force_login(hse_head)
        with time_machine.travel(T0, tick=False):
            assert client.post(reverse("accounts:second_factor_start")).url == reverse("accounts:second_factor_setup")
            device = TOTPDevice.objects.get(user=hse_head)
            assert device.confirmed is False
            page = client.get(reverse("accounts:second_factor_setup"))
            assert page.status_code == 200
            assert "<svg" in page.text
            secret = re.search(r'data-testid="second-factor-secret">([A-Z2-7 ]+)<', page.text).group(1)
            groups = secret.split(" ")
            assert all(len(group) == 4 for group in groups) and len(groups) == 8
            import base64

            assert base64.b32decode("".join(groups)) == device.bin_key

            wrong = client.post(reverse("accounts:second_factor_setup"), {"token": wrong_code(device)})
            assert wrong.status_code == 200
            assert "This code is wrong or has expired." in wrong.text
            device.refresh_from_db()
            assert device.confirmed is False

        with time_machine.travel(T0 + timedelta(seconds=30), tick=False):  # past the throttle's pause
            done = client.post(reverse("accounts:second_factor_setup"), {"token": code_now(device)})
        assert done.status_code == 200
        codes = re.findall(r'<li class="col">([a-z2-7]{8})</li>', done.text)
        assert len(codes) == services.BACKUP_CODES_COUNT == 10
        assert set(StaticToken.objects.filter(device__user=hse_head).values_list("token", flat=True)) == set(codes)
        device.refresh_from_db()
        assert device.confirmed is True
        assert actions("accounts.second_factor.enabled").filter(actor=hse_head).count() == 1
        # The session that proved the code stays in; the profile says it is on.
        profile = client.get(reverse("accounts:profile"))
        assert profile.status_code == 200
        assert "10 backup codes left." in profile.text
        assert "Set up two-step sign-in" not in profile.text

    def test_a_second_set_up_is_refused_while_one_is_on(self, pass_admin):
        give_device(pass_admin)
        with pytest.raises(Exception, match="already on"):
            services.second_factor_enrol_start(actor=pass_admin)

    @pytest.mark.parametrize("name", ["hse_specialist", "line_manager", "executive"])
    def test_other_roles_are_refused_and_never_see_it(self, name, persona):
        user = persona(name)
        client = Client()
        client.force_login(user)
        assert client.post(reverse("accounts:second_factor_start")).status_code == 403
        assert client.get(reverse("accounts:second_factor_setup")).status_code == 403
        assert client.post(reverse("accounts:second_factor_disable"), {"proof": PASSWORD}).status_code == 403
        assert not TOTPDevice.objects.filter(user=user).exists()
        profile = client.get(reverse("accounts:profile"))
        assert 'data-testid="second-factor"' not in profile.text
        with pytest.raises(PermissionDenied):
            services.second_factor_enrol_start(actor=user)

    def test_the_allowed_roles_see_the_section(self, hse_head):
        client = Client()
        client.force_login(hse_head)
        assert 'data-testid="second-factor-start"' in client.get(reverse("accounts:profile")).text


class TestSignIn:
    def test_without_a_device_the_password_is_enough(self, hse_head):
        client = Client()
        assert sign_in_password(client, hse_head).url == reverse("core:home")
        assert SECOND_FACTOR_PENDING not in client.session
        assert client.get(reverse("core:home")).status_code == 200

    def test_the_password_then_the_code(self, hse_head):
        device = give_device(hse_head)
        client = Client()
        with time_machine.travel(T0, tick=False):
            response = client.post(
                LOGIN, {"username": "head", "password": PASSWORD, "next": "/actions/"}, REMOTE_ADDR=IP
            )
            assert response.status_code == 302
            # The held session: every page sends it to the code page, keeping where it was going.
            assert client.session[SECOND_FACTOR_PENDING] is True
            held = client.get("/actions/")
            assert held.status_code == 302
            assert held.url == f"{CODE_PAGE}?next=%2Factions%2F"
            assert client.get(CODE_PAGE).status_code == 200
            response = enter_code(client, code_now(device), next_url="/actions/")
        assert response.status_code == 302
        assert response.url == "/actions/"
        assert SECOND_FACTOR_PENDING not in client.session
        assert client.get("/actions/").status_code == 200
        passed = actions("accounts.second_factor.passed").get()
        assert passed.actor == hse_head
        assert passed.data == {"method": "app"}

    def test_a_held_session_reaches_nothing_but_the_code_page_and_sign_out(self, system_admin):
        give_device(system_admin)
        client = Client()
        client.force_login(system_admin)  # any session sign-in is held, not only the portal's page
        for url in [reverse("core:home"), reverse("accounts:profile"), "/admin/", reverse("audit:entry_list")]:
            response = client.get(url)
            assert response.status_code == 302, url
            assert response.url.startswith(CODE_PAGE), url
        assert client.post(reverse("accounts:second_factor_start")).url == CODE_PAGE
        api = client.get(reverse("api:action-list"))
        assert api.status_code == 403
        assert api.json()["detail"] == "Enter the code from your authenticator app first."
        assert not TOTPDevice.objects.filter(user=system_admin, confirmed=False).exists()
        assert client.post(reverse("accounts:logout")).status_code == 302
        assert SESSION_KEY not in client.session

    def test_a_wrong_code_is_refused_and_recorded(self, hse_head):
        device = give_device(hse_head)
        client = Client()
        with time_machine.travel(T0, tick=False):
            sign_in_password(client, hse_head)
            response = enter_code(client, wrong_code(device))
        assert response.status_code == 200
        assert "This code is wrong or has expired." in response.text
        assert client.session[SECOND_FACTOR_PENDING] is True
        assert client.get(reverse("core:home")).status_code == 302
        failed = actions("accounts.second_factor_failed").get()
        assert failed.actor_name == "head"
        assert not actions("accounts.second_factor.passed").exists()

    def test_a_code_works_once(self, hse_head):
        device = give_device(hse_head)
        with time_machine.travel(T0, tick=False):
            first = Client()
            sign_in_password(first, hse_head)
            code = code_now(device)
            assert enter_code(first, code).status_code == 302
            second = Client()
            sign_in_password(second, hse_head)
            assert enter_code(second, code).status_code == 200
        assert second.session[SECOND_FACTOR_PENDING] is True

    def test_a_backup_code_works_once(self, pass_admin):
        give_device(pass_admin)
        backup = StaticDevice.objects.create(user=pass_admin, name="Backup codes", confirmed=True)
        StaticToken.objects.create(device=backup, token="abcd2345")
        client = Client()
        sign_in_password(client, pass_admin)
        assert enter_code(client, "ABCD 2345").status_code == 302
        assert actions("accounts.second_factor.passed").get().data == {"method": "backup_code"}
        other = Client()
        sign_in_password(other, pass_admin)
        assert enter_code(other, "abcd2345").status_code == 200


class TestThrottling:
    def test_settings(self):
        assert settings.OTP_TOTP_THROTTLE_FACTOR == 1
        assert settings.OTP_STATIC_THROTTLE_FACTOR == 1
        assert settings.AXES_FAILURE_LIMIT == 5

    def _wrong_codes(self, client, device, count, start):
        """`count` wrong codes, each after the device's pause (2^(n-1) s) has passed."""
        moment = start
        for attempt in range(count):
            with time_machine.travel(moment, tick=False):
                assert enter_code(client, wrong_code(device)).status_code == 200
            moment += timedelta(seconds=2**attempt)
        return moment

    def test_four_wrong_codes_then_the_right_one_signs_in(self, hse_head):
        device = give_device(hse_head)
        client = Client()
        with time_machine.travel(T0, tick=False):
            sign_in_password(client, hse_head)
        moment = self._wrong_codes(client, device, 4, T0)
        with time_machine.travel(moment, tick=False):
            assert enter_code(client, code_now(device)).status_code == 302
        assert actions("accounts.second_factor_failed").count() == 4

    def test_the_fifth_wrong_code_pauses_the_username_from_this_address(self, hse_head):
        device = give_device(hse_head)
        client = Client()
        with time_machine.travel(T0, tick=False):
            sign_in_password(client, hse_head)
        moment = self._wrong_codes(client, device, 4, T0)
        with time_machine.travel(moment, tick=False):
            fifth = enter_code(client, wrong_code(device))
        assert fifth.status_code == 429
        with time_machine.travel(moment + timedelta(minutes=1), tick=False):
            right = enter_code(client, code_now(device))
            assert right.status_code == 429
            assert "Try again in 15 minutes" in right.text
            # The pair is paused for the password too.
            again = Client()
            assert sign_in_password(again, hse_head).status_code == 429
        assert client.session[SECOND_FACTOR_PENDING] is True

    def test_after_three_wrong_codes_the_device_pauses_four_seconds(self, hse_head):
        device = give_device(hse_head)
        client = Client()
        with time_machine.travel(T0, tick=False):
            sign_in_password(client, hse_head)
        self._wrong_codes(client, device, 3, T0)
        last_wrong = T0 + timedelta(seconds=1 + 2)
        with time_machine.travel(last_wrong + timedelta(seconds=3), tick=False):
            early = enter_code(client, code_now(device))
        assert early.status_code == 200
        assert "Too many wrong codes: wait 1 second, then" in early.text
        with time_machine.travel(last_wrong + timedelta(seconds=4), tick=False):
            assert enter_code(client, code_now(device)).status_code == 302

    def test_signing_in_again_does_not_end_the_pause(self, hse_head):
        device = give_device(hse_head)
        client = Client()
        with time_machine.travel(T0, tick=False):
            sign_in_password(client, hse_head)
            enter_code(client, wrong_code(device))
            enter_code(client, wrong_code(device))  # refused unchecked: the device pauses 1 s
            fresh = Client()
            sign_in_password(fresh, hse_head)  # a right password resets axes, not the device
            assert "Too many wrong codes" in enter_code(fresh, code_now(device)).text


class TestApiToken:
    def test_a_user_without_a_device_needs_no_code(self, executive):
        assert Client().post(TOKEN, {"username": "executive", "password": PASSWORD}).status_code == 200

    def test_a_user_with_a_device_must_send_the_code(self, pass_admin):
        device = give_device(pass_admin)
        client = Client()
        with time_machine.travel(T0, tick=False):
            missing = client.post(TOKEN, {"username": "passoffice", "password": PASSWORD}, REMOTE_ADDR=IP)
            assert missing.status_code == 400
            assert list(missing.json()) == ["otp"]
            wrong = client.post(
                TOKEN, {"username": "passoffice", "password": PASSWORD, "otp": wrong_code(device)}, REMOTE_ADDR=IP
            )
            assert wrong.status_code == 400
            assert wrong.json()["otp"] == ["This code is wrong or has expired."]
        assert actions("accounts.second_factor_failed").count() == 1
        with time_machine.travel(T0 + timedelta(seconds=30), tick=False):
            right = client.post(
                TOKEN, {"username": "passoffice", "password": PASSWORD, "otp": code_now(device)}, REMOTE_ADDR=IP
            )
        assert right.status_code == 200
        assert len(right.json()["token"]) == 40

    def test_a_wrong_password_is_refused_before_the_code(self, pass_admin):
        device = give_device(pass_admin)
        with time_machine.travel(T0, tick=False):
            response = Client().post(TOKEN, {"username": "passoffice", "password": "wrong", "otp": code_now(device)})
        assert response.status_code == 400
        assert "otp" not in response.json()


class TestTurnOffAndReset:
    def test_turning_off_needs_the_password_or_a_code(self, hse_head):
        give_device(hse_head)
        client = Client()
        client.force_login(hse_head)
        session = client.session
        session.pop(SECOND_FACTOR_PENDING)
        session.save()
        client.post(reverse("accounts:second_factor_disable"), {"proof": "not-my-password"})
        assert TOTPDevice.objects.filter(user=hse_head).exists()
        assert client.post(reverse("accounts:second_factor_disable"), {"proof": PASSWORD}).status_code == 302
        assert not TOTPDevice.objects.filter(user=hse_head).exists()
        assert actions("accounts.second_factor.disabled").filter(actor=hse_head).count() == 1
        other = Client()
        assert sign_in_password(other, hse_head).url == reverse("core:home")
        assert other.get(reverse("core:home")).status_code == 200

    def test_the_system_admin_resets_it_in_django_admin_with_a_reason(self, system_admin, hse_head):
        give_device(hse_head)
        StaticDevice.objects.create(user=hse_head, name="Backup codes", confirmed=True)
        client = Client()
        client.force_login(system_admin)  # the admin has no device of their own: not held
        changelist = reverse("admin:accounts_user_changelist")
        ask = client.post(changelist, {"action": "reset_second_factor", "_selected_action": [hse_head.pk]})
        assert ask.status_code == 200
        assert "Reset two-step sign-in" in ask.text
        assert TOTPDevice.objects.filter(user=hse_head).exists()
        done = client.post(
            changelist,
            {
                "action": "reset_second_factor",
                "_selected_action": [hse_head.pk],
                "apply": "1",
                "reason": "Phone lost on site",
            },
        )
        assert done.status_code == 302
        assert not TOTPDevice.objects.filter(user=hse_head).exists()
        assert not StaticDevice.objects.filter(user=hse_head).exists()
        entry = actions("accounts.second_factor.reset").get()
        assert (entry.actor, entry.target_id, entry.reason) == (system_admin, str(hse_head.pk), "Phone lost on site")
        assert entry.data == {"had_second_factor": True}

    def test_only_the_system_admin_resets(self, hse_head, pass_admin):
        give_device(pass_admin)
        with pytest.raises(PermissionDenied):
            services.second_factor_reset(actor=hse_head, user=pass_admin, reason="x")
        assert TOTPDevice.objects.filter(user=pass_admin).exists()

    def test_a_held_session_goes_on_once_the_factor_is_reset(self, system_admin, hse_head):
        give_device(hse_head)
        client = Client()
        sign_in_password(client, hse_head)
        services.second_factor_reset(actor=system_admin, user=hse_head, reason="Phone lost")
        assert client.get(CODE_PAGE).status_code == 302
        assert client.get(reverse("core:home")).status_code == 200
