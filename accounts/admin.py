"""Admin for people: Ministry staff create coordinators and lecturers here."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "region", "email", "is_active")
    list_filter = ("role", "region", "is_active", "is_staff")
    search_fields = ("username", "display_name", "email")
    list_select_related = ("region",)
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Role"), {"fields": ("role", "region", "display_name", "language")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Role"), {"fields": ("role", "region", "display_name", "email")}),
    )
