"""Urgent parcels first within their trip, where that costs the crew no time.

The whole-day search once priced every second an urgent parcel waited after its clock started
(a soft upper bound on the time at its stop), so a trip served its urgent buildings first where
that cost little. OR-Tools then spends each step of its search placing the times at those stops
(a small linear program per trip), and a day with urgent parcels searched a fraction as far: on
`bench.standing`'s day the re-plan at 18:20 added nothing to its seed in 5 s with the price, and
delivered every parcel without it (docs/benchmarks.md, "Parcels standing at the gate"). So the
search leaves the order of stops and of a crew's trips to cost alone, and these passes put
trips carrying urgent parcels earlier in their crew's day, and urgent stops — in their window or
late — earlier in their trip, wherever that costs the crews no time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from optimizer.giant_tour import tour_changes
from optimizer.plan import Plan
from optimizer.problem import DayModel
from optimizer.stop_merge import Trips


def urgent_first(model: DayModel, trips: Sequence[Sequence[Sequence[int]]]) -> tuple[Trips, int]:
    """Each trip with urgent stops reordered so they come as early as they can without the trip
    taking longer or any urgent stop coming later than it did; returns the trips and how many
    changed."""
    changed = 0
    result: Trips = []
    for crew, crew_trips in enumerate(trips):
        vehicle = model.crews[crew].vehicle
        reordered = []
        for trip in crew_trips:
            better = _reordered(model, vehicle, list(trip))
            changed += better != list(trip)
            reordered.append(better)
        result.append(reordered)
    return result, changed


def _reordered(model: DayModel, vehicle: int, trip: list[int]) -> list[int]:
    """Best change at a time — a stretch reversed or one stop moved — by the urgent stops' summed
    arrival after loading, among orders no longer than `trip` in which no urgent stop comes later
    than in `trip` (its window was met at that time)."""
    urgent = [n for n in trip if model.visits[n].urgent > 0]
    if not urgent or len(urgent) == len(trip):
        return trip
    transit = model.transit_s[vehicle]

    def arrivals(order: Sequence[int]) -> dict[int, int]:
        clock, previous, at = 0, 0, {}
        for node in order:
            clock += int(transit[previous, node])
            at[node] = clock
            previous = node
        return at

    longest = model.trip_s(vehicle, trip)
    latest = arrivals(trip)

    def score(order: list[int]) -> int | None:
        if model.trip_s(vehicle, order) > longest:
            return None
        at = arrivals(order)
        if any(at[n] > latest[n] for n in urgent):
            return None
        return sum(at[n] for n in urgent)

    best, best_score = trip, score(trip)
    assert best_score is not None
    while True:
        scored = [(s, c) for c in tour_changes(best) if (s := score(c)) is not None and s < best_score]
        if not scored:
            return best
        best_score, best = min(scored, key=lambda sc: sc[0])


def urgent_wait_s(plan: Plan) -> int:
    """Seconds urgent parcels wait after their shift starts, summed parcel by parcel."""
    return sum(stop.urgent * (stop.arrive_s - shift.start_s) for shift, stop in plan.stops())


def urgent_trips_earlier(
    model: DayModel,
    trips: Sequence[Sequence[Sequence[int]]],
    build: Callable[[Trips], Plan],
    *,
    plan: Plan,
    until: float,
) -> tuple[Trips, Plan, int]:
    """Each crew's trips carrying urgent parcels moved as early in its day as they go (to
    `until`, time.monotonic()): kept where the timed plan delivers as much, no more urgent
    parcels late, for no more crew time, and urgent parcels wait less in all. Returns the trips,
    their plan and how many trips moved."""
    current: Trips = [[list(trip) for trip in crew] for crew in trips]
    waited = urgent_wait_s(plan)
    moves = 0
    for crew, crew_trips in enumerate(current):
        for k in range(1, len(crew_trips)):
            if not any(model.visits[n].urgent for n in crew_trips[k]):
                continue
            for position in range(k):
                if time.monotonic() >= until:
                    return current, plan, moves
                order = [*crew_trips[:position], crew_trips[k], *crew_trips[position:k], *crew_trips[k + 1 :]]
                candidate = [*current[:crew], order, *current[crew + 1 :]]
                tried = build(candidate)
                if (
                    tried.at_least_as_good(plan)
                    and tried.crew_s <= plan.crew_s
                    and urgent_wait_s(tried) < waited
                ):
                    current, plan, waited = candidate, tried, urgent_wait_s(tried)
                    crew_trips = order
                    moves += 1
                    break
    return current, plan, moves
