"""What serving a building once per shift saves: every fixture day planned with and without the
merge pass (`optimizer/stop_merge.py`), side by side in one run, each plan checked.

Run: python -m bench.split_stops [--time-limit 10] [--runs 3]
Prints, per day, the median parcels delivered, crew-hours and stops at a building the same shift
already reached ("second stops"), without and with the pass, the ratio of crew-hours (separate
runs: the search's own spread is in it), and "saved": the median share of crew time the pass took
off the very plan it was given (`solver.merge_saved_crew_s`, no spread).
"""

from __future__ import annotations

import argparse
import statistics
from collections import Counter
from typing import Any

from bench.fixture_days import DAYS, fixture_day
from optimizer.check import check_plan
from optimizer.planner import plan_day


def second_stops(document: dict[str, Any]) -> int:
    """Stops at a building that an earlier stop of the same shift already reached."""
    total = 0
    for shift in document["shifts"]:
        reached = Counter(
            stop["building"] for crew in shift["crews"] for trip in crew["trips"] for stop in trip["stops"]
        )
        total += sum(count - 1 for count in reached.values())
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'compound':<14}{'day':<22}{'roster':<22}{'policy':<11}"
        f"{'delivered off':>14}{'on':>6}{'crew-h off':>11}{'on':>7}{'ratio':>7}{'2nd stops off':>15}{'on':>5}{'saved':>7}  check"
    )
    for compound, day_file, ops_file, policy in DAYS:
        site_graph, day, ops = fixture_day(compound, day_file, ops_file, policy)
        results: dict[bool, list[tuple[float, int, int]]] = {False: [], True: []}
        saved: list[float] = []  # the pass's own saving on the plan it was given, from the same run
        problems = 0
        for _ in range(args.runs):
            for merge in (False, True):  # interleaved: the machine's load hits both alike
                document = plan_day(
                    site_graph, day, ops, time_limit_s=args.time_limit, merge_stops=merge
                ).to_dict()
                problems += len(check_plan(site_graph, day, ops, document))
                summary = document["summary"]
                results[merge].append(
                    (summary["crew_s"] / 3600, summary["delivered"], second_stops(document))
                )
                if merge:
                    before = summary["crew_s"] + document["solver"].get("merge_saved_crew_s", 0)
                    saved.append(1 - summary["crew_s"] / before)
        off = [statistics.median(values) for values in zip(*results[False], strict=True)]
        on = [statistics.median(values) for values in zip(*results[True], strict=True)]
        print(
            f"{compound:<14}{day_file:<22}{ops_file:<22}{ops.stop.policy:<11}"
            f"{off[1]:>14.0f}{on[1]:>6.0f}{off[0]:>11.2f}{on[0]:>7.2f}{on[0] / off[0]:>7.3f}{off[2]:>15.0f}{on[2]:>5.0f}{statistics.median(saved):>7.1%}  "
            f"{'valid' if not problems else f'{problems} violations'}"
        )


if __name__ == "__main__":
    main()
