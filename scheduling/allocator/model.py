"""Data types and exceptions of the Learning Week allocator (pure Python, no Django)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

MAX_RANKS = 5
UNRANKED_COST = MAX_RANKS + 1
DEFAULT_CAPACITY = 1
# A region with no history is treated as having fared best, so it yields ties to the others.
NO_HISTORY_COST = 0


@dataclass(frozen=True)
class RegionRequest:
    """One region's application: ranked preferred weeks (best first) and weeks to avoid."""

    region: str
    ranked: tuple[int, ...] = ()
    avoid: frozenset[int] = frozenset()
    previous_cost: int | None = None


@dataclass(frozen=True)
class AllocationProblem:
    """A campaign year: its weeks, their capacities, closures, applications and fixed pins."""

    weeks: tuple[int, ...]
    capacity: Mapping[int, int] = field(default_factory=dict)
    blocked: frozenset[int] = frozenset()
    requests: tuple[RegionRequest, ...] = ()
    pins: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Allocation:
    """The result: a week for every region, and the cost each optimised region received."""

    weeks: dict[str, int]
    costs: dict[str, int]
    worst_cost: int
    total_cost: int
    solve_seconds: float


@dataclass(frozen=True)
class PlacementProblem:
    """Why no allocation exists, for one region or for a group of regions.

    `region` is the region concerned; for a group it is the first (by code) of `regions`,
    and it is "" when no region can be singled out (total capacity too small).
    """

    region: str
    reason: str
    message: str
    regions: tuple[str, ...] = ()
    weeks: tuple[int, ...] = ()


class InvalidProblem(ValueError):  # noqa: N818 - name fixed by the API
    """The input contradicts itself; `messages` lists every fault found, in a stable order."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


class AllocationImpossible(Exception):  # noqa: N818 - name fixed by the API
    """The input is valid but no allocation satisfies the hard rules."""

    def __init__(self, problems: list[PlacementProblem]) -> None:
        super().__init__("\n".join(problem.message for problem in problems))
        self.problems = problems
