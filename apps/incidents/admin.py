from django.contrib import admin

from .models import Incident, Investigation


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    """Read-only: incidents change through the portal, which keeps the trail. People involved are
    not shown here: their medical details are for HSE and the commission only."""

    list_display = ["id", "type", "unit", "occurred_at", "classification", "days_lost", "actual_severity"]
    list_filter = ["type", "classification", "unit__site"]
    search_fields = ["description", "location"]
    list_select_related = ["unit"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Investigation)
class InvestigationAdmin(admin.ModelAdmin):
    list_display = ["id", "incident", "coordinator", "status", "deadline", "approved_by"]
    list_filter = ["status"]
    list_select_related = ["incident", "coordinator", "approved_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
