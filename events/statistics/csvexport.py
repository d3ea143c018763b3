"""The statistics table as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the
Chinese labels): one region cell by cell, and the 37 regions one row each with a totals row."""

import csv
import io
from typing import Any

from events.statistics.compute import ACTIVITY_TYPES, CELLS, HEADER_LABELS, ROWS, TYPE_LABELS, cell
from events.statistics.selectors import NationalStatistics, RegionStatistics
from events.statistics.xlsx import SHORT_MEASURES, TOTAL, sheet_data

REGION_COLUMNS = (
    "cell",
    "活动",
    "项目",
    "计算值",
    "当前值",
    "已报送值",
    "报送后计算值有变化",
    "调整原因",
)


def _text(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def region_csv(stats: RegionStatistics) -> bytes:
    """One line per cell: computed, current (with adjustments) and submitted values."""
    rows: list[list[Any]] = [list(REGION_COLUMNS)]
    for key in CELLS:
        view = stats.cell(key)
        found = cell(key)
        assert found is not None
        reason = view.adjustment.reason if view.adjustment else ""
        if not reason and stats.submission is not None:
            reason = stats.submission.cells.get(key, {}).get("reason", "")
        rows.append(
            [
                key,
                TYPE_LABELS[found.activity_type] if found.activity_type else "",
                found.label.split(" · ", 1)[-1] if found.activity_type else found.label,
                view.computed,
                view.value,
                "" if view.submitted is None else view.submitted,
                "是" if view.differs else "",
                reason,
            ]
        )
    return _text(rows)


def national_csv(national: NationalStatistics) -> bytes:
    """One line per region with every figure (submitted where submitted), then the totals."""
    header: list[Any] = ["地区代码", "地区", "报送状态", "报送时间", *HEADER_LABELS.values()]
    header += [f"{TYPE_LABELS[t]}·{SHORT_MEASURES[r]}" for t in ACTIVITY_TYPES for r in ROWS]
    rows: list[list[Any]] = [header]
    for stats in national.regions:
        data = sheet_data(stats)
        rows.append(
            [data.region_code, data.region_name, data.status, data.submitted_at]
            + [data.values[k] for k in HEADER_LABELS]
            + [data.values[f"{t}.{r}"] for t in ACTIVITY_TYPES for r in ROWS]
        )
    totals = national.totals
    rows.append(
        [TOTAL, "", "", ""]
        + [totals[k] for k in HEADER_LABELS]
        + [totals[f"{t}.{r}"] for t in ACTIVITY_TYPES for r in ROWS]
    )
    return _text(rows)
