"""Contractors in the Django admin: for the system admin to look up and correct details.

Statuses are read-only here. A company's or a work order's status, everything about a pass, a
violation's severity and a sanction's decision and lifting change only through the services (the
portal's pages and API): they take effect at every gate at once, need a reason and keep the trail
of who, when and why. Gate checks are records. The sanction policy is the one table edited here."""

from django.contrib import admin
from django.db.models import Case, IntegerField, Value, When

from .models import (
    SEVERITY_ORDER,
    AccessPass,
    CompanyDocument,
    ContractorCompany,
    ContractorWorker,
    GateCheck,
    Sanction,
    SanctionRule,
    Violation,
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


class SanctionInline(admin.TabularInline):
    model = Sanction
    extra = 0
    fields = ["kind", "proposed_kind", "status", "reason", "decided_by", "decided_at", "lifted_at"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Violation)
class ViolationAdmin(admin.ModelAdmin):
    """Recorded through the portal only: a critical violation stops the work and blocks the passes
    in the same transaction, and serious ones open an action. Here the wording can be corrected."""

    list_display = ["observed_at", "severity", "company", "work_order", "unit", "recorded_by"]
    list_filter = ["severity", "company"]
    search_fields = ["description", "location", "company__name", "company__tax_number", "work_order__number"]
    list_select_related = ["company", "work_order", "unit", "recorded_by"]
    fields = ["company", "work_order", "severity", "unit", "location", "observed_at", "description", "evidence",
              "workers", "recorded_by", "recorded_at"]  # fmt: skip
    readonly_fields = ["company", "work_order", "severity", "unit", "observed_at", "workers", "recorded_by",
                       "recorded_at"]  # fmt: skip
    date_hierarchy = "observed_at"
    inlines = [SanctionInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # its sanctions, actions and the trail hold on to it


@admin.register(Sanction)
class SanctionAdmin(admin.ModelAdmin):
    """Decided and lifted through the portal only (a stop or a block takes effect at the gate, and
    lifting needs a reason): the decision and the status are read-only here."""

    list_display = ["decided_at", "kind", "proposed_kind", "status", "company", "violation", "decided_by",
                    "lifted_at"]  # fmt: skip
    list_filter = ["status", "kind", "violation__severity"]
    search_fields = ["reason", "lift_reason", "company__name", "company__tax_number"]
    list_select_related = ["company", "violation", "violation__company", "decided_by"]
    fields = ["violation", "company", "kind", "proposed_kind", "status", "reason", "fine_amount", "passes",
              "decided_by", "decided_at", "lifted_by", "lifted_at", "lift_reason"]  # fmt: skip
    readonly_fields = ["violation", "company", "kind", "proposed_kind", "status", "passes", "decided_by",
                       "decided_at", "lifted_by", "lifted_at", "lift_reason"]  # fmt: skip
    date_hierarchy = "decided_at"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Minor first, critical last (the severities' own order, not the alphabet's).
SEVERITY_RANK = Case(
    *(When(severity=severity, then=Value(rank)) for rank, severity in enumerate(SEVERITY_ORDER)),
    output_field=IntegerField(),
)


@admin.register(SanctionRule)
class SanctionRuleAdmin(admin.ModelAdmin):
    """The sanction policy: what a violation of each severity proposes, by how many of that
    severity the company had within 12 months. A missing cell falls back on the built-in policy."""

    list_display = ["severity", "repetition", "proposed_kind"]
    list_editable = ["proposed_kind"]
    list_filter = ["severity"]
    ordering = [SEVERITY_RANK.asc(), "repetition"]
