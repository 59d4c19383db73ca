import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.authtoken.models import Token

from apps.accounts.roles import Role
from apps.accounts.services import api_token_renew, user_set_language
from apps.audit.models import AuditEntry
from tests.factories import UserFactory


class TestLanguage:
    @pytest.mark.parametrize("language", ["en", "ru", ""])
    def test_an_offered_language_or_the_browsers_is_kept(self, org, hse_specialist, language):
        hse_specialist.language = "ru" if language != "ru" else "en"
        hse_specialist.save()
        user_set_language(user=hse_specialist, language=language)
        hse_specialist.refresh_from_db()
        assert hse_specialist.language == language

    @pytest.mark.parametrize("language", ["de", "EN", "ru-RU", "x" * 11])
    def test_a_language_not_offered_is_refused(self, org, hse_specialist, language):
        with pytest.raises(ValidationError) as error:
            user_set_language(user=hse_specialist, language=language)
        assert error.value.message_dict == {"language": ["This language is not offered."]}
        assert error.value.error_dict["language"][0].code == "invalid_choice"
        hse_specialist.refresh_from_db()
        assert hse_specialist.language == ""

    def test_only_the_language_is_written(self, org, hse_specialist):
        from apps.accounts.models import User

        User.objects.filter(pk=hse_specialist.pk).update(job_title="Changed by the admin meanwhile")
        user_set_language(user=hse_specialist, language="ru")  # this object still has the old title
        stored = User.objects.get(pk=hse_specialist.pk)
        assert (stored.language, stored.job_title) == ("ru", "Changed by the admin meanwhile")

    @pytest.mark.parametrize("role", [role.value for role in Role])
    def test_every_role_keeps_its_language(self, org, role):
        user = UserFactory(role=role)
        user_set_language(user=user, language="ru")
        user.refresh_from_db()
        assert user.language == "ru"

    def test_without_a_role_or_inactive_it_is_refused(self, org):
        for user in (UserFactory(role=""), UserFactory(role=Role.HSE_HEAD, is_active=False)):
            with pytest.raises(PermissionDenied):
                user_set_language(user=user, language="ru")
            user.refresh_from_db()
            assert user.language == ""
        with pytest.raises(PermissionDenied):
            user_set_language(user=AnonymousUser(), language="ru")


class TestApiToken:
    def test_renewal_replaces_the_token_and_is_logged(self, org, hse_specialist):
        first = api_token_renew(user=hse_specialist)
        second = api_token_renew(user=hse_specialist)
        assert first.key != second.key
        assert list(Token.objects.filter(user=hse_specialist)) == [second]
        entries = AuditEntry.objects.filter(action="accounts.api_token.renewed")
        assert entries.count() == 2
        entry = entries.first()
        assert (entry.actor, entry.target_id, entry.unit) == (hse_specialist, str(hse_specialist.pk), None)
        assert first.key not in str(list(entries.values_list("data", "target_repr", "reason")))

    def test_another_users_token_is_untouched(self, org, hse_specialist, hse_head):
        theirs = api_token_renew(user=hse_head)
        api_token_renew(user=hse_specialist)
        assert Token.objects.get(user=hse_head) == theirs

    def test_without_a_role_or_inactive_it_is_refused(self, org):
        for user in (UserFactory(role=""), UserFactory(role=Role.HSE_HEAD, is_active=False)):
            old = Token.objects.create(user=user)
            with pytest.raises(PermissionDenied):
                api_token_renew(user=user)
            assert list(Token.objects.filter(user=user)) == [old]
        assert not AuditEntry.objects.exists()
