"""The one realistic world every access case runs in: campaign year 2027 with its weeks, two
regions (Beijing 110000 with its coordinator, Shanghai 310000 with another), events in each, two
lecturers of Beijing each with a series and sessions (one of them live at NOW), residents with a
reminder and a private calendar, a pending lecturer request, and an allocation run.

Built once per module through the real services (inside an outer transaction the module rolls
back), so each test only pays for its own request; every test runs in a savepoint on top."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import time_machine
from django.utils import timezone

from accounts.models import Role, User
from events.models import CalendarSubscription, DeliveryStatus, ReminderDelivery, ReminderRequest
from events.reminders import services as reminder_services
from events.services import calendar_token, subscription_get_or_create, subscription_star
from lecture_hall.models import Lecturer, LecturerStatus, Session
from lecture_hall.services import series_create, session_create, session_publish
from scheduling.models import AllocationRun, CampaignYear
from scheduling.services import allocation_run, application_submit, campaign_year_open
from tests.factories import EventFactory, LecturerFactory, NominationFactory, UserFactory

SH = timezone.get_default_timezone()
REGION = "110000"  # the coordinator's region, where the lecturers and sessions are
OTHER_REGION = "310000"  # the other coordinator's region
YEAR = 2027
# Every test runs at this moment: before 2027's application (30 Nov) and plan (31 Dec)
# deadlines, after the past event, while the live session is on the air.
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=SH)
BUILT_AT = dt.datetime(2026, 11, 1, 10, 0, tzinfo=SH)
LIVE_START = NOW - dt.timedelta(minutes=30)

# The six roles of the matrix, plus "owner": the user who owns the target where ownership
# applies (the owning lecturer, the resident whose reminder it is).
ROLES = ("anonymous", "resident", "lecturer", "other_coordinator", "coordinator", "ministry")
OWNER = "owner"


@dataclass
class World:
    users: dict[str, User]
    campaign_year_id: int
    run_id: int
    event_id: int  # Beijing, in April 2027
    past_event_id: int  # Beijing, 20 November 2026 (before NOW): participants can be recorded
    other_event_id: int  # Shanghai
    nomination_id: int  # Beijing's, submitted
    lecturer_a_id: int  # owner of series_a and the sessions below
    lecturer_b_id: int
    series_a_id: int
    series_b_id: int
    draft_id: int  # A's draft, 24 March 2027
    upcoming_id: int  # A's published session, 10 March 2027
    live_id: int  # A's published session on the air at NOW
    candidate_id: int  # a resident's pending request to become a Beijing lecturer
    reminder_id: int  # resident A's reminder for event_id
    confirm_token: str  # an emailed reminder waiting for confirmation
    unsubscribe_token: str  # a sent reminder's one-click unsubscribe link (an email reader's)
    calendar_token: str  # resident A's private feed token
    sessions: dict[str, str] = field(default_factory=dict)  # user key -> signed-in session key

    def user(self, key: str) -> User:
        return self.users[key]

    @property
    def campaign_year(self) -> CampaignYear:
        return CampaignYear.objects.get(pk=self.campaign_year_id)

    def session(self, pk: int) -> Session:
        return Session.objects.get(pk=pk)


def build_world() -> World:
    with time_machine.travel(BUILT_AT, tick=False):
        return _build()


def _build() -> World:
    ministry = UserFactory(username="m_ministry", role=Role.MINISTRY, is_staff=True)
    coordinator = UserFactory(username="m_coord", role=Role.COORDINATOR, region_id=REGION)
    other = UserFactory(username="m_other_coord", role=Role.COORDINATOR, region_id=OTHER_REGION)
    resident_a = UserFactory(username="m_resident_a")
    resident_b = UserFactory(username="m_resident_b")
    lecturer_a = LecturerFactory(
        name="甲讲师", region_id=REGION, user__username="m_lecturer_a", user__region_id=REGION
    )
    lecturer_b = LecturerFactory(
        name="乙讲师", region_id=REGION, user__username="m_lecturer_b", user__region_id=REGION
    )
    candidate = UserFactory(username="m_candidate")
    request = Lecturer.objects.create(
        user=candidate, name="候选人", region_id=REGION, status=LecturerStatus.REQUESTED
    )

    campaign_year = campaign_year_open(actor=ministry, year=YEAR)
    for code, weeks in ((REGION, [12, 15]), (OTHER_REGION, [20, 21])):
        application_submit(
            actor=ministry, campaign_year=campaign_year, region_code=code, ranked_weeks=weeks,
            avoided_weeks=[], theme=f"{code}学习周", contact_name="联系人",
        )  # fmt: skip
    run = allocation_run(actor=ministry, campaign_year=campaign_year, check_stale=False)

    event = EventFactory(title="北京读书会", region_id=REGION, created_by=coordinator)
    past_start = dt.datetime(2026, 11, 20, 14, 0, tzinfo=SH)
    past = EventFactory(
        title="海淀读书会", region_id=REGION, starts_at=past_start,
        ends_at=past_start + dt.timedelta(hours=2),
    )  # fmt: skip
    other_event = EventFactory(title="上海读书会", region_id=OTHER_REGION, city="浦东新区")
    nomination = NominationFactory(campaign_year=campaign_year, region_id=REGION, name="李阿姨")

    series_a = series_create(
        actor=lecturer_a.user, title="甲的系列", region_code=REGION, lecturer_ids=[lecturer_a.pk]
    )
    series_b = series_create(
        actor=lecturer_b.user, title="乙的系列", region_code=REGION, lecturer_ids=[lecturer_b.pk]
    )

    def session(title: str, starts_at: dt.datetime, minutes: int = 60, **kw: Any) -> Session:
        return session_create(
            actor=lecturer_a.user, title=title, starts_at=starts_at, duration_minutes=minutes,
            lecturer_ids=[lecturer_a.pk], region_code=REGION,
            stream_url="https://live.example.cn/a", **kw,
        )  # fmt: skip

    draft = session("甲的草稿", dt.datetime(2027, 3, 24, 19, 0, tzinfo=SH), series=series_a)
    upcoming = session("甲的讲座", dt.datetime(2027, 3, 10, 19, 0, tzinfo=SH), series=series_a)
    upcoming = session_publish(actor=lecturer_a.user, session=upcoming, expected_version=1)
    live = session("甲的直播", LIVE_START, minutes=120)
    live = session_publish(actor=lecturer_a.user, session=live, expected_version=1)
    b_session = session_create(
        actor=lecturer_b.user, title="乙的讲座",
        starts_at=dt.datetime(2027, 3, 11, 19, 0, tzinfo=SH), duration_minutes=60,
        lecturer_ids=[lecturer_b.pk], series=series_b, region_code=REGION,
    )  # fmt: skip
    session_publish(actor=lecturer_b.user, session=b_session, expected_version=1)

    subscription = subscription_get_or_create(actor=resident_a)
    subscription_star(actor=resident_a, event=other_event)
    reminder = ReminderRequest.objects.create(
        user=resident_a, recipient=f"user:{resident_a.pk}", event=event,
        target=f"event:{event.pk}", offset_mask=2, confirmed_at=timezone.now(),
    )  # fmt: skip
    confirm_token, confirm_hash = reminder_services.new_token()
    ReminderRequest.objects.create(
        email="reader@example.cn", recipient="email:reader@example.cn", event=event,
        target=f"event:{event.pk}", offset_mask=0, pending_mask=2,
        confirm_token_hash=confirm_hash, confirm_sent_at=NOW - dt.timedelta(hours=1),
    )  # fmt: skip
    unsubscribe_token, unsubscribe_hash = reminder_services.new_token()
    listener = ReminderRequest.objects.create(
        email="listener@example.cn", recipient="email:listener@example.cn", event=event,
        target=f"event:{event.pk}", offset_mask=2, confirmed_at=timezone.now(),
    )  # fmt: skip
    ReminderDelivery.objects.create(
        request=listener, event=event, offset_minutes=60, sequence=0,
        recipient=listener.recipient, starts_at=event.starts_at,
        due_at=event.starts_at - dt.timedelta(hours=1), status=DeliveryStatus.SENT,
        unsubscribe_token_hash=unsubscribe_hash,
    )  # fmt: skip

    return World(
        users={
            "ministry": ministry,
            "coordinator": coordinator,
            "other_coordinator": other,
            "lecturer": lecturer_b.user,
            "resident": resident_b,
            "lecturer_a": lecturer_a.user,
            "resident_a": resident_a,
        },
        campaign_year_id=campaign_year.pk,
        run_id=run.pk,
        event_id=event.pk,
        past_event_id=past.pk,
        other_event_id=other_event.pk,
        nomination_id=nomination.pk,
        lecturer_a_id=lecturer_a.pk,
        lecturer_b_id=lecturer_b.pk,
        series_a_id=series_a.pk,
        series_b_id=series_b.pk,
        draft_id=draft.pk,
        upcoming_id=upcoming.pk,
        live_id=live.pk,
        candidate_id=request.pk,
        reminder_id=reminder.pk,
        confirm_token=confirm_token,
        unsubscribe_token=unsubscribe_token,
        calendar_token=calendar_token(CalendarSubscription.objects.get(pk=subscription.pk)),
    )


def latest_run_id(world: World) -> int | None:
    run = AllocationRun.objects.filter(campaign_year_id=world.campaign_year_id).order_by("-id")
    return run.values_list("id", flat=True).first()
