"""Internships and signals in the Django admin: for the system admin to look things up.

Everything is read-only here: an internship's plan, log, status and review change through the
services (the portal's pages and API), which check the rules and keep the audit trail.

A signal's raw text is not in the admin at all, for anyone (superusers included): the system
admin is not among those who may read it (apps/internships/rules.py). The admin lists a signal's
kind, unit, source, status and dates, and never even loads the raw text from the database."""

from django.contrib import admin

from .models import Internship, InternshipContact, InternshipDay, Signal


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class InternshipDayInline(ReadOnlyMixin, admin.StackedInline):
    model = InternshipDay
    extra = 0
    fields = ["day", "morning_work_order", "crew_roles", "work_done", "risks_seen", "surprises", "shift_handover"]


class InternshipContactInline(ReadOnlyMixin, admin.TabularInline):
    model = InternshipContact
    extra = 0
    fields = ["name", "job_title", "how_to_reach", "is_safety_ambassador"]


@admin.register(Internship)
class InternshipAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["unit", "specialist", "host_foreman", "starts_on", "ends_on", "status"]
    list_filter = ["status"]
    search_fields = ["unit__name", "unit__code", "specialist__username", "specialist__last_name"]
    list_select_related = ["unit", "specialist", "host_foreman"]
    date_hierarchy = "starts_on"
    inlines = [InternshipDayInline, InternshipContactInline]


# What the admin may show of a signal: everything but the raw text.
SIGNAL_ADMIN_FIELDS = ["unit", "internship", "source", "kind", "status", "recorded_on", "response", "responded_on",
                       "escalated_on"]  # fmt: skip


@admin.register(Signal)
class SignalAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["kind", "unit", "source", "status", "recorded_on", "responded_on", "escalated_on"]
    list_filter = ["status", "source", "kind"]
    list_select_related = ["unit"]
    fields = SIGNAL_ADMIN_FIELDS
    readonly_fields = SIGNAL_ADMIN_FIELDS
    exclude = ["raw_text"]
    search_fields = []  # never a search over what was said
    date_hierarchy = "recorded_on"

    def get_queryset(self, request):
        return super().get_queryset(request).defer("raw_text", "paraphrase", "response_text")
