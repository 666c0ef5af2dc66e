"""Tiny instances whose best plan is known by hand; every plan also passes the checker.

Three on a lane: gate at x=0, buildings B1..B3 at 100, 200, 300 m; the tricycle rides 2 m/s, so
100 m is 50 s. A stop under notify_one is 30 s bell + 60 s wait + 4 s a parcel; loading 240 s.
"""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from typing import Any

import pytest

from fixtures.generate import foot_path
from optimizer import planner, seed
from optimizer.check import check_plan
from optimizer.clock import parse_clock
from optimizer.planner import MAX_WAVES, plan_day, stage_times, wave_times
from optimizer.problem import VrpProblem
from optimizer.replan import frozen_part
from optimizer.routing import VrpSolution
from tests.helpers import assert_valid, day, graph_of, operations, three_on_a_lane

LIMIT_S = 1.0


def _stops(document: dict[str, Any]) -> list[tuple[str, str, int]]:
    return [
        (shift["id"], stop["building"], stop["parcels"])
        for shift in document["shifts"]
        for crew in shift["crews"]
        for trip in crew["trips"]
        for stop in trip["stops"]
    ]


def test_a_plan_whose_searches_all_run_out_of_time_still_carries_every_parcel_it_can(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A machine starved by other plans: no search finds anything in its share of the time. The
    # seed's trips are then cut from a nearest-neighbour tour, and the plan is the seed.
    def out_of_time(problem: VrpProblem, **_: Any) -> VrpSolution:
        return VrpSolution([[] for _ in problem.vehicles], None, "fail_timeout")

    monkeypatch.setattr(seed, "solve_vrp", out_of_time)
    monkeypatch.setattr(planner, "solve_vrp", out_of_time)
    site_graph, the_day = graph_of(three_on_a_lane()), day(("B1", 50), ("B2", 60), ("B3", 40, "afternoon"))
    ops = operations()
    document = assert_valid(
        site_graph, the_day, ops, plan_day(site_graph, the_day, ops, time_limit_s=LIMIT_S)
    )
    assert document["undelivered"] == [] and document["summary"]["delivered"] == 150
    assert document["solver"]["status"] == "fail_timeout"


def test_one_trip_serves_the_whole_lane() -> None:
    site_graph, the_day, ops = (
        graph_of(three_on_a_lane()),
        day(("B1", 10), ("B2", 10), ("B3", 10)),
        operations(),
    )
    document = assert_valid(
        site_graph, the_day, ops, plan_day(site_graph, the_day, ops, time_limit_s=LIMIT_S)
    )
    crews = document["shifts"][0]["crews"]
    assert len(crews) == 1 and len(crews[0]["trips"]) == 1
    trip = crews[0]["trips"][0]
    assert [s["building"] for s in trip["stops"]] in (["B1", "B2", "B3"], ["B3", "B2", "B1"])
    # 240 s loading + 600 m (300 s) + 3 stops of 130 s = 930 s, for 2 riders.
    assert (trip["load"], trip["depart"], trip["return"]) == ("08:00:00", "08:04:00", "08:15:30")
    assert document["summary"] == {
        "parcels": 30,
        "delivered": 30,
        "undelivered": 0,
        "late_urgent": 0,
        "trips": 1,
        "crews": 1,
        "crew_s": 1860,
    }


def test_a_building_bigger_than_the_load_is_split_across_trips() -> None:
    site_graph, the_day, ops = (
        graph_of(three_on_a_lane()),
        day(("B1", 10), ("B2", 10), ("B3", 100)),
        operations(),
    )
    document = assert_valid(
        site_graph, the_day, ops, plan_day(site_graph, the_day, ops, time_limit_s=LIMIT_S)
    )
    assert sorted(p for _, b, p in _stops(document) if b == "B3") == [20, 80]
    # Best: B3's 80 alone, then B1, B2 and B3's last 20. Rides 2 x 300 s, loading 2 x 240 s,
    # stops 410 + 130 + 130 + 170 s = 1,920 s of crew time for 2 riders.
    assert document["summary"]["trips"] == 2
    assert document["summary"]["crew_s"] == 2 * 1920


def test_an_over_full_day_delivers_what_fits_and_says_why_not_the_rest() -> None:
    ops = operations(shifts=[{"id": "morning", "start": "08:00", "end": "08:12", "riders": 2}])
    site_graph, the_day = graph_of(three_on_a_lane()), day(("B1", 10), ("B2", 10), ("B3", 10))
    document = assert_valid(
        site_graph, the_day, ops, plan_day(site_graph, the_day, ops, time_limit_s=LIMIT_S)
    )
    # 720 s: B1 + B2 takes 700 s; any trip that reaches B3 takes 800 s or more.
    assert sorted(b for _, b, _ in _stops(document)) == ["B1", "B2"]
    assert document["summary"]["delivered"] == 20
    [left] = document["undelivered"]
    assert (left["building"], left["parcels"], left["shift"], left["cause"]) == (
        "B3",
        10,
        "morning",
        "shift_capacity",
    )
    assert left["reason"] == (
        "building B3 (B3): 10 parcels from the morning shift did not fit in the crews' time; "
        "one more tricycle crew in the morning shift carries about 20 parcels "
        "(2 more riders and a tricycle beyond the 1 out already)"
    )
    assert left["reason_zh"] == (
        "B3 上午班的 10 件在各组的时间里送不完；上午班再加一组三轮车（2 名骑手和第 2 辆三轮车）大约能多送 20 件"
    )
    # a group of one building reads as its entry
    [group] = document["undelivered_groups"]
    assert group == {
        "shift": "morning",
        "cause": "shift_capacity",
        "parcels": 10,
        "urgent": 0,
        "buildings": ["B3"],
        "reason": left["reason"],
        "reason_zh": left["reason_zh"],
    }
    # A second tricycle standing at the gate: riders are all one more crew needs.
    spare = operations(
        shifts=[{"id": "morning", "start": "08:00", "end": "08:12", "riders": 2}],
        fleet=[{**dataclasses.asdict(ops.fleet[0]), "count": 2}],
    )
    spare_plan = plan_day(site_graph, the_day, spare, time_limit_s=LIMIT_S)
    [left] = assert_valid(site_graph, the_day, spare, spare_plan)["undelivered"]
    assert left["reason"].endswith("carries about 20 parcels (2 more riders)")
    assert left["reason_zh"].endswith("再加一组三轮车（2 名骑手）大约能多送 20 件")
    # An e-bike's crew is one rider, said as one.
    ebikes = operations(
        shifts=[{"id": "morning", "start": "08:00", "end": "08:12", "riders": 1}],
        fleet=[{"id": "ebike", "mode": "ebike", "count": 2, "capacity": 20, "crew": 1, "speed_kmh": 7.2}],
    )
    ebike_plan = plan_day(site_graph, the_day, ebikes, time_limit_s=LIMIT_S)
    lefts = assert_valid(site_graph, the_day, ebikes, ebike_plan)["undelivered"]
    assert lefts and lefts[-1]["reason"].endswith("(1 more rider)"), lefts


def test_buildings_left_for_the_same_reason_are_said_once_in_the_order_their_numbers_go() -> None:
    """A short day leaves a hundred buildings for one reason: the coordinator reads it as one line
    per shift and reason, not a hundred, with the buildings (2 before 12) under it."""
    ops = operations(
        shifts=[
            {"id": "morning", "start": "08:00", "end": "08:09", "riders": 2},
            {"id": "afternoon", "start": "13:00", "end": "13:09", "riders": 2},
        ]
    )
    site_graph = graph_of(
        three_on_a_lane({"B2": {"id": "12", "name": "12号楼"}, "B3": {"id": "2", "name": "2号楼"}})
    )
    the_day = day(("B1", 10, "morning"), ("12", 10, "morning"), ("2", 10, "morning"), ("12", 4, "afternoon"))
    document = assert_valid(
        site_graph, the_day, ops, plan_day(site_graph, the_day, ops, time_limit_s=LIMIT_S)
    )
    entries = {(item["shift"], item["building"]): item for item in document["undelivered"]}
    groups = document["undelivered_groups"]
    assert [(g["shift"], g["cause"], g["buildings"], g["parcels"]) for g in groups] == [
        ("morning", "shift_capacity", ["2", "12"], 20),
        ("afternoon", "shift_capacity", ["12"], 4),
    ]
    assert [i["building"] for i in document["undelivered"] if i["shift"] == "morning"] == ["2", "12"]
    morning, afternoon = groups
    assert morning["reason"] == (
        "20 parcels from the morning shift at 2 buildings did not fit in the crews' time; one more "
        "tricycle crew in the morning shift carries about 10 parcels (2 more riders and a tricycle "
        "beyond the 1 out already)"
    )
    assert morning["reason_zh"] == (
        "2 栋楼上午班的 20 件在各组的时间里送不完；上午班再加一组三轮车（2 名骑手和第 2 辆三轮车）大约能多送 10 件"
    )
    # each building's own line is the group's sentence with the building named
    assert entries["morning", "12"]["reason"] == morning["reason"].replace(
        "20 parcels from the morning shift at 2 buildings",
        "building 12 (12号楼): 10 parcels from the morning shift",
    )
    assert afternoon["reason"] == entries["afternoon", "12"]["reason"]


def test_parcels_wait_for_their_arrival_shift_and_go_out_in_it() -> None:
    site_graph, ops = graph_of(three_on_a_lane()), operations()
    the_day = day(
        ("B1", 10, "morning"), ("B2", 10, "afternoon"), ("B3", 5, "morning"), ("B3", 5, "afternoon")
    )
    document = assert_valid(
        site_graph, the_day, ops, plan_day(site_graph, the_day, ops, time_limit_s=LIMIT_S)
    )
    assert sorted(_stops(document)) == [
        ("afternoon", "B2", 10),
        ("afternoon", "B3", 5),
        ("morning", "B1", 10),
        ("morning", "B3", 5),
    ]


def test_ring_each_costs_a_bell_per_receiving_household() -> None:
    site_graph, the_day = graph_of(three_on_a_lane()), day(("B1", 10), ("B2", 10), ("B3", 10))
    ops = operations().with_policy("ring_each")
    document = assert_valid(
        site_graph, the_day, ops, plan_day(site_graph, the_day, ops, time_limit_s=LIMIT_S)
    )
    # 10 parcels among 10 households reach k = ceil(10 (1 - 0.9^10)) = 7 of them: 7 bells, not 1.
    assert document["policy"] == "ring_each"
    assert document["summary"]["crew_s"] == 2 * (930 + 3 * 6 * 30)


def test_a_broken_doorbell_lengthens_its_stop() -> None:
    site_graph = graph_of(three_on_a_lane({"B2": {"doorbell": "broken"}}))
    the_day, ops = day(("B1", 10), ("B2", 10), ("B3", 10)), operations()
    document = assert_valid(
        site_graph, the_day, ops, plan_day(site_graph, the_day, ops, time_limit_s=LIMIT_S)
    )
    assert document["summary"]["crew_s"] == 2 * (930 + 60)


def test_a_foot_path_building_goes_to_the_hand_cart() -> None:
    site_graph = graph_of(foot_path())
    ops = operations(
        shifts=[{"id": "morning", "start": "08:00", "end": "10:00", "riders": 3}],
        fleet=[
            {"id": "tricycle", "mode": "tricycle", "count": 1, "capacity": 80, "crew": 2, "speed_kmh": 7.2},
            {"id": "cart", "mode": "cart", "count": 1, "capacity": 20, "crew": 1, "speed_kmh": 3.6},
        ],
    )
    the_day = day(("B1", 30), ("B3", 30), ("P1", 6))
    document = assert_valid(
        site_graph, the_day, ops, plan_day(site_graph, the_day, ops, time_limit_s=LIMIT_S)
    )
    by_vehicle = {
        (crew["vehicle"], stop["building"])
        for crew in document["shifts"][0]["crews"]
        for trip in crew["trips"]
        for stop in trip["stops"]
    }
    assert ("cart", "P1") in by_vehicle
    assert ("tricycle", "P1") not in by_vehicle
    assert document["summary"]["delivered"] == 66


def test_crews_are_limited_by_the_riders_on_the_roster() -> None:
    ops = operations(
        shifts=[{"id": "morning", "start": "08:00", "end": "10:00", "riders": 3}],
        fleet=[
            {"id": "tricycle", "mode": "tricycle", "count": 2, "capacity": 80, "crew": 2, "speed_kmh": 7.2}
        ],
    )
    site_graph, the_day = graph_of(three_on_a_lane()), day(("B1", 80), ("B2", 80), ("B3", 80))
    document = assert_valid(
        site_graph, the_day, ops, plan_day(site_graph, the_day, ops, time_limit_s=LIMIT_S)
    )
    assert len(document["shifts"][0]["crews"]) == 1  # 3 riders field one crew of 2
    assert document["summary"]["trips"] == 3


def test_an_empty_day_is_an_empty_plan() -> None:
    site_graph, ops = graph_of(three_on_a_lane()), operations()
    the_day = day(("B1", 0))
    document = assert_valid(
        site_graph, the_day, ops, plan_day(site_graph, the_day, ops, time_limit_s=LIMIT_S)
    )
    assert document["summary"]["trips"] == 0 and document["undelivered"] == []


def test_progress_is_reported_while_searching() -> None:
    site_graph, the_day, ops = (
        graph_of(three_on_a_lane()),
        day(("B1", 10), ("B2", 10), ("B3", 10)),
        operations(),
    )
    seen = []
    plan_day(site_graph, the_day, ops, time_limit_s=LIMIT_S, on_progress=seen.append)
    assert seen, "no progress reported"
    assert all(p.parcels_placed <= 30 and p.crew_s > 0 for p in seen)
    assert [p.elapsed_s for p in seen] == sorted(p.elapsed_s for p in seen)


def test_a_day_with_a_wave_mid_shift_is_also_planned_wave_by_wave() -> None:
    site_graph, ops = graph_of(three_on_a_lane()), operations()
    # B3's second lot comes in at 09:00 (a wave); the afternoon's at 12:00, before its shift: known.
    the_day = day(("B1", 10), ("B3", 10, "morning", 0, "09:00"), ("B2", 10, "afternoon", 0, "12:00"))
    assert wave_times(the_day, ops, None) == [parse_clock("09:00")]
    seen: list[Any] = []
    plan = plan_day(site_graph, the_day, ops, time_limit_s=2 * LIMIT_S, on_progress=seen.append)
    document = assert_valid(site_graph, the_day, ops, plan)
    assert document["summary"]["delivered"] == 30
    solver = document["solver"]
    assert {"whole_day_delivered", "wave_by_wave_delivered"} & set(solver) and solver["time_limit_s"] == 2.0
    assert "replanned_at" not in document
    assert not any(t.get("kept") for s in document["shifts"] for c in s["crews"] for t in c["trips"])
    [b3] = [stop for _, stop in _stops_with_load(document) if stop[0] == "B3"]
    assert b3[1] >= "09:00:00"  # loaded once it came in
    assert [p.elapsed_s for p in seen] == sorted(p.elapsed_s for p in seen)  # one clock for both plans

    # Re-planning at 08:30 keeps only the trips that had left by then as kept, whichever plan wins.
    frozen = frozen_part(
        document, site_id=site_graph.site.id, date=None, operations=ops, now_s=parse_clock("08:30") or 0
    )
    assert wave_times(the_day, ops, frozen) == [parse_clock("09:00")]
    again = plan_day(site_graph, the_day, ops, time_limit_s=2 * LIMIT_S, frozen=frozen).to_dict()
    assert check_plan(site_graph, the_day, ops, again, frozen=frozen) == []
    kept = [t for s in again["shifts"] for c in s["crews"] for t in c["trips"] if t.get("kept")]
    assert (
        len(kept) == sum(len(trips) for trips in frozen.trips.values())
        and again["replanned_at"] == "08:30:00"
    )
    assert wave_times(the_day, ops, replace(frozen, now_s=parse_clock("09:30") or 0)) == []


def test_a_day_of_two_shifts_is_also_planned_shift_by_shift() -> None:
    site_graph, ops = graph_of(three_on_a_lane()), operations()
    afternoon = parse_clock("14:00")
    the_day = day(("B1", 10), ("B3", 10, "morning", 0, "09:00"), ("B2", 10, "afternoon"))
    # the afternoon's parcels are a stage at its start, besides the morning's wave
    assert wave_times(the_day, ops, None) == [parse_clock("09:00")]
    assert stage_times(the_day, ops, None) == [parse_clock("09:00"), afternoon]
    # no stage for a shift without parcels of its own, nor for one begun before a re-plan's now,
    # nor for later shifts where the time limit would leave each stage too short a search
    assert stage_times(day(("B1", 10), ("B2", 10)), ops, None) == []
    assert stage_times(the_day, ops, None, time_limit_s=2.0) == [parse_clock("09:00")]
    assert stage_times(the_day, ops, None, time_limit_s=4.0) == [parse_clock("09:00"), afternoon]
    two_shifts = day(("B1", 10), ("B3", 10), ("B2", 10, "afternoon"))  # no wave mid-shift
    plan = plan_day(site_graph, two_shifts, ops, time_limit_s=3.0)
    document = assert_valid(site_graph, two_shifts, ops, plan)
    assert document["summary"]["delivered"] == 30
    assert {"whole_day_delivered", "wave_by_wave_delivered"} & set(document["solver"])
    assert not {"whole_day_delivered", "wave_by_wave_delivered"} & set(
        plan_day(site_graph, two_shifts, ops, time_limit_s=2.0).solver
    )  # too short a limit for a stage a shift
    frozen = frozen_part(
        document, site_id=site_graph.site.id, date=None, operations=ops, now_s=afternoon - 60
    )
    assert stage_times(the_day, ops, frozen) == [afternoon]
    assert stage_times(the_day, ops, replace(frozen, now_s=afternoon)) == []


def _stops_with_load(document: dict[str, Any]) -> list[tuple[str, tuple[str, str]]]:
    return [
        (shift["id"], (stop["building"], trip["load"]))
        for shift in document["shifts"]
        for crew in shift["crews"]
        for trip in crew["trips"]
        for stop in trip["stops"]
    ]


def test_arrivals_close_together_are_one_wave_and_the_waves_are_few() -> None:
    ops = operations()
    at = [parse_clock(t) for t in ("09:00", "09:50", "10:30")]
    rows = [("B1", 5, "morning", 0, t) for t in ("09:00", "09:10", "09:50", "10:30")]
    assert wave_times(day(*rows), ops, None) == at
    scattered = [("B2", 1, "morning", 0, f"{8 + k // 2:02d}:{30 * (k % 2):02d}") for k in range(2, 16)]
    assert len(wave_times(day(*scattered), ops, None)) <= MAX_WAVES
