"""The national view's pictures: bar geometry, the tile grid's places and colour scale."""

from events.statistics.charts import (
    NONE_FILL,
    SCALE,
    SMALL_TILES,
    TILES,
    bar_chart,
    compact,
    nice_step,
    tile_map,
)
from scheduling.regions import read_regions


def test_every_region_has_one_place_on_the_grid_and_no_two_share_a_cell() -> None:
    codes = {row.code for row in read_regions()}
    assert set(TILES) | set(SMALL_TILES) == codes
    cells = list(TILES.values()) + [(c, r) for c, r, _ in SMALL_TILES.values()]
    assert len(cells) == len(set(cells)) == 37


def test_the_grid_is_roughly_geographic() -> None:
    assert TILES["230000"][1] == 0
    assert TILES["230000"][0] == max(c for c, _ in TILES.values())
    assert TILES["650000"][0] == 0
    assert TILES["540000"][0] == 0
    assert TILES["460000"][1] == max(r for _, r in TILES.values())  # 琼 at the bottom


def test_tile_colours_follow_a_five_step_scale_with_zero_apart() -> None:
    values = {"110000": 0, "440000": 1000, "310000": 1, "660000": 500}
    names = {code: (code[:2], code) for code in values}
    result = tile_map(values, names, zh=True)
    tiles = {t.code: t for t in result.tiles}
    assert tiles["110000"].fill == NONE_FILL
    assert tiles["440000"].fill == SCALE[-1]
    assert tiles["310000"].fill == SCALE[0]
    assert tiles["660000"].small
    assert next(step.label for step in result.legend) == "1–200"
    assert result.legend[-1].high >= 1000


def test_bars_are_sorted_and_scaled_to_the_largest() -> None:
    chart = bar_chart([("北京", 10), ("上海", 40), ("天津", 0)], zh=True)
    assert [b.label for b in chart.bars] == ["上海", "北京", "天津"]
    assert chart.bars[0].width > chart.bars[1].width > chart.bars[2].width == 0
    assert chart.total == 50


def test_nice_step_and_compact_figures() -> None:
    assert nice_step(1000) == 200
    assert nice_step(12345) == 2500
    assert nice_step(3) == 1
    assert compact(56789, zh=True) == "5.7万"
    assert compact(56789, zh=False) == "57k"
    assert compact(999, zh=False) == "999"
