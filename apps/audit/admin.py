from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the trail is written by services, never edited by hand."""

    list_display = ["created_at", "actor_name", "what", "target_repr", "unit", "reason"]
    list_filter = ["action", "unit"]
    search_fields = ["action", "actor_name", "target_repr", "reason"]
    date_hierarchy = "created_at"

    @admin.display(description=_("what"), ordering="action")
    def what(self, entry) -> str:
        return entry.label

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
