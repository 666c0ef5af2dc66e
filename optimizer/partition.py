"""Recombination: the cheapest set of known routes that visits every customer exactly once.

Routes collected from several searches (`route_pool.py`) are columns of a set-partitioning model
solved as a MIP with SCIP through OR-Tools' linear-solver wrapper. Started from the best search's
own routes, it can only improve on them; on the X-n101 benchmark instance it turned two searches
1.2% and 1.6% over the best known into a plan within 0.02% of it (docs/benchmarks.md). CP-SAT was
tried for the same model and mostly stayed at the start on pools of a few thousand routes.
"""

from __future__ import annotations

from collections.abc import Sequence

from ortools.linear_solver import pywraplp


def best_partition(
    columns: Sequence[tuple[int, Sequence[int]]],
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
    cheapest: dict[frozenset[int], tuple[int, list[int]]] = {}
    for cost, route in columns:
        key = frozenset(route)
        if key not in cheapest or cost < cheapest[key][0]:
            cheapest[key] = (cost, list(route))
    solver = pywraplp.Solver.CreateSolver("SCIP")
    if solver is None:  # an OR-Tools build without SCIP: keep the searches' best
        return None
    keys = list(cheapest)
    chosen = [solver.BoolVar(f"route_{k}") for k in range(len(keys))]
    covering: list[list[pywraplp.Variable]] = [[] for _ in range(customers + 1)]
    for k, key in enumerate(keys):
        for customer in key:
            covering[customer].append(chosen[k])
    for customer in range(1, customers + 1):
        if not covering[customer]:
            return None
        solver.Add(solver.Sum(covering[customer]) == 1)
    if max_routes is not None:
        solver.Add(solver.Sum(chosen) <= max_routes)
    solver.Minimize(solver.Sum([cheapest[key][0] * chosen[k] for k, key in enumerate(keys)]))
    started = {frozenset(route) for route in start}
    solver.SetHint(chosen, [1.0 if key in started else 0.0 for key in keys])
    solver.SetTimeLimit(max(1, int(time_limit_s * 1000)))
    if solver.Solve() not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return None
    return [cheapest[key][1] for k, key in enumerate(keys) if chosen[k].solution_value() > 0.5]
