"""What the statistics pages show, shaped for their templates: the table's grid (the
attachment's rows and groups), who may change what, the deadline's countdown, and the national
view's progress, totals, map and charts."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.permissions import can_manage_region, is_ministry
from events.statistics.charts import TILE_CODES, bar_chart, tile_map
from events.statistics.compute import (
    ACTIVITY_TYPES,
    CONTACT_LABELS,
    HEADER_CELLS,
    LEVEL_GROUP_LABELS,
    MEASURE_LABELS,
    PROVINCIAL_LABEL,
    ROWS,
    TITLE,
    TYPE_LABELS,
    cell,
    figure_value,
)
from events.statistics.labels import (
    ALL_TYPES,
    CONTACT_GLOSSES,
    FIGURES,
    LEVEL_GLOSSES,
    MEASURE_GLOSSES,
    PROVINCIAL_GLOSS,
    TYPE_GLOSSES,
    cell_gloss,
)
from events.statistics.selectors import CellView, NationalStatistics, RegionStatistics

CORPS = "660000"


@dataclass(frozen=True)
class GridRow:
    """One of the attachment's seven rows; `group` is set on the first row of a level's three."""

    key: str
    label: str
    gloss: str
    cells: list[CellView]
    group: tuple[str, str] | None = None


@dataclass(frozen=True)
class Countdown:
    deadline: dt.datetime
    passed: bool
    text: str


def countdown(deadline: dt.datetime, now: dt.datetime) -> Countdown:
    """“3 days 4 hours left” / “passed 2 days ago”, counted on the server (no script)."""
    seconds = int((deadline - now).total_seconds())
    days, rest = divmod(abs(seconds), 86400)
    hours = rest // 3600
    span = ngettext("%(n)s day", "%(n)s days", days) % {"n": days}
    span += " " + ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}
    if seconds >= 0:
        return Countdown(deadline, False, _("%(span)s left") % {"span": span})
    return Countdown(deadline, True, _("passed %(span)s ago") % {"span": span})


def grid(cells_of: Any) -> list[GridRow]:
    """The seven rows with their five cells; `cells_of(key)` gives a cell's view."""
    rows = []
    for row in ROWS:
        found = cell(f"{ACTIVITY_TYPES[0]}.{row}")
        assert found is not None
        if found.measure == "held":
            label, gloss, group = PROVINCIAL_LABEL, str(PROVINCIAL_GLOSS), None
        else:
            label, gloss = MEASURE_LABELS[found.measure], str(MEASURE_GLOSSES[found.measure])
            first = row.endswith("_cities")
            group = (
                (LEVEL_GROUP_LABELS[found.level], str(LEVEL_GLOSSES[found.level]))
                if first
                else None
            )
        rows.append(
            GridRow(row, label, gloss, [cells_of(f"{t}.{row}") for t in ACTIVITY_TYPES], group)
        )
    return rows


def types_header() -> list[tuple[str, str, str]]:
    return [(t, TYPE_LABELS[t], str(TYPE_GLOSSES[t])) for t in ACTIVITY_TYPES]


def may_edit(user: Any, stats: RegionStatistics) -> bool:
    """The same rule the services apply, asked before offering the buttons."""
    if stats.locked or not can_manage_region(user, stats.region.code):
        return False
    if is_ministry(user) or stats.reopened:
        return True
    return timezone.now() <= stats.campaign_year.statistics_deadline


def region_context(user: Any, stats: RegionStatistics, *, zh: bool) -> dict[str, Any]:
    views = {view.key: view for view in stats.cells()}
    submissions = (
        list(stats.table.submissions.select_related("submitted_by", "reopened_by"))
        if stats.table
        else []
    )
    return {
        "stats": stats,
        "campaign_year": stats.campaign_year,
        "region": stats.region,
        "types": types_header(),
        "caption": f"{TITLE.format(year=stats.campaign_year.year)} · {stats.region.short_name_zh}",
        "caption_gloss": _("Lifelong learning activities in %(year)s: %(region)s")
        % {"year": stats.campaign_year.year, "region": stats.region.name_en},
        "grid": grid(views.__getitem__),
        "header_cells": [(views[k], cell_gloss(k)) for k in HEADER_CELLS],
        "contact": [
            (CONTACT_LABELS[k], CONTACT_GLOSSES[k], stats.header[k]) for k in CONTACT_LABELS
        ],
        "adjusted": [(v, cell_gloss(v.key)) for v in views.values() if v.adjustment],
        "differs": [(views[k], cell_gloss(k)) for k in stats.differs],
        "submissions": submissions,
        "can_edit": may_edit(user, stats),
        "is_ministry": is_ministry(user),
        "countdown": countdown(stats.campaign_year.statistics_deadline, timezone.now()),
        "zh": zh,
    }


def _total_view(key: str, value: int) -> CellView:
    found = cell(key)
    assert found is not None
    return CellView(found, value, value, None, None, None, False)


def _names(national: NationalStatistics, *, zh: bool) -> dict[str, tuple[str, str]]:
    names = {}
    for stats in national.regions:
        region = stats.region
        if zh:
            label = "兵团" if region.code == CORPS else region.short_name_zh
            names[region.code] = (label, region.short_name_zh)
        else:
            names[region.code] = (TILE_CODES.get(region.code, region.code), region.name_en)
    return names


def chart_label(stats: RegionStatistics, *, zh: bool) -> str:
    if zh:
        return "兵团" if stats.region.code == CORPS else stats.region.short_name_zh
    return "XPCC (Corps)" if stats.region.code == CORPS else stats.region.name_en


def national_context(
    national: NationalStatistics, figure: str, activity_type: str, *, zh: bool
) -> dict[str, Any]:
    totals = national.totals
    regions = national.regions
    map_type = None if activity_type == ALL_TYPES else activity_type
    map_values = {r.region.code: figure_value(r.reported, figure, map_type) for r in regions}
    top_value = max(map_values.values(), default=0)
    charts = []
    for t in ACTIVITY_TYPES:
        chart = bar_chart(
            [(chart_label(r, zh=zh), figure_value(r.reported, figure, t)) for r in regions], zh=zh
        )
        charts.append((t, TYPE_LABELS[t], str(TYPE_GLOSSES[t]), chart))
    figure_rows = [
        (
            r,
            [f"{figure_value(r.reported, figure, t):,}" for t in ACTIVITY_TYPES],
            f"{figure_value(r.reported, figure, None):,}",
        )
        for r in regions
    ]
    figure_totals = (
        [f"{figure_value(totals, figure, t):,}" for t in ACTIVITY_TYPES],
        f"{figure_value(totals, figure, None):,}",
    )
    submitted = len(national.submitted)
    return {
        "national": national,
        "campaign_year": national.campaign_year,
        "regions": regions,
        "submitted_count": submitted,
        "region_count": len(regions),
        "percent": round(100 * submitted / len(regions)) if regions else 0,
        "types": types_header(),
        "caption": f"{TITLE.format(year=national.campaign_year.year)} · 全国合计",
        "caption_gloss": _("Lifelong learning activities in %(year)s: national totals")
        % {"year": national.campaign_year.year},
        "grid": grid(lambda key: _total_view(key, totals[key])),
        "header_totals": [(_total_view(k, totals[k]), cell_gloss(k)) for k in HEADER_CELLS],
        "figure": figure,
        "figure_label": FIGURES[figure],
        "map_type": activity_type,
        "map_type_label": TYPE_GLOSSES[activity_type] if map_type else _("all five types"),
        "tile_map": tile_map(map_values, _names(national, zh=zh), zh=zh),
        "map_top": max(regions, key=lambda r: map_values[r.region.code]) if top_value else None,
        "map_top_value": f"{top_value:,}",
        "charts": charts,
        "figure_rows": figure_rows,
        "figure_totals": figure_totals,
        "zh": zh,
    }
