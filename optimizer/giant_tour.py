"""A start for a plain-CVRP search: one tour through every customer, cut into routes at the best places.

Route first, cluster second (Beasley's giant tour and Prins' exact split, as HGS builds its
plans): where the tour is cut decides how many routes there are and which customers share one,
and the cheapest cut of a good tour often leaves a route or two more than cheapest insertion does.
On the 272-building fixture day, OR-Tools' bare iterated search from such a start settled in plans
of 45 routes, as PyVRP's, where from its own first solution it settles in 44 and stays 0.3–0.5%
dearer (docs/solver-experiments.md, eleventh session).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np


class TourSplitError(ValueError):
    """The tour cannot be cut into routes within capacity (a customer alone is over it)."""


def nearest_neighbour_tour(transit: np.ndarray) -> list[int]:
    """Every customer once, each next the nearest one left from the last (the depot 0 first and
    left out): a tour in no time, for when a search ran out of time before finding one."""
    left = np.ones(len(transit), dtype=bool)
    left[0] = False
    tour: list[int] = []
    last = 0
    while left.any():
        candidates = np.flatnonzero(left)
        last = int(candidates[np.argmin(transit[last, candidates])])
        tour.append(last)
        left[last] = False
    return tour


def split_tour(
    transit: np.ndarray, demand: np.ndarray, capacity: int, tour: Sequence[int]
) -> list[list[int]]:
    """The cheapest way to cut `tour` (customers in order, the depot 0 left out) into consecutive
    routes within `capacity`, each from and back to the depot, costed by `transit` (which holds
    any service time on the arcs leaving a customer).

    A shortest path over cut positions: an arc from cut i to cut j is the route tour[i:j]; the
    inner loop stops at the first customer over capacity, so the work is the tour's length times
    the longest route's."""
    cost = transit.tolist()
    load_of = demand.tolist()
    n = len(tour)
    best = [0, *([None] * n)]
    cut_before: list[int] = [0] * (n + 1)
    for i in range(n):
        reached = best[i]
        if reached is None:
            continue
        first = tour[i]
        load = 0
        inner = 0
        previous = 0
        for j in range(i, n):
            customer = tour[j]
            load += load_of[customer]
            if load > capacity:
                break
            inner += cost[previous][customer]
            previous = customer
            total = reached + inner + cost[customer][0]
            known = best[j + 1]
            if known is None or total < known:
                best[j + 1] = total
                cut_before[j + 1] = i
        if load_of[first] > capacity:
            raise TourSplitError(f"customer {first} needs {load_of[first]}, more than a route's {capacity}")
    routes = []
    j = n
    while j > 0:
        i = cut_before[j]
        routes.append(list(tour[i:j]))
        j = i
    routes.reverse()
    return routes


def tour_cost(transit: np.ndarray, tour: Sequence[int]) -> int:
    """From the depot through `tour` and back."""
    stops = [0, *tour, 0]
    return int(sum(transit[a, b] for a, b in itertools.pairwise(stops)))


def tour_changes(tour: Sequence[int]) -> list[list[int]]:
    """Every order one change from `tour`: a stretch of it reversed, or one customer moved."""
    n = len(tour)
    order = list(tour)
    changes = [order[:i] + order[i : j + 1][::-1] + order[j + 1 :] for i in range(n) for j in range(i + 1, n)]
    for i in range(n):
        rest = order[:i] + order[i + 1 :]
        changes += [[*rest[:k], order[i], *rest[k:]] for k in range(n) if k != i]
    return changes


def improved_tour(transit: np.ndarray, tour: Sequence[int]) -> list[int]:
    """`tour` bettered by reversing a stretch of it or moving one customer elsewhere, the best
    such change at a time, until none is cheaper (costs summed in full: `transit` may differ by
    direction, a reversed stretch runs the other way). For the few customers of one trip."""
    best, best_cost = list(tour), tour_cost(transit, tour)
    while True:
        cheapest = min(tour_changes(best), key=lambda c: tour_cost(transit, c), default=best)
        cost = tour_cost(transit, cheapest)
        if cost >= best_cost:
            return best
        best, best_cost = cheapest, cost
