from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "line_manager", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    list_select_related = ["line_manager"]
    filter_horizontal = ["units", "groups", "user_permissions"]
    autocomplete_fields = ["line_manager"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("HSE Portal"), {"fields": ["role", "job_title", "units", "line_manager", "language"]}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("HSE Portal"), {"fields": ["role", "first_name", "last_name", "email"]}),
    )
