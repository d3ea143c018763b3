"""Bulk import from the spreadsheets coordinators keep: all rows or none, each bad row named."""

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook, load_workbook

from accounts.models import User
from events.models import (
    ACTIVITY_TYPE_NOTICE_NAMES,
    LEVEL_NOTICE_NAMES,
    ActivityType,
    ChangeNotice,
    Event,
    EventSource,
    EventStatus,
    Level,
)
from events.services import ImportFailed, event_cancel, event_update, events_import
from events.spreadsheet import COLUMNS, template_csv, template_workbook

pytestmark = pytest.mark.django_db
HEADER = [zh for _cid, zh, _en, _req in COLUMNS]
GOOD = [
    "读书分享会",
    "主题阅读活动",
    "地市级",
    "海淀区",
    "2027-04-23 14:00",
    "2027-04-23 16:00",
    "图书馆",
    "",
    "区教育局",
    "",
    "",
]


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def row(**changes: object) -> list[object]:
    values = dict(zip([c[0] for c in COLUMNS], GOOD, strict=True))
    values.update(changes)
    return [values[c[0]] for c in COLUMNS]


def test_xlsx_import_creates_every_row(coordinator: User) -> None:
    content = xlsx([HEADER, row(), row(title="数字阅读沙龙", activity_type="数字阅读分享活动")])
    assert events_import(actor=coordinator, region_code="110000", content=content) == {
        "created": 2, "updated": 0, "unchanged": 0, "cancelled": 0,
    }  # fmt: skip
    events = list(Event.objects.order_by("title"))
    assert {e.activity_type for e in events} == {
        ActivityType.THEMED_READING,
        ActivityType.DIGITAL_READING,
    }
    assert all(e.level == Level.PREFECTURE and e.region_id == "110000" for e in events)
    assert all(e.source == EventSource.IMPORTED for e in events)
    assert events[0].starts_at == dt.datetime(2027, 4, 23, 6, 0, tzinfo=dt.UTC)


def test_reuploading_the_same_file_creates_no_duplicates(coordinator: User) -> None:
    content = xlsx([HEADER, row(), row(title="第二场")])
    events_import(actor=coordinator, region_code="110000", content=content)
    assert events_import(actor=coordinator, region_code="110000", content=content) == {
        "created": 0, "updated": 0, "unchanged": 2, "cancelled": 0,
    }  # fmt: skip
    assert Event.objects.count() == 2


def test_reupload_with_a_changed_venue_updates_and_bumps_sequence(coordinator: User) -> None:
    events_import(actor=coordinator, region_code="110000", content=xlsx([HEADER, row()]))
    counts = events_import(
        actor=coordinator, region_code="110000", content=xlsx([HEADER, row(venue="文化馆")])
    )
    assert counts["updated"] == 1
    event = Event.objects.get()
    assert (event.venue, event.sequence) == ("文化馆", 1)


def test_a_cancelled_event_stays_cancelled_when_its_file_is_uploaded_again(
    coordinator: User, django_capture_on_commit_callbacks: Any
) -> None:
    first = xlsx([HEADER, row(), row(title="第二场")])
    events_import(actor=coordinator, region_code="110000", content=first)
    cancelled = Event.objects.get(title="读书分享会")
    event_cancel(actor=coordinator, event=cancelled, reason="场馆维修")
    cancelled.refresh_from_db()
    before = (cancelled.status, cancelled.sequence, cancelled.venue, cancelled.last_modified)

    # The same rows plus a new one, the cancelled row even with a new venue.
    again = xlsx([HEADER, row(venue="文化馆"), row(title="第二场"), row(title="第三场")])
    with django_capture_on_commit_callbacks(execute=True):
        counts = events_import(actor=coordinator, region_code="110000", content=again)
    assert counts == {"created": 1, "updated": 0, "unchanged": 1, "cancelled": 1}
    cancelled.refresh_from_db()
    assert (
        cancelled.status, cancelled.sequence, cancelled.venue, cancelled.last_modified
    ) == before  # fmt: skip
    assert cancelled.cancel_reason == "场馆维修"
    assert not ChangeNotice.objects.exists()


def test_reimport_keeps_a_status_set_on_the_site(coordinator: User) -> None:
    events_import(actor=coordinator, region_code="110000", content=xlsx([HEADER, row()]))
    event = Event.objects.get()
    event_update(actor=coordinator, event=event, status=EventStatus.TENTATIVE)
    counts = events_import(
        actor=coordinator, region_code="110000", content=xlsx([HEADER, row(venue="文化馆")])
    )
    assert counts["updated"] == 1
    event.refresh_from_db()
    assert (event.status, event.venue) == (EventStatus.TENTATIVE, "文化馆")


@pytest.mark.parametrize(
    ("changes", "notice"),
    [
        ({"ends_at": "2027-04-23 17:00"}, "rescheduled"),
        ({"venue": "文化馆"}, "relocated"),
        ({"online_url": "https://live.example.cn/1"}, "relocated"),
        ({"organiser": "市图书馆"}, None),
    ],
)
def test_reimport_tells_people_what_changed_as_an_edit_would(
    changes: dict[str, str],
    notice: str | None,
    coordinator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    events_import(actor=coordinator, region_code="110000", content=xlsx([HEADER, row()]))
    with django_capture_on_commit_callbacks(execute=True):
        counts = events_import(
            actor=coordinator, region_code="110000", content=xlsx([HEADER, row(**changes)])
        )
    assert counts["updated"] == 1
    assert list(ChangeNotice.objects.values_list("change", flat=True)) == (
        [notice] if notice else []
    )


def test_the_ministrys_national_rows_are_matched_on_reupload(ministry_user: User) -> None:
    content = xlsx([HEADER, row(level="全国", title="全国读书日直播")])
    events_import(actor=ministry_user, region_code="110000", content=content)
    counts = events_import(actor=ministry_user, region_code="110000", content=content)
    assert counts == {"created": 0, "updated": 0, "unchanged": 1, "cancelled": 0}
    event = Event.objects.get()
    assert (event.region_id, event.level) == (None, Level.NATIONAL)


def test_one_bad_row_stores_nothing_and_every_bad_row_is_reported(coordinator: User) -> None:
    content = xlsx([
        HEADER,
        row(),
        row(title="结束早于开始", ends_at="2027-04-23 13:00"),
        row(title="坏类型", activity_type="音乐会"),
        row(title="坏时间", starts_at="下周三"),
        row(title="负人次", participants="-3"),
    ])  # fmt: skip
    with pytest.raises(ImportFailed) as excinfo:
        events_import(actor=coordinator, region_code="110000", content=content)
    by_line = {(e.line, e.column) for e in excinfo.value.errors}
    assert (3, "结束时间") in by_line
    assert (4, "活动类型") in by_line
    assert (5, "开始时间") in by_line
    assert (6, "参加人次") in by_line
    assert 2 not in {e.line for e in excinfo.value.errors}
    assert not Event.objects.exists()


def test_failed_import_leaves_earlier_events_untouched(coordinator: User) -> None:
    events_import(actor=coordinator, region_code="110000", content=xlsx([HEADER, row()]))
    with pytest.raises(ImportFailed):
        events_import(
            actor=coordinator,
            region_code="110000",
            content=xlsx([HEADER, row(venue="新"), row(level="乡镇")]),
        )
    assert Event.objects.get().venue == "图书馆"


def test_repeated_row_in_one_file_is_reported(coordinator: User) -> None:
    with pytest.raises(ImportFailed) as excinfo:
        events_import(actor=coordinator, region_code="110000", content=xlsx([HEADER, row(), row()]))
    assert excinfo.value.errors[0].line == 3
    assert "repeats line 2" in excinfo.value.errors[0].message


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_in_utf8_or_gb18030_is_read(coordinator: User, encoding: str) -> None:
    content = csv_bytes([HEADER, row()], encoding)
    assert events_import(actor=coordinator, region_code="110000", content=content)["created"] == 1


def test_english_headers_and_codes_are_accepted(coordinator: User) -> None:
    header = [en for _cid, _zh, en, _req in COLUMNS]
    content = csv_bytes([header, row(activity_type="digital_reading", level="county")])
    events_import(actor=coordinator, region_code="110000", content=content)
    assert Event.objects.get().level == Level.COUNTY


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.7 not a sheet\x00\x00", "neither an Excel workbook"),
        (b"PK\x03\x04broken zip", "cannot be opened"),
        (b"", "empty"),
        ("标题,别的\n一,二\n".encode(), "missing"),
    ],
)
def test_a_file_that_is_not_the_template_is_refused(
    coordinator: User, content: bytes, message: str
) -> None:
    with pytest.raises(ImportFailed) as excinfo:
        events_import(actor=coordinator, region_code="110000", content=content)
    assert message in excinfo.value.errors[0].message
    assert not Event.objects.exists()


def test_import_into_another_region_is_refused(other_coordinator: User) -> None:
    with pytest.raises(PermissionDenied):
        events_import(actor=other_coordinator, region_code="110000", content=xlsx([HEADER, row()]))


def test_templates_have_the_headers_and_the_allowed_values() -> None:
    types = [(str(v), n) for v, n in ACTIVITY_TYPE_NOTICE_NAMES.items()]
    levels = [(str(v), n) for v, n in LEVEL_NOTICE_NAMES.items()]
    workbook = load_workbook(io.BytesIO(template_workbook(types, levels)))
    assert [c.value for c in workbook.worksheets[0][1]] == HEADER
    assert [c.value for c in workbook.worksheets[0][2]][1:3] == ["主题阅读活动", "地市级"]
    assert "线上社会大讲堂" in [c.value for c in workbook.worksheets[1]["A"]]
    assert template_csv().decode("utf-8-sig").strip() == ",".join(HEADER)


def test_learning_week_rows_look_up_the_published_week_once(
    coordinator: User, ministry_user: User, django_assert_max_num_queries: object
) -> None:
    from tests.factories import published_year

    published_year(ministry_user, 2027, {"110000": 12})  # week 12: 22-28 March
    lw_rows = [
        row(
            title=f"活动周{i}",
            activity_type="全民终身学习活动周",
            starts_at=f"2027-03-2{2 + i % 6} 09:00",
            ends_at=f"2027-03-2{2 + i % 6} 11:00",
        )
        for i in range(12)
    ]
    few = xlsx([HEADER, *lw_rows[:2]])
    many = xlsx([HEADER, *lw_rows])
    with django_assert_max_num_queries(30) as small:  # type: ignore[operator]
        events_import(actor=coordinator, region_code="110000", content=few)
    with django_assert_max_num_queries(len(small.captured_queries)):  # type: ignore[operator]
        events_import(actor=coordinator, region_code="110000", content=many)
    assert Event.objects.filter(activity_type=ActivityType.LEARNING_WEEK).count() == 12
