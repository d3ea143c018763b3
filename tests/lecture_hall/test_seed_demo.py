"""`seed_demo`: a realistic demo year, safe to run twice, refused on production-like setups."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from pytest_django.fixtures import Settings

from accounts.models import Role, User
from events.models import ActivityType, Event, Nomination
from lecture_hall.models import Lecturer, Series, Session, SessionState
from scheduling.models import CampaignYear, PublishedVersion, WeekApplication

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
    )
    call_command("seed_demo", stdout=StringIO())
    assert (
        User.objects.count(),
        WeekApplication.objects.count(),
        PublishedVersion.objects.count(),
        Event.objects.count(),
        Nomination.objects.count(),
    ) == counts
    assert Event.objects.count() > 2000
    assert set(Event.objects.values_list("activity_type", flat=True)) == set(ActivityType.values)
    assert set(Event.objects.values_list("level", flat=True)) >= {
        "provincial",
        "prefecture",
        "county",
    }
    assert Event.objects.values("region").distinct().count() == 37
    assert Lecturer.objects.count() == 50
    assert Series.objects.count() == 40
    assert Session.objects.count() == 400
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


def test_seed_demo_refuses_a_production_like_setup(settings: Settings) -> None:
    settings.DEBUG = False
    settings.SECRET_KEY = "x" * 60
    settings.DATABASES = {**settings.DATABASES}
    settings.DATABASES["default"] = {
        **settings.DATABASES["default"],
        "ENGINE": "django.db.backends.postgresql",
    }
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", stdout=StringIO())
