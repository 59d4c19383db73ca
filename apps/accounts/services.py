from django.db import transaction
from rest_framework.authtoken.models import Token

from apps.audit.services import log_action


def user_set_language(*, user, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])


@transaction.atomic
def api_token_renew(*, user) -> Token:
    """Replace the user's API token; the old one stops working at once."""
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    log_action(actor=user, action="accounts.api_token.renewed", target=user)
    return token
