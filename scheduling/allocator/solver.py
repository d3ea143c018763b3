"""The allocation itself: least worst cost, then least total cost, then the stated tie-breaks."""

from __future__ import annotations

import time

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from scheduling.allocator.feasibility import (
    Instance,
    basic_problems,
    build_instance,
    contested_problems,
    max_matching,
)
from scheduling.allocator.model import (
    UNRANKED_COST,
    Allocation,
    AllocationImpossible,
    AllocationProblem,
)
from scheduling.allocator.validation import validate

# Largest integer float64 holds exactly; the encoded objective must stay below it.
EXACT_FLOAT_LIMIT = 2**53


def allocate(problem: AllocationProblem) -> Allocation:
    """Give every region one week, optimally; raise InvalidProblem or AllocationImpossible."""
    started = time.perf_counter()
    validate(problem)
    instance = build_instance(problem)
    problems = basic_problems(instance)
    if problems:
        raise AllocationImpossible(problems)
    worst = min_worst_cost(instance)
    columns = _assign(instance, worst)

    rows = np.arange(len(instance.regions))
    costs = instance.cost[rows, columns]
    placed = {
        code: instance.weeks[column] for code, column in zip(instance.regions, columns, strict=True)
    }
    placed.update(instance.pins)
    return Allocation(
        weeks=dict(sorted(placed.items())),
        costs={code: int(cost) for code, cost in zip(instance.regions, costs, strict=True)},
        worst_cost=int(costs.max(initial=0)),
        total_cost=int(costs.sum()),
        solve_seconds=time.perf_counter() - started,
    )


def min_worst_cost(instance: Instance) -> int:
    """Objective (a): the least threshold t such that every region fits in a week costing <= t."""
    if not instance.regions:
        return 0
    # No region can do better than its own cheapest usable week, so start there.
    cheapest = np.where(instance.allowed, instance.cost, UNRANKED_COST).min(axis=1)
    placed = np.empty(0, dtype=np.intp)
    for threshold in range(int(cheapest.max()), UNRANKED_COST + 1):
        placed = max_matching(instance.allowed & (instance.cost <= threshold), instance.free)
        if (placed >= 0).all():
            return threshold
    # Even with every usable week allowed some regions stay out: say which and why.
    raise AllocationImpossible(contested_problems(instance, placed))


def _assign(instance: Instance, worst: int) -> NDArray[np.intp]:
    """Objectives (b) and (c) within the worst-cost bound: week column per region."""
    count = len(instance.regions)
    if count == 0:
        return np.empty(0, dtype=np.intp)
    # Cell = cost * scale + cost * previous. Each region adds at most 6 * 6 to the second
    # term, so scale = 36 * count + 1 exceeds any difference in its sum and the total cost
    # strictly dominates. The second term, minimised, gives better ranks to regions whose
    # previous cost was higher. Anything still tied is settled by the layout (rows by region
    # code, columns by week) fed to scipy's deterministic solver, so listing order never matters.
    scale = UNRANKED_COST * UNRANKED_COST * count + 1
    largest_sum = count * (UNRANKED_COST * scale + UNRANKED_COST * UNRANKED_COST)
    if largest_sum >= EXACT_FLOAT_LIMIT:
        raise OverflowError(f"{count} regions are too many to encode exactly in float64.")
    usable = instance.allowed & (instance.cost <= worst)
    value = instance.cost * scale + instance.cost * instance.previous[:, np.newaxis]
    by_week = np.where(usable, value.astype(np.float64), np.inf)
    # Capacity = the week's column repeated once per free place (no region needs more than
    # `count` copies); forbidden cells are inf, which scipy never assigns.
    places = np.minimum(instance.free, count)
    rows, slots = linear_sum_assignment(np.repeat(by_week, places, axis=1))
    columns = np.empty(count, dtype=np.intp)
    columns[rows] = np.repeat(np.arange(len(instance.weeks)), places)[slots]
    return columns
