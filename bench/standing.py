"""Parcels standing at the gate: what a day delivers when some of its waves come in mid-shift and
stand before they may be loaded.

The day: gelin-spring 2,300 with four crews (ops-more-riders); every fourth count row is given an
arrival time, in turn 07:30, 09:10, 13:40 and 18:20 (the rest arrived before their shift). Each
standing time is planned once and checked by the independent checker.

Run: python -m bench.standing [--time-limit 10] [--stand 0 30 60 120]
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

from optimizer.check import check_plan
from optimizer.clock import parse_clock
from optimizer.day import Day, load_day
from optimizer.graph import build_graph
from optimizer.operations import load_operations
from optimizer.planner import plan_day
from optimizer.site import load_site

GELIN = Path(__file__).resolve().parent.parent / "fixtures" / "gelin-spring"
ARRIVALS = ("07:30", "09:10", "13:40", "18:20")


def staggered_day() -> Day:
    """The 2,300-parcel day with every fourth row arriving at one of `ARRIVALS`, in turn."""
    day = load_day(GELIN / "days" / "2022-04-28-2300.csv")
    rows = []
    for number, row in enumerate(day.rows):
        arrived = None if number % 4 else parse_clock(ARRIVALS[(number // 4) % len(ARRIVALS)])
        rows.append(dataclasses.replace(row, arrived_s=arrived))
    return Day(date=day.date, rows=tuple(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--stand", type=int, nargs="+", default=[0, 30, 60, 120], help="minutes")
    args = parser.parse_args()
    site_graph = build_graph(load_site(GELIN / "site.geojson"))
    base = load_operations(GELIN / "ops-more-riders.json")
    day = staggered_day()
    late = sum(row.parcels for row in day.rows if row.arrived_s is not None)
    print(f"{day.parcels} parcels, {late} of them arriving mid-day; time limit {args.time_limit} s")
    print(
        f"{'stand min':>9}  {'planner':<14}{'delivered':>10}{'standing':>10}{'capacity':>10}{'trips':>7}"
        f"{'crew-h':>8}{'solve s':>9}  check"
    )
    for minutes in args.stand:
        ops = dataclasses.replace(base, gate=dataclasses.replace(base.gate, stand_min=minutes))
        # side by side: as shipped, and the whole-day search alone (no planning wave by wave)
        for name, wave_by_wave in (("as shipped", True), ("whole day only", False)):
            started = time.monotonic()
            document = plan_day(
                site_graph, day, ops, time_limit_s=args.time_limit, wave_by_wave=wave_by_wave
            ).to_dict()
            elapsed = time.monotonic() - started
            violations = check_plan(site_graph, day, ops, document)
            causes: dict[str, int] = {}
            for item in document["undelivered"]:
                causes[item["cause"]] = causes.get(item["cause"], 0) + item["parcels"]
            summary = document["summary"]
            print(
                f"{minutes:>9}  {name:<14}{summary['delivered']:>10}{causes.get('standing', 0):>10}"
                f"{causes.get('shift_capacity', 0):>10}{summary['trips']:>7}{summary['crew_s'] / 3600:>8.2f}"
                f"{elapsed:>9.1f}  {'valid' if not violations else f'{len(violations)} violations'}"
            )


if __name__ == "__main__":
    main()
