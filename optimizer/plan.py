"""The plan as plain data: shifts, crews, trips, stops, and what could not go out today.

Times are recomputed here from the graph by a forward pass (trips back to back from the start of
the shift), so a plan is exactly as long as the work in it, whatever slack the search left.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from optimizer.clock import format_clock
from optimizer.problem import DayModel
from optimizer.stop_cost import stop_s
from optimizer.travel import ride_s


@dataclass(frozen=True)
class Stop:
    building: str
    parcels: int
    arrive_s: int
    depart_s: int
    urgent: int = 0


@dataclass(frozen=True)
class Trip:
    load_s: int  # loading at the gate starts
    depart_s: int
    return_s: int
    stops: tuple[Stop, ...]

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


@dataclass(frozen=True)
class Plan:
    site: str
    date: str | None
    policy: str
    shifts: tuple[ShiftPlan, ...]
    undelivered: tuple[Undelivered, ...]
    parcels: int
    solver: dict[str, Any] = field(default_factory=dict)

    @property
    def delivered(self) -> int:
        return sum(trip.parcels for shift in self.shifts for crew in shift.crews for trip in crew.trips)

    @property
    def trip_count(self) -> int:
        return sum(len(crew.trips) for shift in self.shifts for crew in shift.crews)

    @property
    def crew_s(self) -> int:
        return sum(crew.crew_s for shift in self.shifts for crew in shift.crews)

    def to_dict(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "date": self.date,
            "policy": self.policy,
            "shifts": [_shift_dict(shift) for shift in self.shifts],
            "undelivered": [asdict(item) for item in self.undelivered],
            "summary": {
                "parcels": self.parcels,
                "delivered": self.delivered,
                "undelivered": self.parcels - self.delivered,
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
                "riders": crew.riders,
                "start": format_clock(crew.start_s),
                "finish": format_clock(crew.finish_s),
                "crew_s": crew.crew_s,
                "trips": [
                    {
                        "load": format_clock(trip.load_s),
                        "depart": format_clock(trip.depart_s),
                        "return": format_clock(trip.return_s),
                        "parcels": trip.parcels,
                        "stops": [
                            {
                                "building": stop.building,
                                "parcels": stop.parcels,
                                "urgent": stop.urgent,
                                "arrive": format_clock(stop.arrive_s),
                                "depart": format_clock(stop.depart_s),
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
) -> Plan:
    """Turn each crew's trips (node lists, in order) into a timed plan plus the undelivered."""
    operations = model.operations
    served: set[int] = set()
    crews_by_shift: dict[int, list[CrewPlan]] = defaultdict(list)
    for crew, node_lists in zip(model.crews, trips_of_crew, strict=True):
        routes = [list(nodes) for nodes in node_lists if nodes]
        if not routes:
            continue
        shift = operations.shifts[crew.shift]
        vehicle = operations.fleet[crew.vehicle]
        clock = shift.start_s
        trips = []
        for nodes in routes:
            served.update(nodes)
            trip = _timed_trip(model, crew.vehicle, nodes, load_s=clock)
            trips.append(trip)
            clock = trip.return_s
        crews_by_shift[crew.shift].append(
            CrewPlan(
                id=f"{shift.id}-{crew.number}",
                vehicle=vehicle.id,
                mode=vehicle.mode,
                riders=crew.riders,
                trips=tuple(trips),
            )
        )
    shifts = tuple(
        ShiftPlan(id=s.id, start_s=s.start_s, end_s=s.end_s, crews=tuple(crews_by_shift[n]))
        for n, s in enumerate(operations.shifts)
    )
    return Plan(
        site=model.site_graph.site.id,
        date=model.day.date,
        policy=operations.stop.policy,
        shifts=shifts,
        undelivered=_undelivered(model, served),
        parcels=model.day.parcels,
        solver=solver or {},
    )


def travel_s(model: DayModel, vehicle: int, from_place: int, to_place: int) -> int:
    """Riding time between two places for a fleet entry, in whole seconds."""
    entry = model.operations.fleet[vehicle]
    return ride_s(float(model.distance_m[entry.mode][from_place, to_place]), entry.speed_kmh)


def _timed_trip(model: DayModel, vehicle: int, nodes: Sequence[int], *, load_s: int) -> Trip:
    site = model.site_graph.site
    grouped: list[list[int]] = []  # consecutive nodes of one building are one stop
    for node in nodes:
        if grouped and model.visits[grouped[-1][0]].building == model.visits[node].building:
            grouped[-1].append(node)
        else:
            grouped.append([node])
    depart_s = load_s + model.operations.gate.reload_s
    clock, place = depart_s, 0
    stops = []
    for group in grouped:
        visit = model.visits[group[0]]
        building_id = visit.building or ""
        parcels = sum(model.visits[n].parcels for n in group)
        arrive = clock + travel_s(model, vehicle, place, visit.place)
        leave = arrive + stop_s(site.building(building_id), parcels, model.operations.stop)
        urgent = sum(model.visits[n].urgent for n in group)
        stops.append(Stop(building_id, parcels, arrive, leave, urgent))
        clock, place = leave, visit.place
    return Trip(load_s, depart_s, clock + travel_s(model, vehicle, place, 0), tuple(stops))


def _undelivered(model: DayModel, served: set[int]) -> tuple[Undelivered, ...]:
    operations = model.operations
    site = model.site_graph.site
    left: dict[tuple[str, int], list[int]] = defaultdict(list)
    for node in range(1, model.node_count):
        if node not in served:
            visit = model.visits[node]
            left[(visit.building or "", visit.available_shift)].append(node)
    items = []
    for (building_id, shift_number), nodes in sorted(left.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        parcels = sum(model.visits[n].parcels for n in nodes)
        shift = operations.shifts[shift_number]
        name = site.building(building_id).name
        able = [
            c
            for c, crew in enumerate(model.crews)
            if crew.shift >= shift_number and model.reachable[crew.vehicle, nodes[0]]
        ]
        if not able:
            modes = sorted({v.mode for k, v in enumerate(operations.fleet) if model.reachable[k, nodes[0]]})
            cause = "no_crew"
            reason = (
                f"building {building_id} ({name}): {parcels} parcels from the {shift.id} shift, but no "
                f"crew from then on rides a vehicle that can reach it ({', '.join(modes)}); "
                f"staff one in the {shift.id} shift"
            )
        else:
            later = [s.id for s in operations.shifts[shift_number:]]
            cause = "shift_capacity"
            reason = (
                f"building {building_id} ({name}): {parcels} parcels from the {shift.id} shift did not "
                f"fit in the time left to the {len(able)} crew(s) of the {', '.join(later)} shift(s); "
                f"add a crew or lengthen a shift"
            )
        items.append(Undelivered(building_id, parcels, shift.id, cause, reason))
    return tuple(items)
