"""The statistics table as the attachment lays it out, written with openpyxl: one region's sheet
(Chinese labels, merged header cells, 全民阅读 over the four reading columns, borders, column
widths, one A4 landscape page) and the national workbook (a summary of all 37 regions with a
totals row, then one sheet per region).

The writers take plain `SheetData`; `sheet_data` builds it from a region's statistics.
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from events.statistics.compute import (
    ACTIVITY_TYPES,
    ATTACHMENT,
    CONTACT_LABELS,
    CORNER,
    DEPARTMENT_SEAL,
    HEADER_LABELS,
    LEVEL_GROUP_LABELS,
    MEASURE_LABELS,
    NO,
    PROVINCIAL_LABEL,
    READING_GROUP,
    ROWS,
    TITLE,
    TYPE_LABELS,
    YES,
    cell,
    national_totals,
)
from events.statistics.selectors import NationalStatistics, RegionStatistics

FONT = "宋体"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
NUMBER_FORMAT = "#,##0"
STATUS_SUBMITTED, STATUS_OPEN, STATUS_REOPENED = "已报送", "未报送", "已退回修改"
CHANGED_SINCE = "报送后活动数据有变化"
SUMMARY_TITLE = "{year} 年全民终身学习活动开展情况统计表（全国汇总）"
SUMMARY_SHEET = "全国汇总"
TOTAL = "合计"
SHORT_MEASURES = {
    "provincial": PROVINCIAL_LABEL,
    "prefecture_cities": "地市级及以上·城市数",
    "prefecture_activities": "地市级及以上·活动数",
    "prefecture_participants": "地市级及以上·参加人次",
    "county_cities": "县级·城市数",
    "county_activities": "县级·活动数",
    "county_participants": "县级·参加人次",
}
SUMMARY_FIXED = ("地区代码", "地区", "报送状态", "报送时间", *HEADER_LABELS.values())


@dataclass(frozen=True)
class SheetData:
    """What one region's sheet shows."""

    year: int
    region_code: str
    region_name: str  # the Chinese short name: 北京
    header: dict[str, str]
    values: dict[str, int]
    status: str  # 已报送 / 未报送 / 已退回修改
    note: str
    comments: dict[str, str] = field(default_factory=dict)  # adjusted cells: why
    submitted_at: str = ""
    changed: bool = False


def sheet_data(stats: RegionStatistics) -> SheetData:
    """The figures a region's export shows: the submitted table while it stands, otherwise the
    current draft (computed, with the adjustments)."""
    now = timezone.localtime()
    submission = stats.submission
    if stats.locked and submission is not None:
        status = STATUS_SUBMITTED
        when = timezone.localtime(submission.submitted_at).strftime("%Y-%m-%d %H:%M")
        note = f"已于 {when} 报送（第 {submission.number} 次报送）。"
        if stats.differs:
            labels = "、".join(_label(key) for key in stats.differs)
            note += f" {CHANGED_SINCE}：{labels}。"
        comments = {
            key: f"计算值 {entry['computed']}；调整原因：{entry['reason']}"
            for key, entry in submission.cells.items()
            if entry.get("reason")
        }
    else:
        status = STATUS_REOPENED if stats.reopened else STATUS_OPEN
        when = ""
        note = f"草稿，按 {now:%Y-%m-%d %H:%M} 的活动数据计算。"
        comments = {
            key: f"计算值 {a.computed_value}；调整原因：{a.reason}"
            for key, a in stats.adjustments.items()
        }
    note += " 已取消的活动不计；参加人次为人次（一人参加三场计 3 人次）。"
    return SheetData(
        year=stats.campaign_year.year,
        region_code=stats.region.code,
        region_name=stats.region.short_name_zh,
        header=stats.header,
        values=stats.reported,
        status=status,
        note=note,
        comments=comments,
        submitted_at=when,
        changed=bool(stats.differs) and stats.locked,
    )


def _label(key: str) -> str:
    found = cell(key)
    return found.label if found else key


def _put(
    ws: Worksheet,
    row: int,
    col: int,
    value: object,
    *,
    to_row: int | None = None,
    to_col: int | None = None,
    bold: bool = False,
    align: Alignment = CENTER,
    boxed: bool = True,
) -> None:
    """Write a value (merging a range if asked) and box every cell of the range."""
    to_row, to_col = to_row or row, to_col or col
    target = ws.cell(row=row, column=col, value=value)
    target.font = Font(name=FONT, size=11, bold=bold)
    target.alignment = align
    if isinstance(value, int):
        target.number_format = NUMBER_FORMAT
    if (to_row, to_col) != (row, col):
        ws.merge_cells(start_row=row, start_column=col, end_row=to_row, end_column=to_col)
    if boxed:
        for r in range(row, to_row + 1):
            for c in range(col, to_col + 1):
                ws.cell(row=r, column=c).border = BOX


def _print_setup(ws: Worksheet, last_row: int, last_col: int, *, one_page: bool) -> None:
    ws.print_area = f"A1:{get_column_letter(last_col)}{last_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6


# The attachment's grid: two label columns (A, B) then the five activity types (C to G).
TABLE_TOP = 8  # first of the two column-header rows
FIRST_TYPE_COL = 3


def write_region_sheet(ws: Worksheet, data: SheetData) -> None:
    last_col = FIRST_TYPE_COL + len(ACTIVITY_TYPES) - 1
    ws.sheet_view.showGridLines = False
    _put(ws, 1, 1, ATTACHMENT, bold=True, align=LEFT, boxed=False)
    title = ws.cell(row=2, column=1, value=TITLE.format(year=data.year))
    title.font = Font(name=FONT, size=16, bold=True)
    title.alignment = CENTER
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last_col)
    _put(
        ws,
        3,
        1,
        f"{DEPARTMENT_SEAL}{data.region_name}（{data.region_code}）",
        to_col=last_col,
        align=LEFT,
        boxed=False,
    )
    pairs = [
        (
            CONTACT_LABELS["contact_name"],
            data.header.get("contact_name", ""),
            CONTACT_LABELS["contact_department"],
            data.header.get("contact_department", ""),
        ),
        (
            CONTACT_LABELS["office_phone"],
            data.header.get("office_phone", ""),
            CONTACT_LABELS["mobile"],
            data.header.get("mobile", ""),
        ),
        (
            HEADER_LABELS["header.prefecture_cities"],
            data.values["header.prefecture_cities"],
            HEADER_LABELS["header.county_cities"],
            data.values["header.county_cities"],
        ),
    ]
    for offset, (label_a, value_a, label_b, value_b) in enumerate(pairs):
        row = 4 + offset
        _put(ws, row, 1, label_a, to_col=2, bold=True)
        _put(ws, row, 3, value_a, to_col=4)
        _put(ws, row, 5, label_b, bold=True)
        _put(ws, row, 6, value_b, to_col=7)
    top = TABLE_TOP
    _put(ws, top, 1, CORNER, to_row=top + 1, to_col=2, bold=True)
    _put(ws, top, FIRST_TYPE_COL, READING_GROUP, to_col=FIRST_TYPE_COL + 3, bold=True)
    for i, activity_type in enumerate(ACTIVITY_TYPES):
        col = FIRST_TYPE_COL + i
        if i < 4:
            _put(ws, top + 1, col, TYPE_LABELS[activity_type], bold=True)
        else:
            _put(ws, top, col, TYPE_LABELS[activity_type], to_row=top + 1, bold=True)
    first = top + 2
    _put(ws, first, 1, PROVINCIAL_LABEL, to_col=2, bold=True)
    for level, start in (("prefecture", first + 1), ("county", first + 4)):
        _put(ws, start, 1, LEVEL_GROUP_LABELS[level], to_row=start + 2, bold=True)
        for k, measure in enumerate(("cities", "activities", "participants")):
            _put(ws, start + k, 2, MEASURE_LABELS[measure], bold=True)
    for r, row_key in enumerate(ROWS):
        for i, activity_type in enumerate(ACTIVITY_TYPES):
            key = f"{activity_type}.{row_key}"
            value = data.values.get(key, 0)
            shown: object = (YES if value else NO) if row_key == "provincial" else value
            _put(ws, first + r, FIRST_TYPE_COL + i, shown)
            if key in data.comments:
                ws.cell(row=first + r, column=FIRST_TYPE_COL + i).comment = Comment(
                    data.comments[key], "platform"
                )
    note_row = first + len(ROWS) + 1
    _put(
        ws,
        note_row,
        1,
        f"报送状态：{data.status}。{data.note}",
        to_col=last_col,
        align=LEFT,
        boxed=False,
    )
    ws.cell(row=note_row, column=1).font = Font(name=FONT, size=9)
    widths = {"A": 14, "B": 11, "C": 17, "D": 17, "E": 19, "F": 17, "G": 19}
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    ws.row_dimensions[2].height = 34
    for row in range(4, 7):
        ws.row_dimensions[row].height = 24
    ws.row_dimensions[top].height = 24
    ws.row_dimensions[top + 1].height = 36
    for row in range(first, first + len(ROWS)):
        ws.row_dimensions[row].height = 26
    ws.row_dimensions[note_row].height = 42
    _print_setup(ws, note_row, last_col, one_page=True)


def _sheet_title(data: SheetData) -> str:
    # Excel sheet names: at most 31 characters, none of []:*?/\
    return f"{data.region_code} {data.region_name}"[:31]


def region_workbook(data: SheetData) -> Workbook:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _sheet_title(data)
    write_region_sheet(ws, data)
    return wb


def _write_summary(ws: Worksheet, year: int, sheets: Sequence[SheetData]) -> None:
    fixed = len(SUMMARY_FIXED)
    per_type = len(ROWS)
    last_col = fixed + per_type * len(ACTIVITY_TYPES)
    title = ws.cell(row=1, column=1, value=SUMMARY_TITLE.format(year=year))
    title.font = Font(name=FONT, size=16, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_col)
    generated = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    note = (
        f"生成时间：{generated}。已报送地区为其报送数；未报送地区为按活动数据计算的草稿数。"
        " 已取消的活动不计；参加人次为人次。"
    )
    _put(ws, 2, 1, note, to_col=last_col, align=LEFT, boxed=False)
    for i, label in enumerate(SUMMARY_FIXED):
        _put(ws, 3, i + 1, label, to_row=5, bold=True)
    reading_end = fixed + per_type * 4
    _put(ws, 3, fixed + 1, READING_GROUP, to_col=reading_end, bold=True)
    for t, activity_type in enumerate(ACTIVITY_TYPES):
        col = fixed + 1 + t * per_type
        if t < 4:
            _put(ws, 4, col, TYPE_LABELS[activity_type], to_col=col + per_type - 1, bold=True)
        else:
            _put(
                ws,
                3,
                col,
                TYPE_LABELS[activity_type],
                to_row=4,
                to_col=col + per_type - 1,
                bold=True,
            )
        for r, row_key in enumerate(ROWS):
            _put(ws, 5, col + r, SHORT_MEASURES[row_key], bold=True)
    for n, data in enumerate(sheets):
        row = 6 + n
        status = data.status + (f"（{CHANGED_SINCE}）" if data.changed else "")
        fixed_values = (
            data.region_code,
            data.region_name,
            status,
            data.submitted_at,
            data.values["header.prefecture_cities"],
            data.values["header.county_cities"],
        )
        for i, value in enumerate(fixed_values):
            _put(ws, row, i + 1, value)
        for t, activity_type in enumerate(ACTIVITY_TYPES):
            for r, row_key in enumerate(ROWS):
                value = data.values.get(f"{activity_type}.{row_key}", 0)
                shown: object = (YES if value else NO) if row_key == "provincial" else value
                _put(ws, row, fixed + 1 + t * per_type + r, shown)
    totals = national_totals(d.values for d in sheets)
    row = 6 + len(sheets)
    _put(ws, row, 1, TOTAL, to_col=4, bold=True)
    _put(ws, row, 5, totals["header.prefecture_cities"], bold=True)
    _put(ws, row, 6, totals["header.county_cities"], bold=True)
    for t, activity_type in enumerate(ACTIVITY_TYPES):
        for r, row_key in enumerate(ROWS):
            value = totals[f"{activity_type}.{row_key}"]
            # Held at provincial level: how many regions said yes.
            shown = f"{value} 个地区" if row_key == "provincial" else value
            _put(ws, row, fixed + 1 + t * per_type + r, shown, bold=True)
    ws.column_dimensions["A"].width = 9
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 12
    ws.column_dimensions["D"].width = 17
    for col in range(5, last_col + 1):
        ws.column_dimensions[get_column_letter(col)].width = 11
    ws.row_dimensions[5].height = 48
    ws.freeze_panes = "C6"
    _print_setup(ws, row, last_col, one_page=False)
    ws.print_title_rows = "3:5"


def national_workbook(year: int, sheets: Sequence[SheetData]) -> Workbook:
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = SUMMARY_SHEET
    _write_summary(summary, year, sheets)
    for data in sheets:
        write_region_sheet(wb.create_sheet(_sheet_title(data)), data)
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def region_xlsx(stats: RegionStatistics) -> bytes:
    return workbook_bytes(region_workbook(sheet_data(stats)))


def national_xlsx(national: NationalStatistics) -> bytes:
    sheets = [sheet_data(r) for r in national.regions]
    return workbook_bytes(national_workbook(national.campaign_year.year, sheets))
