"""A first plan for the whole day, built so the day model always starts from something feasible.

OR-Tools' own first-solution search fails on tight multi-trip days (solver-findings.md: with
optional visits it dropped every building). So the day is seeded in two easy steps: cut the
parcels into good trips with a plain CVRP per arrival shift and vehicle, then pack those trips
into the crews' shifts, longest first. Whatever does not fit is left out of the seed; the guided
search then reshapes trips and crews together.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from optimizer.problem import DayModel, trips_problem
from optimizer.routing import solve_vrp


@dataclass(frozen=True)
class SeedTrip:
    vehicle: int  # fleet entry
    nodes: tuple[int, ...]
    duration_s: int
    available_shift: int


def seed_trips(model: DayModel, *, time_limit_s: float) -> list[SeedTrip]:
    """Cut each arrival shift's parcels into trips for the vehicle that will likely carry them."""
    staffed: dict[int, int] = defaultdict(int)
    for crew in model.crews:
        staffed[crew.vehicle] += 1
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for node in range(1, model.node_count):
        visit = model.visits[node]
        able = [
            k
            for k, vehicle in enumerate(model.operations.fleet)
            if staffed[k] and model.reachable[k, node] and vehicle.capacity >= visit.parcels
        ]
        if able:
            best = max(able, key=lambda k: (staffed[k], model.operations.fleet[k].capacity))
            groups[(visit.available_shift, best)].append(node)
    trips: list[SeedTrip] = []
    total_nodes = sum(len(nodes) for nodes in groups.values()) or 1
    for (shift, vehicle), nodes in sorted(groups.items()):
        problem = trips_problem(model, vehicle=vehicle, nodes=nodes)
        share = time_limit_s * len(nodes) / total_nodes
        solution = solve_vrp(problem, time_limit_s=max(share, 0.05))
        if not solution.found:
            continue
        for route in solution.routes:
            if route:
                route_nodes = tuple(nodes[n - 1] for n in route)
                trips.append(SeedTrip(vehicle, route_nodes, model.trip_s(vehicle, route_nodes), shift))
    return trips


def schedule_seed(model: DayModel, trips: list[SeedTrip]) -> list[list[tuple[int, ...]]]:
    """Pack trips into crews, shift by shift, longest first, then fill idle crews with new trips.

    Returns each crew's trips in order. Filling matters for mixed fleets: the cut trips are made
    for the most common vehicle, and an e-bike or a hand cart would otherwise stand idle while
    parcels wait for a later shift.
    """
    per_crew: list[list[tuple[int, ...]]] = [[] for _ in model.crews]
    pending = sorted(trips, key=lambda t: -t.duration_s)
    for shift_number, shift in enumerate(model.operations.shifts):
        crews = model.crews_of_shift(shift_number)
        remaining = {c: shift.length_s for c in crews}
        still_pending = []
        for trip in pending:
            fits = [
                c for c in crews if model.crews[c].vehicle == trip.vehicle and remaining[c] >= trip.duration_s
            ]
            if trip.available_shift > shift_number or not fits:
                still_pending.append(trip)
                continue
            crew = max(fits, key=lambda c: remaining[c])
            per_crew[crew].append(trip.nodes)
            remaining[crew] -= trip.duration_s
        waiting = {n for trip in still_pending if trip.available_shift <= shift_number for n in trip.nodes}
        for crew in crews:
            for nodes in _fill(model, crew, remaining[crew], waiting):
                per_crew[crew].append(nodes)
                waiting -= set(nodes)
        pending = []
        for trip in still_pending:
            if trip.available_shift <= shift_number:
                trip = _keep_waiting(model, trip, waiting)
            if trip.nodes:
                pending.append(trip)
    return per_crew


def _keep_waiting(model: DayModel, trip: SeedTrip, waiting: set[int]) -> SeedTrip:
    """The trip without the nodes that idle crews took over."""
    nodes = tuple(n for n in trip.nodes if n in waiting)
    return SeedTrip(trip.vehicle, nodes, model.trip_s(trip.vehicle, nodes), trip.available_shift)


def _fill(model: DayModel, crew: int, time_left_s: int, waiting: set[int]) -> list[tuple[int, ...]]:
    """Nearest-neighbour trips from the waiting nodes for as long as the crew has time."""
    vehicle = model.crews[crew].vehicle
    capacity = model.operations.fleet[vehicle].capacity
    transit = model.transit_s[vehicle]
    open_nodes = {n for n in waiting if model.reachable[vehicle, n] and model.visits[n].parcels <= capacity}
    trips = []
    while open_nodes:
        trip: list[int] = []
        load, last = 0, 0
        while True:
            options = [
                n
                for n in open_nodes
                if load + model.visits[n].parcels <= capacity
                and model.trip_s(vehicle, [*trip, n]) <= time_left_s
            ]
            if not options:
                break
            nearest = min(options, key=lambda n: transit[last, n])
            trip.append(nearest)
            open_nodes.discard(nearest)
            load += model.visits[nearest].parcels
            last = nearest
        if not trip:
            break
        trips.append(tuple(trip))
        time_left_s -= model.trip_s(vehicle, trip)
    return trips
