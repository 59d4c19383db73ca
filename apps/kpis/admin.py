"""KPI targets and snapshots in the Django admin: for the system admin to look things up.

Everything is read-only here. Targets change through the services (the HSE head's pages and the
API), which check `kpis.manage_targets` and keep the before and after in the audit log; snapshots
and pending refreshes are computed (apps.kpis.snapshots) and would be overwritten anyway."""

from django.contrib import admin

from .models import KpiSnapshot, KpiTarget, PendingRefresh


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(KpiTarget)
class KpiTargetAdmin(ReadOnlyAdmin):
    list_display = ["kpi", "valid_from", "role", "unit", "value", "set_by", "set_at"]
    list_filter = ["kpi", "role"]
    list_select_related = ["unit", "set_by"]
    ordering = ["kpi", "-valid_from"]


@admin.register(KpiSnapshot)
class KpiSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["kpi", "month", "unit", "person", "numerator", "denominator", "computed_at"]
    list_filter = ["kpi", "month"]
    list_select_related = ["unit", "person"]
    raw_id_fields = ["unit", "person"]
    date_hierarchy = "month"
    show_full_result_count = False


@admin.register(PendingRefresh)
class PendingRefreshAdmin(ReadOnlyAdmin):
    list_display = ["unit", "month", "requested_at"]
    list_select_related = ["unit"]
