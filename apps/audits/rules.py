"""Who may do what to one audit. Role capabilities come from `apps.accounts.roles`; these add the
row-level fact: an audit is filled in by its auditor (or by the HSE head, who stands in)."""

from apps.accounts.access import can
from apps.accounts.roles import Role

from .models import Audit


def may_conduct(user, audit: Audit) -> bool:
    if not (user.is_authenticated and user.is_active and can(user, "audits.conduct", audit.unit)):
        return False
    return audit.auditor_id == user.pk or user.role == Role.HSE_HEAD
