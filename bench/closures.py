"""Lanes closed by a barricade: what a closure costs a day, and what listing the lanes costs a server.

The day: world-garden's 1,900 parcels (zones A, B, D and a sealed court). Each set of closed lanes
is planned once and checked by the independent checker, side by side in one run: nothing closed, a
lane with a way round it (A-7: closing it cuts off nothing), a lane that cuts off a few buildings
(B-4) and both. Then, per fixture site, the time `GET /sites/{site}/lanes` spends on what each lane
cuts off (`build_graph` + `cut_off_by_lane`), median of `--repeat`.

Run: python -m bench.closures [--time-limit 10] [--repeat 20]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from pathlib import Path

from optimizer.check import check_plan
from optimizer.day import load_day
from optimizer.graph import build_graph, cut_off_by_lane
from optimizer.operations import load_operations
from optimizer.planner import plan_day
from optimizer.site import Site, load_site

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
WORLD = FIXTURES / "world-garden"
CLOSURES: tuple[tuple[str, ...], ...] = ((), ("A-7",), ("B-4",), ("A-7", "B-4"))


def with_closed(site: Site, lanes: tuple[str, ...]) -> Site:
    """The site with these lanes closed (unknown ids are an error: a typo would measure nothing)."""
    unknown = set(lanes) - {lane.id for lane in site.lanes}
    if unknown:
        raise ValueError(f"no lane {sorted(unknown)[0]!r} at {site.id}")
    closed = tuple(dataclasses.replace(lane, closed=lane.id in lanes) for lane in site.lanes)
    return dataclasses.replace(site, lanes=closed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    site = load_site(WORLD / "site.geojson")
    day = load_day(WORLD / "days" / "2022-04-28-1900.csv")
    ops = load_operations(WORLD / "ops.json")
    print(f"world-garden, {day.parcels} parcels; time limit {args.time_limit} s")
    print(f"{'closed':<10}{'cut off':>8}{'delivered':>10}{'lane_closed':>12}{'trips':>7}{'crew-h':>8}  check")
    for lanes in CLOSURES:
        site_graph = build_graph(with_closed(site, lanes))
        cut_off = set().union(*(cut_off_by_lane(site_graph)[lane] for lane in lanes))
        document = plan_day(site_graph, day, ops, time_limit_s=args.time_limit).to_dict()
        violations = check_plan(site_graph, day, ops, document)
        closed_off = sum(u["parcels"] for u in document["undelivered"] if u["cause"] == "lane_closed")
        summary = document["summary"]
        print(
            f"{'+'.join(lanes) or 'none':<10}{len(cut_off):>8}{summary['delivered']:>10}{closed_off:>12}"
            f"{summary['trips']:>7}{summary['crew_s'] / 3600:>8.2f}  "
            f"{'valid' if not violations else f'{len(violations)} violations'}"
        )
    print(f"\nwhat each lane cuts off (GET /sites/{{site}}/lanes), median of {args.repeat}")
    print(f"{'site':<15}{'lanes':>6}{'buildings':>10}{'graph ms':>9}{'cut off ms':>11}")
    for path in sorted(FIXTURES.glob("*/site.geojson")):
        fixture = load_site(path)
        graph_s, cut_s = [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            site_graph = build_graph(fixture)
            built = time.perf_counter()
            cut_off_by_lane(site_graph)
            graph_s.append(built - started)
            cut_s.append(time.perf_counter() - built)
        print(
            f"{fixture.id:<15}{len(fixture.lanes):>6}{len(fixture.buildings):>10}"
            f"{statistics.median(graph_s) * 1000:>9.1f}{statistics.median(cut_s) * 1000:>11.1f}"
        )


if __name__ == "__main__":
    main()
