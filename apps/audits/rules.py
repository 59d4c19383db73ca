"""The rules of safety audits: who may do what to one audit, and the numbers the rules use.

Role capabilities come from `apps.accounts.roles`; these add the row-level facts: an audit is
filled in by its auditor, or by someone who may stand in for the auditor (the HSE head)."""

import re
from datetime import date, timedelta

from django.utils.translation import gettext as _

from apps.accounts.access import can
from apps.accounts.roles import roles_with

from .models import WEIGHT_MAX, WEIGHT_MIN, Audit

# A finding's action is due this many days after the audit is completed, unless the auditor
# chooses another date.
ACTION_DUE_DAYS = 14
# A checklist longer than this is not one an auditor can walk through on a phone.
ITEMS_MAX = 200
_WEIGHT_PATTERN = re.compile(r"[0-9]{1,6}")


def may_conduct(user, audit: Audit) -> bool:
    """The audit's auditor, or a stand-in (the HSE head), in the audit's unit."""
    if not (user.is_authenticated and user.is_active and can(user, "audits.conduct", audit.unit)):
        return False
    # The unit's scope is checked above; standing in is a matter of role.
    return audit.auditor_id == user.pk or can(user, "audits.stand_in_for_auditor")


def may_be_planned_as_auditor(user) -> bool:
    """Whether a user's role lets them be an auditor at all (the unit is checked separately)."""
    return can(user, "audits.be_auditor")


def auditor_roles() -> frozenset[str]:
    return roles_with("audits.be_auditor")


def default_owner_roles() -> frozenset[str]:
    return roles_with("audits.own_findings_by_default")


def default_due_date(today: date) -> date:
    return today + timedelta(days=ACTION_DUE_DAYS)


def month_is_open(month: date, today: date) -> bool:
    """A month can be planned, and its plan changed, until it is over: the current month and
    later ones. A closed month's plan is what "done vs planned" is measured against."""
    return month >= today.replace(day=1)


def parse_weight(value) -> int | None:
    """A weight as typed or sent: a whole number written in ASCII digits (so "²", which Python
    calls a digit, is not one), or None when it is not a number at all. The range is checked
    separately (`WEIGHT_MIN`..`WEIGHT_MAX`)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not _WEIGHT_PATTERN.fullmatch(text):
        return None
    return int(text)


def weight_error(value) -> str | None:
    weight = parse_weight(value)
    if weight is None or not WEIGHT_MIN <= weight <= WEIGHT_MAX:
        return _("the weight must be a whole number from %(min)s to %(max)s") % {"min": WEIGHT_MIN, "max": WEIGHT_MAX}
    return None
