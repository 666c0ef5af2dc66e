"""Recombination: the cheapest set of known routes that visits every customer exactly once.

Routes collected from several searches (`route_pool.py`) are columns of a set-partitioning model
solved as a MIP with SCIP through OR-Tools' linear-solver wrapper. Started from the best search's
own routes, it can only improve on them; on the X-n101 benchmark instance it turned two searches
1.2% and 1.6% over the best known into a plan within 0.02% of it (docs/benchmarks.md). CP-SAT was
tried for the same model and mostly stayed at the start on pools of a few thousand routes.

SCIP needs 2–5 s on the pools of two 4 s searches of a compound day, mostly in cuts at the root,
before it finds their best cover. `narrowed_partition` gets there sooner on most pools by solving a
few small MIPs instead: only routes whose reduced cost in the linear relaxation is small can be in
a cover much cheaper than the start, and a model of those solves in tens of milliseconds.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from ortools.linear_solver import pywraplp

Column = tuple[int, Sequence[int]]

NARROWING = (0.1, 0.2, 0.35, 0.6, 1.0)
"""Shares of the gap between the best cover so far and the linear bound: the routes whose reduced
cost is within the share are offered to each small MIP in turn, each started from the last one's
cover. A route beyond the whole gap cannot be in a cheaper cover, so the last MIP, given time, finds
the best cover there is."""


def best_partition(
    columns: Sequence[Column],
    *,
    customers: int,
    start: Sequence[Sequence[int]],
    time_limit_s: float,
    max_routes: int | None = None,
) -> list[list[int]] | None:
    """Among `columns` (cost, route), the cheapest choice of at most `max_routes` that visits each
    of customers 1..`customers` exactly once, started from the routes of `start` (which must be
    among the columns); None when the solver found no such choice in time.

    >>> best_partition([(10, [1, 2]), (4, [1]), (4, [2]), (9, [3])], customers=3,
    ...                start=[[1, 2], [3]], time_limit_s=1)
    [[1], [2], [3]]
    """
    cheapest = _cheapest_per_set(columns)
    return _solve(list(cheapest.values()), customers, start, time_limit_s, max_routes, integral=True)[0]


def narrowed_partition(
    columns: Sequence[Column],
    *,
    customers: int,
    start: Sequence[Sequence[int]],
    time_limit_s: float,
    max_routes: int | None = None,
) -> list[list[int]] | None:
    """As `best_partition`, by a sequence of small MIPs over the routes of least reduced cost (see
    the module's note): quicker to a good cover on most pools; the best only if the last MIP ends.

    >>> narrowed_partition([(10, [1, 2]), (4, [1]), (4, [2]), (9, [3])], customers=3,
    ...                    start=[[1, 2], [3]], time_limit_s=1)
    [[1], [2], [3]]
    """
    deadline = time.monotonic() + time_limit_s
    cheapest = _cheapest_per_set(columns)
    every = list(cheapest.values())
    best = [list(route) for route in start]
    best_cost = sum(cheapest[frozenset(route)][0] for route in best)
    _, bound, duals = _solve(every, customers, best, time_limit_s, max_routes, integral=False)
    if duals is None:
        return None
    *covering, fleet = duals
    reduced = [cost - sum(covering[c - 1] for c in route) - fleet for cost, route in every]
    for share in NARROWING:
        left = deadline - time.monotonic()
        if left <= 0.01 or best_cost <= bound + 0.5:
            break
        kept = {frozenset(route) for route in best}
        offered = [
            column
            for column, cost in zip(every, reduced, strict=True)
            if cost <= share * (best_cost - bound) or frozenset(column[1]) in kept
        ]
        chosen, _, _ = _solve(offered, customers, best, left, max_routes, integral=True)
        if chosen is not None:
            cost = sum(cheapest[frozenset(route)][0] for route in chosen)
            if cost < best_cost:
                best, best_cost = chosen, cost
    return best


def _cheapest_per_set(columns: Sequence[Column]) -> dict[frozenset[int], tuple[int, list[int]]]:
    """The same customers in another order is the same column: keep the cheapest order."""
    cheapest: dict[frozenset[int], tuple[int, list[int]]] = {}
    for cost, route in columns:
        key = frozenset(route)
        if key not in cheapest or cost < cheapest[key][0]:
            cheapest[key] = (cost, list(route))
    return cheapest


def _solve(
    columns: list[tuple[int, list[int]]],
    customers: int,
    start: Sequence[Sequence[int]],
    time_limit_s: float,
    max_routes: int | None,
    *,
    integral: bool,
) -> tuple[list[list[int]] | None, float, list[float] | None]:
    """The set-partitioning model of `columns`: as a MIP (SCIP, hinted with `start`), its cover;
    as a linear relaxation (GLOP), its bound and the duals of the customers' rows and the fleet's."""
    solver = pywraplp.Solver.CreateSolver("SCIP" if integral else "GLOP")
    if solver is None:  # an OR-Tools build without SCIP: keep the searches' best
        return None, 0.0, None
    chosen = [
        solver.BoolVar(f"route_{k}") if integral else solver.NumVar(0, 1, f"route_{k}")
        for k in range(len(columns))
    ]
    covering: list[list[pywraplp.Variable]] = [[] for _ in range(customers + 1)]
    for k, (_, route) in enumerate(columns):
        for customer in route:
            covering[customer].append(chosen[k])
    rows = []
    for customer in range(1, customers + 1):
        if not covering[customer]:
            return None, 0.0, None
        rows.append(solver.Add(solver.Sum(covering[customer]) == 1))
    fleet = solver.Add(solver.Sum(chosen) <= (max_routes if max_routes is not None else len(columns)))
    solver.Minimize(solver.Sum([cost * chosen[k] for k, (cost, _) in enumerate(columns)]))
    if integral:
        started = {frozenset(route) for route in start}
        solver.SetHint(chosen, [1.0 if frozenset(route) in started else 0.0 for _, route in columns])
    solver.SetTimeLimit(max(1, int(time_limit_s * 1000)))
    if solver.Solve() not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return None, 0.0, None
    if not integral:
        duals = [row.dual_value() for row in rows] + [fleet.dual_value()]
        return None, solver.Objective().Value(), duals
    return [route for k, (_, route) in enumerate(columns) if chosen[k].solution_value() > 0.5], 0.0, None
