"""Template helpers of the events pages: times in the campaign's zone (Asia/Shanghai) in the
active language, and the coverage heatmap drawn on the server as inline SVG (no script, nothing
fetched; every text in it is escaped here)."""

import datetime as dt
from collections.abc import Mapping, Sequence

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from events.models import ActivityType, Event
from events.selectors import CoverageWeek

register = template.Library()


def _zh() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment, timezone.get_default_timezone())


@register.filter
def local_datetime(moment: dt.datetime | None) -> str:
    """2027年3月1日 09:00 / March 1, 2027 09:00, in Beijing time."""
    if moment is None:
        return ""
    local = _local(moment)
    return f"{date_format(local, 'DATE_FORMAT')} {local:%H:%M}"


@register.filter
def iso_local(moment: dt.datetime | dt.date | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, dt.datetime):
        return _local(moment).isoformat(timespec="minutes")
    return moment.isoformat()


@register.filter
def when(event: Event) -> str:
    """The event's time span: one date when it starts and ends on the same day."""
    start, end = _local(event.starts_at), _local(event.ends_at)
    if start.date() == end.date():
        return f"{date_format(start, 'DATE_FORMAT')} {start:%H:%M}–{end:%H:%M}"
    return f"{local_datetime(event.starts_at)} – {local_datetime(event.ends_at)}"


@register.filter
def names(items: Sequence[object]) -> str:
    """北京、上海 in Chinese, Beijing, Shanghai in English (regions by their name)."""
    return ("、" if _zh() else ", ").join(str(getattr(i, "name", i)) for i in items)


@register.filter
def start_time(event: Event) -> str:
    return f"{_local(event.starts_at):%H:%M}"


@register.filter
def month_label(month: dt.date) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")


@register.filter
def day_label(day: dt.date) -> str:
    """3月1日 周一 in Chinese, Mon 1 Mar in English."""
    weekday = date_format(day, "D")
    if _zh():
        return f"{day.month}月{day.day}日 {weekday}"
    return f"{weekday} {day.day} {date_format(day, 'M')}"


@register.filter
def week_span(week: object) -> str:
    starts_on: dt.date = getattr(week, "starts_on")  # noqa: B009 - Week, typed loosely here
    ends_on: dt.date = getattr(week, "ends_on")  # noqa: B009
    return f"{_short(starts_on)}–{_short(ends_on)}"


def _short(day: dt.date) -> str:
    return f"{day.month}月{day.day}日" if _zh() else date_format(day, "j M")


# --- The coverage heatmap --------------------------------------------------------------------

CELL_W = 26
ROW_H = 30
FONT = 14
SMALL = 12
MONTH_Y = 18
WEEK_Y = 42
GRID_Y = 52
MARK_H = 26

# Colours of site.css (--brand, --brand-dark, --ok, --danger, --line, --ink).
INK = "#1a1a1a"
LINE = "#767676"
DANGER = "#a4161a"
OK = "#1d5e20"
HATCH = "cov-hatch-empty"
# Events in a week -> (fill, text colour); each text colour is at least 4.5:1 on its fill.
SHADES = ((1, "#f6dede", INK), (2, "#e7a9a9", INK), (5, "#b33a3a", "#fff"), (10, "#6e1010", "#fff"))


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


def _shade(count: int) -> tuple[str, str]:
    fill, colour = "#fff", INK
    for threshold, shade, text in SHADES:
        if count >= threshold:
            fill, colour = shade, text
    return fill, colour


def _row_labels() -> list[str]:
    return [_("Learning Week (regions)"), *(str(label) for label in ActivityType.labels)]


def _label_width(labels: Sequence[str]) -> int:
    per_char = FONT + 1 if _zh() else FONT * 0.55
    return int(max(len(label) for label in labels) * per_char) + 20


def _count_text(count: int) -> str:
    return str(count) if count < 1000 else "999+"


def _cell(x: int, y: int, count: int, title: str, *, learning_week: bool) -> SafeString:
    if learning_week:
        fill, colour = (OK, "#fff") if count else ("#fff", INK)
    else:
        fill, colour = _shade(count)
    rect = {"x": x + 1, "y": y + 1, "width": CELL_W - 2, "height": ROW_H - 2, "fill": fill}
    if not count:
        rect |= {"stroke": "#c8c8c8", "stroke-width": 1}
    children: list[str] = [_el("title", {}, title)]
    cell = [_el("rect", rect, *children)]
    if count:
        cell.append(
            _el(
                "text",
                {
                    "x": x + CELL_W / 2,
                    "y": y + ROW_H / 2 + 4,
                    "text-anchor": "middle",
                    "font-size": SMALL,
                    "fill": colour,
                    "aria-hidden": "true",
                },
                _count_text(count),
            )
        )
    return mark_safe("".join(cell))  # noqa: S308 - made of escaped elements


def _month_header(weeks: Sequence[CoverageWeek], x0: int, bottom: int) -> list[SafeString]:
    """Weeks belong to the month of their Thursday (the ISO rule); a line starts each month."""
    parts: list[SafeString] = []
    previous = None
    for i, row in enumerate(weeks):
        month = (row.week.starts_on + dt.timedelta(days=3)).month
        if month == previous:
            continue
        previous = month
        x = x0 + i * CELL_W
        label = f"{month}月" if _zh() else date_format(dt.date(2000, month, 1), "M")
        parts.append(_el("text", {"x": x + 3, "y": MONTH_Y, "font-weight": 700}, label))
        parts.append(_el("line", {"x1": x, "y1": 4, "x2": x, "y2": bottom, "stroke": LINE}))
    return parts


def coverage_svg_markup(weeks: Sequence[CoverageWeek], year: int) -> SafeString:
    """Weeks across, the Learning Week and the five activity types down; a number is how many
    events (regions, in the Learning Week row); a week with nothing at all is hatched and
    marked × underneath."""
    labels = _row_labels()
    x0 = _label_width(labels)
    rows_bottom = GRID_Y + len(labels) * ROW_H
    bottom = rows_bottom + MARK_H + 6
    width = x0 + len(weeks) * CELL_W + 10
    height = bottom + 6
    active = sum(1 for w in weeks if w.has_activity)
    empty = [w.week.number for w in weeks if not w.has_activity]
    description = _(
        "%(active)s of %(total)s weeks have an activity. One column per week; the first row "
        "counts the regions holding their Learning Week, the other rows count events of each "
        "activity type. Weeks with nothing at all are hatched and marked with a cross. The "
        "table below lists the same numbers."
    ) % {"active": active, "total": len(weeks)}
    if empty:
        description += " " + _("Weeks without any activity: %(weeks)s.") % {
            "weeks": ", ".join(str(n) for n in empty)
        }
    parts: list[SafeString] = [
        _el(
            "title",
            {"id": "coverage-title"},
            _("Activities week by week, %(year)s") % {"year": year},
        ),
        _el("desc", {"id": "coverage-desc"}, description),
        _el(
            "defs",
            {},
            _el(
                "pattern",
                {
                    "id": HATCH,
                    "patternUnits": "userSpaceOnUse",
                    "width": 6,
                    "height": 6,
                    "patternTransform": "rotate(45)",
                },
                _el("rect", {"width": 6, "height": 6, "fill": "#fdeeee"}),
                _el(
                    "line",
                    {"x1": 0, "y1": 0, "x2": 0, "y2": 6, "stroke": DANGER, "stroke-width": 1.5},
                ),
            ),
        ),
    ]
    parts.extend(_month_header(weeks, x0, rows_bottom))
    for i, label in enumerate(labels):
        y = GRID_Y + i * ROW_H + ROW_H / 2 + 5
        weight = 700 if i == 0 else None
        parts.append(
            _el("text", {"x": x0 - 8, "y": y, "text-anchor": "end", "font-weight": weight}, label)
        )
    parts.append(
        _el(
            "text",
            {"x": x0 - 8, "y": rows_bottom + MARK_H - 8, "text-anchor": "end", "fill": DANGER},
            _("No activity"),
        )
    )
    for col, row in enumerate(weeks):
        x = x0 + col * CELL_W
        number = row.week.number
        span = week_span(row.week)
        parts.append(
            _el(
                "text",
                {"x": x + CELL_W / 2, "y": WEEK_Y, "text-anchor": "middle", "font-size": SMALL},
                str(number),
            )
        )
        if not row.has_activity:
            title = _("Week %(week)s (%(dates)s): no activity at all") % {
                "week": number,
                "dates": span,
            }
            parts.append(
                _el(
                    "rect",
                    {
                        "x": x + 1,
                        "y": GRID_Y,
                        "width": CELL_W - 2,
                        "height": rows_bottom - GRID_Y,
                        "fill": f"url(#{HATCH})",
                        "stroke": DANGER,
                        "stroke-width": 2,
                        "stroke-dasharray": "4 2",
                        "class": "cov-empty",
                    },
                    _el("title", {}, title),
                )
            )
            parts.append(
                _el(
                    "text",
                    {
                        "x": x + CELL_W / 2,
                        "y": rows_bottom + MARK_H - 7,
                        "text-anchor": "middle",
                        "fill": DANGER,
                        "font-weight": 700,
                        "font-size": FONT + 2,
                    },
                    "×",
                )
            )
            continue
        regions = row.learning_week_regions
        lw_title = _("Week %(week)s (%(dates)s): Learning Week of %(regions)s") % {
            "week": number,
            "dates": span,
            "regions": names(regions) or "—",
        }
        parts.append(_cell(x, GRID_Y, len(regions), lw_title, learning_week=True))
        for i, (value, type_label) in enumerate(ActivityType.choices, start=1):
            count = row.counts.get(value, 0)
            title = ngettext(
                "Week %(week)s (%(dates)s) · %(type)s: %(count)s event",
                "Week %(week)s (%(dates)s) · %(type)s: %(count)s events",
                count,
            ) % {"week": number, "dates": span, "type": type_label, "count": count}
            parts.append(_cell(x, GRID_Y + i * ROW_H, count, title, learning_week=False))
    return _el(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "class": "coverage-svg",
            "width": width,
            "height": height,
            "viewBox": f"0 0 {width} {height}",
            "role": "img",
            "aria-labelledby": "coverage-title coverage-desc",
            "font-size": FONT,
            "fill": INK,
        },
        *parts,
    )


@register.simple_tag
def coverage_svg(weeks: Sequence[CoverageWeek], year: int) -> SafeString:
    return coverage_svg_markup(weeks, year)


@register.filter
def starts_on(event: Event, day: dt.date) -> bool:
    return _local(event.starts_at).date() == day


@register.filter
def web_link(url: str) -> str:
    """The link only when it is http(s): anything else is shown as text, never followed."""
    return url if url.lower().startswith(("http://", "https://")) else ""
