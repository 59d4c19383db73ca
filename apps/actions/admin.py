from django.contrib import admin

from .models import Action, ActionEvidence


class EvidenceInline(admin.TabularInline):
    model = ActionEvidence
    extra = 0
    readonly_fields = ["file", "original_name", "uploaded_by", "uploaded_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    """Read-mostly: status changes go through the portal's pages and API, which keep the trail."""

    list_display = ["id", "title", "unit", "owner", "due_date", "status", "control_level", "escalation"]
    list_filter = ["status", "control_level", "source_type", "priority", "escalation", "unit__site"]
    search_fields = ["title", "description"]
    list_select_related = ["unit", "owner"]
    date_hierarchy = "due_date"
    inlines = [EvidenceInline]
    readonly_fields = [f.name for f in Action._meta.fields if f.name not in ("title", "description")]

    def has_add_permission(self, request):
        return False
