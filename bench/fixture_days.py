"""Plan every fixture day and print solve time, parcels delivered and crew-hours, checked.

Run: python -m bench.fixture_days [--time-limit 10]
Numbers vary with the machine; compare rows from one run, not across machines.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from optimizer.check import check_plan
from optimizer.day import Day, load_day
from optimizer.graph import SiteGraph, build_graph
from optimizer.operations import Operations, load_operations
from optimizer.planner import plan_day
from optimizer.site import load_site

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
DAYS = [
    ("gelin-spring", "2022-04-08-600.csv", "ops-3x3.json", None),
    ("gelin-spring", "2022-04-20-2000.csv", "ops-3x3.json", "ring_each"),
    ("gelin-spring", "2022-04-20-2000.csv", "ops-3x3.json", None),
    ("gelin-spring", "2022-04-28-2300.csv", "ops-3x3.json", None),
    ("gelin-spring", "2022-04-28-2300.csv", "ops-more-riders.json", None),
    ("tongji-xincun", "2022-04-28-3400.csv", "ops.json", None),
    ("world-garden", "2022-04-28-1900.csv", "ops.json", None),
]


def fixture_day(
    compound: str, day_file: str, ops_file: str, policy: str | None = None
) -> tuple[SiteGraph, Day, Operations]:
    """A fixture compound's graph, one of its days and a roster (with the stop policy if given)."""
    site_graph = build_graph(load_site(FIXTURES / compound / "site.geojson"))
    day = load_day(FIXTURES / compound / "days" / day_file)
    return site_graph, day, load_operations(FIXTURES / compound / ops_file).with_policy(policy)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=10.0)
    args = parser.parse_args()
    print(
        f"{'compound':<14}{'day':<22}{'roster':<22}{'policy':<11}{'solve s':>8}{'delivered':>12}{'on time':>9}{'trips':>6}{'crew-h':>8}  check"
    )
    for compound, day_file, ops_file, policy in DAYS:
        site_graph, day, ops = fixture_day(compound, day_file, ops_file, policy)
        started = time.monotonic()
        plan = plan_day(site_graph, day, ops, time_limit_s=args.time_limit)
        elapsed = time.monotonic() - started
        document = plan.to_dict()
        violations = check_plan(site_graph, day, ops, document)
        on_time = _on_time(document, [s.id for s in ops.shifts], day)
        summary = document["summary"]
        print(
            f"{compound:<14}{day_file:<22}{ops_file:<22}{ops.stop.policy:<11}{elapsed:>8.1f}"
            f"{summary['delivered']:>7}/{summary['parcels']:<5}{on_time:>8.0%}{summary['trips']:>6}"
            f"{summary['crew_s'] / 3600:>8.2f}  {'valid' if not violations else f'{len(violations)} violations'}"
        )


def _on_time(document: dict, shift_ids: list[str], day) -> float:
    """Share of the day's parcels delivered in the shift they arrived for (buildings' totals)."""
    arrived: dict[tuple[str, str], int] = {}
    for row in day.rows:
        key = (row.building, row.shift or shift_ids[0])
        arrived[key] = arrived.get(key, 0) + row.parcels
    delivered: dict[tuple[str, str], int] = {}
    for shift in document["shifts"]:
        for crew in shift["crews"]:
            for trip in crew["trips"]:
                for stop in trip["stops"]:
                    key = (stop["building"], shift["id"])
                    delivered[key] = delivered.get(key, 0) + stop["parcels"]
    total = sum(arrived.values()) or 1
    return sum(min(count, delivered.get(key, 0)) for key, count in arrived.items()) / total


if __name__ == "__main__":
    main()
