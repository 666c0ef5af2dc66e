"""Plain capacitated VRP through the same OR-Tools model the day planner uses.

Every route is one trip from the depot (node 0); the objective is total route time, travel plus
service. This is the shape of a CVRPLIB instance and of a compound day with unlimited trips, so
OneBell can be measured against other solvers and against best-known solutions.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from optimizer.problem import TripVehicle, VrpProblem
from optimizer.routing import solve_vrp


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


def solve_cvrp(
    instance: CvrpInstance, *, time_limit_s: float, first_solutions: Sequence[str] = ("automatic", "savings")
) -> CvrpSolution:
    """Best of parallel searches, one per first-solution strategy, on the machine's cores.

    No first solution wins everywhere (solver-findings.md: savings is best at 3,000 buildings and
    worst at 125), so with two cores both run side by side for the whole time limit.
    """
    problem = cvrp_problem(instance)
    if len(first_solutions) == 1:
        outcomes = [_search(problem, time_limit_s, first_solutions[0])]
    else:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=len(first_solutions), mp_context=context) as pool:
            futures = [pool.submit(_search, problem, time_limit_s, strategy) for strategy in first_solutions]
            outcomes = [future.result() for future in futures]
    found = [routes for routes in outcomes if routes is not None]
    if not found:
        raise RuntimeError(f"{instance.name}: no solution found in {time_limit_s} s")
    best = min(found, key=lambda routes: route_cost(instance, routes))
    return CvrpSolution(routes=best, cost=route_cost(instance, best))


def _search(problem: VrpProblem, time_limit_s: float, first_solution: str) -> list[list[int]] | None:
    solution = solve_vrp(problem, time_limit_s=time_limit_s, first_solution=first_solution)
    return [route for route in solution.routes if route] if solution.found else None
