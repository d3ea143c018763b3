"""Factories for the reminder models (kept beside their tests; tests/factories holds the
shared ones)."""

import factory
from django.utils import timezone

from events.models import ReminderRequest
from tests.factories import UserFactory


class ReminderRequestFactory(factory.django.DjangoModelFactory):
    """A signed-in resident's confirmed request for all three offsets."""

    class Meta:
        model = ReminderRequest

    user = factory.SubFactory(UserFactory)
    email = ""
    recipient = factory.LazyAttribute(
        lambda r: f"user:{r.user.pk}" if r.user else f"email:{r.email}"
    )
    event = None
    target = factory.LazyAttribute(lambda r: f"event:{r.event.pk}" if r.event else "region:110000")
    offset_mask = 7
    confirmed_at = factory.LazyFunction(timezone.now)


class EmailReminderRequestFactory(ReminderRequestFactory):
    """An email-only request, confirmed."""

    user = None
    email = factory.Sequence(lambda n: f"reader{n}@example.cn")
    language = "zh-hans"
