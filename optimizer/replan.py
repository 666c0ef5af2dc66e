"""Re-planning during the day: trips already on the road stay exactly as they are.

`onebell plan ... --frozen PLAN --now HH:MM` keeps every trip of PLAN that departed by `now`,
takes the parcels they carry off the new counts, starts each crew no earlier than `now` or its
return from a kept trip, and plans the rest.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from optimizer.clock import format_clock, parse_clock
from optimizer.day import CountRow, Day
from optimizer.errors import DayError, PlanError
from optimizer.names import crew_name, vehicle_name
from optimizer.operations import Operations, Shift
from optimizer.plan import Batch, Plan, Stop, Trip, build_plan, crew_id
from optimizer.problem import DayModel, fielded_crews


@dataclass(frozen=True)
class PlannedTrips:
    """A crew's trips in the plan in use that had not left yet: its vehicle, and per trip the
    (building, parcels) of each stop in order."""

    vehicle: str
    trips: tuple[tuple[tuple[str, int], ...], ...]
    loads_s: tuple[int, ...] = ()  # per trip, when it was to be loaded


@dataclass(frozen=True)
class Frozen:
    now_s: int
    trips: dict[str, tuple[Trip, ...]]  # crew id -> trips that departed by `now`, in order
    delivered: dict[str, int]  # building -> parcels those trips carry
    delivered_urgent: dict[str, int]  # building -> urgent parcels among them
    delivered_batches: dict[tuple[str, int | None, str | None, int | None], int] = field(default_factory=dict)
    """(building, arrival time, held from) -> parcels of that batch those trips carry."""
    planned: dict[str, PlannedTrips] = field(default_factory=dict)
    """Crew id -> the plan's trips of that crew that had not left by `now`."""
    delivered_urgent_in_time: dict[tuple[str, int], int] = field(default_factory=dict)
    """(building, shift number) -> urgent parcels those trips bring within their window in that
    shift: an urgent parcel's window lies in its own shift, so they are that shift's."""
    sorted_parcels: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Shift id -> (parcels of the trips that had departed by `now`, parcels of the plan's trips
    still to go): what the sorter had sorted, and what it was sorting, by `now`."""

    def ready_s(self, crew_id: str, shift_start_s: int) -> int:
        """When a crew can load its next trip: not before now, nor before it is back."""
        kept = self.trips.get(crew_id, ())
        back = kept[-1].return_s if kept else shift_start_s
        return max(shift_start_s, self.now_s, back)

    def sorter_free_s(self, shift: Shift, seconds_per_parcel: float) -> int:
        """When the sorter has the parcels of the trips that left sorted, and whatever of the
        plan's next trips it had time for by `now` — its stock of sorted parcels at `now` — as a
        start time for the rest: the re-plan's trips take that stock first. Starting it afresh at
        `now` threw away what it had sorted: a 33-parcel wave added at 13:51 pushed the plan's
        trips back by four minutes and its last trip (80 parcels) out of the shift
        (`python -m tests.random_days --seeds 54 55 --time-limit 4 --most-parcels 60`)."""
        if not seconds_per_parcel or not shift.sorters:
            return shift.start_s
        departed, to_go = self.sorted_parcels.get(shift.id, (0, 0))
        pace = seconds_per_parcel / shift.sorters
        return max(shift.start_s + math.ceil(pace * departed), self.now_s - math.floor(pace * to_go))


def parse_now(text: str, operations: Operations) -> int:
    now = parse_clock(text)
    first, last = operations.shifts[0].start_s, operations.shifts[-1].end_s
    if now is None or not first <= now <= last:
        raise PlanError(
            f"the re-plan time {text!r} is outside the day ({format_clock(first)[:5]}-{format_clock(last)[:5]}); "
            "give the time now as HH:MM within it",
            field="now",
            zh=f"重排时间 {text} 不在当天班次内（{format_clock(first)[:5]}-{format_clock(last)[:5]}）；"
            "请按 时:分 填写当天之内的现在时间",
        )
    return now


def frozen_part(
    plan: Mapping[str, Any], *, site_id: str, date: str | None, operations: Operations, now_s: int
) -> Frozen:
    """The trips of `plan` that departed by `now_s`, checked to belong to this site, day and roster."""
    if plan.get("site") != site_id:
        raise PlanError(
            f"the frozen plan is for site {plan.get('site')!r}, not {site_id!r}",
            field="frozen",
            zh=f"要保留的路线计划是小区 {plan.get('site')} 的，不是 {site_id} 的",
        )
    if date is not None and plan.get("date") not in (None, date):
        raise PlanError(
            f"the frozen plan is for {plan.get('date')}, the counts for {date}",
            field="frozen",
            zh=f"要保留的路线计划是 {plan.get('date')} 的，件数表是 {date} 的",
        )
    shift_ids = {shift.id for shift in operations.shifts}
    crews_now = fielded_crews(operations)
    trips: dict[str, tuple[Trip, ...]] = {}
    delivered: dict[str, int] = defaultdict(int)
    delivered_urgent: dict[str, int] = defaultdict(int)
    delivered_batches: dict[tuple[str, int | None, str | None, int | None], int] = defaultdict(int)
    planned: dict[str, PlannedTrips] = {}
    in_time: dict[tuple[str, int], int] = defaultdict(int)
    sorted_parcels: dict[str, tuple[int, int]] = {}
    shift_number = {shift.id: number for number, shift in enumerate(operations.shifts)}
    try:
        for shift in plan.get("shifts", []):
            if shift["id"] not in shift_ids:
                raise PlanError(
                    f"the frozen plan has shift {shift['id']!r}, which the roster does not",
                    field="frozen",
                    zh=f"要保留的路线计划有班次 {shift['id']}，班表里没有",
                )
            departed = to_go = 0
            for crew in shift["crews"]:
                kept = []
                for number, trip in enumerate(crew["trips"]):
                    if _clock(trip["depart"]) > now_s:
                        later = tuple(
                            tuple((str(s["building"]), int(s["parcels"])) for s in t["stops"])
                            for t in crew["trips"][number:]
                        )
                        planned[crew["id"]] = PlannedTrips(
                            str(crew["vehicle"]),
                            later,
                            tuple(_clock(t["load"]) for t in crew["trips"][number:]),
                        )
                        to_go += sum(parcels for stops in later for _, parcels in stops)
                        break
                    stops = tuple(
                        Stop(
                            s["building"],
                            s["parcels"],
                            _clock(s["arrive"]),
                            _clock(s["depart"]),
                            s.get("urgent", 0),
                            tuple(_batch(b) for b in s.get("batches", ())),
                            s.get("late_urgent", 0),
                        )
                        for s in trip["stops"]
                    )
                    sorted_by = _clock(trip["sorted_by"]) if "sorted_by" in trip else None
                    kept.append(
                        Trip(
                            _clock(trip["load"]),
                            _clock(trip["depart"]),
                            _clock(trip["return"]),
                            stops,
                            sorted_by,
                            kept=True,
                        )
                    )
                    for stop in stops:
                        departed += stop.parcels
                        delivered[stop.building] += stop.parcels
                        delivered_urgent[stop.building] += stop.urgent
                        in_time[(stop.building, shift_number[shift["id"]])] += stop.urgent - stop.late_urgent
                        for batch in stop.batches:
                            key = (stop.building, batch.arrived_s, batch.held_from, batch.back_s)
                            delivered_batches[key] += batch.parcels
                if kept:
                    _check_crew(crew, crews_now, now_s)
                    trips[crew["id"]] = tuple(kept)
            sorted_parcels[shift["id"]] = (departed, to_go)
    except KeyError as error:
        raise PlanError(
            f"the frozen plan is not a OneBell plan (missing {error})",
            field="frozen",
            zh=f"要保留的路线计划不是一铃的路线计划（缺少 {error}）",
        ) from error
    except TypeError as error:  # a field of the wrong kind (`plan_file` names it, for a file)
        raise PlanError(
            f"the frozen plan is not a OneBell plan (a field of the wrong kind: {error})",
            field="frozen",
            zh=f"要保留的路线计划不是一铃的路线计划（有一项的类型不对：{error}）",
        ) from error
    return Frozen(
        now_s=now_s,
        trips=trips,
        delivered=dict(delivered),
        delivered_urgent=dict(delivered_urgent),
        delivered_batches=dict(delivered_batches),
        planned=planned,
        delivered_urgent_in_time={key: n for key, n in in_time.items() if n > 0},
        sorted_parcels=sorted_parcels,
    )


def _check_crew(crew: Mapping[str, Any], crews_now: Mapping[str, str], now_s: int) -> None:
    """A crew on the road must still be on the roster, with the same vehicle, or its trips (and the
    parcels they carry) would fall out of the new plan."""
    crew_id, vehicle = crew["id"], crew["vehicle"]
    if crew_id not in crews_now:
        raise PlanError(
            f"crew {crew_id} is on the road at {format_clock(now_s)[:5]} in the frozen plan, but the roster "
            f"no longer fields it; give its shift back the riders and vehicle it had ({vehicle})",
            field="frozen",
            zh=f"{format_clock(now_s)[:5]} 时{crew_name(crew_id, 'zh')}还在路上，但班表里已经没有这个小组；"
            f"请把这个班次原来的人和车（{vehicle_name(vehicle, 'zh')}）加回班表",
        )
    if crews_now[crew_id] != vehicle:
        raise PlanError(
            f"crew {crew_id} is on the road at {format_clock(now_s)[:5]} with vehicle {vehicle!r} in the "
            f"frozen plan, but the roster now gives it {crews_now[crew_id]!r}; the crews' vehicles must stay "
            "as they were when re-planning",
            field="frozen",
            zh=f"{format_clock(now_s)[:5]} 时{crew_name(crew_id, 'zh')}骑着{vehicle_name(vehicle, 'zh')}还在路上，"
            f"但班表现在给它的是{vehicle_name(crews_now[crew_id], 'zh')}；重排时各小组的车不能换",
        )


def remaining_day(day: Day, frozen: Frozen, operations: Operations) -> Day:
    """The new counts less what is already on the road.

    Parcels a kept trip lists by batch (held over from a day, arrived at a time, or brought back
    by a trip) come off the rows of that batch, and with them the batch's urgent parcels that what
    is left of it cannot hold. Its other urgent parcels brought in their window come off its own
    shift's urgent rows, the late ones off the earliest rows with urgent parcels left.
    The rest come off the building's rows of parcels there before their shift, earliest shift
    first, their parcels that are not urgent first (then off its batch rows, held over first, then
    by arrival: a plan made before stops listed batches). By shift, not by where a row stands in
    the sheet: a sheet that lists a building's evening row above its morning one had a kept trip's
    morning parcel taken off the evening row, and the morning parcel planned again (and again at
    every later re-plan).
    """
    shift_order = {shift.id: number for number, shift in enumerate(operations.shifts)}
    taken = [0] * len(day.rows)
    batch_left = dict(frozen.delivered_batches)
    for index, row in enumerate(day.rows):
        if _batched(row):
            key = (row.building, row.arrived_s, row.held_from, row.back_s)
            taken[index] = min(row.parcels, batch_left.get(key, 0))
            batch_left[key] = batch_left.get(key, 0) - taken[index]
    left = dict(frozen.delivered)
    for index, row in enumerate(day.rows):
        if taken[index]:
            left[row.building] -= taken[index]
    # parcels a kept stop does not list by batch were there before their shift (`Stop.batches`):
    # they come off such rows, and off batch rows only where those fall short (a plan made
    # before stops listed batches). Taken off a held-over row first, they left the held-over
    # parcels — and their urgent one — as delivered and the day's own to plan again.
    earliest_first = sorted(
        range(len(day.rows)), key=lambda i: (_batched(day.rows[i]), _gate_order(day.rows[i], shift_order), i)
    )
    # Urgent parcels brought in their window come off their own shift's urgent rows first: taken
    # earliest first, a kept afternoon stop's three in-time urgent parcels took the morning's
    # urgent one, which then went undelivered and uncounted, and the afternoon's three were
    # planned and delivered again.
    urgent_taken = [0] * len(day.rows)

    def take_urgent(index: int, count: int) -> int:
        """Up to `count` of the row's urgent parcels as carried (its batch's, or plain parcels
        taken for them); how many."""
        row = day.rows[index]
        room = (
            taken[index] - urgent_taken[index] + (0 if _batched(row) else max(0, left.get(row.building, 0)))
        )
        own = max(0, min(count, row.urgent - urgent_taken[index], room))
        more = max(0, urgent_taken[index] + own - taken[index])  # plain parcels it takes for them
        taken[index] += more
        left[row.building] = left.get(row.building, 0) - more
        urgent_taken[index] += own
        return own

    urgent_left = dict(frozen.delivered_urgent)
    in_time = dict(frozen.delivered_urgent_in_time)
    # A batch taken (in part) took its urgent parcels where what is left of it cannot hold them:
    # they are some of the stop's urgent ones, its own shift's in their window first. Counted off
    # the day's own urgent row instead, a held-over urgent parcel taken with its batch left that
    # row's urgent parcel listed as neither delivered nor to deliver (random day 45).
    for index, row in enumerate(day.rows):
        forced = min(max(0, row.urgent - (row.parcels - taken[index])), urgent_left.get(row.building, 0))
        if forced:
            urgent_taken[index] = forced
            urgent_left[row.building] -= forced
            own_shift = (row.building, _shift_number(row, shift_order))
            in_time[own_shift] = in_time.get(own_shift, 0) - min(forced, in_time.get(own_shift, 0))
    for (building, number), count in sorted(in_time.items()):
        for index in earliest_first:
            row = day.rows[index]
            if row.building == building and _shift_number(row, shift_order) == number and count > 0:
                own = take_urgent(index, count)
                count -= own
                urgent_left[building] = urgent_left.get(building, 0) - own
    for index in earliest_first:  # the late ones (or a plan's without the split) earliest first
        building = day.rows[index].building
        if urgent_left.get(building, 0) > 0:
            urgent_left[building] -= take_urgent(index, urgent_left[building])
    # Then the plain parcels, off each row's parcels that are not urgent first: taken off a row
    # whole, an earlier shift's urgent parcels went with the day's own a kept stop carried, and
    # were neither delivered nor left.
    for plain_only in (True, False):
        for index in earliest_first:
            row = day.rows[index]
            kept_back = row.urgent - urgent_taken[index] if plain_only else 0
            more = max(0, min(row.parcels - taken[index] - kept_back, left.get(row.building, 0)))
            taken[index] += more
            left[row.building] = left.get(row.building, 0) - more
    rows = []
    for index in earliest_first:
        row = day.rows[index]
        parcels = row.parcels - taken[index]
        rows.append(
            (index, replace(row, parcels=parcels, urgent=min(row.urgent - urgent_taken[index], parcels)))
        )
    short = {b: n for b, n in left.items() if n > 0}
    if short:
        building = sorted(short)[0]
        raise DayError(
            f"building {building}: the new counts have {frozen.delivered[building] - short[building]} parcels, "
            f"but {frozen.delivered[building]} are already on the road in the frozen plan",
            field="building",
            zh=f"楼 {building}：新的件数表只有 {frozen.delivered[building] - short[building]} 件，"
            f"但已出发的车上已经有 {frozen.delivered[building]} 件",
        )
    return Day(date=day.date, rows=tuple(row for _, row in sorted(rows)))


def _shift_number(row: CountRow, shift_order: Mapping[str, int]) -> int:
    return 0 if row.shift is None else shift_order.get(row.shift, len(shift_order))


def _batched(row: CountRow) -> bool:
    """Whether a stop lists this row's parcels as a batch of their own (held over, arrived at a
    time, brought back)."""
    return row.arrived_s is not None or row.held_from is not None or row.back_s is not None


def _gate_order(row: CountRow, shift_order: Mapping[str, int]) -> tuple[int, str, int, int]:
    """Held-over rows (oldest first), then shift by shift: those there before the shift, then by
    arrival or by when a trip brought them back."""
    if row.held_from is not None:
        return (0, row.held_from, 0, 0)
    at = row.arrived_s if row.arrived_s is not None else row.back_s
    return (1, "", _shift_number(row, shift_order), -1 if at is None else at)


def _batch(document: Mapping[str, Any]) -> Batch:
    if "back_at" in document:
        held = document.get("held_from")
        return Batch(
            None,
            document["parcels"],
            held_from=None if held is None else str(held),
            back_s=_clock(document["back_at"]),
        )
    if "held_from" in document:
        return Batch(None, document["parcels"], held_from=str(document["held_from"]))
    return Batch(_clock(document["arrived"]), document["parcels"])


def _clock(text: Any) -> int:
    value = parse_clock(text)
    if value is None:
        raise PlanError(
            f"the frozen plan has a time {text!r} that is not HH:MM:SS",
            field="frozen",
            zh=f"要保留的路线计划里的时间「{text}」不是 时:分:秒",
        )
    return value


def carried_on(model: DayModel, frozen: Frozen, **kept: Any) -> Plan | None:
    """The plan in use carried on: its trips that had not left, on the new counts (each stop
    takes its building's loads of the new model, within the vehicle's load, as many parcels as
    it carried; a load the crew may not carry stays). A re-plan must deliver at least this much —
    the plan in use still holds for what it knew — and a whole-day search from a fresh seed
    sometimes did not: a 33-parcel wave re-planned at 13:51 gave a plan of 806 parcels where the
    plan in use carried on delivers 891 (`python -m tests.random_days`, seed 54).

    None when no crew of the new roster has such trips (a crew taken off, or on another vehicle,
    loses its own)."""
    free: dict[str, list[int]] = defaultdict(list)
    for node in range(1, model.node_count):
        building = model.visits[node].building
        if building is not None:
            free[building].append(node)
    for (
        nodes
    ) in free.values():  # ready ones first (what the plan in use knew of), a primary before its stand-in
        nodes.sort(key=lambda n: (model.visits[n].loadable_s, model.visits[n].late_for is not None, n))
    twin = {**model.late_twin, **{late: n for n, late in model.late_twin.items()}}
    used: set[int] = set()
    # The trips in the order they were to be loaded, whichever crew's: a crew's late trip took a
    # building's ready loads before another crew's earlier trip to it came up, which then waited
    # for loads that came in an hour later (`python -m tests.random_days --seeds 94 95`).
    in_turn = []
    for number, crew in enumerate(model.crews):
        planned = frozen.planned.get(crew_id(model, number))
        if planned is not None and planned.vehicle == model.operations.fleet[crew.vehicle].id:
            loads_s = planned.loads_s or (0,) * len(planned.trips)
            in_turn += [
                (at, number, k, stops)
                for k, (at, stops) in enumerate(zip(loads_s, planned.trips, strict=True))
            ]
    carried: dict[tuple[int, int], list[int]] = {}
    for load_s, number, k, stops in sorted(in_turn, key=lambda item: item[:3]):
        crew = model.crews[number]
        capacity = model.operations.fleet[crew.vehicle].capacity
        trip: list[int] = []
        load = 0
        for building, parcels in stops:
            while parcels > 0:
                fits = [
                    n
                    for n in free.get(building, ())
                    if n not in used
                    and load + model.visits[n].parcels <= capacity
                    and model.can_serve(crew, n)
                ]
                if not fits:
                    break
                node = _best_fit(model, fits, parcels, load_s)
                trip.append(node)
                used.update((node, twin.get(node, node)))
                load += model.visits[node].parcels
                parcels -= model.visits[node].parcels
        if trip:
            carried[(number, k)] = trip
    trips_of_crew = [
        [trip for (crew, _), trip in sorted(carried.items()) if crew == number]
        for number in range(len(model.crews))
    ]
    if not any(trips_of_crew):
        return None
    return build_plan(
        _loading_on(model, frozen, trips_of_crew),
        trips_of_crew,
        solver={"status": "the plan in use, carried on"},
        **kept,
    )


def _best_fit(model: DayModel, nodes: list[int], parcels: int, load_s: int) -> int:
    """The load of `nodes` (in the order the plan in use knew of them: ready ones first) for a
    stop of `parcels` on a trip loaded at `load_s`: of those ready by then (else of the first
    ready), one of just that many, else the largest under it, else the smallest over it. The
    first that came once took a 20-parcel load for a stop of 3, which then left no room for the
    trip's other two stops (`python -m tests.random_days --seeds 0 1`); the best fit among all
    took parcels that came in an hour later, and held the trip back until they had stood (seed
    36)."""
    first = model.visits[nodes[0]]
    ready = [n for n in nodes if model.visits[n].loadable_s <= max(load_s, first.loadable_s)]
    size = {n: model.visits[n].parcels for n in ready}
    exact = [n for n in ready if size[n] == parcels]
    if exact:
        return exact[0]
    under = [n for n in ready if size[n] < parcels]
    if under:
        return max(under, key=lambda n: size[n])  # the first of the largest: max keeps the first
    return min(ready, key=lambda n: size[n])


def _loading_on(model: DayModel, frozen: Frozen, trips_of_crew: list[list[list[int]]]) -> DayModel:
    """The model with each crew that was loading its next trip at `now` ready from when it began,
    where that trip goes on as it was: a load half on the tricycle is not unloaded and loaded
    again (four minutes of every crew at the gate, at every re-plan)."""
    ready = [model.ready_s(crew) for crew in range(len(model.crews))]
    for crew, trips in enumerate(trips_of_crew):
        planned = frozen.planned.get(crew_id(model, crew))
        if planned is None or not planned.loads_s or planned.loads_s[0] > frozen.now_s or not trips:
            continue  # no trip of its was being loaded at `now`
        stops: dict[str, int] = defaultdict(int)
        for node in trips[0]:
            visit = model.visits[node]
            stops[str(visit.building)] += visit.parcels
        as_planned: dict[str, int] = defaultdict(int)
        for building, parcels in planned.trips[0]:
            as_planned[building] += parcels
        if stops == as_planned:
            ready[crew] = min(
                ready[crew], max(planned.loads_s[0], model.operations.shifts[model.crews[crew].shift].start_s)
            )
    return replace(model, crew_ready_s=tuple(ready))
