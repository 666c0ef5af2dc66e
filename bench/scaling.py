"""How the day planner scales: 125 -> 270 -> 1,000 -> 3,000 buildings.

For each size, in a fresh process: time to the first complete plan, time to within 1% of the final
crew time, the final plan's delivered parcels and crew-hours, whether the checker passes, and the
process's peak memory (RSS).

Run: python -m bench.scaling [--time-limit 60] [--sizes 125 270 1000 3000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from fixtures.generate import STOP

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _district_operations(buildings: int) -> dict[str, object]:
    crews = max(2, round(buildings / 70))  # about 70 buildings a tricycle crew a shift
    shifts = [("morning", "08:00", "11:30"), ("afternoon", "13:00", "16:30"), ("evening", "18:00", "21:00")]
    return {
        "shifts": [{"id": i, "start": a, "end": b, "riders": 2 * crews, "sorters": 2} for i, a, b in shifts],
        "fleet": [
            {"id": "tricycle", "mode": "tricycle", "count": crews, "capacity": 80, "crew": 2, "speed_kmh": 8}
        ],
        "stop": STOP,
        "gate": {"reload_s": 240},
    }


def measure(size: int, time_limit_s: float) -> dict[str, object]:
    from bench.instances import district_site
    from optimizer.check import check_plan
    from optimizer.day import CountRow, Day, load_day
    from optimizer.graph import build_graph
    from optimizer.operations import load_operations, parse_operations
    from optimizer.planner import PlanProgress, plan_day
    from optimizer.site import load_site

    started = time.monotonic()
    if size == 125:
        site_graph = build_graph(load_site(FIXTURES / "gelin-spring" / "site.geojson"))
        day = load_day(FIXTURES / "gelin-spring" / "days" / "2022-04-28-2300.csv")
        ops = load_operations(FIXTURES / "gelin-spring" / "ops-more-riders.json")
    elif size == 270:
        site_graph = build_graph(load_site(FIXTURES / "tongji-xincun" / "site.geojson"))
        day = load_day(FIXTURES / "tongji-xincun" / "days" / "2022-04-28-3400.csv")
        ops = load_operations(FIXTURES / "tongji-xincun" / "ops.json")
    else:
        site_graph, parcels = district_site(size)
        rows = tuple(CountRow(b, p, None, 0, n) for n, (b, p) in enumerate(parcels.items(), start=1))
        day = Day(date="2022-04-28", rows=rows)
        ops = parse_operations(_district_operations(size))
    loaded = time.monotonic() - started
    events: list[PlanProgress] = []
    planning = time.monotonic()
    plan = plan_day(site_graph, day, ops, time_limit_s=time_limit_s, on_progress=events.append)
    returned = time.monotonic() - planning
    document = plan.to_dict()
    violations = check_plan(site_graph, day, ops, document)
    final = document["summary"]["crew_s"]
    placed = document["summary"]["delivered"]
    first = events[0].elapsed_s if events else float("nan")
    close = next(
        (e.elapsed_s for e in events if e.parcels_placed >= placed and e.crew_s <= 1.01 * final), first
    )
    return {
        "buildings": len(site_graph.site.buildings),
        "parcels": day.parcels,
        "load_s": round(loaded, 1),
        "first_plan_s": round(first, 1),
        "within_1pct_s": round(close, 1),
        "returned_s": round(returned, 1),
        "delivered": placed,
        "crew_h": round(final / 3600, 1),
        "valid": not violations,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        # the whole-day search of a large day runs in a child process (routing.solve_vrp_stopped_at_limit)
        "child_rss_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--sizes", type=int, nargs="+", default=[125, 270, 1000, 3000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.time_limit)))
        return
    print(
        "| buildings | parcels | load s | first plan s | within 1% s | plan returned s | delivered | crew-h | valid "
        "| peak RSS MiB | search process's peak RSS MiB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for size in args.sizes:
        output = subprocess.run(
            [sys.executable, "-m", "bench.scaling", "--one", str(size), "--time-limit", str(args.time_limit)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        row = json.loads(output.strip().splitlines()[-1])
        print(
            f"| {row['buildings']:,} | {row['parcels']:,} | {row['load_s']} | {row['first_plan_s']} | {row['within_1pct_s']} "
            f"| {row['returned_s']} | {row['delivered']:,} | {row['crew_h']} | {row['valid']} | {row['peak_rss_mib']:,} | {row['child_rss_mib']:,} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
