"""Random days on the fixture compounds, planned briefly and every plan held to the checker.

The hand-made tests each show one rule; a day that mixes them (a sealed building and a closed
lane, waves standing at the gate, urgent parcels with no crew in their shift, a sheet whose rows
are in no particular order, a re-plan at any time of the day) is where rules meet, and where a
re-plan once delivered a building's one morning parcel four times. Each seed draws a site change,
a roster and a day; the planner plans it, the checker (`optimizer.check`, written apart from
the planner) must find nothing wrong, and a re-plan at a random time — with a later wave added —
must keep the trips on the road and pass the same check; and the plan in use, carried on at that
time with the day's own counts (what a re-plan is held to at least), must deliver what it did.

    python -m tests.random_days --seeds 0 200 --time-limit 1 [--save failing/]

prints one line a seed and exits 1 when any plan broke a rule; `--save` writes each failing
seed's site, roster and counts, to plan again with `onebell plan`.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from optimizer.check import check_plan
from optimizer.clock import format_clock
from optimizer.day import Day, parse_day_csv, with_building_ids
from optimizer.errors import OneBellError
from optimizer.graph import SiteGraph, build_graph
from optimizer.operations import Operations, parse_operations
from optimizer.planner import plan_day, plan_in_use_carried_on
from optimizer.replan import frozen_part
from optimizer.site import parse_site

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
COMPOUNDS = ("gelin-spring", "world-garden")
DATE = "2022-04-28"
SHIFT_HOURS = ((8.0, 11.5), (13.0, 16.5), (18.0, 21.5))


@cache
def _site_document(compound: str) -> str:
    return (FIXTURES / compound / "site.geojson").read_text()


@dataclass(frozen=True)
class Case:
    seed: int
    compound: str
    site: dict[str, Any]
    operations: dict[str, Any]
    counts: str  # the day's sheet, CSV
    replan_at_s: int | None  # a re-plan at this time, with `later` added to the counts
    later: str  # CSV rows (no header) of a wave that came after the first plan


def random_case(seed: int, *, most_parcels: int = 60) -> Case:
    """One random day; `most_parcels` bounds a count row (the tests keep days small)."""
    rng = random.Random(seed)
    compound = rng.choice(COMPOUNDS)
    site = json.loads(_site_document(compound))
    features = site["features"]

    def of(kind: str) -> list[dict[str, Any]]:
        return [f["properties"] for f in features if f["properties"].get("kind") == kind]

    buildings, lanes, zones = of("building"), of("lane"), of("zone")
    for building in rng.sample(buildings, rng.choice([0, 0, 1, 2, 3])):
        building["sealed"] = True
    for zone in zones:
        zone["sealed"] = rng.random() < 0.3
    for lane in rng.sample(lanes, rng.choice([0, 0, 0, 1])):
        lane["closed"] = True

    hours = SHIFT_HOURS[: rng.choice([1, 2, 3])]
    shifts = [
        {
            "id": f"s{n}",
            "start": format_clock(int(start * 3600))[:5],
            "end": format_clock(int(end * 3600))[:5],
            "riders": rng.choice([0, 1, 2, 2, 3, 4, 6]),
            "sorters": 1,
        }
        for n, (start, end) in enumerate(hours)
    ]
    fleet: list[dict[str, Any]] = [
        {
            "id": "tricycle",
            "mode": "tricycle",
            "capacity": 80,
            "crew": 2,
            "speed_kmh": 8,
            "count": rng.choice([0, 1, 2]),
        }
    ]
    if rng.random() < 0.5:
        fleet.append(
            {
                "id": "ebike",
                "mode": "ebike",
                "capacity": 20,
                "crew": 1,
                "speed_kmh": 12,
                "count": rng.choice([1, 2]),
            }
        )
    if rng.random() < 0.4:
        fleet.append({"id": "cart", "mode": "cart", "capacity": 20, "crew": 1, "speed_kmh": 4, "count": 1})
    if rng.random() < 0.6:
        pair: dict[str, Any] = {
            "id": "pair",
            "mode": "foot",
            "capacity": 20,
            "crew": 2,
            "speed_kmh": 4,
            "count": 1,
            "sealed_ok": True,
        }
        if len(shifts) > 1 and rng.random() < 0.4:
            pair["shifts"] = [rng.choice(shifts)["id"]]
        # drawn apart, so that each seed's day stays as it was before pairs could be kept so
        if random.Random(f"sealed_only {seed}").random() < 0.4:
            pair["sealed_only"] = True
        fleet.append(pair)
    stand_min = rng.choice([0, 0, 30])
    operations = {
        "shifts": shifts,
        "fleet": fleet,
        "gate": {"reload_s": 240, "sort_s_per_parcel": rng.choice([0, 0, 4]), "stand_min": stand_min},
        "stop": {"policy": rng.choice(["notify_one", "notify_one", "ring_each"])},
        "balance_min": rng.choice([30, None, 10]),
        "urgent_within_min": rng.choice([60, 30, 120]),
    }

    def row(building: str, earliest: int = 0) -> str:
        shift = rng.randrange(earliest, len(hours))
        parcels = rng.choice([0, 1, 3, 8, 15, 30, most_parcels])
        urgent = rng.choice([0, 0, 0, min(parcels, 1), min(parcels, 3)])
        arrived = held = back = ""
        start, end = hours[shift]
        during = format_clock(int(3600 * (start + rng.random() * (end - start))))[:5]
        if stand_min and rng.random() < 0.3:
            arrived = during
        elif rng.random() < 0.1:
            held, shift = "2022-04-27", 0
        elif rng.random() < 0.1:
            back = during
        return f"{building},{parcels},s{shift},{urgent},{arrived},{held},{back}"

    ids = [b["id"] for b in buildings]
    rows = [
        row(b) for b in rng.sample(ids, rng.randint(1, len(ids) // 2)) for _ in range(rng.choice([1, 1, 2]))
    ]
    rng.shuffle(rows)  # a sheet's rows come in any order
    replan_at_s = None
    later = ""
    if rng.random() < 0.6:
        replan_at_s = rng.randint(int(hours[0][0] * 3600), int(hours[-1][1] * 3600))
        shift_now = next((n for n, (_, end) in enumerate(hours) if end * 3600 > replan_at_s), len(hours) - 1)
        later = "".join(row(b, shift_now) + "\n" for b in rng.sample(ids, rng.randint(0, 5)))
    header = "building,parcels,shift,urgent,arrived,held_from,back_at\n"
    return Case(seed, compound, site, operations, header + "\n".join(rows) + "\n", replan_at_s, later)


def problems(case: Case, *, time_limit_s: float) -> tuple[str, list[str]]:
    """What the seed's day came to (one line) and every rule its plans broke."""
    try:
        site_graph = build_graph(parse_site(copy.deepcopy(case.site)))
        operations = parse_operations(case.operations)
        day = with_building_ids(parse_day_csv(case.counts, date=DATE), site_graph.site)
        plan = json.loads(
            json.dumps(plan_day(site_graph, day, operations, time_limit_s=time_limit_s).to_dict())
        )
    except OneBellError as refused:  # a day the input checks refuse (no vehicle reaches a building…)
        return f"refused: {refused}", []
    broken = check_plan(site_graph, day, operations, plan)
    summary = plan["summary"]
    said = f"{case.compound}: {summary['delivered']} of {summary['parcels']} delivered"
    if case.replan_at_s is not None and not broken:
        replanned, more = _replan(case, site_graph, operations, plan, day, time_limit_s)
        said += f"; re-planned at {format_clock(case.replan_at_s)[:5]}: {replanned}"
        broken += more
    return said, broken


def _replan(
    case: Case,
    site_graph: SiteGraph,
    operations: Operations,
    plan: dict[str, Any],
    first_day: Day,
    time_limit_s: float,
) -> tuple[str, list[str]]:
    """The re-plan with the later wave, checked; and the plan in use carried on with the day's own
    counts, which must deliver what the plan in use does (what a re-plan is held to)."""
    assert case.replan_at_s is not None
    day = with_building_ids(parse_day_csv(case.counts + case.later, date=DATE), site_graph.site)
    try:
        frozen = frozen_part(
            plan, site_id=site_graph.site.id, date=DATE, operations=operations, now_s=case.replan_at_s
        )
        same = plan_in_use_carried_on(site_graph, first_day, operations, frozen)
        replanned = plan_day(site_graph, day, operations, time_limit_s=time_limit_s, frozen=frozen)
    except OneBellError as refused:
        return f"refused: {refused}", []
    document = json.loads(json.dumps(replanned.to_dict()))
    broken = [f"re-plan: {v}" for v in check_plan(site_graph, day, operations, document, frozen=frozen)]
    carried = (
        sum(t.parcels for trips in frozen.trips.values() for t in trips) if same is None else same.delivered
    )
    if carried != plan["summary"]["delivered"]:
        broken.append(
            f"the plan in use carried on with the same counts delivers {carried}, the plan {plan['summary']['delivered']}"
        )
    summary = document["summary"]
    return f"{summary['delivered']} of {summary['parcels']} delivered", broken


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs=2, default=(0, 50), metavar=("FIRST", "END"))
    parser.add_argument("--time-limit", type=float, default=1.0)
    parser.add_argument("--most-parcels", type=int, default=100, help="the largest count row")
    parser.add_argument("--save", type=Path, help="a folder for the failing seeds' files")
    args = parser.parse_args(argv)
    failed = 0
    for seed in range(*args.seeds):
        case = random_case(seed, most_parcels=args.most_parcels)
        said, broken = problems(case, time_limit_s=args.time_limit)
        print(f"{seed}: {said}" + "".join(f"\n    {v}" for v in broken[:10]), flush=True)
        if broken:
            failed += 1
            if args.save:
                _save(case, args.save / f"seed-{seed}")
    print(f"{failed} of {args.seeds[1] - args.seeds[0]} seeds broke a rule")
    return 1 if failed else 0


def _save(case: Case, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "site.geojson").write_text(json.dumps(case.site, ensure_ascii=False))
    (folder / "ops.json").write_text(json.dumps(case.operations, indent=1))
    (folder / f"{DATE}.csv").write_text(case.counts)
    (folder / f"{DATE}-later.csv").write_text(case.counts + case.later)


if __name__ == "__main__":
    sys.exit(main())
