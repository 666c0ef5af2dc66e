"""The OR-Tools layer: searches give valid routes and let their models go."""

from __future__ import annotations

import gc

import numpy as np
import pytest
from ortools.constraint_solver import pywrapcp

from optimizer import routing
from optimizer.cvrp import CvrpInstance, cvrp_problem, route_cost
from optimizer.problem import TripVehicle, VrpProblem
from optimizer.route_pool import RoutePool
from optimizer.routing import IteratedSearch, solve_vrp


def _grid(vehicles: int | None = None) -> CvrpInstance:
    """24 customers on a 5 x 5 grid 100 m apart, the depot at a corner, 2 parcels each, 10 a route."""
    xy = np.array([(x, y) for x in range(5) for y in range(5)]) * 100
    travel = np.abs(xy[:, None, :] - xy[None, :, :]).sum(axis=2)
    demand = np.array([0] + [2] * 24)
    return CvrpInstance("grid", travel, demand, np.where(demand > 0, 60, 0), 10, vehicles=vehicles)


def _models_alive() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, pywrapcp.RoutingModel))


def test_every_search_lets_its_model_go() -> None:
    # OR-Tools holds the solution callback, the callback holds the search, the search the model:
    # without cutting that cycle every solve kept its model, and an iterated search's every step.
    before = _models_alive()
    problem = cvrp_problem(_grid())
    solve_vrp(problem, time_limit_s=0.1)
    solve_vrp(problem, time_limit_s=0.1, iterated=IteratedSearch(), pool=RoutePool())
    solve_vrp(problem, time_limit_s=0.1, iterated=IteratedSearch(improve=True))
    assert _models_alive() == before


def test_a_segmented_search_carries_on_from_its_best(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routing, "SEGMENT_S", 0.15)  # 1 s: about seven fresh models in a row
    instance = _grid(vehicles=24)
    start = [[n] for n in range(1, 11)] + [list(range(11, 16)), list(range(16, 21)), list(range(21, 25))]
    pool = RoutePool(margin=100.0)
    solution = solve_vrp(
        cvrp_problem(instance), time_limit_s=1.0, iterated=IteratedSearch(), initial_routes=start, pool=pool
    )
    routes = [route for route in solution.routes if route]
    assert solution.objective == route_cost(instance, routes) < route_cost(instance, start)
    assert {tuple(route) for route in start} <= set(pool.routes())
    assert pool.best_objective == solution.objective  # no segment lost the best found before it
    assert _models_alive() == 0


@pytest.mark.parametrize("first_solution", list(routing.FIRST_SOLUTION))
def test_an_iterated_search_gives_a_valid_plan_from_every_first_solution(first_solution: str) -> None:
    instance = _grid()
    settings = IteratedSearch(improve=True, first_solution=first_solution)
    solution = solve_vrp(cvrp_problem(instance), time_limit_s=0.2, iterated=settings)
    routes = [route for route in solution.routes if route]
    assert solution.objective == route_cost(instance, routes)  # every customer once, loads fit


def test_a_first_solution_is_named_once_and_known() -> None:
    with pytest.raises(ValueError, match="unknown first solution 'sweep'"):
        IteratedSearch(first_solution="sweep")
    with pytest.raises(ValueError, match="names its own first solution"):
        solve_vrp(
            cvrp_problem(_grid()), time_limit_s=0.1, iterated=IteratedSearch(), first_solution="savings"
        )


def test_a_trip_loads_no_earlier_than_what_it_carries_has_stood() -> None:
    """Two trips from a gate with two buildings 100 s away: the early trip (loading from 0, back by
    1,000 s) is the natural home of both, but building 2 stands until 3,000 s, so only the late
    trip (5,000–10,000 s) may carry it."""
    transit = np.array([[0, 100, 100], [100, 0, 10], [100, 10, 0]], dtype=np.int64)
    early = TripVehicle(capacity=10, transit=0, cost=0, earliest_s=0, latest_s=1_000)
    late = TripVehicle(capacity=10, transit=0, cost=0, earliest_s=5_000, latest_s=10_000)
    problem = VrpProblem(
        demand=np.array([0, 1, 1]),
        transit_s=[transit],
        arc_cost=[transit],
        vehicles=[early, late],
        loadable_s=[0, 0, 3_000],
    )
    solution = solve_vrp(problem, time_limit_s=1.0)
    assert solution.found
    assert 2 in solution.routes[1] and 2 not in solution.routes[0]
    unready = VrpProblem(  # standing past every trip's window: left out, as a barred visit is
        demand=problem.demand,
        transit_s=[transit],
        arc_cost=[transit],
        vehicles=[early, late],
        loadable_s=[0, 0, 20_000],
    )
    left_out = solve_vrp(unready, time_limit_s=1.0)
    assert left_out.found and all(2 not in route for route in left_out.routes)


def test_a_problem_without_vehicles_leaves_every_visit_and_the_process_standing() -> None:
    """OR-Tools crashes the process on a model without vehicles (a segmentation fault in its
    dimension set-up), which a re-plan after every crew's shift was over asked for."""
    transit = np.array([[0, 100, 100], [100, 0, 10], [100, 10, 0]], dtype=np.int64)
    optional = VrpProblem(
        demand=np.array([0, 1, 1]),
        transit_s=[transit],
        arc_cost=[transit],
        vehicles=[],
        drop_penalty=np.array([0, 500, 700]),
    )
    for search in (solve_vrp, routing.solve_vrp_stopped_at_limit):
        none = search(optional, time_limit_s=0.5)
        assert (none.routes, none.objective) == ([], 1_200)
    required = VrpProblem(demand=np.array([0, 1, 1]), transit_s=[transit], arc_cost=[transit], vehicles=[])
    assert not solve_vrp(required, time_limit_s=0.5).found


def test_a_search_stopped_at_the_limit_gives_its_last_solution_or_its_own_result() -> None:
    instance = _grid()
    problem = cvrp_problem(instance)
    seen: list[routing.Progress] = []
    # Ended by its own limit: the child's result comes back as solve_vrp would give it.
    done = routing.solve_vrp_stopped_at_limit(
        problem, time_limit_s=0.5, first_solution="path_cheapest_arc", on_progress=seen.append
    )
    assert done.found and done.status != routing.STOPPED_AT_LIMIT
    assert route_cost(instance, done.routes) == done.objective  # every customer once, within capacity
    assert seen and [p.objective for p in seen] == sorted((p.objective for p in seen), reverse=True)
    assert done.objective <= seen[-1].objective
    # Stopped by the parent (its deadline before the child's): the last solution sent, valid.
    stopped = routing.solve_vrp_stopped_at_limit(
        problem, time_limit_s=5.0, first_solution="path_cheapest_arc", grace_s=-4.5
    )
    assert stopped.status == routing.STOPPED_AT_LIMIT
    assert route_cost(instance, stopped.routes) == stopped.objective


def test_a_search_out_of_time_before_it_stood_on_its_start_leaves_the_start_to_the_caller(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # On a machine busy with other plans the limit can run out while OR-Tools closes a large
    # model: its first solution of its own then dropped every visit, and a day plan delivered
    # nothing where its start delivered most. Not found: the planner keeps its start.
    problem = cvrp_problem(_grid(vehicles=24))
    start = [list(range(first, min(first + 5, 25))) for first in range(1, 25, 5)]
    assert solve_vrp(problem, time_limit_s=0.1, initial_routes=start).found
    monkeypatch.setattr(pywrapcp.RoutingModel, "SolveFromAssignmentWithParameters", lambda *_: None)
    out_of_time = solve_vrp(problem, time_limit_s=0.1, initial_routes=start)
    assert not out_of_time.found and not any(out_of_time.routes)
    assert solve_vrp(problem, time_limit_s=0.1).found  # with no start, its own first solution
