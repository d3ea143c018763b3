"""Calendar models: events of the five activity types, plans and nominations, feeds."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from scheduling.models import CampaignYear, Region


class ActivityType(models.TextChoices):
    """The notice's five activity types, in the statistics table's column order."""

    THEMED_READING = "themed_reading", _("Themed reading activities")
    PUBLISHER_RECOMMENDS = "publisher_recommends", _("Publisher presidents recommend books")
    LECTURE_HALL = "lecture_hall", _("Online Public Lecture Hall")
    DIGITAL_READING = "digital_reading", _("Digital reading sharing")
    LEARNING_WEEK = "learning_week", _("Lifelong Learning Activity Week")


# The notice's own Chinese names: the statistics table and the import template use these
# whatever the interface language is.
ACTIVITY_TYPE_NOTICE_NAMES = {
    ActivityType.THEMED_READING: "主题阅读活动",
    ActivityType.PUBLISHER_RECOMMENDS: "“社长（总编）荐书”活动",
    ActivityType.LECTURE_HALL: "线上社会大讲堂",
    ActivityType.DIGITAL_READING: "数字阅读分享活动",
    ActivityType.LEARNING_WEEK: "全民终身学习活动周",
}


class Level(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    PREFECTURE = "prefecture", _("Prefecture-level city")
    COUNTY = "county", _("County level")


LEVEL_NOTICE_NAMES = {
    Level.NATIONAL: "全国",
    Level.PROVINCIAL: "省级",
    Level.PREFECTURE: "地市级",
    Level.COUNTY: "县级",
}


class EventStatus(models.TextChoices):
    TENTATIVE = "tentative", _("Tentative")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")


class EventSource(models.TextChoices):
    ENTERED = "entered", _("Entered")
    IMPORTED = "imported", _("Imported")
    LECTURE_HALL = "lecture_hall", _("Lecture hall session")


class Event(models.Model):
    """One calendar item. Cancelled events are kept; SEQUENCE rises on each change of time,
    place or status so calendar apps replace their copy."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    activity_type = models.CharField(
        _("activity type"), max_length=32, choices=ActivityType.choices
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="events",
    )  # fmt: skip
    city = models.CharField(_("city or county"), max_length=60, blank=True)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(
        _("status"), max_length=16, choices=EventStatus.choices, default=EventStatus.CONFIRMED
    )
    sequence = models.PositiveIntegerField(_("sequence"), default=0)
    organiser = models.CharField(_("organiser"), max_length=120, blank=True)
    participants = models.PositiveIntegerField(
        _("participants (person-times)"), null=True, blank=True
    )
    participants_recorded_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    source = models.CharField(
        max_length=16, choices=EventSource.choices, default=EventSource.ENTERED
    )
    # A fingerprint of an imported row, so that uploading the same file again updates, not doubles.
    import_key = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["starts_at"], name="event_starts_idx"),
            models.Index(fields=["region", "starts_at"], name="event_region_starts_idx"),
            models.Index(fields=["activity_type", "starts_at"], name="event_type_starts_idx"),
            models.Index(fields=["last_modified"], name="event_modified_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(level="national") | Q(region__isnull=False),
                name="event_region_unless_national",
            ),
            models.CheckConstraint(
                condition=~Q(level__in=["prefecture", "county"]) | ~Q(city=""),
                name="event_city_for_local_levels",
            ),
            models.CheckConstraint(
                condition=Q(activity_type__in=ActivityType.values), name="event_type_known"
            ),
            models.CheckConstraint(condition=Q(level__in=Level.values), name="event_level_known"),
            models.UniqueConstraint(
                fields=["region", "import_key"],
                condition=~Q(import_key=""),
                name="event_import_once_per_region",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED


class ReviewStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned for changes")


class WorkPlan(models.Model):
    """A region's work plan (活动方案) for a campaign year."""

    campaign_year = models.ForeignKey(CampaignYear, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="work_plans")
    title = models.CharField(_("title"), max_length=200)
    document = models.FileField(_("document (PDF)"), upload_to="plans/%Y/")
    status = models.CharField(
        max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.SUBMITTED
    )
    review_comment = models.CharField(_("review comment"), max_length=1000, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign_year", "region"], name="one_plan_per_region_year"
            )
        ]

    def __str__(self) -> str:
        return self.title


class NominationKind(models.TextChoices):
    LEARNING_STAR = "learning_star", _("Learning Star of the People")
    BRAND_PROJECT = "brand_project", _("Lifelong Learning Brand Project")


class Nomination(models.Model):
    """A Learning Star (个人) or Brand Project (品牌项目) a region puts forward, 3–5 of each."""

    campaign_year = models.ForeignKey(CampaignYear, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="nominations")
    kind = models.CharField(_("kind"), max_length=16, choices=NominationKind.choices)
    name = models.CharField(_("name"), max_length=120)
    summary = models.TextField(_("summary"), max_length=3000)
    material = models.FileField(
        _("material (PDF or image)"), upload_to="nominations/%Y/", blank=True
    )
    status = models.CharField(
        max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.SUBMITTED
    )
    review_comment = models.CharField(_("review comment"), max_length=1000, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["region", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign_year", "region", "kind", "name"], name="nomination_name_once"
            )
        ]

    def __str__(self) -> str:
        return self.name


class RegionReopening(models.Model):
    """The Ministry reopening a region's plan or nominations after the deadline."""

    campaign_year = models.ForeignKey(CampaignYear, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    what = models.CharField(
        max_length=16, choices=[("plan", _("Work plan")), ("nominations", _("Nominations"))]
    )
    until = models.DateTimeField()
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign_year", "region", "what"], name="one_reopening"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.what} until {self.until}"


class EventTag(models.Model):
    """An opaque label the owner of an event attaches ("lecturer:12", "series:3"), so feeds can
    select an owner's events without events knowing the owner's models."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="tags")
    key = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "key"], name="event_tag_once")]
        indexes = [models.Index(fields=["key", "event"], name="event_tag_key_idx")]

    def __str__(self) -> str:
        return self.key


class CalendarSubscription(models.Model):
    """A resident's private feed: what they follow and star, and the secret behind its link.

    The link's token is an HMAC of `token_salt` under the server's secret, and only its SHA-256
    is stored for look-up: a copy of the database alone reveals no working link. Rotating
    replaces the salt, so the old link answers 404 at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_subscription"
    )
    token_salt = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    regions = models.ManyToManyField(Region, blank=True, related_name="+")
    activity_types = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=list, blank=True)  # followed "lecturer:ID" / "series:ID"
    starred = models.ManyToManyField(Event, blank=True, related_name="+")
    alarm_minutes = models.PositiveIntegerField(null=True, blank=True)
    rotated_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"calendar of {self.user_id}"


class FeedState(models.Model):
    """The last ETag and Last-Modified served for a feed, so Last-Modified never moves back
    (an event leaving a feed lowers the newest change inside it, but the feed did change)."""

    key = models.CharField(max_length=120, unique=True)
    etag = models.CharField(max_length=64)
    last_modified = models.DateTimeField()

    def __str__(self) -> str:
        return self.key
