"""Admin for scheduling data."""

from django.contrib import admin

from scheduling.models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin[Region]):
    list_display = ("code", "short_name_zh", "name_en", "kind", "region_group")
    list_filter = ("kind", "region_group")
    search_fields = ("code", "short_name_zh", "name_en")
