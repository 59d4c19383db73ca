"""Sign-in security: throttling of the login page and the API token endpoint (django-axes, per
username and IP, with a cool-off), idle and absolute session timeouts, an admin ending a user's
sessions, access ending with deactivation or a removed role, and passphrase-friendly rules."""

from datetime import UTC, datetime, timedelta
from importlib import import_module

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from apps.accounts import services
from apps.accounts.admin import UserAdmin
from apps.accounts.models import User
from apps.audit.models import AuditEntry
from tests.factories import PASSWORD, UserFactory

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
LOGIN = reverse("accounts:login")
TOKEN = reverse("api:auth-token")
PLANT_IP = "10.1.1.1"
OTHER_IP = "10.2.2.2"


def sign_in(client, username, password, ip=PLANT_IP):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def get_token(client, username, password, ip=PLANT_IP):
    return client.post(TOKEN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


@pytest.fixture
def worker(db):
    return UserFactory(username="ivanov")


@pytest.fixture
def colleague(db):
    return UserFactory(username="petrov")


class TestLoginThrottling:
    def test_settings_lock_the_pair_not_the_ip_or_the_username(self):
        assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
        assert settings.AXES_FAILURE_LIMIT == 5
        assert settings.AXES_RESET_ON_SUCCESS is True

    def test_forty_wrong_passwords_then_the_right_one_does_not_sign_in(self, worker):
        client = Client()
        with time_machine.travel(T0, tick=False):
            for _attempt in range(40):
                sign_in(client, "ivanov", "wrong-password")
            response = sign_in(client, "ivanov", PASSWORD)
        assert response.status_code == 429
        assert not signed_in(client)
        assert "Sign-in paused" in response.text
        assert "Try again in 15 minutes" in response.text
        assert response["Retry-After"] == "900"
        # The lockout page is made inside the header middleware (axes comes last): it has their headers.
        assert "Content-Security-Policy" in response

    def test_the_page_is_in_the_users_language(self, worker):
        client = Client()
        for _attempt in range(5):
            sign_in(client, "ivanov", "wrong-password")
        response = client.post(
            LOGIN, {"username": "ivanov", "password": PASSWORD}, REMOTE_ADDR=PLANT_IP, HTTP_ACCEPT_LANGUAGE="ru"
        )
        assert response.status_code == 429
        assert '<html lang="ru"' in response.text

    def test_the_fifth_failure_locks_the_fourth_does_not(self, worker):
        client = Client()
        for _attempt in range(4):
            assert sign_in(client, "ivanov", "wrong-password").status_code == 200
        assert sign_in(client, "ivanov", PASSWORD).status_code == 302
        client.logout()
        for _attempt in range(5):
            sign_in(client, "ivanov", "wrong-password")
        assert sign_in(client, "ivanov", PASSWORD).status_code == 429

    def test_a_success_resets_the_count(self, worker):
        client = Client()
        for _attempt in range(4):
            sign_in(client, "ivanov", "wrong-password")
        assert sign_in(client, "ivanov", PASSWORD).status_code == 302
        client.logout()
        for _attempt in range(4):
            assert sign_in(client, "ivanov", "wrong-password").status_code == 200
        assert sign_in(client, "ivanov", PASSWORD).status_code == 302

    def test_after_the_cool_off_the_right_password_signs_in(self, worker):
        client = Client()
        with time_machine.travel(T0, tick=False) as traveller:
            for _attempt in range(40):
                sign_in(client, "ivanov", "wrong-password")
            traveller.shift(timedelta(minutes=15) - timedelta(seconds=1))
            assert sign_in(client, "ivanov", PASSWORD).status_code == 429
        # The failed try during the lockout started the cool-off again: 15 minutes from it.
        with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
            response = sign_in(client, "ivanov", PASSWORD)
            assert response.status_code == 302
            assert signed_in(client)

    def test_one_step_after_the_cool_off(self, worker):
        client = Client()
        with time_machine.travel(T0, tick=False):
            for _attempt in range(5):
                sign_in(client, "ivanov", "wrong-password")
        with time_machine.travel(T0 + timedelta(minutes=15, seconds=1), tick=False):
            assert sign_in(client, "ivanov", PASSWORD).status_code == 302

    def test_the_same_username_from_another_ip_is_not_locked(self, worker):
        for _attempt in range(40):
            sign_in(Client(), "ivanov", "wrong-password")
        client = Client()
        assert sign_in(client, "ivanov", PASSWORD, ip=OTHER_IP).status_code == 302
        assert signed_in(client)

    def test_another_username_from_the_same_ip_is_not_locked(self, worker, colleague):
        for _attempt in range(40):
            sign_in(Client(), "ivanov", "wrong-password")
        client = Client()
        assert sign_in(client, "petrov", PASSWORD).status_code == 302
        assert signed_in(client)


class TestTokenThrottling:
    def test_forty_wrong_passwords_then_the_right_one_gets_no_token(self, worker):
        client = Client()
        with time_machine.travel(T0, tick=False):
            for _attempt in range(40):
                assert get_token(client, "ivanov", "wrong-password").status_code in (400, 429)
            response = get_token(client, "ivanov", PASSWORD)
        assert response.status_code == 429
        assert response["Content-Type"] == "application/json"
        assert "Too many failed sign-ins" in response.json()["detail"]
        assert response["Retry-After"] == "900"
        assert not Token.objects.exists()

    def test_the_fifth_failure_locks_and_a_success_resets(self, worker):
        client = Client()
        for _attempt in range(4):
            assert get_token(client, "ivanov", "wrong-password").status_code == 400
        assert get_token(client, "ivanov", PASSWORD).status_code == 200
        for _attempt in range(4):
            assert get_token(client, "ivanov", "wrong-password").status_code == 400
        assert get_token(client, "ivanov", PASSWORD).status_code == 200
        for _attempt in range(5):
            get_token(client, "ivanov", "wrong-password")
        assert get_token(client, "ivanov", PASSWORD).status_code == 429

    def test_after_the_cool_off_a_token_is_given(self, worker):
        client = Client()
        with time_machine.travel(T0, tick=False):
            for _attempt in range(40):
                get_token(client, "ivanov", "wrong-password")
        with time_machine.travel(T0 + timedelta(minutes=15) - timedelta(seconds=1), tick=False):
            assert get_token(client, "ivanov", PASSWORD).status_code == 429
        with time_machine.travel(T0 + timedelta(minutes=30, seconds=1), tick=False):
            response = get_token(client, "ivanov", PASSWORD)
        assert response.status_code == 200
        assert response.json()["token"] == Token.objects.get(user=worker).key

    def test_another_ip_and_another_username_are_not_locked(self, worker, colleague):
        for _attempt in range(40):
            get_token(Client(), "ivanov", "wrong-password")
        assert get_token(Client(), "ivanov", PASSWORD, ip=OTHER_IP).status_code == 200
        assert get_token(Client(), "petrov", PASSWORD).status_code == 200

    def test_page_and_api_failures_count_together(self, worker):
        for _attempt in range(3):
            sign_in(Client(), "ivanov", "wrong-password")
        for _attempt in range(2):
            get_token(Client(), "ivanov", "wrong-password")
        assert sign_in(Client(), "ivanov", PASSWORD).status_code == 429
        assert get_token(Client(), "ivanov", PASSWORD).status_code == 429


HOME = reverse("core:home")


def client_signed_in_at(user, when) -> Client:
    client = Client()
    with time_machine.travel(when, tick=False):
        assert sign_in(client, user.username, PASSWORD).status_code == 302
    return client


class TestSessionTimeouts:
    def test_defaults(self):
        assert settings.SESSION_IDLE_SECONDS == 8 * 3600
        assert settings.SESSION_ABSOLUTE_SECONDS == 24 * 3600

    def test_idle_one_second_before_the_limit_keeps_the_session(self, worker):
        client = client_signed_in_at(worker, T0)
        with time_machine.travel(T0 + timedelta(hours=8) - timedelta(seconds=1), tick=False):
            assert client.get(HOME).status_code == 200

    def test_idle_at_the_limit_signs_out_with_a_message(self, worker):
        client = client_signed_in_at(worker, T0)
        with time_machine.travel(T0 + timedelta(hours=8), tick=False):
            response = client.get(HOME)
            assert response.status_code == 302
            assert response["Location"] == f"{LOGIN}?next={HOME}"
            page = client.get(response["Location"])
            assert not signed_in(client)
        assert "signed out after a long time without activity" in page.text

    def test_activity_keeps_an_idle_session_alive(self, worker):
        client = client_signed_in_at(worker, T0)
        for hours in (7, 14, 21):
            with time_machine.travel(T0 + timedelta(hours=hours), tick=False):
                assert client.get(HOME).status_code == 200

    def test_the_last_seen_time_is_saved_at_most_once_a_minute(self, worker):
        client = client_signed_in_at(worker, T0)
        with time_machine.travel(T0 + timedelta(seconds=59), tick=False):
            client.get(HOME)
            assert client.session["_portal_seen_at"] == int(T0.timestamp())
        with time_machine.travel(T0 + timedelta(seconds=60), tick=False):
            client.get(HOME)
            assert client.session["_portal_seen_at"] == int(T0.timestamp()) + 60

    def test_absolute_one_second_before_the_limit_keeps_the_session(self, worker):
        client = client_signed_in_at(worker, T0)
        for hours in (7, 14, 21):
            with time_machine.travel(T0 + timedelta(hours=hours), tick=False):
                client.get(HOME)
        with time_machine.travel(T0 + timedelta(hours=24) - timedelta(seconds=1), tick=False):
            assert client.get(HOME).status_code == 200

    def test_absolute_at_the_limit_signs_out_however_active(self, worker):
        client = client_signed_in_at(worker, T0)
        for hours in (7, 14, 21):
            with time_machine.travel(T0 + timedelta(hours=hours), tick=False):
                client.get(HOME)
        with time_machine.travel(T0 + timedelta(hours=24), tick=False):
            response = client.get(HOME)
            page = client.get(response["Location"])
            assert not signed_in(client)
            assert client.get(HOME).status_code == 302
        assert response.status_code == 302
        assert "sessions last at most 24 hours" in page.text

    def test_an_expired_session_on_the_api_is_anonymous(self, worker):
        client = client_signed_in_at(worker, T0)
        with time_machine.travel(T0 + timedelta(hours=8), tick=False):
            response = client.get(reverse("api:unit-list"))
            assert not signed_in(client)
        assert response.status_code in (401, 403)


def session_keys_of(user) -> list[str]:
    return [s.session_key for s in Session.objects.all() if str(s.get_decoded().get(SESSION_KEY)) == str(user.pk)]


class TestEndingSessions:
    def test_the_admin_action_ends_every_session_and_the_token(self, worker, colleague, system_admin):
        phone, desktop, other = Client(), Client(), Client()
        sign_in(phone, "ivanov", PASSWORD)
        sign_in(desktop, "ivanov", PASSWORD, ip=OTHER_IP)
        sign_in(other, "petrov", PASSWORD)
        token = Token.objects.create(user=worker)
        keys = session_keys_of(worker)
        assert len(keys) == 2
        engine = import_module(settings.SESSION_ENGINE)
        cache_keys = [engine.SessionStore.cache_key_prefix + key for key in keys]
        assert all(key in cache for key in cache_keys)

        admin_client = Client()
        admin_client.force_login(system_admin)
        response = admin_client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "end_sessions", "_selected_action": [worker.pk]},
            follow=True,
        )
        assert "2 sessions ended" in response.text
        assert session_keys_of(worker) == []
        assert not any(key in cache for key in cache_keys)
        assert not Token.objects.filter(pk=token.pk).exists()
        assert phone.get(HOME).status_code == 302
        assert desktop.get(HOME).status_code == 302
        assert other.get(HOME).status_code == 200
        entry = AuditEntry.objects.get(action="accounts.sessions.ended")
        assert entry.actor == system_admin
        assert entry.target_id == str(worker.pk)
        assert entry.data == {"sessions": 2, "api_access_revoked": True}

    def test_only_a_system_admin_may(self, worker, hse_head):
        with pytest.raises(PermissionDenied):
            services.user_sessions_end(actor=hse_head, user=worker)
        assert not AuditEntry.objects.filter(action="accounts.sessions.ended").exists()

    def test_the_action_is_offered(self, system_admin, rf):
        request = rf.get("/")
        request.user = system_admin
        from django.contrib import admin

        assert "end_sessions" in UserAdmin(User, admin.site).get_actions(request)


class TestAccessEndsAtOnce:
    def _signed_in_with_token(self, user):
        client = Client()
        sign_in(client, user.username, PASSWORD)
        token = Token.objects.create(user=user)
        assert client.get(HOME).status_code == 200
        assert client.get(reverse("actions:list")).status_code == 200
        api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
        assert api.get(reverse("api:unit-list")).status_code == 200
        return client, api

    def test_deactivating_a_user(self, org):
        user = UserFactory(units=[org.shop])
        client, api = self._signed_in_with_token(user)
        User.objects.filter(pk=user.pk).update(is_active=False)
        response = client.get(HOME)
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
        assert api.get(reverse("api:unit-list")).status_code == 401

    def test_removing_the_role(self, org):
        user = UserFactory(units=[org.shop])
        client, api = self._signed_in_with_token(user)
        User.objects.filter(pk=user.pk).update(role="")
        assert client.get(reverse("actions:list")).status_code == 403
        assert api.get(reverse("api:unit-list")).status_code == 403


class TestPasswordRules:
    def test_a_long_passphrase_of_words_is_accepted(self):
        passphrase = "the grey conveyor hums while seven foremen drink their tea"
        assert len(passphrase) >= 58
        validate_password(passphrase + " ok", user=User(username="ivanov"))

    def test_a_passphrase_of_128_characters_is_accepted(self):
        validate_password(("long shift at the concentrator " * 5)[:128], user=User(username="ivanov"))

    @pytest.mark.parametrize("password", ["password123", "short1!x", "ivanov-ivanov", "12345678901234"])
    def test_weak_passwords_are_refused(self, password):
        with pytest.raises(ValidationError):
            validate_password(password, user=User(username="ivanov-ivanov", email="ivanov@plant.test"))

    def test_the_minimum_is_ten(self):
        user = User(username="ivanov")
        with pytest.raises(ValidationError):
            validate_password("kq7#vbr2m", user=user)  # 9
        validate_password("kq7#vbr2mz", user=user)  # 10


def test_a_huge_username_is_counted_cut_to_the_longest_a_user_can_have(client, db):
    from axes.models import AccessAttempt

    response = client.post("/accounts/login/", {"username": "x" * 10_000, "password": "wrong"})
    assert response.status_code == 200  # the form's error, not a server error
    assert AccessAttempt.objects.get().username == "x" * 150
