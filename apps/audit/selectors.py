from django.contrib.contenttypes.models import ContentType

from .models import AuditEntry


def history_for(obj):
    """Every audit entry about one record, newest first."""
    return AuditEntry.objects.select_related("actor").filter(
        target_type=ContentType.objects.get_for_model(obj), target_id=str(obj.pk)
    )
