"""Days the crews cannot clear: how many parcels go out, side by side.

Run: python -m bench.overloaded [--time-limit 10] [--runs 3]

1. gelin-spring's 600, 2,000 and 2,300-parcel days with one tricycle a shift (ops-3x3), planned
   with the seed as it was (`overload_seed=False`: left-over trips carried into the next shift as
   they were cut, longest first) and as it is (left-over parcels cut again with the next shift's,
   most parcels per minute first when the crews cannot take every trip), runs interleaved; and
   the same for the fixture days their crews clear, which should not change.
2. The next day: the 600-parcel day's counts (dated 2022-04-29) plus what the 2,300-parcel plan
   left undelivered, held over (`held_from`, they go first) and the same rows as the day's own.
Every plan is checked by `optimizer.check`. Compare rows of one run, not across machines.
"""

from __future__ import annotations

import argparse
import statistics
from dataclasses import replace

from bench.fixture_days import fixture_day
from optimizer.check import check_plan
from optimizer.day import Day
from optimizer.graph import SiteGraph
from optimizer.held_over import with_held_over
from optimizer.operations import Operations
from optimizer.plan import Plan
from optimizer.planner import plan_day

DAYS = [
    ("gelin-spring", "2022-04-08-600.csv", "ops-3x3.json"),
    ("gelin-spring", "2022-04-20-2000.csv", "ops-3x3.json"),
    ("gelin-spring", "2022-04-28-2300.csv", "ops-3x3.json"),
    ("gelin-spring", "2022-04-28-2300.csv", "ops-more-riders.json"),
    ("tongji-xincun", "2022-04-28-3400.csv", "ops.json"),
    ("world-garden", "2022-04-28-1900.csv", "ops.json"),
]
LEFT_OVER_FROM = 2
"""The day whose first 'as now' plan's undelivered parcels are held over: 2,300 with ops-3x3."""
NEXT_DAY = "2022-04-29"


def _planned(
    site_graph: SiteGraph, day: Day, ops: Operations, limit: float, *, overload_seed: bool = True
) -> Plan:
    plan = plan_day(site_graph, day, ops, time_limit_s=limit, overload_seed=overload_seed)
    violations = check_plan(site_graph, day, ops, plan.to_dict())
    if violations:
        raise AssertionError(f"{day.date}: {len(violations)} violations, first: {violations[0]}")
    return plan


def _held_delivered(plan: Plan, day: Day) -> int:
    held = sum(row.parcels for row in day.rows if row.held_from)
    return held - sum(item.parcels for item in plan.undelivered if item.held_from)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'day':<46}{'seed / rows':<18}{'delivered (median)':>19}  {'runs':<20}{'crew-h':>7}  held over out"
    )
    left_over: Plan | None = None
    for number, (compound, day_file, ops_file) in enumerate(DAYS):
        site_graph, day, ops = fixture_day(compound, day_file, ops_file)
        results: dict[str, list[Plan]] = {"as before": [], "as now": []}
        for _ in range(args.runs):
            for name, overload_seed in (("as before", False), ("as now", True)):
                results[name].append(
                    _planned(site_graph, day, ops, args.time_limit, overload_seed=overload_seed)
                )
        for name, plans in results.items():
            _row(f"{compound} {day_file[:-4]} {ops_file[:-5]}", name, plans)
        if number == LEFT_OVER_FROM:
            left_over = results["as now"][0]
    assert left_over is not None
    site_graph, own, ops = fixture_day("gelin-spring", "2022-04-08-600.csv", "ops-3x3.json")
    own = replace(own, date=NEXT_DAY)
    held_day = with_held_over(own, left_over.to_dict())
    plain_day = replace(held_day, rows=tuple(replace(row, held_from=None) for row in held_day.rows))
    variants = {"held over": held_day, "as the day's own": plain_day}
    next_results: dict[str, list[Plan]] = {name: [] for name in variants}
    for _ in range(args.runs):
        for name, the_day in variants.items():
            next_results[name].append(_planned(site_graph, the_day, ops, args.time_limit))
    label = f"gelin-spring {NEXT_DAY} 600 + {held_day.parcels - own.parcels} left"
    for name, plans in next_results.items():
        held = [_held_delivered(plan, held_day) for plan in plans] if name == "held over" else None
        _row(label, name, plans, held)


def _row(day: str, name: str, plans: list[Plan], held: list[int] | None = None) -> None:
    delivered = [plan.delivered for plan in plans]
    crew_h = statistics.median(plan.crew_s for plan in plans) / 3600
    held_out = "—" if held is None else f"{statistics.median(held):.0f}"
    print(
        f"{day:<46}{name:<18}{statistics.median(delivered):>8.0f}/{plans[0].parcels:<10}  "
        f"{' '.join(map(str, delivered)):<20}{crew_h:>7.2f}  {held_out}"
    )


if __name__ == "__main__":
    main()
