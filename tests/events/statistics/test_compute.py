"""The pure computation: cells, labels, tables from aggregate rows, adjustments, differences."""

from events.statistics.compute import (
    CELLS,
    GRID_CELLS,
    LevelCities,
    TypeLevelFigures,
    apply_adjustments,
    cell,
    compute_tables,
    differences,
    display,
    empty_table,
    figure_value,
    national_totals,
)


def test_the_attachment_has_seven_rows_of_five_types_and_two_header_counts() -> None:
    assert len(GRID_CELLS) == 35
    assert len(CELLS) == 37
    assert cell("themed_reading.county_participants").label == (  # type: ignore[union-attr]
        "主题阅读活动 · 县级城市开展情况 · 参加人次"
    )
    assert cell("learning_week.provincial").label == "全民终身学习活动周 · 省级层面是否开展"  # type: ignore[union-attr]
    assert cell("header.county_cities").label == "县级城市数"  # type: ignore[union-attr]
    assert cell("themed_reading.nonsense") is None
    assert cell("karaoke.provincial") is None


def test_compute_tables_from_aggregate_rows() -> None:
    rows = [
        TypeLevelFigures("110000", "themed_reading", "provincial", 2, 300, 0),
        TypeLevelFigures("110000", "themed_reading", "prefecture", 3, 150, 2, unrecorded=1),
        TypeLevelFigures("110000", "lecture_hall", "county", 4, 12, 1),
        TypeLevelFigures("310000", "learning_week", "provincial", 0, 0, 0),
        TypeLevelFigures("310000", "unknown_type", "county", 9, 9, 9),
    ]
    cities = [LevelCities("110000", "prefecture", 2), LevelCities("110000", "county", 1)]
    tables = compute_tables(rows, cities)
    beijing = tables["110000"]
    assert beijing["themed_reading.provincial"] == 1
    assert beijing["themed_reading.prefecture_participants"] == 300 + 150  # and above: provincial
    assert beijing["themed_reading.prefecture_activities"] == 2 + 3
    assert beijing["themed_reading.prefecture_cities"] == 2
    assert beijing["lecture_hall.county_activities"] == 4
    assert beijing["header.prefecture_cities"] == 2
    assert tables["310000"] == empty_table()  # no activity: "no", zeros; unknown types ignored


def test_adjustments_replace_cells_and_differences_name_them_in_table_order() -> None:
    computed = {**empty_table(), "lecture_hall.county_activities": 4}
    current = apply_adjustments(computed, {"themed_reading.county_activities": 9})
    assert current["themed_reading.county_activities"] == 9
    assert current["lecture_hall.county_activities"] == 4
    assert differences(current, computed) == ["themed_reading.county_activities"]


def test_national_totals_count_regions_saying_yes() -> None:
    a = {**empty_table(), "themed_reading.provincial": 1, "header.county_cities": 3}
    b = {**empty_table(), "themed_reading.provincial": 1, "header.county_cities": 4}
    totals = national_totals([a, b, empty_table()])
    assert totals["themed_reading.provincial"] == 2
    assert totals["header.county_cities"] == 7


def test_figure_value_over_types_uses_distinct_header_cities() -> None:
    table = {
        **empty_table(),
        "themed_reading.prefecture_cities": 2,
        "lecture_hall.prefecture_cities": 2,
        "header.prefecture_cities": 3,
        "themed_reading.county_activities": 5,
        "themed_reading.prefecture_activities": 1,
    }
    assert figure_value(table, "cities", "themed_reading") == 2
    assert figure_value(table, "cities", None) == 3  # not 4: one city held two types
    assert figure_value(table, "activities", None) == 6
    assert figure_value(table, "county_activities", "themed_reading") == 5


def test_display_writes_yes_no_and_thousands() -> None:
    assert display("themed_reading.provincial", 1) == "是"
    assert display("themed_reading.provincial", 0) == "否"
    assert display("themed_reading.county_participants", 1234567) == "1,234,567"
