"""An independent plan checker: it trusts nothing the solver said.

It reads a plan as JSON (as `onebell check` and the tests get it), walks every trip and recomputes
each ride from the lane graph with networkx's own Dijkstra (the planner uses scipy's), each stop
from the stop rules, and the parcel counts from the day file. Every violation is listed, each
naming its shift, crew, trip and stop, so a broken plan is never summed up as a bare "invalid".
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from functools import cache
from typing import Any

import networkx as nx

from optimizer.clock import format_clock, parse_clock
from optimizer.day import Day
from optimizer.graph import SiteGraph
from optimizer.operations import POLICIES, Operations, Shift, Vehicle
from optimizer.replan import Frozen
from optimizer.site import sealed_buildings
from optimizer.stop_cost import stop_s
from optimizer.travel import RIDE_ROUNDING_S

_SLACK_S = RIDE_ROUNDING_S + 1e-6  # each ride is rounded to the nearest whole second


class _Walker:
    def __init__(self, site_graph: SiteGraph, day: Day, operations: Operations, plan: Mapping[str, Any]):
        self.site_graph = site_graph
        self.site = site_graph.site
        self.day = day
        self.plan = plan
        policy = plan.get("policy", operations.stop.policy)
        self.operations = operations.with_policy(policy) if policy in POLICIES else operations
        self.violations: list[str] = []
        self.delivered: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.buildings = {b.id: b for b in self.site.buildings}
        self.sealed = sealed_buildings(self.site)
        self.urgent_delivered: dict[tuple[str, int], int] = defaultdict(int)
        self.urgent_late: dict[str, int] = defaultdict(int)  # per building, past their window
        self.loaded: dict[str, list[tuple[int, int]]] = defaultdict(list)  # building: (load time, parcels)
        self.batches: dict[tuple[str, int], int] = defaultdict(int)  # (building, arrived): parcels loaded
        self.held_batches: dict[tuple[str, str], int] = defaultdict(int)  # (building, held from): loaded
        self.back_batches: dict[tuple[str, int], int] = defaultdict(int)  # (building, back at): loaded

        @cache
        def lanes(mode: str, fenced: bool, as_drawn: bool) -> nx.Graph:
            return site_graph.mode_graph(mode, fenced=fenced, as_drawn=as_drawn)

        @cache
        def lengths_from(mode: str, fenced: bool, as_drawn: bool, node: int) -> dict[int, float]:
            graph = lanes(mode, fenced, as_drawn)
            return dict(nx.single_source_dijkstra_path_length(graph, node, weight="length_m"))

        self._lengths_from = lengths_from

    def fail(self, message: str) -> None:
        self.violations.append(message)

    def ride_s(self, vehicle: Vehicle, from_node: int, to_node: int, *, kept: bool = False) -> float | None:
        """On the lanes the vehicle may ride: not along lanes closed today, and round sealed zones
        but for a designated pair; a trip a re-plan kept as it went (`kept`) on every lane of the
        map: a zone sealed or a lane closed since it left did not stop it."""
        fenced = not vehicle.sealed_ok and not kept and bool(self.site_graph.fences_m)
        as_drawn = kept or not self.site_graph.closed_edges
        metres = self._lengths_from(vehicle.mode, fenced, as_drawn, from_node).get(to_node)
        return None if metres is None else metres * 3.6 / vehicle.speed_kmh

    def _kept_out(self, vehicle: Vehicle) -> str:
        """What keeps a vehicle off lanes it could otherwise ride, for a message."""
        closed = [lane.name for lane in self.site.lanes if lane.closed]
        why = [] if vehicle.sealed_ok or not self.site_graph.fences_m else ["outside the sealed zones"]
        if closed:
            why.append(f"with {', '.join(closed)} closed")
        return "".join(f" {reason}" for reason in why)

    def run(self) -> list[str]:
        if self.plan.get("site") != self.site.id:
            self.fail(f"plan is for site {self.plan.get('site')!r}, not {self.site.id!r}")
        if self.plan.get("policy") not in POLICIES:
            self.fail(f"plan policy {self.plan.get('policy')!r} is not one of {', '.join(POLICIES)}")
        shifts = {s.id: (n, s) for n, s in enumerate(self.operations.shifts)}
        totals = {"delivered": 0, "trips": 0, "crew_s": 0}
        for shift_plan in _list(self.plan, "shifts"):
            shift_id = shift_plan.get("id")
            if shift_id not in shifts:
                self.fail(f"shift {shift_id!r} is not on the roster")
                continue
            number, shift = shifts[shift_id]
            self.check_shift(number, shift, shift_plan, totals)
        self.check_counts()
        self.check_groups()
        self.check_standing()
        self.check_summary(totals)
        return self.violations

    def check_groups(self) -> None:
        """The groups the page and the command line show instead of every building's line must say
        the same: each undelivered entry in exactly one group of its shift, cause and day held from,
        and each group's parcels its entries' (plans made before groups have none: nothing to check)."""
        if "undelivered_groups" not in self.plan:
            return
        entries = {
            (item.get("shift"), item.get("cause"), item.get("held_from"), item.get("building")): item.get(
                "parcels"
            )
            for item in _list(self.plan, "undelivered")
        }
        grouped: set[tuple[Any, ...]] = set()
        for number, group in enumerate(_list(self.plan, "undelivered_groups")):
            key = (group.get("shift"), group.get("cause"), group.get("held_from"))
            buildings = group.get("buildings")
            if not isinstance(buildings, list) or not buildings:
                self.fail(f"undelivered group {number}: lists no buildings")
                continue
            members = [(*key, building) for building in buildings]
            missing = [m[3] for m in members if m not in entries]
            twice = [m[3] for m in members if m in grouped]
            grouped.update(members)
            if missing or twice:
                self.fail(
                    f"undelivered group {number} ({key[0]}, {key[1]}): buildings {', '.join(map(str, missing))} have no "
                    f"undelivered entry of its shift and cause"
                    if missing
                    else f"undelivered group {number}: buildings {', '.join(map(str, twice))} are in another group too"
                )
                continue
            parcels = sum(count for m in members if isinstance(count := entries[m], int))
            if group.get("parcels") != parcels:
                self.fail(
                    f"undelivered group {number}: says {group.get('parcels')!r} parcels, its buildings' entries {parcels}"
                )
            if not str(group.get("reason") or "").strip():
                self.fail(f"undelivered group {number}: no reason given")
        for entry in sorted(set(entries) - grouped, key=str):
            self.fail(
                f"undelivered entry for building {entry[3]} ({entry[0]}, {entry[1]}) is in no undelivered group"
            )

    def check_shift(
        self, number: int, shift: Shift, shift_plan: Mapping[str, Any], totals: dict[str, int]
    ) -> None:
        riders = 0
        per_vehicle: dict[str, int] = defaultdict(int)
        for crew in _list(shift_plan, "crews"):
            where = f"shift {shift.id} crew {crew.get('id')}"
            try:
                vehicle = self.operations.vehicle(str(crew.get("vehicle")))
            except KeyError:
                self.fail(f"{where}: vehicle {crew.get('vehicle')!r} is not in the fleet")
                continue
            if crew.get("riders") != vehicle.crew:
                self.fail(f"{where}: {crew.get('riders')} riders, but a {vehicle.id} needs {vehicle.crew}")
            riders += vehicle.crew
            per_vehicle[vehicle.id] += 1
            first_load, last_return = self.check_crew(number, shift, vehicle, crew, where, totals)
            if first_load is not None and last_return is not None:
                totals["crew_s"] += vehicle.crew * (last_return - first_load)
        self.check_sorter(shift, shift_plan)
        if riders > shift.riders:
            self.fail(f"shift {shift.id}: crews need {riders} riders, the roster has {shift.riders}")
        for vehicle_id, used in per_vehicle.items():
            available = self.operations.vehicle(vehicle_id).count_in(shift.id)
            if used > available:
                self.fail(
                    f"shift {shift.id}: {used} crews on {vehicle_id}, the fleet has {available} in this shift"
                )

    def check_crew(
        self,
        number: int,
        shift: Shift,
        vehicle: Vehicle,
        crew: Mapping[str, Any],
        where: str,
        totals: dict[str, int],
    ) -> tuple[int | None, int | None]:
        reload_s = self.operations.gate.reload_s
        gate = self.site_graph.gate_node
        previous_return = shift.start_s
        first_load: int | None = None
        for trip_number, trip in enumerate(_list(crew, "trips"), start=1):
            here = f"{where} trip {trip_number}"
            load, depart, back = (_clock(trip, key) for key in ("load", "depart", "return"))
            if load is None:
                load = depart - reload_s if depart is not None else None
            if load is None or depart is None or back is None:
                self.fail(f"{here}: load/depart/return must be HH:MM:SS")
                continue
            first_load = load if first_load is None else first_load
            if load < previous_return:
                self.fail(
                    f"{here}: loading starts {format_clock(load)}, before the crew is back ({format_clock(previous_return)})"
                )
            if depart - load < reload_s:
                self.fail(
                    f"{here}: departs {depart - load} s after loading starts; loading takes {reload_s} s"
                )
            clock, node, parcels = depart, gate, 0
            # A trip on the road when the day was re-planned is as it went (the frozen check holds
            # it to the plan in use): a seal put on since was not there to go round or knock at.
            kept = trip.get("kept") is True
            for stop_number, stop in enumerate(_list(trip, "stops"), start=1):
                at = f"{here} stop {stop_number}"
                building = self.buildings.get(str(stop.get("building")))
                count = stop.get("parcels")
                arrive, leave = _clock(stop, "arrive"), _clock(stop, "depart")
                if building is None:
                    self.fail(f"{at}: unknown building {stop.get('building')!r}")
                    continue
                if not isinstance(count, int) or count <= 0:
                    self.fail(f"{at} (building {building.id}): parcels must be a positive whole number")
                    continue
                if arrive is None or leave is None:
                    self.fail(f"{at} (building {building.id}): arrive/depart must be HH:MM:SS")
                    continue
                target = self.site_graph.entrance_nodes[building.id]
                ride = self.ride_s(vehicle, node, target, kept=kept)
                if ride is None:
                    self.fail(
                        f"{at}: a {vehicle.id} ({vehicle.mode}) cannot reach building {building.id}{self._kept_out(vehicle)}"
                    )
                elif arrive - clock < ride - _SLACK_S:
                    self.fail(
                        f"{at}: arrives at building {building.id} {arrive - clock} s after leaving, the ride takes {ride:.0f} s"
                    )
                sealed = building.id in self.sealed and not kept
                if sealed and not vehicle.sealed_ok:
                    self.fail(
                        f"{at}: building {building.id} is sealed; a {vehicle.id} crew is not a sealed team"
                    )
                if building.id not in self.sealed and not kept and vehicle.sealed_only:
                    self.fail(
                        f"{at}: building {building.id} is not sealed; the {vehicle.id} crew serves sealed buildings only"
                    )
                door = self.operations.sealed if sealed else None
                needed = stop_s(building, count, self.operations.stop, door)
                if kept:  # it left under the seals of then, door rounds or bells, whichever they were
                    needed = min(
                        needed, stop_s(building, count, self.operations.stop, self.operations.sealed)
                    )
                if leave - arrive < needed:
                    self.fail(
                        f"{at}: {leave - arrive} s at building {building.id}, the stop takes {needed} s"
                    )
                urgent, late = stop.get("urgent", 0), stop.get("late_urgent", 0)
                if not isinstance(urgent, int) or not 0 <= urgent <= count:
                    self.fail(f"{at}: urgent must be a whole number from 0 to the stop's parcels")
                elif not isinstance(late, int) or not 0 <= late <= urgent:
                    self.fail(f"{at}: late_urgent must be a whole number from 0 to the stop's urgent parcels")
                elif urgent:
                    # parcels listed late are held to no window; the rest are, and count as in time
                    self.urgent_late[building.id] += late
                    deadline = self.urgent_deadline_s(number, shift, building.id, stop, count)
                    if urgent > late and arrive > deadline:
                        self.fail(
                            f"{at}: {urgent - late} urgent parcels reach building {building.id} at "
                            f"{format_clock(arrive)}, after {format_clock(deadline)}, and the plan "
                            "does not list them late"
                        )
                    elif urgent > late:
                        self.urgent_delivered[(building.id, number)] += urgent - late
                self.delivered[building.id][number] += count
                self.loaded[building.id].append((load, count))
                self.check_batches(at, building.id, stop, count, load)
                parcels += count
                clock, node = leave, target
            ride_back = self.ride_s(vehicle, node, gate, kept=kept)
            if ride_back is not None and back - clock < ride_back - _SLACK_S:
                self.fail(
                    f"{here}: back at the gate {back - clock} s after the last stop, the ride takes {ride_back:.0f} s"
                )
            if back > shift.end_s:
                self.fail(
                    f"{here}: returns {format_clock(back)}, after the shift ends ({format_clock(shift.end_s)})"
                )
            if parcels > vehicle.capacity:
                self.fail(f"{here}: carries {parcels} parcels, a {vehicle.id} holds {vehicle.capacity}")
            if trip.get("parcels") != parcels:
                self.fail(f"{here}: says {trip.get('parcels')} parcels, its stops add up to {parcels}")
            totals["delivered"] += parcels
            totals["trips"] += 1
            previous_return = back
        return first_load, (previous_return if first_load is not None else None)

    def check_sorter(self, shift: Shift, shift_plan: Mapping[str, Any]) -> None:
        """Trips leave in the order their parcels were sorted, one after another from the shift's start."""
        seconds = self.operations.gate.sort_s_per_parcel
        if not seconds or not shift.sorters:
            return
        trips = [trip for crew in _list(shift_plan, "crews") for trip in _list(crew, "trips")]
        timed = sorted(
            (
                (_clock(t, "depart") or 0, t["parcels"], n)
                for n, t in enumerate(trips)
                if isinstance(t.get("parcels"), int)
            )
        )
        sorted_parcels = 0
        for depart, parcels, n in timed:
            sorted_parcels += parcels
            ready = shift.start_s + sorted_parcels * seconds / shift.sorters
            if depart < ready - 1:
                self.fail(
                    f"shift {shift.id}: a trip departs {format_clock(depart)} with {parcels} parcels, but the "
                    f"sorter has them ready at {format_clock(math.ceil(ready))} at the earliest"
                )
            sorted_by = _clock(trips[n], "sorted_by")
            if sorted_by is not None and sorted_by > depart:
                self.fail(
                    f"shift {shift.id}: a trip departs {format_clock(depart)} before it is sorted ({format_clock(sorted_by)})"
                )

    def check_counts(self) -> None:
        shift_number = {s.id: n for n, s in enumerate(self.operations.shifts)}
        available: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        urgent: dict[tuple[str, int], int] = defaultdict(int)
        for row in self.day.rows:
            arrival = 0 if row.shift is None else shift_number.get(row.shift, 0)
            available[row.building][arrival] += row.parcels
            urgent[(row.building, arrival)] += row.urgent
        urgent_left: dict[tuple[str, int], int] = defaultdict(int)
        left: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for item in _list(self.plan, "undelivered"):
            building, count, shift = item.get("building"), item.get("parcels"), item.get("shift")
            if (
                building not in self.buildings
                or shift not in shift_number
                or not isinstance(count, int)
                or count <= 0
            ):
                self.fail(
                    f"undelivered entry {dict(item)!r}: needs a known building, shift and positive parcels"
                )
                continue
            if not str(item.get("reason") or "").strip():
                self.fail(f"undelivered entry for building {building}: no reason given")
            left[building][shift_number[shift]] += count
            listed_urgent = item.get("urgent", 0)
            urgent_left[(building, shift_number[shift])] += (
                listed_urgent if isinstance(listed_urgent, int) else 0
            )
        # urgent parcels neither in time nor listed undelivered must have gone late
        late_left = dict(self.urgent_late)
        for (building, arrival), count in sorted(urgent.items()):
            in_time, listed = self.urgent_delivered[(building, arrival)], urgent_left[(building, arrival)]
            short = count - in_time - listed
            late = min(max(short, 0), late_left.get(building, 0))
            late_left[building] = late_left.get(building, 0) - late
            if count and short > late:
                self.fail(
                    f"building {building}: {count} urgent parcels for the {self.operations.shifts[arrival].id} "
                    f"shift, {in_time} delivered in time, {late} late and {listed} listed undelivered"
                )
        names = [s.id for s in self.operations.shifts]
        for building in sorted(set(available) | set(self.delivered) | set(left)):
            got, gone, came = self.delivered[building], left[building], available[building]
            if sum(got.values()) + sum(gone.values()) != sum(came.values()):
                self.fail(
                    f"building {building}: {sum(came.values())} parcels in the day, {sum(got.values())} delivered "
                    f"+ {sum(gone.values())} undelivered"
                )
            for n in range(len(names)):
                arrived = sum(came[k] for k in range(n + 1))
                if sum(got[k] for k in range(n + 1)) > arrived:
                    self.fail(
                        f"building {building}: more parcels delivered by the {names[n]} shift than had arrived ({arrived})"
                    )
                if sum(gone[k] for k in range(n + 1)) > arrived:
                    self.fail(
                        f"building {building}: undelivered parcels listed for the {names[n]} shift before they arrived"
                    )

    def urgent_deadline_s(
        self, number: int, shift: Shift, building: str, stop: Mapping[str, Any], count: int
    ) -> int:
        """Urgent parcels reach their building within the window from when they could first go:
        the shift's start, or — arriving mid-shift — once they have stood at the gate. A stop's
        urgent parcels may be of any urgent row it carries (parcels there before the shift, or a
        batch it lists); the latest of those bounds it."""
        stand_min = self.operations.gate.stand_min
        listed = (
            [b for b in stop.get("batches", []) if isinstance(b, Mapping)]
            if isinstance(stop.get("batches"), list)
            else []
        )
        carried = {_clock(b, "arrived") for b in listed}
        carried_back = {_clock(b, "back_at") for b in listed}
        earlier = count > sum(b.get("parcels", 0) for b in listed if isinstance(b.get("parcels"), int))
        ready = [
            row.loadable_s(stand_min)
            for row in self.day.rows
            if row.building == building
            and row.urgent
            and self.shift_number(row.shift) == number
            and (
                (row.arrived_s is None and row.back_s is None and earlier)
                or (row.arrived_s is not None and row.arrived_s in carried)
                or (row.back_s is not None and (row.back_s in carried_back or earlier))
            )
        ]
        return max([shift.start_s, *ready]) + 60 * self.operations.urgent_within_min

    def shift_number(self, shift_id: str | None) -> int | None:
        try:
            return 0 if shift_id is None else self.operations.shift_number(shift_id)
        except KeyError:
            return None  # not on the roster: the counts check says so

    def check_batches(self, at: str, building: str, stop: Mapping[str, Any], count: int, load: int) -> None:
        """A stop's batches (which arrival the sorter loads) hold no more than the stop, and each
        had stood its time at the gate when its trip began loading."""
        batches = stop.get("batches", [])
        if not isinstance(batches, list):
            self.fail(f"{at} (building {building}): batches must be a list")
            return
        stand_s = 60 * self.operations.gate.stand_min
        total = 0
        for batch in batches:
            parcels = batch.get("parcels") if isinstance(batch, Mapping) else None
            held_from = batch.get("held_from") if isinstance(batch, Mapping) else None
            if isinstance(batch, Mapping) and "back_at" in batch:
                back = _clock(batch, "back_at")
                if back is None or not isinstance(parcels, int) or parcels <= 0:
                    self.fail(
                        f"{at} (building {building}): a batch brought back needs back_at HH:MM:SS and positive parcels"
                    )
                    continue
                total += parcels
                self.back_batches[(building, back)] += parcels
                if load < back:
                    self.fail(
                        f"{at} (building {building}): loads the parcels brought back at {format_clock(back)} "
                        f"at {format_clock(load)}, before they were back"
                    )
                continue
            if isinstance(held_from, str) and isinstance(parcels, int) and parcels > 0:
                total += parcels
                self.held_batches[(building, held_from)] += parcels  # at the gate since an earlier day
                continue
            arrived = _clock(batch, "arrived") if isinstance(batch, Mapping) else None
            if arrived is None or not isinstance(parcels, int) or parcels <= 0:
                self.fail(
                    f"{at} (building {building}): each batch needs arrived HH:MM:SS or held_from YYYY-MM-DD, "
                    "and positive parcels"
                )
                continue
            total += parcels
            self.batches[(building, arrived)] += parcels
            if load < arrived + stand_s:
                self.fail(
                    f"{at} (building {building}): loads the {format_clock(arrived)} batch at {format_clock(load)}, "
                    f"before it has stood {self.operations.gate.stand_min} min"
                )
        if total > count:
            self.fail(f"{at} (building {building}): batches hold {total} parcels, the stop {count}")

    def check_standing(self) -> None:
        """No parcel is loaded before it has stood at the gate: by any loading time, a building
        has had no more parcels loaded than had arrived and stood by then."""
        stand_min = self.operations.gate.stand_min
        ready: dict[str, list[tuple[int, int]]] = defaultdict(list)
        arrived: dict[tuple[str, int], int] = defaultdict(int)
        held: dict[tuple[str, str], int] = defaultdict(int)
        back: dict[tuple[str, int], int] = defaultdict(int)
        for row in self.day.rows:
            ready[row.building].append((row.loadable_s(stand_min), row.parcels))
            if row.arrived_s is not None:
                arrived[(row.building, row.arrived_s)] += row.parcels
            if row.held_from is not None:
                held[(row.building, row.held_from)] += row.parcels
            if row.back_s is not None:
                back[(row.building, row.back_s)] += row.parcels
        for (building, at), loaded in sorted(self.back_batches.items()):
            if loaded > back[(building, at)]:
                self.fail(
                    f"building {building}: {loaded} parcels loaded as brought back at {format_clock(at)}, "
                    f"the counts hold {back[(building, at)]} brought back then"
                )
        for (building, day), loaded in sorted(self.held_batches.items()):
            if loaded > held[(building, day)]:
                self.fail(
                    f"building {building}: {loaded} parcels loaded as held over from {day}, "
                    f"the counts hold {held[(building, day)]} from then"
                )
        for (building, at), loaded in sorted(self.batches.items()):
            if loaded > arrived[(building, at)]:
                self.fail(
                    f"building {building}: {loaded} parcels loaded from the {format_clock(at)} batch, "
                    f"the day has {arrived[(building, at)]} arriving then"
                )
        for building, loads in sorted(self.loaded.items()):
            times = sorted(ready.get(building, []))
            if not any(at for at, _ in times):
                continue  # every row stood before the day began
            carried = 0
            for load, count in sorted(loads):
                carried += count
                stood = sum(parcels for at, parcels in times if at <= load)
                if carried > stood:
                    self.fail(
                        f"building {building}: {carried} parcels loaded by {format_clock(load)}, but only "
                        f"{stood} had arrived and stood {stand_min} min at the gate by then"
                    )
                    break

    def check_summary(self, totals: dict[str, int]) -> None:
        summary = self.plan.get("summary")
        if not isinstance(summary, Mapping):
            self.fail("plan has no summary")
            return
        expected = {"parcels": self.day.parcels, **totals}
        for key, value in expected.items():
            if summary.get(key) != value:
                self.fail(f"summary {key} is {summary.get(key)!r}, the plan adds up to {value}")


def check_plan(
    site_graph: SiteGraph,
    day: Day,
    operations: Operations,
    plan: Mapping[str, Any],
    *,
    frozen: Frozen | None = None,
) -> list[str]:
    """Every way the plan breaks the site, the day or the roster; an empty list means valid.

    With `frozen` (a re-plan), every trip that had departed must be in the plan exactly as it was.
    """
    if not isinstance(plan, Mapping):
        return ["plan must be a JSON object"]
    violations = _Walker(site_graph, day, operations, plan).run()
    if frozen is not None:
        violations += _frozen_violations(plan, frozen)
    return violations


def _frozen_violations(plan: Mapping[str, Any], frozen: Frozen) -> list[str]:
    crews = {crew.get("id"): crew for shift in _list(plan, "shifts") for crew in _list(shift, "crews")}
    problems = []
    for crew_id, trips in frozen.trips.items():
        planned = _list(crews.get(crew_id, {}), "trips")
        for number, trip in enumerate(trips, start=1):
            expected = {
                "load": format_clock(trip.load_s),
                "depart": format_clock(trip.depart_s),
                "return": format_clock(trip.return_s),
                "stops": [
                    (s.building, s.parcels, format_clock(s.arrive_s), format_clock(s.depart_s))
                    for s in trip.stops
                ],
            }
            found = planned[number - 1] if number <= len(planned) else {}
            actual = {
                "load": found.get("load"),
                "depart": found.get("depart"),
                "return": found.get("return"),
                "stops": [
                    (s.get("building"), s.get("parcels"), s.get("arrive"), s.get("depart"))
                    for s in _list(found, "stops")
                ],
            }
            if actual != expected:
                problems.append(
                    f"crew {crew_id} trip {number} had departed by {format_clock(frozen.now_s)} and must stay as it was"
                )
    return problems


def _list(parent: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = parent.get(key, [])
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def _clock(item: Mapping[str, Any], key: str) -> int | None:
    return parse_clock(item.get(key))
