"""Factories for events."""

import datetime as dt

import factory
from django.utils import timezone

from events.models import ActivityType, Event, EventStatus, Level, Nomination, NominationKind

SHANGHAI = timezone.get_default_timezone()


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"读书分享会 {n}")
    activity_type = ActivityType.THEMED_READING
    level = Level.PROVINCIAL
    region_id = "110000"
    city = ""
    venue = "市图书馆"
    starts_at = factory.Sequence(
        lambda n: dt.datetime(2027, 3, 1, 9, 0, tzinfo=SHANGHAI) + dt.timedelta(days=n % 300)
    )
    ends_at = factory.LazyAttribute(lambda e: e.starts_at + dt.timedelta(hours=2))
    status = EventStatus.CONFIRMED


class NominationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Nomination

    region_id = "110000"
    kind = NominationKind.LEARNING_STAR
    name = factory.Sequence(lambda n: f"学习之星 {n}")
    summary = "坚持社区学习三十年。"
