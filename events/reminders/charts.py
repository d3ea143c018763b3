"""The delivery page's bar chart, drawn on the server as SVG (no script, nothing fetched):
per hour, bars for due, sent and failed emails. Every text in it is escaped here."""

from collections.abc import Mapping, Sequence

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from events.reminders.selectors import HourRow

BAR_W = 6
GAP = 4
PLOT_H = 160
TOP = 24
LEFT = 56
BOTTOM = 40
# Colours of site.css: --line, --ok, --danger (each at least 3:1 on white).
SERIES = (("due", "#767676"), ("sent", "#1d5e20"), ("failed", "#a4161a"))


def _el(tag: str, attrs: Mapping[str, object], *children: str) -> SafeString:
    """One element: attribute values and plain-string children escaped, SafeStrings kept."""
    parts = [tag, *(f'{k}="{conditional_escape(str(v))}"' for k, v in attrs.items())]
    inner = "".join(str(conditional_escape(c)) for c in children)
    if not inner:
        return mark_safe(f"<{' '.join(parts)}/>")  # noqa: S308 - built from escaped parts
    return mark_safe(f"<{' '.join(parts)}>{inner}</{tag}>")  # noqa: S308 - escaped parts


def _nice_max(value: int) -> int:
    for step in (5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000):
        if value <= step:
            return step
    return ((value // 100_000) + 1) * 100_000


def deliveries_chart(rows: Sequence[HourRow]) -> SafeString:
    names = {"due": _("Due"), "sent": _("Sent"), "failed": _("Failed")}
    top = _nice_max(max((max(r.due, r.sent, r.failed) for r in rows), default=0))
    group = len(SERIES) * BAR_W + GAP
    width = LEFT + len(rows) * group + 10
    height = TOP + PLOT_H + BOTTOM
    parts: list[SafeString] = [_el("title", {"id": "deliveries-chart-title"}, _("Emails per hour"))]
    for fraction in (0, 0.5, 1):
        y = TOP + PLOT_H - fraction * PLOT_H
        parts.append(_el("line", {"x1": LEFT, "y1": y, "x2": width, "y2": y, "stroke": "#c8c8c8"}))
        label = str(int(top * fraction))
        parts.append(
            _el("text", {"x": LEFT - 6, "y": y + 4, "text-anchor": "end", "font-size": 12}, label)
        )
    for i, row in enumerate(rows):
        x0 = LEFT + i * group
        for j, (key, colour) in enumerate(SERIES):
            value = int(getattr(row, key))
            if not value:
                continue
            h = max(1.0, value / top * PLOT_H)
            title = f"{row.hour:%m-%d %H:00} {names[key]}: {value}"
            parts.append(
                _el(
                    "rect",
                    {
                        "x": x0 + j * BAR_W,
                        "y": TOP + PLOT_H - h,
                        "width": BAR_W - 1,
                        "height": h,
                        "fill": colour,
                    },
                    _el("title", {}, title),
                )
            )
        if row.hour.hour % 6 == 0:
            parts.append(
                _el(
                    "text",
                    {"x": x0, "y": TOP + PLOT_H + 16, "font-size": 12},
                    f"{row.hour:%H:00}" if row.hour.hour else f"{row.hour:%m-%d}",
                )
            )
    for k, (key, colour) in enumerate(SERIES):
        x = LEFT + k * 110
        parts.append(
            _el("rect", {"x": x, "y": height - 16, "width": 12, "height": 12, "fill": colour})
        )
        parts.append(_el("text", {"x": x + 18, "y": height - 6, "font-size": 13}, str(names[key])))
    return _el(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "class": "coverage-svg",
            "width": width,
            "height": height,
            "viewBox": f"0 0 {width} {height}",
            "role": "img",
            "aria-labelledby": "deliveries-chart-title",
        },
        *parts,
    )
