"""Benchmark instances as plain CVRPs: fixture days, generated district sites, VRPLIB files.

Compound instances follow solver-findings.md: one gate, travel along lanes at 8 km/h, a stop costs
60 s + 4 s per parcel, capacity 80 parcels, unlimited trips; objective = travel + service seconds.
"""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import numpy as np

from optimizer.cvrp import CvrpInstance
from optimizer.day import load_day
from optimizer.drawing import Drawing
from optimizer.graph import SiteGraph, build_graph
from optimizer.site import load_site, parse_site
from optimizer.travel import ride_s

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "instances"
SPEED_KMH = 8.0
CAPACITY = 80
STOP_S, PER_PARCEL_S = 60, 4

FIXTURE_DAYS = [
    ("gelin-spring", "2022-04-08-600.csv"),
    ("gelin-spring", "2022-04-20-2000.csv"),
    ("gelin-spring", "2022-04-28-2300.csv"),
    ("tongji-xincun", "2022-04-28-3400.csv"),
    ("world-garden", "2022-04-28-1900.csv"),
]


def compound_instance(name: str, site_graph: SiteGraph, parcels: dict[str, int]) -> CvrpInstance:
    """One node per building with parcels (all shifts together), travel by tricycle lanes."""
    ids = [b.id for b in site_graph.site.buildings]
    served = [k for k, b in enumerate(ids) if parcels.get(b, 0) > 0]
    places = [0] + [k + 1 for k in served]
    metres = site_graph.place_distances_m("tricycle")[np.ix_(places, places)]
    if not np.isfinite(metres).all():
        metres = site_graph.place_distances_m("foot")[np.ix_(places, places)]  # hand-cart courts
    travel = ride_s(metres, SPEED_KMH).astype(np.int64)
    demand = np.array([0] + [min(parcels[ids[k]], CAPACITY) for k in served], dtype=np.int64)
    service = np.where(demand > 0, STOP_S + PER_PARCEL_S * demand, 0).astype(np.int64)
    return CvrpInstance(name=name, travel=travel, demand=demand, service=service, capacity=CAPACITY)


def fixture_instances() -> list[CvrpInstance]:
    instances = []
    for compound, day_file in FIXTURE_DAYS:
        site_graph = build_graph(load_site(FIXTURES / compound / "site.geojson"))
        totals: dict[str, int] = {}
        for row in load_day(FIXTURES / compound / "days" / day_file).rows:
            totals[row.building] = totals.get(row.building, 0) + row.parcels
        instances.append(compound_instance(f"{compound}/{day_file.removesuffix('.csv')}", site_graph, totals))
    return instances


def district_site(buildings: int, *, seed: int = 7) -> tuple[SiteGraph, dict[str, int]]:
    """A district-scale grid compound: lanes 45 m apart, slab buildings every 40 m on both sides."""
    per_side = 30 if buildings > 1500 else 20
    rows = -(-buildings // (2 * per_side))
    rng = random.Random(seed)
    d = Drawing(f"district-{buildings}", f"District {buildings}", 121.45, 31.22)
    d.gate(0, -20, "Gate")
    width = per_side / 2 * 40 + 20
    ys = [25 + 45 * k for k in range(rows)]
    d.lane("spine", [(0, -20), (0, ys[-1] + 20)])
    d.lane("west", [(-width, ys[0]), (-width, ys[-1])])
    d.lane("east", [(width, ys[0]), (width, ys[-1])])
    for k, y in enumerate(ys):
        d.lane(f"row-{k}", [(-width, y), (width, y)])
    parcels: dict[str, int] = {}
    number = 0
    for y in ys:
        for side in (1, -1):
            for j in range(per_side):
                if number == buildings:
                    break
                x = (j - per_side / 2) * 40 + (20 if j >= per_side / 2 else -20)
                near = y + side * 8
                box = (x - 14, min(near, near + side * 10), x + 14, max(near, near + side * 10))
                number += 1
                d.building({"id": str(number), "households": 18, "floors": 6}, box, (x, near))
                parcels[str(number)] = rng.randint(8, 29)
    return build_graph(parse_site(d.document())), parcels


def district_instance(buildings: int) -> CvrpInstance:
    site_graph, parcels = district_site(buildings)
    return compound_instance(f"district-{buildings}", site_graph, parcels)


def vrplib_instances(folder: Path = SHARED) -> list[CvrpInstance]:
    """CVRPLIB files (EUC_2D, distances rounded to the nearest integer as the X set defines)."""
    import vrplib

    instances = []
    for path in sorted(folder.glob("*.vrp")):
        data = vrplib.read_instance(path, compute_edge_weights=False)
        coords = np.asarray(data["node_coord"], dtype=float)
        travel = np.floor(
            np.hypot(*(coords[:, None, :] - coords[None, :, :]).transpose(2, 0, 1)) + 0.5
        ).astype(np.int64)
        demand = np.asarray(data["demand"], dtype=np.int64)
        best = None
        solution = path.with_suffix(".sol")
        if solution.exists():
            for line in solution.read_text().splitlines():
                if line.strip().lower().startswith("cost"):
                    best = int(float(line.split()[1]))
        instances.append(
            CvrpInstance(
                name=path.stem,
                travel=travel,
                demand=demand,
                service=np.zeros_like(demand),
                capacity=int(data["capacity"]),
                best_known=best,
            )
        )
    return instances


def renumbered(instance: CvrpInstance, seed: int) -> CvrpInstance:
    """The same instance with its customers in a random order (the depot stays node 0).

    A site file may list its buildings in any order; the fixtures list them lane by lane, and
    OneBell's search is not indifferent to that (docs/benchmarks.md), so the benchmark can ask for
    the order to be shuffled: customer k of the result is customer `order[k]` of the original.
    """
    order = np.arange(instance.customers + 1)
    order[1:] = 1 + np.random.default_rng(seed).permutation(instance.customers)
    return dataclasses.replace(
        instance,
        name=f"{instance.name} (renumbered {seed})",
        travel=instance.travel[np.ix_(order, order)],
        demand=instance.demand[order],
        service=instance.service[order],
    )
