"""What sending urgent parcels late delivers, when more are urgent than the crews can bring within
their window: planned with and without late stand-ins (`Visit.late_for`), side by side in one run,
each plan checked; and the seed's trip that brings the most urgent parcels in time, nearest first
against the short search that betters it (`seed.most_in_time`).

Run: python -m bench.late_urgent [--time-limit 10] [--runs 3]
The days: gelin-spring with every parcel urgent — 3 at each of its 125 buildings, and draws of
1, 2 or 5 at each — and one tricycle crew in the morning and one in the evening (ops-3x3 without
its afternoon riders), so the first hour holds one trip and the evening crew would stand idle;
and the 2,300-parcel day with 3 urgent at each building on top, which those crews cannot clear;
and the same day with a wave of 3 urgent parcels at every other building arriving at 14:30, with
one tricycle a shift and with more riders.
"""

from __future__ import annotations

import argparse
import random
import statistics
from collections.abc import Callable
from dataclasses import replace

from bench.fixture_days import fixture_day
from optimizer.check import check_plan
from optimizer.day import CountRow, Day
from optimizer.graph import SiteGraph
from optimizer.operations import Operations
from optimizer.plan import Plan
from optimizer.planner import plan_day
from optimizer.problem import build_day_model
from optimizer.seed import IN_TIME_S, most_in_time, nearest_neighbour_trip

FIXTURE_DAYS = [
    ("2022-04-20-2000.csv", "ops-3x3.json"),
    ("2022-04-28-2300.csv", "ops-3x3.json"),
    ("2022-04-28-2300.csv", "ops-more-riders.json"),
]
"""gelin-spring days with 19–22 urgent parcels: two the crews cannot clear, one they can."""


def urgent_day(buildings: list[str], draw: int | None) -> Day:
    """Every parcel urgent: 3 at each building, or (with `draw`) 1, 2 or 5 drawn for each."""
    rng = random.Random(draw)
    rows = []
    for line, building in enumerate(buildings, start=2):
        parcels = 3 if draw is None else rng.choice([1, 1, 1, 2, 5])
        rows.append(CountRow(building=building, parcels=parcels, shift="morning", urgent=parcels, line=line))
    return Day(date="2022-05-01", rows=tuple(rows))


def urgent_wave(buildings: list[str], shift: str, arrived_s: int) -> Day:
    """3 urgent parcels at each of `buildings`, reaching the gate at `arrived_s` for `shift`."""
    rows = [
        CountRow(building=b, parcels=3, shift=shift, urgent=3, line=line, arrived_s=arrived_s)
        for line, b in enumerate(buildings, start=2)
    ]
    return Day(date="2022-05-01", rows=tuple(rows))


def with_urgent(day: Day, urgent: Day) -> Day:
    """The day's own rows and then the urgent ones, numbered on as lines of one file."""
    after = len(day.rows) + 2
    return replace(day, rows=(*day.rows, *(replace(r, line=after + k) for k, r in enumerate(urgent.rows))))


def morning_and_evening(operations: Operations) -> Operations:
    shifts = tuple(replace(s, riders=0) if s.id == "afternoon" else s for s in operations.shifts)
    return replace(operations, shifts=shifts)


def _off_and_on(
    site: SiteGraph,
    day: Day,
    ops: Operations,
    args: argparse.Namespace,
    measure: Callable[[Plan], tuple[float, ...]],
) -> tuple[list[float], list[float], str]:
    """The day planned without and with late stand-ins, interleaved run by run so the machine's
    load hits both alike: the medians of `measure` for each, and whether every plan checked."""
    rows: dict[bool, list[tuple[float, ...]]] = {False: [], True: []}
    problems = 0
    for _ in range(args.runs):
        for late in (False, True):
            plan = plan_day(site, day, ops, time_limit_s=args.time_limit, late_urgent=late)
            problems += len(check_plan(site, day, ops, plan.to_dict()))
            rows[late].append(measure(plan))
    off, on = (
        [statistics.median(r[k] for r in rows[flag]) for k in range(len(rows[flag][0]))]
        for flag in (False, True)
    )
    return off, on, "valid" if not problems else f"{problems} violations"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    site_graph, _, ops = fixture_day("gelin-spring", "2022-04-08-600.csv", "ops-3x3.json")
    ops = morning_and_evening(ops)
    buildings = [b.id for b in site_graph.site.buildings]

    print("Plans (median of runs): urgent parcels in the first hour, late, left undelivered")
    print(
        f"{'day':<14}{'parcels':>8}{'in time off':>13}{'on':>6}{'late off':>10}{'on':>6}{'left off':>10}{'on':>6}  check"
    )
    for draw in (None, 0):
        day = urgent_day(buildings, draw)
        off, on, check = _off_and_on(
            site_graph,
            day,
            ops,
            args,
            lambda p: (p.delivered - p.late_urgent, p.late_urgent, sum(u.parcels for u in p.undelivered)),
        )
        name = "3 each" if draw is None else f"draw {draw}"
        print(
            f"{name:<14}{day.parcels:>8}{off[0]:>13.0f}{on[0]:>6.0f}{off[1]:>10.0f}{on[1]:>6.0f}"
            f"{off[2]:>10.0f}{on[2]:>6.0f}  {check}"
        )

    print()
    print("Fixture days, whose urgent parcels make their window: what the stand-ins cost the search")
    print(f"{'day':<22}{'roster':<22}{'delivered off':>14}{'on':>6}{'crew-h off':>11}{'on':>7}  check")
    for day_file, ops_file in FIXTURE_DAYS:
        site, day, roster = fixture_day("gelin-spring", day_file, ops_file)
        off, on, check = _off_and_on(site, day, roster, args, lambda p: (p.delivered, p.crew_s / 3600))
        print(
            f"{day_file:<22}{ops_file:<22}{off[0]:>14.0f}{on[0]:>6.0f}{off[1]:>11.2f}{on[1]:>7.2f}  {check}"
        )

    print()
    print("Urgent parcels, 3 at each building, on top of the 2,300-parcel day: more than the crews can clear")
    print(
        f"{'parcels':<9}{'urgent in time off':>19}{'on':>6}{'late off':>10}{'on':>6}{'left off':>10}{'on':>6}"
        f"{'own delivered off':>19}{'on':>6}  check"
    )
    site, own_day, roster = fixture_day("gelin-spring", "2022-04-28-2300.csv", "ops-3x3.json")
    mixed = with_urgent(own_day, urgent_day(buildings, None))
    urgent = sum(r.urgent for r in mixed.rows)

    def urgent_and_own(plan: Plan) -> tuple[float, ...]:
        sent = urgent - plan.urgent_left
        return (sent - plan.late_urgent, plan.late_urgent, plan.urgent_left, plan.delivered - sent)

    off, on, check = _off_and_on(site, mixed, morning_and_evening(roster), args, urgent_and_own)
    print(
        f"{mixed.parcels:<9}{off[0]:>19.0f}{on[0]:>6.0f}{off[1]:>10.0f}{on[1]:>6.0f}{off[2]:>10.0f}{on[2]:>6.0f}"
        f"{off[3]:>19.0f}{on[3]:>6.0f}  {check}"
    )

    print()
    print("A wave of 3 urgent parcels at every other building arriving 14:30, on the 2,300-parcel day")
    print(
        f"{'roster':<22}{'urgent':>7}{'in time off':>12}{'on':>6}{'late off':>10}{'on':>6}{'left off':>10}{'on':>6}"
        f"{'delivered off':>15}{'on':>6}  check"
    )
    for ops_file in ("ops-3x3.json", "ops-more-riders.json"):
        site, own_day, roster = fixture_day("gelin-spring", "2022-04-28-2300.csv", ops_file)
        waved = with_urgent(own_day, urgent_wave(buildings[::2], "afternoon", 14 * 3600 + 1800))
        waved_urgent = sum(r.urgent for r in waved.rows)

        def in_time_late_left(plan: Plan, urgent: int = waved_urgent) -> tuple[float, ...]:
            in_time = urgent - plan.urgent_left - plan.late_urgent
            return (in_time, plan.late_urgent, plan.urgent_left, plan.delivered)

        off, on, check = _off_and_on(site, waved, roster, args, in_time_late_left)
        print(
            f"{ops_file:<22}{waved_urgent:>7}{off[0]:>12.0f}{on[0]:>6.0f}{off[1]:>10.0f}{on[1]:>6.0f}{off[2]:>10.0f}"
            f"{on[2]:>6.0f}{off[3]:>15.0f}{on[3]:>6.0f}  {check}"
        )

    print()
    print(f"The first trip's urgent parcels in time: nearest first, and bettered by a {IN_TIME_S} s search")
    print(f"{'day':<14}{'nearest':>9}{'search':>8}")
    start = ops.shifts[0].start_s
    for draw in range(4):
        model = build_day_model(site_graph, urgent_day(buildings, draw), ops)
        waiting = {n for n in range(1, model.node_count) if model.visits[n].late_for is None}
        nearest, _ = nearest_neighbour_trip(model, 0, start, 0, waiting)
        best, _ = most_in_time(model, 0, start, 0, waiting)
        parcels = [sum(model.visits[n].parcels for n in trip) for trip in (nearest, best)]
        print(f"{f'draw {draw}':<14}{parcels[0]:>9}{parcels[1]:>8}")


if __name__ == "__main__":
    main()
