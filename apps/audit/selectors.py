from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from apps.accounts.access import unit_ids_in_scope

from .models import AuditEntry


def audit_entry_list_for_user(user, *, action_prefix: str = "", actor_id=None, date_from=None, date_to=None):
    """The audit trail a user may read: entries of their units (and, for enterprise-wide
    roles, entries not tied to a unit)."""
    entries = AuditEntry.objects.select_related("actor", "unit")
    scope = unit_ids_in_scope(user)
    if scope is not None:
        entries = entries.filter(unit_id__in=scope)
    if action_prefix:
        entries = entries.filter(Q(action=action_prefix) | Q(action__startswith=f"{action_prefix}."))
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    if date_from:
        entries = entries.filter(created_at__date__gte=date_from)
    if date_to:
        entries = entries.filter(created_at__date__lte=date_to)
    return entries


def history_for(obj):
    """Every audit entry about one record, newest first."""
    return AuditEntry.objects.select_related("actor").filter(
        target_type=ContentType.objects.get_for_model(obj), target_id=str(obj.pk)
    )
