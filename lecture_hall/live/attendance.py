"""The attendance summary of one session from its spans: pure arithmetic, no Django.

Every span is clipped to the session's window (start to its actual end); a viewer's spans are
merged (they never overlap in practice, but a rejoin after a ghost sweep could), so each figure
is about distinct people, not connections:
- distinct viewers: viewers with any time inside the window (the person-times of this
  activity reported to the statistics table);
- peak: the most viewers present at one moment, and when that was first reached;
- viewer-minutes: the sum of every viewer's time inside the window;
- stayed: viewers whose time inside the window is at least `stay_share` (85 %) of the window;
- curve: the most viewers present during each minute of the window.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

STAY_SHARE = 0.85
BUCKET_SECONDS = 60


@dataclass(frozen=True)
class Summary:
    window_start: dt.datetime
    window_end: dt.datetime
    distinct_viewers: int
    peak_viewers: int
    peak_at: dt.datetime | None
    viewer_seconds: float
    stayed_viewers: int
    curve: list[tuple[int, int]]  # (minute from the start, most viewers during that minute)

    @property
    def viewer_minutes(self) -> float:
        return self.viewer_seconds / 60


def _merge(
    intervals: list[tuple[dt.datetime, dt.datetime]],
) -> list[tuple[dt.datetime, dt.datetime]]:
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def summarize(
    spans: Iterable[tuple[str, dt.datetime, dt.datetime]],
    *,
    start: dt.datetime,
    end: dt.datetime,
    stay_share: float = STAY_SHARE,
) -> Summary:
    """Summarize (viewer, joined, left) spans over the window [start, end)."""
    if end < start:
        raise ValueError(f"the window ends ({end}) before it starts ({start})")
    window = (end - start).total_seconds()
    by_viewer: dict[str, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for viewer, joined, left in spans:
        clipped = (max(joined, start), min(left, end))
        if clipped[0] < clipped[1]:
            by_viewer[viewer].append(clipped)

    events: list[tuple[dt.datetime, int]] = []
    viewer_seconds = 0.0
    stayed = 0
    for intervals in by_viewer.values():
        merged = _merge(intervals)
        seconds = sum((b - a).total_seconds() for a, b in merged)
        viewer_seconds += seconds
        if window > 0 and seconds >= stay_share * window - 1e-6:
            stayed += 1
        for a, b in merged:
            events.append((a, 1))
            events.append((b, -1))
    # At the same instant leaves come first: [a, b) and [b, c) are never two at once.
    events.sort(key=lambda event: (event[0], event[1]))

    buckets = max(1, math.ceil(window / BUCKET_SECONDS)) if window > 0 else 0
    curve = [0] * buckets
    level = peak = 0
    peak_at: dt.datetime | None = None
    for moment, delta in events:
        level += delta
        if level > peak:
            peak, peak_at = level, moment
        if delta > 0:
            index = min(buckets - 1, int((moment - start).total_seconds() // BUCKET_SECONDS))
            curve[index] = max(curve[index], level)
    # A bucket nobody joined in still holds whoever was there when it began.
    level = 0
    position = 0
    for index in range(buckets):
        bucket_start = start + dt.timedelta(seconds=index * BUCKET_SECONDS)
        while position < len(events) and events[position][0] <= bucket_start:
            level += events[position][1]
            position += 1
        curve[index] = max(curve[index], level)
    return Summary(
        window_start=start,
        window_end=end,
        distinct_viewers=len(by_viewer),
        peak_viewers=peak,
        peak_at=peak_at,
        viewer_seconds=viewer_seconds,
        stayed_viewers=stayed,
        curve=list(enumerate(curve)),
    )
