"""Re-planning during the day: what planning each late wave around the trips already on the road
costs, against a plan that knew every wave from the start.

The day: gelin-spring 2,300 with four riders a shift (ops-more-riders). Every fifth count row is a
late wave that reaches the gate 90 minutes into its shift (09:30, 14:30, 19:30); the rest is known
before the day starts. The coordinator plans at the start, then re-plans at each wave's arrival,
keeping every trip that has left (`plan_day(frozen=...)`, as `onebell plan --frozen --now` and the
API's `replan` do). Hindsight: one plan of the whole day, the waves' arrival times known. Every
plan is checked by the independent checker (the re-plans also against the trips they kept).

Run: python -m bench.replan [--time-limit 10]
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path
from typing import Any

from optimizer.check import check_plan
from optimizer.clock import format_clock
from optimizer.day import Day, load_day
from optimizer.graph import build_graph
from optimizer.operations import load_operations
from optimizer.planner import plan_day
from optimizer.replan import frozen_part
from optimizer.site import load_site

GELIN = Path(__file__).resolve().parent.parent / "fixtures" / "gelin-spring"
WAVE_AFTER_S = 90 * 60


def waves(day: Day, shift_start_s: dict[str, int]) -> tuple[Day, list[tuple[int, Day]]]:
    """The day known at the start, and for each wave (in time order) its time and the day known
    once it has come in."""
    rows = [
        dataclasses.replace(
            row, arrived_s=shift_start_s[row.shift or next(iter(shift_start_s))] + WAVE_AFTER_S
        )
        if n % 5 == 4
        else row
        for n, row in enumerate(day.rows)
    ]
    times = sorted({row.arrived_s for row in rows if row.arrived_s is not None})
    stages = [
        (at, Day(date=day.date, rows=tuple(r for r in rows if r.arrived_s is None or r.arrived_s <= at)))
        for at in times
    ]
    return Day(date=day.date, rows=tuple(r for r in rows if r.arrived_s is None)), stages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=10.0)
    args = parser.parse_args()
    site_graph = build_graph(load_site(GELIN / "site.geojson"))
    ops = load_operations(GELIN / "ops-more-riders.json")
    day = load_day(GELIN / "days" / "2022-04-28-2300.csv")
    known, stages = waves(day, {shift.id: shift.start_s for shift in ops.shifts})
    whole = stages[-1][1]
    print(
        f"{whole.parcels} parcels, {whole.parcels - known.parcels} of them in late waves at "
        f"{', '.join(format_clock(at)[:5] for at, _ in stages)}; time limit {args.time_limit} s"
    )
    print(f"{'plan':<26}{'kept trips':>11}{'delivered':>10}{'trips':>7}{'crew-h':>8}{'solve s':>9}  check")

    def report(name: str, document: dict[str, Any], kept: int, elapsed: float, violations: list[str]) -> None:
        summary = document["summary"]
        print(
            f"{name:<26}{kept:>11}{summary['delivered']:>10}{summary['trips']:>7}{summary['crew_s'] / 3600:>8.2f}"
            f"{elapsed:>9.1f}  {'valid' if not violations else f'{len(violations)} violations'}"
        )

    started = time.monotonic()
    document = plan_day(site_graph, known, ops, time_limit_s=args.time_limit).to_dict()
    report(
        "at the start", document, 0, time.monotonic() - started, check_plan(site_graph, known, ops, document)
    )
    for at, counts in stages:
        frozen = frozen_part(document, site_id=site_graph.site.id, date=day.date, operations=ops, now_s=at)
        started = time.monotonic()
        document = plan_day(site_graph, counts, ops, time_limit_s=args.time_limit, frozen=frozen).to_dict()
        elapsed = time.monotonic() - started
        kept = sum(len(trips) for trips in frozen.trips.values())
        violations = check_plan(site_graph, counts, ops, document, frozen=frozen)
        report(f"re-planned at {format_clock(at)[:5]}", document, kept, elapsed, violations)
    replanned = document["summary"]["crew_s"]

    started = time.monotonic()
    hindsight = plan_day(site_graph, whole, ops, time_limit_s=args.time_limit).to_dict()
    report(
        "hindsight (waves known)",
        hindsight,
        0,
        time.monotonic() - started,
        check_plan(site_graph, whole, ops, hindsight),
    )
    print(f"crew time, re-planned over hindsight: {replanned / hindsight['summary']['crew_s']:.3f}")


if __name__ == "__main__":
    main()
