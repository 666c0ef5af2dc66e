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
    return _cover(list(_cheapest_per_set(columns).values()), customers, start, time_limit_s, max_routes)


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
    best = [cheapest[frozenset(route)][1] for route in start]  # each in its cheapest known order
    best_cost = sum(cheapest[frozenset(route)][0] for route in best)
    relaxation = _relaxation(every, customers, time_limit_s, max_routes)
    if relaxation is None:
        return None
    bound, covering, fleet = relaxation
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
        chosen = _cover(offered, customers, best, left, max_routes)
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


class _Model:
    """The set-partitioning model of `columns`: a MIP (SCIP) or its linear relaxation (GLOP)."""

    def __init__(
        self, columns: list[tuple[int, list[int]]], customers: int, max_routes: int | None, *, integral: bool
    ) -> None:
        solver = pywraplp.Solver.CreateSolver("SCIP" if integral else "GLOP")
        self.solver = solver
        self.complete = solver is not None  # False: an OR-Tools build without SCIP
        if solver is None:
            return
        self.chosen = [
            solver.BoolVar(f"route_{k}") if integral else solver.NumVar(0, 1, f"route_{k}")
            for k in range(len(columns))
        ]
        # coefficients set one by one: building sums of thousands of terms in Python took more
        # than twice as long
        self.rows = [solver.Constraint(1, 1) for _ in range(customers)]
        covered = [False] * (customers + 1)
        self.fleet = solver.Constraint(0, len(columns) if max_routes is None else max_routes)
        objective = solver.Objective()
        for chosen, (cost, route) in zip(self.chosen, columns, strict=True):
            for customer in route:
                self.rows[customer - 1].SetCoefficient(chosen, 1)
                covered[customer] = True
            self.fleet.SetCoefficient(chosen, 1)
            objective.SetCoefficient(chosen, cost)
        objective.SetMinimization()
        self.complete = all(covered[1:])  # False: a customer no column visits

    def solved(self, time_limit_s: float) -> bool:
        if not self.complete:
            return False
        self.solver.SetTimeLimit(max(1, int(time_limit_s * 1000)))
        return self.solver.Solve() in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE)


def _cover(
    columns: list[tuple[int, list[int]]],
    customers: int,
    start: Sequence[Sequence[int]],
    time_limit_s: float,
    max_routes: int | None,
) -> list[list[int]] | None:
    """The MIP's best cover in the time, SCIP hinted with `start`; None if it found none."""
    model = _Model(columns, customers, max_routes, integral=True)
    if model.complete:
        started = {frozenset(route) for route in start}
        model.solver.SetHint(
            model.chosen, [1.0 if frozenset(route) in started else 0.0 for _, route in columns]
        )
    if not model.solved(time_limit_s):
        return None
    return [route for k, (_, route) in enumerate(columns) if model.chosen[k].solution_value() > 0.5]


def _relaxation(
    columns: list[tuple[int, list[int]]], customers: int, time_limit_s: float, max_routes: int | None
) -> tuple[float, list[float], float] | None:
    """The linear relaxation's bound, the duals of the customers' rows, and the fleet row's dual."""
    model = _Model(columns, customers, max_routes, integral=False)
    if not model.solved(time_limit_s):
        return None
    return (
        model.solver.Objective().Value(),
        [row.dual_value() for row in model.rows],
        model.fleet.dual_value(),
    )
