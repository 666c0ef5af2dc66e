"""One-customer changes of a plan's routes, checked against enumeration."""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence

import numpy as np
import pytest

from optimizer import cvrp
from optimizer.cvrp import CvrpInstance, route_cost
from optimizer.partition import best_partition
from optimizer.route_changes import one_change_routes


def _travel(points: np.ndarray) -> np.ndarray:
    return np.rint(np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1))).astype(np.int64)


def _ride(travel: np.ndarray, route: Sequence[int]) -> int:
    path = [0, *route, 0]
    return int(sum(travel[a, b] for a, b in itertools.pairwise(path)))


@pytest.mark.parametrize("seed", [1, 5, 8])
def test_with_every_customer_nearby_the_changes_are_all_one_customer_changes(seed: int) -> None:
    rng = np.random.default_rng(seed)
    customers, capacity = 12, 10
    travel = _travel(rng.integers(0, 1000, size=(customers + 1, 2)))
    demand = np.array([0, *rng.integers(1, 5, size=customers)])
    routes: list[list[int]] = [[]]
    for customer in map(int, rng.permutation(np.arange(1, customers + 1))):
        if demand[routes[-1]].sum() + demand[customer] > capacity:
            routes.append([])
        routes[-1].append(customer)

    changed = one_change_routes(travel, demand, capacity, routes, nearby=customers)

    expected: set[frozenset[int]] = set()
    for route in routes:
        bases = [set(route)] + [set(route) - {a} for a in route]
        for base in bases:
            expected.add(frozenset(base))
            for b in set(range(1, customers + 1)) - set(route):
                if demand[list(base)].sum() + demand[b] <= capacity:
                    expected.add(frozenset(base | {b}))
    expected.discard(frozenset())
    assert len(changed) == len({tuple(route) for route in changed})  # no repeats
    assert {frozenset(route) for route in changed} == expected
    for new in changed:
        origin = max(routes, key=lambda route: len(set(route) & set(new)))
        added = [c for c in new if c not in origin]
        assert len(added) <= 1
        if added:  # put in where it rides least, the rest in the origin's order
            base = [c for c in new if c != added[0]]
            assert base == [c for c in origin if c in base]
            cheapest = min(_ride(travel, [*base[:k], added[0], *base[k:]]) for k in range(len(base) + 1))
            assert _ride(travel, new) == cheapest
        else:
            assert new == [c for c in origin if c in new]


def test_one_model_over_the_changes_passes_customers_round_a_ring_of_routes() -> None:
    # nine customers round the gate; each route of the start holds one of the next route's
    # customers, and full routes leave no room to move one customer alone
    travel = _ring_travel()
    demand = np.array([0, *[1] * 9])
    start = [[1, 2, 6], [4, 5, 9], [7, 8, 3]]

    changed = one_change_routes(travel, demand, 3, start)
    columns = [(_ride(travel, route), route) for route in changed]
    chosen = best_partition(columns, customers=9, start=start, time_limit_s=5)

    assert chosen is not None
    best = min(sum(_shortest(group) for group in split) for split in _splits_in_threes(list(range(1, 10))))
    assert sum(_ride(travel, route) for route in chosen) == best
    # no exchange of two customers between two routes gets there: it takes all three at once
    for (one, a), (other, b) in itertools.combinations(enumerate(start), 2):
        rest = next(route for k, route in enumerate(start) if k not in (one, other))
        for x, y in itertools.product(a, b):
            swapped = ({*a} - {x} | {y}, {*b} - {y} | {x}, set(rest))
            assert sum(_shortest(group) for group in swapped) > best


def _shortest(customers: set[int] | tuple[int, ...]) -> int:
    travel = _ring_travel()
    return min(_ride(travel, order) for order in itertools.permutations(customers))


def _ring_travel() -> np.ndarray:
    angles = np.radians(np.arange(9) * 40)
    return _travel(np.vstack([[0, 0], np.column_stack([np.cos(angles), np.sin(angles)]) * 1000]))


def _splits_in_threes(customers: list[int]) -> list[list[tuple[int, ...]]]:
    if not customers:
        return [[]]
    first, rest = customers[0], customers[1:]
    return [
        [(first, *pair), *split]
        for pair in itertools.combinations(rest, 2)
        for split in _splits_in_threes([c for c in rest if c not in pair])
    ]


@pytest.mark.parametrize("workers", [1, 2])
def test_the_cvrp_solver_polishes_its_best_plan_round_the_ring(workers: int) -> None:
    instance = CvrpInstance("ring", _ring_travel(), np.array([0, *[1] * 9]), np.zeros(10, dtype=np.int64), 3)
    start = [[1, 2, 6], [4, 5, 9], [7, 8, 3]]
    recombination = cvrp._Recombination(instance, max_routes=3)
    recombination.absorb([(start, [])])
    with cvrp._Searches(workers) as searches:
        polished = recombination.polish(searches, until=time.monotonic() + 3)
    best = min(sum(_shortest(group) for group in split) for split in _splits_in_threes(list(range(1, 10))))
    assert route_cost(instance, polished) == recombination.cost == best  # each customer once, loads fit
