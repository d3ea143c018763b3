"""Geometry of the national view's pictures, drawn by templates as inline SVG (no script, no map
service, no geodata): a horizontal bar chart per activity type, and a tile-grid map of the 37
regions placed roughly where they lie, coloured by a figure on a five-step scale.

Pure: plain numbers in, coordinates and colours out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# --- bar charts ----------------------------------------------------------------------------
BAR_WIDTH = 640  # the SVG's viewBox width
BAR_LABEL = 150  # room for the region's name
BAR_VALUE = 90  # room for the figure after the bar
BAR_PITCH = 21
BAR_HEIGHT = 15
BAR_TOP = 6


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    shown: str  # the figure as written beside the bar
    y: float
    width: float
    text_y: float
    value_x: float


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    height: float
    label_x: float
    bar_x: float
    top: int
    total: int

    @property
    def width(self) -> int:
        return BAR_WIDTH

    @property
    def bar_height(self) -> int:
        return BAR_HEIGHT


def bar_chart(items: Sequence[tuple[str, int]], *, zh: bool) -> BarChart:
    """Bars for (label, value) pairs, largest first (ties by the given order)."""
    ordered = sorted(enumerate(items), key=lambda pair: (-pair[1][1], pair[0]))
    top = max((value for _, value in items), default=0)
    span = BAR_WIDTH - BAR_LABEL - BAR_VALUE
    bars = []
    for position, (_, (label, value)) in enumerate(ordered):
        y = BAR_TOP + position * BAR_PITCH
        width = span * value / top if top else 0.0
        bars.append(
            Bar(
                label=label,
                value=value,
                shown=f"{value:,}",
                y=y,
                width=round(max(width, 1.0 if value else 0.0), 1),
                text_y=y + BAR_HEIGHT - 3,
                value_x=round(BAR_LABEL + width + 4, 1),
            )
        )
    return BarChart(
        bars=bars,
        height=BAR_TOP * 2 + len(bars) * BAR_PITCH,
        label_x=BAR_LABEL - 6,
        bar_x=BAR_LABEL,
        top=top,
        total=sum(value for _, value in items),
    )


# --- the tile-grid map ---------------------------------------------------------------------
PITCH, TILE, SMALL = 76, 70, 38
MAP_COLUMNS, MAP_ROWS = 8, 8
# (column, row): rows run north to south, columns west to east.
TILES: dict[str, tuple[int, int]] = {
    "230000": (7, 0),  # 黑龙江
    "150000": (3, 1),  # 内蒙古
    "110000": (4, 1),  # 北京
    "120000": (5, 1),  # 天津
    "210000": (6, 1),  # 辽宁
    "220000": (7, 1),  # 吉林
    "650000": (0, 2),  # 新疆
    "620000": (2, 2),  # 甘肃
    "640000": (3, 2),  # 宁夏
    "140000": (4, 2),  # 山西
    "130000": (5, 2),  # 河北
    "540000": (0, 3),  # 西藏
    "630000": (1, 3),  # 青海
    "610000": (3, 3),  # 陕西
    "410000": (4, 3),  # 河南
    "370000": (5, 3),  # 山东
    "510000": (2, 4),  # 四川
    "500000": (3, 4),  # 重庆
    "420000": (4, 4),  # 湖北
    "340000": (5, 4),  # 安徽
    "320000": (6, 4),  # 江苏
    "310000": (7, 4),  # 上海
    "530000": (2, 5),  # 云南
    "520000": (3, 5),  # 贵州
    "430000": (4, 5),  # 湖南
    "360000": (5, 5),  # 江西
    "330000": (6, 5),  # 浙江
    "450000": (3, 6),  # 广西
    "440000": (4, 6),  # 广东
    "350000": (5, 6),  # 福建
    "460000": (3, 7),  # 海南
}
# Separately-planned cities and the Corps: a small tile in the free cell beside their province,
# pushed against it ("left": the province is to the left; "top": it is above).
SMALL_TILES: dict[str, tuple[int, int, str]] = {
    "660000": (1, 2, "left"),  # 兵团, beside 新疆
    "210200": (6, 2, "top"),  # 大连, below 辽宁
    "370200": (6, 3, "left"),  # 青岛, beside 山东
    "330200": (7, 5, "left"),  # 宁波, beside 浙江
    "350200": (6, 6, "left"),  # 厦门, beside 福建
    "440300": (4, 7, "top"),  # 深圳, below 广东
}
# ISO 3166-2:CN letters (and city initials): short enough for a tile on English pages.
TILE_CODES = {
    "110000": "BJ",
    "120000": "TJ",
    "130000": "HE",
    "140000": "SX",
    "150000": "NM",
    "210000": "LN",
    "220000": "JL",
    "230000": "HL",
    "310000": "SH",
    "320000": "JS",
    "330000": "ZJ",
    "340000": "AH",
    "350000": "FJ",
    "360000": "JX",
    "370000": "SD",
    "410000": "HA",
    "420000": "HB",
    "430000": "HN",
    "440000": "GD",
    "450000": "GX",
    "460000": "HI",
    "500000": "CQ",
    "510000": "SC",
    "520000": "GZ",
    "530000": "YN",
    "540000": "XZ",
    "610000": "SN",
    "620000": "GS",
    "630000": "QH",
    "640000": "NX",
    "650000": "XJ",
    "660000": "BT",
    "210200": "DL",
    "370200": "QD",
    "330200": "NB",
    "350200": "XM",
    "440300": "SZ",
}
# Five steps from light to dark (the brand's red); zero has its own grey. Text on the three
# light steps is near-black, on the two dark ones white: at least 4.5:1 either way.
SCALE = ("#fbe3df", "#f3b2a6", "#e2806f", "#b3362a", "#6e1010")
DARK_STEPS = 2  # the last two
NONE_FILL = "#f2f2f2"
INK, PAPER = "#1a1a1a", "#ffffff"


@dataclass(frozen=True)
class Tile:
    code: str
    label: str  # on the tile: 北京 / BJ
    name: str  # the region's full name, for the tooltip
    value: int
    shown: str  # compact figure on the tile
    x: int
    y: int
    size: int
    fill: str
    ink: str

    @property
    def small(self) -> bool:
        return self.size < TILE

    @property
    def centre_x(self) -> float:
        return self.x + self.size / 2

    @property
    def label_y(self) -> float:
        return self.y + self.size * (0.42 if not self.small else 0.45)

    @property
    def value_y(self) -> float:
        return self.y + self.size * (0.75 if not self.small else 0.85)


@dataclass(frozen=True)
class LegendStep:
    fill: str
    ink: str
    low: int
    high: int

    @property
    def label(self) -> str:
        return f"{self.low:,}–{self.high:,}"


@dataclass(frozen=True)
class TileMap:
    tiles: list[Tile]
    legend: list[LegendStep]
    width: int = MAP_COLUMNS * PITCH
    height: int = MAP_ROWS * PITCH


def nice_step(top: int, steps: int = len(SCALE)) -> int:
    """A round whole step (1, 2, 2.5 or 5 times a power of ten) so `steps` steps reach `top`."""
    if top <= steps:
        return 1
    raw = top / steps
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if step >= raw and step == int(step):
            return int(step)
    return int(10 * power)  # pragma: no cover - the loop always returns


def compact(value: int, *, zh: bool) -> str:
    """1234 → 1234; 56789 → 5.7万 / 57k; 12345678 → 1235万 / 12.3M."""
    if value < 10_000:
        return str(value)
    if zh:
        wan = value / 10_000
        return f"{wan:.1f}万" if wan < 100 else f"{wan:.0f}万"
    if value < 1_000_000:
        return f"{value / 1000:.0f}k"
    return f"{value / 1_000_000:.1f}M"


def tile_map(
    values: Mapping[str, int], names: Mapping[str, tuple[str, str]], *, zh: bool
) -> TileMap:
    """Tiles for every region with a place; `names` maps a code to (tile label, full name)."""
    top = max(values.values(), default=0)
    step = nice_step(top)
    legend = [
        LegendStep(
            fill, PAPER if i >= len(SCALE) - DARK_STEPS else INK, i * step + 1, (i + 1) * step
        )
        for i, fill in enumerate(SCALE)
    ]
    tiles = []
    for code, (label, name) in names.items():
        value = values.get(code, 0)
        if value <= 0:
            fill, ink = NONE_FILL, INK
        else:
            index = min((value - 1) // step, len(SCALE) - 1)
            fill, ink = legend[index].fill, legend[index].ink
        if code in TILES:
            col, row = TILES[code]
            x, y, size = col * PITCH, row * PITCH, TILE
        elif code in SMALL_TILES:
            col, row, side = SMALL_TILES[code]
            size = SMALL
            x = col * PITCH if side == "left" else col * PITCH + (TILE - SMALL) // 2
            y = row * PITCH if side == "top" else row * PITCH + (TILE - SMALL) // 2
        else:
            continue
        tiles.append(Tile(code, label, name, value, compact(value, zh=zh), x, y, size, fill, ink))
    return TileMap(tiles=tiles, legend=legend)
