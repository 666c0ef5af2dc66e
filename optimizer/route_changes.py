"""Routes one customer away from a plan's own: the columns of a set-partitioning neighbourhood.

A recombined plan is a local optimum for OR-Tools' moves, each of which changes one or two routes.
Offered together to the set-partitioning model (`optimizer/partition.py`), the plan's routes with
one customer taken out, one nearby customer put in at its cheapest place, or one customer exchanged
for a nearby one let the model make any number of such changes at once where they fit together — a
customer passed on round a ring of three or more routes (a cyclic transfer), which no two-route
move makes. On the compound days these models solve in tens to hundreds of milliseconds and found
0.1–0.18% on plans the recombination had settled on (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

NEARBY = 10
"""Customers offered to a route: the nearest this many to each of its customers. Offering every
customer made models of 7.5–47 thousand routes that took SCIP 0.4–12 s for the same plans."""


def one_change_routes(
    travel: np.ndarray,
    demand: np.ndarray,
    capacity: int,
    routes: Sequence[Sequence[int]],
    *,
    nearby: int = NEARBY,
) -> list[list[int]]:
    """The routes and, without repeats, each with one customer removed, one nearby customer
    inserted, or both, within capacity; insertions at the cheapest place for travel (node 0 is the
    depot).

    >>> travel = np.array([[0, 1, 2, 3], [1, 0, 1, 2], [2, 1, 0, 1], [3, 2, 1, 0]])
    >>> sorted(one_change_routes(travel, np.array([0, 1, 1, 1]), 2, [[1, 2], [3]], nearby=1))
    [[1], [1, 2], [2], [2, 3], [3]]
    """
    customers = travel.shape[0] - 1
    nearby = min(nearby, customers - 1)
    closeness = travel[1:, 1:] + travel[1:, 1:].T
    np.fill_diagonal(closeness, np.iinfo(closeness.dtype).max if closeness.dtype.kind == "i" else np.inf)
    nearest = np.argsort(closeness, axis=1, kind="stable")[:, :nearby] + 1
    changed: list[list[int]] = []
    for route in routes:
        route = list(route)
        load = int(demand[route].sum())
        changed.append(route)
        bases = [(route, load)]
        for k, customer in enumerate(route):
            shorter = route[:k] + route[k + 1 :]
            if shorter:
                changed.append(shorter)
            bases.append((shorter, load - int(demand[customer])))
        # near any customer of the route, not only the one it replaces: the ring of routes a
        # customer is passed round is what the model finds and two-route moves do not
        offered = np.setdiff1d(np.unique(nearest[np.array(route) - 1]), route)
        for base, base_load in bases:
            fitting = offered[demand[offered] + base_load <= capacity]
            if fitting.size:
                changed.extend(_cheapest_insertions(travel, base, fitting))
    return [list(route) for route in dict.fromkeys(map(tuple, changed))]


def _cheapest_insertions(travel: np.ndarray, route: list[int], customers: np.ndarray) -> list[list[int]]:
    """`route` with each of `customers` inserted where it adds the least travel."""
    path = np.array([0, *route, 0])
    before, after = path[:-1], path[1:]
    added = travel[np.ix_(before, customers)] + travel[np.ix_(customers, after)].T
    added -= travel[before, after][:, None]
    places = np.argmin(added, axis=0)
    return [
        [*route[:place], int(customer), *route[place:]]
        for place, customer in zip(places, customers, strict=True)
    ]
