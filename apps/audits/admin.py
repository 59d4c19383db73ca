from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Audit, AuditAnswer, AuditPlanEntry, ChecklistItem, ChecklistTemplate, ChecklistTemplateVersion


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class VersionInline(ReadOnlyInline):
    model = ChecklistTemplateVersion
    fields = ["number", "notes", "published_at", "published_by"]
    readonly_fields = fields


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    """Name, code and whether a checklist is in use. Its items are edited by publishing a new
    version in the portal (Checklists → Publish a new version), so past audits never change."""

    list_display = ["name", "code", "is_active", "portal_link"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]
    inlines = [VersionInline]

    @admin.display(description=_("items"))
    def portal_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("audits:template_new_version", args=[obj.pk]), _("Publish a new version")
        )


class ItemInline(ReadOnlyInline):
    model = ChecklistItem
    fields = ["order", "section", "text", "guidance", "weight"]
    readonly_fields = fields


@admin.register(ChecklistTemplateVersion)
class ChecklistTemplateVersionAdmin(admin.ModelAdmin):
    """Published versions are immutable."""

    list_display = ["template", "number", "published_at", "published_by"]
    list_filter = ["template"]
    inlines = [ItemInline]
    readonly_fields = ["template", "number", "notes", "published_at", "published_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditPlanEntry)
class AuditPlanEntryAdmin(admin.ModelAdmin):
    list_display = ["month", "unit", "auditor", "template", "planned_by"]
    list_filter = ["month", "template"]
    list_select_related = ["unit", "auditor", "template", "planned_by"]
    readonly_fields = ["unit", "auditor", "month", "template", "planned_by", "created_at"]

    def has_add_permission(self, request):
        return False


class AnswerInline(ReadOnlyInline):
    model = AuditAnswer
    fields = ["item", "result", "comment", "photo", "answered_at"]
    readonly_fields = fields


@admin.register(Audit)
class AuditAdmin(admin.ModelAdmin):
    """Read only: audits are conducted in the portal, which keeps the trail."""

    list_display = ["id", "unit", "auditor", "template_version", "status", "score", "started_at", "completed_at"]
    list_filter = ["status", "template_version__template"]
    list_select_related = ["unit", "auditor", "template_version__template"]
    inlines = [AnswerInline]
    readonly_fields = [f.name for f in Audit._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
