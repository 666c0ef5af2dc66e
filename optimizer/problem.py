"""From site + day + operations to index-based routing problems (no OR-Tools here).

A `DayModel` holds what every solve of the day shares: the visits (one node per building and
arrival shift, split into vehicle-sized chunks), the crews each shift can field, and per fleet
entry an integer transit matrix in seconds. From it come two `VrpProblem`s:

- `trips_problem`: plain capacitated VRP, every route one trip — the same shape as a CVRPLIB
  instance, used to seed the day and by the benchmark;
- `crews_problem`: the day itself, one routing vehicle per possible trip of a crew, trips of a crew
  chained in time inside its shift, visits optional with penalties that rank "deliver everything"
  above "deliver on the arrival shift" above crew time.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from optimizer.day import Day, check_day
from optimizer.errors import DayError
from optimizer.graph import SiteGraph, unreachable_buildings
from optimizer.names import vehicle_name
from optimizer.operations import Operations, Shift, Vehicle, check_sorters
from optimizer.site import Site, sealed_buildings
from optimizer.stop_cost import arrival_s, bell_s, expected_households
from optimizer.travel import ride_s

UNREACHABLE_S = 10_000_000
"""Transit used for pairs a vehicle cannot travel; such visits are also barred from it."""


@dataclass(frozen=True)
class Visit:
    """One routing node: part or all of a building's parcels that arrive for one shift."""

    building: str | None  # None for the gate (node 0)
    place: int  # row in the place-distance matrices (0 = gate)
    parcels: int
    available_shift: int  # index of the first shift the parcels can go out in
    urgent: int = 0
    loadable_s: int = 0  # loaded no earlier: arrived and stood at the gate (0 = from the shift's start)
    arrived_s: int | None = None  # the count rows' `arrived`: how the sorter tells this batch apart
    held_from: str | None = None  # parcels held over from this earlier day (the count rows' `held_from`)
    back_s: int | None = None  # a trip brought them back to the gate then (the count rows' `back_at`)
    late_for: int | None = None
    """The node of the urgent visit this one stands in for when it cannot make its window: the
    same parcels, no deadline, any crew from their shift on, at a price (`crews_problem`).
    Medicine delivered late is better than medicine left for tomorrow while a later crew idles."""

    @property
    def due(self) -> bool:
        """Urgent parcels held to their window: their own shift's crews only, by the deadline."""
        return self.urgent > 0 and self.late_for is None


@dataclass(frozen=True)
class Crew:
    """Riders on one vehicle for one shift, making as many trips as fit."""

    shift: int
    vehicle: int  # index into operations.fleet
    number: int  # 1-based within the shift
    riders: int


@dataclass(frozen=True)
class TripVehicle:
    """One routing vehicle = one possible trip from the gate and back."""

    capacity: int
    transit: int  # index into VrpProblem.transit_s
    cost: int  # index into VrpProblem.arc_cost
    earliest_s: int
    latest_s: int


@dataclass(frozen=True)
class SortBound:
    """Trip `vehicle` departs no earlier than `opens_s` + the time the gate needs to sort the
    parcels of `loads` (its crew's trips so far, itself included) `crews` times over: one sorter
    serves every crew of the shift, so the crews' trips take turns."""

    vehicle: int
    loads: tuple[int, ...]
    opens_s: int
    reload_s: int
    tenths_per_parcel: int  # tenths of a second to sort one parcel, times the crews sharing
    sorters: int


@dataclass(frozen=True)
class VrpProblem:
    """Index-based VRP: node 0 is the gate; every vehicle starts and ends there."""

    demand: np.ndarray
    transit_s: Sequence[np.ndarray]
    arc_cost: Sequence[np.ndarray]
    vehicles: Sequence[TripVehicle]
    chains: Sequence[tuple[int, int]] = ()  # (a, b): trip a returns before trip b starts loading
    allowed: Sequence[Sequence[int] | None] | None = None  # per node, vehicles allowed (None = all)
    drop_penalty: np.ndarray | None = None  # per node; None = every visit is mandatory
    timed: bool = True  # False: no time dimension, vehicles' windows are ignored
    sort_bounds: Sequence[SortBound] = ()
    deadline_s: Sequence[int | None] | None = None
    """Per node, arrived by then (None: no deadline). A hard bound only: priced per second after
    the window opened as well (a soft bound), it left OR-Tools placing the times at those stops at
    every step of its search, which then went a fraction as far (`optimizer/urgent_first.py`)."""
    late_twins: Sequence[tuple[int, int]] = ()
    """(urgent node, its late stand-in): one disjunction, so at most one of the two is served."""
    loadable_s: Sequence[int] | None = None
    """Per node: the trip that carries it starts loading no earlier (parcels standing at the gate)."""

    @property
    def node_count(self) -> int:
        return int(self.demand.shape[0])


@dataclass(frozen=True)
class DayModel:
    site_graph: SiteGraph
    day: Day
    operations: Operations
    visits: tuple[Visit, ...]
    crews: tuple[Crew, ...]
    distance_m: dict[
        str, np.ndarray
    ]  # per `lanes_key` (mode, and whether sealed zones are open), place x place
    transit_s: tuple[np.ndarray, ...]  # per fleet entry, node x node
    arrival_s: np.ndarray  # per node: bell and wait (or door rounds), paid arriving from elsewhere
    reachable: np.ndarray  # fleet entry x node, bool
    late_penalty_per_parcel: int
    drop_penalty_per_parcel: int
    sealed: frozenset[str]  # buildings served by door delivery, by sealed_ok crews only
    crew_ready_s: tuple[int, ...] = ()  # per crew, when it can load its first trip (re-planning)
    replanned_at_s: int | None = None  # a coordinator's re-plan: when (not a wave-by-wave stage's)
    sorter_free_s: tuple[int, ...] = ()  # per shift, when the sorter starts on this model's parcels

    def distances_m(self, vehicle: Vehicle) -> np.ndarray:
        """Place-to-place lane distances for a fleet entry: its mode's lanes, round sealed zones
        unless it is a designated pair."""
        return self.distance_m[lanes_key(vehicle)]

    def ready_s(self, crew: int) -> int:
        if self.crew_ready_s:
            return self.crew_ready_s[crew]
        return self.operations.shifts[self.crews[crew].shift].start_s

    @property
    def node_count(self) -> int:
        return len(self.visits)

    def trip_s(self, vehicle: int, nodes: Sequence[int]) -> int:
        """Loading at the gate, the stops in order and the ride back, in model seconds."""
        transit = self.transit_s[vehicle]
        path = [0, *nodes, 0]
        return int(sum(transit[a, b] for a, b in itertools.pairwise(path)))

    def loadable_from_s(self, nodes: Sequence[int]) -> int:
        """When a trip carrying these visits may start loading: its last parcels have stood."""
        return max(self.visits[n].loadable_s for n in nodes)

    @functools.cached_property
    def late_twin(self) -> dict[int, int]:
        """Per urgent node, the node of its late stand-in (`Visit.late_for`)."""
        return {v.late_for: n for n, v in enumerate(self.visits) if v.late_for is not None}

    def crews_of_shift(self, shift: int) -> list[int]:
        return [n for n, crew in enumerate(self.crews) if crew.shift == shift]

    def can_serve(self, crew: Crew, node: int, *, standing: bool = True) -> bool:
        """Whether a crew may carry this visit: arrived by its shift (urgent parcels: that very
        shift), on lanes its vehicle may use, within its load, sealed buildings by a sealed team
        only (and a team kept to them, `sealed_only`, no other), and — with `standing` — stood at the gate early enough for a trip there and back
        within the crew's shift."""
        visit = self.visits[node]
        vehicle = self.operations.fleet[crew.vehicle]
        in_time = crew.shift == visit.available_shift if visit.due else crew.shift >= visit.available_shift
        able = (
            in_time
            and bool(self.reachable[crew.vehicle, node])
            and vehicle.capacity >= visit.parcels
            and vehicle.serves(visit.building in self.sealed)
        )
        if not able or not standing or not visit.loadable_s:
            return able
        return (
            visit.loadable_s + self.trip_s(crew.vehicle, [node]) <= self.operations.shifts[crew.shift].end_s
        )

    def sorter_starts_s(self, shift: int) -> int:
        """The shift's start; in a re-plan, later by what the trips that left took of the
        sorter's time, or sooner by what it had sorted of the next trips (`Frozen.sorter_free_s`)."""
        if self.sorter_free_s:
            return self.sorter_free_s[shift]
        return self.operations.shifts[shift].start_s

    def sorting_pace(self, shift: int) -> tuple[int, int] | None:
        """(tenths of a second per parcel times the crews sharing the sorters, sorters), or None."""
        seconds = self.operations.gate.sort_s_per_parcel
        sorters = self.operations.shifts[shift].sorters
        if seconds <= 0 or sorters <= 0:
            return None
        return math.ceil(10 * seconds) * max(len(self.crews_of_shift(shift)), 1), sorters

    def sorted_from_s(self, crew: Crew, parcels_so_far: int) -> int:
        """Earliest loading start for a trip that brings the crew's parcels this shift to
        `parcels_so_far`, given the sorters' pace (see SortBound)."""
        pace = self.sorting_pace(crew.shift)
        if pace is None:
            return self.operations.shifts[crew.shift].start_s
        tenths, sorters = pace
        return (
            self.sorter_starts_s(crew.shift)
            + math.ceil(tenths * parcels_so_far / (10 * sorters))
            - self.operations.gate.reload_s
        )

    def urgent_opens_s(self, node: int) -> int:
        """When an urgent parcel's clock starts: its shift's start, or — arriving mid-shift — once
        it has stood at the gate (medicine that comes in at 14:30 cannot have been there by 14:00)."""
        visit = self.visits[node]
        return max(self.operations.shifts[visit.available_shift].start_s, visit.loadable_s)

    def urgent_deadline_s(self, node: int) -> int:
        return self.urgent_opens_s(node) + 60 * self.operations.urgent_within_min

    def urgent_model_deadline_s(self, node: int) -> int:
        """The deadline on the model's clock, which at a node stands after the bell and the wait."""
        return self.urgent_deadline_s(node) + int(self.arrival_s[node])


def lanes_key(vehicle: Vehicle) -> str:
    """Which lane distances a fleet entry rides: its mode's, and round sealed zones but for a
    designated pair (`sealed_ok`), who may go in."""
    return vehicle.mode if vehicle.sealed_ok else f"{vehicle.mode} fenced"


def lane_distances_m(site_graph: SiteGraph, fleet: Sequence[Vehicle]) -> dict[str, np.ndarray]:
    """Per `lanes_key` of the fleet, place-to-place lane distances; with no sealed zone, the
    fenced and open distances are one matrix, computed once."""
    by_lanes: dict[tuple[str, bool], np.ndarray] = {}
    distances = {}
    for vehicle in fleet:
        lanes = (vehicle.mode, not vehicle.sealed_ok and bool(site_graph.fences_m))
        if lanes not in by_lanes:
            by_lanes[lanes] = site_graph.place_distances_m(lanes[0], fenced=lanes[1])
        distances[lanes_key(vehicle)] = by_lanes[lanes]
    return distances


def check_plannable(site_graph: SiteGraph, day: Day, operations: Operations) -> None:
    """Refuse a day the solver could not take: unknown buildings or shifts, buildings with parcels
    that no vehicle of the fleet can reach on the lanes as drawn (one behind a lane closed today is
    listed undelivered instead: the closure is the day's, not the map's)."""
    everyone = frozenset(site_graph.entrance_nodes)
    reachable = {
        mode: everyone.difference(unreachable_buildings(site_graph, [mode], as_drawn=True))
        for mode in {v.mode for v in operations.fleet}
    }
    check_reachable(site_graph.site, day, operations, reachable)


def check_reachable(
    site: Site, day: Day, operations: Operations, reachable: Mapping[str, frozenset[str]]
) -> None:
    """`check_plannable` with what each mode of the fleet reaches known already
    (`graph.reachable_by_mode`): a server asked to plan hundreds of compounds at once keeps that per
    site instead of building every site's graph again."""
    check_day(day, site, operations)
    check_sorters(operations)  # a roster stored before the check was added is read without it
    modes = sorted({v.mode for v in operations.fleet})
    with_parcels = {row.building for row in day.rows if row.parcels > 0}
    reached = frozenset().union(*(reachable[mode] for mode in modes))
    unreachable = sorted(with_parcels - reached)
    if unreachable:
        raise DayError(
            f"building {unreachable[0]!r} has parcels but no vehicle in the fleet can reach it from the gate "
            f"(modes {', '.join(modes)}); add a vehicle that may use its lanes",
            field="building",
            zh=f"楼 {unreachable[0]} 有件，但车队里没有一辆车能从大门走到这栋楼"
            f"（现有：{'、'.join(vehicle_name(mode, 'zh') for mode in modes)}）；"
            "请加一辆能走这段路的车",
        )


def build_day_model(
    site_graph: SiteGraph,
    day: Day,
    operations: Operations,
    *,
    ready_s: Callable[[str, int], int] | None = None,
    sorter_free_s: Callable[[Shift, float], int] | None = None,
    late_urgent: bool = True,
) -> DayModel:
    """Validate the day against the site and roster and build the shared matrices; with
    `late_urgent`, each urgent visit gets a late stand-in (`Visit.late_for`)."""
    check_plannable(site_graph, day, operations)
    site = site_graph.site
    fleet = operations.fleet
    distance_m = lane_distances_m(site_graph, fleet)
    place_of = {b.id: n + 1 for n, b in enumerate(site.buildings)}

    sealed = sealed_buildings(site)
    visits = [Visit(building=None, place=0, parcels=0, available_shift=0)]
    crews = _crews(operations)
    visits += _visits(day, operations, place_of, crews, distance_m, sealed)
    if late_urgent:
        visits += [replace(v, late_for=n) for n, v in enumerate(visits) if v.urgent]

    places = np.array([v.place for v in visits])
    parcels = np.array([v.parcels for v in visits])
    arrival = _arrival_overheads(site_graph, operations, visits, sealed)
    transit = tuple(
        _transit_matrix(
            site_graph,
            operations,
            vehicle,
            distance_m[lanes_key(vehicle)],
            visits,
            places,
            parcels,
            arrival,
            sealed,
        )
        for vehicle in fleet
    )
    reachable = np.array(
        [np.isfinite(distance_m[lanes_key(v)][0, places]) for v in fleet], dtype=bool
    ).reshape(len(fleet), len(visits))

    worst_arc = max(int(t[reachable[k]][:, reachable[k]].max(initial=0)) for k, t in enumerate(transit))
    max_riders = max(v.crew for v in fleet)
    # Priorities by weight: putting off one parcel must cost more than any crew time it could
    # save (a whole extra trip at worst), and dropping one more than putting it off to the end.
    late = max_riders * (operations.gate.reload_s + 3 * worst_arc) + 1
    drop = late * (len(operations.shifts) + 1)
    return DayModel(
        site_graph=site_graph,
        day=day,
        operations=operations,
        visits=tuple(visits),
        crews=crews,
        distance_m=distance_m,
        transit_s=transit,
        arrival_s=arrival,
        reachable=reachable,
        late_penalty_per_parcel=late,
        drop_penalty_per_parcel=drop,
        sealed=sealed,
        crew_ready_s=tuple(
            ready_s(f"{operations.shifts[c.shift].id}-{c.number}", operations.shifts[c.shift].start_s)
            for c in crews
        )
        if ready_s
        else (),
        sorter_free_s=tuple(sorter_free_s(s, operations.gate.sort_s_per_parcel) for s in operations.shifts)
        if sorter_free_s
        else (),
    )


def _visits(
    day: Day,
    operations: Operations,
    place_of: dict[str, int],
    crews: Sequence[Crew],
    distance_m: dict[str, np.ndarray],
    sealed: frozenset[str],
) -> list[Visit]:
    fleet = operations.fleet
    grouped: dict[tuple[str, int, int | None, str | None, int | None, int], list[int]] = defaultdict(
        lambda: [0, 0]
    )
    for row in day.rows:
        if row.parcels == 0:
            continue
        shift = 0 if row.shift is None else operations.shift_number(row.shift)
        key = (
            row.building,
            shift,
            row.arrived_s,
            row.held_from,
            row.back_s,
            row.loadable_s(operations.gate.stand_min),
        )
        grouped[key][0] += row.parcels
        grouped[key][1] += row.urgent
    visits = []
    for (building, shift, arrived, held_from, back, ready), (parcels, urgent) in sorted(
        grouped.items(),
        key=lambda kv: (
            place_of[kv[0][0]],
            kv[0][1],
            -1 if kv[0][2] is None else kv[0][2],
            kv[0][3] or "9999",  # held-over batches first, the oldest first
            -1 if kv[0][4] is None else kv[0][4],
            kv[0][5],
        ),
    ):
        place = place_of[building]
        # Loads of the largest vehicle that may serve it: one that reaches it (behind a sealed
        # zone's fence, only a designated pair, or none at all), a crew rides in its shift or a
        # later one, and, at a sealed building's doors, is a designated pair. Cut to a tricycle's
        # 80, a sealed building's 30 parcels were one load no pair (20) could carry (never
        # delivered: "put a designated pair on the roster"), 50 afternoon parcels one load the
        # afternoon's e-bikes could not, with the tricycle out mornings only, and 60 parcels one
        # load the one rider of a shift could not carry on the e-bike he rides, the tricycle
        # waiting for a second rider ("did not fit in the crews' time").
        riding = {c.vehicle for c in crews if c.shift >= shift}
        reaching = [v for v in fleet if math.isfinite(distance_m[lanes_key(v)][0, place])]
        serving = [
            v for k, v in enumerate(fleet) if k in riding and v in reaching and v.serves(building in sealed)
        ]
        chunk = max(v.capacity for v in (serving or reaching or fleet))
        # Urgent parcels are nodes of their own (they have a deadline); then full vehicle loads
        # first and the remainder.
        for size, is_urgent in ((urgent, True), (parcels - urgent, False)):
            remaining = size
            while remaining > 0:
                part = min(chunk, remaining)
                visits.append(
                    Visit(
                        building,
                        place,
                        part,
                        shift,
                        part if is_urgent else 0,
                        ready,
                        arrived,
                        held_from,
                        back,
                    )
                )
                remaining -= part
    return visits


def _fielding_indices(operations: Operations) -> list[int]:
    """The fleet by parcels moved per rider, most first: the order a shift's crews are numbered in,
    and the one ties between equally strong sets of crews go by (`_fielded`)."""
    return sorted(
        range(len(operations.fleet)),
        key=lambda k: (
            -operations.fleet[k].capacity * operations.fleet[k].speed_kmh / operations.fleet[k].crew
        ),
    )


def fielded_crews(operations: Operations) -> dict[str, str]:
    """Each crew the roster fields, by the id plans give it (`shift-number`), with its vehicle's id:
    what a re-plan's trips on the road must still belong to."""
    return {
        f"{operations.shifts[c.shift].id}-{c.number}": operations.fleet[c.vehicle].id
        for c in _crews(operations)
    }


@dataclass(frozen=True)
class ShiftCrews:
    """What a shift's riders make: crews per vehicle (by the fleet's id) and riders left without
    one — what the coordinator checks a roster by before planning with it."""

    shift: str
    crews: dict[str, int]
    idle_riders: int


def shift_crews(operations: Operations) -> list[ShiftCrews]:
    crews = _crews(operations)
    result = []
    for number, shift in enumerate(operations.shifts):
        fielded = [c for c in crews if c.shift == number]
        per_vehicle: dict[str, int] = {}
        for crew in fielded:
            vehicle_id = operations.fleet[crew.vehicle].id
            per_vehicle[vehicle_id] = per_vehicle.get(vehicle_id, 0) + 1
        idle = shift.riders - sum(c.riders for c in fielded)
        result.append(ShiftCrews(shift=shift.id, crews=per_vehicle, idle_riders=idle))
    return result


def _crews(operations: Operations) -> tuple[Crew, ...]:
    """Crews each shift fields, numbered in fielding order (`_fielding_indices`)."""
    order = _fielding_indices(operations)
    crews = []
    for shift_number, shift in enumerate(operations.shifts):
        counts, number = _fielded(operations, order, shift.riders, shift.id), 0
        for k, count in zip(order, counts, strict=True):
            for _ in range(count):
                number += 1
                crews.append(
                    Crew(shift=shift_number, vehicle=k, number=number, riders=operations.fleet[k].crew)
                )
    return tuple(crews)


def _fielded(operations: Operations, order: Sequence[int], riders: int, shift_id: str) -> tuple[int, ...]:
    """How many crews of each vehicle (in `order`) `riders` field: designated pairs (`sealed_ok`)
    first, then the most parcels moved an hour (capacity × speed, summed over the crews), ties
    going to the vehicles earlier in the order. A pair moves the fewest parcels an hour of any
    crew, but a roster names one for the doors of sealed buildings, which no other crew may serve:
    fielded by parcels moved it went out only on riders the others left. A plain rider-by-rider
    fill by parcels per rider can strand riders: four riders, two tricycles (crew 2) and an e-bike
    (crew 1, more parcels per rider) made an e-bike, one tricycle and an idle rider, where two
    tricycles move more. Fleets are a few kinds, so the search is exact."""
    fleet = [operations.fleet[k] for k in order]
    available = [vehicle.count_in(shift_id) for vehicle in fleet]

    @functools.cache
    def best(kind: int, left: int) -> tuple[tuple[int, float], tuple[int, ...]]:
        if kind == len(fleet):
            return (0, 0.0), ()
        vehicle, options = fleet[kind], []
        for count in range(min(available[kind], left // vehicle.crew), -1, -1):
            (rest_pairs, rest_moved), rest = best(kind + 1, left - count * vehicle.crew)
            pairs = rest_pairs + (count if vehicle.sealed_ok else 0)
            moved = rest_moved + count * vehicle.capacity * vehicle.speed_kmh
            options.append(((pairs, moved), (count, *rest)))
        return max(options)  # pairs, then parcels moved, then more of the earlier kinds

    return best(0, riders)[1]


def _arrival_overheads(
    site_graph: SiteGraph, operations: Operations, visits: Sequence[Visit], sealed: frozenset[str]
) -> np.ndarray:
    """Per node, the bell and the wait (or a sealed building's door rounds) paid on arrival."""
    site = site_graph.site
    arrive = np.zeros(len(visits), dtype=np.int64)
    for node, visit in enumerate(visits):
        if visit.building is not None:
            door = operations.sealed if visit.building in sealed else None
            arrive[node] = arrival_s(site.building(visit.building), visit.parcels, operations.stop, door)
    return arrive


def _transit_matrix(
    site_graph: SiteGraph,
    operations: Operations,
    vehicle: Vehicle,
    distance_m: np.ndarray,
    visits: Sequence[Visit],
    places: np.ndarray,
    parcels: np.ndarray,
    arrive: np.ndarray,
    sealed: frozenset[str],
) -> np.ndarray:
    """transit[i, j] = hand over i's parcels (or load at the gate) + ride to j + ring at j.

    The bell and the wait are paid on arriving from another building, so a building split into
    several nodes and served in one go pays them once.
    """
    stop = operations.stop
    site = site_graph.site
    metres = distance_m[np.ix_(places, places)]
    finite = np.isfinite(metres)
    seconds = np.where(finite, ride_s(np.where(finite, metres, 0.0), vehicle.speed_kmh), UNREACHABLE_S)
    handling = parcels * stop.per_parcel_s
    handling[0] = operations.gate.reload_s
    transit = handling[:, None] + seconds.astype(np.int64) + arrive[None, :]
    same = (places[:, None] == places[None, :]) & (places[:, None] != 0)
    transit[same] = handling[np.nonzero(same)[0]]
    for i, j in zip(*np.nonzero(same), strict=True):
        # Served in the same visit: only the extra households j's parcels reach cost a ring (or a
        # door); under notify_one at an open building that is nothing.
        building = site.building(visits[i].building or "")
        if i == j or (stop.policy == "notify_one" and building.id not in sealed):
            continue
        more = expected_households(building.households, visits[i].parcels + visits[j].parcels)
        more -= expected_households(building.households, visits[i].parcels)
        unit = operations.sealed.door_s if building.id in sealed else bell_s(building, stop)
        transit[i, j] += max(more, 0) * unit
    np.fill_diagonal(transit, 0)
    return transit


def _drop_weight(model: DayModel) -> np.ndarray:
    """What leaving a visit's parcels undelivered weighs, per parcel, when not everything fits:
    the day's own parcels 1; parcels held over from an earlier day 2, and one more for each day
    of held-over parcels that came after them (oldest first: a backlog several days deep is
    cleared in the order it came). A dropped parcel costs (shifts + 1) times the price of putting it
    off by a shift, so at 2 a held-over parcel delivered even in the last shift is worth more than
    any of the day's own delivered on time: the backlog cannot grow while it waits.

    Urgent parcels (medicine) weigh two more than the oldest held over, so that an urgent parcel
    weighs more than any other even sent late (the late stand-in gives one back, `crews_problem`);
    at one more, as before 2026-12-07, a crew with time for one of two buildings took five of the
    day's own parcels nearby before five late urgent ones further off. It is a weight a parcel,
    not a rank: seventy parcels of food are not left for three of medicine."""
    urgent, weight = parcel_weights(v.held_from for v in model.visits)
    return np.array(
        [
            urgent if v.urgent > 0 else weight[v.held_from] if v.held_from is not None else 1
            for v in model.visits
        ]
    )


def parcel_weights(held_from: Iterable[str | None]) -> tuple[int, dict[str, int]]:
    """An urgent parcel's weight, and each held-over day's, given the days parcels were held over
    from (None for the day's own, which weigh 1): see `_drop_weight`. `Plan.rank` weighs what two
    plans of a day leave undelivered the same way, so that the plan kept is the one the search
    would have preferred."""
    held_days = sorted({day for day in held_from if day is not None}, reverse=True)
    return 3 + len(held_days), {day: 2 + newer for newer, day in enumerate(held_days)}


def trips_problem(model: DayModel, *, vehicle: int, nodes: Sequence[int]) -> VrpProblem:
    """Plain CVRP over `nodes` for one fleet entry: every route is one trip, no shifts."""
    keep = [0, *nodes]
    transit = model.transit_s[vehicle][np.ix_(keep, keep)]
    demand = np.array([model.visits[n].parcels for n in keep])
    fleet_entry = model.operations.fleet[vehicle]
    longest_shift = max(s.length_s for s in model.operations.shifts)
    bound = math.ceil(demand.sum() / fleet_entry.capacity)
    count = min(len(nodes), bound + max(2, bound // 4))
    trip = TripVehicle(fleet_entry.capacity, transit=0, cost=0, earliest_s=0, latest_s=longest_shift)
    return VrpProblem(demand=demand, transit_s=[transit], arc_cost=[transit], vehicles=[trip] * count)


def in_time_problem(model: DayModel, *, crew: int, from_s: int, nodes: Sequence[int]) -> VrpProblem:
    """One trip of `crew`, loading from `from_s`, that brings as many of these urgent visits' parcels
    within their window as it can: each parcel brought weighs more than the whole shift's time, so
    the trip's length only decides between equally many."""
    the_crew = model.crews[crew]
    keep = [0, *nodes]
    transit = model.transit_s[the_crew.vehicle][np.ix_(keep, keep)]
    demand = np.array([model.visits[n].parcels for n in keep])
    shift = model.operations.shifts[the_crew.shift]
    trip = TripVehicle(
        model.operations.fleet[the_crew.vehicle].capacity,
        transit=0,
        cost=0,
        earliest_s=from_s,
        latest_s=shift.end_s,
    )
    return VrpProblem(
        demand=demand,
        transit_s=[transit],
        arc_cost=[transit],
        vehicles=[trip],
        drop_penalty=demand * (shift.length_s + 1),
        deadline_s=[None, *(model.urgent_model_deadline_s(n) for n in nodes)],
    )


@dataclass(frozen=True)
class CrewTrips:
    """Which routing vehicles of `crews_problem` belong to which crew, in time order."""

    trips_of_crew: tuple[tuple[int, ...], ...]


def crews_problem(
    model: DayModel, *, trips_per_crew: Sequence[int], finish_by_s: dict[int, int] | None = None
) -> tuple[VrpProblem, CrewTrips]:
    """The whole day: each crew gets `trips_per_crew[c]` chained trip vehicles inside its shift,
    and a crew in `finish_by_s` is back from its last by then (to balance a shift's crews: a
    price on each second past the target instead, OR-Tools' soft upper bound, had it place every
    trip's times by a small linear program at each step, and the search moved nothing in the
    second or so it had)."""
    operations = model.operations
    shifts = operations.shifts
    parcels = np.array([v.parcels for v in model.visits], dtype=np.int64)
    available = np.array([v.available_shift for v in model.visits])
    cost_index: dict[tuple[int, int], int] = {}
    arc_cost: list[np.ndarray] = []
    vehicles: list[TripVehicle] = []
    chains: list[tuple[int, int]] = []
    trips_of_crew: list[tuple[int, ...]] = []
    sort_bounds: list[SortBound] = []
    due = np.array([v.due for v in model.visits])
    drop_weight = _drop_weight(model)
    # A late stand-in costs one of the day's own parcels' drop weight a parcel: sending urgent
    # parcels late still saves more a parcel than sending any other parcel, and sending them on
    # time saves one ordinary parcel's weight more, so no parcel goes before urgent ones on time.
    late_twin_cost = np.array(
        [
            v.parcels * model.drop_penalty_per_parcel if v.late_for is not None else 0
            for n, v in enumerate(model.visits)
        ],
        dtype=np.int64,
    )
    for crew_number, (crew, count) in enumerate(zip(model.crews, trips_per_crew, strict=True)):
        key = (crew.vehicle, crew.shift)
        if key not in cost_index:
            lateness = np.maximum(crew.shift - available, 0) * parcels * model.late_penalty_per_parcel
            lateness += late_twin_cost
            cost_index[key] = len(arc_cost)
            arc_cost.append(crew.riders * model.transit_s[crew.vehicle] + lateness[None, :])
        shift = shifts[crew.shift]
        first = len(vehicles)
        for _ in range(count):
            vehicles.append(
                TripVehicle(
                    capacity=operations.fleet[crew.vehicle].capacity,
                    transit=crew.vehicle,
                    cost=cost_index[key],
                    earliest_s=model.ready_s(crew_number),
                    # a target before the crew is ready (a re-plan's kept trips) leaves it no trip
                    latest_s=max(
                        min(shift.end_s, (finish_by_s or {}).get(crew_number, shift.end_s)),
                        model.ready_s(crew_number),
                    ),
                )
            )
        ids = tuple(range(first, len(vehicles)))
        pace = model.sorting_pace(crew.shift)
        if pace is not None:
            tenths, sorters = pace
            for k, vehicle in enumerate(ids):
                sort_bounds.append(
                    SortBound(
                        vehicle,
                        ids[: k + 1],
                        model.sorter_starts_s(crew.shift),
                        operations.gate.reload_s,
                        tenths,
                        sorters,
                    )
                )
        chains += list(itertools.pairwise(ids))
        trips_of_crew.append(ids)

    allowed: list[Sequence[int] | None] = [None]
    for node in range(1, model.node_count):
        allowed.append(
            [v for c, crew in enumerate(model.crews) if model.can_serve(crew, node) for v in trips_of_crew[c]]
        )
    deadlines = [
        model.urgent_model_deadline_s(node) if due[node] else None for node in range(model.node_count)
    ]
    problem = VrpProblem(
        demand=parcels,
        transit_s=list(model.transit_s),
        arc_cost=arc_cost,
        vehicles=vehicles,
        chains=chains,
        allowed=allowed,
        drop_penalty=parcels * model.drop_penalty_per_parcel * drop_weight,
        deadline_s=deadlines,
        late_twins=sorted(model.late_twin.items()),
        loadable_s=[v.loadable_s for v in model.visits] if any(v.loadable_s for v in model.visits) else None,
        sort_bounds=sort_bounds,
    )
    return problem, CrewTrips(tuple(trips_of_crew))
