from django.contrib import admin

from .models import Observation, ObservationCategory, ObservationPhoto


@admin.register(ObservationCategory)
class ObservationCategoryAdmin(admin.ModelAdmin):
    """The editable reference list of categories."""

    list_display = ["code", "name_en", "name_ru", "icon", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["code", "name_en", "name_ru"]


class PhotoInline(admin.TabularInline):
    model = ObservationPhoto
    extra = 0
    readonly_fields = ["image", "uploaded_at"]


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    list_display = ["id", "observed_at", "unit", "kind", "category", "feedback_given", "observer"]
    list_filter = ["kind", "category", "feedback_given", "work_stopped", "unit__site"]
    search_fields = ["description", "area"]
    date_hierarchy = "observed_at"
    list_select_related = ["unit", "category", "observer"]
    inlines = [PhotoInline]
    readonly_fields = ["observer", "created_at"]
