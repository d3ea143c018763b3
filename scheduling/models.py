"""Data of the campaign's year: the participating regions (and, later, years, weeks, runs)."""

from django.conf import settings
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


class CampaignState(models.TextChoices):
    OPEN = "open", _("Applications open")
    ALLOCATING = "allocating", _("Allocating")
    PUBLISHED = "published", _("Published")


class CampaignYear(models.Model):
    """One ISO year of the campaign: 2027 runs from Monday 4 January 2027 to 2 January 2028."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    state = models.CharField(
        _("state"), max_length=16, choices=CampaignState.choices, default=CampaignState.OPEN
    )
    theme = models.CharField(_("theme"), max_length=200, default="让学习成为一种生活方式")
    applications_deadline = models.DateTimeField(_("applications deadline"))
    plan_deadline = models.DateTimeField(_("work plan deadline"))
    nomination_deadline = models.DateTimeField(_("nominations deadline"))
    statistics_deadline = models.DateTimeField(_("statistics table deadline"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("campaign year")
        verbose_name_plural = _("campaign years")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__gte=2024, year__lte=2100), name="campaign_year_range"
            )
        ]

    def __str__(self) -> str:
        return str(self.year)


class Week(models.Model):
    """An ISO week of a campaign year, with how many regions it can hold."""

    campaign_year = models.ForeignKey(CampaignYear, on_delete=models.CASCADE, related_name="weeks")
    number = models.PositiveSmallIntegerField(_("week"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=1)
    blocked = models.BooleanField(_("blocked"), default=False)
    block_reason = models.CharField(_("reason"), max_length=200, blank=True)
    # Set when the Ministry decided this week by hand; a recomputation of holidays keeps it.
    manual = models.BooleanField(_("set by hand"), default=False)

    class Meta:
        ordering = ["campaign_year", "number"]
        verbose_name = _("week")
        verbose_name_plural = _("weeks")
        constraints = [
            models.UniqueConstraint(fields=["campaign_year", "number"], name="week_once_per_year"),
            models.CheckConstraint(
                condition=models.Q(number__gte=1, number__lte=53), name="week_number_range"
            ),
            models.CheckConstraint(condition=models.Q(capacity__lte=37), name="week_capacity_max"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")), name="week_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_year_id}-W{self.number:02d}"

    @property
    def is_open(self) -> bool:
        return not self.blocked and self.capacity > 0


class DayKindChoice(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")
    WORKDAY = "workday", _("Make-up working day")
    NORMAL = "normal", _("Ordinary day")


class DayOverride(models.Model):
    """The Ministry's word on one day, winning over the holidays package."""

    campaign_year = models.ForeignKey(
        CampaignYear, on_delete=models.CASCADE, related_name="day_overrides"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=DayKindChoice.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["campaign_year", "date"], name="one_override_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.kind}"


class WeekApplication(models.Model):
    """A region's application for its Learning Week: ranked weeks, weeks to avoid, its theme."""

    campaign_year = models.ForeignKey(
        CampaignYear, on_delete=models.CASCADE, related_name="applications"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="applications")
    theme = models.CharField(_("theme"), max_length=120)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=60)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["region"]
        verbose_name = _("week application")
        verbose_name_plural = _("week applications")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign_year", "region"], name="one_application_per_region_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_year_id} {self.region_id}"


class ApplicationWeek(models.Model):
    """One week an application ranks (rank 1–5) or avoids (no rank)."""

    application = models.ForeignKey(WeekApplication, on_delete=models.CASCADE, related_name="weeks")
    week_number = models.PositiveSmallIntegerField(_("week"))
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)

    class Meta:
        ordering = ["application", "rank", "week_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "week_number"], name="week_once_per_application"
            ),
            models.UniqueConstraint(
                fields=["application", "rank"], name="rank_once_per_application"
            ),
            models.CheckConstraint(
                condition=models.Q(rank__isnull=True) | models.Q(rank__gte=1, rank__lte=5),
                name="rank_one_to_five",
            ),
        ]

    def __str__(self) -> str:
        return f"W{self.week_number} rank {self.rank}"


class Pin(models.Model):
    """The Ministry fixing a region to a week; runs place everyone else around it."""

    campaign_year = models.ForeignKey(CampaignYear, on_delete=models.CASCADE, related_name="pins")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    week_number = models.PositiveSmallIntegerField(_("week"))
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["region"]
        constraints = [
            models.UniqueConstraint(fields=["campaign_year", "region"], name="one_pin_per_region")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} → W{self.week_number}"


class RunStatus(models.TextChoices):
    SOLVED = "solved", _("Solved")
    IMPOSSIBLE = "impossible", _("No allocation exists")


class AllocationRun(models.Model):
    """One run of the allocator, stored with its inputs and outcome (never changed afterwards)."""

    campaign_year = models.ForeignKey(CampaignYear, on_delete=models.CASCADE, related_name="runs")
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=RunStatus.choices)
    inputs = models.JSONField()
    result = models.JSONField(default=dict)  # region code -> week number
    costs = models.JSONField(default=dict)  # region code -> cost (1-5 rank, 6 unranked)
    problems = models.JSONField(default=list)
    worst_cost = models.PositiveSmallIntegerField(null=True)
    total_cost = models.PositiveIntegerField(null=True)
    solve_ms = models.FloatField()

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = "id"

    def __str__(self) -> str:
        return f"run {self.pk} ({self.campaign_year_id})"


class PublishedVersion(models.Model):
    """A published allocation: v1, v2, … — never edited; a change is a new version."""

    campaign_year = models.ForeignKey(
        CampaignYear, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField()
    run = models.ForeignKey(AllocationRun, on_delete=models.PROTECT, related_name="versions")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["campaign_year", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["campaign_year", "number"], name="version_number_once"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="version_from_one"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_year_id} v{self.number}"


class VersionAssignment(models.Model):
    version = models.ForeignKey(
        PublishedVersion, on_delete=models.CASCADE, related_name="assignments"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    week_number = models.PositiveSmallIntegerField()
    cost = models.PositiveSmallIntegerField(null=True)  # null when pinned
    theme = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["version", "week_number", "region"]
        constraints = [
            models.UniqueConstraint(fields=["version", "region"], name="region_once_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} W{self.week_number}"
