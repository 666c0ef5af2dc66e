"""What the trips' times back say of the wait at a building: each trip charged with what it lost
on its own, spread over its stops."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from optimizer.cli import main
from optimizer.graph import build_graph
from optimizer.operations import load_operations
from optimizer.planner import plan_day
from optimizer.returns import ReportError, TripReport, read_returned_csv, trip_report
from optimizer.site import load_site
from optimizer.trip_times import MIN_TRIPS, door_crews, stop_times
from tests.helpers import (
    FIXTURES,
    assert_valid,
    day,
    fleet_entry,
    graph_of,
    operations,
    slower_stops,
    three_on_a_lane,
)

RELOAD_S = 240


def _report(
    crew: str, trip: int, depart: str, planned: str, back: str | None, stops: int | None
) -> TripReport:
    return TripReport(
        shift="morning",
        crew=crew,
        trip=trip,
        depart=f"{depart}:00",
        parcels=40,
        planned_return=f"{planned}:00",
        back_at=None if back is None else f"{back}:00",
        stops=stops,
    )


def test_a_late_trip_is_not_charged_again_to_the_trip_it_made_leave_late() -> None:
    reports = [
        _report("morning-1", 1, "08:04", "08:40", "08:50", 10),  # 10 min lost over 10 stops
        # left at 08:54 (back 08:50 + the reload), not 08:44: 46 min out for a 36 min plan
        _report("morning-1", 2, "08:44", "09:20", "09:40", 10),
        _report("morning-2", 1, "08:04", "08:30", "08:35", 5),
    ]
    times = stop_times(reports, wait_s=60, reload_s=RELOAD_S)
    assert (times.trips, times.stops, times.lost_s) == (3, 25, 25 * 60)
    assert times.per_stop_s == 60 and times.suggested_wait_s == 120

    # Trip 2 of morning-1 alone after an unreported trip 1: taken to have left as planned.
    alone = stop_times(reports[1:], wait_s=60, reload_s=RELOAD_S)
    assert alone.lost_s == (20 + 5) * 60 and alone.trips == 2
    assert alone.per_stop_s is None and alone.suggested_wait_s is None  # fewer than MIN_TRIPS
    assert MIN_TRIPS == 3


def test_trips_without_a_time_or_their_stops_say_nothing_and_small_differences_hold() -> None:
    untimed = [
        _report("morning-1", 1, "08:04", "08:40", None, 10),
        _report("morning-1", 2, "08:44", "09:20", "09:30", None),  # a report made before stops were kept
        _report("morning-2", 1, "08:04", "08:30", "08:35", 5),
    ]
    assert stop_times(untimed, wait_s=60, reload_s=RELOAD_S).trips == 1
    # Back a few seconds a stop early or late: the wait holds.
    close = [_report("morning-1", n, "08:00", "08:30", "08:31", 10) for n in (1, 3, 5)]
    assert stop_times(close, wait_s=60, reload_s=RELOAD_S).per_stop_s == 6
    assert stop_times(close, wait_s=60, reload_s=RELOAD_S).suggested_wait_s is None
    # Back early: a shorter wait, never below nothing.
    early = [_report("morning-1", n, "08:00", "08:30", "08:20", 5) for n in (1, 3, 5)]
    assert stop_times(early, wait_s=60, reload_s=RELOAD_S).suggested_wait_s == 0
    assert stop_times(early, wait_s=180, reload_s=RELOAD_S).suggested_wait_s == 60


def test_a_day_whose_stairwells_took_longer_gives_back_the_wait_they_took() -> None:
    """A real plan's trips, each stop 40 s longer than planned and each trip leaving once the one
    before was back: the wait read off the times back is the plan's plus 40 s."""
    ops = operations()
    site_graph = graph_of(three_on_a_lane())
    the_day = day(("B1", 70), ("B2", 70), ("B3", 70))
    plan = assert_valid(site_graph, the_day, ops, plan_day(site_graph, the_day, ops, time_limit_s=1.0))
    reports = [
        trip_report(plan, crew, number, [], back_at=back)
        for crew, number, back in slower_stops(plan, 40, ops.gate.reload_s)
    ]
    assert len(reports) >= MIN_TRIPS
    assert all(r.stops == len(_trip(plan, r)["stops"]) for r in reports)
    times = stop_times(reports, wait_s=ops.stop.wait_s, reload_s=ops.gate.reload_s)
    assert times.per_stop_s == 40 and times.suggested_wait_s == ops.stop.wait_s + 40


def _trip(plan: dict[str, Any], report: TripReport) -> dict[str, Any]:
    [crew] = [c for s in plan["shifts"] for c in s["crews"] if c["id"] == report.crew]
    return crew["trips"][report.trip - 1]  # type: ignore[no-any-return]


def test_the_designated_pairs_door_rounds_say_nothing_of_the_wait() -> None:
    ops = operations(fleet=[fleet_entry("tricycle"), fleet_entry("pair")])
    plan = {
        "shifts": [
            {
                "id": "morning",
                "crews": [{"id": "morning-1", "vehicle": "tricycle"}, {"id": "morning-2", "vehicle": "pair"}],
            }
        ]
    }
    assert door_crews(plan, ops) == {"morning-2"}
    reports = [_report("morning-1", n, "08:00", "08:30", "08:40", 10) for n in (1, 3, 5)]
    reports += [_report("morning-2", n, "08:00", "08:30", "09:30", 2) for n in (1, 3, 5)]  # stairs, doors
    times = stop_times(reports, wait_s=60, reload_s=RELOAD_S, leave_out=door_crews(plan, ops))
    assert (times.trips, times.per_stop_s, times.suggested_wait_s) == (3, 60, 120)


def test_the_wait_is_read_off_a_sheet_of_times_back_without_the_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`onebell stop-times`: the load list's "back at" column typed into the sheet of what came
    back — a trip's time on any of its rows, or on a row of its own when nothing came back."""
    ops_path = FIXTURES / "gelin-spring" / "ops-more-riders.json"
    ops = load_operations(ops_path)
    site_graph = build_graph(load_site(FIXTURES / "gelin-spring" / "site.geojson"))
    the_day = day(*((str(b), 20) for b in range(1, 13)))
    plan = assert_valid(site_graph, the_day, ops, plan_day(site_graph, the_day, ops, time_limit_s=1.0))
    backs = slower_stops(plan, 40, ops.gate.reload_s)
    [(crew, number, at), *rest] = backs
    building = _trip(plan, _report(crew, number, "08:00", "08:00", None, None))["stops"][0]["building"]
    lines = [f"{crew},{number},{building},2,no_answer,{at[:5]}:{at[6:]}"]  # HH:MM:SS written out
    lines += [f"{c},{n},,,,{a}" for c, n, a in rest]
    sheet = tmp_path / "back.csv"
    sheet.write_text(
        "crew,trip,building,parcels,reason,back_at\n" + "\n".join(lines) + "\n", encoding="utf-8"
    )
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    args = ["stop-times", str(tmp_path / "plan.json"), "--returned", str(sheet), "--ops", str(ops_path)]
    assert main(args) == 0
    said = capsys.readouterr().out
    stops = sum(len(t["stops"]) for s in plan["shifts"] for c in s["crews"] for t in c["trips"])
    assert f"by the times {len(backs)} trips were back ({stops} stops), each building took 40 s more" in said
    assert f"set stop.wait_s to {ops.stop.wait_s + 40} (now {ops.stop.wait_s})" in said

    reports = read_returned_csv(sheet.read_text(encoding="utf-8"), plan, source="back.csv")
    assert [(r.crew, r.trip, r.returned_parcels, r.back_at) for r in reports] == [
        (c, n, 2 if (c, n) == (crew, number) else 0, a) for c, n, a in backs
    ]
    # Two times for one trip, or a time before the trip left: the line is named, nothing read.
    twice = f"crew,trip,building,parcels,back_at\n{crew},{number},,,{at}\n{crew},{number},,,23:59\n"
    with pytest.raises(ReportError, match=r"back.csv: line 3: trip .* was back at .* not 23:59"):
        read_returned_csv(twice, plan, source="back.csv")
    early = f"crew,trip,building,parcels,back_at\n{crew},{number},,,00:10\n"
    with pytest.raises(ReportError, match=r"back.csv: line 2: back_at: .* cannot be back at '00:10'"):
        read_returned_csv(early, plan, source="back.csv")
