"""One stop per building where the plan has two in a shift: the later parcels ride along.

The whole-day search keeps a building's urgent parcels on nodes of their own, with a deadline, and
the seed sends them on urgent runs of their own, so a plan often reaches a building twice in a
shift — the first hour's urgent run, then the rest hours later: two stops, two households called
down. Moving one of the two visits next to the other, in the other's trip, saves a stop's bell and
wait whenever that trip has room; whether the crews' days still fit is for the forward pass that
times the plan (`plan.build_plan`) to say, so every move is tried on the whole plan and kept only
if it delivers as much, with no more urgent parcels past their window, for less crew time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence

from optimizer.plan import Plan
from optimizer.problem import DayModel

Trips = list[list[list[int]]]  # per crew, its trips in order, each the nodes in visiting order


def merge_split_stops(
    model: DayModel,
    trips: Sequence[Sequence[Sequence[int]]],
    build: Callable[[Trips], Plan],
    *,
    until: float,
    plan: Plan | None = None,
) -> tuple[Trips, int]:
    """First-improvement descent over "visit v joins its building's other visit u", to `until`
    (time.monotonic()); returns the trips and how many visits moved. `plan`: the trips' own plan,
    when the caller has built it already."""
    current: Trips = [[list(trip) for trip in crew] for crew in trips]
    plan = plan if plan is not None else build(current)
    moves = 0
    moved = True
    while moved and time.monotonic() < until:
        moved = False
        for candidate in _moves(model, current):
            tried = build(candidate)
            if tried.at_least_as_good(plan) and tried.crew_s < plan.crew_s:
                current, plan, moved = candidate, tried, True
                moves += 1
                break
            if time.monotonic() >= until:
                break
    return current, moves


def _moves(model: DayModel, trips: Trips) -> Iterator[Trips]:
    """Each visit v, taken out of its trip and put right after another visit u of its building in
    another trip of the same shift, where that trip has room for it."""
    places: dict[tuple[int, str], list[tuple[int, int, int]]] = {}
    for crew, crew_trips in enumerate(trips):
        shift = model.crews[crew].shift
        for number, trip in enumerate(crew_trips):
            for position, node in enumerate(trip):
                building = model.visits[node].building or ""
                places.setdefault((shift, building), []).append((crew, number, position))
    for visits in places.values():
        if len({(crew, number) for crew, number, _ in visits}) < 2:
            continue
        for to_crew, to_trip, after in visits:
            target = trips[to_crew][to_trip]
            capacity = model.operations.fleet[model.crews[to_crew].vehicle].capacity
            load = sum(model.visits[n].parcels for n in target)
            for from_crew, from_trip, position in visits:
                if (from_crew, from_trip) == (to_crew, to_trip):
                    continue
                node = trips[from_crew][from_trip][position]
                if load + model.visits[node].parcels > capacity:
                    continue
                if not model.can_serve(model.crews[to_crew], node):
                    continue
                moved = [[list(trip) for trip in crew] for crew in trips]
                moved[from_crew][from_trip].remove(node)
                moved[to_crew][to_trip].insert(after + 1, node)
                yield moved
