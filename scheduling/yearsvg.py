"""Pictures of the campaign year drawn on the server as inline SVG: the weeks × regions calendar
and the allocation's rank histogram. No script, nothing fetched; every text is escaped here."""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from scheduling.models import Region
from scheduling.selectors import WeekRow

DAY_W = 3  # one day is three pixels wide, so a holiday shows as a stripe inside its week
WEEK_W = 7 * DAY_W
ROW_H = 24
FONT = 14
SMALL_FONT = 12
MONTH_Y = 18
WEEK_Y = 40
STRIP_Y = 50
STRIP_H = 22
GRID_Y = 84

# Colours of site.css (--brand, --ok, --danger, --line, --paper-alt, --ink).
BRAND = "#9e1b1b"
OK = "#1d5e20"
DANGER = "#a4161a"
LINE = "#767676"
PAPER_ALT = "#f4f1ea"
INK = "#1a1a1a"
HATCH_CLOSED = "yc-hatch-closed"
HATCH_HOLIDAY = "yc-hatch-holiday"


def _el(tag: str, attrs: Mapping[str, object] | None = None, *children: str) -> SafeString:
    """One element: attribute values and plain-string children are escaped, SafeStrings kept."""
    parts = [tag]
    for name, value in (attrs or {}).items():
        if value is not None:
            parts.append(f'{name}="{conditional_escape(str(value))}"')
    inner = "".join(str(conditional_escape(c)) for c in children)
    if not inner:
        return mark_safe(f"<{' '.join(parts)}/>")  # noqa: S308 - built from escaped parts
    return mark_safe(f"<{' '.join(parts)}>{inner}</{tag}>")  # noqa: S308 - escaped parts


def _zh() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def short_date(date: dt.date) -> str:
    """3月22日 in Chinese, 22 Mar in English."""
    return f"{date.month}月{date.day}日" if _zh() else date_format(date, "j M")


def week_dates(start: dt.date, end: dt.date) -> str:
    return f"{short_date(start)}–{short_date(end)}"


def day_name(name_zh: str, name_en: str) -> str:
    return name_zh if _zh() else name_en


@dataclass(frozen=True)
class Coverage:
    covered: int  # open weeks holding at least one Learning Week
    open: int
    empty: list[int]  # open weeks with none


def coverage(rows: Iterable[WeekRow]) -> Coverage:
    open_rows = [r for r in rows if r.week.is_open]
    empty = [r.week.number for r in open_rows if r.empty]
    return Coverage(covered=len(open_rows) - len(empty), open=len(open_rows), empty=empty)


def _hatch(pattern_id: str, background: str, stroke: str, gap: int) -> SafeString:
    return _el(
        "pattern",
        {
            "id": pattern_id,
            "patternUnits": "userSpaceOnUse",
            "width": gap,
            "height": gap,
            "patternTransform": "rotate(45)",
        },
        _el("rect", {"width": gap, "height": gap, "fill": background}),
        _el("line", {"x1": 0, "y1": 0, "x2": 0, "y2": gap, "stroke": stroke, "stroke-width": 2}),
    )


def _label_width(regions: Sequence[Region]) -> int:
    longest = max((len(r.name) for r in regions), default=4)
    per_char = FONT + 1 if _zh() else FONT * 0.56
    return int(longest * per_char) + 16


def _month_header(rows: Sequence[WeekRow], x0: int, bottom: int) -> list[SafeString]:
    """Weeks belong to the month of their Thursday (the ISO rule); a line starts each month."""
    parts: list[SafeString] = []
    previous = None
    for i, row in enumerate(rows):
        month = (row.week.starts_on + dt.timedelta(days=3)).month
        if month == previous:
            continue
        previous = month
        x = x0 + i * WEEK_W
        label = f"{month}月" if _zh() else date_format(dt.date(2000, month, 1), "M")
        parts.append(_el("text", {"x": x + 3, "y": MONTH_Y, "font-weight": 700}, label))
        parts.append(_el("line", {"x1": x, "y1": 2, "x2": x, "y2": bottom, "stroke": LINE}))
    return parts


def _week_columns(rows: Sequence[WeekRow], x0: int, bottom: int) -> list[SafeString]:
    parts: list[SafeString] = []
    for i, row in enumerate(rows):
        week, x = row.week, x0 + i * WEEK_W
        dates = week_dates(week.starts_on, week.ends_on)
        parts.append(
            _el(
                "text",
                {
                    "x": x + WEEK_W / 2,
                    "y": WEEK_Y,
                    "text-anchor": "middle",
                    "font-size": SMALL_FONT,
                },
                str(week.number),
            )
        )
        if not week.is_open:
            reason = week.block_reason or _("closed")
            title = _("Week %(week)s (%(dates)s): closed, %(reason)s") % {
                "week": week.number,
                "dates": dates,
                "reason": reason,
            }
            attrs = {"x": x, "y": STRIP_Y, "width": WEEK_W, "height": bottom - STRIP_Y}
            parts.append(
                _el("rect", {**attrs, "fill": f"url(#{HATCH_CLOSED})"}, _el("title", {}, title))
            )
            continue
        for day in row.holidays:
            day_x = x + day.date.weekday() * DAY_W
            title = f"{short_date(day.date)} {day_name(day.name_zh, day.name_en)}"
            parts.append(
                _el(
                    "rect",
                    {
                        "x": day_x,
                        "y": STRIP_Y,
                        "width": DAY_W,
                        "height": bottom - STRIP_Y,
                        "fill": f"url(#{HATCH_HOLIDAY})",
                    },
                    _el("title", {}, title),
                )
            )
        strip: dict[str, object] = {
            "x": x + 2,
            "y": STRIP_Y + 2,
            "width": WEEK_W - 4,
            "height": STRIP_H - 4,
        }
        if row.empty:
            title = _("Week %(week)s (%(dates)s): no Learning Week yet") % {
                "week": week.number,
                "dates": dates,
            }
            strip |= {
                "fill": "#fff",
                "stroke": DANGER,
                "stroke-width": 2,
                "stroke-dasharray": "3 2",
            }
        else:
            title = _("Week %(week)s (%(dates)s): %(count)s Learning Week(s)") % {
                "week": week.number,
                "dates": dates,
                "count": len(row.placements),
            }
            strip |= {"fill": OK}
        parts.append(_el("rect", {**strip, "class": "yc-strip"}, _el("title", {}, title)))
    return parts


def year_svg(
    rows: Sequence[WeekRow], regions: Sequence[Region], *, year: int, published: bool
) -> SafeString:
    """The whole year: a coverage strip, then one row per region and one column per week."""
    label_w = _label_width(regions)
    x0 = label_w
    width = x0 + len(rows) * WEEK_W + 8
    bottom = GRID_Y + len(regions) * ROW_H
    height = bottom + 8
    row_of = {r.code: i for i, r in enumerate(regions)}
    cov = coverage(rows)

    parts: list[SafeString] = [
        _el("title", {"id": "yearcal-title"}, _("Learning Weeks of %(year)s") % {"year": year}),
        _el("desc", {"id": "yearcal-desc"}, _svg_description(cov, len(regions), published)),
        _el(
            "defs",
            {},
            _hatch(HATCH_CLOSED, "#e6e6e6", LINE, 6),
            _hatch(HATCH_HOLIDAY, "#fff8e1", "#8a5a00", 4),
        ),
    ]
    for i in range(len(regions)):
        if i % 2 == 0:
            y = GRID_Y + i * ROW_H
            parts.append(
                _el("rect", {"x": 0, "y": y, "width": width, "height": ROW_H, "fill": PAPER_ALT})
            )
    parts.extend(_month_header(rows, x0, bottom))
    parts.extend(_week_columns(rows, x0, bottom))
    parts.append(
        _el(
            "text",
            {
                "x": label_w - 8,
                "y": STRIP_Y + STRIP_H - 6,
                "text-anchor": "end",
                "font-weight": 700,
            },
            _("Coverage"),
        )
    )
    for i, region in enumerate(regions):
        y = GRID_Y + i * ROW_H + ROW_H - 7
        parts.append(_el("text", {"x": label_w - 8, "y": y, "text-anchor": "end"}, region.name))
    for col, row in enumerate(rows):
        for placement in row.placements:
            parts.append(
                _cell(
                    row,
                    placement.region,
                    placement.theme,
                    x0 + col * WEEK_W,
                    GRID_Y + row_of[placement.region.code] * ROW_H,
                )
            )
    return _el(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "class": "yearcal-svg",
            "width": width,
            "height": height,
            "viewBox": f"0 0 {width} {height}",
            "role": "img",
            "aria-labelledby": "yearcal-title yearcal-desc",
            "font-size": FONT,
            "fill": INK,
        },
        *parts,
    )


def _cell(row: WeekRow, region: Region, theme: str, x: int, y: int) -> SafeString:
    title = _("%(region)s · week %(week)s (%(dates)s)") % {
        "region": region.name,
        "week": row.week.number,
        "dates": week_dates(row.week.starts_on, row.week.ends_on),
    }
    if theme:
        title = f"{title} · {theme}"
    return _el(
        "rect",
        {
            "class": "yc-cell",
            "data-region": region.code,
            "x": x + 1,
            "y": y + 2,
            "width": WEEK_W - 2,
            "height": ROW_H - 4,
            "rx": 2,
            "fill": BRAND,
        },
        _el("title", {}, title),
    )


def _svg_description(cov: Coverage, regions: int, published: bool) -> str:
    if not published:
        return _(
            "The allocation is not published yet. Hatched columns are closed weeks and "
            "holidays. The table below lists every week."
        )
    return _(
        "%(regions)s regions, one row each; a filled cell is the region's Learning Week. "
        "%(covered)s of %(open)s open weeks have a Learning Week. Hatched columns are closed "
        "weeks and holidays. The table below lists the same data."
    ) % {"regions": regions, "covered": cov.covered, "open": cov.open}


def histogram_svg(bars: Sequence[tuple[str, int]], *, title: str) -> SafeString:
    """A bar chart of how many regions got which rank; the numbers are printed on the bars."""
    bar_w, gap, chart_h, top, label_h = 64, 16, 160, 28, 44
    highest = max((count for _label, count in bars), default=0) or 1
    width = gap + len(bars) * (bar_w + gap)
    height = top + chart_h + label_h
    parts: list[SafeString] = [
        _el("title", {"id": "histogram-title"}, title),
        _el(
            "desc",
            {"id": "histogram-desc"},
            "; ".join(f"{label}: {count}" for label, count in bars),
        ),
        _el(
            "line",
            {
                "x1": 0,
                "y1": top + chart_h,
                "x2": width,
                "y2": top + chart_h,
                "stroke": INK,
                "stroke-width": 2,
            },
        ),
    ]
    for i, (label, count) in enumerate(bars):
        x = gap + i * (bar_w + gap)
        h = round(chart_h * count / highest)
        y = top + chart_h - h
        parts.append(_el("rect", {"x": x, "y": y, "width": bar_w, "height": h, "fill": BRAND}))
        parts.append(
            _el(
                "text",
                {"x": x + bar_w / 2, "y": y - 6, "text-anchor": "middle", "font-weight": 700},
                str(count),
            )
        )
        parts.append(
            _el(
                "text",
                {"x": x + bar_w / 2, "y": top + chart_h + 24, "text-anchor": "middle"},
                label,
            )
        )
    return _el(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "class": "histogram-svg",
            "width": width,
            "height": height,
            "viewBox": f"0 0 {width} {height}",
            "role": "img",
            "aria-labelledby": "histogram-title histogram-desc",
            "font-size": FONT,
            "fill": INK,
        },
        *parts,
    )
