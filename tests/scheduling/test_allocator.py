"""Tests of the pure Learning Week allocator: hard rules, objectives, tie-breaks and messages."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Mapping

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.allocate import realistic_week_problem, solve_with_milp
from scheduling.allocator import (
    DEFAULT_CAPACITY,
    MSG_AVOIDED_OUTSIDE_YEAR,
    MSG_DUPLICATE_RANK,
    MSG_DUPLICATE_REGION,
    MSG_NEGATIVE_CAPACITY,
    MSG_PIN_UNKNOWN_REGION,
    MSG_PINNED_OUTSIDE_YEAR,
    MSG_PREVIOUS_COST_INVALID,
    MSG_RANKED_AND_AVOIDED,
    MSG_RANKS_BLOCKED_WEEK,
    MSG_TOO_MANY_RANKS,
    NO_HISTORY_COST,
    REASON_CAPACITY_SHORT,
    REASON_CONTESTED_WEEKS,
    REASON_NO_ALLOWED_WEEK,
    REASON_PIN_AVOIDED_WEEK,
    REASON_PIN_CLOSED_WEEK,
    REASON_PINS_OVER_CAPACITY,
    UNRANKED_COST,
    Allocation,
    AllocationImpossible,
    AllocationProblem,
    InvalidProblem,
    RegionRequest,
    allocate,
    describe_weeks,
)

YEAR = tuple(range(1, 54))


def make_problem(
    *requests: RegionRequest,
    weeks: tuple[int, ...] = YEAR,
    capacity: Mapping[int, int] | None = None,
    blocked: frozenset[int] = frozenset(),
    pins: Mapping[str, int] | None = None,
) -> AllocationProblem:
    return AllocationProblem(weeks, capacity or {}, blocked, requests, pins or {})


def week_capacity(problem: AllocationProblem, week: int) -> int:
    return 0 if week in problem.blocked else problem.capacity.get(week, DEFAULT_CAPACITY)


def cost_of(request: RegionRequest, week: int) -> int:
    return request.ranked.index(week) + 1 if week in request.ranked else UNRANKED_COST


def assert_hard_rules(problem: AllocationProblem, result: Allocation) -> None:
    requests = {request.region: request for request in problem.requests}
    assert set(result.weeks) == set(requests)
    for week, used in Counter(result.weeks.values()).items():
        assert used <= week_capacity(problem, week), f"week {week} over capacity"
    for region, week in result.weeks.items():
        assert week in problem.weeks
        assert week not in problem.blocked
        assert week not in requests[region].avoid
    for region, week in problem.pins.items():
        assert result.weeks[region] == week
    optimised = set(requests) - set(problem.pins)
    assert set(result.costs) == optimised
    for region in optimised:
        assert result.costs[region] == cost_of(requests[region], result.weeks[region])
    assert result.worst_cost == max(result.costs.values(), default=0)
    assert result.total_cost == sum(result.costs.values())


def impossible(problem: AllocationProblem) -> AllocationImpossible:
    with pytest.raises(AllocationImpossible) as caught:
        allocate(problem)
    return caught.value


def invalid(problem: AllocationProblem) -> list[str]:
    with pytest.raises(InvalidProblem) as caught:
        allocate(problem)
    return caught.value.messages


# ------------------------------------------------------------------------------------ results


def test_allocate_gives_first_choices_when_uncontested() -> None:
    problem = make_problem(
        RegionRequest("110000", (36, 37)),
        RegionRequest("120000", (38, 36)),
        RegionRequest("130000", (12,)),
    )
    result = allocate(problem)
    assert result.weeks == {"110000": 36, "120000": 38, "130000": 12}
    assert (result.worst_cost, result.total_cost) == (1, 3)
    assert_hard_rules(problem, result)


def test_allocate_contested_week_minimises_worst_cost_before_total() -> None:
    # Weeks 4-6 are held by pinned regions, so they only pad the rankings. Least total (7) would
    # give A week 1, B week 2, C week 3 at cost 5; least worst (3) needs the rotation below.
    problem = make_problem(
        RegionRequest("A", (1, 4, 2)),
        RegionRequest("B", (2, 4, 3)),
        RegionRequest("C", (4, 5, 1, 6, 3)),
        RegionRequest("D"),
        RegionRequest("E"),
        RegionRequest("F"),
        weeks=(1, 2, 3, 4, 5, 6),
        pins={"D": 4, "E": 5, "F": 6},
    )
    result = allocate(problem)
    assert (result.weeks["A"], result.weeks["B"], result.weeks["C"]) == (2, 3, 1)
    assert (result.worst_cost, result.total_cost) == (3, 9)
    assert_hard_rules(problem, result)


def test_allocate_contested_week_goes_to_region_without_alternative() -> None:
    problem = make_problem(RegionRequest("A", (10, 11)), RegionRequest("B", (10,)))
    result = allocate(problem)
    assert result.weeks == {"A": 11, "B": 10}
    assert result.worst_cost == 2


def test_allocate_pins_respected_and_not_counted() -> None:
    problem = make_problem(
        RegionRequest("110000", (20,)),
        RegionRequest("120000", (5,)),
        RegionRequest("130000", (5, 6)),
        pins={"110000": 5},
    )
    result = allocate(problem)
    assert result.weeks["110000"] == 5
    assert "110000" not in result.costs
    # The pin fills week 5, so neither optimised region can have it.
    assert result.weeks["130000"] == 6
    assert result.weeks["120000"] != 5
    assert (result.worst_cost, result.total_cost) == (6, 8)
    assert_hard_rules(problem, result)


def test_allocate_capacity_two_week_takes_two_regions() -> None:
    problem = make_problem(
        RegionRequest("A", (30,)),
        RegionRequest("B", (30,)),
        RegionRequest("C", (30, 31)),
        capacity={30: 2},
    )
    result = allocate(problem)
    assert Counter(result.weeks.values())[30] == 2
    assert result.weeks["C"] == 31
    assert (result.worst_cost, result.total_cost) == (2, 4)


def test_allocate_pin_counts_against_capacity_two() -> None:
    problem = make_problem(
        RegionRequest("A", (30,)),
        RegionRequest("B", (30,)),
        RegionRequest("C", (30, 31)),
        capacity={30: 2},
        pins={"A": 30},
    )
    result = allocate(problem)
    assert result.weeks == {"A": 30, "B": 30, "C": 31}


def test_allocate_never_gives_blocked_closed_or_avoided_weeks() -> None:
    weeks = tuple(range(1, 9))
    problem = make_problem(
        *(RegionRequest(f"R{i}", avoid=frozenset({1, 2, 3, i + 4})) for i in range(3)),
        weeks=weeks,
        capacity={5: 0, 8: 3},
        blocked=frozenset({4, 6}),
    )
    result = allocate(problem)
    assert_hard_rules(problem, result)
    assert set(result.weeks.values()) <= {7, 8}


def test_allocate_empty_or_all_pinned_problem_costs_nothing() -> None:
    assert allocate(make_problem()).weeks == {}
    result = allocate(make_problem(RegionRequest("A", (3,)), pins={"A": 9}))
    assert result.weeks == {"A": 9}
    assert (result.costs, result.worst_cost, result.total_cost) == ({}, 0, 0)


def test_allocate_repeated_and_shuffled_input_same_answer() -> None:
    problem = realistic_week_problem(seed=7)
    first = allocate(problem)
    assert allocate(problem).weeks == first.weeks
    shuffler = random.Random(3)
    for _ in range(5):
        requests = list(problem.requests)
        shuffler.shuffle(requests)
        capacity = list(problem.capacity.items())
        shuffler.shuffle(capacity)
        weeks = list(problem.weeks)
        shuffler.shuffle(weeks)
        shuffled = AllocationProblem(
            tuple(weeks), dict(capacity), problem.blocked, tuple(requests), dict(problem.pins)
        )
        assert allocate(shuffled).weeks == first.weeks


@pytest.mark.parametrize(
    ("previous_a", "previous_b", "winner"),
    [(1, 5, "B"), (5, 1, "A"), (None, 1, "B"), (6, None, "A")],
)
def test_allocate_tie_favours_worse_previous_cost(
    previous_a: int | None, previous_b: int | None, winner: str
) -> None:
    # Identical requests: (a) and (b) tie whoever gets week 10, so last year decides.
    problem = make_problem(
        RegionRequest("A", (10, 11), previous_cost=previous_a),
        RegionRequest("B", (10, 11), previous_cost=previous_b),
    )
    result = allocate(problem)
    assert result.weeks[winner] == 10
    assert (result.worst_cost, result.total_cost) == (2, 3)


def test_allocate_previous_cost_never_overrides_total() -> None:
    problem = make_problem(
        RegionRequest("A", (10, 11), previous_cost=6),
        RegionRequest("B", (10,), previous_cost=1),
    )
    assert allocate(problem).weeks == {"A": 11, "B": 10}


def test_allocate_full_tie_settled_by_layout_not_listing() -> None:
    a, b = RegionRequest("A", (10, 11)), RegionRequest("B", (10, 11))
    assert allocate(make_problem(a, b)).weeks == allocate(make_problem(b, a)).weeks


def test_allocate_realistic_instance_keeps_hard_rules() -> None:
    problem = realistic_week_problem(seed=11)
    assert_hard_rules(problem, allocate(problem))


# ------------------------------------------------------------------------------ invalid input


def test_validate_week_outside_year_names_region_and_week() -> None:
    messages = invalid(make_problem(RegionRequest("110000", (54,))))
    assert messages == ["Region 110000 ranks week 54, which is not in the year (weeks 1–53)."]


@pytest.mark.parametrize(
    ("problem", "expected"),
    [
        (
            make_problem(RegionRequest("110000", avoid=frozenset({0}))),
            MSG_AVOIDED_OUTSIDE_YEAR.format(region="110000", week=0, year="weeks 1–53"),
        ),
        (
            make_problem(RegionRequest("110000"), pins={"110000": 60}),
            MSG_PINNED_OUTSIDE_YEAR.format(region="110000", week=60, year="weeks 1–53"),
        ),
        (
            make_problem(RegionRequest("110000", (3, 4), frozenset({4}))),
            MSG_RANKED_AND_AVOIDED.format(region="110000", week=4),
        ),
        (
            make_problem(RegionRequest("110000", (3, 4, 3))),
            MSG_DUPLICATE_RANK.format(region="110000", week=3),
        ),
        (
            make_problem(RegionRequest("110000", (1, 2, 3, 4, 5, 6))),
            MSG_TOO_MANY_RANKS.format(region="110000", count=6, max_ranks=5),
        ),
        (
            make_problem(RegionRequest("110000", (40,)), blocked=frozenset({40})),
            MSG_RANKS_BLOCKED_WEEK.format(region="110000", week=40),
        ),
        (
            make_problem(RegionRequest("110000"), capacity={12: -1}),
            MSG_NEGATIVE_CAPACITY.format(week=12, capacity=-1),
        ),
        (
            make_problem(RegionRequest("110000"), RegionRequest("110000", (2,))),
            MSG_DUPLICATE_REGION.format(region="110000", count=2),
        ),
        (
            make_problem(RegionRequest("110000"), pins={"990000": 3}),
            MSG_PIN_UNKNOWN_REGION.format(region="990000", week=3),
        ),
        (
            make_problem(RegionRequest("110000", previous_cost=7)),
            MSG_PREVIOUS_COST_INVALID.format(region="110000", cost=7, max_cost=6),
        ),
    ],
)
def test_validate_each_fault_has_its_message(problem: AllocationProblem, expected: str) -> None:
    assert invalid(problem) == [expected]


@pytest.mark.parametrize(
    ("problem", "words"),
    [
        (make_problem(RegionRequest("110000", (3, 4), frozenset({4}))), "both ranks and avoids"),
        (make_problem(RegionRequest("110000", (3, 3))), "more than once"),
        (make_problem(RegionRequest("110000", (1, 2, 3, 4, 5, 6))), "at most 5"),
        (make_problem(RegionRequest("110000", (9,)), blocked=frozenset({9})), "blocked"),
        (make_problem(RegionRequest("110000"), capacity={12: -2}), "cannot be negative"),
        (make_problem(RegionRequest("110000"), RegionRequest("110000")), "only once"),
        (make_problem(RegionRequest("110000"), pins={"990000": 3}), "no request"),
    ],
)
def test_validate_messages_read_plainly(problem: AllocationProblem, words: str) -> None:
    assert words in invalid(problem)[0]


def test_validate_collects_every_fault_in_stable_order() -> None:
    requests = [
        RegionRequest("120000", (54, 2, 2)),
        RegionRequest("110000", (1,), frozenset({1})),
    ]
    forward = invalid(make_problem(*requests))
    assert invalid(make_problem(*reversed(requests))) == forward
    assert len(forward) == 3
    assert forward[0].startswith("Region 110000 both ranks and avoids week 1")
    assert exc_text_mentions(forward, "Region 120000 ranks week 54")


def exc_text_mentions(messages: list[str], text: str) -> bool:
    return any(text in message for message in messages)


def test_validate_describes_gappy_year() -> None:
    messages = invalid(make_problem(RegionRequest("A", (9,)), weeks=(1, 2, 3, 5, 7, 8)))
    assert messages == ["Region A ranks week 9, which is not in the year (weeks 1–3, 5 and 7–8)."]
    assert describe_weeks([]) == ""


# ------------------------------------------------------------------------- impossible problems


def test_impossible_region_avoiding_every_open_week_is_named() -> None:
    weeks = tuple(range(1, 7))
    error = impossible(
        make_problem(
            RegionRequest("110000", avoid=frozenset({1, 2, 3})),
            RegionRequest("120000", (5,)),
            weeks=weeks,
            capacity={6: 0},
            blocked=frozenset({4}),
            pins={"120000": 5},
        )
    )
    [problem] = error.problems
    assert (problem.region, problem.reason) == ("110000", REASON_NO_ALLOWED_WEEK)
    assert problem.message == (
        "Region 110000 cannot be placed: no week is left for it "
        "(of the 6 weeks, 1 is blocked, 1 is closed (capacity 0), "
        "1 is already full with pinned regions and it avoids the other 3)."
    )


def test_impossible_two_pins_over_capacity_names_both_and_week() -> None:
    error = impossible(
        make_problem(
            RegionRequest("110000"), RegionRequest("120000"), pins={"110000": 7, "120000": 7}
        )
    )
    [problem] = error.problems
    assert problem.reason == REASON_PINS_OVER_CAPACITY
    assert (problem.regions, problem.weeks) == (("110000", "120000"), (7,))
    assert problem.message == (
        "Regions 110000 and 120000 are all pinned to week 7, which holds only 1 region."
    )


def test_impossible_pin_into_blocked_closed_or_avoided_week() -> None:
    error = impossible(
        make_problem(
            RegionRequest("A"),
            RegionRequest("B"),
            RegionRequest("C", avoid=frozenset({9})),
            blocked=frozenset({3}),
            capacity={4: 0},
            pins={"A": 3, "B": 4, "C": 9},
        )
    )
    assert [(p.region, p.reason) for p in error.problems] == [
        ("A", REASON_PIN_CLOSED_WEEK),
        ("B", REASON_PIN_CLOSED_WEEK),
        ("C", REASON_PIN_AVOIDED_WEEK),
    ]
    assert [p.message for p in error.problems] == [
        "Region A is pinned to week 3, which is blocked.",
        "Region B is pinned to week 4, which has capacity 0.",
        "Region C is pinned to week 9, which it asked to avoid.",
    ]


def test_impossible_total_capacity_short() -> None:
    error = impossible(
        make_problem(
            *(RegionRequest(f"R{i}") for i in range(4)),
            weeks=(1, 2, 3),
            capacity={3: 0},
            pins={"R0": 1},
        )
    )
    [problem] = error.problems
    assert (problem.region, problem.reason) == ("", REASON_CAPACITY_SHORT)
    assert problem.message == (
        "3 regions need a week, but the open weeks have only 1 free places "
        "(after pinned regions); 2 cannot be placed."
    )


def test_impossible_regions_competing_for_too_few_weeks_are_named() -> None:
    narrow = frozenset(range(3, 11))
    error = impossible(
        make_problem(
            RegionRequest("110000", (1,), narrow),
            RegionRequest("120000", (2, 1), narrow),
            RegionRequest("130000", (1, 2), narrow),
            RegionRequest("140000", (5,)),
            RegionRequest("150000", (1,)),
            weeks=tuple(range(1, 11)),
        )
    )
    [problem] = error.problems
    assert problem.reason == REASON_CONTESTED_WEEKS
    # 150000 could also use week 1 or 2, but it has other weeks, so it is not squeezed out.
    assert problem.regions == ("110000", "120000", "130000")
    assert problem.weeks == (1, 2)
    assert problem.message == (
        "Regions 110000, 120000 and 130000 can only use weeks 1–2, which have 2 free places "
        "between them; 1 of these 3 regions cannot be placed."
    )


def test_impossible_separate_contests_are_reported_separately() -> None:
    error = impossible(
        make_problem(
            RegionRequest("A", avoid=frozenset({3, 4, 5})),
            RegionRequest("B", avoid=frozenset({3, 4, 5})),
            RegionRequest("C", avoid=frozenset({1, 2, 5})),
            RegionRequest("D", avoid=frozenset({1, 2, 5})),
            weeks=(1, 2, 3, 4, 5),
            capacity={1: 1, 2: 0, 3: 0, 4: 1, 5: 2},
        )
    )
    assert [(p.regions, p.weeks) for p in error.problems] == [
        (("A", "B"), (1,)),
        (("C", "D"), (4,)),
    ]


# ------------------------------------------------------------------- brute force (hypothesis)


@st.composite
def small_problems(draw: st.DrawFn) -> AllocationProblem:
    weeks = tuple(range(1, draw(st.integers(1, 8)) + 1))
    capacity = {week: draw(st.sampled_from([0, 1, 1, 1, 2, 2])) for week in weeks}
    blocked = frozenset(draw(st.sets(st.sampled_from(weeks), max_size=2)))
    rankable = [week for week in weeks if week not in blocked]
    requests = []
    for number in range(draw(st.integers(1, min(6, len(weeks) + 1)))):
        ranked = tuple(
            draw(st.lists(st.sampled_from(rankable), unique=True, min_size=1, max_size=5))
            if rankable
            else ()
        )
        others = [week for week in weeks if week not in ranked]
        avoid = (
            frozenset(draw(st.sets(st.sampled_from(others), max_size=3))) if others else frozenset()
        )
        previous = draw(st.none() | st.integers(1, UNRANKED_COST))
        requests.append(RegionRequest(f"R{number}", ranked, avoid, previous))
    codes = [request.region for request in requests]
    pins = draw(st.dictionaries(st.sampled_from(codes), st.sampled_from(weeks), max_size=2))
    return AllocationProblem(weeks, capacity, blocked, tuple(requests), pins)


def brute_force(problem: AllocationProblem) -> tuple[int, int, int] | None:
    """Lexicographic least (worst, total, sum cost x previous) over every feasible assignment."""
    free = Counter({week: week_capacity(problem, week) for week in problem.weeks})
    free.subtract(problem.pins.values())
    requests = {request.region: request for request in problem.requests}
    if any(count < 0 for count in free.values()) or any(
        week in requests[region].avoid for region, week in problem.pins.items()
    ):
        return None
    optimised = [request for request in problem.requests if request.region not in problem.pins]
    choices = [
        [week for week in problem.weeks if week not in request.avoid and free[week] > 0]
        for request in optimised
    ]
    best: tuple[int, int, int] | None = None
    for combination in itertools.product(*choices):
        used = Counter(combination)
        if any(used[week] > free[week] for week in used):
            continue
        costs = [
            cost_of(request, week) for request, week in zip(optimised, combination, strict=True)
        ]
        previous = [request.previous_cost or NO_HISTORY_COST for request in optimised]
        key = (
            max(costs, default=0),
            sum(costs),
            sum(c * p for c, p in zip(costs, previous, strict=True)),
        )
        best = key if best is None else min(best, key)
    return best


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_allocate_matches_brute_force_on_small_instances(problem: AllocationProblem) -> None:
    expected = brute_force(problem)
    if expected is None:
        with pytest.raises(AllocationImpossible) as caught:
            allocate(problem)
        assert caught.value.problems
        assert all(p.message for p in caught.value.problems)
        return
    result = allocate(problem)
    assert_hard_rules(problem, result)
    requests = {request.region: request for request in problem.requests}
    tie_break = sum(
        cost * (requests[region].previous_cost or NO_HISTORY_COST)
        for region, cost in result.costs.items()
    )
    assert (result.worst_cost, result.total_cost, tie_break) == expected


# ------------------------------------------------------------------------- reference: milp


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_allocate_matches_milp_on_full_size_instances(seed: int) -> None:
    problem = realistic_week_problem(seed)
    assert (len(problem.requests), len(problem.weeks)) == (37, 53)
    result = allocate(problem)
    assert_hard_rules(problem, result)
    reference = solve_with_milp(problem, time_limit=30)
    assert reference.status == "optimal"
    assert (result.worst_cost, result.total_cost) == (reference.worst_cost, reference.total_cost)


def test_allocate_matches_milp_when_capacity_is_tight() -> None:
    # Close most weeks so regions crowd together and many get unranked weeks.
    base = realistic_week_problem(seed=5)
    closed = {week: 0 for week in range(2, 30)}
    requests = tuple(
        RegionRequest(
            r.region, tuple(w for w in r.ranked if w not in closed), r.avoid, r.previous_cost
        )
        for r in base.requests
    )
    problem = AllocationProblem(
        base.weeks, {**base.capacity, **closed}, base.blocked, requests, base.pins
    )
    reference = solve_with_milp(problem, time_limit=30)
    if reference.status == "infeasible":
        impossible(problem)
        return
    result = allocate(problem)
    assert (result.worst_cost, result.total_cost) == (reference.worst_cost, reference.total_cost)
    assert np.isfinite(result.solve_seconds)
