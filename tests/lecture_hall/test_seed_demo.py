"""`seed_demo`: a realistic demo year, safe to run twice, refused on production-like setups."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from pytest_django.fixtures import Settings

from accounts.models import Role, User
from events.models import (
    ActivityType,
    Event,
    Nomination,
    ReminderRequest,
    StatisticsSubmission,
    StatisticsTable,
)
from events.statistics.selectors import counted_events
from lecture_hall.models import Lecturer, Series, Session, SessionAttendance, SessionState
from lecture_hall.selectors import sessions_live_now, sessions_this_week, sessions_today
from scheduling.models import CampaignYear, PublishedVersion, Region, WeekApplication

pytestmark = pytest.mark.django_db


def test_seed_demo_twice_gives_the_same_data() -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "demo-learning-2027" in out.getvalue()
    counts = (
        User.objects.count(),
        WeekApplication.objects.count(),
        PublishedVersion.objects.count(),
        Event.objects.count(),
        Nomination.objects.count(),
        Session.objects.count(),
        SessionAttendance.objects.count(),
        ReminderRequest.objects.count(),
    )
    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert (
        User.objects.count(),
        WeekApplication.objects.count(),
        PublishedVersion.objects.count(),
        Event.objects.count(),
        Nomination.objects.count(),
        Session.objects.count(),
        SessionAttendance.objects.count(),
        ReminderRequest.objects.count(),
    ) == counts
    assert "already there" in again.getvalue()
    assert Event.objects.count() > 2000
    assert set(Event.objects.values_list("activity_type", flat=True)) == set(ActivityType.values)
    assert set(Event.objects.values_list("level", flat=True)) >= {
        "provincial",
        "prefecture",
        "county",
    }
    assert Event.objects.values("region").distinct().count() == 37
    for region in Region.objects.all():  # every region: all five types, its Learning Week too
        types = set(Event.objects.filter(region=region).values_list("activity_type", flat=True))
        assert types == set(ActivityType.values), region.code
    assert Lecturer.objects.count() == 50
    assert Series.objects.count() == 40
    assert Session.objects.count() >= 400 + 21  # the year, then this week's three a day
    assert Session.objects.filter(state=SessionState.CANCELLED).exists()
    assert Session.objects.filter(reschedule_count__gt=0).exists()
    assert not Session.objects.filter(state=SessionState.PUBLISHED, event__isnull=True).exists()
    assert User.objects.filter(role=Role.COORDINATOR).count() == 37
    assert User.objects.filter(role=Role.LECTURER).count() == 50
    year = CampaignYear.objects.get(year=2027)
    assert year.applications.count() == 37
    version = year.versions.get()
    assert version.assignments.count() == 37
    assert not set(version.assignments.values_list("week_number", flat=True)) & {5, 6, 39, 40}
    assert StatisticsTable.objects.filter(campaign_year=year).count() == 37
    submitted = StatisticsSubmission.objects.filter(table__campaign_year=year).count()
    assert 0 < submitted < 37  # some submitted, the rest still drafts
    # last year has already happened: its events carry participants, held talks included
    last_year = CampaignYear.objects.get(year=2026)
    assert StatisticsTable.objects.filter(campaign_year=last_year).count() == 37
    held = counted_events(last_year).filter(participants__isnull=False)
    assert held.filter(activity_type=ActivityType.LECTURE_HALL).exists()
    assert held.values("activity_type").distinct().count() == len(ActivityType.values)


def test_seed_demo_gives_a_lecture_hall_alive_around_today_with_a_line_per_stage() -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    live = sessions_live_now()
    assert live  # the live room has a talk to join
    assert f"/lectures/sessions/{live[0].pk}/" in out.getvalue()
    assert sessions_today().count() >= 2
    assert sessions_this_week().filter(state=SessionState.PUBLISHED).count() >= 1
    held = Session.objects.filter(state=SessionState.ENDED)
    assert held.exists()
    # every held talk has its attendance, and its calendar event the person-times
    assert SessionAttendance.objects.count() == held.count()
    for attendance in SessionAttendance.objects.select_related("session__event")[:20]:
        assert attendance.distinct_viewers >= attendance.peak_viewers > 0
        event = attendance.session.event
        assert event is not None
        assert event.participants == attendance.distinct_viewers
    assert ReminderRequest.objects.filter(user__role=Role.RESIDENT).count() >= 20
    # not a terminal: one line per stage, no bar redrawn with carriage returns
    text = out.getvalue()
    assert "\r" not in text
    for name in ("people", "year 2027", "events 2027", "sessions", "attendance", "statistics 2027"):
        lines = [line for line in text.splitlines() if line.strip().startswith(name)]
        assert len(lines) == 1, name
        assert "100%" in lines[0], name


def test_seed_demo_refuses_a_production_like_setup(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.DEBUG = False
    settings.SECRET_KEY = "x" * 60
    monkeypatch.setattr(connection, "vendor", "postgresql")
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", stdout=StringIO())
