"""Readable names for audit action codes, shown in histories. A code without a label shows as is."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "org.hours_worked.recorded": _("Hours worked recorded"),
    "org.person.created": _("Person added"),
    "org.person.updated": _("Person changed"),
    "accounts.api_token.renewed": _("API token replaced"),
    "actions.action.created": _("Action opened"),
    "actions.action.started": _("Work started"),
    "actions.action.completed": _("Marked as done"),
    "actions.action.verified": _("Verified as effective"),
    "actions.action.not_effective": _("Found not effective"),
    "actions.action.cancelled": _("Cancelled"),
    "actions.action.updated": _("Re-planned"),
    "actions.evidence.added": _("Evidence added"),
}


def label_for(code: str) -> str:
    return str(LABELS.get(code, code))
