"""The re-planning benchmark's day: late waves 90 minutes into their shift, the rest known."""

from __future__ import annotations

from bench.replan import GELIN, WAVE_AFTER_S, waves
from optimizer.day import load_day
from optimizer.operations import load_operations


def test_every_fifth_row_is_a_late_wave_and_each_stage_knows_what_came_in() -> None:
    day = load_day(GELIN / "days" / "2022-04-28-2300.csv")
    ops = load_operations(GELIN / "ops-more-riders.json")
    starts = {shift.id: shift.start_s for shift in ops.shifts}
    known, stages = waves(day, starts)
    late = [row for n, row in enumerate(day.rows) if n % 5 == 4]
    assert known.parcels == day.parcels - sum(row.parcels for row in late)
    assert [at for at, _ in stages] == sorted(start + WAVE_AFTER_S for start in starts.values())
    assert [stage.parcels for _, stage in stages] == sorted(stage.parcels for _, stage in stages)
    assert stages[-1][1].parcels == day.parcels
    for at, stage in stages:
        assert all(row.arrived_s is None or row.arrived_s <= at for row in stage.rows)
