"""Trainings in the Django admin: for the system admin to look up and correct details.

Courses and their wording are edited here. What carries a rule goes through the portal's
services, which check who may act and keep the trail: a session's status and delivery, attendance
and the validity that follows from it, certificates and their revocation, trainer qualifications
and their withdrawal. Those fields are read-only here."""

from django.contrib import admin

from .models import Attendance, Course, Trainer, TrainingRequirement, TrainingSession


class RequirementInline(admin.TabularInline):
    model = TrainingRequirement
    extra = 0
    fields = ["applies_to", "job_title", "unit", "created_at"]
    readonly_fields = ["created_at"]
    raw_id_fields = ["unit"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "validity_months", "default_hours", "is_active"]
    list_filter = ["is_active", "validity_months"]
    search_fields = ["name", "code", "description"]
    inlines = [RequirementInline]

    def has_delete_permission(self, request, obj=None):
        return False  # its sessions and the trainings passed hold on to it


@admin.register(TrainingRequirement)
class TrainingRequirementAdmin(admin.ModelAdmin):
    list_display = ["course", "applies_to", "job_title", "unit", "created_at"]
    list_filter = ["applies_to", "course"]
    search_fields = ["job_title", "course__name", "unit__name"]
    list_select_related = ["course", "unit"]
    raw_id_fields = ["unit"]


@admin.register(Trainer)
class TrainerAdmin(admin.ModelAdmin):
    """Qualified and withdrawn through the portal (with the trail): the qualification's wording can
    be corrected here."""

    list_display = ["user", "course", "qualified_on", "qualification", "is_active"]
    list_filter = ["is_active", "course"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "course__name", "qualification"]
    list_select_related = ["user", "course"]
    readonly_fields = ["user", "course", "is_active"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    fields = ["person", "contractor_worker", "presence", "passed", "valid_until", "certificate_code", "revoked_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    list_display = ["date", "course", "trainer", "unit", "hours", "place", "status"]
    list_filter = ["status", "course", "unit__site"]
    search_fields = ["place", "result", "course__name", "trainer__last_name", "unit__name"]
    list_select_related = ["course", "trainer", "unit"]
    raw_id_fields = ["unit"]
    readonly_fields = ["course", "trainer", "unit", "date", "status", "created_by", "created_at", "delivered_at"]
    date_hierarchy = "date"
    inlines = [AttendanceInline]

    def has_add_permission(self, request):
        return False  # planned through the portal, which checks the trainer's qualification

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    """Marked, corrected and revoked through the portal only: here to look a certificate up and to
    correct an attendee's comment."""

    list_display = ["session", "person", "contractor_worker", "presence", "passed", "valid_until", "certificate_code",
                    "revoked_at"]  # fmt: skip
    list_filter = ["presence", "passed", "session__course"]
    search_fields = ["certificate_code", "person__full_name", "person__personnel_number",
                     "contractor_worker__full_name", "session__course__name"]  # fmt: skip
    list_select_related = ["session__course", "person", "contractor_worker"]
    fields = ["session", "person", "contractor_worker", "presence", "passed", "valid_until", "certificate_code",
              "marked_by", "marked_at", "feedback_score", "feedback_comment", "revoked_at", "revoked_by",
              "revoke_reason"]  # fmt: skip
    readonly_fields = ["session", "person", "contractor_worker", "presence", "passed", "valid_until",
                       "certificate_code", "marked_by", "marked_at", "feedback_score", "revoked_at", "revoked_by",
                       "revoke_reason"]  # fmt: skip
    date_hierarchy = "valid_until"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
