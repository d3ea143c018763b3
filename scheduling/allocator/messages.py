"""Human message templates of the allocator, shared with the forms that collect its input."""

from __future__ import annotations

from collections.abc import Iterable

# Input faults (InvalidProblem). Fields: region, week, year, count, max_ranks, capacity, cost.
MSG_RANKED_OUTSIDE_YEAR = "Region {region} ranks week {week}, which is not in the year ({year})."
MSG_AVOIDED_OUTSIDE_YEAR = "Region {region} avoids week {week}, which is not in the year ({year})."
MSG_PINNED_OUTSIDE_YEAR = (
    "Region {region} is pinned to week {week}, which is not in the year ({year})."
)
MSG_RANKED_AND_AVOIDED = "Region {region} both ranks and avoids week {week}."
MSG_DUPLICATE_RANK = "Region {region} ranks week {week} more than once."
MSG_TOO_MANY_RANKS = "Region {region} ranks {count} weeks; at most {max_ranks} are allowed."
MSG_RANKS_BLOCKED_WEEK = "Region {region} ranks week {week}, which is blocked."
MSG_NEGATIVE_CAPACITY = "Week {week} has capacity {capacity}; a capacity cannot be negative."
MSG_DUPLICATE_REGION = "Region {region} applies {count} times; a region may apply only once."
MSG_PIN_UNKNOWN_REGION = (
    "Region {region} is pinned to week {week}, but no request from region {region} exists."
)
MSG_PREVIOUS_COST_INVALID = (
    "Region {region} has last year's cost {cost}; it must be from 1 to {max_cost}, or empty."
)

# Reasons and messages of AllocationImpossible.
REASON_PIN_CLOSED_WEEK = "pin_closed_week"
REASON_PIN_AVOIDED_WEEK = "pin_avoided_week"
REASON_PINS_OVER_CAPACITY = "pins_over_capacity"
REASON_NO_ALLOWED_WEEK = "no_allowed_week"
REASON_CAPACITY_SHORT = "capacity_short"
REASON_CONTESTED_WEEKS = "contested_weeks"

MSG_PIN_BLOCKED_WEEK = "Region {region} is pinned to week {week}, which is blocked."
MSG_PIN_CLOSED_WEEK = "Region {region} is pinned to week {week}, which has capacity 0."
MSG_PIN_AVOIDED_WEEK = "Region {region} is pinned to week {week}, which it asked to avoid."
MSG_PINS_OVER_CAPACITY = (
    "Regions {regions} are all pinned to week {week}, which holds only {capacity}."
)
MSG_NO_ALLOWED_WEEK = "Region {region} cannot be placed: no week is left for it ({details})."
MSG_CAPACITY_SHORT = (
    "{count} regions need a week, but the open weeks have only {places} free places "
    "(after pinned regions); {short} cannot be placed."
)
MSG_CONTESTED_WEEKS = (
    "Regions {regions} can only use weeks {weeks}, which have {places} free places between "
    "them; {short} of these {count} regions cannot be placed."
)


def join_words(items: Iterable[object]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    words = [str(item) for item in items]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def describe_weeks(weeks: Iterable[int]) -> str:
    """Compress week numbers into ranges: [1, 2, 3, 7] -> '1–3 and 7'."""
    ordered = sorted(set(weeks))
    spans: list[str] = []
    start = 0
    for index in range(1, len(ordered) + 1):
        if index == len(ordered) or ordered[index] != ordered[index - 1] + 1:
            first, last = ordered[start], ordered[index - 1]
            spans.append(str(first) if first == last else f"{first}–{last}")
            start = index
    return join_words(spans)


def describe_year(weeks: Iterable[int]) -> str:
    """'weeks 1–53', as quoted by the out-of-year messages."""
    text = describe_weeks(weeks)
    return f"weeks {text}" if text else "no weeks"
