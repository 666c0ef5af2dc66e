"""The OR-Tools routing model (with `partition.py`, the only modules that import OR-Tools).

It takes an index-based `VrpProblem` (node 0 = gate; one routing vehicle per possible trip) and
returns routes as lists of nodes. Matrices are handed to OR-Tools as registered matrices, not
Python callbacks, so the search never calls back into Python for a transit.

Two searches: guided local search from a given start (the day planner: its seed is feasible where
OR-Tools' own first solutions fail), and OR-Tools' iterated local search — ruin and recreate by
string removals (SISR) with simulated-annealing acceptance — for plain CVRPs, where it makes
thousands of steps a second while guided local search accepts a move every ~13 ms
(docs/benchmarks.md).
"""

from __future__ import annotations

import dataclasses
import itertools
import multiprocessing
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Literal

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2, routing_parameters_pb2
from ortools.util import optional_boolean_pb2

from optimizer.problem import VrpProblem
from optimizer.route_pool import RoutePool

FIRST_SOLUTION = {
    "automatic": routing_enums_pb2.FirstSolutionStrategy.AUTOMATIC,
    "path_cheapest_arc": routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC,
    "savings": routing_enums_pb2.FirstSolutionStrategy.SAVINGS,
    "parallel_cheapest_insertion": routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION,
    "local_cheapest_insertion": routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION,
    "christofides": routing_enums_pb2.FirstSolutionStrategy.CHRISTOFIDES,
}

_PROGRESS_EVERY_S = 0.5

_LIGHT_OPERATORS = (
    "use_relocate",
    "use_exchange",
    "use_cross",
    "use_two_opt",
    "use_or_opt",
    "use_relocate_expensive_chain",
    "use_lin_kernighan",
)
"""The descent after each recreate, when asked for: the moves that pay on CVRPs. The full default
set (with its insertion LNS operators) makes each step several times slower for nothing."""


@dataclass(frozen=True)
class IteratedSearch:
    """Settings of OR-Tools' iterated local search (ruin and recreate instead of guided search).

    Each step removes visits — strings along nearby routes (SISR), or a random walk over
    neighbouring visits — reinserts them cheapest-first and keeps the result by a
    simulated-annealing rule. With `improve`, a local-search descent polishes every recreated
    solution (about a tenth as many steps, each better). OR-Tools seeds its random generator with
    0, so two searches differ only by these settings.
    """

    improve: bool = False
    ruin: Literal["strings", "walk"] = "strings"
    removed_visits: int = 10
    max_string: int = 10
    temperatures: tuple[float, float] | None = None
    """Annealing from the first to the second, as fractions of the mean arc cost; None lets
    OR-Tools choose (0.1 and 0.001 of a sampled mean). A search restarted from a good plan runs
    cooler, so it refines that plan instead of wandering off."""
    route_price: float = 0.0
    """A price on every route used, as a fraction of the mean way out from the gate and back. On
    days whose loads nearly fill the minimum number of trips the best plans use few routes, and a
    search that pays for each route goes where those plans are; its solutions' routes are worth
    as much to a recombination, which prices them by their own cost."""
    first_solution: str = "automatic"
    """Where the search begins when it is given no routes (a name in `FIRST_SOLUTION`). A search
    with a descent takes about a tenth as many steps as one without, so where it begins matters
    more to it."""

    def __post_init__(self) -> None:
        if self.first_solution not in FIRST_SOLUTION:
            raise ValueError(
                f"unknown first solution {self.first_solution!r}: one of {', '.join(FIRST_SOLUTION)}"
            )


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


SEGMENT_S = 10.0
"""OR-Tools' iterated search keeps every step's solution until its model is freed (about 70 MB a
second on a 125-building day, whatever the size, as bigger models step more slowly): a long search
without a descent runs as segments of about this length, each a fresh model restarted from the
best plan so far, the annealing schedule carried on from one to the next. Shorter segments cost
quality: restarting from the best every 2 s left the 272-building day 0.5% worse at 5 and 10 s."""

_AUTOMATIC_TEMPERATURES = (0.1, 0.001)
"""OR-Tools' own choice: these fractions of the mean arc cost."""


def solve_vrp(
    problem: VrpProblem,
    *,
    time_limit_s: float,
    initial_routes: Sequence[Sequence[int]] | None = None,
    first_solution: str = "automatic",
    on_progress: Callable[[Progress], None] | None = None,
    iterated: IteratedSearch | None = None,
    pool: RoutePool | None = None,
) -> VrpSolution:
    """Search for the cheapest routes within `time_limit_s`: guided local search or, with
    `iterated`, OR-Tools' iterated local search, from `initial_routes` or else a first solution
    (`first_solution` for guided search; an iterated search names its own). `pool` collects the
    routes of good solutions passed through."""
    if iterated is not None and iterated.improve and initial_routes is not None:
        # the start is held as OR-Tools' pre-assignment, which the descent would restore each step
        raise ValueError("an iterated search with a descent takes no initial routes")
    if iterated is not None:
        if first_solution != "automatic":
            raise ValueError(
                "an iterated search names its own first solution (IteratedSearch.first_solution)"
            )
        first_solution = iterated.first_solution
    started = time.monotonic()
    if iterated is None or iterated.improve or time_limit_s <= 1.5 * SEGMENT_S:
        return _one_search(
            problem,
            first_solution=first_solution,
            iterated=iterated,
            time_limit_s=time_limit_s,
            start=initial_routes,
            on_progress=on_progress,
            started=started,
            pool=pool,
        )
    # a long bare iterated search: segments of fresh models, carrying on the annealing schedule
    hot, cold = iterated.temperatures or _AUTOMATIC_TEMPERATURES
    segments = round(time_limit_s / SEGMENT_S)
    best = VrpSolution([[] for _ in problem.vehicles], None, "fail")
    start = initial_routes
    for k in range(segments):
        # exponential cooling, as OR-Tools' own schedule, cut at the segment's bounds
        temperatures = (hot * (cold / hot) ** (k / segments), hot * (cold / hot) ** ((k + 1) / segments))
        until = started + time_limit_s * (k + 1) / segments
        solution = _one_search(
            problem,
            first_solution=first_solution,
            iterated=dataclasses.replace(iterated, temperatures=temperatures),
            time_limit_s=max(until - time.monotonic(), 0.01),
            start=start,
            on_progress=on_progress,
            started=started,
            pool=pool,
        )
        if solution.objective is not None and (best.objective is None or solution.objective < best.objective):
            best = solution
            start = [route for route in solution.routes if route]
    return best


STOPPED_AT_LIMIT = "stopped_at_limit"


def solve_vrp_stopped_at_limit(
    problem: VrpProblem,
    *,
    time_limit_s: float,
    initial_routes: Sequence[Sequence[int]] | None = None,
    first_solution: str = "automatic",
    on_progress: Callable[[Progress], None] | None = None,
    grace_s: float = 0.5,
) -> VrpSolution:
    """Guided local search as `solve_vrp`, in a child process that is stopped at the limit.

    OR-Tools does not check its time limit while a neighbourhood scan finds nothing to accept,
    and on district-scale days (1,000–3,000 buildings, hundreds of trip vehicles) such a scan at
    the end of a descent ran 15–40 s past the limit: a 60 s plan of 3,000 buildings came back after
    ~100 s. The child sends every better solution as it finds it (they are rare on such days); at
    the limit the parent takes the last one and stops the child. If the child has sent none, the
    result has no routes (the caller keeps its start)."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_search_and_send,
        args=(problem, time_limit_s, initial_routes, first_solution, sender),
        daemon=True,
    )
    process.start()
    sender.close()
    deadline = time.monotonic() + time_limit_s + grace_s
    last: Progress | None = None
    try:
        while (left := deadline - time.monotonic()) > 0 and receiver.poll(left):
            try:
                kind, payload = receiver.recv()
            except EOFError:  # the child died without a result
                break
            if kind == "done":
                return payload
            last = payload
            if on_progress is not None:
                on_progress(payload)
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()
    if last is None:
        return VrpSolution([[] for _ in problem.vehicles], None, STOPPED_AT_LIMIT)
    return VrpSolution(last.routes, last.objective, STOPPED_AT_LIMIT)


def shortest_tour(cost: np.ndarray, *, time_limit_s: float) -> list[int] | None:
    """One tour from node 0 through every other node and back, as short as guided local search
    makes it in `time_limit_s`; the nodes after 0, in order, or None if the limit ran out before
    a first tour. No capacity: the tour is cut into routes afterwards (`giant_tour.split_tour`)."""
    manager = pywrapcp.RoutingIndexManager(len(cost), 1, 0)
    routing = pywrapcp.RoutingModel(manager)
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(cost.astype(np.int64).tolist()))
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = FIRST_SOLUTION["path_cheapest_arc"]
    parameters.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    parameters.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    solution = routing.SolveWithParameters(parameters)
    if solution is None:
        return None
    return _walk(routing, manager, 0, lambda i: solution.Value(routing.NextVar(i)))


def _search_and_send(
    problem: VrpProblem,
    time_limit_s: float,
    initial_routes: Sequence[Sequence[int]] | None,
    first_solution: str,
    sender: Connection,
) -> None:
    """The child's side: every solution better than the last sent goes to the parent at once."""
    best: list[int | None] = [None]

    def send(progress: Progress) -> None:
        if best[0] is None or progress.objective < best[0]:
            best[0] = progress.objective
            sender.send(("progress", progress))

    solution = _one_search(
        problem,
        first_solution=first_solution,
        iterated=None,
        time_limit_s=time_limit_s,
        start=initial_routes,
        on_progress=send,
        started=time.monotonic(),
        pool=None,
        progress_every_s=0.0,
    )
    sender.send(("done", solution))
    sender.close()


def _one_search(
    problem: VrpProblem,
    *,
    first_solution: str,
    iterated: IteratedSearch | None,
    time_limit_s: float,
    start: Sequence[Sequence[int]] | None,
    on_progress: Callable[[Progress], None] | None,
    started: float,
    pool: RoutePool | None,
    progress_every_s: float = _PROGRESS_EVERY_S,
) -> VrpSolution:
    if not problem.vehicles:
        return _without_vehicles(problem)
    search = _Search(problem, first_solution, iterated)
    try:
        if on_progress is not None:
            search.report_to(on_progress, started, every_s=progress_every_s)
        if pool is not None:
            search.collect_into(pool)
        return search.result(search.run(time_limit_s, start))
    finally:
        search.close()  # frees the model and, for an iterated search, every step's solution


def _without_vehicles(problem: VrpProblem) -> VrpSolution:
    """Nothing to search: every visit stays unserved. OR-Tools is not asked, as a model without
    vehicles crashes the whole process in its dimension set-up (a re-plan after every crew's
    shift was over took the command, or the server's planning worker, down with it)."""
    if problem.drop_penalty is None:
        return VrpSolution(
            [], None if problem.node_count > 1 else 0, "infeasible" if problem.node_count > 1 else "success"
        )
    stand_ins = {twin for _, twin in problem.late_twins}
    penalties = (int(problem.drop_penalty[n]) for n in range(1, problem.node_count) if n not in stand_ins)
    return VrpSolution([], sum(penalties), "no_vehicles")


class _Search:
    """One OR-Tools routing model and the parameters of its search."""

    def __init__(
        self, problem: VrpProblem, first_solution: str, iterated: IteratedSearch | None = None
    ) -> None:
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
        late_twin = dict(problem.late_twins)
        stand_ins = set(late_twin.values())
        if stand_ins and problem.drop_penalty is None:
            raise ValueError("late stand-ins need optional visits (a drop penalty)")
        for node in range(1, problem.node_count):
            solver_index = self.manager.NodeToIndex(node)
            if problem.drop_penalty is not None and node not in stand_ins:
                either = [node, *([late_twin[node]] if node in late_twin else [])]
                routing.AddDisjunction(
                    [self.manager.NodeToIndex(n) for n in either], int(problem.drop_penalty[node])
                )
            if problem.allowed is not None and problem.allowed[node] is not None:
                allowed = list(problem.allowed[node] or [])
                if allowed:  # -1 = not visited, which the disjunction may still choose
                    routing.VehicleVar(solver_index).SetValues([-1, *allowed])
                else:  # an empty list would mean "any vehicle" to OR-Tools
                    routing.ActiveVar(solver_index).SetValue(0)
        self.iterated = iterated
        self.parameters = pywrapcp.DefaultRoutingSearchParameters()
        self.parameters.first_solution_strategy = FIRST_SOLUTION[first_solution]
        if iterated is None:
            self.parameters.local_search_metaheuristic = (
                routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
            )
        else:
            _set_iterated(self.parameters, iterated, problem)
            if iterated.route_price > 0:
                way_out = problem.arc_cost[0][0, 1:]
                routing.SetFixedCostOfAllVehicles(int(iterated.route_price * 2 * way_out.mean()))
        self.status = "not_solved"
        self.objective: int | None = None
        self._listeners: list[Callable[[], None]] = []
        self._next_vars: list[pywrapcp.IntVar] | None = None
        self._index_to_node: list[int] = []
        self._starts: list[int] = []
        routing.AddAtSolutionCallback(self._at_solution)

    def close(self) -> None:
        """Let the model go: OR-Tools holds our solution callback, which holds this object, which
        holds the model — a cycle Python cannot see through, so it is cut here."""
        self._listeners.clear()
        self._next_vars = None
        del self.routing, self.manager

    def _at_solution(self) -> None:
        for listener in self._listeners:
            listener()

    def current_routes(self) -> list[list[int]]:
        """Routes of the solution being reported (inside a solution callback).

        An iterated search reports thousands of solutions a second, so this reads one value per
        variable from variables looked up once, and walks the routes in Python: walking them
        through the model's accessors took ~290 µs on a 125-building day, slowing the whole
        search by a third; this takes ~60 µs."""
        if self._next_vars is None:
            routing, manager = self.routing, self.manager
            self._next_vars = [routing.NextVar(i) for i in range(routing.Size())]
            ends = [routing.End(v) for v in range(self.vehicle_count)]
            self._index_to_node = [manager.IndexToNode(i) for i in range(max(ends) + 1)]
            self._starts = [routing.Start(v) for v in range(self.vehicle_count)]
        following = [var.Value() for var in self._next_vars]
        size, to_node = len(following), self._index_to_node
        routes = []
        for start in self._starts:
            route = []
            index = following[start]
            while index < size:  # indices from Size() on are the vehicles' ends
                route.append(to_node[index])
                index = following[index]
            routes.append(route)
        return routes

    def collect_into(self, pool: RoutePool) -> None:
        def collect() -> None:
            objective = int(self.routing.CostVar().Value())
            if pool.wants(objective):  # reading every route back costs; skip poor solutions
                pool.offer(objective, self.current_routes())

        self._listeners.append(collect)

    def report_to(
        self, on_progress: Callable[[Progress], None], started: float, *, every_s: float = _PROGRESS_EVERY_S
    ) -> None:
        last_report = [0.0]

        def report() -> None:
            now = time.monotonic()
            if now - last_report[0] < every_s:
                return
            last_report[0] = now
            on_progress(Progress(now - started, int(self.routing.CostVar().Value()), self.current_routes()))

        self._listeners.append(report)

    def run(
        self, time_limit_s: float, start_routes: Sequence[Sequence[int]] | None
    ) -> list[list[int]] | None:
        """One search from `start_routes` (or a first solution); None if none found."""
        self.parameters.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
        routing, manager = self.routing, self.manager
        solution, from_start = None, False
        if self.iterated is not None:
            if start_routes is not None:
                self._preassign(start_routes)
            solution = routing.SolveWithIteratedLocalSearch(self.parameters)
        elif start_routes is not None:
            as_indices = [[manager.NodeToIndex(n) for n in route] for route in start_routes]
            start = routing.ReadAssignmentFromRoutes(as_indices, True)
            if start is not None:
                from_start = True
                solution = routing.SolveFromAssignmentWithParameters(start, self.parameters)
        # A start read but no solution: the limit ran out before the search stood on it again
        # (closing a model of hundreds of trip vehicles, on a machine busy with other plans). A
        # first solution of its own in no time drops every visit it can: on a starved machine a
        # 1 s day plan delivered nothing where its seed delivered 1,500 parcels. None: the caller
        # keeps the start.
        if solution is None and self.iterated is None and not from_start:
            solution = routing.SolveWithParameters(self.parameters)
        self.status = _STATUS.get(routing.status(), str(routing.status()))
        if solution is None:
            return None
        self.objective = int(solution.ObjectiveValue())
        return [
            _walk(routing, manager, v, lambda i: solution.Value(routing.NextVar(i)))
            for v in range(self.vehicle_count)
        ]

    def _preassign(self, start_routes: Sequence[Sequence[int]]) -> None:
        """Fix the first solution to `start_routes`: OR-Tools' iterated search takes no start, but
        builds its first solution after restoring the model's pre-assignment (and never again
        when it runs without a descent)."""
        routing, manager = self.routing, self.manager
        if len(start_routes) > self.vehicle_count:
            raise ValueError(f"{len(start_routes)} start routes for {self.vehicle_count} vehicles")
        routing.CloseModelWithParameters(self.parameters)
        held = routing.MutablePreAssignment()
        routes = [*start_routes, *([[]] * (self.vehicle_count - len(start_routes)))]
        for vehicle, route in enumerate(routes):
            path = [routing.Start(vehicle), *(manager.NodeToIndex(n) for n in route), routing.End(vehicle)]
            for here, there in itertools.pairwise(path):
                held.Add(routing.NextVar(here))
                held.SetValue(routing.NextVar(here), there)

    def result(self, routes: list[list[int]] | None) -> VrpSolution:
        if routes is None:
            return VrpSolution(
                routes=[[] for _ in range(self.vehicle_count)], objective=None, status=self.status
            )
        return VrpSolution(routes=routes, objective=self.objective, status=self.status)


def _set_iterated(
    parameters: routing_parameters_pb2.RoutingSearchParameters, iterated: IteratedSearch, problem: VrpProblem
) -> None:
    parameters.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
    parameters.use_iterated_local_search = True
    ils = parameters.iterated_local_search_parameters
    ruin_recreate = ils.ruin_recreate_parameters
    del ruin_recreate.ruin_strategies[:]
    ruin = ruin_recreate.ruin_strategies.add()
    if iterated.ruin == "walk":
        ruin.random_walk.num_removed_visits = iterated.removed_visits
    else:
        ruin.sisr.avg_num_removed_visits = iterated.removed_visits
        ruin.sisr.max_removed_sequence_size = iterated.max_string
        ruin.sisr.bypass_factor = 0.01  # as the SISR paper suggests
    annealing = ils.reference_solution_acceptance_strategy.simulated_annealing
    if iterated.temperatures is None:
        annealing.automatic_temperatures = True
    else:
        costs = problem.arc_cost[0]
        mean_arc = float(costs.sum()) / max(costs.size - costs.shape[0], 1)
        annealing.initial_temperature = iterated.temperatures[0] * mean_arc
        annealing.final_temperature = iterated.temperatures[1] * mean_arc
    ils.improve_perturbed_solution = iterated.improve
    if iterated.improve:
        operators = parameters.local_search_operators
        for field in operators.DESCRIPTOR.fields:
            on = field.name in _LIGHT_OPERATORS
            setattr(
                operators,
                field.name,
                optional_boolean_pb2.BOOL_TRUE if on else optional_boolean_pb2.BOOL_FALSE,
            )


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
    if problem.loadable_s is not None:
        _add_standing(routing, manager, problem.loadable_s, time_dimension, horizon)
    if problem.deadline_s is not None:
        for node, deadline in enumerate(problem.deadline_s):
            if deadline is not None:
                time_dimension.CumulVar(manager.NodeToIndex(node)).SetMax(deadline)
    for before, after in problem.chains:
        solver.Add(
            time_dimension.CumulVar(routing.End(before)) <= time_dimension.CumulVar(routing.Start(after))
        )


def _add_standing(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    loadable_s: Sequence[int],
    time_dimension: pywrapcp.RoutingDimension,
    horizon: int,
) -> None:
    """A trip starts loading no earlier than the latest ready time of what it carries.

    A dimension that adds nothing along a route and allows no slack holds one value over the
    whole route; each visit puts a floor under it, and the trip's loading start must be at
    least that value — one variable per route instead of a constraint per visit and trip."""
    zero = routing.RegisterUnaryTransitVector([0] * len(loadable_s))
    routing.AddDimension(zero, 0, horizon, False, "ready")
    ready = routing.GetDimensionOrDie("ready")
    for node, ready_at in enumerate(loadable_s):
        if node and ready_at > horizon:  # ready after every trip's window: it cannot go out
            routing.ActiveVar(manager.NodeToIndex(node)).SetValue(0)
        elif node and ready_at:
            ready.CumulVar(manager.NodeToIndex(node)).SetMin(ready_at)
    solver = routing.solver()
    for vehicle in range(routing.vehicles()):
        solver.Add(ready.CumulVar(routing.Start(vehicle)) <= time_dimension.CumulVar(routing.Start(vehicle)))


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
