from django.contrib import admin

from .models import HoursWorked, Person, Site, StructuralUnit


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "address"]
    search_fields = ["name", "code"]


@admin.register(StructuralUnit)
class StructuralUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "site", "parent", "is_active"]
    list_filter = ["site", "kind", "is_active"]
    search_fields = ["name", "code"]
    list_select_related = ["site", "parent"]
    autocomplete_fields = ["parent"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["full_name", "personnel_number", "job_title", "unit", "is_foreman", "is_active"]
    list_filter = ["is_foreman", "is_active", "unit__site", "unit"]
    search_fields = ["full_name", "personnel_number", "job_title"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]


@admin.register(HoursWorked)
class HoursWorkedAdmin(admin.ModelAdmin):
    list_display = ["unit", "month", "hours"]
    list_filter = ["unit__site", "unit"]
    date_hierarchy = "month"
    list_select_related = ["unit"]
