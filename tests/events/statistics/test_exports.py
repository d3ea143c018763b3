"""The XLSX and CSV exports: the attachment's labels, merged cells, numbers and print setup."""

import csv
import io

import pytest
from openpyxl import load_workbook

from accounts.models import User
from events.statistics.csvexport import national_csv, region_csv
from events.statistics.selectors import national_statistics, region_statistics
from events.statistics.services import statistics_adjust, statistics_header_update
from events.statistics.xlsx import national_xlsx, region_xlsx
from scheduling.models import CampaignYear, Region
from tests.events.statistics.conftest import EXPECTED_BEIJING

pytestmark = pytest.mark.django_db


def _beijing(year: CampaignYear) -> bytes:
    return region_xlsx(region_statistics(year, Region.objects.get(code="110000")))


def test_region_xlsx_reproduces_the_attachment(
    beijing_events: CampaignYear, coordinator: User
) -> None:
    statistics_header_update(
        actor=coordinator, campaign_year=beijing_events, region_code="110000",
        contact_name="王老师", contact_department="终身教育处", office_phone="010-66096253",
        mobile="13601198336",
    )  # fmt: skip
    statistics_adjust(actor=coordinator, campaign_year=beijing_events, region_code="110000",
                      cell_key="learning_week.county_activities", value=7,
                      reason="县区报表补充")  # fmt: skip
    wb = load_workbook(io.BytesIO(_beijing(beijing_events)))
    ws = wb.active
    assert ws is not None
    assert ws.title == "110000 北京"
    assert ws["A1"].value == "附件"
    assert ws["A2"].value == "2027 年全民终身学习活动开展情况统计表"
    assert ws["A3"].value.startswith("教育行政部门（盖章）：北京")
    assert (ws["A4"].value, ws["C4"].value, ws["E4"].value, ws["F4"].value) == (
        "联系人", "王老师", "所在部门", "终身教育处",
    )  # fmt: skip
    assert (ws["A5"].value, ws["E5"].value, ws["F5"].value) == (
        "办公电话",
        "手机号码",
        "13601198336",
    )
    assert (ws["A6"].value, ws["C6"].value, ws["E6"].value, ws["F6"].value) == (
        "地市级及以上城市数", 2, "县级城市数", 2,
    )  # fmt: skip
    assert ws["A8"].value == "活动"
    assert ws["C8"].value == "全民阅读"
    assert [ws.cell(row=9, column=c).value for c in range(3, 7)] == [
        "主题阅读活动", "“社长（总编）荐书”活动", "线上社会大讲堂", "数字阅读分享活动",
    ]  # fmt: skip
    assert ws["G8"].value == "全民终身学习活动周"
    assert ws["A10"].value == "省级层面是否开展"
    assert (ws["A11"].value, ws["A14"].value) == ("地市级及以上城市开展情况", "县级城市开展情况")
    assert [ws.cell(row=r, column=2).value for r in range(11, 17)] == [
        "城市数", "活动数", "参加人次", "城市数", "活动数", "参加人次",
    ]  # fmt: skip
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A2:G2", "A8:B9", "C8:F8", "G8:G9", "A10:B10", "A11:A13", "A14:A16"} <= merged
    # The figures: 是/否 and numbers where the hand count says.
    assert [ws.cell(row=10, column=c).value for c in range(3, 8)] == ["是", "否", "是", "否", "否"]
    assert ws["C11"].value == EXPECTED_BEIJING["themed_reading.prefecture_cities"]
    assert ws["C12"].value == EXPECTED_BEIJING["themed_reading.prefecture_activities"]
    assert ws["C13"].value == EXPECTED_BEIJING["themed_reading.prefecture_participants"]
    assert ws["E13"].value == 815  # lecture hall person-times: the provincial session and 3 talks
    assert ws["F16"].value == 45
    assert ws["G15"].value == 7  # the adjusted cell, with its reason as a comment
    assert "县区报表补充" in ws["G15"].comment.text
    assert ws["C10"].border.left.style == "thin"
    assert ws["G16"].border.bottom.style == "thin"
    assert ws.column_dimensions["A"].width >= 12
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) == 9
    assert ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert "未报送" in ws["A18"].value


def test_national_xlsx_has_a_summary_with_totals_and_a_sheet_per_region(
    beijing_events: CampaignYear,
) -> None:
    wb = load_workbook(io.BytesIO(national_xlsx(national_statistics(beijing_events))))
    assert len(wb.sheetnames) == 38
    assert wb.sheetnames[0] == "全国汇总"
    assert "110000 北京" in wb.sheetnames
    assert "660000 新疆生产建设兵团" in wb.sheetnames
    summary = wb["全国汇总"]
    assert summary["G3"].value == "全民阅读"
    assert summary["G4"].value == "主题阅读活动"
    assert summary["G5"].value == "省级层面是否开展"
    assert summary["AI3"].value == "全民终身学习活动周"
    merged = {str(r) for r in summary.merged_cells.ranges}
    assert {"G3:AH3", "G4:M4", "AI3:AO4"} <= merged
    rows = {summary.cell(row=r, column=1).value: r for r in range(6, 44)}
    beijing, shanghai, total = rows["110000"], rows["310000"], rows["合计"]
    assert summary.cell(row=beijing, column=2).value == "北京"
    assert summary.cell(row=beijing, column=3).value == "未报送"
    assert summary.cell(row=beijing, column=7).value == "是"
    assert summary.cell(row=beijing, column=10).value == 5170  # themed prefecture-and-above
    assert summary.cell(row=shanghai, column=10).value == 500
    assert summary.cell(row=total, column=10).value == 5670
    assert summary.cell(row=total, column=7).value == "1 个地区"
    assert total == 6 + 37
    assert wb["110000 北京"]["C13"].value == 5170


def test_csv_exports_read_back(beijing_events: CampaignYear) -> None:
    stats = region_statistics(beijing_events, Region.objects.get(code="110000"))
    body = region_csv(stats)
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:5] == ["cell", "活动", "项目", "计算值", "当前值"]
    by_cell = {r[0]: r for r in rows[1:]}
    assert len(by_cell) == 37
    assert by_cell["lecture_hall.prefecture_participants"][1:5] == [
        "线上社会大讲堂", "地市级及以上城市开展情况 · 参加人次", "815", "815",
    ]  # fmt: skip
    national = list(
        csv.reader(
            io.StringIO(national_csv(national_statistics(beijing_events)).decode("utf-8-sig"))
        )
    )
    assert len(national) == 1 + 37 + 1
    header = national[0]
    column = header.index("主题阅读活动·地市级及以上·参加人次")
    assert national[-1][0] == "合计"
    assert national[-1][column] == "5670"
