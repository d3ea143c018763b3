"""The statistics table (the notice's attachment) from plain data: its cells, their labels, the
computation from aggregated event figures, adjustments, differences and national totals.

No Django here: the selectors hand in plain rows, the pages, exports and API read plain dicts.
A table is a `dict[str, int]` keyed by cell ("themed_reading.county_participants",
"header.prefecture_cities"); the "held at provincial level" cells are 1 (是) or 0 (否).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# The five activity types in the attachment's column order (values of events.ActivityType).
ACTIVITY_TYPES = (
    "themed_reading",
    "publisher_recommends",
    "lecture_hall",
    "digital_reading",
    "learning_week",
)
READING_TYPES = ACTIVITY_TYPES[:4]  # grouped under 全民阅读
PROVINCIAL, PREFECTURE, COUNTY = "provincial", "prefecture", "county"

# The attachment's seven rows, top to bottom.
ROWS = (
    "provincial",
    "prefecture_cities",
    "prefecture_activities",
    "prefecture_participants",
    "county_cities",
    "county_activities",
    "county_participants",
)
HEADER_CELLS = ("header.prefecture_cities", "header.county_cities")
GRID_CELLS = tuple(f"{t}.{r}" for t in ACTIVITY_TYPES for r in ROWS)
CELLS = HEADER_CELLS + GRID_CELLS

# --- the attachment's own labels -----------------------------------------------------------
TITLE = "{year} 年全民终身学习活动开展情况统计表"
ATTACHMENT = "附件"
DEPARTMENT_SEAL = "教育行政部门（盖章）："
CONTACT_LABELS = {
    "contact_name": "联系人",
    "contact_department": "所在部门",
    "office_phone": "办公电话",
    "mobile": "手机号码",
}
HEADER_LABELS = {
    "header.prefecture_cities": "地市级及以上城市数",
    "header.county_cities": "县级城市数",
}
CORNER = "活动"
READING_GROUP = "全民阅读"
TYPE_LABELS = {
    "themed_reading": "主题阅读活动",
    "publisher_recommends": "“社长（总编）荐书”活动",
    "lecture_hall": "线上社会大讲堂",
    "digital_reading": "数字阅读分享活动",
    "learning_week": "全民终身学习活动周",
}
PROVINCIAL_LABEL = "省级层面是否开展"
LEVEL_GROUP_LABELS = {PREFECTURE: "地市级及以上城市开展情况", COUNTY: "县级城市开展情况"}
MEASURE_LABELS = {"cities": "城市数", "activities": "活动数", "participants": "参加人次"}
YES, NO = "是", "否"

# Upper bounds of a believable figure for one region and year; anything above is a typing slip.
LIMITS = {
    "provincial": 1,
    "cities": 10_000,  # China has fewer than 3,000 county-level divisions in all
    "activities": 1_000_000,
    "participants": 100_000_000,
}


@dataclass(frozen=True)
class Cell:
    key: str
    activity_type: str | None  # None for the header's two city counts
    row: str
    level: str  # provincial / prefecture / county
    measure: str  # held / cities / activities / participants

    @property
    def limit(self) -> int:
        return LIMITS["provincial" if self.measure == "held" else self.measure]

    @property
    def is_yes_no(self) -> bool:
        return self.measure == "held"

    @property
    def label(self) -> str:
        """The attachment's words for the cell: 主题阅读活动 · 县级城市开展情况 · 参加人次."""
        if self.activity_type is None:
            return HEADER_LABELS[self.key]
        if self.measure == "held":
            row = PROVINCIAL_LABEL
        else:
            row = f"{LEVEL_GROUP_LABELS[self.level]} · {MEASURE_LABELS[self.measure]}"
        return f"{TYPE_LABELS[self.activity_type]} · {row}"


def cell(key: str) -> Cell | None:
    """The cell of a key, or None when the attachment has no such cell."""
    if key in HEADER_CELLS:
        level = PREFECTURE if key == "header.prefecture_cities" else COUNTY
        return Cell(key, None, key.split(".", 1)[1], level, "cities")
    activity_type, _, row = key.partition(".")
    if activity_type not in ACTIVITY_TYPES or row not in ROWS:
        return None
    if row == "provincial":
        return Cell(key, activity_type, row, PROVINCIAL, "held")
    level, _, measure = row.partition("_")
    return Cell(key, activity_type, row, level, measure)


@dataclass(frozen=True)
class TypeLevelFigures:
    """One aggregate row: a region's non-cancelled events of one type at one level."""

    region: str
    activity_type: str
    level: str
    activities: int
    participants: int  # person-times: the sum of the events' recorded counts
    cities: int  # distinct non-empty `city` values
    unrecorded: int = 0  # events with no participant count recorded yet


@dataclass(frozen=True)
class LevelCities:
    """Distinct cities of a region at one level, over all five types (the header's counts)."""

    region: str
    level: str
    cities: int


def empty_table() -> dict[str, int]:
    return dict.fromkeys(CELLS, 0)


def compute_tables(
    figures: Iterable[TypeLevelFigures], level_cities: Iterable[LevelCities]
) -> dict[str, dict[str, int]]:
    """Every region's computed table; regions without events are absent (all zero)."""
    tables: dict[str, dict[str, int]] = {}
    for row in figures:
        if row.activity_type not in ACTIVITY_TYPES:
            continue
        table = tables.setdefault(row.region, empty_table())
        if row.level == PROVINCIAL:
            if row.activities > 0:
                table[f"{row.activity_type}.provincial"] = 1
            # 地市级及以上 is "prefecture level and above": provincial activities (lecture-hall
            # sessions among them) count there too, or their person-times would appear nowhere.
            # Their cities are not added: a provincial event names no city of its own level.
            table[f"{row.activity_type}.prefecture_activities"] += row.activities
            table[f"{row.activity_type}.prefecture_participants"] += row.participants
        elif row.level in (PREFECTURE, COUNTY):
            prefix = f"{row.activity_type}.{row.level}"
            table[f"{prefix}_cities"] += row.cities
            table[f"{prefix}_activities"] += row.activities
            table[f"{prefix}_participants"] += row.participants
    for level_row in level_cities:
        if level_row.level in (PREFECTURE, COUNTY):
            key = f"header.{level_row.level}_cities"
            tables.setdefault(level_row.region, empty_table())[key] = level_row.cities
    return tables


def unrecorded_counts(figures: Iterable[TypeLevelFigures]) -> dict[str, int]:
    """Per region: counted prefecture and county events that have no person-times yet."""
    counts: dict[str, int] = {}
    for row in figures:
        if row.level in (PREFECTURE, COUNTY):
            counts[row.region] = counts.get(row.region, 0) + row.unrecorded
    return counts


def apply_adjustments(computed: Mapping[str, int], adjusted: Mapping[str, int]) -> dict[str, int]:
    """The table the coordinator stands behind: computed figures, adjusted cells replaced."""
    return {key: adjusted.get(key, computed.get(key, 0)) for key in CELLS}


def differences(current: Mapping[str, int], submitted: Mapping[str, int]) -> list[str]:
    """The cells whose value now differs from the submitted snapshot's, in table order."""
    return [key for key in CELLS if current.get(key, 0) != submitted.get(key, 0)]


def national_totals(tables: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """Sums over regions; a "held at provincial level" total counts the regions saying yes."""
    totals = empty_table()
    for table in tables:
        for key in CELLS:
            totals[key] += table.get(key, 0)
    return totals


def display(key: str, value: int) -> str:
    """How a cell reads on a page: 是/否 for the yes/no row, 12,345 otherwise."""
    found = cell(key)
    if found is not None and found.is_yes_no:
        return YES if value else NO
    return f"{value:,}"


# The national view's figures: which measure, over which levels.
FIGURE_PARTS = {
    "activities": ("activities", (PREFECTURE, COUNTY)),
    "participants": ("participants", (PREFECTURE, COUNTY)),
    "cities": ("cities", (PREFECTURE, COUNTY)),
    "prefecture_activities": ("activities", (PREFECTURE,)),
    "prefecture_participants": ("participants", (PREFECTURE,)),
    "county_activities": ("activities", (COUNTY,)),
    "county_participants": ("participants", (COUNTY,)),
}


def figure_value(table: Mapping[str, int], figure: str, activity_type: str | None) -> int:
    """A region's figure for one type, or over all five (None). Cities over all types are the
    header's distinct counts: a city holding two types of activity is one city."""
    measure, levels = FIGURE_PARTS[figure]
    if activity_type is None:
        if measure == "cities":
            return sum(table.get(f"header.{level}_cities", 0) for level in levels)
        return sum(figure_value(table, figure, t) for t in ACTIVITY_TYPES)
    return sum(table.get(f"{activity_type}.{level}_{measure}", 0) for level in levels)
