"""How many volunteers tomorrow? The fewest riders per shift that deliver every parcel in the
shift it arrives for, found by planning each shift with more and more crews.

Riders are added one at a time, as far as the fleet has places for them; each count that fields
other crews than one rider fewer (`problem.shift_crews`) is planned with them. (Adding a vehicle's
crew at a time in the order of parcels per rider skipped counts: with two tricycles and an e-bike it
tried 1, 3 and 5 riders, never the two tricycles of 4.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from optimizer.clock import format_clock
from optimizer.day import Day, check_day
from optimizer.graph import SiteGraph
from optimizer.operations import Operations
from optimizer.planner import plan_day
from optimizer.problem import shift_crews


@dataclass(frozen=True)
class StaffingRow:
    policy: str
    shift: str
    parcels: int
    riders: int
    vehicles: dict[str, int]
    delivered: int
    finish: str | None
    crew_hours: float
    clears: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def staffing(
    site_graph: SiteGraph,
    day: Day,
    operations: Operations,
    *,
    policies: Sequence[str],
    time_limit_s: float = 3.0,
) -> list[StaffingRow]:
    check_day(day, site_graph.site, operations)  # a row of a shift it lacks would fall in none
    rows = []
    for policy in policies:
        ops = operations.with_policy(policy)
        for number, shift in enumerate(ops.shifts):
            arriving = Day(
                date=day.date,
                rows=tuple(r for r in day.rows if r.shift == shift.id or (r.shift is None and number == 0)),
            )
            rows.append(_fewest_riders(site_graph, arriving, ops, number, policy, time_limit_s))
    return rows


def _fewest_riders(
    site_graph: SiteGraph, day: Day, operations: Operations, number: int, policy: str, time_limit_s: float
) -> StaffingRow:
    shift = operations.shifts[number]
    if day.parcels == 0:
        return StaffingRow(policy, shift.id, 0, 0, {}, 0, None, 0.0, True)
    row = StaffingRow(policy, shift.id, day.parcels, 0, {}, 0, None, 0.0, False)  # no vehicle runs in it
    fielded_before: dict[str, int] = {}
    for riders in range(1, sum(v.count_in(shift.id) * v.crew for v in operations.fleet) + 1):
        alone = replace(operations, shifts=(replace(shift, riders=riders),))
        [fielded] = shift_crews(alone)
        if fielded.crews == fielded_before:  # the same crews as one rider fewer: nothing to try
            continue
        fielded_before = fielded.crews
        plan = plan_day(site_graph, day, alone, time_limit_s=time_limit_s)
        crews = [crew for s in plan.shifts for crew in s.crews]
        row = StaffingRow(
            policy=policy,
            shift=shift.id,
            parcels=day.parcels,
            riders=riders,
            vehicles=dict(Counter(crew.vehicle for crew in crews)),
            delivered=plan.delivered,
            finish=max((format_clock(crew.finish_s) for crew in crews), default=None),
            crew_hours=round(plan.crew_s / 3600, 2),
            clears=plan.delivered == day.parcels,
        )
        if row.clears:
            return row
    return row
