import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from apps.accounts.roles import Role
from apps.audit.models import AuditEntry
from tests.factories import UserFactory


class TestProfile:
    def test_a_scoped_user_sees_their_units(self, client_as, org, hse_specialist):
        response = client_as(hse_specialist).get(reverse("accounts:profile"))
        assert response.status_code == 200
        assert "Concentrator" in response.text
        assert "All units of the enterprise." not in response.text
        assert "Create an API token" in response.text

    def test_an_enterprise_wide_user_sees_all_units(self, client_as, org, executive):
        response = client_as(executive).get(reverse("accounts:profile"))
        assert "All units of the enterprise." in response.text

    def test_the_button_says_replace_when_a_token_exists(self, client_as, org, hse_specialist):
        Token.objects.create(user=hse_specialist)
        assert "Replace my API token" in client_as(hse_specialist).get(reverse("accounts:profile")).text

    def test_a_user_without_a_role_gets_no_token_button(self, client_as, org):
        response = client_as(UserFactory(role="")).get(reverse("accounts:profile"))
        assert response.status_code == 200
        assert reverse("accounts:api_token_renew") not in response.text
        assert "An API token comes with a role" in response.text


class TestTokenRenewal:
    url = reverse("accounts:api_token_renew")

    def test_get_is_rejected(self, client_as, org, hse_specialist):
        assert client_as(hse_specialist).get(self.url).status_code == 405
        assert not Token.objects.exists()

    def test_anonymous_is_sent_to_login(self, client, org):
        assert client.post(self.url).status_code == 302
        assert not Token.objects.exists()

    def test_happy_path_shows_the_new_token_once(self, client_as, org, hse_specialist):
        client = client_as(hse_specialist)
        response = client.post(self.url)
        assert response.status_code == 200
        token = Token.objects.get(user=hse_specialist)
        assert token.key in response.text
        assert token.key not in client.get(reverse("accounts:profile")).text
        api = client.get("/api/v1/units/", HTTP_AUTHORIZATION=f"Token {token.key}")
        assert api.status_code == 200

    def test_a_user_without_a_role_is_refused(self, client_as, org):
        user = UserFactory(role="")
        assert client_as(user).post(self.url).status_code == 403
        assert not Token.objects.exists()
        # (The sign-in and the refusal are recorded since issue 14; no token renewal.)
        assert not AuditEntry.objects.filter(action__startswith="accounts.api_token").exists()


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_every_role_may_renew_its_token(client_as, org, role):
    user = UserFactory(role=role)
    assert client_as(user).post(reverse("accounts:api_token_renew")).status_code == 200
    assert Token.objects.filter(user=user).exists()
