"""The Online Public Lecture Hall: lecturers, series (courses) and sessions, with their history.

A published session's calendar side is an events.Event of the lecture hall type (`event`),
kept in step by the services, so feeds, reminders, coverage and statistics need no special case.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from events.models import Event
from scheduling.models import Region

MIN_DURATION_MINUTES = 15
MAX_DURATION_MINUTES = 240


class LecturerStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class Lecturer(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lecturer_profile"
    )
    name = models.CharField(_("name"), max_length=60)
    title = models.CharField(_("title"), max_length=60, blank=True)  # 职称, e.g. 教授
    organisation = models.CharField(_("organisation"), max_length=120, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="lecturers",
    )  # fmt: skip
    biography = models.TextField(_("short biography"), max_length=2000, blank=True)
    photo = models.ImageField(_("photo"), upload_to="lecturers/", blank=True)
    status = models.CharField(
        max_length=16, choices=LecturerStatus.choices, default=LecturerStatus.APPROVED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("lecturer")
        verbose_name_plural = _("lecturers")

    def __str__(self) -> str:
        return self.name


class Series(models.Model):
    """A course: a run of sessions under one title."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="series",
    )  # fmt: skip
    lecturers = models.ManyToManyField(Lecturer, related_name="series", verbose_name=_("lecturers"))
    cover = models.ImageField(_("cover picture"), upload_to="series/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("series")
        verbose_name_plural = _("series")

    def __str__(self) -> str:
        return self.title


class SessionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")


class Session(models.Model):
    """One talk. `version` rises on every saved change, for optimistic concurrency."""

    title = models.CharField(_("title"), max_length=200)
    abstract = models.TextField(_("abstract"), max_length=5000, blank=True)
    series = models.ForeignKey(
        Series, verbose_name=_("series"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="sessions",
    )  # fmt: skip
    lecturers = models.ManyToManyField(
        Lecturer, related_name="sessions", verbose_name=_("lecturers")
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="lecture_sessions",
    )  # fmt: skip
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    stream_url = models.URLField(_("stream link"), max_length=500, blank=True)
    replay_url = models.URLField(_("replay link"), max_length=500, blank=True)
    state = models.CharField(
        max_length=16, choices=SessionState.choices, default=SessionState.DRAFT
    )
    reschedule_count = models.PositiveSmallIntegerField(default=0)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)
    event = models.OneToOneField(
        Event, on_delete=models.PROTECT, null=True, blank=True, related_name="lecture_session"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [
            models.Index(fields=["state", "starts_at"], name="session_state_starts_idx"),
            models.Index(fields=["region", "starts_at"], name="session_region_starts_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=MIN_DURATION_MINUTES)
                & Q(duration_minutes__lte=MAX_DURATION_MINUTES),
                name="session_duration_range",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["published", "ended"]) | Q(event__isnull=False),
                name="session_published_has_event",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)


class SessionChange(models.Model):
    """Who changed what of a session, and when (the history lecturers and coordinators see)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    # created, edited, published, rescheduled, cancelled, ended
    action = models.CharField(max_length=16)
    changes = models.JSONField(default=dict)  # field -> [old, new] as text
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["session", "-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.session_id} {self.action}"


# --- The live room: attendance and announcements (lecture_hall/live) -------------------------


class AttendanceSpan(models.Model):
    """One viewer's continuous presence in a session's live room: several tabs, and a
    reconnect within a minute, are one span. Written by the live room in batches."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance_spans")
    # "user:<id>" for a signed-in viewer, "device:<uuid4>" for an anonymous browser.
    viewer = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField()
    seconds = models.PositiveIntegerField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "joined_at", "id"]
        indexes = [
            models.Index(fields=["session", "joined_at"], name="attendance_span_session_idx"),
            models.Index(fields=["session", "recorded_at"], name="attendance_span_recorded_idx"),
        ]
        constraints = [
            # The same span flushed twice (a retried batch) is stored once.
            models.UniqueConstraint(
                fields=["session", "viewer", "joined_at"], name="attendance_span_once"
            ),
            models.CheckConstraint(
                condition=Q(left_at__gte=models.F("joined_at")), name="attendance_span_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.viewer} {self.seconds}s"


class SessionAttendance(models.Model):
    """A session's attendance after it ended, computed from its spans (lecture_hall.tasks)."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="attendance")
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    distinct_viewers = models.PositiveIntegerField()  # the person-times reported to events
    peak_viewers = models.PositiveIntegerField()
    peak_at = models.DateTimeField(null=True, blank=True)
    viewer_minutes = models.DecimalField(max_digits=12, decimal_places=1)
    stayed_viewers = models.PositiveIntegerField()  # stayed at least 85 % of the session
    curve = models.JSONField(default=list)  # [[minute, most viewers during it], ...]
    spans_counted = models.PositiveIntegerField()
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("session attendance")
        verbose_name_plural = _("session attendance")
        constraints = [
            models.CheckConstraint(
                condition=Q(peak_viewers__lte=models.F("distinct_viewers"))
                & Q(stayed_viewers__lte=models.F("distinct_viewers")),
                name="session_attendance_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.distinct_viewers}"


class LiveAnnouncement(models.Model):
    """A lecturer's message to everyone in the live room."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="announcements")
    text = models.CharField(_("announcement"), max_length=500)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "-sent_at", "-id"]

    def __str__(self) -> str:
        return self.text[:40]
