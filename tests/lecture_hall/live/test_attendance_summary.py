"""The attendance summary's arithmetic, without a database: clipping to the session, merging a
viewer's spans, peak, viewer-minutes, the 85 % rule and the per-minute curve."""

import datetime as dt

import pytest

from lecture_hall.live.attendance import summarize

SH = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2027, 3, 10, 19, 0, tzinfo=SH)
END = START + dt.timedelta(minutes=60)


def at(minutes: float) -> dt.datetime:
    return START + dt.timedelta(minutes=minutes)


def test_an_empty_room() -> None:
    summary = summarize([], start=START, end=END)
    assert (summary.distinct_viewers, summary.peak_viewers, summary.viewer_seconds) == (0, 0, 0)
    assert summary.peak_at is None
    assert summary.curve == [(m, 0) for m in range(60)]


def test_viewers_peak_minutes_and_stayers() -> None:
    spans = [
        ("a", at(-10), at(70)),  # from the lobby to after the end: clipped to 60 minutes
        ("b", at(0), at(51)),  # 51 of 60 minutes is exactly 85 %: stayed
        ("c", at(10), at(20)),
        ("d", at(15), at(16)),
        ("e", at(-20), at(-5)),  # only in the lobby: not a viewer of the talk
    ]
    summary = summarize(spans, start=START, end=END)
    assert summary.distinct_viewers == 4
    assert summary.peak_viewers == 4
    assert summary.peak_at == at(15)
    assert summary.viewer_minutes == pytest.approx(60 + 51 + 10 + 1)
    assert summary.stayed_viewers == 2
    curve = dict(summary.curve)
    minutes = (0, 9, 10, 15, 16, 20, 51, 59)
    assert [curve[m] for m in minutes] == [2, 2, 3, 4, 3, 2, 1, 1]


def test_a_viewers_overlapping_spans_count_once() -> None:
    spans = [("a", at(0), at(30)), ("a", at(20), at(40)), ("a", at(50), at(55))]
    summary = summarize(spans, start=START, end=END)
    assert summary.distinct_viewers == 1
    assert summary.peak_viewers == 1
    assert summary.viewer_minutes == pytest.approx(45)
    assert summary.stayed_viewers == 0  # 45 of 60 minutes


def test_one_leaving_as_another_joins_is_never_two_at_once() -> None:
    summary = summarize([("a", at(0), at(10)), ("b", at(10), at(20))], start=START, end=END)
    assert summary.peak_viewers == 1


def test_a_minute_holds_its_most_viewers_even_if_brief() -> None:
    spans = [("a", at(5.2), at(5.4)), ("b", at(5.3), at(5.5))]
    curve = dict(summarize(spans, start=START, end=END).curve)
    assert (curve[4], curve[5], curve[6]) == (0, 2, 0)


def test_a_session_ended_early_counts_85_percent_of_what_ran() -> None:
    early_end = at(40)
    summary = summarize([("a", at(0), at(35)), ("b", at(0), at(30))], start=START, end=early_end)
    assert summary.stayed_viewers == 1  # 35/40 = 87.5 %, 30/40 = 75 %
    assert len(summary.curve) == 40


def test_a_window_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        summarize([], start=END, end=START)
