"""Crews of a shift finishing far apart: the last crew's trips handed to the crew back first.

`balance_min` asks that a shift's crews finish within so many minutes of each other: volunteers
who rode together should go home together. The balancing search (`planner`) holds late crews to
a target and lets the search hand their trips on; on the large days it could not place them in
the time it had (tongji-xincun's e-bike back 40–60 minutes after the tricycles, world-garden's
tricycles two hours after the hand cart and the pair). Handing over a whole trip, or the stops of
it the early crew may serve, is a move the search rarely makes (it takes a new trip at the end of
another crew's day), and one the timed plan can judge directly.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from optimizer.plan import Plan, ShiftPlan, crew_id
from optimizer.problem import DayModel

Trips = list[list[list[int]]]

CREW_TIME_ROOM = 1.02
"""Crew time handovers may add to a shift, over the shift's before any: a tricycle's two riders
taking an e-bike's trip cost more rider-minutes than its one, and a coordinator asking for crews
to finish together accepts a little of that (the balancing search is held to the same). Per
shift, not per plan: a day planned in stages hands over in each, and 2% of the day at each stage
came to 2.6% on world-garden."""


def unbalanced_s(model: DayModel, plan: Plan) -> int:
    """How far past balance_min apart the crews of each shift finish, summed over the shifts: a
    balancing search's plan is kept only if it is less (kept on crew time and deliveries alone,
    world-garden's morning crews went from 129 to 136 minutes apart, and the plan said
    "balanced")."""
    return sum(_past_balance_s(model, shift) for shift in plan.shifts)


def _past_balance_s(model: DayModel, shift: ShiftPlan) -> int:
    """How far past balance_min apart the shift's crews finish (0 within it, or with one crew)."""
    finishes = [crew.finish_s for crew in shift.crews if crew.trips]
    if len(finishes) < 2:
        return 0
    return max(0, max(finishes) - min(finishes) - 60 * (model.operations.balance_min or 0))


def hand_over_trips(
    model: DayModel,
    trips: Sequence[Sequence[Sequence[int]]],
    build: Callable[[Trips], Plan],
    *,
    plan: Plan,
    until: float,
) -> tuple[Trips, Plan, int]:
    """While a shift's crews finish more than balance_min apart: one of the last crew's trips,
    its last first (the stops of it the other crew may serve, in loads its vehicle carries, or
    added to its last trip where that has room), goes to the crew back first, or the next. Kept where the plan
    delivers as much, crews finish closer together and the shift's crew time stays within
    `CREW_TIME_ROOM` of what it was. Returns the trips, the plan and how many handovers held."""
    current: Trips = [[list(t) for t in crew if t] for crew in trips]  # the search's unused slots out
    if model.operations.balance_min is None:
        return current, plan, 0
    room_s = [CREW_TIME_ROOM * crew_s for crew_s in _shift_crew_s(plan)]
    handed = 0
    while time.monotonic() < until:
        better = _one_handover(model, current, build, plan, room_s, until)
        if better is None:
            break
        current, plan = better
        handed += 1
    return current, plan, handed


def _shift_crew_s(plan: Plan) -> list[int]:
    return [sum(crew.crew_s for crew in shift.crews) for shift in plan.shifts]


def _one_handover(
    model: DayModel,
    trips: Trips,
    build: Callable[[Trips], Plan],
    plan: Plan,
    room_s: Sequence[float],
    until: float,
) -> tuple[Trips, Plan] | None:
    finish = {crew.id: crew.finish_s for shift in plan.shifts for crew in shift.crews if crew.trips}
    unbalanced = unbalanced_s(model, plan)
    if not unbalanced:
        return None
    for shift_number, shift in enumerate(plan.shifts):
        if not _past_balance_s(model, shift):
            continue
        crews = sorted(
            (c for c in model.crews_of_shift(shift_number) if crew_id(model, c) in finish),
            key=lambda c: finish[crew_id(model, c)],
        )
        late = crews[-1]
        if not trips[late]:
            continue  # only trips on the road (a re-plan's): nothing to hand over
        # its last trip first; an earlier one where the others may not serve that one's stops
        # (tongji-xincun's e-bike, the one vehicle on some lanes, rides its last trip there)
        for number in reversed(range(len(trips[late]))):
            for early in crews[:-1]:
                for candidate in _handovers(model, trips, late, early, number):
                    if time.monotonic() >= until:
                        return None
                    timed = build(candidate)
                    if (
                        timed.at_least_as_good(plan)
                        and _shift_crew_s(timed)[shift_number] <= room_s[shift_number]
                        and unbalanced_s(model, timed) < unbalanced
                    ):
                        return candidate, timed
    return None


def _handovers(model: DayModel, trips: Trips, late: int, early: int, number: int) -> list[Trips]:
    """The ways the early crew takes the stops of the late crew's trip `number` it may serve:
    added to its own last trip where the load fits, else as trips of its own after its last (in
    loads it carries)."""
    last = trips[late][number]
    crew = model.crews[early]
    capacity = model.operations.fleet[crew.vehicle].capacity
    movable = [n for n in last if model.can_serve(crew, n)]
    if not movable:
        return []
    staying = [n for n in last if n not in movable]

    def load(nodes: Sequence[int]) -> int:
        return sum(model.visits[n].parcels for n in nodes)

    loads: list[list[int]] = []
    for node in movable:
        if loads and load(loads[-1]) + load([node]) <= capacity:
            loads[-1].append(node)
        else:
            loads.append([node])
    ways: list[list[list[int]]] = []
    own = trips[early]
    if own and load(own[-1]) + load(movable) <= capacity:
        ways.append([*own[:-1], own[-1] + movable])
    ways.append([*own, *loads])
    handed = []
    for way in ways:
        candidate = [list(t) for t in trips]
        candidate[late] = [*trips[late][:number], *([staying] if staying else []), *trips[late][number + 1 :]]
        candidate[early] = way
        handed.append(candidate)
    return handed
