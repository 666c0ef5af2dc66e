"""Re-planning around trips already on the road, and the staffing what-if."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import replace
from typing import Any

import pytest

from fixtures.generate import three_on_a_lane
from optimizer import planner
from optimizer.check import check_plan
from optimizer.clock import format_clock, parse_clock
from optimizer.day import CountRow, Day
from optimizer.errors import DayError, PlanError
from optimizer.graph import build_graph
from optimizer.plan_summary import shown_width
from optimizer.planner import plan_day
from optimizer.problem import shift_crews
from optimizer.replan import frozen_part, parse_now, remaining_day
from optimizer.routing import VrpSolution
from optimizer.site import parse_site
from optimizer.staffing import MAX_ADDED_VEHICLES, StaffingRow, staffing, table_lines
from tests.helpers import assert_valid, day, feature_properties, fleet_entry, graph_of, operations

SITE = graph_of(three_on_a_lane())
SMALL = {"id": "tricycle", "mode": "tricycle", "count": 1, "capacity": 20, "crew": 2, "speed_kmh": 7.2}


def _first_plan() -> tuple[Any, dict[str, Any]]:
    ops = operations(fleet=[SMALL])
    the_day = day(("B1", 10), ("B2", 10), ("B3", 10))
    return ops, assert_valid(SITE, the_day, ops, plan_day(SITE, the_day, ops, time_limit_s=1.0))


def test_trips_on_the_road_stay_and_the_rest_is_replanned() -> None:
    ops, first = _first_plan()
    trips = first["shifts"][0]["crews"][0]["trips"]
    assert len(trips) == 2
    frozen = frozen_part(
        first, site_id=SITE.site.id, date="2022-04-28", operations=ops, now_s=parse_now("08:05", ops)
    )
    more = day(("B1", 10), ("B2", 15), ("B3", 10))
    replanned = plan_day(SITE, more, ops, time_limit_s=1.0, frozen=frozen).to_dict()
    document = json.loads(json.dumps(replanned))
    assert check_plan(SITE, more, ops, document, frozen=frozen) == []
    kept = document["shifts"][0]["crews"][0]["trips"][0]
    assert kept == {"kept": True, **trips[0]}
    assert document["replanned_at"] == "08:05:00" and "replanned_at" not in first
    assert not any(t.get("kept") for s in document["shifts"] for c in s["crews"] for t in c["trips"][1:])
    assert document["summary"]["delivered"] == 35
    later = [t for s in document["shifts"] for c in s["crews"] for t in c["trips"]][1:]
    assert all(t["load"] >= trips[0]["return"] for t in later if t["load"] < "12:00")

    tampered = copy.deepcopy(document)
    tampered["shifts"][0]["crews"][0]["trips"][0]["depart"] = "08:04:30"
    assert any("had departed by 08:05:00" in v for v in check_plan(SITE, more, ops, tampered, frozen=frozen))


def test_a_replan_keeps_each_shifts_parcels_in_their_shift_whatever_order_the_sheet_lists_them() -> None:
    # The afternoon's row above the morning's: a kept morning trip's parcels came off the
    # afternoon's row, and the morning's were planned (and delivered) a second time.
    ops = operations(fleet=[SMALL])
    the_day = day(
        ("B1", 12, "afternoon"), ("B3", 12, "afternoon"), ("B1", 6, "morning"), ("B3", 6, "morning")
    )
    first = assert_valid(SITE, the_day, ops, plan_day(SITE, the_day, ops, time_limit_s=1.0))
    morning = first["shifts"][0]["crews"][0]["trips"]
    assert {s["building"] for s in morning[0]["stops"]} & {"B1", "B3"}
    frozen = frozen_part(
        first, site_id=SITE.site.id, date=None, operations=ops, now_s=parse_clock(morning[0]["depart"])
    )
    replanned = json.loads(
        json.dumps(plan_day(SITE, the_day, ops, time_limit_s=1.0, frozen=frozen).to_dict())
    )
    assert check_plan(SITE, the_day, ops, replanned, frozen=frozen) == []
    by_shift = {
        shift["id"]: sum(s["parcels"] for c in shift["crews"] for t in c["trips"] for s in t["stops"])
        for shift in replanned["shifts"]
    }
    assert by_shift == {"morning": 12, "afternoon": 24}


def test_a_replan_when_every_shift_is_over_keeps_the_day_and_lists_what_came_too_late() -> None:
    # No crew has a trip left to give: the search had no vehicles, which crashed the process.
    ops, first = _first_plan()
    more = day(("B1", 10), ("B2", 10), ("B3", 10), ("B2", 4, "afternoon"))
    frozen = frozen_part(
        first, site_id=SITE.site.id, date=None, operations=ops, now_s=parse_now("16:00", ops)
    )
    replanned = json.loads(json.dumps(plan_day(SITE, more, ops, time_limit_s=1.0, frozen=frozen).to_dict()))
    assert check_plan(SITE, more, ops, replanned, frozen=frozen) == []
    kept = [t for s in replanned["shifts"] for c in s["crews"] for t in c["trips"]]
    assert kept and all(t.get("kept") for t in kept)
    assert [(u["building"], u["parcels"], u["cause"]) for u in replanned["undelivered"]] == [
        ("B2", 4, "shift_capacity")
    ]
    assert replanned["undelivered"][0]["reason"].endswith(
        "the crews' day was over when it was planned again (16:00); they are held over into the next day"
    )
    # A minute before the end, with the crew back: no trip fits in it either, and more crews would
    # not help today.
    frozen = frozen_part(
        first, site_id=SITE.site.id, date=None, operations=ops, now_s=parse_now("15:59", ops)
    )
    late = plan_day(SITE, more, ops, time_limit_s=1.0, frozen=frozen).to_dict()
    assert "the crews' day was over when it was planned again (15:59)" in late["undelivered"][0]["reason"]
    assert "重排时（15:59）各组当天已收工" in late["undelivered"][0]["reason_zh"]


def test_a_re_plan_delivers_at_least_what_the_plan_in_use_carried_on_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A whole-day search from a fresh seed once re-planned a 33-parcel wave into a plan of 806
    # parcels where the plan in use, carried on, delivers 891. Here the search finds nothing at
    # all, and the re-plan still carries the plan in use on, on the new counts.
    ops, first = _first_plan()
    frozen = frozen_part(
        first, site_id=SITE.site.id, date=None, operations=ops, now_s=parse_now("08:05", ops)
    )
    assert sum(len(p.trips) for p in frozen.planned.values()) == 1  # the second trip, not yet gone
    monkeypatch.setattr(
        planner, "solve_vrp", lambda problem, **_: VrpSolution([[] for _ in problem.vehicles], 0, "success")
    )
    more = day(("B1", 10), ("B2", 10), ("B3", 10), ("B2", 5))  # 5 more for B2 since
    replanned = json.loads(json.dumps(plan_day(SITE, more, ops, time_limit_s=1.0, frozen=frozen).to_dict()))
    assert check_plan(SITE, more, ops, replanned, frozen=frozen) == []
    assert replanned["summary"]["delivered"] >= first["summary"]["delivered"] == 30
    assert replanned["solver"]["status"] == "the plan in use, carried on"
    assert replanned["solver"]["searched_delivered"] < replanned["summary"]["delivered"]


def test_a_re_plan_keeps_what_the_sorter_had_sorted(monkeypatch: pytest.MonkeyPatch) -> None:
    # The sorter sorts a minute a parcel, and by the re-plan it had sorted the parcels of the trip
    # on the road and, ahead, those of the next. Starting it afresh at the re-plan time put the next
    # trip ten minutes of sorting behind: a 33-parcel wave added at 13:51 pushed a day's last trip
    # (80 parcels) out of its shift. Carried on with the same counts, the plan must not lose time.
    ops = operations(fleet=[SMALL], gate={"reload_s": 240, "sort_s_per_parcel": 60})
    the_day = day(("B1", 10), ("B2", 10), ("B3", 10))
    first = assert_valid(SITE, the_day, ops, plan_day(SITE, the_day, ops, time_limit_s=1.0))
    trips = first["shifts"][0]["crews"][0]["trips"]
    assert [t["parcels"] for t in trips] == [20, 10]
    on_the_road = parse_clock(trips[0]["return"]) - 60  # the crew is a minute from the gate
    assert on_the_road < parse_clock(trips[1]["sorted_by"]) <= parse_clock(trips[1]["depart"])
    frozen = frozen_part(first, site_id=SITE.site.id, date=None, operations=ops, now_s=on_the_road)
    assert frozen.sorted_parcels == {"morning": (20, 10), "afternoon": (0, 0)}
    monkeypatch.setattr(
        planner, "solve_vrp", lambda problem, **_: VrpSolution([[] for _ in problem.vehicles], 0, "success")
    )
    replanned = json.loads(
        json.dumps(plan_day(SITE, the_day, ops, time_limit_s=1.0, frozen=frozen).to_dict())
    )
    assert check_plan(SITE, the_day, ops, replanned, frozen=frozen) == []
    assert replanned["solver"]["status"] == "the plan in use, carried on"
    again = replanned["shifts"][0]["crews"][0]["trips"][1]
    assert (again["sorted_by"], again["depart"]) == (trips[1]["sorted_by"], trips[1]["depart"])

    # Re-planned while the crew loads that trip: carried on, the load goes on from when it began.
    loading = parse_clock(trips[1]["load"]) + 60
    assert loading < parse_clock(trips[1]["depart"])
    frozen_loading = frozen_part(first, site_id=SITE.site.id, date=None, operations=ops, now_s=loading)
    replanned = json.loads(
        json.dumps(plan_day(SITE, the_day, ops, time_limit_s=1.0, frozen=frozen_loading).to_dict())
    )
    assert check_plan(SITE, the_day, ops, replanned, frozen=frozen_loading) == []
    again = replanned["shifts"][0]["crews"][0]["trips"][1]
    assert (again["load"], again["depart"]) == (trips[1]["load"], trips[1]["depart"])
    # With a parcel more for that trip's building it is another load, begun at the re-plan.
    more = day(("B1", 11), ("B2", 10), ("B3", 10))
    replanned = json.loads(
        json.dumps(plan_day(SITE, more, ops, time_limit_s=1.0, frozen=frozen_loading).to_dict())
    )
    assert check_plan(SITE, more, ops, replanned, frozen=frozen_loading) == []
    assert replanned["shifts"][0]["crews"][0]["trips"][1]["load"] >= format_clock(loading)

    # The sorter had sorted nothing ahead when the trips on the road left late (the crew waited at
    # the gate): the rest is sorted from then, never before the parcels that left.
    assert frozen.sorter_free_s(ops.shifts[0], 60) == parse_clock("08:20")
    waited = replace(frozen, now_s=parse_clock("08:40"))
    assert waited.sorter_free_s(ops.shifts[0], 60) == parse_clock("08:30")
    # Nothing known of what it sorted (a shift the plan in use does not have): from the re-plan on.
    assert replace(frozen, sorted_parcels={}).sorter_free_s(ops.shifts[0], 60) == on_the_road
    assert frozen.sorter_free_s(ops.shifts[1], 60) == parse_clock("14:00")
    assert frozen.sorter_free_s(ops.shifts[0], 0) == parse_clock("08:00")


def test_replanning_refuses_a_plan_from_elsewhere_or_a_time_outside_the_day() -> None:
    ops, first = _first_plan()
    with pytest.raises(PlanError, match="the frozen plan is for site 'three-on-a-lane', not 'other'"):
        frozen_part(first, site_id="other", date=None, operations=ops, now_s=30000)
    with pytest.raises(PlanError, match="the frozen plan is for 2022-04-28, the counts for 2022-04-29"):
        frozen_part(first, site_id=SITE.site.id, date="2022-04-29", operations=ops, now_s=30000)
    with pytest.raises(PlanError, match="the re-plan time '23:00' is outside the day"):
        parse_now("23:00", ops)
    broken = copy.deepcopy(first)
    del broken["shifts"][0]["crews"][0]["trips"][0]["stops"][0]["arrive"]
    with pytest.raises(PlanError, match=r"not a OneBell plan \(missing 'arrive'\)"):
        frozen_part(broken, site_id=SITE.site.id, date=None, operations=ops, now_s=30000)
    broken = copy.deepcopy(first)
    broken["shifts"][0]["crews"][0]["trips"][0]["stops"][0]["parcels"] = "ten"
    with pytest.raises(PlanError, match=r"not a OneBell plan \(a field of the wrong kind: ") as raised:
        frozen_part(broken, site_id=SITE.site.id, date=None, operations=ops, now_s=30000)
    assert raised.value.zh is not None and "有一项的类型不对" in raised.value.zh
    frozen = frozen_part(
        first, site_id=SITE.site.id, date=None, operations=ops, now_s=parse_now("08:05", ops)
    )
    with pytest.raises(DayError, match="already on the road"):
        plan_day(SITE, day(("B1", 1)), ops, time_limit_s=0.5, frozen=frozen)


def test_parcels_brought_back_go_in_as_one_more_row_and_go_out_again() -> None:
    ops, first = _first_plan()
    frozen = frozen_part(
        first, site_id=SITE.site.id, date="2022-04-28", operations=ops, now_s=parse_now("08:05", ops)
    )
    on_the_road = frozen.trips["morning-1"][0].stops
    back = on_the_road[0].building  # nobody came down there: 3 parcels came back
    rows = [(b, 10) for b in ("B1", "B2", "B3")] + [(back, 3)]
    left = remaining_day(day(*rows), frozen, ops)
    assert sum(row.parcels for row in left.rows if row.building == back) == 3 + 10 - sum(
        s.parcels for s in on_the_road if s.building == back
    )
    assert left.rows[-1].parcels == 3  # the row that came back is the one left to plan


def test_a_crew_on_the_road_must_still_be_on_the_roster_with_its_vehicle() -> None:
    ops, first = _first_plan()
    now_s = parse_now("08:05", ops)
    home = operations(
        shifts=[
            {"id": "morning", "start": "08:00", "end": "10:00", "riders": 0},
            {"id": "afternoon", "start": "14:00", "end": "16:00", "riders": 2},
        ],
        fleet=[SMALL],
    )
    with pytest.raises(
        PlanError,
        match="crew morning-1 is on the road at 08:05 in the frozen plan, but the roster no longer fields it",
    ):
        frozen_part(first, site_id=SITE.site.id, date=None, operations=home, now_s=now_s)
    cart = operations(fleet=[{**SMALL, "id": "cart", "mode": "cart"}])
    with pytest.raises(
        PlanError, match="with vehicle 'tricycle' in the frozen plan, but the roster now gives it 'cart'"
    ) as changed:
        frozen_part(first, site_id=SITE.site.id, date=None, operations=cart, now_s=now_s)
    assert changed.value.zh == (
        "08:05 时上午1组骑着三轮车还在路上，但班表现在给它的是手推车；重排时各小组的车不能换"
    )
    # Before any trip left, nothing is on the road and any roster will do.
    assert (
        frozen_part(
            first, site_id=SITE.site.id, date=None, operations=home, now_s=parse_now("08:00", ops)
        ).trips
        == {}
    )


def test_staffing_finds_the_fewest_riders_that_clear_each_shift() -> None:
    # 25 minutes: one crew manages one 80-parcel trip (B3: 950 s) but not also the second (B1: 750 s).
    ops = operations(
        shifts=[
            {"id": "morning", "start": "08:00", "end": "08:25", "riders": 2},
            {"id": "afternoon", "start": "14:00", "end": "14:25", "riders": 2},
        ],
        fleet=[{**SMALL, "capacity": 80, "count": 3}],
    )
    the_day = day(("B1", 80, "morning"), ("B3", 80, "morning"), ("B2", 10, "afternoon"))
    handed: list[Any] = []
    rows = staffing(SITE, the_day, ops, policies=["notify_one"], time_limit_s=0.5, on_row=handed.append)
    assert handed == rows  # each row as it is found, in the table's order
    by_shift = {row.shift: row for row in rows}
    assert (by_shift["morning"].riders, by_shift["morning"].vehicles, by_shift["morning"].clears) == (
        4,
        {"tricycle": 2},
        True,
    )
    assert (by_shift["afternoon"].riders, by_shift["afternoon"].clears) == (2, True)

    # With an e-bike as well (more parcels per rider), four riders on the two tricycles clear the
    # morning; one, three (the e-bike and a tricycle) do not, and five are not needed.
    mixed = operations(
        shifts=[{"id": "morning", "start": "08:00", "end": "08:25", "riders": 2}],
        fleet=[{**SMALL, "capacity": 80, "count": 2}, fleet_entry("ebike", speed_kmh=7.2)],
    )
    morning_day = day(("B1", 80, "morning"), ("B3", 80, "morning"))
    [morning] = staffing(SITE, morning_day, mixed, policies=["notify_one"], time_limit_s=0.5)
    assert (morning.riders, morning.vehicles, morning.clears) == (4, {"tricycle": 2}, True)


def test_a_shift_the_whole_fleet_cannot_clear_is_tried_with_more_of_its_busiest_vehicle() -> None:
    # the morning of the test above needs two tricycles; the roster has one
    ops = operations(
        shifts=[
            {"id": "morning", "start": "08:00", "end": "08:25", "riders": 2},
            {"id": "afternoon", "start": "14:00", "end": "14:25", "riders": 2},
            {"id": "evening", "start": "18:00", "end": "18:10", "riders": 2},
        ],
        fleet=[{**SMALL, "capacity": 80, "count": 1}],
    )
    the_day = day(
        ("B1", 80, "morning"), ("B3", 80, "morning"), ("B1", 900, "afternoon"), ("B3", 10, "evening")
    )
    morning, afternoon, evening = staffing(SITE, the_day, ops, policies=["notify_one"], time_limit_s=0.5)
    assert (morning.riders, morning.vehicles, morning.added, morning.clears) == (
        4,
        {"tricycle": 2},
        {"tricycle": 1},
        True,
    )
    # 900 parcels in 25 minutes: two trips a crew at most, past what four more tricycles carry
    assert (afternoon.added, afternoon.clears) == ({"tricycle": MAX_ADDED_VEHICLES}, False)
    assert afternoon.riders == 2 * (1 + MAX_ADDED_VEHICLES) and 0 < afternoon.delivered < 900
    # ten minutes do not reach B3 and back (950 s): no crew made a trip, so no more are tried
    assert (evening.added, evening.clears, evening.delivered) == ({}, False, 0)


def test_a_kept_trip_takes_its_own_batch_off_the_new_counts() -> None:
    from optimizer.clock import parse_clock
    from optimizer.replan import Frozen, remaining_day

    ops = operations()
    the_day = day(("B3", 5, None, 0, "08:30"), ("B3", 10, None, 0, "06:30"), ("B3", 4))
    left = lambda frozen: [r.parcels for r in remaining_day(the_day, frozen, ops).rows]  # noqa: E731

    early = parse_clock("06:30")
    named = Frozen(0, {}, {"B3": 7}, {}, {("B3", early, None, None): 7})
    assert left(named) == [5, 3, 4]  # the 06:30 batch, as the kept trip says
    # A plan that names no batches: the earliest parcels go first, those there before the shift first.
    assert left(Frozen(0, {}, {"B3": 7}, {})) == [5, 7, 0]
    assert left(Frozen(0, {}, {"B3": 16}, {})) == [3, 0, 0]

    # Shift by shift, whatever order the sheet lists them in: the evening's row above the
    # morning's.
    three = operations(
        shifts=[
            {"id": "morning", "start": "08:00", "end": "10:00", "riders": 2},
            {"id": "afternoon", "start": "14:00", "end": "16:00", "riders": 2},
            {"id": "evening", "start": "18:00", "end": "20:00", "riders": 2},
        ]
    )
    listed = day(("B3", 60, "evening"), ("B3", 1, "morning"), ("B3", 5, "afternoon", 0, "13:30"))
    taken = lambda n: [r.parcels for r in remaining_day(listed, Frozen(0, {}, {"B3": n}, {}), three).rows]  # noqa: E731
    assert taken(1) == [60, 0, 5]
    # Parcels a stop does not list by batch were there before their shift: not the afternoon's
    # arrivals, which it would list (nor held-over ones: taking them first left a held-over
    # urgent parcel as delivered and the day's own to deliver again).
    assert taken(4) == [57, 0, 5]
    assert taken(62) == [0, 0, 4]  # a plan made before stops listed batches: what is left after
    held = Day(
        date="2022-04-28",
        rows=(
            CountRow("B3", 15, "morning", urgent=1, held_from="2022-04-27"),
            CountRow("B3", 15, "afternoon"),
        ),
    )
    left_of_held = remaining_day(held, Frozen(0, {}, {"B3": 15}, {"B3": 0}), three).rows
    assert [(r.parcels, r.urgent) for r in left_of_held] == [(15, 1), (0, 0)]
    # A kept afternoon stop's 3 urgent parcels in their window are the afternoon's, not the
    # morning's one (taken earliest first, it went uncounted and the afternoon's went again).
    urgent = day(("B3", 60, "morning", 1), ("B3", 3, "afternoon", 3))
    in_time = Frozen(0, {}, {"B3": 3}, {"B3": 3}, delivered_urgent_in_time={("B3", 1): 3})
    assert [(r.parcels, r.urgent) for r in remaining_day(urgent, in_time, three).rows] == [(60, 1), (0, 0)]
    late = Frozen(0, {}, {"B3": 3}, {"B3": 1})  # one late: the morning's, off the morning's row
    assert [(r.parcels, r.urgent) for r in remaining_day(urgent, late, three).rows] == [(57, 0), (3, 3)]
    # The afternoon's 3 urgent in time and 20 of its other parcels: the day's own come off the
    # morning's row first, but not its urgent ones (taken whole, they went neither out nor left).
    busy = day(("B3", 15, "morning", 3), ("B3", 40, "afternoon", 3))
    carried = Frozen(0, {}, {"B3": 23}, {"B3": 3}, delivered_urgent_in_time={("B3", 1): 3})
    assert [(r.parcels, r.urgent) for r in remaining_day(busy, carried, three).rows] == [(3, 3), (29, 0)]
    # A kept stop that took a held-over batch whole took its urgent parcel with it: that is the
    # stop's urgent one in its window, not the day's own urgent parcel at the building, which is
    # still to go (counted off the day's own row, it went undelivered and uncounted: random day 45).
    both = Day(
        date="2022-04-28",
        rows=(
            CountRow("B3", 1, "morning", urgent=1, held_from="2022-04-27"),
            CountRow("B3", 100, "morning", urgent=1),
        ),
    )
    with_batch = Frozen(
        0,
        {},
        {"B3": 20},
        {"B3": 1},
        {("B3", None, "2022-04-27", None): 1},
        delivered_urgent_in_time={("B3", 0): 1},
    )
    assert [(r.parcels, r.urgent) for r in remaining_day(both, with_batch, three).rows] == [(0, 0), (81, 1)]


def test_freezing_a_plan_reads_the_batches_of_its_trips() -> None:
    ops = operations(fleet=[SMALL], gate={"reload_s": 240, "stand_min": 60})
    the_day = day(("B1", 10), ("B3", 10, None, 0, "06:00"), ("B3", 5, None, 0, "07:00"))
    first = assert_valid(SITE, the_day, ops, plan_day(SITE, the_day, ops, time_limit_s=1.0))
    frozen = frozen_part(
        first, site_id=SITE.site.id, date=None, operations=ops, now_s=parse_now("16:00", ops)
    )
    assert frozen.delivered_batches == {("B3", 6 * 3600, None, None): 10, ("B3", 7 * 3600, None, None): 5}
    replanned = plan_day(SITE, the_day, ops, time_limit_s=1.0, frozen=frozen).to_dict()
    assert check_plan(SITE, the_day, ops, json.loads(json.dumps(replanned)), frozen=frozen) == []
    assert replanned["summary"]["delivered"] == 25


@pytest.mark.parametrize(
    ("riders", "pair", "crews", "idle"),
    [
        (1, False, {"ebike": 1}, 0),
        (2, False, {"tricycle": 1}, 0),  # a tricycle (2 x 80 parcels at 8 km/h) moves more than the e-bike
        (3, False, {"ebike": 1, "tricycle": 1}, 0),
        (4, False, {"tricycle": 2}, 0),  # filled rider by rider: the e-bike, one tricycle and an idle rider
        (5, False, {"ebike": 1, "tricycle": 2}, 0),
        (1, True, {"ebike": 1}, 0),  # too few for the pair
        (2, True, {"pair": 1}, 0),  # a designated pair goes out first
        (4, True, {"tricycle": 1, "pair": 1}, 0),
        (9, True, {"ebike": 1, "tricycle": 2, "pair": 1}, 2),
    ],
)
def test_riders_field_a_designated_pair_then_the_crews_that_move_the_most_parcels(
    riders: int, pair: bool, crews: dict[str, int], idle: int
) -> None:
    fleet = [fleet_entry("tricycle", count=2), fleet_entry("ebike"), *([fleet_entry("pair")] if pair else [])]
    ops = operations(
        fleet=fleet, shifts=[{"id": "morning", "start": "08:00", "end": "11:30", "riders": riders}]
    )
    [shift] = shift_crews(ops)
    assert (shift.crews, shift.idle_riders) == (crews, idle)
    site_graph, the_day = graph_of(three_on_a_lane()), day(("B1", 120), ("B2", 60))
    plan = plan_day(site_graph, the_day, ops, time_limit_s=1)
    assert_valid(site_graph, the_day, ops, plan)
    used = {crew.vehicle for s in plan.shifts for crew in s.crews}
    assert used <= set(crews)  # the planner sends out only crews the roster fields


def test_a_sealed_building_is_staffed_with_a_designated_pair() -> None:
    # B3 sealed and no designated pair on the roster: staffing tried four more tricycles, which
    # may not serve its doors, and said "does not clear even with tricycle +4"
    ops = operations(fleet=[{**SMALL, "count": 3}])
    the_day = day(("B1", 10, "morning"), ("B3", 12, "morning"))
    sealed = graph_of(three_on_a_lane({"B3": {"sealed": True}}))
    morning, _afternoon = staffing(sealed, the_day, ops, policies=["notify_one"], time_limit_s=0.5)
    assert (morning.clears, morning.added, morning.beyond_crews) == (True, {"sealed-pair": 1}, {})
    assert morning.vehicles["sealed-pair"] == 1 and morning.riders == 2 * sum(morning.vehicles.values())
    assert table_lines([morning])[1].endswith("clears with sealed-pair +1 beyond the fleet")


def test_parcels_no_crew_can_take_are_named_and_not_staffed_for() -> None:
    document = three_on_a_lane().document()
    feature_properties(document, "lane", "lane")["closed"] = True
    ops = operations(fleet=[{**SMALL, "count": 3}])
    the_day = day(("B1", 10, "morning"), ("B3", 12, "morning"))
    morning, _afternoon = staffing(
        build_graph(parse_site(document)), the_day, ops, policies=["notify_one"], time_limit_s=0.3
    )
    assert (morning.riders, morning.added, morning.delivered, morning.beyond_crews) == (
        0,
        {},
        0,
        {"lane_closed": 22},
    )
    assert morning.crews_suffice and not morning.clears
    assert table_lines([morning])[1].endswith("22 parcels no more crews take: the lanes to them are closed")


def test_the_staffing_table_stays_in_line_with_three_kinds_of_vehicle() -> None:
    # the vehicles column was 22 wide: a crew list past it pushed the rest of its row out of line
    rows = [
        StaffingRow(
            "notify_one",
            "morning",
            646,
            5,
            {"tricycle": 1, "cart": 1, "sealed-pair": 1},
            646,
            "11:28:18",
            11.5,
            True,
        ),
        StaffingRow("notify_one", "evening", 9, 2, {"tricycle": 1}, 9, "18:20:00", 0.6, True),
    ]
    for lang, title in (("en", "finish"), ("zh", "最后回来")):
        head, *lines = table_lines(rows, lang)
        # where the finish column begins: its title in the header, the time in each row
        starts = [shown_width(head[: head.index(title)])]
        starts += [shown_width(line[: re.search(r"\d\d:\d\d:\d\d", line).start()]) for line in lines]  # type: ignore[union-attr]
        assert len(set(starts)) == 1, (lang, head, lines)


def _tried_additions(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, int]]:
    """The vehicles added in each plan staffing makes, as it makes them."""
    from optimizer import staffing as module

    tried: list[dict[str, int]] = []
    planned = module._planned

    def counted(*args: Any, **kwargs: Any) -> Any:
        tried.append(dict(kwargs.get("added") or {}))
        return planned(*args, **kwargs)

    monkeypatch.setattr(module, "_planned", counted)
    return tried


def test_more_designated_pairs_not_tricycles_are_tried_for_sealed_doors_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One pair lacks the time for B3's 60 sealed parcels: four more tricycles were tried first
    # (they may not serve its doors), 10 plans where 4 do.
    tried = _tried_additions(monkeypatch)
    ops = operations(
        fleet=[{**SMALL, "capacity": 80}],
        shifts=[{"id": "morning", "start": "08:00", "end": "09:00", "riders": 2}],
    )
    sealed = graph_of(three_on_a_lane({"B3": {"sealed": True}}))
    [morning] = staffing(
        sealed,
        day(("B1", 150, "morning"), ("B3", 60, "morning")),
        ops,
        policies=["notify_one"],
        time_limit_s=0.5,
    )
    assert morning.clears and morning.added == {"sealed-pair": 2}
    assert all("tricycle" not in added for added in tried), tried


def test_a_pair_kept_to_sealed_buildings_is_not_what_more_of_is_tried_for_open_doors_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The pair (sealed_only) carried the most (B3's 80 against the tricycle's 70), so more pairs
    # were tried for B1's open doors, which they may not serve.
    tried = _tried_additions(monkeypatch)
    pair = {"id": "pair", "mode": "foot", "count": 1, "capacity": 40, "crew": 2, "speed_kmh": 3.6}
    ops = operations(
        fleet=[{**SMALL, "capacity": 10}, {**pair, "sealed_ok": True, "sealed_only": True}],
        shifts=[{"id": "morning", "start": "08:00", "end": "09:00", "riders": 4}],
    )
    sealed = graph_of(three_on_a_lane({"B3": {"sealed": True}}))
    [morning] = staffing(
        sealed,
        day(("B1", 200, "morning"), ("B3", 80, "morning")),
        ops,
        policies=["notify_one"],
        time_limit_s=0.5,
    )
    assert morning.clears and set(morning.added) == {"tricycle"}, morning
    assert all("pair" not in added for added in tried), tried
