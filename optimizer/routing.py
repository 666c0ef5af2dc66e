"""The OR-Tools model: the only module that imports OR-Tools.

It takes an index-based `VrpProblem` (node 0 = gate; one routing vehicle per possible trip) and
returns routes as lists of nodes. Matrices are handed to OR-Tools as registered matrices, not
Python callbacks, so the search never calls back into Python for a transit.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from optimizer.problem import VrpProblem

FIRST_SOLUTION = {
    "automatic": routing_enums_pb2.FirstSolutionStrategy.AUTOMATIC,
    "path_cheapest_arc": routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC,
    "savings": routing_enums_pb2.FirstSolutionStrategy.SAVINGS,
    "parallel_cheapest_insertion": routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION,
    "local_cheapest_insertion": routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION,
    "christofides": routing_enums_pb2.FirstSolutionStrategy.CHRISTOFIDES,
}

_PROGRESS_EVERY_S = 0.5


@dataclass(frozen=True)
class Progress:
    elapsed_s: float
    objective: int
    routes: list[list[int]]


@dataclass(frozen=True)
class VrpSolution:
    routes: list[list[int]]  # per routing vehicle, the nodes visited in order (gate left out)
    objective: int | None  # None when the search found nothing
    status: str

    @property
    def found(self) -> bool:
        return self.objective is not None


def solve_vrp(
    problem: VrpProblem,
    *,
    time_limit_s: float,
    initial_routes: Sequence[Sequence[int]] | None = None,
    first_solution: str = "automatic",
    on_progress: Callable[[Progress], None] | None = None,
) -> VrpSolution:
    """Search for the cheapest routes within `time_limit_s` with guided local search."""
    search = _Search(problem, first_solution)
    if on_progress is not None:
        search.report_to(on_progress, time.monotonic())
    return search.result(search.run(time_limit_s, initial_routes))


class _Search:
    """One OR-Tools routing model, searched as many times as asked (each run restarts GLS)."""

    def __init__(self, problem: VrpProblem, first_solution: str) -> None:
        self.problem = problem
        vehicle_count = len(problem.vehicles)
        self.vehicle_count = vehicle_count
        self.manager = pywrapcp.RoutingIndexManager(problem.node_count, vehicle_count, 0)
        self.routing = routing = pywrapcp.RoutingModel(self.manager)
        transit_ids = [routing.RegisterTransitMatrix(m.tolist()) for m in problem.transit_s]
        cost_ids = []
        for matrix in problem.arc_cost:
            same = [k for k, t in enumerate(problem.transit_s) if t is matrix]
            cost_ids.append(transit_ids[same[0]] if same else routing.RegisterTransitMatrix(matrix.tolist()))
        for vehicle, trip in enumerate(problem.vehicles):
            routing.SetArcCostEvaluatorOfVehicle(cost_ids[trip.cost], vehicle)
        demand_id = routing.RegisterUnaryTransitVector([int(d) for d in problem.demand])
        routing.AddDimensionWithVehicleCapacity(
            demand_id, 0, [trip.capacity for trip in problem.vehicles], True, "load"
        )
        if problem.timed:
            _add_time(routing, self.manager, problem, transit_ids)
        for node in range(1, problem.node_count):
            solver_index = self.manager.NodeToIndex(node)
            if problem.drop_penalty is not None:
                routing.AddDisjunction([solver_index], int(problem.drop_penalty[node]))
            if problem.allowed is not None and problem.allowed[node] is not None:
                allowed = list(problem.allowed[node] or [])
                if allowed:  # -1 = not visited, which the disjunction may still choose
                    routing.VehicleVar(solver_index).SetValues([-1, *allowed])
                else:  # an empty list would mean "any vehicle" to OR-Tools
                    routing.ActiveVar(solver_index).SetValue(0)
        self.parameters = pywrapcp.DefaultRoutingSearchParameters()
        self.parameters.first_solution_strategy = FIRST_SOLUTION[first_solution]
        self.parameters.local_search_metaheuristic = (
            routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        )
        self.status = "not_solved"
        self.objective: int | None = None
        self._listeners: list[Callable[[], None]] = []
        routing.AddAtSolutionCallback(self._at_solution)

    def _at_solution(self) -> None:
        for listener in self._listeners:
            listener()

    def current_routes(self) -> list[list[int]]:
        """Routes of the solution being reported (inside a solution callback)."""
        return [
            _walk(self.routing, self.manager, v, lambda i: self.routing.NextVar(i).Value())
            for v in range(self.vehicle_count)
        ]

    def report_to(self, on_progress: Callable[[Progress], None], started: float) -> None:
        last_report = [0.0]

        def report() -> None:
            now = time.monotonic()
            if now - last_report[0] < _PROGRESS_EVERY_S:
                return
            last_report[0] = now
            on_progress(Progress(now - started, int(self.routing.CostVar().Value()), self.current_routes()))

        self._listeners.append(report)

    def run(
        self, time_limit_s: float, start_routes: Sequence[Sequence[int]] | None
    ) -> list[list[int]] | None:
        """One guided local search from `start_routes` (or a first solution); None if none found."""
        self.parameters.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
        routing, manager = self.routing, self.manager
        solution = None
        if start_routes is not None:
            as_indices = [[manager.NodeToIndex(n) for n in route] for route in start_routes]
            start = routing.ReadAssignmentFromRoutes(as_indices, True)
            if start is not None:
                solution = routing.SolveFromAssignmentWithParameters(start, self.parameters)
        if solution is None:
            solution = routing.SolveWithParameters(self.parameters)
        self.status = _STATUS.get(routing.status(), str(routing.status()))
        if solution is None:
            return None
        self.objective = int(solution.ObjectiveValue())
        return [
            _walk(routing, manager, v, lambda i: solution.Value(routing.NextVar(i)))
            for v in range(self.vehicle_count)
        ]

    def result(self, routes: list[list[int]] | None) -> VrpSolution:
        if routes is None:
            return VrpSolution(
                routes=[[] for _ in range(self.vehicle_count)], objective=None, status=self.status
            )
        return VrpSolution(routes=routes, objective=self.objective, status=self.status)


def _add_time(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    problem: VrpProblem,
    transit_ids: list[int],
) -> None:
    """Trip windows (loading to return inside the shift) and the chaining of a crew's trips."""
    horizon = max(trip.latest_s for trip in problem.vehicles)
    routing.AddDimensionWithVehicleTransits(
        [transit_ids[trip.transit] for trip in problem.vehicles], horizon, horizon, False, "time"
    )
    time_dimension = routing.GetDimensionOrDie("time")
    for vehicle, trip in enumerate(problem.vehicles):
        time_dimension.CumulVar(routing.Start(vehicle)).SetRange(trip.earliest_s, trip.latest_s)
        time_dimension.CumulVar(routing.End(vehicle)).SetMax(trip.latest_s)
    solver = routing.solver()
    load_dimension = routing.GetDimensionOrDie("load")
    for bound in problem.sort_bounds:
        waited = time_dimension.CumulVar(routing.Start(bound.vehicle)) + bound.reload_s - bound.opens_s
        sorted_parcels = sum(load_dimension.CumulVar(routing.End(v)) for v in bound.loads)
        solver.Add(10 * bound.sorters * waited >= bound.tenths_per_parcel * sorted_parcels)
    if problem.soft_end_s is not None:
        for vehicle, soft in enumerate(problem.soft_end_s):
            if soft is not None:
                time_dimension.SetCumulVarSoftUpperBound(routing.End(vehicle), soft[0], soft[1])
    if problem.deadline_s is not None:
        for node, window in enumerate(problem.deadline_s):
            if window is not None:
                opens, deadline = window
                solver_index = manager.NodeToIndex(node)
                time_dimension.CumulVar(solver_index).SetMax(deadline)
                # served first where that costs little: a small price on every second after opening
                time_dimension.SetCumulVarSoftUpperBound(solver_index, opens, 1)
    for before, after in problem.chains:
        solver.Add(
            time_dimension.CumulVar(routing.End(before)) <= time_dimension.CumulVar(routing.Start(after))
        )


def _walk(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    vehicle: int,
    next_of: Callable[[int], int],
) -> list[int]:
    nodes = []
    solver_index = next_of(routing.Start(vehicle))
    while not routing.IsEnd(solver_index):
        nodes.append(manager.IndexToNode(solver_index))
        solver_index = next_of(solver_index)
    return nodes


_STATUS = {
    0: "not_solved",
    1: "success",
    2: "partial_success_local_optimum_not_reached",
    3: "fail",
    4: "fail_timeout",
    5: "invalid",
    6: "infeasible",
    7: "optimal",
}
