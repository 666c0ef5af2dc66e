"""Plain capacitated VRP through the same OR-Tools model the day planner uses.

Every route is one trip from the depot (node 0); the objective is total route time, travel plus
service. This is the shape of a CVRPLIB instance and of a compound day with unlimited trips, so
OneBell can be measured against other solvers and against best-known solutions.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import multiprocessing
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from optimizer.giant_tour import TourSplitError, split_tour
from optimizer.partition import best_partition, narrowed_partition
from optimizer.problem import TripVehicle, VrpProblem
from optimizer.route_changes import one_change_routes
from optimizer.route_pool import RoutePool
from optimizer.routing import IteratedSearch, shortest_tour, solve_vrp


@dataclass(frozen=True)
class CvrpInstance:
    name: str
    travel: np.ndarray  # integer, node x node, node 0 = depot
    demand: np.ndarray
    service: np.ndarray  # per node, paid at the node
    capacity: int
    vehicles: int | None = None  # routes at most; None = as many as needed
    best_known: int | None = None

    @property
    def customers(self) -> int:
        return int(self.demand.shape[0]) - 1


@dataclass(frozen=True)
class CvrpSolution:
    routes: list[list[int]]
    cost: int


def route_cost(instance: CvrpInstance, routes: Sequence[Sequence[int]]) -> int:
    """Travel plus service of the routes, checked: every customer once, loads within capacity."""
    routes = [route for route in routes if route]
    for route in routes:
        load = int(instance.demand[list(route)].sum())
        if load > instance.capacity:
            raise ValueError(f"a route carries {load}, capacity is {instance.capacity}")
    if sorted(n for route in routes for n in route) != list(range(1, instance.customers + 1)):
        raise ValueError("the routes do not visit every customer exactly once")
    return sum(_route_costs(instance, routes))


def cvrp_problem(instance: CvrpInstance) -> VrpProblem:
    transit = (instance.service[:, None] + instance.travel).astype(np.int64)
    np.fill_diagonal(transit, 0)
    lower_bound = math.ceil(instance.demand.sum() / instance.capacity)
    count = instance.vehicles or min(instance.customers, lower_bound + max(3, lower_bound // 5))
    vehicle = TripVehicle(instance.capacity, transit=0, cost=0, earliest_s=0, latest_s=0)
    return VrpProblem(
        demand=instance.demand.astype(np.int64),
        transit_s=[transit],
        arc_cost=[transit],
        vehicles=[vehicle] * count,
        timed=False,
    )


@dataclass(frozen=True)
class FromGiantTour:
    """A bare iterated search that begins from a giant tour cut into routes (`giant_tour.py`)
    instead of OR-Tools' first solution; the tour takes `tour_s` of the search's time."""

    search: IteratedSearch
    tour_s: float = 0.25
    removed_share: float | None = None
    """The visits each ruin removes as this share of the customers, within `REMOVED_VISITS`,
    instead of the search's own count: a step the same part of any day's plan."""

    def __post_init__(self) -> None:
        if self.search.improve:  # its start would be held as a pre-assignment (`solve_vrp`)
            raise ValueError("a search from a giant tour is a bare search (improve=False)")

    def sized_for(self, customers: int) -> IteratedSearch:
        if self.removed_share is None:
            return self.search
        least, most = REMOVED_VISITS
        removed = min(most, max(least, round(self.removed_share * customers)))
        return dataclasses.replace(self.search, removed_visits=removed)


REMOVED_VISITS = (5, 10)
"""Bounds of a ruin sized by the customers' count (`FromGiantTour.removed_share`): ten, SISR's
own choice, from 250 customers on; five on compound days of 100–125 buildings."""


Search = IteratedSearch | FromGiantTour

FIRST_ROUND: tuple[Search, ...] = (
    FromGiantTour(IteratedSearch(improve=False), removed_share=0.04),
    IteratedSearch(improve=True, route_price=0.5, first_solution="savings"),
)
"""One search per core: many quick ruin-and-recreate steps from a giant tour cut into routes, and
fewer steps each polished by a descent from a savings plan, the latter paying half a round trip
from the gate for each route it uses. Which one wins changes from instance to instance, and their
routes recombine into better plans than either (docs/benchmarks.md). The descent search alone, 4 s
on each compound day, ends 0.2–0.6% lower from savings than from OR-Tools' choice (path cheapest
arc) on four days of five and the same on the fifth. The bare search began from OR-Tools' own
first solution until the eleventh session: from the cut tour the whole solver settles in plans of
more routes, cheaper on the 272-building day and gelin-spring 2,300 in every interleaved set, dearer
on gelin-spring 2,000 in most (by up to 0.5%), 0.1% cheaper over the five days on average
(docs/solver-experiments.md). Since the sixteenth session its ruin removes a share of the
customers instead of a fixed ten: five a step on the compound days of 100-125 buildings, where
gelin-spring 2,000 (the row furthest from PyVRP) ended 0.3% lower at 5 s and 10 s in every
interleaved set and the others level; the 272-building day and X-n502-k39 keep ten."""

RESTARTS = (
    IteratedSearch(temperatures=(0.03, 0.001)),
    IteratedSearch(ruin="walk", temperatures=(0.03, 0.001)),
)
"""The second round starts both cores from the recombined plan, cooler, with two kinds of ruin."""

FIRST_ROUND_SHARE = 0.45
RECOMBINE_SHARE = 0.10
"""Parts of the time limit: first round, recombination, second round (the rest but a last
recombination's share). Recombining after the first round gives the second a better start than
either search reached; each round's pool joins the next recombination."""

POLISH_SHARE, POLISH_MAX_S = 0.06, 1.0
"""The last part of the time limit, up to a second: set partitioning over one-customer changes of
the best plan (`route_changes.py`). On saved first-round pools of the compound days, 0.3 s of a
1 s recombination spent so found 0.1–0.18% more on the 272-building day and the same or within
0.2% either way on the others, where the recombination had less time (docs/benchmarks.md)."""

FIRST_ROUND_MIN_S = 4.0
SECOND_ROUND_MIN_S = 2.0
"""A first round shorter than about 4 s leaves both searches well short of where they settle on
compound days, and a second round needs time to pay: at 5 s one round and one recombination did
better than two rounds (docs/benchmarks.md, docs/solver-experiments.md)."""

MODEL_BUILDING_S = (0.015, 4e-6)
"""Held back from a recombination's time limit for building its models in Python, which the MIP
solver's own limit does not count: a fixed part and a part per visit of the distinct routes (the
compound days' pools, 5–10 thousand visits, took 15–26 ms to build and hand to SCIP, the polish's
models of 3–31 thousand 11–92 ms)."""

POLISH_MIN_SOLVE_S = 0.1
"""A polish's model is built only if the solver would have at least this long."""

FINISH_S = 0.05
"""Held back from the whole limit for closing the worker processes and checking the plan (20–90 ms
past the deadline on the 272-building day without it)."""

POOL_MARGIN = 0.01
"""Routes of solutions within 1% of a search's best are recombined; wider pools made SCIP slower
to improve on the start without finding better plans."""


def solve_cvrp(
    instance: CvrpInstance,
    *,
    time_limit_s: float,
    first_round: Sequence[Search] = FIRST_ROUND,
    restarts: Sequence[IteratedSearch] = RESTARTS,
) -> CvrpSolution:
    """Searches side by side on the machine's cores, recombination of the routes they passed
    through, a second round from the recombined plan, a last recombination, and set partitioning
    over one-customer changes of the best plan — within `time_limit_s` in all."""
    started = time.monotonic()
    limit_s = time_limit_s - FINISH_S
    deadline = started + limit_s
    problem = cvrp_problem(instance)
    recombination = _Recombination(instance, max_routes=len(problem.vehicles))
    recombine_s = RECOMBINE_SHARE * limit_s
    polish_s = min(POLISH_SHARE * limit_s, POLISH_MAX_S)
    first_s = min(limit_s - recombine_s - polish_s, max(FIRST_ROUND_SHARE * limit_s, FIRST_ROUND_MIN_S))
    second_s = limit_s - first_s - 2 * recombine_s - polish_s
    with _Searches(max(len(first_round), len(restarts))) as searches:
        recombination.absorb(searches.run(problem, first_round, until=started + first_s))
        if not recombination.routes:
            raise RuntimeError(f"{instance.name}: no solution found in {time_limit_s} s")
        if restarts and second_s >= SECOND_ROUND_MIN_S:
            best = recombination.best(searches, until=started + first_s + recombine_s)
            second_end = deadline - recombine_s - polish_s
            recombination.absorb(searches.run(problem, restarts, until=second_end, start=best))
        recombination.best(searches, until=deadline - polish_s)
        best = recombination.polish(searches, until=deadline)
    return CvrpSolution(routes=best, cost=route_cost(instance, best))


class _Recombination:
    """Every search's best plan and pool, and the best set-partitioning of them so far."""

    def __init__(self, instance: CvrpInstance, *, max_routes: int) -> None:
        self.instance = instance
        self.max_routes = max_routes  # a plan the searches can restart from fits their fleet
        self.routes: list[list[int]] = []
        self.cost: int | None = None
        self._columns: dict[tuple[int, ...], int] = {}

    def absorb(self, outcomes: Sequence[tuple[list[list[int]] | None, list[list[int]]]]) -> None:
        for best, pool in outcomes:
            if best is None:
                continue
            self._add_columns([*best, *pool])
            self._consider(best)

    def best(self, searches: _Searches, *, until: float) -> list[list[int]]:
        columns = [(cost, list(route)) for route, cost in self._columns.items()]
        self._partition(searches, columns, until=until)
        return self.routes

    def polish(self, searches: _Searches, *, until: float) -> list[list[int]]:
        """Set partitioning over the best plan's routes one customer changed, again from each
        better plan, until none is better or the time is up."""
        while True:
            changed = one_change_routes(
                self.instance.travel, self.instance.demand, self.instance.capacity, self.routes
            )
            columns = list(zip(_route_costs(self.instance, changed), changed, strict=True))
            if until - time.monotonic() < _building_s(columns) + POLISH_MIN_SOLVE_S:
                break
            before = self.cost
            self._partition(searches, columns, until=until)
            if self.cost == before:
                break
        return self.routes

    def _partition(self, searches: _Searches, columns: list[tuple[int, list[int]]], *, until: float) -> None:
        for chosen in searches.partition(
            columns,
            customers=self.instance.customers,
            start=self.routes,
            until=until,
            max_routes=self.max_routes,
        ):
            if chosen is not None:
                self._consider(chosen)

    def _add_columns(self, routes: Sequence[Sequence[int]]) -> None:
        new = [route for route in routes if tuple(route) not in self._columns]
        self._columns.update(zip(map(tuple, new), _route_costs(self.instance, new), strict=True))

    def _consider(self, routes: list[list[int]]) -> None:
        cost = route_cost(self.instance, routes)
        if self.cost is None or cost < self.cost:
            self.routes, self.cost = routes, cost
            self._add_columns(routes)  # a later recombination starts from this plan


class _Searches:
    """Runs a round of searches, one process per search (in this process when there is one)."""

    def __init__(self, workers: int) -> None:
        self.executor = (
            ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
            if workers > 1
            else None
        )

    def __enter__(self) -> _Searches:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.executor is not None:
            self.executor.shutdown(cancel_futures=True)

    def run(
        self,
        problem: VrpProblem,
        searches: Sequence[Search],
        *,
        until: float,
        start: list[list[int]] | None = None,
    ) -> list[tuple[list[list[int]] | None, list[list[int]]]]:
        if self.executor is None:
            return [_search(problem, until, settings, start) for settings in searches]
        futures = [self.executor.submit(_search, problem, until, settings, start) for settings in searches]
        return [future.result() for future in futures]

    def partition(
        self,
        columns: list[tuple[int, list[int]]],
        *,
        customers: int,
        start: list[list[int]],
        until: float,
        max_routes: int,
    ) -> list[list[list[int]] | None]:
        """Recombination on both cores: SCIP on the whole pool, and the narrowed small MIPs (which
        find most pools' best cover sooner, but not all)."""
        limit = max(until - time.monotonic() - _building_s(columns), 0.05)
        solvers = [
            functools.partial(
                solve, columns, customers=customers, start=start, time_limit_s=limit, max_routes=max_routes
            )
            for solve in (best_partition, narrowed_partition)
        ]
        if self.executor is None:
            return [solvers[0]()]
        futures = [self.executor.submit(solve) for solve in solvers]
        return [future.result() for future in futures]


def _building_s(columns: Sequence[tuple[int, Sequence[int]]]) -> float:
    fixed, per_visit = MODEL_BUILDING_S
    return fixed + per_visit * sum(len(route) for route in {frozenset(route) for _, route in columns})


def _route_costs(instance: CvrpInstance, routes: Sequence[Sequence[int]]) -> list[int]:
    """Travel plus service of each route on its own (thousands of pool routes: plain lists)."""
    travel = instance.travel.tolist()
    service = instance.service.tolist()
    costs = []
    for route in routes:
        path = [0, *route, 0]
        costs.append(sum(travel[a][b] for a, b in itertools.pairwise(path)) + sum(service[n] for n in route))
    return costs


def _search(
    problem: VrpProblem, until: float, settings: Search, start: list[list[int]] | None
) -> tuple[list[list[int]] | None, list[list[int]]]:
    """One search until the monotonic clock reads `until`: its best routes and its pool."""
    if isinstance(settings, FromGiantTour):
        if start is None:
            start = _giant_tour_start(problem, settings.tour_s)
        settings = settings.sized_for(len(problem.demand) - 1)
    pool = RoutePool(POOL_MARGIN)
    solution = solve_vrp(
        problem,
        time_limit_s=max(until - time.monotonic(), 0.05),
        iterated=settings,
        pool=pool,
        initial_routes=start,
    )
    best = [route for route in solution.routes if route] if solution.found else None
    return best, [list(route) for route in pool.routes()]


GIANT_TOUR_MIN_LOAD = 0.1
"""The giant tour's start is for customers whose loads are a tenth of a route or more (a
building's parcels on a compound day: 12–23% of a tricycle's 80 on the fixture days but for the
600-parcel one): where a route holds a few such loads, which customers share one is a packing
question, and the cut tour tries packings that cheapest insertion does not. With many small
loads (X-n502-k39: 501 single parcels, 13 to a route) every cut packs as well, and the bare
search from the cut tour ended 0.3–0.6% dearer at 10 s and 60 s than from OR-Tools' own first
solution (docs/solver-experiments.md)."""


def _giant_tour_start(problem: VrpProblem, tour_s: float) -> list[list[int]] | None:
    """A tour through every customer cut into routes at the cheapest places, or None (the search
    then begins from its own first solution) when the customers' loads are small beside a route's
    (`GIANT_TOUR_MIN_LOAD`), no tour was found in the time, or the cut needs more routes than the
    fleet has."""
    capacity = problem.vehicles[0].capacity
    if problem.demand[1:].mean() < GIANT_TOUR_MIN_LOAD * capacity:
        return None
    transit = problem.transit_s[0]
    tour = shortest_tour(transit, time_limit_s=tour_s)
    if tour is None:
        return None
    try:
        routes = split_tour(transit, problem.demand, capacity, tour)
    except TourSplitError:  # no plan can carry such a customer: the search will say so
        return None
    return routes if len(routes) <= len(problem.vehicles) else None
