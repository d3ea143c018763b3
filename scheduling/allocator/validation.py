"""Input checks of the allocator: every contradiction in a problem, as human messages."""

from __future__ import annotations

from collections import Counter

from scheduling.allocator import messages as msg
from scheduling.allocator.model import (
    MAX_RANKS,
    UNRANKED_COST,
    AllocationProblem,
    InvalidProblem,
    RegionRequest,
)


def validate(problem: AllocationProblem) -> None:
    """Raise InvalidProblem listing every fault of `problem`; return quietly if there is none."""
    errors: list[str] = []
    year = frozenset(problem.weeks)
    year_text = msg.describe_year(year)

    counts = Counter(request.region for request in problem.requests)
    for region, count in sorted(counts.items()):
        if count > 1:
            errors.append(msg.MSG_DUPLICATE_REGION.format(region=region, count=count))

    for week, capacity in sorted(problem.capacity.items()):
        if capacity < 0:
            errors.append(msg.MSG_NEGATIVE_CAPACITY.format(week=week, capacity=capacity))

    # Sorting keeps the messages in one order however the requests were listed.
    for request in sorted(problem.requests, key=_request_key):
        errors.extend(_request_errors(request, year, year_text, problem.blocked))

    for region, week in sorted(problem.pins.items()):
        if region not in counts:
            errors.append(msg.MSG_PIN_UNKNOWN_REGION.format(region=region, week=week))
        if week not in year:
            errors.append(
                msg.MSG_PINNED_OUTSIDE_YEAR.format(region=region, week=week, year=year_text)
            )

    if errors:
        # Duplicate requests would otherwise repeat identical messages.
        raise InvalidProblem(list(dict.fromkeys(errors)))


def _request_key(request: RegionRequest) -> tuple[str, tuple[int, ...], tuple[int, ...], int]:
    previous = -1 if request.previous_cost is None else request.previous_cost
    return request.region, request.ranked, tuple(sorted(request.avoid)), previous


def _request_errors(
    request: RegionRequest, year: frozenset[int], year_text: str, blocked: frozenset[int]
) -> list[str]:
    region = request.region
    errors: list[str] = []
    if len(request.ranked) > MAX_RANKS:
        errors.append(
            msg.MSG_TOO_MANY_RANKS.format(
                region=region, count=len(request.ranked), max_ranks=MAX_RANKS
            )
        )
    repeated = Counter(request.ranked)
    for week in dict.fromkeys(request.ranked):
        if repeated[week] > 1:
            errors.append(msg.MSG_DUPLICATE_RANK.format(region=region, week=week))
        if week not in year:
            errors.append(
                msg.MSG_RANKED_OUTSIDE_YEAR.format(region=region, week=week, year=year_text)
            )
        elif week in blocked:
            errors.append(msg.MSG_RANKS_BLOCKED_WEEK.format(region=region, week=week))
        if week in request.avoid:
            errors.append(msg.MSG_RANKED_AND_AVOIDED.format(region=region, week=week))
    for week in sorted(request.avoid - year):
        errors.append(msg.MSG_AVOIDED_OUTSIDE_YEAR.format(region=region, week=week, year=year_text))
    cost = request.previous_cost
    if cost is not None and not 1 <= cost <= UNRANKED_COST:
        errors.append(
            msg.MSG_PREVIOUS_COST_INVALID.format(region=region, cost=cost, max_cost=UNRANKED_COST)
        )
    return errors
