"""API shapes for scheduling data."""

from rest_framework import serializers

from scheduling.models import Region


class RegionSerializer(serializers.ModelSerializer[Region]):
    class Meta:
        model = Region
        fields = ["code", "short_name_zh", "name_en", "kind", "region_group"]
