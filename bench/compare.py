"""OneBell against PyVRP and VROOM on the same instances, one solver after another.

Each solver gets the same travel matrix, demands, service times and capacity, and the same time
limit (VROOM as its timeout; it may finish sooner). Objectives are recomputed by one evaluator.
Prints, per instance and time limit, each solver's median objective over the runs, its ratio to the
best of the row, and to the best-known solution where there is one. The solvers of a row take
turns run by run, so a change in the machine's speed falls on all of them.

Run: python -m bench.compare --set fixtures --time-limits 5 10 --runs 3
     python -m bench.compare --set x --time-limits 60 --runs 1
     python -m bench.compare --folder ../shared/instances --time-limits 60
     python -m bench.compare --set fixtures --time-limits 5 --renumber 1   # customers shuffled
Peers come with the optional extra: pip install -e ".[bench]"
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from bench.instances import district_instance, fixture_instances, renumbered, vrplib_instances
from bench.peers import solve_pyvrp, solve_vroom
from optimizer.cvrp import CvrpInstance, solve_cvrp


def _onebell(instance: CvrpInstance, limit: float, run: int) -> tuple[int, float]:
    started = time.monotonic()
    return solve_cvrp(instance, time_limit_s=limit).cost, time.monotonic() - started


SOLVERS: dict[str, Callable[[CvrpInstance, float, int], tuple[int, float]]] = {
    "onebell": _onebell,
    "pyvrp": lambda instance, limit, run: solve_pyvrp(instance, time_limit_s=limit, seed=run),
    "vroom": lambda instance, limit, run: solve_vroom(instance, time_limit_s=limit),
}


SINGLE_RUN = {"vroom"}
"""Solvers whose runs all give the same result (VROOM has no seed): run once."""


def run_in_turns(
    instance: CvrpInstance, limit: float, solvers: list[str], runs: int
) -> dict[str, list[tuple[int, float]]]:
    """Each solver's (objective, wall seconds) per run, the solvers taking turns: first run of each,
    then the second of each, and so on. The shared machine's speed drifts over minutes (the same
    OneBell code gave one day's medians 0.5% apart within an hour), and a drift then falls on every
    solver of a row alike instead of on whichever ran last."""
    results: dict[str, list[tuple[int, float]]] = {solver: [] for solver in solvers}
    for run in range(runs):
        for solver in solvers:
            if run == 0 or solver not in SINGLE_RUN:
                results[solver].append(SOLVERS[solver](instance, limit, run))
    return results


def _instances(args: argparse.Namespace) -> list[CvrpInstance]:
    chosen: list[CvrpInstance] = []
    if args.set in ("fixtures", "all"):
        chosen += fixture_instances()
    if args.set in ("district", "all"):
        chosen += [district_instance(n) for n in (1000, 3000)]
    if args.set in ("x", "all"):
        chosen += vrplib_instances()
    if args.folder:
        chosen += vrplib_instances(Path(args.folder))
    if args.renumber is not None:
        chosen = [renumbered(instance, args.renumber) for instance in chosen]
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--set", choices=("fixtures", "district", "x", "all", "none"), default="fixtures")
    parser.add_argument(
        "--folder", help="also every .vrp file in this folder (.sol beside it for the best known)"
    )
    parser.add_argument("--time-limits", type=float, nargs="+", default=[5.0, 10.0])
    parser.add_argument("--runs", type=int, default=3, help="runs per solver; the median is reported")
    parser.add_argument(
        "--renumber", type=int, metavar="SEED", help="shuffle every instance's customers with this seed"
    )
    parser.add_argument("--solvers", nargs="+", default=list(SOLVERS), choices=list(SOLVERS))
    args = parser.parse_args()
    print(
        "| instance | customers | solver | limit s | objective (median) | runs | wall s | / best of row | / best known |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for instance in _instances(args):
        for limit in args.time_limits:
            row: dict[str, tuple[float, list[int], float]] = {}
            for solver, results in run_in_turns(instance, limit, args.solvers, args.runs).items():
                costs = [cost for cost, _ in results]
                row[solver] = (statistics.median(costs), costs, max(wall for _, wall in results))
            best = min(median for median, _, _ in row.values())
            for solver, (median, costs, wall) in row.items():
                known = f"{median / instance.best_known:.4f}" if instance.best_known else "—"
                print(
                    f"| {instance.name} | {instance.customers} | {solver} | {limit:g} | {median:,.0f} | "
                    f"{' '.join(f'{c:,}' for c in costs)} | {wall:.1f} | {median / best:.4f} | {known} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
