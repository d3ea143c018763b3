"""My calendar as a resident meets it: followed lecturers and series by name (linked to their
pages where the owning app says where), a way to "My reminders", and what each follow's state is."""

from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from events.models import CalendarSubscription
from events.reminders.registry import TagKind, tag_kind, tag_kind_register, tag_kind_unregister
from lecture_hall.models import Series
from tests.factories import LecturerFactory

pytestmark = pytest.mark.django_db


def _follow(resident: User, *tags: str) -> None:
    subscription, _created = CalendarSubscription.objects.get_or_create(user=resident)
    subscription.tags = sorted(tags)
    subscription.save()


@pytest.fixture
def lecturer_pages() -> Iterator[None]:
    """The lecturer tag kind as it is registered, plus a page address for each lecturer."""
    before = tag_kind("lecturer")
    assert before is not None
    tag_kind_register(
        "lecturer",
        label=before.label,
        notice_user_ids=before.notice_user_ids,
        url=lambda pk: reverse("lecture_hall:lecturer", kwargs={"pk": pk}),
    )
    yield
    _restore("lecturer", before)


def _restore(prefix: str, kind: TagKind | None) -> None:
    tag_kind_unregister(prefix)
    if kind is not None:
        tag_kind_register(
            prefix, label=kind.label, notice_user_ids=kind.notice_user_ids, url=kind.url
        )


def test_followed_lecturers_and_series_show_names_never_codes(
    client: Client, resident: User
) -> None:
    first = LecturerFactory(name="刘秀英")
    second = LecturerFactory(name="张建国")
    series = Series.objects.create(title="健康老龄化")
    _follow(resident, f"lecturer:{first.pk}", f"lecturer:{second.pk}", f"series:{series.pk}")
    client.force_login(resident)

    html = client.get("/calendar/me/").content.decode()

    assert "刘秀英" in html
    assert "张建国" in html
    assert "健康老龄化" in html
    visible = html.replace(f'value="lecturer:{first.pk}"', "").replace(
        f'value="lecturer:{second.pk}"', ""
    )
    visible = visible.replace(f'value="series:{series.pk}"', "")
    assert "lecturer:" not in visible
    assert "series:" not in visible


def test_a_follow_whose_owner_is_gone_is_named_in_words(client: Client, resident: User) -> None:
    _follow(resident, "lecturer:987654")
    client.force_login(resident)
    html = client.get("/calendar/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Lecturer 987654" in html
    assert ">lecturer:987654<" not in html


def test_a_followed_name_links_to_its_page_when_the_owner_says_where(
    client: Client, resident: User, lecturer_pages: None
) -> None:
    lecturer = LecturerFactory(name="刘秀英")
    _follow(resident, f"lecturer:{lecturer.pk}")
    client.force_login(resident)
    html = client.get("/calendar/me/").content.decode()
    assert f'<a href="/lectures/lecturers/{lecturer.pk}/" id="follow-1">刘秀英</a>' in html


def test_each_follow_says_it_is_followed_and_how_to_stop(client: Client, resident: User) -> None:
    lecturer = LecturerFactory(name="刘秀英")
    _follow(resident, f"lecturer:{lecturer.pk}")
    client.force_login(resident)
    html = client.get("/calendar/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Following" in html
    assert "Stop following" in html


def test_my_calendar_links_to_my_reminders(client: Client, resident: User) -> None:
    client.force_login(resident)
    html = client.get("/calendar/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="{reverse("reminders:mine")}">My reminders</a>' in html


def _queries_for_page(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/calendar/me/").status_code == 200
    return len(queries)


def test_naming_follows_costs_the_same_for_one_or_three(client: Client, resident: User) -> None:
    lecturers = [LecturerFactory() for _ in range(3)]
    client.force_login(resident)
    _follow(resident, f"lecturer:{lecturers[0].pk}")
    client.get("/calendar/me/")  # the subscription and its link exist from here on
    one = _queries_for_page(client)
    _follow(resident, *(f"lecturer:{lecturer.pk}" for lecturer in lecturers))
    three = _queries_for_page(client)
    assert one == three


def test_the_lecture_hall_says_where_its_lecturers_and_series_are(
    client: Client, resident: User
) -> None:
    """As registered by lecture_hall/apps.py (no test stand-in): the names link to their pages."""
    lecturer = LecturerFactory(name="王建华")
    series = Series.objects.create(title="家庭教育")
    _follow(resident, f"lecturer:{lecturer.pk}", f"series:{series.pk}")
    client.force_login(resident)
    html = client.get("/calendar/me/").content.decode()
    lecturer_url = reverse("lecture_hall:lecturer", kwargs={"pk": lecturer.pk})
    series_url = reverse("lecture_hall:series", kwargs={"pk": series.pk})
    assert f'href="{lecturer_url}"' in html
    assert f'href="{series_url}"' in html
