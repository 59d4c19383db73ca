from django.contrib import admin

from .models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Read only: jobs are requested from the portal's lists and run by the workers."""

    list_display = ["created_at", "kind", "requested_by", "status", "rows_done", "rows_total", "finished_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in ExportJob._meta.fields]

    def has_add_permission(self, request):
        return False
