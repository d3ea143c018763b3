"""Reminder pages: remind me, my reminders, confirm, one-click unsubscribe, deliveries."""

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import User
from events.models import DeliveryStatus, EventStatus, ReminderDelivery, ReminderRequest
from events.reminders import services
from events.reminders.services import ERROR_OFFSET_PASSED
from tests.events.reminders.factories import EmailReminderRequestFactory, ReminderRequestFactory
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

SHANGHAI = timezone.get_default_timezone()
NOW = dt.datetime(2027, 3, 1, 8, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _sent_delivery(request: ReminderRequest, token: str, **fields: Any) -> ReminderDelivery:
    event = request.event or EventFactory(starts_at=NOW + dt.timedelta(days=1))
    return ReminderDelivery.objects.create(
        request=request, event=event, offset_minutes=60, sequence=0,
        recipient=request.recipient, starts_at=event.starts_at,
        due_at=event.starts_at - dt.timedelta(hours=1), status=DeliveryStatus.SENT,
        unsubscribe_token_hash=services.token_hash(token), **fields,
    )  # fmt: skip


def test_remind_me_page_for_each_kind_of_target(client: Client) -> None:
    event = EventFactory(title="家庭教育讲座", starts_at=NOW + dt.timedelta(days=3))
    event.tags.create(key="series:3")
    for query, text in (
        (f"event={event.pk}", "家庭教育讲座"),
        ("region=310000", "上海"),
        ("tag=series:3", "series:3"),
    ):
        response = client.get(f"{reverse('reminders:new')}?{query}")
        assert response.status_code == 200, query
        page = response.content.decode()
        assert 'name="offsets"' in page
        assert 'type="email"' in page
        assert text in page or "3" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", (services.ERROR_NO_TARGET, None)),
        ("event=999999", (services.ERROR_EVENT_UNKNOWN, {"id": "999999"})),
        ("region=123", (services.ERROR_REGION, {"code": "123"})),
    ],
)
def test_remind_me_page_explains_a_bad_target(
    client: Client, query: str, message: tuple[object, dict[str, str] | None]
) -> None:
    template, params = message  # formatted in English here, not at collection (zh-hans)
    response = client.get(f"{reverse('reminders:new')}?{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    expected = str(template % params) if params else str(template)  # type: ignore[operator]
    assert escape(expected) in response.content.decode()


def test_cancelled_event_cannot_be_reminded(client: Client) -> None:
    event = EventFactory(starts_at=NOW + dt.timedelta(days=1), status=EventStatus.CANCELLED)
    response = client.get(f"{reverse('reminders:new')}?event={event.pk}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert str(services.ERROR_EVENT_CANCELLED) in response.content.decode()


def test_signed_in_request_then_duplicate(client: Client, resident: User) -> None:
    client.force_login(resident)
    event = EventFactory(starts_at=NOW + dt.timedelta(days=3))
    url = f"{reverse('reminders:new')}?event={event.pk}"
    response = client.post(url, {"offsets": ["60", "10"]})
    assert response.status_code == 302
    assert response["Location"] == reverse("reminders:mine")
    again = client.post(url, {"offsets": ["60", "10"]}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "You already have exactly these reminders." in again.content.decode()
    assert ReminderRequest.objects.get().offsets == [60, 10]


def test_anonymous_request_asks_to_check_email(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    url = f"{reverse('reminders:new')}?region=110000"
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url, {"offsets": ["1440"], "email": "Li@Example.cn"})
    assert response.status_code == 200
    assert "li@example.cn" in response.content.decode()
    assert len(callbacks) == 1
    request = ReminderRequest.objects.get()
    assert (request.is_active, request.language) == (False, "zh-hans")


def test_anonymous_bad_input_is_explained(client: Client) -> None:
    url = f"{reverse('reminders:new')}?region=110000"
    response = client.post(url, {"offsets": ["30"], "email": "nobody"}, HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 400
    assert str(services.ERROR_EMAIL) in page
    assert str(services.ERROR_OFFSET_UNKNOWN % {"value": "30"}) in page
    assert not ReminderRequest.objects.exists()


def test_bad_input_is_summed_up_at_the_top_with_links_to_the_fields(client: Client) -> None:
    url = f"{reverse('reminders:new')}?region=110000"
    response = client.post(url, {"offsets": [], "email": "wang@qq"}, HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 400
    summary = page[page.index('id="error-summary"') : page.index("<fieldset")]
    assert 'class="form-errors error-summary" role="alert"' in page
    assert "Nothing was saved. Please correct what is marked below." in summary
    assert f'<a href="#id_offsets_0">{services.ERROR_OFFSETS_EMPTY}</a>' in summary
    assert f'<a href="#id_email">{services.ERROR_EMAIL}</a>' in summary
    assert 'id="id_offsets_0"' in page
    assert 'id="id_email"' in page
    # The summary comes before the first field, so it is on screen when the page reloads.
    assert page.index('id="error-summary"') < page.index('name="offsets"')


def test_a_good_form_has_no_error_summary(client: Client) -> None:
    response = client.get(f"{reverse('reminders:new')}?region=110000")
    assert 'id="error-summary"' not in response.content.decode()


def test_times_already_passed_are_not_offered_for_a_talk_six_hours_away(client: Client) -> None:
    event = EventFactory(title="法律常识", starts_at=NOW + dt.timedelta(hours=6))
    response = client.get(f"{reverse('reminders:new')}?event={event.pk}", HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="1440"' not in page
    assert 'value="60"' in page
    assert 'value="10"' in page
    assert "reminder times that have already passed are not offered" in page
    assert "March 1, 2027 14:00" in page  # when it starts, in Beijing time


def test_every_time_is_offered_for_an_event_days_away(client: Client) -> None:
    event = EventFactory(starts_at=NOW + dt.timedelta(days=2))
    page = client.get(f"{reverse('reminders:new')}?event={event.pk}").content.decode()
    assert all(f'value="{m}"' in page for m in (1440, 60, 10))
    assert 'id="offsets-passed"' not in page


def test_a_passed_time_posted_anyway_is_refused_clearly(client: Client, resident: User) -> None:
    client.force_login(resident)
    event = EventFactory(starts_at=NOW + dt.timedelta(hours=6))
    url = f"{reverse('reminders:new')}?event={event.pk}"
    response = client.post(url, {"offsets": ["1440", "60"]}, HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 400
    message = ERROR_OFFSET_PASSED % {"choice": "1 day before", "starts": "March 1, 2027 14:00"}
    assert escape(str(message)) in page
    assert not ReminderRequest.objects.exists()


def test_the_hour_before_is_refused_forty_minutes_ahead(client: Client, resident: User) -> None:
    client.force_login(resident)
    event = EventFactory(starts_at=NOW + dt.timedelta(minutes=40))
    url = f"{reverse('reminders:new')}?event={event.pk}"
    page = client.get(url).content.decode()
    assert 'value="60"' not in page
    assert 'value="10" id="id_offsets_0" checked' in page  # the default: a time still to come
    assert client.post(url, {"offsets": ["60"]}).status_code == 400
    assert client.post(url, {"offsets": ["10"]}).status_code == 302
    assert ReminderRequest.objects.get().offsets == [10]


def test_an_event_minutes_away_says_there_is_no_time_left(client: Client) -> None:
    event = EventFactory(starts_at=NOW + dt.timedelta(minutes=8))
    url = f"{reverse('reminders:new')}?event={event.pk}"
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 200
    assert "no time left to send a reminder" in page
    assert 'name="offsets"' not in page
    posted = client.post(url, {"offsets": ["10"], "email": "li@example.cn"})
    assert posted.status_code == 400
    assert not ReminderRequest.objects.exists()


def test_series_and_regions_offer_every_time(client: Client) -> None:
    event = EventFactory(starts_at=NOW + dt.timedelta(hours=2))
    event.tags.create(key="series:3")
    page = client.get(f"{reverse('reminders:new')}?tag=series:3").content.decode()
    assert all(f'value="{m}"' in page for m in (1440, 60, 10))


def test_my_reminders_needs_sign_in(client: Client) -> None:
    response = client.get(reverse("reminders:mine"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("count", [1, 3])
def test_my_reminders_query_count_is_constant(
    client: Client, resident: User, django_assert_num_queries: Any, count: int
) -> None:
    for i in range(count):
        event = EventFactory(starts_at=NOW + dt.timedelta(days=i + 1))
        ReminderRequestFactory(user=resident, event=event)
    ReminderRequestFactory(user=resident, target="region:110000")
    client.force_login(resident)
    with django_assert_num_queries(6):  # session, user, requests, events, regions, deliveries
        response = client.get(reverse("reminders:mine"))
    assert response.status_code == 200


def test_change_and_stop_from_my_reminders(
    client: Client, resident: User, ministry_user: User
) -> None:
    request = ReminderRequestFactory(user=resident, offset_mask=7)
    client.force_login(ministry_user)
    assert client.post(reverse("reminders:stop", args=[request.pk])).status_code == 404
    client.force_login(resident)
    client.post(reverse("reminders:change", args=[request.pk]), {"offsets": ["10"]})
    request.refresh_from_db()
    assert request.offsets == [10]
    client.post(reverse("reminders:stop", args=[request.pk]))
    request.refresh_from_db()
    assert not request.is_active
    page = client.get(reverse("reminders:mine")).content.decode()
    assert "?region=110000" in page  # "start again"


def test_confirm_page_shows_a_button_then_confirms(client: Client) -> None:
    token, digest = services.new_token()
    request = EmailReminderRequestFactory(
        confirmed_at=None,
        offset_mask=0,
        pending_mask=2,
        confirm_token_hash=digest,
        confirm_sent_at=NOW,
    )
    url = reverse("reminders:confirm", args=[token])
    page = client.get(url)
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"
    request.refresh_from_db()
    assert not request.is_active  # opening the link (a mail scanner) confirms nothing
    assert client.post(url).status_code == 200
    request.refresh_from_db()
    assert request.is_active
    assert request.offsets == [60]
    reused = client.post(url, HTTP_ACCEPT_LANGUAGE="en")
    assert reused.status_code == 404
    assert str(services.ERROR_CONFIRM_TOKEN) in reused.content.decode()


def test_one_click_unsubscribe_needs_no_csrf_token(resident: User) -> None:
    token, _digest = services.new_token()
    request = ReminderRequestFactory(user=resident)
    _sent_delivery(request, token)
    client = Client(enforce_csrf_checks=True)
    url = reverse("reminders:unsubscribe", args=[token])
    assert url == f"/unsubscribe/{token}/"
    page = client.get(url)
    assert page.status_code == 200
    assert '<form method="post">' in page.content.decode()
    request.refresh_from_db()
    assert request.is_active  # GET only asks
    response = client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    request.refresh_from_db()
    assert not request.is_active
    again = client.post(
        url,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert again.status_code == 200
    assert "already unsubscribed" in again.content.decode()


def test_unknown_unsubscribe_token_is_404(client: Client) -> None:
    url = reverse("reminders:unsubscribe", args=["x" * 32])
    assert client.get(url).status_code == 404
    response = client.post(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert str(services.ERROR_UNSUBSCRIBE_TOKEN) in response.content.decode()


def test_deliveries_page_is_for_the_ministry(client: Client, resident: User) -> None:
    client.force_login(resident)
    assert client.get(reverse("reminders:deliveries")).status_code == 403


@pytest.mark.parametrize("count", [1, 3])
def test_deliveries_page_shows_failures_with_constant_queries(
    client: Client, ministry_user: User, django_assert_num_queries: Any, count: int
) -> None:
    for _ in range(count):
        request = EmailReminderRequestFactory()
        token, _digest = services.new_token()
        delivery = _sent_delivery(request, token, attempts=6, last_error="451 4.7.1 Greylisted")
        ReminderDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, due_at=NOW - dt.timedelta(hours=2), sent_at=None
        )
    client.force_login(ministry_user)
    with django_assert_num_queries(10):
        response = client.get(reverse("reminders:deliveries"))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("451 4.7.1 Greylisted") == count
    assert "<svg" in page
    # drawn on the server: no script but the site-wide phone menu's
    assert [t for t in re.findall(r"<script\b[^>]*>", page) if "js/menu.js" not in t] == []
    assert "r***@example.cn" in page  # addresses are masked
