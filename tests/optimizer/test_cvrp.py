"""The plain-CVRP entry: the same OR-Tools model, checked by an independent route evaluator."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pytest

from optimizer import cvrp
from optimizer import partition as partition_module
from optimizer.cvrp import (
    FIRST_ROUND,
    CvrpInstance,
    FromGiantTour,
    Search,
    cvrp_problem,
    route_cost,
    solve_cvrp,
)
from optimizer.giant_tour import TourSplitError, improved_tour, nearest_neighbour_tour, split_tour, tour_cost
from optimizer.partition import best_partition, narrowed_partition
from optimizer.route_pool import RoutePool
from optimizer.routing import IteratedSearch, shortest_tour, solve_vrp


def _line(capacity: int) -> CvrpInstance:
    """Depot at 0 and four customers at 1, 2, 3, 4 km along a line; travel = distance."""
    positions = np.array([0, 1, 2, 3, 4])
    travel = np.abs(positions[:, None] - positions[None, :]) * 1000
    demand = np.array([0, 3, 3, 3, 3])
    return CvrpInstance("line", travel, demand, np.array([0, 10, 10, 10, 10]), capacity)


def _grid(side: int, capacity: int) -> CvrpInstance:
    """Customers on a side x side grid 100 m apart, the depot at a corner; Manhattan travel."""
    points = [(0, 0), *((x, y) for x in range(side) for y in range(side) if (x, y) != (0, 0))]
    xy = np.array(points) * 100
    travel = np.abs(xy[:, None, :] - xy[None, :, :]).sum(axis=2)
    demand = np.array([0] + [1 + (k % 4) for k in range(1, len(points))])
    service = np.where(demand > 0, 60 + 4 * demand, 0)
    return CvrpInstance("grid", travel, demand, service, capacity)


@pytest.mark.parametrize("first_round", [(IteratedSearch(),), FIRST_ROUND])
def test_one_route_when_everything_fits(first_round: tuple[Search, ...]) -> None:
    solution = solve_cvrp(_line(12), time_limit_s=0.5, first_round=first_round)
    assert solution.cost == 8000 + 40 and len(solution.routes) == 1
    assert route_cost(_line(12), solution.routes) == solution.cost


def test_capacity_forces_two_routes_and_the_best_split() -> None:
    solution = solve_cvrp(
        _line(6), time_limit_s=0.5, first_round=(IteratedSearch(improve=True),), restarts=()
    )
    # Best: {1, 2} out and back (4 km) and {3, 4} (8 km).
    assert sorted(sorted(r) for r in solution.routes) == [[1, 2], [3, 4]]
    assert solution.cost == route_cost(_line(6), solution.routes) == 12000 + 40


def test_two_rounds_give_a_valid_plan_no_worse_than_any_search_in_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cvrp, "FIRST_ROUND_MIN_S", 0.5)  # both rounds inside a test's 2 s
    monkeypatch.setattr(cvrp, "SECOND_ROUND_MIN_S", 0.5)
    rounds: list[list[int]] = []
    absorb = cvrp._Recombination.absorb

    def recording(
        self: cvrp._Recombination, outcomes: Sequence[tuple[list[list[int]] | None, list[list[int]]]]
    ) -> None:
        rounds.append([route_cost(self.instance, best) for best, _ in outcomes if best is not None])
        absorb(self, outcomes)

    monkeypatch.setattr(cvrp._Recombination, "absorb", recording)
    instance = _grid(6, capacity=10)
    together = solve_cvrp(instance, time_limit_s=2.0)
    assert route_cost(instance, together.routes) == together.cost  # every customer once, loads fit
    assert [len(searches) for searches in rounds] == [len(FIRST_ROUND), len(cvrp.RESTARTS)]
    # each recombination starts from the best plan so far, so no search's plan is lost on the way
    # (comparing with searches run on their own instead depended on the machine's load)
    assert together.cost <= min(min(searches) for searches in rounds)


def test_the_pool_holds_the_best_solution_and_every_route_fits() -> None:
    instance = _grid(5, capacity=8)
    pool = RoutePool(margin=0.02)
    solution = solve_vrp(cvrp_problem(instance), time_limit_s=0.5, iterated=IteratedSearch(), pool=pool)
    best = [route for route in solution.routes if route]
    assert pool.best_objective == solution.objective == route_cost(instance, best)
    kept = {tuple(route) for route in pool.routes()}
    assert {tuple(route) for route in best} <= kept
    assert all(instance.demand[list(route)].sum() <= instance.capacity for route in kept)


def test_every_solution_read_during_a_search_is_whole_and_costs_what_the_search_says() -> None:
    instance = _grid(5, capacity=8)

    class Recording(RoutePool):
        def __init__(self) -> None:
            super().__init__(margin=10.0)
            self.solutions: list[tuple[int, list[list[int]]]] = []

        def offer(self, objective: int, routes: Iterable[Sequence[int]]) -> None:
            routes = [list(route) for route in routes]
            self.solutions.append((objective, routes))
            super().offer(objective, routes)

    pool = Recording()
    solve_vrp(cvrp_problem(instance), time_limit_s=0.3, iterated=IteratedSearch(), pool=pool)
    assert len(pool.solutions) > 10
    for objective, routes in pool.solutions:  # the routes as read back inside the search's callback
        assert route_cost(instance, routes) == objective


def test_a_restart_begins_at_its_start_and_ends_better() -> None:
    grid = _grid(6, capacity=10)
    instance = CvrpInstance("grid", grid.travel, grid.demand, grid.service, 10, vehicles=grid.customers)
    start = [[n] for n in range(1, instance.customers + 1)]  # one customer a route: poor but valid
    pool = RoutePool(margin=10.0)  # keeps every solution passed through
    solution = solve_vrp(
        cvrp_problem(instance), time_limit_s=0.5, iterated=IteratedSearch(), initial_routes=start, pool=pool
    )
    assert {tuple(route) for route in start} <= set(pool.routes())  # the start was the first solution
    assert route_cost(instance, [r for r in solution.routes if r]) < route_cost(instance, start)


@pytest.mark.parametrize("improve", [False, True])
def test_a_route_price_is_paid_per_route_and_decides_a_tie(improve: bool) -> None:
    # customers 1 km either side of the gate: one route or two both ride 4 km
    travel = np.array([[0, 1000, 1000], [1000, 0, 2000], [1000, 2000, 0]])
    instance = CvrpInstance("both ways", travel, np.array([0, 1, 1]), np.array([0, 10, 10]), capacity=2)
    search = IteratedSearch(improve=improve, route_price=0.5)  # half of the 2 km round trip
    solution = solve_vrp(cvrp_problem(instance), time_limit_s=0.3, iterated=search)
    routes = [route for route in solution.routes if route]
    assert len(routes) == 1
    assert solution.objective == route_cost(instance, routes) + 1000 == 4000 + 20 + 1000


def test_a_search_with_a_descent_takes_no_start() -> None:
    with pytest.raises(ValueError, match="no initial routes"):
        solve_vrp(
            cvrp_problem(_line(6)),
            time_limit_s=0.1,
            iterated=IteratedSearch(improve=True),
            initial_routes=[[1]],
        )


def _cheapest_exact_cover(cost_of: dict[frozenset[int], int], left: frozenset[int], routes: int) -> float:
    """By enumeration: the route covering the lowest customer left, then the rest the same way."""
    if not left:
        return 0
    if routes == 0:
        return float("inf")
    lowest = min(left)
    return min(
        (
            cost + _cheapest_exact_cover(cost_of, left - key, routes - 1)
            for key, cost in cost_of.items()
            if lowest in key and key <= left
        ),
        default=float("inf"),
    )


@pytest.mark.parametrize("method", ["scip", "narrowed", "narrowed to the whole gap at once"])
@pytest.mark.parametrize("seed", [2, 4, 23])
@pytest.mark.parametrize("max_routes", [None, 2, 3])
def test_partition_finds_the_cheapest_exact_cover_by_brute_force(
    method: str, seed: int, max_routes: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    partition = best_partition if method == "scip" else narrowed_partition
    if method == "narrowed to the whole gap at once":  # any wrong sign in the pricing shows here
        monkeypatch.setattr(partition_module, "NARROWING", (1.0,))
    rng = np.random.default_rng(seed)
    customers = 7
    columns = [
        (
            int(rng.integers(5, 40)),
            sorted(int(c) + 1 for c in rng.choice(customers, size=int(rng.integers(1, 5)), replace=False)),
        )
        for _ in range(60)
    ]
    columns += [(50, [c]) for c in range(1, customers + 1)]  # singletons: a cover always exists
    columns += [(200, list(range(1, customers + 1)))]  # and one within any fleet
    start = [list(range(1, customers + 1))]
    chosen = partition(columns, customers=customers, start=start, time_limit_s=5, max_routes=max_routes)
    assert chosen is not None
    assert sorted(c for route in chosen for c in route) == list(range(1, customers + 1))
    assert max_routes is None or len(chosen) <= max_routes
    cost_of = {}
    for cost, route in columns:
        key = frozenset(route)
        cost_of[key] = min(cost, cost_of.get(key, cost))
    best = _cheapest_exact_cover(cost_of, frozenset(range(1, customers + 1)), max_routes or customers)
    assert sum(cost_of[frozenset(route)] for route in chosen) == best


@pytest.mark.parametrize("partition", [best_partition, narrowed_partition])
def test_partition_gives_up_when_a_customer_is_in_no_column(
    partition: Callable[..., list[list[int]] | None],
) -> None:
    assert partition([(1, [1])], customers=2, start=[[1]], time_limit_s=1) is None


def test_partition_keeps_to_the_fleet() -> None:
    columns = [(1, [1]), (1, [2]), (1, [3]), (5, [1, 2, 3])]
    start = [[1], [2], [3]]
    assert best_partition(columns, customers=3, start=start, time_limit_s=1) == start
    assert best_partition(columns, customers=3, start=start, time_limit_s=1, max_routes=2) == [[1, 2, 3]]


def test_the_evaluator_rejects_bad_routes() -> None:
    instance = _line(6)
    with pytest.raises(ValueError, match="carries 9, capacity is 6"):
        route_cost(instance, [[1, 2, 3], [4]])
    with pytest.raises(ValueError, match="every customer exactly once"):
        route_cost(instance, [[1, 2], [3]])


def _cut_costs_by_enumeration(instance: CvrpInstance, tour: list[int]) -> int:
    """The cheapest cut of `tour` into routes within capacity, trying every set of cut positions."""
    best = None
    for mask in range(2 ** (len(tour) - 1)):
        routes, route = [], [tour[0]]
        for k, customer in enumerate(tour[1:]):
            if mask >> k & 1:
                routes.append(route)
                route = []
            route.append(customer)
        routes.append(route)
        if all(instance.demand[r].sum() <= instance.capacity for r in routes):
            cost = route_cost(instance, routes)
            best = cost if best is None else min(best, cost)
    assert best is not None
    return best


@pytest.mark.parametrize("seed", [1, 5, 9, 14])
def test_a_tour_is_cut_where_it_costs_least(seed: int) -> None:
    rng = np.random.default_rng(seed)
    xy = rng.integers(0, 1000, size=(9, 2))
    travel = np.abs(xy[:, None, :] - xy[None, :, :]).sum(axis=2)
    demand = np.array([0, *rng.integers(1, 6, size=8)])
    instance = CvrpInstance("random", travel, demand, np.where(demand > 0, 30, 0), capacity=8)
    transit = cvrp_problem(instance).transit_s[0]
    tour = [int(c) for c in rng.permutation(np.arange(1, 9))]
    routes = split_tour(transit, instance.demand, instance.capacity, tour)
    assert [c for route in routes for c in route] == tour  # consecutive pieces, in order
    assert all(instance.demand[route].sum() <= instance.capacity for route in routes)
    assert route_cost(instance, routes) == _cut_costs_by_enumeration(instance, tour)


def test_the_nearest_neighbour_tour_goes_to_the_nearest_customer_left_each_time() -> None:
    #   depot 0 at x=0; customers at x = 50, 300, 120, -100 (1..4): 1 (50), 3 (120), 2 (300), 4 (-100)
    x = np.array([0, 50, 300, 120, -100])
    assert nearest_neighbour_tour(np.abs(x[:, None] - x[None, :])) == [1, 3, 2, 4]


def test_a_customer_over_capacity_cannot_be_cut_into_a_route() -> None:
    instance = _line(capacity=2)  # every customer needs 3
    with pytest.raises(TourSplitError, match="customer 1 needs 3"):
        split_tour(cvrp_problem(instance).transit_s[0], instance.demand, 2, [1, 2, 3, 4])


def test_the_shortest_tour_visits_every_customer_once_and_is_shortest_on_a_small_site() -> None:
    instance = _grid(3, capacity=100)  # 8 customers on a grid: few enough to try every order
    transit = cvrp_problem(instance).transit_s[0]
    tour = shortest_tour(transit, time_limit_s=0.3)
    assert sorted(tour) == list(range(1, instance.customers + 1))
    shortest = min(
        route_cost(instance, [list(order)])
        for order in itertools.permutations(range(1, instance.customers + 1))
    )
    assert route_cost(instance, [tour]) == shortest


def test_an_improved_tour_reaches_the_shortest_order_of_one_trip_from_a_poor_one() -> None:
    instance = _grid(3, capacity=100)  # 8 customers: few enough to try every order
    transit = cvrp_problem(instance).transit_s[0]
    shortest = min(
        tour_cost(transit, order) for order in itertools.permutations(range(1, instance.customers + 1))
    )
    zigzag = [1, 8, 2, 7, 3, 6, 4, 5]
    assert tour_cost(transit, zigzag) > shortest
    improved = improved_tour(transit, zigzag)
    assert sorted(improved) == list(range(1, instance.customers + 1))
    assert tour_cost(transit, improved) == shortest == route_cost(instance, [improved])
    # one way dearer than the other (a one-way lane round the block): the cheap direction is kept
    one_way = np.array([[0, 1, 9, 9], [9, 0, 1, 9], [9, 9, 0, 1], [1, 9, 9, 0]])
    assert improved_tour(one_way, [3, 2, 1]) == [1, 2, 3]


def test_a_search_from_a_giant_tour_begins_at_its_cut_and_keeps_capacity(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    instance = _grid(6, capacity=10)
    problem = cvrp_problem(instance)
    starts: list[list[list[int]]] = []
    original = cvrp.solve_vrp

    def recording(*args: object, **kwargs: Any) -> Any:
        starts.append(kwargs["initial_routes"])
        return original(*args, **kwargs)

    monkeypatch.setattr(cvrp, "solve_vrp", recording)
    best, pool = cvrp._search(problem, time.monotonic() + 0.6, FromGiantTour(IteratedSearch(), 0.2), None)
    [start] = starts
    assert sorted(c for route in start for c in route) == list(range(1, instance.customers + 1))
    assert all(instance.demand[route].sum() <= instance.capacity for route in start)
    assert pool and best is not None and route_cost(instance, best) <= route_cost(instance, start)
    assert sorted(c for route in best for c in route) == list(range(1, instance.customers + 1))
    assert all(instance.demand[route].sum() <= instance.capacity for route in best)


def test_the_first_rounds_bare_search_removes_a_share_of_the_customers_each_step(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Five visits a step on a compound day of 100-125 buildings, ten (SISR's own) from 250 on:
    the ruin the same part of the plan whatever the day's size."""
    bare = cvrp.FIRST_ROUND[0]
    assert isinstance(bare, FromGiantTour)
    assert [bare.sized_for(n).removed_visits for n in (40, 102, 125, 200, 272, 501)] == [5, 5, 5, 8, 10, 10]
    assert FromGiantTour(IteratedSearch(removed_visits=7)).sized_for(125).removed_visits == 7  # no share
    used: list[IteratedSearch] = []
    original = cvrp.solve_vrp

    def recording(*args: object, **kwargs: Any) -> Any:
        used.append(kwargs["iterated"])
        return original(*args, **kwargs)

    monkeypatch.setattr(cvrp, "solve_vrp", recording)
    problem = cvrp_problem(_grid(6, capacity=10))  # 35 customers
    cvrp._search(problem, time.monotonic() + 0.3, bare, None)
    assert [search.removed_visits for search in used] == [5]


def test_a_search_from_a_giant_tour_is_a_bare_search() -> None:
    with pytest.raises(ValueError, match="bare search"):
        FromGiantTour(IteratedSearch(improve=True))


def test_small_loads_begin_from_or_tools_own_first_solution(monkeypatch: pytest.MonkeyPatch) -> None:
    grid = _grid(6, capacity=10)
    many_small = CvrpInstance("grid", grid.travel, np.minimum(grid.demand, 1), grid.service, capacity=40)
    tours: list[float] = []
    monkeypatch.setattr(cvrp, "shortest_tour", lambda cost, time_limit_s: tours.append(time_limit_s))
    assert cvrp._giant_tour_start(cvrp_problem(many_small), 0.2) is None  # loads of 1 in 40
    assert tours == []  # no time spent on a tour


def test_a_customer_over_capacity_gives_no_giant_tour_start_and_no_crash() -> None:
    assert cvrp._giant_tour_start(cvrp_problem(_line(capacity=2)), 0.1) is None  # each needs 3
