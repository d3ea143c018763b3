"""Data of the campaign's year: the participating regions (and, later, years, weeks, runs)."""

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class RegionKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    MUNICIPALITY = "municipality", _("Municipality")
    AUTONOMOUS_REGION = "autonomous_region", _("Autonomous region")
    SEPARATELY_PLANNED_CITY = "separately_planned_city", _("Separately planned city")
    CORPS = "corps", _("Production and Construction Corps")


class RegionGroup(models.TextChoices):
    NORTH = "north", _("North")
    NORTHEAST = "northeast", _("Northeast")
    EAST = "east", _("East")
    CENTRAL_SOUTH = "central_south", _("Central South")
    SOUTHWEST = "southwest", _("Southwest")
    NORTHWEST = "northwest", _("Northwest")


class Region(models.Model):
    """One of the 37 participants the notice addresses; the administrative code is the key."""

    code = models.CharField(_("code"), max_length=6, primary_key=True)
    short_name_zh = models.CharField(_("Chinese name"), max_length=32, unique=True)
    name_en = models.CharField(_("English name"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=RegionKind.choices)
    region_group = models.CharField(_("region group"), max_length=16, choices=RegionGroup.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[1-9][0-9]{5}$"), name="region_code_six_digits"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language: Chinese first, English otherwise."""
        if (translation.get_language() or "zh-hans").startswith("zh"):
            return self.short_name_zh
        return self.name_en
