"""How far the plan's stop times held in the stairwells, read off when the trips came back.

A plan's clock rests on one guess above all: how long a crew waits at a building for the
household it notified to come down (`stop.wait_s`). The ride between buildings is short and the
vehicles' speeds are known; the wait is what the 2022 crews found slowest and least sure. The
sorter says when each trip was back at the gate (`TripReport.back_at`), so the day itself says
what the wait was.

A trip back late makes the crew's next trip leave late, so each trip is charged only with the
time it lost on its own: from when it could leave (its planned departure, or the crew's previous
trip back plus the reload) to when it was back, against the plan's time on the road. Spread over
the stops those trips made, that is what a stop took beyond the plan: the wait to set so that the
next plan holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from optimizer.clock import parse_clock
from optimizer.operations import Operations
from optimizer.returns import TripReport

MIN_TRIPS = 3
"""Fewer trips back with a time say more about one stairwell than about the wait."""
HOLDS_S = 10
"""A stop within this many seconds of the plan, either way: the wait holds (the sorter reads the
clock to the minute, and a trip makes several stops)."""
STEP_S = 5
"""A suggested wait is rounded to this."""


@dataclass(frozen=True)
class StopTimes:
    """What the day's timed trips say of the wait at a building."""

    trips: int
    """Trips back with a time, their stops known."""
    stops: int
    lost_s: int
    """Seconds those trips were on the road beyond their plan, each on its own (negative: less)."""
    wait_s: int
    """The wait the plan assumed."""

    @property
    def enough(self) -> bool:
        return self.trips >= MIN_TRIPS and self.stops > 0

    @property
    def per_stop_s(self) -> float | None:
        """Seconds a stop took beyond the plan; None until enough trips are back with a time."""
        return self.lost_s / self.stops if self.enough else None

    @property
    def suggested_wait_s(self) -> int | None:
        """The wait that would have made the trips' times hold; None while it holds or is not
        yet known."""
        per_stop = self.per_stop_s
        if per_stop is None or abs(per_stop) < HOLDS_S:
            return None
        return max(0, STEP_S * round((self.wait_s + per_stop) / STEP_S))


def stop_times(
    reports: Iterable[TripReport], *, wait_s: int, reload_s: int, leave_out: Collection[str] = ()
) -> StopTimes:
    """The time each reported trip lost on its own, summed with its stops (`wait_s` and
    `reload_s` as the plan had them), but for the crews in `leave_out`. A trip whose previous one
    (the crew's trip before it) was not reported with a time is taken to have left as planned."""
    by_crew: dict[str, list[TripReport]] = defaultdict(list)
    for report in reports:
        if report.crew not in leave_out:
            by_crew[report.crew].append(report)
    trips = stops = lost = 0
    for crew_reports in by_crew.values():
        previous: TripReport | None = None
        for report in sorted(crew_reports, key=lambda r: r.depart):
            back, planned = parse_clock(report.back_at), parse_clock(report.planned_return)
            depart = parse_clock(report.depart)
            if back is not None and planned is not None and depart is not None and report.stops:
                could_leave = depart
                previous_back = None if previous is None else parse_clock(previous.back_at)
                if previous is not None and previous.trip == report.trip - 1 and previous_back is not None:
                    could_leave = max(depart, previous_back + reload_s)
                lost += (back - could_leave) - (planned - depart)
                trips += 1
                stops += report.stops
            previous = report
    return StopTimes(trips=trips, stops=stops, lost_s=lost, wait_s=wait_s)


def door_crews(plan: Mapping[str, Any], operations: Operations) -> frozenset[str]:
    """The plan's designated pairs: their stops are door rounds in sealed buildings, where nobody
    is waited for downstairs, so their times say nothing of the wait."""
    pairs = {vehicle.id for vehicle in operations.fleet if vehicle.sealed_ok}
    return frozenset(
        crew["id"] for shift in plan.get("shifts", []) for crew in shift["crews"] if crew["vehicle"] in pairs
    )
