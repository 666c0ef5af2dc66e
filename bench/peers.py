"""The peer solvers, fed the same matrix, demands, service times and capacity (optional `bench` extra)."""

from __future__ import annotations

import time
from datetime import timedelta

import numpy as np

from optimizer.cvrp import CvrpInstance, route_cost


def solve_pyvrp(instance: CvrpInstance, *, time_limit_s: float, seed: int = 0) -> tuple[int, float]:
    import pyvrp
    from pyvrp.stop import MaxRuntime

    n = instance.customers
    # Service is paid on leaving a node: travel + service of the origin, as OneBell's model does.
    matrix = (instance.travel + instance.service[:, None]).astype(np.int64)
    np.fill_diagonal(matrix, 0)
    data = pyvrp.ProblemData(
        [pyvrp.Location(0, 0) for _ in range(n + 1)],
        [pyvrp.Client(k, delivery=[int(instance.demand[k])]) for k in range(1, n + 1)],
        [pyvrp.Depot(0)],
        [pyvrp.VehicleType(instance.vehicles or n, capacity=[instance.capacity])],
        [matrix],
        [matrix],
    )
    started = time.monotonic()
    result = pyvrp.solve(data, stop=MaxRuntime(time_limit_s), seed=seed)
    elapsed = time.monotonic() - started
    if not result.is_feasible():
        raise RuntimeError(f"PyVRP found no feasible solution for {instance.name}")
    routes = [
        [activity.idx + 1 for activity in route.schedule() if activity.type.name == "CLIENT"]
        for route in result.best.routes()
    ]
    return route_cost(instance, routes), elapsed


def solve_vroom(instance: CvrpInstance, *, time_limit_s: float) -> tuple[int, float]:
    import vroom

    problem = vroom.Input()
    matrix = (instance.travel + instance.service[:, None]).astype(np.int64)
    np.fill_diagonal(matrix, 0)
    problem.set_durations_matrix(profile="car", matrix_input=matrix.tolist())
    count = instance.vehicles or instance.customers
    problem.add_vehicle(
        [vroom.Vehicle(v, start=0, end=0, capacity=[instance.capacity]) for v in range(count)]
    )
    problem.add_job(
        [
            vroom.Job(k, location=k, delivery=[int(instance.demand[k])])
            for k in range(1, instance.customers + 1)
        ]
    )
    started = time.monotonic()
    solution = problem.solve(exploration_level=5, nb_threads=2, timeout=timedelta(seconds=time_limit_s))
    elapsed = time.monotonic() - started
    routes_frame = solution.routes
    jobs = routes_frame[routes_frame["type"] == "job"]
    routes = [list(group["id"]) for _, group in jobs.groupby("vehicle_id", sort=False)]
    return route_cost(instance, routes), elapsed
