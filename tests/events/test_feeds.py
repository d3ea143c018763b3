"""Calendar feeds as calendar apps read them: RFC 5545 output, stable UIDs, SEQUENCE, kept
cancellations, conditional GET, private rotatable links."""

import datetime as dt
import logging
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
import vobject
from django.core.cache import cache
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from accounts.models import User
from config.logging import redact
from events.feeds import feeds_changed
from events.models import ActivityType, Event, EventStatus
from events.services import (
    calendar_token,
    event_cancel,
    event_update,
    subscription_get_or_create,
    subscription_rotate,
    subscription_star,
    subscription_update,
)
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2027, 3, 1, 9, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def clock() -> object:
    cache.clear()
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def get(client: Client, url: str, **headers: str) -> object:
    return client.get(url, **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})


def parse(body: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(body)


def test_national_feed_is_valid_icalendar_with_every_field(client: Client) -> None:
    event = EventFactory(
        title="社区读书会",
        venue="海淀图书馆",
        city="海淀区",
        level="prefecture",
        starts_at=dt.datetime(2027, 3, 10, 19, 0, tzinfo=SH),
        ends_at=dt.datetime(2027, 3, 10, 21, 0, tzinfo=SH),
    )
    response = client.get("/calendar/all.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content
    assert b"\r\n" in body
    assert b"\n" not in body.replace(b"\r\n", b"")  # every line ends in CRLF
    calendar = parse(body)
    assert calendar["X-WR-CALNAME"] == "全民终身学习 · 全部活动"
    assert calendar["NAME"] == "全民终身学习 · 全部活动"
    assert "REFRESH-INTERVAL" in calendar
    assert "X-PUBLISHED-TTL" in calendar
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    [vevent] = calendar.walk("VEVENT")
    assert vevent["UID"] == f"{event.uid}@lifelong-learning"
    assert vevent["SEQUENCE"] == 0
    assert vevent["STATUS"] == "CONFIRMED"
    assert vevent["SUMMARY"] == "社区读书会"
    assert vevent["LOCATION"] == "海淀区 海淀图书馆"
    assert vevent["URL"].endswith(f"/events/{event.pk}/")
    assert vevent.decoded("DTSTART") == dt.datetime(2027, 3, 10, 19, 0, tzinfo=SH)
    assert vevent["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert b"DTSTART;TZID=Asia/Shanghai:20270310T190000" in body
    assert (
        vevent["CATEGORIES"].cats[0] == "主题阅读活动"
        or vevent["CATEGORIES"].cats[0] == "Themed reading activities"
    )


def test_an_independent_parser_reads_the_same_event(client: Client) -> None:
    event = EventFactory(title="数字阅读, 分享; 会", description="第一行\n第二行 \\ 反斜杠")
    body = client.get("/calendar/all.ics").content.decode("utf-8")
    parsed = vobject.readOne(body)
    vevent = parsed.vevent
    assert vevent.uid.value == f"{event.uid}@lifelong-learning"
    assert vevent.summary.value == "数字阅读, 分享; 会"
    assert vevent.description.value == "第一行\n第二行 \\ 反斜杠"
    assert vevent.dtstart.value == event.starts_at.astimezone(SH)
    assert int(vevent.sequence.value) == 0


def test_vtimezone_matches_the_tz_database(client: Client) -> None:
    EventFactory()
    calendar = parse(client.get("/calendar/all.ics").content)
    [vtimezone] = calendar.walk("VTIMEZONE")
    zone = vtimezone.to_tz()
    # Naive local wall times on purpose: the zones are asked what offset applied then.
    for moment in (dt.datetime(1988, 6, 1, 12), dt.datetime(2027, 3, 10, 19)):  # noqa: DTZ001
        assert zone.utcoffset(moment) == ZoneInfo("Asia/Shanghai").utcoffset(moment)


def test_long_chinese_text_and_emoji_fold_at_75_octets_without_splitting_characters(
    client: Client,
) -> None:
    title = "终身学习🎓" * 35 + "\r\n换行"
    EventFactory(title=title)
    body = client.get("/calendar/all.ics").content
    for line in body.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # a split character would not decode
    # A CRLF inside text is a line break; RFC 5545 writes it as \n and parsers return "\n".
    assert parse(body).walk("VEVENT")[0]["SUMMARY"] == title.replace("\r\n", "\n")


def test_html_in_titles_stays_text(client: Client) -> None:
    EventFactory(title="<b>粗体</b><script>x</script>")
    assert (
        parse(client.get("/calendar/all.ics").content).walk("VEVENT")[0]["SUMMARY"]
        == "<b>粗体</b><script>x</script>"
    )


def test_unchanged_feed_is_byte_identical_and_answers_304(client: Client, clock: object) -> None:
    EventFactory.create_batch(3)
    first = client.get("/calendar/all.ics")
    cache.clear()  # rebuilt from scratch, still the same bytes
    clock.shift(3600)
    second = client.get("/calendar/all.ics")
    assert first.content == second.content
    assert first["ETag"] == second["ETag"]
    assert first["ETag"].startswith('"')
    assert get(client, "/calendar/all.ics", if_none_match=first["ETag"]).status_code == 304
    assert (
        get(client, "/calendar/all.ics", if_modified_since=first["Last-Modified"]).status_code
        == 304
    )


def test_edit_bumps_sequence_and_etag(client: Client, coordinator: User, clock: object) -> None:
    event = EventFactory()
    before = client.get("/calendar/all.ics")
    clock.shift(60)
    event_update(
        actor=coordinator,
        event=event,
        starts_at=event.starts_at + dt.timedelta(hours=1),
        ends_at=event.ends_at + dt.timedelta(hours=1),
    )
    after = get(client, "/calendar/all.ics", if_none_match=before["ETag"])
    assert after.status_code == 200
    assert parse(after.content).walk("VEVENT")[0]["SEQUENCE"] == 1
    assert after["ETag"] != before["ETag"]


def test_cancelled_event_stays_in_the_feed_as_cancelled(client: Client, coordinator: User) -> None:
    event = EventFactory()
    event_cancel(actor=coordinator, event=event, reason="场馆维修")
    [vevent] = parse(client.get("/calendar/all.ics").content).walk("VEVENT")
    assert vevent["STATUS"] == "CANCELLED"
    assert vevent["SEQUENCE"] == 1
    assert vevent["UID"] == f"{event.uid}@lifelong-learning"
    assert "场馆维修" in vevent["DESCRIPTION"]


def test_event_leaving_a_feed_changes_etag_and_last_modified_moves_forward(
    client: Client, clock: object
) -> None:
    stays = EventFactory(region_id="110000")
    leaves = EventFactory(region_id="110000")
    clock.shift(3600)
    Event.objects.filter(pk=leaves.pk).update(last_modified=NOW + dt.timedelta(hours=1))
    first = client.get("/calendar/regions/110000.ics")
    clock.shift(60)
    # The newer event is deleted outright (as an admin might): the newest change left is older.
    Event.objects.filter(pk=leaves.pk).delete()
    feeds_changed()  # what the services do on every change; raw SQL is seen within VERSION_TTL
    second = get(
        client,
        "/calendar/regions/110000.ics",
        if_none_match=first["ETag"],
        if_modified_since=first["Last-Modified"],
    )
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    from django.utils.http import parse_http_date

    assert parse_http_date(second["Last-Modified"]) > parse_http_date(first["Last-Modified"])
    assert [v["UID"] for v in parse(second.content).walk("VEVENT")] == [
        f"{stays.uid}@lifelong-learning"
    ]


def test_head_has_headers_and_no_body(client: Client) -> None:
    EventFactory()
    get_response = client.get("/calendar/all.ics")
    head = client.head("/calendar/all.ics")
    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == get_response["ETag"]
    assert head["Content-Length"] == str(len(get_response.content))


def test_feeds_refuse_writes(client: Client) -> None:
    assert client.post("/calendar/all.ics").status_code == 405


def test_region_feed_holds_only_that_region_and_unknown_region_is_404(client: Client) -> None:
    EventFactory(region_id="110000", title="北京")
    EventFactory(region_id="310000", title="上海")
    titles = [
        v["SUMMARY"]
        for v in parse(client.get("/calendar/regions/110000.ics").content).walk("VEVENT")
    ]
    assert titles == ["北京"]
    assert client.get("/calendar/regions/999999.ics").status_code == 404


def test_english_feed_on_request(client: Client) -> None:
    EventFactory(activity_type=ActivityType.DIGITAL_READING)
    calendar = parse(client.get("/calendar/all.ics?lang=en").content)
    assert calendar["X-WR-CALNAME"] == "Lifelong Learning for All: all activities"
    assert calendar.walk("VEVENT")[0]["CATEGORIES"].cats[0] == "Digital reading sharing"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2027-13-01", "from=2027-13-01 is not a date"),
        ("to=tomorrow", "to=tomorrow is not a date"),
        ("from=2027-05-01&to=2027-04-01", "from must be before to"),
        ("from=2020-01-01&to=2027-01-01", "at most three years"),
        ("from=1900-01-01", "between 2000 and 2100"),
    ],
)
def test_bad_window_is_400_with_a_message(client: Client, query: str, message: str) -> None:
    response = client.get(f"/calendar/all.ics?{query}&lang=en")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_window_limits_the_events(client: Client) -> None:
    EventFactory(
        starts_at=dt.datetime(2027, 3, 5, 9, tzinfo=SH),
        ends_at=dt.datetime(2027, 3, 5, 10, tzinfo=SH),
    )
    EventFactory(
        starts_at=dt.datetime(2027, 6, 5, 9, tzinfo=SH),
        ends_at=dt.datetime(2027, 6, 5, 10, tzinfo=SH),
    )
    body = client.get("/calendar/all.ics?from=2027-03-01&to=2027-03-31").content
    assert len(parse(body).walk("VEVENT")) == 1


def test_single_event_file(client: Client) -> None:
    event = EventFactory(title="单个活动")
    response = client.get(f"/calendar/events/{event.pk}.ics")
    assert [v["SUMMARY"] for v in parse(response.content).walk("VEVENT")] == ["单个活动"]
    assert client.get("/calendar/events/999999.ics").status_code == 404


# --- private feeds ------------------------------------------------------------------------


def test_private_feed_holds_what_the_resident_follows_with_an_alarm(
    client: Client, resident: User
) -> None:
    followed = EventFactory(region_id="310000", title="关注地区")
    starred = EventFactory(region_id="440000", title="收藏的")
    typed = EventFactory(
        region_id="500000", activity_type=ActivityType.DIGITAL_READING, title="关注类型"
    )
    EventFactory(region_id="110000", title="无关")
    subscription_update(
        actor=resident,
        region_codes=["310000"],
        activity_types=[ActivityType.DIGITAL_READING],
        alarm_minutes=60,
    )
    subscription = subscription_star(actor=resident, event=starred)
    response = client.get(f"/calendar/me/{calendar_token(subscription)}.ics")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private")
    vevents = parse(response.content).walk("VEVENT")
    assert sorted(v["SUMMARY"] for v in vevents) == sorted(
        [followed.title, starred.title, typed.title]
    )
    assert all(v.walk("VALARM")[0]["TRIGGER"].dt == dt.timedelta(hours=-1) for v in vevents)


def test_private_token_is_long_random_and_not_stored(resident: User) -> None:
    subscription = subscription_get_or_create(actor=resident)
    token = calendar_token(subscription)
    assert len(token) >= 32  # 192 bits in URL-safe base64
    assert token not in (subscription.token_salt, subscription.token_hash)


def test_rotating_makes_the_old_link_404_at_once(client: Client, resident: User) -> None:
    EventFactory()
    old = calendar_token(subscription_get_or_create(actor=resident))
    assert client.get(f"/calendar/me/{old}.ics").status_code == 200
    new = calendar_token(subscription_rotate(actor=resident))
    assert new != old
    assert client.get(f"/calendar/me/{old}.ics").status_code == 404
    assert client.get(f"/calendar/me/{new}.ics").status_code == 200


def test_after_a_key_rotation_the_page_shows_the_link_the_calendar_app_already_uses(
    client: Client, resident: User, settings: SettingsWrapper
) -> None:
    EventFactory()
    link = calendar_token(subscription_get_or_create(actor=resident))
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "r" * 60
    settings.SECRET_KEY_FALLBACKS = [old_key]
    client.force_login(resident)
    page = client.get("/calendar/me/").content.decode()
    assert f"/calendar/me/{link}.ics" in page
    assert client.get(f"/calendar/me/{link}.ics").status_code == 200


def test_when_no_key_derives_the_link_the_page_says_so_and_offers_a_new_one(
    client: Client, resident: User, settings: SettingsWrapper
) -> None:
    EventFactory()
    link = calendar_token(subscription_get_or_create(actor=resident))
    settings.SECRET_KEY = "r" * 60
    settings.SECRET_KEY_FALLBACKS = []
    client.force_login(resident)
    page = client.get("/calendar/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "/calendar/me/" + calendar_token(subscription_get_or_create(actor=resident)) not in page
    assert "security key has changed" in page
    assert "安全密钥" in client.get("/calendar/me/").content.decode()  # Chinese first
    assert client.get(f"/calendar/me/{link}.ics").status_code == 200  # subscribed apps go on
    client.post("/calendar/me/rotate/")
    new = calendar_token(subscription_get_or_create(actor=resident))
    assert f"/calendar/me/{new}.ics" in client.get("/calendar/me/").content.decode()
    assert client.get(f"/calendar/me/{new}.ics").status_code == 200


@pytest.mark.parametrize("token", ["x", "A" * 32, "A" * 200, "..%2F..%2Fetc"])
def test_bad_token_is_404_with_no_hint(client: Client, token: str) -> None:
    response = client.get(f"/calendar/me/{token}.ics")
    assert response.status_code == 404


def test_private_token_never_reaches_the_logs(
    client: Client, resident: User, caplog: pytest.LogCaptureFixture
) -> None:
    token = calendar_token(subscription_rotate(actor=resident))
    assert redact(f"GET /calendar/me/{token}.ics") == "GET /calendar/me/[redacted].ics"
    stale = calendar_token(subscription_get_or_create(actor=resident))
    subscription_rotate(actor=resident)
    logger = logging.getLogger("django.request")
    from config.logging import RedactSecretsFilter

    handler_filter = RedactSecretsFilter()
    with caplog.at_level(logging.WARNING, logger="django.request"):
        caplog.handler.addFilter(handler_filter)
        try:
            client.get(f"/calendar/me/{stale}.ics")
        finally:
            caplog.handler.removeFilter(handler_filter)
    assert caplog.records, "the 404 was logged"
    assert all(stale not in r.getMessage() for r in caplog.records)
    assert logger is not None


def test_following_bad_things_is_refused(resident: User) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as excinfo:
        subscription_update(
            actor=resident,
            region_codes=["999999"],
            activity_types=["concerts"],
            tags=["user:1"],
            alarm_minutes=7,
        )
    assert set(excinfo.value.message_dict) == {"regions", "activity_types", "tags", "alarm_minutes"}


def test_starring_a_cancelled_event_is_refused(resident: User) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        subscription_star(actor=resident, event=EventFactory(status=EventStatus.CANCELLED))


def test_feed_query_count_does_not_grow_with_events(
    client: Client, django_assert_max_num_queries: object
) -> None:
    EventFactory.create_batch(2)
    with django_assert_max_num_queries(10):  # type: ignore[operator]
        client.get("/calendar/all.ics")
    EventFactory.create_batch(40)
    cache.clear()
    with django_assert_max_num_queries(10):  # type: ignore[operator]
        client.get("/calendar/all.ics")


def test_gzip_variant_has_its_own_etag_and_the_same_calendar(client: Client) -> None:
    import gzip

    EventFactory.create_batch(3)
    plain = client.get("/calendar/all.ics")
    packed = client.get("/calendar/all.ics", HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain.content
    assert packed["ETag"] != plain["ETag"]
    again = client.get(
        "/calendar/all.ics", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed["ETag"]
    )
    assert again.status_code == 304


def test_published_ttl_is_an_rfc_duration(client: Client) -> None:
    EventFactory()
    body = client.get("/calendar/all.ics").content
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in body
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in body


def test_304_of_an_unchanged_feed_reads_no_rows(
    client: Client, django_assert_max_num_queries: object
) -> None:
    EventFactory.create_batch(5)
    etag = client.get("/calendar/all.ics")["ETag"]
    with django_assert_max_num_queries(0):  # type: ignore[operator]
        assert get(client, "/calendar/all.ics", if_none_match=etag).status_code == 304
