"""Asking for reminders: signed in or by a confirmed address, bad input, duplicates."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import User
from events.models import EventStatus, EventTag, ReminderRequest
from events.reminders import services
from events.reminders.sending import confirmation_send
from events.reminders.services import Outcome, reminder_confirm, reminder_request
from tests.events.reminders.conftest import Sink
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = timezone.get_default_timezone()
NOW = dt.datetime(2027, 3, 1, 8, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def clock() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_resident_request_applies_at_once(resident: User) -> None:
    event = EventFactory(starts_at=NOW + dt.timedelta(days=2))
    request, outcome = reminder_request(actor=resident, target=f"event:{event.pk}", offsets=[60])
    assert outcome == Outcome.CREATED
    assert request.is_active
    assert request.offsets == [60]
    assert request.recipient == f"user:{resident.pk}"


def test_asking_again_is_idempotent_and_changes_offsets(resident: User) -> None:
    event = EventFactory(starts_at=NOW + dt.timedelta(days=2))
    target = f"event:{event.pk}"
    first, _ = reminder_request(actor=resident, target=target, offsets=[60])
    same, outcome = reminder_request(actor=resident, target=target, offsets=["60"])
    assert outcome == Outcome.UNCHANGED
    assert same.pk == first.pk
    changed, outcome = reminder_request(actor=resident, target=target, offsets=[1440, 10])
    assert outcome == Outcome.UPDATED
    assert changed.offsets == [1440, 10]
    assert ReminderRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("event:999999", (services.ERROR_EVENT_UNKNOWN, {"id": "999999"})),
        ("region:999999", (services.ERROR_REGION, {"code": "999999"})),
        ("lecturer:x", (services.ERROR_TAG, {"tag": "lecturer:x"})),
        ("lecturer:77", (services.ERROR_TAG_EMPTY, {"tag": "lecturer:77"})),
    ],
)
def test_unknown_targets_are_refused(
    resident: User, target: str, message: tuple[object, dict[str, str]]
) -> None:
    template, params = message  # formatted here, in the test's language, not at collection
    with pytest.raises(ValidationError) as caught:
        reminder_request(actor=resident, target=target, offsets=[60])
    assert caught.value.message_dict["target"] == [str(template % params)]  # type: ignore[operator]


def test_cancelled_and_past_events_are_refused(resident: User) -> None:
    cancelled = EventFactory(starts_at=NOW + dt.timedelta(days=1), status=EventStatus.CANCELLED)
    past = EventFactory(starts_at=NOW - dt.timedelta(minutes=1))
    for event, error in (
        (cancelled, services.ERROR_EVENT_CANCELLED),
        (past, services.ERROR_EVENT_PAST),
    ):
        with pytest.raises(ValidationError) as caught:
            reminder_request(actor=resident, target=f"event:{event.pk}", offsets=[60])
        assert caught.value.message_dict["target"] == [str(error)]
    assert not ReminderRequest.objects.exists()


def test_offsets_must_come_from_the_menu(resident: User) -> None:
    event = EventFactory(starts_at=NOW + dt.timedelta(days=2))
    with pytest.raises(ValidationError) as caught:
        reminder_request(actor=resident, target=f"event:{event.pk}", offsets=[30])
    assert caught.value.message_dict["offsets"] == [
        str(services.ERROR_OFFSET_UNKNOWN % {"value": "30"})
    ]
    with pytest.raises(ValidationError) as caught:
        reminder_request(actor=resident, target=f"event:{event.pk}", offsets=[])
    assert caught.value.message_dict["offsets"] == [str(services.ERROR_OFFSETS_EMPTY)]


def test_every_bad_field_is_reported_at_once(django_user_model: type[User]) -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(ValidationError) as caught:
        reminder_request(
            actor=AnonymousUser(), target="region:999999", offsets=["soon"], email="not-an-address"
        )
    assert set(caught.value.message_dict) == {"target", "offsets", "email"}
    assert caught.value.message_dict["email"] == [str(services.ERROR_EMAIL)]


def test_account_without_email_is_told(db: None) -> None:
    user = UserFactory(email="")
    EventTag.objects.create(
        event=EventFactory(starts_at=NOW + dt.timedelta(days=1)), key="series:4"
    )
    with pytest.raises(ValidationError) as caught:
        reminder_request(actor=user, target="series:4", offsets=[60])
    assert caught.value.message_dict["email"] == [str(services.ERROR_ACCOUNT_EMAIL)]


def test_email_request_needs_confirmation_and_gets_only_that(
    smtp: Sink, django_capture_on_commit_callbacks: object
) -> None:
    from django.contrib.auth.models import AnonymousUser

    with django_capture_on_commit_callbacks() as callbacks:  # type: ignore[operator]
        request, outcome = reminder_request(
            actor=AnonymousUser(), target="region:110000", offsets=[60, 10],
            email=" Reader@Example.CN ", language="en",
        )  # fmt: skip
    assert outcome == Outcome.CONFIRMATION_SENT
    assert not request.is_active
    assert request.pending_mask
    assert not request.offset_mask
    assert request.email == "reader@example.cn"
    assert len(callbacks) == 1  # the confirmation task, after commit

    assert confirmation_send(request_id=request.pk) is True
    assert confirmation_send(request_id=request.pk) is False  # redelivered task: nothing new
    (message,) = smtp.received
    assert message["To"] == "reader@example.cn"
    assert message["Content-Language"] == "en"
    link = next(
        line
        for line in message.get_body(("plain",)).get_content().splitlines()
        if "/reminders/confirm/" in line
    )  # type: ignore[union-attr]
    token = link.rstrip("/").rsplit("/", 1)[1]
    request.refresh_from_db()
    assert request.confirm_token_hash == services.token_hash(token)
    assert token not in str(ReminderRequest.objects.values_list().get(pk=request.pk))

    confirmed = reminder_confirm(token=token)
    assert confirmed.is_active
    assert confirmed.offsets == [60, 10]
    with pytest.raises(ValidationError) as caught:
        reminder_confirm(token=token)  # a link confirms once
    assert caught.value.messages == [str(services.ERROR_CONFIRM_TOKEN)]


def test_confirmation_link_expires_after_seven_days(smtp: Sink, clock: object) -> None:
    request = ReminderRequest.objects.create(
        recipient="email:a@example.cn", email="a@example.cn", target="region:110000",
        pending_mask=2, confirm_requested_at=NOW,
    )  # fmt: skip
    confirmation_send(request_id=request.pk)
    body = smtp.received[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    token = body.split("/reminders/confirm/")[1].split("/")[0]
    clock.shift(dt.timedelta(days=7, minutes=1))  # type: ignore[attr-defined]
    with pytest.raises(ValidationError):
        reminder_confirm(token=token)


def test_anonymous_request_again_is_throttled_and_never_reveals(
    django_capture_on_commit_callbacks: object,
) -> None:
    from django.contrib.auth.models import AnonymousUser

    kwargs = {"actor": AnonymousUser(), "target": "region:110000", "email": "b@example.cn"}
    with django_capture_on_commit_callbacks() as callbacks:  # type: ignore[operator]
        reminder_request(offsets=[60], **kwargs)
        _req, outcome = reminder_request(offsets=[10], **kwargs)
    assert outcome == Outcome.CONFIRMATION_SENT
    assert len(callbacks) == 1  # the second ask within 2 minutes sends no second email
    assert ReminderRequest.objects.get().pending_mask == 4  # but the latest choice counts


def test_change_and_stop_only_own_requests(resident: User) -> None:
    request = ReminderRequest.objects.create(
        user=resident, recipient=f"user:{resident.pk}", target="region:110000",
        offset_mask=2, confirmed_at=NOW,
    )  # fmt: skip
    other = UserFactory()
    with pytest.raises(PermissionDenied):
        services.reminder_update(actor=other, request_id=request.pk, offsets=[10])
    assert services.reminder_update(
        actor=resident, request_id=request.pk, offsets=[10]
    ).offsets == [10]
    assert not services.reminder_stop(actor=resident, request_id=request.pk).is_active


def test_unknown_unsubscribe_token_is_refused(db: None) -> None:
    with pytest.raises(ValidationError) as caught:
        services.reminder_unsubscribe(token="A" * 32)
    assert caught.value.messages == [str(services.ERROR_UNSUBSCRIBE_TOKEN)]


def test_a_reminder_time_already_passed_is_refused_by_the_service(resident: User) -> None:
    """The form hides it; the service refuses it for every other caller (the API, a stale page):
    a "1 day before" asked six hours ahead would never be sent."""
    event = EventFactory(starts_at=timezone.now() + dt.timedelta(hours=6))
    target = f"event:{event.pk}"
    with pytest.raises(ValidationError) as raised:
        reminder_request(actor=resident, target=target, offsets=[1440, 60])
    (message,) = raised.value.message_dict["offsets"]
    assert "has already passed" in message
    assert not ReminderRequest.objects.exists()
    _request, outcome = reminder_request(actor=resident, target=target, offsets=[60, 10])
    assert outcome == Outcome.CREATED


def test_changing_times_may_keep_a_sent_one_but_not_add_a_passed_one(resident: User) -> None:
    event = EventFactory(starts_at=timezone.now() + dt.timedelta(days=2))
    request, _outcome = reminder_request(actor=resident, target=f"event:{event.pk}", offsets=[1440])
    event.starts_at = timezone.now() + dt.timedelta(hours=6)  # now "1 day before" has gone by
    event.save()
    kept = services.reminder_update(actor=resident, request_id=request.pk, offsets=[1440, 60])
    assert sorted(kept.offsets) == [60, 1440]  # keeping a time already sent is no error
    services.reminder_update(actor=resident, request_id=request.pk, offsets=[60])
    with pytest.raises(ValidationError) as raised:
        services.reminder_update(actor=resident, request_id=request.pk, offsets=[60, 1440])
    assert "has already passed" in raised.value.message_dict["offsets"][0]
    request.refresh_from_db()
    assert request.offsets == [60]


@pytest.mark.django_db(transaction=True)
def test_changing_and_stopping_run_in_their_own_transaction(resident: User) -> None:
    """As the page calls them (no test transaction around): each locks its row itself."""
    event = EventFactory(starts_at=timezone.now() + dt.timedelta(days=2))
    request, _outcome = reminder_request(actor=resident, target=f"event:{event.pk}", offsets=[60])
    assert services.reminder_update(
        actor=resident, request_id=request.pk, offsets=[10]
    ).offsets == [10]
    assert services.reminder_stop(actor=resident, request_id=request.pk).unsubscribed_at
