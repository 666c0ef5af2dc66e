"""Plain capacitated VRP through the same OR-Tools model the day planner uses.

Every route is one trip from the depot (node 0); the objective is total route time, travel plus
service. This is the shape of a CVRPLIB instance and of a compound day with unlimited trips, so
OneBell can be measured against other solvers and against best-known solutions.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from optimizer.partition import best_partition
from optimizer.problem import TripVehicle, VrpProblem
from optimizer.route_pool import RoutePool
from optimizer.routing import IteratedSearch, solve_vrp


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
    seen: list[int] = []
    total = 0
    for route in routes:
        if not route:
            continue
        load = int(instance.demand[list(route)].sum())
        if load > instance.capacity:
            raise ValueError(f"a route carries {load}, capacity is {instance.capacity}")
        path = [0, *route, 0]
        total += int(sum(instance.travel[a, b] for a, b in itertools.pairwise(path)))
        total += int(instance.service[list(route)].sum())
        seen += list(route)
    if sorted(seen) != list(range(1, instance.customers + 1)):
        raise ValueError("the routes do not visit every customer exactly once")
    return total


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


SEARCH_SHARE = 0.8
"""Part of the time limit the searches run; the rest recombines their routes."""

POOL_MARGIN = 0.01
"""Routes of solutions within 1% of a search's best are recombined; wider pools made SCIP slower
to improve on the start without finding better plans."""

PORTFOLIO = (IteratedSearch(improve=False), IteratedSearch(improve=True))
"""One search per core: many quick ruin-and-recreate steps, and fewer steps each polished by a
descent. Which one wins changes from instance to instance, and together their routes recombine
into better plans than either (docs/benchmarks.md)."""


def solve_cvrp(
    instance: CvrpInstance, *, time_limit_s: float, searches: Sequence[IteratedSearch] = PORTFOLIO
) -> CvrpSolution:
    """Searches side by side on the machine's cores, then the best set-partitioning of the routes
    they passed through, within `time_limit_s` in all."""
    started = time.monotonic()
    deadline = started + time_limit_s
    searches_end = started + SEARCH_SHARE * time_limit_s
    problem = cvrp_problem(instance)
    if len(searches) == 1:
        outcomes = [_search(problem, searches_end, searches[0])]
    else:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=len(searches), mp_context=context) as pool:
            futures = [pool.submit(_search, problem, searches_end, settings) for settings in searches]
            outcomes = [future.result() for future in futures]
    found = [(route_cost(instance, best), best, routes) for best, routes in outcomes if best is not None]
    if not found:
        raise RuntimeError(f"{instance.name}: no solution found in {time_limit_s} s")
    cost, best, _ = min(found, key=lambda item: item[0])
    routes = [route for _, best_routes, pool_routes in found for route in [*best_routes, *pool_routes]]
    recombined = best_partition(
        list(zip(_route_costs(instance, routes), routes, strict=True)),
        customers=instance.customers,
        start=best,
        time_limit_s=max(deadline - time.monotonic(), 0.05),
    )
    if recombined is not None and route_cost(instance, recombined) < cost:
        best, cost = recombined, route_cost(instance, recombined)
    return CvrpSolution(routes=best, cost=cost)


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
    problem: VrpProblem, until: float, settings: IteratedSearch
) -> tuple[list[list[int]] | None, list[list[int]]]:
    """One search until the monotonic clock reads `until`: its best routes and its pool."""
    pool = RoutePool(POOL_MARGIN)
    solution = solve_vrp(
        problem, time_limit_s=max(until - time.monotonic(), 0.05), iterated=settings, pool=pool
    )
    best = [route for route in solution.routes if route] if solution.found else None
    return best, [list(route) for route in pool.routes()]
