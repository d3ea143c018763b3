"""The "my calendar" page and the star/follow endpoints."""

import pytest
from django.test import Client

from accounts.models import User
from events.models import CalendarSubscription
from events.services import calendar_token
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_my_calendar_needs_sign_in(client: Client) -> None:
    response = client.get("/calendar/me/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_my_calendar_shows_the_private_link_and_webcal(client: Client, resident: User) -> None:
    client.force_login(resident)
    html = client.get("/calendar/me/").content.decode()
    token = calendar_token(CalendarSubscription.objects.get(user=resident))
    assert f"/calendar/me/{token}.ics" in html
    assert f"webcal://testserver/calendar/me/{token}.ics" in html
    assert "<script>" not in html  # only the external copy.js


def test_saving_follows_and_bad_input(client: Client, resident: User) -> None:
    client.force_login(resident)
    response = client.post(
        "/calendar/me/",
        {"regions": ["110000"], "activity_types": ["lecture_hall"], "alarm_minutes": "60"},
    )
    assert response.status_code == 302
    subscription = CalendarSubscription.objects.get(user=resident)
    assert list(subscription.regions.values_list("code", flat=True)) == ["110000"]
    assert subscription.alarm_minutes == 60
    bad = client.post(
        "/calendar/me/", {"regions": ["999999"], "alarm_minutes": "7"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert bad.status_code == 200
    assert "Select a valid choice" in bad.content.decode()
    assert CalendarSubscription.objects.get(user=resident).alarm_minutes == 60


def test_rotate_changes_the_link(client: Client, resident: User) -> None:
    client.force_login(resident)
    client.get("/calendar/me/")
    old = calendar_token(CalendarSubscription.objects.get(user=resident))
    assert client.post("/calendar/me/rotate/").status_code == 302
    new = calendar_token(CalendarSubscription.objects.get(user=resident))
    assert new != old
    assert client.get(f"/calendar/me/{old}.ics").status_code == 404
    assert client.get("/calendar/me/rotate/").status_code == 405


def test_star_and_follow(client: Client, resident: User) -> None:
    client.force_login(resident)
    event = EventFactory()
    assert (
        client.post(f"/calendar/me/star/{event.pk}/", {"next": "https://evil.example/"}).status_code
        == 302
    )
    subscription = CalendarSubscription.objects.get(user=resident)
    assert list(subscription.starred.all()) == [event]
    response = client.post("/calendar/me/follow/", {"tag": "lecturer:5"})
    assert response["Location"] == "/calendar/me/"
    assert CalendarSubscription.objects.get(user=resident).tags == ["lecturer:5"]
    client.post("/calendar/me/follow/", {"tag": "admin:1"})
    assert CalendarSubscription.objects.get(user=resident).tags == ["lecturer:5"]
    assert client.post("/calendar/me/star/999999/").status_code == 404


def test_star_redirect_refuses_other_hosts(client: Client, resident: User) -> None:
    client.force_login(resident)
    event = EventFactory()
    response = client.post(f"/calendar/me/star/{event.pk}/", {"next": "https://evil.example/x"})
    assert response["Location"] == "/calendar/me/"
