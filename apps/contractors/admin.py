"""Contractors in the Django admin: for the system admin to look up and correct details.

Statuses are read-only here. A company's or a work order's status, and everything about a pass,
changes only through the services (the portal's pages and API): they take effect at every gate
at once, need a reason and keep the trail of who, when and why. Gate checks are records."""

from django.contrib import admin

from .models import (
    AccessPass,
    CompanyDocument,
    ContractorCompany,
    ContractorWorker,
    GateCheck,
    WorkerDocument,
    WorkOrder,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CompanyDocumentInline(admin.TabularInline):
    model = CompanyDocument
    extra = 0
    fields = ["kind", "number", "valid_until"]


@admin.register(ContractorCompany)
class ContractorCompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "tax_number", "status", "status_reason", "contact_name", "contact_phone", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "tax_number", "contact_name"]
    readonly_fields = ["status", "status_reason", "created_at"]
    inlines = [CompanyDocumentInline]

    def has_delete_permission(self, request, obj=None):
        return False  # its workers, work orders and passes hold on to it (and so does the trail)


@admin.register(CompanyDocument)
class CompanyDocumentAdmin(admin.ModelAdmin):
    list_display = ["company", "kind", "number", "valid_until"]
    list_filter = ["kind"]
    search_fields = ["number", "company__name", "company__tax_number"]
    list_select_related = ["company"]
    raw_id_fields = ["company"]
    date_hierarchy = "valid_until"


class WorkerDocumentInline(admin.TabularInline):
    model = WorkerDocument
    extra = 0
    fields = ["kind", "number", "valid_until"]


@admin.register(ContractorWorker)
class ContractorWorkerAdmin(admin.ModelAdmin):
    list_display = ["full_name", "company", "job_title", "is_active"]
    list_filter = ["is_active", "company__status"]
    search_fields = ["full_name", "job_title", "company__name"]
    list_select_related = ["company"]
    raw_id_fields = ["company"]
    inlines = [WorkerDocumentInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkerDocument)
class WorkerDocumentAdmin(admin.ModelAdmin):
    list_display = ["worker", "kind", "number", "valid_until"]
    list_filter = ["kind"]
    search_fields = ["number", "worker__full_name", "worker__company__name"]
    list_select_related = ["worker"]
    raw_id_fields = ["worker"]
    date_hierarchy = "valid_until"


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "company", "unit", "starts_on", "ends_on", "status", "is_high_hazard",
                    "responsible"]  # fmt: skip
    list_filter = ["status", "is_high_hazard", "unit__site"]
    search_fields = ["number", "title", "location", "company__name"]
    list_select_related = ["company", "unit", "responsible"]
    raw_id_fields = ["company", "unit", "responsible"]
    readonly_fields = ["status", "stop_reason"]
    date_hierarchy = "starts_on"

    def has_add_permission(self, request):
        return False  # opened through the portal, which checks the company and keeps the trail

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessPass)
class AccessPassAdmin(ReadOnlyAdmin):
    """Issued, extended, suspended, blocked, unblocked and revoked through the pass office's pages
    only: here to look a pass up."""

    list_display = ["number", "holder", "company", "work_order", "valid_from", "valid_until", "status",
                    "status_changed_at", "issued_by"]  # fmt: skip
    list_filter = ["status", "company__status"]
    search_fields = ["number", "holder__full_name", "company__name"]
    list_select_related = ["holder", "company", "work_order", "issued_by"]
    date_hierarchy = "valid_until"


@admin.register(GateCheck)
class GateCheckAdmin(ReadOnlyAdmin):
    list_display = ["checked_at", "number_presented", "access_pass", "checkpoint", "allowed", "checked_by"]
    list_filter = ["allowed", "checkpoint"]
    search_fields = ["number_presented", "checkpoint"]
    list_select_related = ["access_pass", "checked_by"]
    date_hierarchy = "checked_at"
