"""A first plan for the whole day, built so the day model always starts from something feasible.

OR-Tools' own first-solution search fails on tight multi-trip days (solver-findings.md: with
optional visits it dropped every building). So the day is seeded in two easy steps: cut the
parcels into good trips with a plain CVRP per arrival shift and vehicle (urgent parcels in trips
of their own; OR-Tools' ruin-and-recreate search, which gets further than guided search in the
second or so each group gets), then place those trips on the crews' clocks, shift by shift —
urgent trips first, then longest first, an urgent or held-over trip taking along the other
parcels of its buildings — and fill idle crews with nearest-neighbour trips. Every
placement is checked against the same rules as the model (shift end, urgent deadlines, the
sorter's pace), so the seed is feasible; whatever does not fit is left out and the guided search
takes it from there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from optimizer.giant_tour import TourSplitError, improved_tour, nearest_neighbour_tour, split_tour, tour_cost
from optimizer.problem import DayModel, VrpProblem, in_time_problem, trips_problem
from optimizer.routing import IteratedSearch, solve_vrp

IN_TIME_S = 0.2
"""Search time for the trip that brings the most urgent parcels within their window, when more
are waiting than one trip can bring so (see `most_in_time`)."""


ONE_TRIP_MAX_NODES = 12
"""A group of at most this many visits that one load carries is one trip, ordered at once (a
nearest-neighbour tour bettered by `giant_tour.improved_tour`) rather than searched for the
0.05 s every search gets at least: a day whose waves stand at the gate cuts twenty-odd such
groups each time it is planned, and a wave-by-wave plan asked for in 1 s took 5.7 s."""


@dataclass(frozen=True)
class SeedTrip:
    vehicle: int  # fleet entry
    nodes: tuple[int, ...]
    duration_s: int
    available_shift: int
    urgent: bool = False
    loadable_s: int = 0  # loaded no earlier: its parcels stand at the gate till then
    held: bool = False  # parcels held over from an earlier day, which go before the day's own
    late: bool = False  # urgent parcels that missed their window (late stand-ins), which go first


def seed_trips(model: DayModel, *, time_limit_s: float) -> list[SeedTrip]:
    """Cut each arrival shift's parcels into trips for the vehicle that will likely carry them."""
    staffed: dict[int, int] = defaultdict(int)
    for crew in model.crews:
        staffed[crew.vehicle] += 1
    groups: dict[tuple[int, int, bool, int, bool, bool], list[int]] = defaultdict(list)
    for node in range(1, model.node_count):
        visit = model.visits[node]
        if visit.late_for is not None:
            continue  # a stand-in goes out only for urgent parcels no crew could take in time
        able = sorted({crew.vehicle for crew in model.crews if model.can_serve(crew, node)})
        if not able and node in model.late_twin:
            # no crew in their own shift at all (its riders set to 0): late, with a later one
            node = model.late_twin[node]
            visit = model.visits[node]
            able = sorted({crew.vehicle for crew in model.crews if model.can_serve(crew, node)})
        if able:
            best = max(able, key=lambda k: (staffed[k], model.operations.fleet[k].capacity))
            # parcels that stand till different times ride apart: together, all would wait; and
            # held-over parcels apart from the day's own, so their trips can be placed first
            held = visit.held_from is not None
            late = visit.late_for is not None
            groups[(visit.available_shift, best, visit.due, visit.loadable_s, held, late)].append(node)
    trips: list[SeedTrip] = []
    total_nodes = sum(len(nodes) for nodes in groups.values()) or 1
    for (shift, vehicle, urgent, ready, held, late), nodes in sorted(groups.items()):
        like = SeedTrip(vehicle, (), 0, shift, urgent, ready, held, late)
        trips += _cut(model, like, nodes, time_limit_s * len(nodes) / total_nodes)
    return trips


def _cut(model: DayModel, like: SeedTrip, nodes: Sequence[int], time_limit_s: float) -> list[SeedTrip]:
    """`nodes` cut into trips of `like`'s vehicle by a short plain-CVRP search; where the search
    found none in its time, a nearest-neighbour tour cut at the cheapest places. A group left
    without trips is left out of the seed, and on a machine busy with other plans a 1 s plan's
    evening of 231 loads got none (its share of the seed's time, 0.05 s, ran out before a first
    solution), so the plan delivered none of that shift's parcels."""
    problem = trips_problem(model, vehicle=like.vehicle, nodes=nodes)
    routes = _one_trip(model, like.vehicle, problem) if len(nodes) <= ONE_TRIP_MAX_NODES else None
    if routes is None:
        solution = solve_vrp(problem, time_limit_s=max(time_limit_s, 0.05), iterated=IteratedSearch())
        routes = solution.routes if solution.found else _cut_nearest_tour(problem)
    trips = []
    for route in routes:
        if route:
            route_nodes = tuple(nodes[n - 1] for n in route)
            trips.append(replace(like, nodes=route_nodes, duration_s=model.trip_s(like.vehicle, route_nodes)))
    return trips


def _one_trip(model: DayModel, vehicle: int, problem: VrpProblem) -> list[list[int]] | None:
    """A group one load carries, as one trip in a good order; None if it is not one trip."""
    if problem.demand.sum() > model.operations.fleet[vehicle].capacity:
        return None
    transit = problem.transit_s[0]
    trip = improved_tour(transit, nearest_neighbour_tour(transit))
    if tour_cost(transit, trip) > max(s.length_s for s in model.operations.shifts):
        return None
    return [trip]


def _cut_nearest_tour(problem: VrpProblem) -> list[list[int]]:
    transit = problem.transit_s[0]
    try:
        return split_tour(
            transit, problem.demand, problem.vehicles[0].capacity, nearest_neighbour_tour(transit)
        )
    except TourSplitError:  # a load over the vehicle's capacity: no trip of it carries that
        return []


def _recut_left_over(
    model: DayModel, trips: list[SeedTrip], shift: int, time_limit_s: float
) -> list[SeedTrip]:
    """Trips left over from earlier shifts cut again together with this shift's: a building whose
    parcels of two waves wait at the gate is one stop, not two on different trips."""
    groups: dict[tuple[int, int, bool, bool], list[SeedTrip]] = defaultdict(list)
    kept = []
    for trip in trips:
        if trip.urgent:
            kept.append(trip)
        else:
            groups[(trip.vehicle, trip.loadable_s, trip.held, trip.late)].append(trip)
    mixed = {
        key for key, group in groups.items() if {t.available_shift < shift for t in group} == {True, False}
    }
    total = sum(len(t.nodes) for key in mixed for t in groups[key]) or 1
    for key, group in groups.items():
        if key not in mixed:
            kept += group
            continue
        nodes = [n for t in group for n in t.nodes]
        like = replace(group[0], available_shift=shift)
        kept += _cut(model, like, nodes, time_limit_s * len(nodes) / total)
    return kept


def schedule_seed(
    model: DayModel, trips: list[SeedTrip], *, recut_s: float = 0.0, by_density: bool = True
) -> list[list[tuple[int, ...]]]:
    """Place trips on the crews' clocks; returns each crew's trips in order. With `recut_s`, trips
    left over from a shift are cut again with the next shift's in that much time in all; with
    `by_density`, a shift whose crews cannot take all its trips takes those of most parcels per
    minute first (see `_place_in_time_order`)."""
    per_crew: list[list[tuple[int, ...]]] = [[] for _ in model.crews]
    pending = list(trips)
    shifts = len(model.operations.shifts)
    for shift_number in range(shifts):
        crews = model.crews_of_shift(shift_number)
        clock = {c: model.ready_s(c) for c in crews}
        loaded = dict.fromkeys(crews, 0)  # parcels each crew took this shift, for the sorters' pace
        now = [t for t in pending if t.available_shift <= shift_number]
        if shift_number and recut_s > 0:
            now = _recut_left_over(model, now, shift_number, recut_s / (shifts - 1))
        left = _place_in_time_order(model, crews, clock, loaded, now, per_crew, by_density=by_density)
        # urgent parcels no crew could take in their window go late: their stand-ins wait as
        # other parcels do, for an idle crew of this shift or a later one
        still_pending = [t for t in pending if t.available_shift > shift_number] + [
            t if not t.urgent else _late(model, t) for t in left if not t.urgent or model.late_twin
        ]
        waiting = {n for trip in still_pending if trip.available_shift <= shift_number for n in trip.nodes}
        for crew in crews:
            while True:
                nodes, end = nearest_neighbour_trip(model, crew, clock[crew], loaded[crew], waiting)
                if not nodes:
                    break
                per_crew[crew].append(nodes)
                clock[crew] = end
                loaded[crew] += sum(model.visits[n].parcels for n in nodes)
                waiting -= set(nodes)
        pending = []
        for trip in still_pending:
            if trip.available_shift <= shift_number:
                trip = _keep_waiting(model, trip, waiting)
            if trip.nodes:
                pending.append(trip)
    return per_crew


def _place_in_time_order(
    model: DayModel,
    crews: Sequence[int],
    clock: dict[int, int],
    loaded: dict[int, int],
    trips: list[SeedTrip],
    per_crew: list[list[tuple[int, ...]]],
    *,
    by_density: bool = True,
) -> list[SeedTrip]:
    """The crew free first takes the next trip: one it can load now (urgent first, then held over
    from an earlier day, then the rest: longest first, or — when the crews cannot take them all —
    most parcels per minute first), else the one whose parcels may be loaded soonest. A wave that
    comes in mid-shift is taken when it has come in, and a crew does not sit idle waiting for it
    while other trips could go (placing urgent trips first regardless of when they may be loaded
    kept a crew at the gate from 13:00 to a 14:30 wave). Returns the trips no crew could take.

    Longest first packs the crews' time when everything fits. When it cannot, the long trips are
    the ones to leave: on gelin-spring's 2,000 and 2,300-parcel days with one tricycle a shift,
    ordering by parcels per minute delivered 1,083–1,105 and 1,191 parcels at 10 s where longest
    first delivered 1,030 and 1,075 (docs/benchmarks.md, "Days the crews cannot clear")."""
    left = list(trips)
    active = set(crews)
    end_s = max((model.operations.shifts[model.crews[c].shift].end_s for c in crews), default=0)
    overloaded = by_density and sum(t.duration_s for t in trips) > sum(
        max(end_s - clock[c], 0) for c in crews
    )

    def rest(trip: SeedTrip) -> float:
        if not overloaded:
            return -trip.duration_s
        return -sum(model.visits[n].parcels for n in trip.nodes) / max(trip.duration_s, 1)

    while left and active:
        crew = min(active, key=lambda c: (clock[c], c))
        free = clock[crew]
        mine = [t for t in left if t.vehicle == model.crews[crew].vehicle]
        order = sorted(
            mine,
            key=lambda t: (
                max(t.loadable_s, free),
                not t.urgent,
                not t.late,
                not t.held,
                t.duration_s if t.urgent else rest(t),
            ),
        )
        # More urgent parcels than make their window on the trips as cut: the trip that brings
        # the most of them in time goes in place of an urgent trip, the rest later, late (`_late`).
        urgent_now = [t for t in mine if t.urgent and t.loadable_s <= free]
        best: tuple[int, ...] = ()
        best_end = 0
        if any(trip_end_s(model, crew, t.nodes, free, loaded[crew]) is None for t in urgent_now):
            waiting = {n for t in urgent_now for n in t.nodes}
            best, best_end = most_in_time(model, crew, free, loaded[crew], waiting)
        for trip in order:
            end = trip_end_s(model, crew, trip.nodes, free, loaded[crew])
            placed, late_now = trip.nodes, trip.late
            if trip.urgent and best and (end is None or _parcels(model, best) > _parcels(model, placed)):
                placed, end = best, best_end
            elif trip.urgent and end is None and not best and trip in urgent_now and model.late_twin:
                # none of the urgent parcels waiting can make their window now: they go late, and
                # still before any other parcel (`problem._drop_weight`), not after the shift's own
                late = _late(model, trip)
                left[left.index(trip)] = late
                placed, late_now = late.nodes, True
                end = trip_end_s(model, crew, placed, free, loaded[crew])
            # trips cut apart from the day's own parcels take those at their buildings; an urgent
            # trip in time only when no other urgent parcels wait: the time the others take
            # would come out of theirs
            if end is not None and (
                late_now
                or trip.held
                or (trip.urgent and not {n for t in left if t.urgent for n in t.nodes}.difference(placed))
            ):
                placed, end = _topped_up(model, crew, placed, end, free, loaded[crew], left)
            if end is not None:
                per_crew[crew].append(placed)
                clock[crew] = end
                loaded[crew] += sum(model.visits[n].parcels for n in placed)
                for other in [t for t in left if set(placed) & set(t.nodes)]:
                    left.remove(other)
                    unplaced = tuple(n for n in other.nodes if n not in placed)
                    if unplaced:
                        left.append(
                            replace(other, nodes=unplaced, duration_s=model.trip_s(other.vehicle, unplaced))
                        )
                break
        else:
            active.discard(crew)
    return left


def _topped_up(
    model: DayModel,
    crew: int,
    nodes: tuple[int, ...],
    end: int,
    free_s: int,
    parcels_before: int,
    left: Sequence[SeedTrip],
) -> tuple[tuple[int, ...], int]:
    """An urgent trip (in time or late) or a held-over one with the other parcels waiting for its
    buildings added, each right after that building's stop, as far as the load and every urgent
    parcel's window allow: urgent and held-over parcels are nodes of their own, cut into trips of
    their own — often a few parcels at each of many buildings — whose stops another trip would
    otherwise make again for the rest."""
    vehicle = model.crews[crew].vehicle
    loadable = model.loadable_from_s(nodes)
    waiting = [
        n
        for t in left
        if t.vehicle == vehicle and not t.urgent and not t.late and t.loadable_s <= max(free_s, loadable)
        for n in t.nodes
        if n not in nodes
    ]
    by_place: dict[int, list[int]] = defaultdict(list)
    for n in waiting:
        by_place[model.visits[n].place].append(n)
    trip = list(nodes)
    # from the trip's last stop back: parcels added there delay no urgent stop after them
    for position in range(len(trip) - 1, -1, -1):
        for extra in sorted(
            by_place.pop(model.visits[trip[position]].place, []), key=lambda n: -model.visits[n].parcels
        ):
            tried = [*trip[: position + 1], extra, *trip[position + 1 :]]
            tried_end = trip_end_s(model, crew, tried, free_s, parcels_before)
            if tried_end is not None:
                trip, end = tried, tried_end
    return tuple(trip), end


def trip_end_s(
    model: DayModel, crew: int, nodes: Sequence[int], free_s: int, parcels_before: int = 0
) -> int | None:
    """When the trip would be back if the crew loads it as soon as it is free and its load is
    sorted; None if it breaks a rule of the model (who may serve, shift end, urgent deadlines)."""
    if not nodes:
        return None
    the_crew = model.crews[crew]
    if not all(model.can_serve(the_crew, node) for node in nodes):
        return None
    operations = model.operations
    shift = operations.shifts[the_crew.shift]
    load = sum(model.visits[n].parcels for n in nodes)
    if load > operations.fleet[the_crew.vehicle].capacity:
        return None
    standing = model.loadable_from_s(nodes)
    start = max(free_s, model.sorted_from_s(the_crew, parcels_before + load), standing)
    transit = model.transit_s[the_crew.vehicle]
    clock, previous = start, 0
    for node in nodes:
        clock += int(transit[previous, node])
        if model.visits[node].due and clock > model.urgent_deadline_s(node):
            return None
        previous = node
    clock += int(transit[previous, 0])
    return clock if clock <= shift.end_s else None


def _late(model: DayModel, trip: SeedTrip) -> SeedTrip:
    """An urgent trip's parcels as late stand-ins: no deadline, any crew from their shift on."""
    nodes = tuple(model.late_twin[n] for n in trip.nodes)
    return replace(trip, nodes=nodes, urgent=False, late=True, duration_s=model.trip_s(trip.vehicle, nodes))


def _keep_waiting(model: DayModel, trip: SeedTrip, waiting: set[int]) -> SeedTrip:
    """The trip without the nodes that idle crews took over."""
    nodes = tuple(n for n in trip.nodes if n in waiting)
    return replace(trip, nodes=nodes, duration_s=model.trip_s(trip.vehicle, nodes))


def most_in_time(
    model: DayModel, crew: int, free_s: int, parcels_before: int, waiting: set[int]
) -> tuple[tuple[int, ...], int]:
    """The trip that brings the most of these urgent visits' parcels within their window: the
    nearest-first trip, bettered by a short search (`problem.in_time_problem`) when it leaves some.
    Nearest first takes the near buildings whatever they hold; with 1, 2 or 5 urgent parcels at
    each of gelin-spring's 125 buildings it brought 49–65 in the first hour, the search 75–80
    (`python -m bench.late_urgent`)."""
    nearest, end = nearest_neighbour_trip(model, crew, free_s, parcels_before, waiting)
    if not nearest or len(nearest) == len(waiting):
        return nearest, end  # none can make it, or all do
    nodes = sorted(waiting)
    index = {node: k + 1 for k, node in enumerate(nodes)}
    found = solve_vrp(
        in_time_problem(model, crew=crew, from_s=free_s, nodes=nodes),
        time_limit_s=IN_TIME_S,
        initial_routes=[[index[n] for n in nearest]],
    )
    route = tuple(nodes[k - 1] for k in found.routes[0]) if found.found else ()
    # the search's clock leaves out the sorter's pace: shortened until the trip fits as placed
    while route:
        route_end = trip_end_s(model, crew, route, free_s, parcels_before)
        if route_end is not None:
            if _parcels(model, route) > _parcels(model, nearest):
                return route, route_end
            break
        route = route[:-1]
    return nearest, end


def _parcels(model: DayModel, nodes: Sequence[int]) -> int:
    return sum(model.visits[n].parcels for n in nodes)


def nearest_neighbour_trip(
    model: DayModel, crew: int, free_s: int, parcels_before: int, waiting: set[int]
) -> tuple[tuple[int, ...], int]:
    """One trip grown from the gate to the nearest waiting building that still fits, and so on."""
    transit = model.transit_s[model.crews[crew].vehicle]
    trip: list[int] = []
    end = free_s
    candidates = {n for n in waiting if model.can_serve(model.crews[crew], n)}
    loadable = {n for n in candidates if model.visits[n].loadable_s <= free_s}
    if loadable:  # a crew does not wait for standing parcels while others could go now
        candidates = loadable
    while candidates:
        last = trip[-1] if trip else 0
        ordered = sorted(candidates, key=lambda n: transit[last, n])
        for node in ordered:
            new_end = trip_end_s(model, crew, [*trip, node], free_s, parcels_before)
            if new_end is not None:
                trip.append(node)
                candidates.discard(node)
                end = new_end
                break
        else:
            break
    return tuple(trip), end
