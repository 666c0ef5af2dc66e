"""A day planned on a machine busy with other work: what a short plan still delivers.

A district's server plans many compounds at once, and a coordinator's plan shares the cores with
them. Each search gets a share of the time limit; on a starved machine a share can run out before
OR-Tools finds anything, and a plan must then fall back on what it has (docs/model.md, "The
seed") rather than deliver nothing.

Plans gelin-spring's 2,300-parcel day with one tricycle a shift (ops-3x3) at a short limit, in
turn alone and beside `--busy` processes that only spin, and prints per run the parcels
delivered, then each setting's median and the ratio of the medians (busy / alone). Every plan
passes the checker.

Run: python -m bench.busy_machine [--time-limit 1] [--runs 5] [--busy 16]
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
from collections.abc import Iterator
from contextlib import contextmanager

from bench.fixture_days import fixture_day
from optimizer.check import check_plan
from optimizer.planner import plan_day


def _spin() -> None:
    while True:
        pass


@contextmanager
def _busy(processes: int) -> Iterator[None]:
    """`processes` busy loops for as long as the block runs."""
    spinners = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(processes)]
    for spinner in spinners:
        spinner.start()
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--busy", type=int, default=16)
    args = parser.parse_args()
    site_graph, day, ops = fixture_day("gelin-spring", "2022-04-28-2300.csv", "ops-3x3.json")
    delivered: dict[int, list[int]] = {0: [], args.busy: []}
    print(f"{'run':>4}{'busy':>6}{'delivered':>11}{'of':>6}")
    for run in range(1, args.runs + 1):
        for busy in delivered:  # in turn, so both settings see the same drift of the machine
            with _busy(busy):
                plan = plan_day(site_graph, day, ops, time_limit_s=args.time_limit)
            document = plan.to_dict()
            violations = check_plan(site_graph, day, ops, document)
            if violations:
                raise SystemExit(f"run {run}, busy {busy}: {violations[0]}")
            delivered[busy].append(document["summary"]["delivered"])
            print(f"{run:>4}{busy:>6}{delivered[busy][-1]:>11}{day.parcels:>6}")
    alone, beside = (statistics.median(delivered[k]) for k in delivered)
    print(f"median alone {alone:g}, beside {args.busy} busy processes {beside:g}, ratio {beside / alone:.3f}")


if __name__ == "__main__":
    main()
