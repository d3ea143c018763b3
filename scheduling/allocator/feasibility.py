"""Matrix view of an allocation problem, maximum matchings on it, and why no allocation fits."""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_array
from scipy.sparse.csgraph import maximum_flow

from scheduling.allocator import messages as msg
from scheduling.allocator.model import (
    DEFAULT_CAPACITY,
    NO_HISTORY_COST,
    UNRANKED_COST,
    AllocationImpossible,
    AllocationProblem,
    PlacementProblem,
    RegionRequest,
)

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Instance:
    """A validated problem as arrays; rows are optimised regions by code, columns weeks in order."""

    weeks: tuple[int, ...]
    regions: tuple[str, ...]
    pins: dict[str, int]
    capacity: IntArray  # per week, 0 when blocked
    blocked: BoolArray  # per week
    free: IntArray  # per week, capacity left after the pins
    cost: IntArray  # region x week: rank 1..5, or UNRANKED_COST
    allowed: BoolArray  # region x week: not avoided and with free capacity
    previous: IntArray  # per region: last year's cost, NO_HISTORY_COST when unknown


def build_instance(problem: AllocationProblem) -> Instance:
    """Arrays of a validated problem; raise AllocationImpossible if the pins break a hard rule."""
    weeks = tuple(sorted(set(problem.weeks)))
    index = {week: column for column, week in enumerate(weeks)}
    blocked = np.array([week in problem.blocked for week in weeks], dtype=np.bool_)
    capacity = np.array(
        [
            0 if week in problem.blocked else problem.capacity.get(week, DEFAULT_CAPACITY)
            for week in weeks
        ],
        dtype=np.int64,
    )
    requests = {request.region: request for request in problem.requests}
    problems = _pin_problems(problem, requests, capacity, index)
    if problems:
        raise AllocationImpossible(problems)

    free = capacity.copy()
    for week in problem.pins.values():
        free[index[week]] -= 1
    regions = tuple(sorted(code for code in requests if code not in problem.pins))
    cost = np.full((len(regions), len(weeks)), UNRANKED_COST, dtype=np.int64)
    avoided = np.zeros((len(regions), len(weeks)), dtype=np.bool_)
    previous = np.full(len(regions), NO_HISTORY_COST, dtype=np.int64)
    for row, code in enumerate(regions):
        request = requests[code]
        for rank, week in enumerate(request.ranked, start=1):
            cost[row, index[week]] = rank
        avoided[row, [index[week] for week in request.avoid]] = True
        if request.previous_cost is not None:
            previous[row] = request.previous_cost
    return Instance(
        weeks=weeks,
        regions=regions,
        pins=dict(sorted(problem.pins.items())),
        capacity=capacity,
        blocked=blocked,
        free=free,
        cost=cost,
        allowed=~avoided & (free > 0)[np.newaxis, :],
        previous=previous,
    )


def _pin_problems(
    problem: AllocationProblem,
    requests: dict[str, RegionRequest],
    capacity: IntArray,
    index: dict[int, int],
) -> list[PlacementProblem]:
    problems: list[PlacementProblem] = []
    by_week: defaultdict[int, list[str]] = defaultdict(list)
    for region, week in sorted(problem.pins.items()):
        by_week[week].append(region)
        if week in problem.blocked:
            text = msg.MSG_PIN_BLOCKED_WEEK.format(region=region, week=week)
            problems.append(_single(region, week, msg.REASON_PIN_CLOSED_WEEK, text))
        elif capacity[index[week]] == 0:
            text = msg.MSG_PIN_CLOSED_WEEK.format(region=region, week=week)
            problems.append(_single(region, week, msg.REASON_PIN_CLOSED_WEEK, text))
        if week in requests[region].avoid:
            text = msg.MSG_PIN_AVOIDED_WEEK.format(region=region, week=week)
            problems.append(_single(region, week, msg.REASON_PIN_AVOIDED_WEEK, text))
    for week, pinned in sorted(by_week.items()):
        places = int(capacity[index[week]])
        # A closed week already has a message per pinned region above.
        if 0 < places < len(pinned):
            text = msg.MSG_PINS_OVER_CAPACITY.format(
                regions=msg.join_words(pinned), week=week, capacity=_regions_text(places)
            )
            problems.append(
                PlacementProblem(
                    pinned[0], msg.REASON_PINS_OVER_CAPACITY, text, tuple(pinned), (week,)
                )
            )
    return problems


def _single(region: str, week: int, reason: str, text: str) -> PlacementProblem:
    return PlacementProblem(region, reason, text, (region,), (week,))


def _regions_text(count: int) -> str:
    return f"{count} region" if count == 1 else f"{count} regions"


def basic_problems(instance: Instance) -> list[PlacementProblem]:
    """Regions left without any week, and a year too small for all regions."""
    problems: list[PlacementProblem] = []
    for row in np.flatnonzero(~instance.allowed.any(axis=1)):
        region = instance.regions[row]
        text = msg.MSG_NO_ALLOWED_WEEK.format(
            region=region, details=_no_week_details(instance, int(row))
        )
        problems.append(PlacementProblem(region, msg.REASON_NO_ALLOWED_WEEK, text, (region,)))
    count = len(instance.regions)
    places = int(instance.free.sum())
    if places < count:
        text = msg.MSG_CAPACITY_SHORT.format(count=count, places=places, short=count - places)
        problems.append(PlacementProblem("", msg.REASON_CAPACITY_SHORT, text))
    return problems


def _no_week_details(instance: Instance, row: int) -> str:
    if not instance.weeks:
        return "the year has no weeks"
    closed = ~instance.blocked & (instance.capacity == 0)
    full = (instance.capacity > 0) & (instance.free == 0)
    others = ~instance.blocked & ~closed & ~full
    parts = [
        f"{count} {'is' if count == 1 else 'are'} {state}"
        for count, state in (
            (int(instance.blocked.sum()), "blocked"),
            (int(closed.sum()), "closed (capacity 0)"),
            (int(full.sum()), "already full with pinned regions"),
        )
        if count
    ]
    if others.any():
        parts.append(f"it avoids {'the other' if parts else 'all'} {int(others.sum())}")
    return f"of the {len(instance.weeks)} weeks, " + msg.join_words(parts)


def max_matching(edges: BoolArray, free: IntArray) -> NDArray[np.intp]:
    """Week column per region (-1 if unplaced) of a maximum placement respecting `free`."""
    regions, weeks = edges.shape
    placed = np.full(regions, -1, dtype=np.intp)
    rows, columns = np.nonzero(edges)
    if rows.size == 0:
        return placed
    # Capacities make this a flow, not a plain matching: source -> region (1) -> week (1)
    # -> sink (free places), which avoids repeating a week once per place.
    sink = regions + weeks + 1
    open_weeks = np.flatnonzero(free > 0)
    tail = np.concatenate([np.zeros(regions, np.intp), 1 + rows, 1 + regions + open_weeks])
    head = np.concatenate(
        [1 + np.arange(regions), 1 + regions + columns, np.full_like(open_weeks, sink)]
    )
    places = np.concatenate(
        [np.ones(regions + rows.size, np.int32), free[open_weeks].astype(np.int32)]
    )
    graph = csr_array((places, (tail, head)), shape=(sink + 1, sink + 1))
    flow = maximum_flow(graph, 0, sink).flow[1 : regions + 1, regions + 1 : sink].tocoo()
    used = flow.data > 0
    placed[flow.row[used]] = flow.col[used]
    return placed


def contested_problems(instance: Instance, placed: NDArray[np.intp]) -> list[PlacementProblem]:
    """Name groups of regions that need more places than their usable weeks hold.

    From the regions a maximum matching leaves out, alternate along usable and matched edges:
    the regions reached can use only the weeks reached, whose places all go to reached regions,
    so each connected part of them is a Hall violator short by its count of unplaced regions.
    """
    regions, weeks = instance.allowed.shape
    holders: list[list[int]] = [[] for _ in range(weeks)]
    for row, column in enumerate(placed):
        if column >= 0:
            holders[column].append(row)
    reached = placed < 0
    reached_weeks = np.zeros(weeks, dtype=np.bool_)
    queue = deque(int(row) for row in np.flatnonzero(reached))
    while queue:
        row = queue.popleft()
        for column in np.flatnonzero(instance.allowed[row] & ~reached_weeks):
            reached_weeks[column] = True
            for holder in holders[column]:
                if not reached[holder]:
                    reached[holder] = True
                    queue.append(holder)

    problems: list[PlacementProblem] = []
    grouped = np.zeros(regions, dtype=np.bool_)
    for start in np.flatnonzero(reached):
        if grouped[start]:
            continue
        grouped[start] = True
        members, stack = [int(start)], [int(start)]
        group_weeks = np.zeros(weeks, dtype=np.bool_)
        while stack:
            new_weeks = instance.allowed[stack.pop()] & reached_weeks & ~group_weeks
            group_weeks |= new_weeks
            for column in np.flatnonzero(new_weeks):
                joined = np.flatnonzero(instance.allowed[:, column] & reached & ~grouped)
                grouped[joined] = True
                members.extend(int(row) for row in joined)
                stack.extend(int(row) for row in joined)
        codes = tuple(sorted(instance.regions[row] for row in members))
        week_numbers = tuple(instance.weeks[column] for column in np.flatnonzero(group_weeks))
        places = int(instance.free[group_weeks].sum())
        text = msg.MSG_CONTESTED_WEEKS.format(
            regions=msg.join_words(codes),
            weeks=msg.describe_weeks(week_numbers),
            places=places,
            short=len(codes) - places,
            count=len(codes),
        )
        problems.append(
            PlacementProblem(codes[0], msg.REASON_CONTESTED_WEEKS, text, codes, week_numbers)
        )
    return problems
