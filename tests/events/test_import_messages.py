"""Whole-file import errors (wrong headers, empty, too large, not a spreadsheet, too many rows)
are translated: the Chinese page no longer shows them in English only."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.html import escape

from accounts.models import User
from events import spreadsheet
from events.spreadsheet import (
    ERROR_BAD_XLSX,
    ERROR_EMPTY,
    ERROR_ENCODING,
    ERROR_HEADERS,
    ERROR_NO_EVENTS,
    ERROR_NOT_A_SPREADSHEET,
    ERROR_TOO_LARGE,
    ERROR_TOO_MANY_ROWS,
)
from tests.events.test_import import xlsx

pytestmark = pytest.mark.django_db


def post(client: Client, content: bytes, language: str = "en") -> str:
    upload = SimpleUploadedFile("活动.xlsx", content)
    response = client.post(
        reverse("events:import"),
        {"region": "110000", "file": upload},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    return response.content.decode()


def english(message: Any, **values: Any) -> str:
    with translation.override("en"):
        return escape(str(message) % values if values else str(message))


def test_every_whole_file_message_is_marked_for_translation() -> None:
    for message in (
        ERROR_HEADERS, ERROR_EMPTY, ERROR_TOO_MANY_ROWS, ERROR_NO_EVENTS, ERROR_TOO_LARGE,
        ERROR_BAD_XLSX, ERROR_NOT_A_SPREADSHEET, ERROR_ENCODING,
    ):  # fmt: skip
        assert isinstance(message, Promise)


@pytest.mark.parametrize(
    ("content", "message", "values"),
    [
        (xlsx([["标题", "说明"], ["读书会", ""]]), ERROR_HEADERS,
         {"missing": "活动名称、活动类型、级别、开始时间、结束时间"}),
        (b"\xef\xbb\xbf", ERROR_EMPTY, {}),  # a UTF-8 BOM and nothing else
        (xlsx([["活动名称", "活动类型", "级别", "开始时间", "结束时间"]]), ERROR_NO_EVENTS, {}),
        (b"%PDF-1.7\x00\x00", ERROR_NOT_A_SPREADSHEET, {}),
    ],
    ids=["headers", "empty", "no-events", "not-a-spreadsheet"],
)  # fmt: skip
def test_the_import_page_shows_whole_file_errors_in_the_readers_language(
    client: Client, coordinator: User, content: bytes, message: Any, values: dict[str, str]
) -> None:
    client.force_login(coordinator)
    assert english(message, **values) in post(client, content)


def test_the_messages_go_through_gettext_when_the_page_is_drawn(
    client: Client, coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    with translation.override(None):
        msgid = str(ERROR_EMPTY)
    with translation.override("zh-hans"):
        chinese = str(ERROR_EMPTY)
    assert chinese != msgid  # translated in the catalogue
    real = translation._trans.gettext  # type: ignore[attr-defined]
    monkeypatch.setattr(translation._trans, "gettext", lambda m: f"«{real(m)}»")
    client.force_login(coordinator)
    html = post(client, b"\xef\xbb\xbf", language="zh-hans")
    assert escape(f"«{chinese}»") in html  # looked up as the page was drawn, in its language


def test_too_large_and_too_many_rows_say_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    with translation.override("en"):
        with pytest.raises(spreadsheet.SpreadsheetError, match="larger than 5 MB"):
            spreadsheet.read_rows(b"x" * (spreadsheet.MAX_BYTES + 1))
        monkeypatch.setattr(spreadsheet, "MAX_ROWS", 1)
        header = "活动名称,活动类型,级别,开始时间,结束时间\n"
        rows = "a,b,c,d,e\n" * 2
        with pytest.raises(spreadsheet.SpreadsheetError, match="At most 1 rows per file"):
            spreadsheet.read_rows((header + rows).encode())
