"""Plan a day: build the model, seed it, let the guided search improve it, time the result."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from optimizer.balance import hand_over_trips, unbalanced_s
from optimizer.day import Day, check_day
from optimizer.graph import SiteGraph
from optimizer.operations import Operations
from optimizer.plan import Plan, build_plan, crew_id
from optimizer.problem import DayModel, build_day_model, crews_problem
from optimizer.replan import Frozen, carried_on, frozen_part, remaining_day
from optimizer.routing import Progress, solve_vrp, solve_vrp_stopped_at_limit
from optimizer.seed import schedule_seed, seed_trips
from optimizer.stop_merge import merge_split_stops
from optimizer.urgent_first import urgent_first, urgent_trips_earlier

SEED_SHARE = 0.2
"""Part of the time limit spent cutting the seed trips; the rest goes to the whole-day search."""

SEED_MAX_S = 4.0
"""The seed needs first solutions more than long searches: with long limits, keep it short so the
first complete plan comes early and the whole-day search gets the time."""

RECUT_SHARE = 0.5
"""On a day the crews cannot clear, parcels left over from one shift wait at the gate with the next
shift's: the seed cuts them into trips again together (`seed._recut_left_over`), in up to this
share of the seed's time more. On gelin-spring's 2,000 and 2,300-parcel days with one tricycle a
shift that took them from about 1,100 and 1,190 parcels delivered to 1,370 and 1,468 at 10 s; a
day that clears needs no re-cut and loses no time (docs/benchmarks.md, "Days the crews cannot
clear")."""

EXTRA_TRIPS = 3
"""Spare trip slots per crew beyond the seed's, so the search can split loads further."""

BALANCE_SHARE = 0.15
"""Part of the search time kept back to balance crews' finish times when they differ too much."""

MERGE_SHARE = 0.05
MERGE_MIN_S = 0.3
"""After the search, up to this share of the time limit (at least MERGE_MIN_S) goes to serving a
building once where the search left two stops in a shift (`stop_merge`): 0.4 s for 22 moves on
tongji-xincun's 3,400 parcels. A plan with nothing to merge is done at once."""


@dataclass(frozen=True)
class PlanProgress:
    elapsed_s: float
    parcels_placed: int
    crew_s: int


STOP_AT_LIMIT_NODES = 600
"""Days with more visits than this search in a child process stopped at the time limit
(`solve_vrp_stopped_at_limit`): OR-Tools overran its limit by 15–40 s on 1,000–3,000-building
days, never on the compounds of up to 272 buildings measured (docs/benchmarks.md, "Scaling")."""

WAVE_GAP_MIN = 30
MAX_WAVES = 6
"""Arrivals closer than WAVE_GAP_MIN are planned as one wave, and at most MAX_WAVES re-plans are
made (see `wave_times`)."""

WHOLE_DAY_SEED_SHARE = 0.8
"""Of the whole-day plan's quarter, when the day is also planned in stages, the part its seed may
take. The whole-day plan is kept where it beats the stages, which is on days the crews cannot
clear, and there the seed decides: the whole-day search adds no parcel to it (docs/model.md), and
with its seed at a fifth of a quarter gelin-spring's 2,300 parcels with one tricycle a shift went
from 1,556–1,600 delivered (whole day alone, 10 s, five runs) to 1,550–1,576 once the shifts were
planned in turn; at 0.8, 1,596 and 1,600 (docs/benchmarks.md, "Three shifts planned in turn")."""

SHIFT_STAGE_MIN_S = 1.0
"""Later shifts are stages of their own only where each stage gets at least this long: every stage
searches for some tenths of a second whatever its share (the seed's groups, the passes after the
search), and with three shifts a 1 s plan took 1.6–2.4 s on the fixture days where the whole day
alone took its second."""

WHOLE_DAY_SHARE = 0.25
"""On a day planned in stages (waves mid-shift, later shifts), the share of the time limit for one
plan of the whole day; the rest goes to the stages (`_plan_wave_by_wave`), and the better plan is
kept."""


def plan_day(
    site_graph: SiteGraph,
    day: Day,
    operations: Operations,
    *,
    time_limit_s: float = 10.0,
    on_progress: Callable[[PlanProgress], None] | None = None,
    frozen: Frozen | None = None,
    merge_stops: bool = True,
    wave_by_wave: bool = True,
    overload_seed: bool = True,
    late_urgent: bool = True,
) -> Plan:
    """The day's plan. With `frozen`, its trips stay as they were and only the rest is planned.
    `merge_stops=False` leaves a building's two stops in a shift as the search left them (to
    measure what serving it once saves).

    Parcels that may be loaded only after their shift has begun (a wave that comes in mid-shift and
    stands at the gate) make the whole-day model hard to search: every trip that carries them must
    load after they are ready, and the search finds few moves that keep the crews' trips in order.
    Such a day is also planned as the coordinator would re-plan it — what is known at the start,
    then each wave when it is ready, the trips that have left kept — and the better plan
    (`Plan.rank`) is kept; `wave_by_wave=False` plans the whole day only. A later shift's parcels
    are such a wave at its start (`stage_times`): one shift's model is small enough to search
    well where the whole day's of a large compound is not.
    `overload_seed=False` seeds a day the crews cannot clear as one that they can (to measure what
    re-cutting left-over parcels and taking the most parcels per minute first deliver more).
    `late_urgent=False` gives urgent parcels no late stand-ins, so the search leaves those that
    cannot make their window undelivered, as it did before they could go late (to measure what
    sending them late delivers)."""
    # before the waves are read off the rows, which would stumble on a shift the roster lacks
    check_day(day, site_graph.site, operations)
    waves = stage_times(day, operations, frozen, time_limit_s=time_limit_s) if wave_by_wave else []
    if not waves:
        return _plan_once(
            site_graph,
            day,
            operations,
            time_limit_s=time_limit_s,
            on_progress=on_progress,
            frozen=frozen,
            merge_stops=merge_stops,
            overload_seed=overload_seed,
            late_urgent=late_urgent,
        )
    started = time.monotonic()

    def report(progress: PlanProgress) -> None:
        """Progress of both plans on one clock, from the start of the request."""
        if on_progress is not None:
            on_progress(replace(progress, elapsed_s=time.monotonic() - started))

    whole = _plan_once(
        site_graph,
        day,
        operations,
        time_limit_s=time_limit_s * WHOLE_DAY_SHARE,
        on_progress=report,
        frozen=frozen,
        merge_stops=merge_stops,
        overload_seed=overload_seed,
        late_urgent=late_urgent,
        seed_share=WHOLE_DAY_SEED_SHARE,
    )
    left = max(time_limit_s - (time.monotonic() - started), 0.1 * (len(waves) + 1))
    staged = _plan_wave_by_wave(
        site_graph,
        day,
        operations,
        waves,
        time_limit_s=left,
        on_progress=report,
        frozen=frozen,
        merge_stops=merge_stops,
        overload_seed=overload_seed,
        late_urgent=late_urgent,
    )
    overall = {"time_limit_s": time_limit_s, "solve_s": round(time.monotonic() - started, 2)}
    if staged.rank > whole.rank:
        staged.solver.update(overall, whole_day_delivered=whole.delivered)
        return staged
    whole.solver.update(overall, wave_by_wave_delivered=staged.delivered)
    return whole


def stage_times(
    day: Day, operations: Operations, frozen: Frozen | None, *, time_limit_s: float | None = None
) -> list[int]:
    """When a day planned in stages is re-planned: each wave mid-shift (`wave_times`) and the
    start of each later shift with parcels of its own — the latter only where `time_limit_s`
    leaves each stage SHIFT_STAGE_MIN_S.

    A shift's parcels are a wave at its start: a model of one shift's parcels is a third the size
    of the whole day's, and on tongji-xincun's 272 buildings (four crews a shift) guided search
    never finishes its first descent over the whole day in 10 s, while three shifts planned in
    turn, the earlier shifts' trips kept, took 2.8% less crew time (docs/benchmarks.md, "Three
    shifts planned in turn"). The whole-day plan is still made, and the better one kept."""
    start = operations.shifts[0].start_s if frozen is None else frozen.now_s
    shift_starts = {operations.shift_of(row.shift).start_s for row in day.rows if row.parcels}
    waves = wave_times(day, operations, frozen)
    stages = sorted(set(waves) | {at for at in shift_starts if at > start})
    if (
        time_limit_s is not None
        and time_limit_s * (1 - WHOLE_DAY_SHARE) / (len(stages) + 1) < SHIFT_STAGE_MIN_S
    ):
        return waves
    return stages


def wave_times(day: Day, operations: Operations, frozen: Frozen | None) -> list[int]:
    """When parcels become loadable after their shift has begun (and after `now`, re-planning),
    within the day: the times a coordinator would re-plan at. Arrivals less than WAVE_GAP_MIN
    apart are one wave (planned at its first); the gap doubles until there are at most MAX_WAVES,
    so a day of scattered arrival times still leaves each stage time to search."""
    start = operations.shifts[0].start_s if frozen is None else frozen.now_s
    end = operations.shifts[-1].end_s
    times = sorted(
        {
            ready
            for row in day.rows
            if row.parcels
            and max(start, operations.shift_of(row.shift).start_s)
            < (ready := row.loadable_s(operations.gate.stand_min))
            < end
        }
    )
    gap = 60 * WAVE_GAP_MIN
    while True:
        waves: list[int] = []
        for at in times:
            if not waves or at >= waves[-1] + gap:
                waves.append(at)
        if len(waves) <= MAX_WAVES:
            return waves
        gap *= 2


def _plan_wave_by_wave(
    site_graph: SiteGraph,
    day: Day,
    operations: Operations,
    waves: list[int],
    *,
    time_limit_s: float,
    on_progress: Callable[[PlanProgress], None] | None,
    frozen: Frozen | None,
    merge_stops: bool,
    overload_seed: bool,
    late_urgent: bool,
) -> Plan:
    """Plan what is loadable from the start, then re-plan at each wave's time with the trips that
    have left kept; each stage knows the rows loadable before the next wave (they keep their own
    loading times; a later shift's rows are loadable from its start), the last the whole day's
    counts. The result is one plan of the day: only the
    trips `frozen` kept are marked kept."""
    stand_min = operations.gate.stand_min
    each = time_limit_s / (len(waves) + 1)
    first_at = operations.shifts[0].start_s if frozen is None else frozen.now_s

    def known_before(until: int) -> Day:
        rows = tuple(
            row
            for row in day.rows
            if (ready := max(row.loadable_s(stand_min), operations.shift_of(row.shift).start_s)) < until
            or ready <= first_at
        )
        return Day(date=day.date, rows=rows)

    plan = _plan_once(
        site_graph,
        known_before(waves[0]),
        operations,
        time_limit_s=each,
        on_progress=on_progress,
        frozen=frozen,
        merge_stops=merge_stops,
        overload_seed=overload_seed,
        late_urgent=late_urgent,
        stage=True,
    )
    for number, at in enumerate(waves):
        on_the_road = frozen_part(
            plan.to_dict(), site_id=site_graph.site.id, date=day.date, operations=operations, now_s=at
        )
        plan = _plan_once(
            site_graph,
            day if number == len(waves) - 1 else known_before(waves[number + 1]),
            operations,
            time_limit_s=each,
            on_progress=on_progress,
            frozen=on_the_road,
            merge_stops=merge_stops,
            overload_seed=overload_seed,
            late_urgent=late_urgent,
            stage=True,
        )
    kept_by_crew = {} if frozen is None else {crew: len(trips) for crew, trips in frozen.trips.items()}
    day_plan = plan.kept_only(kept_by_crew, None if frozen is None else frozen.now_s)
    day_plan.solver.update(status=f"{plan.solver.get('status')}, in stages", waves=len(waves))
    return day_plan


def remaining_model(
    site_graph: SiteGraph, day: Day, operations: Operations, frozen: Frozen, *, late_urgent: bool = True
) -> DayModel:
    """The model of what a re-plan plans: the day less the trips on the road, each crew ready
    when it is back, the sorter going on from where it stood."""
    return build_day_model(
        site_graph,
        remaining_day(day, frozen, operations),
        operations,
        ready_s=frozen.ready_s,
        sorter_free_s=frozen.sorter_free_s,
        late_urgent=late_urgent,
    )


def plan_in_use_carried_on(
    site_graph: SiteGraph, day: Day, operations: Operations, frozen: Frozen
) -> Plan | None:
    """What a re-plan on `day` must match at least (`replan.carried_on`), as a plan of its own."""
    model = remaining_model(site_graph, day, operations, frozen)
    return carried_on(model, frozen, kept=frozen.trips, now_s=frozen.now_s, parcels=day.parcels)


def _plan_once(
    site_graph: SiteGraph,
    day: Day,
    operations: Operations,
    *,
    time_limit_s: float,
    on_progress: Callable[[PlanProgress], None] | None = None,
    frozen: Frozen | None = None,
    merge_stops: bool = True,
    overload_seed: bool = True,
    late_urgent: bool = True,
    stage: bool = False,
    seed_share: float = SEED_SHARE,
) -> Plan:
    """One plan of the day (or of what is left of it, with `frozen`) by one search; `stage`: a
    stage of a plan made wave by wave, `frozen` its own earlier stages, not a coordinator's
    re-plan."""
    started = time.monotonic()
    kept: dict[str, Any] = {}
    if frozen is None:
        model = build_day_model(site_graph, day, operations, late_urgent=late_urgent)
    else:
        model = remaining_model(site_graph, day, operations, frozen, late_urgent=late_urgent)
        kept = {"kept": frozen.trips, "now_s": frozen.now_s, "parcels": day.parcels}
        if not stage:
            model = replace(model, replanned_at_s=frozen.now_s)
    if not model.crews or model.node_count == 1:
        return build_plan(model, [[] for _ in model.crews], solver={"status": "nothing_to_route"}, **kept)
    in_use = None if frozen is None else carried_on(model, frozen, **kept)

    def better(plan: Plan) -> Plan:
        """The search's plan, or the plan in use carried on where that does more (a re-plan)."""
        if in_use is None or in_use.rank <= plan.rank:
            return plan
        in_use.solver.update(
            time_limit_s=time_limit_s,
            solve_s=round(time.monotonic() - started, 2),
            searched_delivered=plan.delivered,
        )
        return in_use

    seed_s = min(time_limit_s * seed_share, SEED_MAX_S)
    seed = schedule_seed(
        model,
        seed_trips(model, time_limit_s=seed_s),
        recut_s=RECUT_SHARE * seed_s if overload_seed else 0.0,
        by_density=overload_seed,
    )
    slots = [_trip_slots(model, crew, len(trips)) for crew, trips in enumerate(seed)]
    problem, layout = crews_problem(model, trips_per_crew=slots)
    initial: list[list[int]] = [[] for _ in problem.vehicles]
    for crew, trips in enumerate(seed):
        for slot, nodes in zip(layout.trips_of_crew[crew], trips, strict=False):
            initial[slot] = list(nodes)

    crew_of_vehicle = {v: c for c, vehicles in enumerate(layout.trips_of_crew) for v in vehicles}

    def report(progress: Progress) -> None:
        if on_progress is None:
            return
        placed = sum(model.visits[n].parcels for route in progress.routes for n in route)
        crew_s = sum(
            model.crews[crew_of_vehicle[v]].riders
            * model.trip_s(model.crews[crew_of_vehicle[v]].vehicle, route)
            for v, route in enumerate(progress.routes)
            if route
        )
        on_progress(PlanProgress(time.monotonic() - started, placed, crew_s))

    balancing = model.operations.balance_min is not None
    remaining = max(time_limit_s - (time.monotonic() - started), 0.1) * (
        1 - BALANCE_SHARE if balancing else 1
    )
    search = solve_vrp_stopped_at_limit if model.node_count > STOP_AT_LIMIT_NODES else solve_vrp
    solution = search(
        problem,
        time_limit_s=remaining,
        initial_routes=initial,
        first_solution="local_cheapest_insertion",
        on_progress=report if on_progress else None,
    )
    routes = solution.routes if solution.found else initial
    status = solution.status

    def trips_of(routes: list[list[int]]) -> list[list[list[int]]]:
        return [[routes[v] for v in vehicles] for vehicles in layout.trips_of_crew]

    def planned(trips: list[list[list[int]]], status: str, **more: Any) -> Plan:
        return build_plan(
            model,
            trips,
            **kept,
            solver={
                "status": status,
                "time_limit_s": time_limit_s,
                "solve_s": round(time.monotonic() - started, 2),
                "trip_slots": len(problem.vehicles),
                **more,
            },
        )

    crew_trips = trips_of(routes)
    plan = planned(crew_trips, status)
    targets = _finish_targets(model, plan)
    crews_planned = {crew.id: crew for shift in plan.shifts for crew in shift.crews}
    late = {
        c: t
        for c, t in targets.items()
        if (planned_crew := crews_planned.get(crew_id(model, c))) is not None
        and planned_crew.trips
        and planned_crew.finish_s > t
    }
    if late:
        # Balance: crews finishing long after the first of their shift must be back by a target,
        # their trips past it start unplanned for the search to hand to the others; the result is
        # kept only if it delivers as much (as many urgent parcels in time), costs at most 2% more
        # crew time and the crews finish closer together.
        balanced_problem, _ = crews_problem(model, trips_per_crew=slots, finish_by_s=late)
        start = [list(route) for route in routes]
        for crew, target in late.items():
            used = [v for v in layout.trips_of_crew[crew] if routes[v]]
            for vehicle, trip in zip(used, crews_planned[crew_id(model, crew)].trips, strict=False):
                if trip.return_s > target:
                    start[vehicle] = []
        left = max(time_limit_s - (time.monotonic() - started), 0.1)
        balanced = search(balanced_problem, time_limit_s=left, initial_routes=start)
        if balanced.found:
            candidate = planned(trips_of(balanced.routes), f"{status}, balanced")
            if (
                candidate.at_least_as_good(plan)
                and candidate.crew_s <= 1.02 * plan.crew_s
                and unbalanced_s(model, candidate) < unbalanced_s(model, plan)
            ):
                crew_trips, plan, status = trips_of(balanced.routes), candidate, f"{status}, balanced"
    passes: dict[str, int] = {}  # what the passes after the search did, for `solver`
    if unbalanced_s(model, plan):
        until = time.monotonic() + max(MERGE_MIN_S, MERGE_SHARE * time_limit_s)
        crew_trips, plan, handed = hand_over_trips(
            model, crew_trips, lambda t: planned(t, status), plan=plan, until=until
        )
        if handed:
            passes["trips_handed_over"] = handed
            plan.solver.update(passes)
    if merge_stops:
        until = time.monotonic() + max(MERGE_MIN_S, MERGE_SHARE * time_limit_s)
        merged, moves = merge_split_stops(
            model, crew_trips, lambda t: planned(t, status), until=until, plan=plan
        )
        if moves:
            saved = plan.crew_s
            crew_trips, plan = merged, planned(merged, status, stops_merged=moves)
            passes = {"stops_merged": moves, "merge_saved_crew_s": saved - plan.crew_s}
            plan.solver.update(passes)
    until = time.monotonic() + max(MERGE_MIN_S, MERGE_SHARE * time_limit_s)
    crew_trips, plan, moved = urgent_trips_earlier(
        model, crew_trips, lambda t: planned(t, status, **passes), plan=plan, until=until
    )
    if moved:
        passes["urgent_trips_earlier"] = moved
        plan.solver.update(passes)
    ordered, changed = urgent_first(model, crew_trips)
    if changed:
        candidate = planned(ordered, status, **passes, urgent_first_trips=changed)
        if candidate.at_least_as_good(plan) and candidate.crew_s <= plan.crew_s:
            plan = candidate
    return better(plan)


def _finish_targets(model: DayModel, plan: Plan) -> dict[int, int]:
    """Per crew of a shift whose crews finish more than balance_min apart: when to be back by,
    the first crew's finish plus balance_min or halfway to the last's, whichever is later."""
    balance_min = model.operations.balance_min
    if balance_min is None:
        return {}
    targets: dict[int, int] = {}
    for number, shift in enumerate(plan.shifts):
        finishes = [crew.finish_s for crew in shift.crews if crew.trips]
        if len(finishes) < 2 or max(finishes) - min(finishes) <= 60 * balance_min:
            continue
        # halfway between the first and last back, or closer: a target of the first crew's
        # finish plus balance_min left world-garden's and tongji-xincun's late crews more trips
        # to hand over than the search could place in its second (it delivered 1,436 of 1,900
        # and 3,002 of 3,400 so, and was not kept); halfway, gelin-spring's 2,300-parcel morning
        # went from 19.9 to 5.5 minutes apart for 0.3% more crew time
        halfway = (min(finishes) + max(finishes)) // 2
        for crew in model.crews_of_shift(number):
            targets[crew] = max(min(finishes) + 60 * balance_min, halfway)
    return targets


def _trip_slots(model: DayModel, crew: int, seeded: int) -> int:
    """Seeded trips plus spares, but no more than could fit in the shift at all."""
    shift = model.operations.shifts[model.crews[crew].shift]
    if model.ready_s(crew) >= shift.end_s:
        return 0  # re-planning after this crew's shift (or its last kept trip) is over
    vehicle = model.crews[crew].vehicle
    shortest = max(int(model.transit_s[vehicle][0, 1:].min(initial=0)) * 2, 60)
    return max(seeded, min(seeded + EXTRA_TRIPS, shift.length_s // shortest))
