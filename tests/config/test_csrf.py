"""CSRF on every form: each POST form in every template carries the token, and a POST without it
is refused (403) by the real views, changing nothing; the same POST with the token goes through.
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.urls import resolve, reverse

from accounts.models import User
from events.models import ActivityType, Event, EventStatus, Level, ReminderRequest
from lecture_hall.models import Session, SessionState
from lecture_hall.services import session_create, session_publish
from scheduling.models import CampaignYear, PublishedVersion
from scheduling.services import allocation_run
from tests.factories import EventFactory, LecturerFactory
from tests.factories.accounts import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
SH = dt.timezone(dt.timedelta(hours=8))
FORM = re.compile(r"<form\b(?P<attrs>[^>]*)>(?P<body>.*?)</form>", re.IGNORECASE | re.DOTALL)
POST = re.compile(r"""\bmethod\s*=\s*["']?post\b""", re.IGNORECASE)


# Forms posting to a view that is csrf_exempt on purpose, with the reason; the test below checks
# each view really is exempt, so this list cannot outlive the exemption.
EXEMPT = {
    # RFC 8058 one-click unsubscribe: mail providers POST with no cookie; the secret in the
    # link is what authorises the request, and an attacker without it can do nothing.
    "events/templates/events/reminders/unsubscribe.html": "/unsubscribe/" + "t" * 22 + "/",
}


def _templates() -> list[Path]:
    found = [
        path
        for pattern in ("*/templates/**/*.html", "*/*/templates/**/*.html")
        for path in ROOT.glob(pattern)
        if ".venv" not in path.parts and "staticfiles" not in path.parts
    ]
    return sorted(set(found))


def test_every_post_form_in_every_template_carries_the_csrf_token() -> None:
    templates = _templates()
    assert len(templates) > 50, "the template walk found the project's templates"
    post_forms = 0
    missing = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for form in FORM.finditer(text):
            if not POST.search(form["attrs"]):
                continue
            post_forms += 1
            if str(path.relative_to(ROOT)) in EXEMPT:
                continue
            if "{% csrf_token %}" not in form["body"]:
                line = text.count("\n", 0, form.start()) + 1
                missing.append(f"{path.relative_to(ROOT)}:{line}")
    assert post_forms > 20, "the walk found the project's POST forms"
    assert missing == [], f"POST forms without {{% csrf_token %}}: {missing}"


def test_the_forms_left_without_a_token_post_to_exempt_views_only() -> None:
    for template, url in EXEMPT.items():
        assert (ROOT / template).is_file(), template
        assert getattr(resolve(url).func, "csrf_exempt", False), f"{url} is not csrf_exempt"


def test_the_walk_notices_a_form_without_the_token() -> None:
    text = '<form method="post" action="/x/"><button>Go</button></form>'
    form = FORM.search(text)
    assert form is not None
    assert POST.search(form["attrs"])
    assert "{% csrf_token %}" not in form["body"]


# --- The views refuse a POST without the token --------------------------------------------------


@dataclass
class Write:
    url: str
    data: dict[str, object]
    state: Callable[[], object]  # what the POST would change, read from the database
    user: User | None


def _enforcing(user: User | None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def _token(client: Client, page: str) -> str:
    response = client.get(page)
    assert response.status_code == 200, page
    return client.cookies["csrftoken"].value


def _refused_then_accepted(write: Write, page: str) -> None:
    before = write.state()
    response = _enforcing(write.user).post(write.url, write.data)
    assert response.status_code == 403, write.url
    assert b"CSRF" in response.content
    assert write.state() == before, f"{write.url} changed something without a CSRF token"

    client = _enforcing(write.user)
    token = _token(client, page)
    response = client.post(write.url, {**write.data, "csrfmiddlewaretoken": token})
    assert response.status_code in (200, 302), write.url
    assert write.state() != before, f"{write.url} did nothing even with the token"


@pytest.fixture
def clock() -> object:
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=SH), tick=False) as t:
        yield t


@pytest.mark.django_db
def test_sign_in_without_the_token_is_refused(resident: User) -> None:
    def signed_in() -> bool:
        return "_auth_user_id" in client.session

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": resident.username, "password": PASSWORD})
    assert response.status_code == 403
    assert not signed_in()
    token = _token(client, reverse("login"))
    response = client.post(
        reverse("login"),
        {"username": resident.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert signed_in()


@pytest.mark.django_db
def test_event_create_without_the_token_is_refused(coordinator: User) -> None:
    data = {
        "title": "社区读书会",
        "activity_type": ActivityType.THEMED_READING,
        "level": Level.PREFECTURE,
        "region": "110000",
        "city": "海淀区",
        "venue": "海淀图书馆",
        "starts_at": "2027-04-23T14:00",
        "ends_at": "2027-04-23T16:00",
        "status": EventStatus.CONFIRMED,
    }
    write = Write(reverse("events:new"), data, lambda: Event.objects.count(), coordinator)
    _refused_then_accepted(write, reverse("events:new"))


@pytest.mark.django_db
def test_reminder_request_without_the_token_is_refused(resident: User, clock: object) -> None:
    start = dt.datetime(2026, 11, 20, 19, 0, tzinfo=SH)
    event = EventFactory(starts_at=start, ends_at=start + dt.timedelta(hours=1))
    url = f"{reverse('reminders:new')}?event={event.pk}"
    write = Write(url, {"offsets": ["60"]}, lambda: ReminderRequest.objects.count(), resident)
    _refused_then_accepted(write, url)


@pytest.mark.django_db
def test_session_cancel_without_the_token_is_refused(clock: object) -> None:
    teacher = LecturerFactory()
    session = session_create(
        actor=teacher.user,
        title="家庭教育与终身学习",
        starts_at=dt.datetime(2026, 11, 20, 19, 0, tzinfo=SH),
        duration_minutes=60,
        lecturer_ids=[teacher.pk],
    )
    session = session_publish(actor=teacher.user, session=session, expected_version=None)
    url = reverse("lecture_hall:session_cancel", kwargs={"pk": session.pk})
    data = {"reason": "讲师生病", "expected_version": session.version}

    def state() -> str:
        return Session.objects.get(pk=session.pk).state

    write = Write(url, data, state, teacher.user)
    _refused_then_accepted(write, url)
    assert state() == SessionState.CANCELLED


@pytest.mark.django_db
def test_allocation_publish_without_the_token_is_refused(
    ministry_user: User, applied_2027: CampaignYear
) -> None:
    run = allocation_run(actor=ministry_user, campaign_year=applied_2027)
    write = Write(
        reverse("scheduling:manage_publish", kwargs={"year": 2027}),
        {"publish-run_id": run.pk},
        lambda: PublishedVersion.objects.count(),
        ministry_user,
    )
    _refused_then_accepted(write, reverse("scheduling:manage", kwargs={"year": 2027}))


@pytest.mark.django_db
def test_api_write_without_the_token_is_refused_for_a_signed_in_session(
    coordinator: User,
) -> None:
    # DRF's session authentication checks CSRF too: a page on another site cannot use the
    # coordinator's session to write through the API.
    client = _enforcing(coordinator)
    event = EventFactory(region_id="110000", status=EventStatus.CONFIRMED)
    response = client.post(f"/api/events/{event.pk}/cancel/", {"reason": "x"})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    event.refresh_from_db()
    assert event.status == EventStatus.CONFIRMED
