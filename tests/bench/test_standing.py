"""The standing benchmark's day: the fixture day with some waves arriving mid-day."""

from __future__ import annotations

from bench.standing import ARRIVALS, staggered_day
from optimizer.clock import parse_clock
from optimizer.day import load_day
from tests.helpers import FIXTURES


def test_every_fourth_row_arrives_mid_day_and_nothing_else_changes() -> None:
    original = load_day(FIXTURES / "gelin-spring" / "days" / "2022-04-28-2300.csv")
    staggered = staggered_day()
    assert [(r.building, r.parcels, r.shift, r.urgent) for r in staggered.rows] == [
        (r.building, r.parcels, r.shift, r.urgent) for r in original.rows
    ]
    arrivals = [r.arrived_s for r in staggered.rows]
    assert arrivals[:9] == [
        parse_clock("07:30"),
        None,
        None,
        None,
        parse_clock("09:10"),
        None,
        None,
        None,
        parse_clock("13:40"),
    ]
    assert {a for a in arrivals if a is not None} == {parse_clock(t) for t in ARRIVALS}
