"""Reading and writing the event spreadsheets coordinators keep (XLSX or CSV); of Django only
its translations, for the messages about a whole file (the import page and the API show them).

Rows come back as plain strings/values keyed by column id, each with its line number, so the
import can report "line 14, 开始时间: …". CSV exported by Excel on Chinese Windows is GB18030,
not UTF-8; both are read.
"""

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill

# (column id, Chinese header, English header, required)
COLUMNS: tuple[tuple[str, str, str, bool], ...] = (
    ("title", "活动名称", "Title", True),
    ("activity_type", "活动类型", "Activity type", True),
    ("level", "级别", "Level", True),
    ("city", "城市/区县", "City or county", False),
    ("starts_at", "开始时间", "Starts at", True),
    ("ends_at", "结束时间", "Ends at", True),
    ("venue", "地点", "Venue", False),
    ("online_url", "线上链接", "Online link", False),
    ("organiser", "主办单位", "Organiser", False),
    ("description", "活动简介", "Description", False),
    ("participants", "参加人次", "Participants", False),
)
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000

ERROR_HEADERS = _("The first row must hold the template's headers; missing: %(missing)s.")
ERROR_EMPTY = _("The file is empty: download the template and fill it in.")
ERROR_TOO_MANY_ROWS = _("At most %(max)s rows per file; split the file.")
ERROR_NO_EVENTS = _("The file has headers but no events.")
ERROR_TOO_LARGE = _("The file is larger than %(max)s MB.")
ERROR_BAD_XLSX = _("The file looks like Excel but cannot be opened: %(reason)s")
ERROR_NOT_A_SPREADSHEET = _("The file is neither an Excel workbook (.xlsx) nor a CSV text file.")
ERROR_ENCODING = _("The CSV file is neither UTF-8 nor GB18030 text.")


class SpreadsheetError(ValueError):
    """The file itself cannot be read as the template (not a row's content). The message is
    translated when raised, in the language of the request that reads the file."""


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, object]


def _header_map(header: Sequence[object]) -> dict[int, str]:
    names = {}
    for column_id, zh, en, _required in COLUMNS:
        for name in (column_id, zh, en):
            names[name.strip().lower()] = column_id
    mapping: dict[int, str] = {}
    for index, cell in enumerate(header):
        key = str(cell or "").strip().lower()
        if key in names:
            mapping[index] = names[key]
    missing = [zh for cid, zh, _en, required in COLUMNS if required and cid not in mapping.values()]
    if missing:
        raise SpreadsheetError(ERROR_HEADERS % {"missing": "、".join(missing)})
    return mapping


def _rows(table: Iterator[Sequence[object]]) -> list[Row]:
    try:
        header = next(table)
    except StopIteration:
        raise SpreadsheetError(str(ERROR_EMPTY)) from None
    mapping = _header_map(header)
    rows: list[Row] = []
    for line, raw in enumerate(table, start=2):
        values = {mapping[i]: v for i, v in enumerate(raw) if i in mapping}
        if all(v is None or str(v).strip() == "" for v in values.values()):
            continue  # blank lines between blocks are common in hand-kept sheets
        rows.append(Row(line, values))
        if len(rows) > MAX_ROWS:
            raise SpreadsheetError(ERROR_TOO_MANY_ROWS % {"max": MAX_ROWS})
    if not rows:
        raise SpreadsheetError(str(ERROR_NO_EVENTS))
    return rows


def read_rows(content: bytes, filename: str = "") -> list[Row]:
    """Rows of an XLSX or CSV file, chosen by content (an .xlsx is a zip), not by name."""
    if len(content) > MAX_BYTES:
        raise SpreadsheetError(ERROR_TOO_LARGE % {"max": MAX_BYTES // (1024 * 1024)})
    if content[:4] == b"PK\x03\x04":
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise SpreadsheetError(ERROR_BAD_XLSX % {"reason": exc}) from exc
        sheet = workbook.worksheets[0]
        return _rows(iter(sheet.iter_rows(values_only=True)))
    if b"\x00" in content[:2048]:
        raise SpreadsheetError(str(ERROR_NOT_A_SPREADSHEET))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise SpreadsheetError(str(ERROR_ENCODING))
    return _rows(iter(csv.reader(io.StringIO(text))))


def parse_local_datetime(value: object, tz: dt.tzinfo) -> dt.datetime | None:
    """A cell as an aware datetime in the campaign's zone: Excel dates or 'YYYY-MM-DD HH:MM'."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        naive = value
    elif isinstance(value, dt.date):
        naive = dt.datetime.combine(value, dt.time(0, 0))
    else:
        text = str(value).strip().replace("/", "-").replace("T", " ")
        for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
            try:
                naive = dt.datetime.strptime(text, fmt)  # noqa: DTZ007 - made aware below
                break
            except ValueError:
                continue
        else:
            raise ValueError(text)
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=tz)


def template_workbook(
    type_labels: Sequence[tuple[str, str]], level_labels: Sequence[tuple[str, str]]
) -> bytes:
    """The XLSX template: headers, an example row, and a sheet listing the allowed values."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "活动 Events"
    sheet.append([zh for _cid, zh, _en, _req in COLUMNS])
    sheet.append([
        "社区读书分享会", str(type_labels[0][1]), str(level_labels[2][1]), "大连市",
        "2027-04-23 14:00",
        "2027-04-23 16:30", "市图书馆报告厅", "", "市教育局", "世界读书日主题活动", "",
    ])  # fmt: skip
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="F4F1EA")
    for cell in sheet[1]:
        cell.font, cell.fill = bold, fill
    for column, width in zip(
        "ABCDEFGHIJK", (28, 18, 12, 14, 18, 18, 22, 28, 18, 40, 10), strict=True
    ):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet("说明 Help")
    help_sheet.append(["列 Column", "必填 Required", "说明 Notes"])
    for cid, zh, en, required in COLUMNS:
        help_sheet.append([f"{zh} / {en}", "是 yes" if required else "否 no", cid])
    help_sheet.append([])
    help_sheet.append(["活动类型 Activity types"])
    for value, label in type_labels:
        help_sheet.append([str(label), value])
    help_sheet.append(["级别 Levels"])
    for value, label in level_labels:
        help_sheet.append([str(label), value])
    help_sheet.append(["时间 Times", "YYYY-MM-DD HH:MM, 北京时间 Asia/Shanghai"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv() -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([zh for _cid, zh, _en, _req in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8
