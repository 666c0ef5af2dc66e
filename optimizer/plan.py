"""The plan as plain data: shifts, crews, trips, stops, and what could not go out today.

Times are recomputed here from the graph by a forward pass (trips back to back from the start of
the shift), so a plan is exactly as long as the work in it, whatever slack the search left.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import networkx as nx

from optimizer.clock import format_clock
from optimizer.graph import unreachable_buildings
from optimizer.names import fleet_name, shift_label, vehicle_name
from optimizer.problem import DayModel, parcel_weights
from optimizer.site import building_order
from optimizer.stop_cost import stop_s
from optimizer.travel import ride_s


@dataclass(frozen=True)
class Batch:
    """Parcels of one stop that reached the gate at a known time: the sorter must take those
    (they have stood long enough), not a later batch of the same building still standing. Or
    parcels held over from an earlier day (`held_from`), which the sorter takes from that pile. Or
    parcels a trip brought back at `back_s`, which lie apart from those that never went out (and
    may have been held over from an earlier day as well)."""

    arrived_s: int | None
    parcels: int
    held_from: str | None = None
    back_s: int | None = None


@dataclass(frozen=True)
class Stop:
    building: str
    parcels: int
    arrive_s: int
    depart_s: int
    urgent: int = 0
    batches: tuple[Batch, ...] = ()
    """Held-over parcels (oldest first), then parcels with an arrival time (earliest first), then
    parcels brought back (earliest first); the rest were there before the shift."""
    late_urgent: int = 0
    """Of `urgent`, those past their window (`urgent_within_min`): no crew could bring them in
    time, and late is better than tomorrow."""


@dataclass(frozen=True)
class Trip:
    load_s: int  # loading at the gate starts
    depart_s: int
    return_s: int
    stops: tuple[Stop, ...]
    sorted_by_s: int | None = None  # the sorter has its last parcel ready (when sorting is modelled)
    kept: bool = False
    """A re-plan's trip that had already departed: it stays as it was, and cards and the load list
    leave it out (it is loaded and on the road)."""

    @property
    def parcels(self) -> int:
        return sum(stop.parcels for stop in self.stops)


@dataclass(frozen=True)
class CrewPlan:
    id: str
    vehicle: str
    mode: str
    riders: int
    trips: tuple[Trip, ...]
    sealed_ok: bool = False  # a designated pair: may go into sealed zones, where other crews go round

    @property
    def start_s(self) -> int:
        return self.trips[0].load_s

    @property
    def finish_s(self) -> int:
        return self.trips[-1].return_s

    @property
    def crew_s(self) -> int:
        return self.riders * (self.finish_s - self.start_s)


@dataclass(frozen=True)
class ShiftPlan:
    id: str
    start_s: int
    end_s: int
    crews: tuple[CrewPlan, ...]


@dataclass(frozen=True)
class Undelivered:
    building: str
    parcels: int
    shift: str
    cause: str
    reason: str
    urgent: int = 0
    held_from: str | None = None  # held over from this earlier day, and not delivered today either
    reason_zh: str = ""
    """The reason in Chinese, for the coordinator's page in Chinese (plans made before it have none)."""


@dataclass(frozen=True)
class UndeliveredGroup:
    """The buildings whose parcels stayed for the same reason in the same shift, said once: the
    page and the command line show these, the plan's `undelivered` keeps every building's line."""

    shift: str
    cause: str
    held_from: str | None
    parcels: int
    urgent: int
    buildings: tuple[str, ...]
    reason: str
    reason_zh: str


@dataclass(frozen=True)
class Plan:
    site: str
    date: str | None
    policy: str
    shifts: tuple[ShiftPlan, ...]
    undelivered: tuple[Undelivered, ...]
    parcels: int
    solver: dict[str, Any] = field(default_factory=dict)
    replanned_at_s: int | None = None  # a re-plan: trips that departed by then were kept
    undelivered_groups: tuple[UndeliveredGroup, ...] = ()

    def trips(self) -> Iterator[tuple[ShiftPlan, Trip]]:
        """Every trip with its shift, shift by shift and crew by crew."""
        return ((shift, trip) for shift in self.shifts for crew in shift.crews for trip in crew.trips)

    def stops(self) -> Iterator[tuple[ShiftPlan, Stop]]:
        """Every stop with its shift, in the order of `trips`."""
        return ((shift, stop) for shift, trip in self.trips() for stop in trip.stops)

    @property
    def delivered(self) -> int:
        return sum(trip.parcels for _, trip in self.trips())

    @property
    def late_urgent(self) -> int:
        return sum(stop.late_urgent for _, stop in self.stops())

    @property
    def urgent_left(self) -> int:
        """Urgent parcels not delivered today, in their window or late."""
        return sum(u.urgent for u in self.undelivered)

    @property
    def weighed_left(self) -> int:
        """What the plan leaves undelivered, weighed as the search weighs a dropped parcel
        (`problem.parcel_weights`: urgent ones most, held-over ones more than the day's own), and
        one more for each urgent parcel sent past its window, as the search's late stand-in costs."""
        held = [u.held_from for u in self.undelivered] + [
            batch.held_from for _, stop in self.stops() for batch in stop.batches
        ]
        urgent, weight = parcel_weights(held)
        left = sum(
            urgent * u.urgent
            + (weight[u.held_from] if u.held_from is not None else 1) * (u.parcels - u.urgent)
            for u in self.undelivered
        )
        return left + self.late_urgent

    @property
    def rank(self) -> tuple[int, int, int, int, int]:
        """Two plans of one day compared: what they leave undelivered, weighed as the search
        weighs it, then parcels delivered, urgent ones among them, urgent ones in their window,
        crew time. By parcels alone, a wave-by-wave plan delivering one parcel more than the
        whole-day plan was kept though it left three urgent ones for tomorrow that the other
        delivered (`tests.random_days` seed 15): the search itself would not make that trade."""
        return (-self.weighed_left, self.delivered, -self.urgent_left, -self.late_urgent, -self.crew_s)

    def at_least_as_good(self, other: Plan) -> bool:
        """Delivers as many parcels as `other`, as many of them urgent, and as many urgent ones in
        their window: what a pass after the search must keep while it saves crew time."""
        return (
            self.urgent_left <= other.urgent_left
            and self.delivered >= other.delivered
            and self.late_urgent <= other.late_urgent
        )

    @property
    def trip_count(self) -> int:
        return sum(1 for _ in self.trips())

    @property
    def crew_s(self) -> int:
        return sum(crew.crew_s for shift in self.shifts for crew in shift.crews)

    def kept_only(self, kept_by_crew: Mapping[str, int], replanned_at_s: int | None) -> Plan:
        """The same plan with only each crew's first `kept_by_crew[crew]` trips marked kept: a plan
        made in stages (wave by wave) kept its own earlier trips, which the day's plan did not."""
        marked = self.with_trips(lambda crew, n, trip: replace(trip, kept=n < kept_by_crew.get(crew, 0)))
        return replace(marked, replanned_at_s=replanned_at_s)

    def with_trips(self, change: Callable[[str, int, Trip], Trip]) -> Plan:
        """The same plan with each trip replaced by `change(crew id, the trip's number in the
        crew's day, trip)`."""
        shifts = tuple(
            replace(
                shift,
                crews=tuple(
                    replace(crew, trips=tuple(change(crew.id, n, trip) for n, trip in enumerate(crew.trips)))
                    for crew in shift.crews
                ),
            )
            for shift in self.shifts
        )
        return replace(self, shifts=shifts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "date": self.date,
            "policy": self.policy,
            **({} if self.replanned_at_s is None else {"replanned_at": format_clock(self.replanned_at_s)}),
            "shifts": [_shift_dict(shift) for shift in self.shifts],
            "undelivered": [_undelivered_document(item) for item in self.undelivered],
            "undelivered_groups": [_group_document(group) for group in self.undelivered_groups],
            "summary": {
                "parcels": self.parcels,
                "delivered": self.delivered,
                "undelivered": self.parcels - self.delivered,
                "late_urgent": self.late_urgent,
                "trips": self.trip_count,
                "crews": sum(len(shift.crews) for shift in self.shifts),
                "crew_s": self.crew_s,
            },
            "solver": self.solver,
        }

    def write(self, path: str | Path) -> None:
        Path(path).write_text(
            json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )


def _shift_dict(shift: ShiftPlan) -> dict[str, Any]:
    return {
        "id": shift.id,
        "start": format_clock(shift.start_s),
        "end": format_clock(shift.end_s),
        "crews": [
            {
                "id": crew.id,
                "vehicle": crew.vehicle,
                "mode": crew.mode,
                **({"sealed_ok": True} if crew.sealed_ok else {}),
                "riders": crew.riders,
                "start": format_clock(crew.start_s),
                "finish": format_clock(crew.finish_s),
                "crew_s": crew.crew_s,
                "trips": [
                    {
                        **({"kept": True} if trip.kept else {}),
                        "load": format_clock(trip.load_s),
                        **({} if trip.sorted_by_s is None else {"sorted_by": format_clock(trip.sorted_by_s)}),
                        "depart": format_clock(trip.depart_s),
                        "return": format_clock(trip.return_s),
                        "parcels": trip.parcels,
                        "stops": [
                            {
                                "building": stop.building,
                                "parcels": stop.parcels,
                                "urgent": stop.urgent,
                                **({"late_urgent": stop.late_urgent} if stop.late_urgent else {}),
                                "arrive": format_clock(stop.arrive_s),
                                "depart": format_clock(stop.depart_s),
                                **(
                                    {"batches": [_batch_document(b) for b in stop.batches]}
                                    if stop.batches
                                    else {}
                                ),
                            }
                            for stop in trip.stops
                        ],
                    }
                    for trip in crew.trips
                ],
            }
            for crew in shift.crews
        ],
    }


def build_plan(
    model: DayModel,
    trips_of_crew: Sequence[Sequence[Sequence[int]]],
    *,
    solver: dict[str, Any] | None = None,
    kept: Mapping[str, Sequence[Trip]] | None = None,
    now_s: int | None = None,
    parcels: int | None = None,
) -> Plan:
    """Turn each crew's trips (node lists, in order) into a timed plan plus the undelivered.

    Shift by shift, the crew that is free first loads its next trip; the sorter sorts trips in
    that order, so a trip departs once it is loaded and its last parcel is sorted. A trip that
    this would push past the end of the shift does not go out: its parcels are listed undelivered
    with the reason. Urgent parcels it brings past their window still go, counted late
    (`Stop.late_urgent`). When re-planning, `kept` trips (by crew id) come first, unchanged, and
    the sorter goes on with the rest from where it stood (`DayModel.sorter_starts_s`).
    """
    kept = kept or {}
    operations = model.operations
    served: set[int] = set()
    held_back: dict[int, str] = {}
    crews_by_shift: dict[int, list[CrewPlan]] = defaultdict(list)
    for shift_number, shift in enumerate(operations.shifts):
        crews = model.crews_of_shift(shift_number)
        queues = {c: [list(nodes) for nodes in trips_of_crew[c] if nodes] for c in crews}
        ready = {c: model.ready_s(c) for c in crews}
        timed: dict[int, list[Trip]] = {c: list(kept.get(crew_id(model, c), ())) for c in crews}
        sorter = _Sorter(
            operations.gate.sort_s_per_parcel, shift.sorters, model.sorter_starts_s(shift_number)
        )
        while any(queues.values()):
            crew = min((c for c in crews if queues[c]), key=lambda c: (ready[c], c))
            nodes = queues[crew].pop(0)
            vehicle = model.crews[crew].vehicle
            load = sum(model.visits[n].parcels for n in nodes)
            sorted_by = sorter.peek(load)
            standing = model.loadable_from_s(nodes)
            load_s = max(ready[crew], standing)
            trip = _timed_trip(model, vehicle, shift_number, nodes, load_s=load_s, sorted_by_s=sorted_by)
            if trip.return_s > shift.end_s:
                held_back.update({n: "standing" if standing > ready[crew] else "sorter_pace" for n in nodes})
                continue
            sorter.take(load)
            served.update(nodes)
            timed[crew].append(trip)
            ready[crew] = trip.return_s
        for crew in crews:
            if timed[crew]:
                entry = operations.fleet[model.crews[crew].vehicle]
                crews_by_shift[shift_number].append(
                    CrewPlan(
                        id=crew_id(model, crew),
                        vehicle=entry.id,
                        mode=entry.mode,
                        riders=model.crews[crew].riders,
                        trips=tuple(timed[crew]),
                        sealed_ok=entry.sealed_ok,
                    )
                )
    shifts = tuple(
        ShiftPlan(id=s.id, start_s=s.start_s, end_s=s.end_s, crews=tuple(crews_by_shift[n]))
        for n, s in enumerate(operations.shifts)
    )
    plan = Plan(
        site=model.site_graph.site.id,
        date=model.day.date,
        policy=operations.stop.policy,
        shifts=shifts,
        undelivered=(),
        parcels=model.day.parcels if parcels is None else parcels,
        solver=solver or {},
        replanned_at_s=now_s,
    )
    undelivered, groups = explain_undelivered(model, plan, served, held_back)
    return replace(plan, undelivered=undelivered, undelivered_groups=groups)


def crew_id(model: DayModel, crew: int) -> str:
    return f"{model.operations.shifts[model.crews[crew].shift].id}-{model.crews[crew].number}"


class _Sorter:
    """Parcels are sorted one after another from the start of the shift (in a re-plan, from where
    the sorter stood), in loading order."""

    def __init__(self, seconds_per_parcel: float, sorters: int, start_s: int) -> None:
        self.rate = seconds_per_parcel / sorters if sorters and seconds_per_parcel else 0.0
        self.done_s = float(start_s)

    def peek(self, parcels: int) -> int | None:
        return None if not self.rate else math.ceil(self.done_s + self.rate * parcels - 1e-9)

    def take(self, parcels: int) -> None:
        self.done_s += self.rate * parcels


def travel_s(model: DayModel, vehicle: int, from_place: int, to_place: int) -> int:
    """Riding time between two places for a fleet entry, in whole seconds."""
    entry = model.operations.fleet[vehicle]
    return ride_s(float(model.distances_m(entry)[from_place, to_place]), entry.speed_kmh)


def _timed_trip(
    model: DayModel,
    vehicle: int,
    shift: int,
    nodes: Sequence[int],
    *,
    load_s: int,
    sorted_by_s: int | None = None,
) -> Trip:
    site = model.site_graph.site
    grouped: list[list[int]] = []  # consecutive nodes of one building are one stop
    for node in nodes:
        if grouped and model.visits[grouped[-1][0]].building == model.visits[node].building:
            grouped[-1].append(node)
        else:
            grouped.append([node])
    depart_s = max(load_s + model.operations.gate.reload_s, sorted_by_s or 0)
    clock, place = depart_s, 0
    stops = []
    for group in grouped:
        visit = model.visits[group[0]]
        building_id = visit.building or ""
        parcels = sum(model.visits[n].parcels for n in group)
        arrive = clock + travel_s(model, vehicle, place, visit.place)
        door = model.operations.sealed if building_id in model.sealed else None
        leave = arrive + stop_s(site.building(building_id), parcels, model.operations.stop, door)
        urgent = sum(model.visits[n].urgent for n in group)
        late = sum(
            model.visits[n].urgent
            for n in group
            if model.visits[n].urgent
            and (shift > model.visits[n].available_shift or arrive > model.urgent_deadline_s(n))
        )
        stops.append(Stop(building_id, parcels, arrive, leave, urgent, _batches(model, group), late))
        clock, place = leave, visit.place
    return Trip(load_s, depart_s, clock + travel_s(model, vehicle, place, 0), tuple(stops), sorted_by_s)


def _batches(model: DayModel, nodes: Sequence[int]) -> tuple[Batch, ...]:
    held: dict[str, int] = defaultdict(int)
    by_arrival: dict[int, int] = defaultdict(int)
    brought_back: dict[tuple[int, str], int] = defaultdict(int)
    for node in nodes:
        visit = model.visits[node]
        if visit.back_s is not None:
            brought_back[(visit.back_s, visit.held_from or "")] += visit.parcels
        elif visit.held_from is not None:
            held[visit.held_from] += visit.parcels
        elif visit.arrived_s is not None:
            by_arrival[visit.arrived_s] += visit.parcels
    return (
        *(Batch(None, parcels, held_from=day) for day, parcels in sorted(held.items())),
        *(Batch(at, parcels) for at, parcels in sorted(by_arrival.items())),
        *(
            Batch(None, parcels, held_from=day or None, back_s=at)
            for (at, day), parcels in sorted(brought_back.items())
        ),
    )


def _undelivered_document(item: Undelivered) -> dict[str, Any]:
    document = asdict(item)
    if item.held_from is None:
        del document["held_from"]  # the day's own parcels
    return document


def _group_document(group: UndeliveredGroup) -> dict[str, Any]:
    document = asdict(group)
    document["buildings"] = list(group.buildings)
    if group.held_from is None:
        del document["held_from"]
    return document


def _batch_document(batch: Batch) -> dict[str, Any]:
    if batch.back_s is not None:
        held = {} if batch.held_from is None else {"held_from": batch.held_from}
        return {"back_at": format_clock(batch.back_s), **held, "parcels": batch.parcels}
    if batch.held_from is not None:
        return {"held_from": batch.held_from, "parcels": batch.parcels}
    assert batch.arrived_s is not None
    return {"arrived": format_clock(batch.arrived_s), "parcels": batch.parcels}


def explain_undelivered(
    model: DayModel, plan: Plan, served: set[int], held_back: dict[int, str]
) -> tuple[tuple[Undelivered, ...], tuple[UndeliveredGroup, ...]]:
    """Group what did not go out by building and arrival shift, with a cause and what would fix it;
    and the same by shift and reason, each group's sentence said once for all its buildings (a
    short day leaves a hundred buildings for one reason, which a coordinator reads as one line)."""
    operations = model.operations
    site = model.site_graph.site
    left: dict[tuple[str, int, str, str], list[int]] = defaultdict(list)
    reach = _Reach.of(model)
    carried = {crew.id: sum(trip.parcels for trip in crew.trips) for s in plan.shifts for crew in s.crews}
    for node in range(1, model.node_count):
        visit = model.visits[node]
        if visit.late_for is None and node not in served and model.late_twin.get(node) not in served:
            cause = _cause(model, node, held_back, reach)
            if cause == "shift_capacity" and _sorting_keeps_it(model, carried, node):
                cause = "sorter_pace"
            left[(visit.building or "", visit.available_shift, cause, visit.held_from or "")].append(node)
    per_crew = _parcels_per_crew_shift(plan)
    items = []
    grouped: dict[tuple[int, str, str, str, str], list[Undelivered]] = defaultdict(list)
    for (building_id, shift_number, cause, held_from), nodes in sorted(
        left.items(), key=lambda kv: (kv[0][1], building_order(kv[0][0]), kv[0][3])
    ):
        parcels = sum(model.visits[n].parcels for n in nodes)
        urgent = sum(model.visits[n].urgent for n in nodes)
        shift = operations.shifts[shift_number]
        name = site.building(building_id).name
        what = f"building {building_id} ({name}): {_parcels(parcels)} {_source(shift.id, held_from)}"
        building_zh = name if name == building_id else f"{name}（楼号 {building_id}）"
        what_zh = f"{building_zh} {_source_zh(shift.id, held_from)}的 {parcels} 件"
        why, why_zh = _why(model, cause, shift_number, building_id, nodes, reach, per_crew)
        item = Undelivered(
            building_id,
            parcels,
            shift.id,
            cause,
            _worded(why, what, urgent, "en"),
            urgent,
            held_from or None,
            _worded(why_zh, what_zh, urgent, "zh"),
        )
        items.append(item)
        grouped[(shift_number, cause, held_from, why, why_zh)].append(item)
    groups = []
    for (shift_number, cause, held_from, why, why_zh), members in grouped.items():
        parcels = sum(item.parcels for item in members)
        urgent = sum(item.urgent for item in members)
        if len(members) == 1:
            what, what_zh = members[0].reason, members[0].reason_zh
        else:
            shift_id = operations.shifts[shift_number].id
            many = f"{_parcels(parcels)} {_source(shift_id, held_from)} at {len(members)} buildings"
            what = _worded(why, many, urgent, "en")
            what_zh = _worded(
                why_zh, f"{len(members)} 栋楼{_source_zh(shift_id, held_from)}的 {parcels} 件", urgent, "zh"
            )
        groups.append(
            UndeliveredGroup(
                shift=members[0].shift,
                cause=cause,
                held_from=held_from or None,
                parcels=parcels,
                urgent=urgent,
                buildings=tuple(item.building for item in members),
                reason=what,
                reason_zh=what_zh,
            )
        )
    return tuple(items), tuple(groups)


def _source(shift_id: str, held_from: str) -> str:
    return f"held over from {held_from}" if held_from else f"from the {shift_id} shift"


def _source_zh(shift_id: str, held_from: str) -> str:
    return f"之前 {held_from} 留下" if held_from else shift_label(shift_id, "zh")


def _worded(why: str, what: str, urgent: int, lang: str) -> str:
    """A reason's sentence with its parcels named (one building's, or a group's), and how many of
    them are urgent: medicine left for tomorrow is what a coordinator must see first."""
    if urgent:
        what += f" ({urgent} urgent)" if lang == "en" else f"（其中加急 {urgent} 件）"
    return why.replace("{what}", what)


def _why(
    model: DayModel,
    cause: str,
    shift_number: int,
    building_id: str,
    nodes: Sequence[int],
    reach: _Reach,
    per_crew: Mapping[str, tuple[str, int]],
) -> tuple[str, str]:
    """The sentence saying why parcels stayed and what would fix it, in English and Chinese, with
    `{what}` where the parcels are named: the same words for every building left for the same
    reason, so that they are grouped by them."""
    operations = model.operations
    site = model.site_graph.site
    shift = operations.shifts[shift_number]
    label = shift_label(shift.id, "zh")  # 上午班: the page and the cards in Chinese call it so
    if cause == "no_sealed_team":
        return _no_sealed_team(model, shift_number, "{what}", "{what}")
    if cause == "no_crew":
        kept_to_sealed = _kept_to_sealed(model, shift_number, nodes[0])
        if kept_to_sealed:
            return (
                f"{{what}}: only the designated pair ({kept_to_sealed}) is out from then on, and it serves sealed "
                f"buildings only (sealed_only); put a crew of another vehicle in the {shift.id} shift",
                f"{{what}}：之后出车的只有只送封控楼的指定两人组（{kept_to_sealed}）；请在{label}安排一组别的车",
            )
        short = _riders_short(model, shift_number, nodes[0])
        if short is not None:
            idle, crew_size, short_by = short
            return (
                f"{{what}}: no crew from then on rides a vehicle that can reach it; {_a(idle)} crew needs "
                f"{_riders(crew_size)}, the {shift.id} shift has {shift.riders}; add {_riders(short_by)} to it",
                f"{{what}}：之后没有组骑能到这栋楼的车；一组{fleet_name(idle, operations.vehicle(idle).mode, 'zh')}"
                f"要 {crew_size} 名骑手，{label}只有 {shift.riders} 名；请给这个班次加 {short_by} 名骑手",
            )
        missing = [
            v
            for k, v in enumerate(operations.fleet)
            if model.reachable[k, nodes[0]]
            and not v.count_in(shift.id)
            and v.serves(model.visits[nodes[0]].building in model.sealed)
        ]
        if missing:  # the vehicle that would reach it is not out in the shift at all
            called = fleet_name(missing[0].id, missing[0].mode, "zh")
            return (
                f"{{what}}: no crew from then on rides a vehicle that can reach it; no {missing[0].id} runs in the "
                f"{shift.id} shift (the fleet's count, or the shifts it runs in); add one for it",
                f"{{what}}：之后没有组骑能到这栋楼的车；{label}没有{called}（看车队里它的数量或出车班次）；请为这个班次加一辆",
            )
        modes = sorted({v.mode for k, v in enumerate(operations.fleet) if model.reachable[k, nodes[0]]})
        return (
            f"{{what}}: no crew from then on rides a vehicle that can reach it ({', '.join(modes)}); staff one in the {shift.id} shift",
            f"{{what}}：之后没有组骑能到这栋楼的车（{'、'.join(vehicle_name(m, 'zh') for m in modes)}）；请在{label}安排一组",
        )
    if cause == "behind_sealed_zone":
        zones = ", ".join(z.name for z in site.zones if z.sealed)
        return (
            f"{{what}}: the only lanes to it run through the sealed zone ({zones}), which only a designated "
            "pair may enter; put one (a fleet entry with sealed_ok) on the roster, or draw the lane round the fence",
            f"{{what}}：去这栋楼的路都要穿过封控区（{zones}），只有指定的两人组能进；"
            "请在班表里安排指定的两人组（车队中 sealed_ok 的一项），或把绕开围挡的路画上",
        )
    if cause == "lane_closed":
        names = ", ".join(reach.closed_on_the_way(model, building_id))
        return (
            f"{{what}}: every way to it runs along a lane closed today ({names}); open the lane again "
            "when it can be ridden, or draw the way round",
            f"{{what}}：去这栋楼的路都要经过今天封闭的道路（{names}）；道路能走时把它重新打开，或把绕行的路画上",
        )
    if cause == "sorter_pace":
        return (
            f"{{what}}: the sorter could not have them ready before the shift ended; add a sorter in the {shift.id} shift",
            f"{{what}}：分拣员在班次结束前分不完；请在{label}加一名分拣员",
        )
    if cause == "standing" and all(model.visits[n].arrived_s is None for n in nodes):
        ready = model.loadable_from_s(nodes)  # brought back by a trip (`back_at`), not standing
        return (
            f"{{what}}: a trip brought them back to the gate at {format_clock(ready)}, too late for a "
            "crew's trip to be back before its shift ends; they are held over into the next day, "
            "or staff a later shift",
            f"{{what}}：{format_clock(ready)} 才被带回大门，来不及在班次结束前再送一趟回来；留到第二天送，或安排更晚的班次",
        )
    if cause == "standing":
        ready = model.loadable_from_s(nodes)
        return (
            f"{{what}}: they may be loaded only from {format_clock(ready)} (after standing "
            f"{operations.gate.stand_min} min at the gate), too late for a crew's trip to be back "
            "before its shift ends; disinfect them sooner or staff a later shift",
            f"{{what}}：要在门口静置 {operations.gate.stand_min} 分钟，{format_clock(ready)} 才能装车，"
            "来不及在班次结束前送完回来；请早点消杀，或安排更晚的班次",
        )
    now = _day_over(model, shift_number, nodes[0])
    if now is not None:
        return (
            f"{{what}}: the crews' day was over when it was planned again ({now}); they are held over into the next day",
            f"{{what}}：重排时（{now}）各组当天已收工；留到第二天送",
        )
    vehicle, capacity = per_crew.get(shift.id, (operations.fleet[0].id, 0))
    unstaffed = shift.id not in per_crew and bool(per_crew)
    if unstaffed:  # no crew out in the shift at all (its riders 0): what a crew carried in another,
        # of a vehicle that runs in this shift (a designated pair only where nothing else does)
        runs = [(v, n) for v, n in per_crew.values() if operations.vehicle(v).count_in(shift.id) > 0]
        usable = (
            [(v, n) for v, n in runs if not operations.vehicle(v).sealed_ok]
            or runs
            or list(per_crew.values())
        )
        vehicle, capacity = max(usable, key=lambda busiest: busiest[1])
    fleet_entry = operations.vehicle(vehicle)
    out = sum(
        1 for c in model.crews if c.shift == shift_number and operations.fleet[c.vehicle] == fleet_entry
    )
    # What one more crew takes: riders, and a vehicle too when every one is out already.
    riders = "1 more rider" if fleet_entry.crew == 1 else f"{fleet_entry.crew} more riders"
    needs, needs_zh = riders, f"{fleet_entry.crew} 名骑手"
    called = fleet_name(vehicle, fleet_entry.mode, "zh")
    available = fleet_entry.count_in(shift.id)
    if not available:
        needs += f" and {_a(vehicle)} for the {shift.id} shift, where none runs"
        needs_zh += f"和一辆{called}（{label}没有）"
    elif out >= available:
        needs += f" and {_a(vehicle)} beyond the {available} out already"
        needs_zh += f"和第 {available + 1} 辆{called}"
    if unstaffed:
        return (
            f"{{what}} did not fit in the crews' time; no crew goes out in the {shift.id} shift: "
            f"{_a(vehicle)} crew there carries about {capacity} parcels ({needs}), as one did in another shift",
            f"{{what}}在各组的时间里送不完；{label}没有组出车：安排一组{called}（{needs_zh}）大约能送 {capacity} 件"
            "（按别的班次一组送的件数）",
        )
    more = (
        f"; one more {vehicle} crew in the {shift.id} shift carries about {capacity} parcels ({needs})"
        if capacity
        else ""
    )
    more_zh = f"；{label}再加一组{called}（{needs_zh}）大约能多送 {capacity} 件" if capacity else ""
    return f"{{what}} did not fit in the crews' time{more}", f"{{what}}在各组的时间里送不完{more_zh}"


def _day_over(model: DayModel, shift_number: int, node: int) -> str | None:
    """In a coordinator's re-plan (not a stage of a plan made wave by wave, whose crews are busy
    with the trips of the stages before), the time it was made (HH:MM) when no crew from the
    shift on has time left for even a trip to this building alone: more crews would not help today, and saying "one
    more crew carries about …" (or "no crew goes out", of a shift whose crews are all on the
    road) at 16:00 sent the coordinator after riders for a day that was over."""
    if model.replanned_at_s is None:
        return None
    for n, crew in enumerate(model.crews):
        if crew.shift < shift_number:
            continue
        if model.ready_s(n) + model.trip_s(crew.vehicle, [node]) <= model.operations.shifts[crew.shift].end_s:
            return None
    return format_clock(model.replanned_at_s)[:5]


def _a(word: str) -> str:
    """ "a tricycle", "an ebike": vehicle ids in a sentence."""
    return f"an {word}" if word[:1].lower() in "aeiou" else f"a {word}"


def _riders(count: int) -> str:
    return "1 rider" if count == 1 else f"{count} riders"


def _riders_short(model: DayModel, shift_number: int, node: int) -> tuple[str, int, int] | None:
    """Where a vehicle that reaches the building stands idle in the shift for want of riders (its
    crews fielded, `problem._fielded`, took them all, or the shift has fewer than one crew needs):
    that vehicle's id, the riders its crew needs, and how many more riders would field it — "staff
    one in the shift" said nothing of a shift with 1 rider and tricycles that need 2."""
    operations = model.operations
    shift = operations.shifts[shift_number]
    crews = [c for c in model.crews if c.shift == shift_number]
    left = shift.riders - sum(c.riders for c in crews)
    idle = [
        v
        for k, v in enumerate(operations.fleet)
        if model.reachable[k, node]
        and (node == 0 or v.serves(model.visits[node].building in model.sealed))
        and v.count_in(shift.id) > sum(1 for c in crews if c.vehicle == k)
    ]
    if not idle:
        return None
    fewest = min(idle, key=lambda v: v.crew)
    return (fewest.id, fewest.crew, fewest.crew - left) if fewest.crew > left else None


def _kept_to_sealed(model: DayModel, shift_number: int, node: int) -> str:
    """The designated pairs kept to sealed buildings (`sealed_only`) that are the only crews from
    the shift on whose vehicle reaches the open building `node`, or ''."""
    reaching = {
        model.operations.fleet[c.vehicle]
        for c in model.crews
        if c.shift >= shift_number and model.reachable[c.vehicle, node]
    }
    if not reaching or not all(v.sealed_only for v in reaching):
        return ""
    return ", ".join(sorted(v.id for v in reaching))


def _no_sealed_team(model: DayModel, shift_number: int, what: str, what_zh: str) -> tuple[str, str]:
    """Why a sealed building's parcels stayed, in English and Chinese: no designated pair on the
    roster, or too few riders in the shift for one (a pair is fielded first, `problem._fielded`)."""
    operations = model.operations
    shift = operations.shifts[shift_number]
    on_roster = [v for v in operations.fleet if v.sealed_ok and v.count > 0]
    pairs = [v for v in on_roster if v.count_in(shift.id) > 0]
    fielded = any(operations.fleet[c.vehicle].sealed_ok for c in model.crews if c.shift >= shift_number)
    crew = min((v.crew for v in pairs), default=0)
    if not fielded and on_roster and not pairs:
        ids = ", ".join(v.id for v in on_roster)
        return (
            f"{what}: the building is sealed and the designated pair ({ids}) does not run in the {shift.id} shift; add {shift.id} to its shifts",
            f"{what_zh}：楼已封控，指定的两人组（{ids}）在{shift_label(shift.id, 'zh')}不出车；请把 {shift.id} 加到它的出车班次里",
        )
    if not fielded and crew > shift.riders:
        ids, more = ", ".join(v.id for v in pairs), crew - shift.riders
        return (
            f"{what}: the building is sealed and the designated pair ({ids}) needs {crew} riders, the {shift.id} shift has {shift.riders}; add {_riders(more)} to it",
            f"{what_zh}：楼已封控，指定的两人组（{ids}）要 {crew} 名骑手，{shift_label(shift.id, 'zh')}只有 {shift.riders} 名；请给这个班次加 {more} 名骑手",
        )
    return (
        f"{what}: the building is sealed and no crew from then on may serve it; put a designated pair (a fleet entry with sealed_ok) on the roster",
        f"{what_zh}：楼已封控，之后没有能送封控楼的组；请在班表里安排指定的两人组（车队中 sealed_ok 的一项）",
    )


@dataclass(frozen=True)
class _Reach:
    """Per mode of the fleet, the buildings it would reach were the sealed zones open
    (`unfenced`), and were today's closed lanes open as well (`as_drawn`, from the lanes as drawn,
    `drawn`); empty where nothing is sealed or closed. A building reached only so is behind a fence
    or a closed lane, not beyond the vehicles' lanes."""

    unfenced: dict[str, frozenset[str]]
    as_drawn: dict[str, frozenset[str]]
    drawn: dict[str, nx.Graph]

    @classmethod
    def of(cls, model: DayModel) -> _Reach:
        site_graph = model.site_graph
        everyone = frozenset(site_graph.entrance_nodes)
        modes = sorted({v.mode for v in model.operations.fleet})
        unfenced = (
            {mode: everyone.difference(unreachable_buildings(site_graph, [mode])) for mode in modes}
            if site_graph.fences_m
            else {}
        )
        drawn = (
            {mode: site_graph.mode_graph(mode, as_drawn=True) for mode in modes}
            if site_graph.closed_edges
            else {}
        )
        as_drawn = {}
        for mode, lanes in drawn.items():
            reached = nx.node_connected_component(lanes, site_graph.gate_node)
            as_drawn[mode] = frozenset(b for b, node in site_graph.entrance_nodes.items() if node in reached)
        return cls(unfenced=unfenced, as_drawn=as_drawn, drawn=drawn)

    def closed_on_the_way(self, model: DayModel, building_id: str) -> list[str]:
        """The closed lanes on the shortest way to the building as the lanes are drawn, by name:
        the ones to open (for any mode of the fleet that would reach it so)."""
        site_graph = model.site_graph
        closed = {lane.id: lane.name for lane in site_graph.site.lanes if lane.closed}
        names: list[str] = []
        for lanes in self.drawn.values():
            try:
                path = nx.shortest_path(
                    lanes, site_graph.gate_node, site_graph.entrance_nodes[building_id], weight="length_m"
                )
            except nx.NetworkXNoPath:
                continue
            for u, v in itertools.pairwise(path):
                lane = lanes[u][v]["lane"]
                if lane in closed and closed[lane] not in names:
                    names.append(closed[lane])
        return names or sorted(closed.values())


def _cause(model: DayModel, node: int, held_back: dict[int, str], reach: _Reach) -> str:
    visit = model.visits[node]
    either = [node, *([model.late_twin[node]] if node in model.late_twin else [])]
    for n in either:
        if n in held_back:
            return held_back[n]
    if any(model.can_serve(crew, n) for crew in model.crews for n in either):
        return "shift_capacity"
    if any(model.can_serve(crew, n, standing=False) for crew in model.crews for n in either):
        return "standing"
    reachable = [
        crew
        for crew in model.crews
        if crew.shift >= visit.available_shift
        and model.reachable[crew.vehicle, node]
        and (visit.building in model.sealed or not model.operations.fleet[crew.vehicle].sealed_only)
    ]

    def reached_were_open(reached: dict[str, frozenset[str]]) -> bool:
        return not reachable and any(
            crew.shift >= visit.available_shift
            and visit.building in reached.get(model.operations.fleet[crew.vehicle].mode, ())
            for crew in model.crews
        )

    fenced_off = reached_were_open(reach.unfenced)
    if (reachable or fenced_off) and visit.building in model.sealed:
        return "no_sealed_team"
    if fenced_off:
        return "behind_sealed_zone"
    if reached_were_open(reach.as_drawn):
        return "lane_closed"
    return "no_crew" if not reachable else "shift_capacity"


def _sorting_keeps_it(model: DayModel, carried: Mapping[str, int], node: int) -> bool:
    """Whether the sorters' pace alone keeps the visit from going: in every shift it may go in, no
    crew that could carry it could have its parcels sorted (at the pace the search plans with,
    `DayModel.sorted_from_s`, after what the crew carried that shift: `carried`, by crew id) in time to be back by the
    shift's end, while without sorting one could. With sorting at 10 minutes a parcel, 40 parcels
    were "did not fit in the crews' time; one more crew carries about 20", where a crew more sorts
    nothing and a sorter more is what helps."""
    visit = model.visits[node]
    shifts = (
        [visit.available_shift] if visit.due else range(visit.available_shift, len(model.operations.shifts))
    )
    kept_by_sorting = False
    for number in shifts:
        end_s = model.operations.shifts[number].end_s
        for crew in model.crews_of_shift(number):
            if not model.can_serve(model.crews[crew], node):
                continue
            if model.sorting_pace(number) is None:
                return False
            sorted_from = model.sorted_from_s(
                model.crews[crew], carried.get(crew_id(model, crew), 0) + visit.parcels
            )
            if sorted_from + model.trip_s(model.crews[crew].vehicle, [node]) <= end_s:
                return False  # sorted in time for this crew: it was crew time it lacked
            kept_by_sorting = True
    return kept_by_sorting


def _parcels_per_crew_shift(plan: Plan) -> dict[str, tuple[str, int]]:
    """Per shift: its busiest vehicle and the parcels one crew of it moved (what one more would add)."""
    result = {}
    for shift in plan.shifts:
        if shift.crews:
            busiest = max(shift.crews, key=lambda crew: sum(t.parcels for t in crew.trips))
            result[shift.id] = (busiest.vehicle, sum(t.parcels for t in busiest.trips))
    return result


def _parcels(count: int) -> str:
    return "1 parcel" if count == 1 else f"{count} parcels"
