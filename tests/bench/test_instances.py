"""The benchmark's renumbered instances are the same problem under other customer numbers."""

import numpy as np

from bench.instances import renumbered
from optimizer.cvrp import CvrpInstance, route_cost


def _line_instance(customers: int) -> CvrpInstance:
    """Customers on a line at distinct places, each with its own demand (so it can be told apart)."""
    places = np.array([0, *(7 * k + k * k for k in range(1, customers + 1))])
    demand = np.arange(customers + 1)
    return CvrpInstance(
        name="line",
        travel=np.abs(places[:, None] - places[None, :]),
        demand=demand,
        service=2 * demand,
        capacity=customers * customers,
    )


def test_a_renumbered_instance_prices_the_same_routes_the_same() -> None:
    instance = _line_instance(12)
    shuffled = renumbered(instance, seed=3)
    order = [int(d) for d in shuffled.demand]  # customer k of `shuffled` is customer order[k]
    assert order[0] == 0 and sorted(order) == list(range(13)) and order != list(range(13))
    routes = [[1, 5, 2], [3, 4], [6, 7, 8, 9, 10, 11, 12]]
    assert route_cost(shuffled, routes) == route_cost(instance, [[order[k] for k in r] for r in routes])
    assert renumbered(instance, seed=3).name == shuffled.name != renumbered(instance, seed=4).name
    assert not np.array_equal(renumbered(instance, seed=4).demand, shuffled.demand)
