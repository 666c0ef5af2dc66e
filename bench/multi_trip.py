"""The day planner against PyVRP's multi-trip search, on compound days where trips matter.

The plain-CVRP comparison (`bench.compare`) gives every route its own vehicle. A compound's day is
not that: a shift has two or three crews, each rides trip after trip from the gate (loading each
time) until the shift ends, and a building's parcels go out in the shift they arrived for. PyVRP
models this natively (reload depots, vehicle shifts, client time windows and release times), so
both solvers get the same day, taken from the day planner's own model (`build_day_model`): the
same nodes (buildings' parcels per shift, cut into loads), the same transit matrix per fleet
entry (loading at the gate, riding, the bell and the wait, handing over), the same crews and
shift windows, and the same price — crew time, each crew's riders times its first loading to its
last return. PyVRP's routes are timed by OneBell's own plan builder and both plans are held to
the independent checker (`optimizer.check`).

What PyVRP cannot express is left out of the days for both: the sorter's pace (a trip waits until
its parcels are sorted), balancing the crews' finishes, and urgent parcels' windows (their
parcels count as ordinary ones). Each parcel must go in its own shift (PyVRP: a client window of
that shift); the rosters are the fixtures' own, which clear these days.

    python -m bench.multi_trip --time-limits 5 10 --runs 3
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from optimizer.check import check_plan
from optimizer.day import Day, load_day
from optimizer.graph import SiteGraph, build_graph
from optimizer.operations import Operations, parse_operations
from optimizer.plan import Plan, build_plan
from optimizer.planner import plan_day
from optimizer.problem import DayModel, build_day_model
from optimizer.site import load_site

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
DAYS = [
    ("gelin-spring", "2022-04-08-600.csv", "ops-more-riders.json"),
    ("gelin-spring", "2022-04-20-2000.csv", "ops-more-riders.json"),
    ("gelin-spring", "2022-04-28-2300.csv", "ops-more-riders.json"),
    ("tongji-xincun", "2022-04-28-3400.csv", "ops.json"),
]
UNREACHABLE_S = 10**7
"""A fleet entry's transit to a node it cannot reach (PyVRP takes no missing arcs)."""


@dataclass(frozen=True)
class CrewGroup:
    """The crews of one shift on one fleet entry with as many riders: one PyVRP vehicle type."""

    crews: tuple[int, ...]  # indices into the model's crews
    fleet_entry: int
    riders: int


@dataclass(frozen=True)
class MultiTripDay:
    name: str
    site_graph: SiteGraph
    day: Day
    operations: Operations
    model: DayModel

    @property
    def groups(self) -> list[CrewGroup]:
        grouped: dict[tuple[int, int, int], list[int]] = {}
        for number, crew in enumerate(self.model.crews):
            grouped.setdefault((crew.shift, crew.vehicle, crew.riders), []).append(number)
        return [CrewGroup(tuple(crews), vehicle, riders) for (_, vehicle, riders), crews in grouped.items()]

    def shift_window(self, shift: int) -> tuple[int, int]:
        shift_hours = self.operations.shifts[shift]
        return shift_hours.start_s, shift_hours.end_s

    def profile(self, fleet_entry: int) -> np.ndarray:
        """The fleet entry's transit matrix, nodes it cannot reach far away."""
        transit = self.model.transit_s[fleet_entry].astype(np.int64)
        unreachable = ~self.model.reachable[fleet_entry]
        transit[:, unreachable] = UNREACHABLE_S
        transit[unreachable, :] = UNREACHABLE_S
        np.fill_diagonal(transit, 0)
        return transit

    def plan_of(self, trips_of_crew: Sequence[Sequence[Sequence[int]]], solver: str) -> Plan:
        """Each crew's trips (node lists, in order) timed by OneBell's plan builder."""
        return build_plan(self.model, trips_of_crew, solver={"status": solver})

    def violations(self, plan: Plan) -> list[str]:
        return check_plan(self.site_graph, self.day, self.operations, json.loads(json.dumps(plan.to_dict())))


def comparable_day(compound: str, day_file: str, ops_file: str) -> MultiTripDay:
    """A fixture day and roster without what PyVRP cannot model (see the module's docstring)."""
    site_graph = build_graph(load_site(FIXTURES / compound / "site.geojson"))
    document = json.loads((FIXTURES / compound / ops_file).read_text())
    document.get("gate", {}).pop("sort_s_per_parcel", None)
    document["balance_min"] = None
    operations = parse_operations(document)
    loaded = load_day(FIXTURES / compound / "days" / day_file)
    day = dataclasses.replace(loaded, rows=tuple(dataclasses.replace(row, urgent=0) for row in loaded.rows))
    model = build_day_model(site_graph, day, operations, late_urgent=False)
    return MultiTripDay(f"{compound}/{day_file.removesuffix('.csv')}", site_graph, day, operations, model)


def solve_onebell(day: MultiTripDay, *, time_limit_s: float) -> tuple[Plan, float]:
    started = time.monotonic()
    plan = plan_day(day.site_graph, day.day, day.operations, time_limit_s=time_limit_s)
    return plan, time.monotonic() - started


def solve_pyvrp(day: MultiTripDay, *, time_limit_s: float, seed: int = 0) -> tuple[Plan, float]:
    """PyVRP on the same nodes, transit, crews and windows; its routes split at the gate into
    trips and handed to the crews of their vehicle type in order."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    model = day.model
    groups = day.groups
    profiles = sorted({group.fleet_entry for group in groups})
    clients = []
    for node in range(1, model.node_count):
        visit = model.visits[node]
        early, late = day.shift_window(visit.available_shift)
        clients.append(
            pyvrp.Client(node, delivery=[visit.parcels], tw_early=early, tw_late=late, release_time=early)
        )
    vehicle_types = []
    for group in groups:
        early, late = day.shift_window(model.crews[group.crews[0]].shift)
        vehicle_types.append(
            pyvrp.VehicleType(
                len(group.crews),
                capacity=[day.operations.fleet[group.fleet_entry].capacity],
                tw_early=early,
                tw_late=late,
                profile=profiles.index(group.fleet_entry),
                unit_distance_cost=0,
                unit_duration_cost=group.riders,
                reload_depots=[0],
            )
        )
    matrices: list[Any] = [day.profile(entry) for entry in profiles]  # PyVRP's stubs want ndarray[int]
    data = pyvrp.ProblemData(
        [pyvrp.Location(0, 0) for _ in range(model.node_count)],
        clients,
        [pyvrp.Depot(0)],
        vehicle_types,
        matrices,
        matrices,
    )
    started = time.monotonic()
    result = pyvrp.solve(data, stop=MaxRuntime(time_limit_s), seed=seed, display=False)
    elapsed = time.monotonic() - started
    if not result.is_feasible():
        raise RuntimeError(f"PyVRP found no feasible plan for {day.name} in {time_limit_s} s")
    routes_of_type: list[list[list[list[int]]]] = [[] for _ in groups]
    for route in result.best.routes():
        routes_of_type[route.vehicle_type()].append(trips_of_schedule(route.schedule()))
    trips_of_crew: list[list[list[int]]] = [[] for _ in model.crews]
    for group, routes in zip(groups, routes_of_type, strict=True):
        for crew, trips in zip(group.crews, routes, strict=False):
            trips_of_crew[crew] = trips
    return day.plan_of(trips_of_crew, "pyvrp"), elapsed


def trips_of_schedule(schedule: Sequence[Any]) -> list[list[int]]:
    """A PyVRP route's visits cut into trips at each depot visit (its start, reloads and end);
    client k of PyVRP's list is node k + 1 (node 0 is the gate)."""
    trips: list[list[int]] = []
    current: list[int] = []
    for activity in schedule:
        if activity.type.name == "DEPOT":
            if current:
                trips.append(current)
            current = []
        else:
            current.append(activity.idx + 1)
    if current:
        trips.append(current)
    return trips


@dataclass(frozen=True)
class Outcome:
    crew_s: int
    delivered: int
    trips: int
    wall_s: float
    violations: int


def outcome(day: MultiTripDay, plan: Plan, wall_s: float) -> Outcome:
    return Outcome(plan.crew_s, plan.delivered, plan.trip_count, wall_s, len(day.violations(plan)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--time-limits", type=float, nargs="+", default=[5.0, 10.0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--days", type=int, nargs="*", help="indices into DAYS (all by default)")
    args = parser.parse_args(argv)
    chosen = [DAYS[k] for k in args.days] if args.days else DAYS
    print(
        "| day | parcels | solver | limit s | crew-h (median) | runs (crew-h) | delivered | trips | wall s | checker | / best of row |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for compound, day_file, ops_file in chosen:
        day = comparable_day(compound, day_file, ops_file)
        for limit in args.time_limits:
            results: dict[str, list[Outcome]] = {"onebell": [], "pyvrp": []}
            for run in range(args.runs):  # the solvers take turns, run by run
                results["onebell"].append(outcome(day, *solve_onebell(day, time_limit_s=limit)))
                results["pyvrp"].append(outcome(day, *solve_pyvrp(day, time_limit_s=limit, seed=run)))
            medians = {name: statistics.median(o.crew_s for o in runs) for name, runs in results.items()}
            best = min(medians.values())
            for name, runs in results.items():
                middle = sorted(runs, key=lambda o: o.crew_s)[len(runs) // 2]
                print(
                    f"| {day.name} | {day.day.parcels:,} | {name} | {limit:g} | {medians[name] / 3600:.3f} | "
                    f"{' '.join(f'{o.crew_s / 3600:.3f}' for o in runs)} | {middle.delivered:,} | "
                    f"{middle.trips} | {statistics.median(o.wall_s for o in runs):.1f} | "
                    f"{'valid' if not any(o.violations for o in runs) else 'VIOLATIONS'} | "
                    f"{medians[name] / best:.4f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
