"""The day as it really runs: urgent parcels, sealed buildings and the sorter's pace, on sites
small enough to work out by hand. Three on a lane: B1..B3 at 100, 200, 300 m, 2 m/s."""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import replace
from typing import Any

from fixtures.generate import STOP, barricaded, three_on_a_lane
from optimizer.cards.svg_map import RouteLine, site_map_svg
from optimizer.check import check_plan
from optimizer.clock import format_clock, parse_clock
from optimizer.graph import cut_off_by_lane
from optimizer.planner import plan_day
from optimizer.replan import frozen_part
from tests.helpers import assert_valid, day, fleet_entry, graph_of, operations

LIMIT_S = 1.0
TRICYCLE = {"id": "tricycle", "mode": "tricycle", "count": 1, "capacity": 80, "crew": 2, "speed_kmh": 7.2}
PAIR = {
    "id": "pair",
    "mode": "foot",
    "count": 1,
    "capacity": 40,
    "crew": 2,
    "speed_kmh": 3.6,
    "sealed_ok": True,
}


def _stops(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {**stop, "shift": shift["id"], "vehicle": crew["vehicle"]}
        for shift in document["shifts"]
        for crew in shift["crews"]
        for trip in crew["trips"]
        for stop in trip["stops"]
    ]


def _plan(drawing: Any, the_day: Any, ops: Any) -> dict[str, Any]:
    site_graph = graph_of(drawing)
    return assert_valid(site_graph, the_day, ops, plan_day(site_graph, the_day, ops, time_limit_s=LIMIT_S))


def test_urgent_parcels_go_first_when_it_costs_nothing() -> None:
    # Out to B3 first and back past B2 and B1 rides the same 600 m as the other way round.
    document = _plan(three_on_a_lane(), day(("B1", 10), ("B2", 10), ("B3", 10, None, 2)), operations())
    stops = _stops(document)
    assert [s["building"] for s in stops] == ["B3", "B2", "B1"]
    assert stops[0]["urgent"] == 2 and stops[0]["arrive"] <= "09:00:00"


def test_urgent_parcels_that_cannot_make_the_window_go_late_and_the_plan_says_so() -> None:
    ops = operations(urgent_within_min=5)  # loading takes 4 min and B3 is 150 s away: too late
    document = _plan(three_on_a_lane(), day(("B1", 10, None, 1), ("B3", 10, None, 3)), ops)
    assert document["undelivered"] == [] and document["summary"]["late_urgent"] == 3
    by_building = {s["building"]: s for s in _stops(document)}
    # B1's urgent parcel makes it (08:04:50); B3's three cannot, and go rather than wait a day
    assert by_building["B1"]["urgent"] == 1 and "late_urgent" not in by_building["B1"]
    assert (by_building["B3"]["urgent"], by_building["B3"]["late_urgent"]) == (3, 3)

    # The checker holds urgent parcels not listed late to their window.
    site_graph = graph_of(three_on_a_lane())
    the_day = day(("B1", 10, None, 1), ("B3", 10, None, 3))
    [b3] = [
        stop
        for crew in document["shifts"][0]["crews"]
        for trip in crew["trips"]
        for stop in trip["stops"]
        if stop["building"] == "B3"
    ]
    del b3["late_urgent"]
    violations = check_plan(site_graph, the_day, ops, document)
    assert any(
        "3 urgent parcels reach building B3" in v and "does not list them late" in v for v in violations
    )
    # ... counts every urgent parcel: in time, late or listed undelivered ...
    b3["urgent"] = 0
    assert (
        "building B3: 3 urgent parcels for the morning shift, 0 delivered in time, 0 late and 0 listed "
        "undelivered"
    ) in check_plan(site_graph, the_day, ops, document)
    # ... and no more late than urgent at a stop
    b3["urgent"], b3["late_urgent"] = 2, 3
    assert any(
        "late_urgent must be a whole number from 0 to the stop's urgent parcels" in v
        for v in check_plan(site_graph, the_day, ops, document)
    )


def test_urgent_parcels_no_crew_has_time_for_are_left_saying_how_many_are_urgent() -> None:
    # Twelve minutes and one tricycle: one short trip with B1's 70 parcels; B2's and B3's stay
    ops = operations(
        urgent_within_min=5, shifts=[{"id": "morning", "start": "08:00", "end": "08:12", "riders": 2}]
    )
    document = _plan(three_on_a_lane(), day(("B1", 70), ("B2", 10, None, 2), ("B3", 10, None, 3)), ops)
    [group] = document["undelivered_groups"]
    assert (group["cause"], group["buildings"], group["parcels"], group["urgent"]) == (
        "shift_capacity",
        ["B2", "B3"],
        20,
        5,
    )
    assert group["reason"].startswith(
        "20 parcels from the morning shift at 2 buildings (5 urgent) did not fit in the crews' time"
    )
    assert group["reason_zh"].startswith("2 栋楼上午班的 20 件（其中加急 5 件）在各组的时间里送不完")


def test_parcels_left_from_a_shift_nobody_rides_say_to_staff_it() -> None:
    # Nobody rides in the morning; the afternoon's one short trip takes B1's 70 of the morning's
    # parcels, and B3's 30 stay: the reason says the morning has no crew and what one would carry.
    ops = operations(
        shifts=[
            {"id": "morning", "start": "08:00", "end": "11:00", "riders": 0},
            {"id": "afternoon", "start": "14:00", "end": "14:12", "riders": 2},
        ]
    )
    document = _plan(three_on_a_lane(), day(("B1", 70, "morning"), ("B3", 30, "morning")), ops)
    [group] = document["undelivered_groups"]
    assert (group["shift"], group["cause"], group["buildings"], group["parcels"]) == (
        "morning",
        "shift_capacity",
        ["B3"],
        30,
    )
    assert group["reason"].endswith(
        "no crew goes out in the morning shift: a tricycle crew there carries about 70 parcels "
        "(2 more riders), as one did in another shift"
    )
    assert "上午班没有组出车：安排一组三轮车（2 名骑手）大约能送 70 件" in group["reason_zh"]


def test_parcels_left_from_a_shift_nobody_rides_name_a_vehicle_that_runs_in_it() -> None:
    # The only crew of another shift rode a vehicle lent for that shift only: "(1 more rider and
    # an ebike beyond the 0 out already)" did not say that none runs in the morning.
    lent = {"id": "ebike", "mode": "ebike", "count": 1, "capacity": 30, "crew": 1, "speed_kmh": 12}
    shifts = [
        {"id": "morning", "start": "08:00", "end": "11:00", "riders": 0},
        {"id": "afternoon", "start": "14:00", "end": "14:12", "riders": 1},
    ]
    only_lent = operations(shifts=shifts, fleet=[{**lent, "shifts": ["afternoon"]}])
    document = _plan(three_on_a_lane(), day(("B1", 90, "morning")), only_lent)
    assert document["undelivered_groups"][0]["reason"].endswith(
        "an ebike crew there carries about 30 parcels (1 more rider and an ebike for the morning shift, where none runs), "
        "as one did in another shift"
    )


def test_parcels_left_for_want_of_a_rider_say_how_many_more_field_a_crew() -> None:
    # One rider and a tricycle that needs two: "staff one in the morning shift" did not say that
    # one more rider is all it takes.
    one = {"id": "morning", "start": "08:00", "end": "11:00", "riders": 1}
    document = _plan(three_on_a_lane(), day(("B1", 5), ("B3", 7)), operations(shifts=[one]))
    [group] = document["undelivered_groups"]
    assert (group["cause"], group["parcels"]) == ("no_crew", 12)
    assert group["reason"].endswith(
        "no crew from then on rides a vehicle that can reach it; a tricycle crew needs 2 riders, "
        "the morning shift has 1; add 1 rider to it"
    )
    assert group["reason_zh"].endswith("一组三轮车要 2 名骑手，上午班只有 1 名；请给这个班次加 1 名骑手")
    nobody = {**one, "riders": 0}
    ebike = {"id": "ebike", "mode": "ebike", "count": 1, "capacity": 30, "crew": 1, "speed_kmh": 12}
    document = _plan(three_on_a_lane(), day(("B1", 5)), operations(shifts=[nobody], fleet=[ebike]))
    assert document["undelivered"][0]["reason"].endswith(
        "an ebike crew needs 1 rider, the morning shift has 0; add 1 rider to it"
    )
    # Riders enough, and no vehicle out for them: say so rather than "staff one".
    none_out = operations(shifts=[{**one, "riders": 2}], fleet=[{**TRICYCLE, "count": 0}])
    document = _plan(three_on_a_lane(), day(("B1", 5)), none_out)
    assert document["undelivered"][0]["reason"].endswith(
        "no tricycle runs in the morning shift (the fleet's count, or the shifts it runs in); add one for it"
    )
    assert document["undelivered"][0]["reason_zh"].endswith(
        "上午班没有三轮车（看车队里它的数量或出车班次）；请为这个班次加一辆"
    )


def test_urgent_parcels_the_shift_has_no_time_for_go_late_with_a_later_crew() -> None:
    # The morning is five minutes long, too short for any trip: the afternoon crew brings the
    # medicine (late) instead of the plan leaving it for tomorrow.
    ops = operations(
        shifts=[
            {"id": "morning", "start": "08:00", "end": "08:05", "riders": 2},
            {"id": "afternoon", "start": "14:00", "end": "16:00", "riders": 2},
        ]
    )
    document = _plan(three_on_a_lane(), day(("B3", 10, "morning", 4), ("B1", 5, "afternoon")), ops)
    assert document["undelivered"] == []
    [b3] = [s for s in _stops(document) if s["building"] == "B3"]
    assert (b3["shift"], b3["urgent"], b3["late_urgent"]) == ("afternoon", 4, 4)


def test_late_urgent_parcels_go_before_as_many_of_the_days_own() -> None:
    # The afternoon has time for one short trip: B3's five urgent parcels from the morning (late)
    # or B1's five of the afternoon, nearer and so cheaper, not both. The medicine goes.
    ops = operations(
        shifts=[
            {"id": "morning", "start": "08:00", "end": "08:05", "riders": 2},
            {"id": "afternoon", "start": "14:00", "end": "14:12", "riders": 2},
        ]
    )
    document = _plan(three_on_a_lane(), day(("B3", 5, "morning", 5), ("B1", 5, "afternoon")), ops)
    assert [(s["building"], s["urgent"], s["late_urgent"]) for s in _stops(document)] == [("B3", 5, 5)]
    assert [(u["building"], u["parcels"]) for u in document["undelivered"]] == [("B1", 5)]


def test_a_pass_after_the_search_keeps_no_change_that_leaves_an_urgent_parcel_more() -> None:
    from optimizer.plan import Undelivered

    the_day = day(("B1", 10), ("B3", 5, None, 5))
    plan = plan_day(graph_of(three_on_a_lane()), the_day, operations(), time_limit_s=LIMIT_S)
    # as many parcels delivered, one of them urgent fewer (as a pass swapping stops could leave)
    worse = replace(plan, undelivered=(Undelivered("B3", 1, "morning", "shift_capacity", "", urgent=1),))
    assert (worse.delivered, worse.late_urgent, worse.urgent_left) == (plan.delivered, plan.late_urgent, 1)
    assert not worse.at_least_as_good(plan) and plan.at_least_as_good(worse)
    assert plan.rank > worse.rank


def test_a_plan_leaving_medicine_for_tomorrow_ranks_below_one_leaving_more_food() -> None:
    from optimizer.plan import Plan, Stop, Undelivered

    the_day = day(("B1", 10), ("B3", 5, None, 5))
    plan = plan_day(graph_of(three_on_a_lane()), the_day, operations(), time_limit_s=LIMIT_S)
    assert plan.delivered == 15 and plan.weighed_left == 0

    def short_at(building: str, parcels: int, urgent: int) -> Plan:
        def less(stop: Stop) -> Stop:
            if stop.building != building:
                return stop
            return replace(stop, parcels=stop.parcels - parcels, urgent=stop.urgent - urgent)

        shifts = plan.with_trips(
            lambda _crew, _n, trip: replace(trip, stops=tuple(map(less, trip.stops)))
        ).shifts
        left = Undelivered(building, parcels, "morning", "shift_capacity", "", urgent=urgent)
        return replace(plan, shifts=shifts, undelivered=(left,))

    medicine_left = short_at("B3", 3, 3)  # one parcel more delivered, three urgent ones not
    food_left = short_at("B1", 4, 0)
    assert (medicine_left.delivered, food_left.delivered) == (12, 11)
    assert (medicine_left.weighed_left, food_left.weighed_left) == (9, 4)  # urgent weigh 3
    assert food_left.rank > medicine_left.rank


def test_a_re_plan_keeps_a_trip_on_the_road_with_urgent_parcels_late() -> None:
    ops = operations(urgent_within_min=5)  # B3's three urgent parcels cannot make it
    the_day = day(("B1", 10, None, 1), ("B3", 10, None, 3))
    site_graph = graph_of(three_on_a_lane())
    first = _plan(three_on_a_lane(), the_day, ops)
    [trip] = [
        t
        for c in first["shifts"][0]["crews"]
        for t in c["trips"]
        if any(s.get("late_urgent") for s in t["stops"])
    ]
    now = (parse_clock(trip["depart"]) or 0) + 60
    frozen = frozen_part(first, site_id=site_graph.site.id, date=None, operations=ops, now_s=now)
    again = json.loads(
        json.dumps(plan_day(site_graph, the_day, ops, time_limit_s=LIMIT_S, frozen=frozen).to_dict())
    )
    assert check_plan(site_graph, the_day, ops, again, frozen=frozen) == []
    assert again["summary"]["late_urgent"] == 3 and again["undelivered"] == []


def test_when_not_every_urgent_parcel_can_make_the_window_the_most_do() -> None:
    from optimizer.problem import build_day_model
    from optimizer.seed import most_in_time, nearest_neighbour_trip

    # Eight minutes: loading (4 min) and one stop, B1 (1 urgent parcel, nearest) or B3 (5).
    ops = operations(urgent_within_min=8)
    model = build_day_model(graph_of(three_on_a_lane()), day(("B1", 1, None, 1), ("B3", 5, None, 5)), ops)
    node = _nodes(model)
    waiting = {node[("B1", 1)], node[("B3", 5)]}
    start = parse_clock("08:00") or 0
    assert nearest_neighbour_trip(model, 0, start, 0, waiting)[0] == (node[("B1", 1)],)
    assert most_in_time(model, 0, start, 0, waiting)[0] == (node[("B3", 5)],)

    document = _plan(three_on_a_lane(), day(("B1", 1, None, 1), ("B3", 5, None, 5)), ops)
    late = {s["building"]: s.get("late_urgent", 0) for s in _stops(document)}
    assert late == {"B1": 1, "B3": 0} and document["summary"]["late_urgent"] == 1


def test_the_seed_sends_urgent_parcels_past_their_window_before_the_shifts_own() -> None:
    from optimizer.problem import build_day_model
    from optimizer.seed import schedule_seed, seed_trips

    # Twelve minutes, time for one trip: B3's urgent parcels cannot make a 5-minute window, and
    # go late rather than after B1's, for which the morning then has no time. (On a small day the
    # search mends the order; on gelin-spring with urgent parcels at every building it did not, and
    # the morning crew carried 319 of the day's own while 92 urgent parcels were left.)
    ops = operations(
        urgent_within_min=5, shifts=[{"id": "morning", "start": "08:00", "end": "08:12", "riders": 2}]
    )
    model = build_day_model(graph_of(three_on_a_lane()), day(("B1", 10), ("B3", 10, None, 10)), ops)
    [morning] = schedule_seed(model, seed_trips(model, time_limit_s=0.5))
    assert [
        [(model.visits[n].building, model.visits[n].late_for is not None) for n in t] for t in morning
    ] == [[("B3", True)]]


def test_the_seeds_urgent_trip_takes_its_buildings_other_parcels_where_every_window_allows() -> None:
    from optimizer.problem import build_day_model
    from optimizer.seed import schedule_seed, seed_trips

    def first_trips(within: int | None) -> list[list[tuple[str | None, int]]]:
        ops = operations(urgent_within_min=within) if within else operations()
        model = build_day_model(
            graph_of(three_on_a_lane()), day(("B1", 40, None, 1), ("B3", 12, None, 2)), ops
        )
        morning = schedule_seed(model, seed_trips(model, time_limit_s=0.5))[0]
        return [[(model.visits[n].building, model.visits[n].urgent) for n in trip] for trip in morning]

    # an hour's window: one trip, each building's other parcels right after its urgent ones
    assert first_trips(None) == [[("B1", 1), ("B1", 0), ("B3", 2), ("B3", 0)]]
    # ten minutes: B1's 39 would make B3's urgent parcels late, so only B3's 10 ride along
    assert first_trips(10) == [[("B1", 1), ("B3", 2), ("B3", 0)], [("B1", 0)]]
    # nine: the urgent parcels need two trips; the first takes nothing more, which would delay the
    # second, and the last takes B3's
    assert first_trips(9) == [[("B1", 1)], [("B3", 2), ("B3", 0)], [("B1", 0)]]


def test_a_group_one_load_carries_is_one_trip_without_a_search(monkeypatch: Any) -> None:
    import optimizer.seed as seed
    from optimizer.problem import build_day_model

    searched: list[int] = []
    original = seed.solve_vrp

    def counted(problem: Any, **kwargs: Any) -> Any:
        searched.append(problem.node_count - 1)
        return original(problem, **kwargs)

    monkeypatch.setattr(seed, "solve_vrp", counted)
    # B1's and B3's 30 parcels fit one load: one trip, ordered at once (a search took at least
    # 0.05 s a group, twenty-odd groups a plan on a day of standing waves); 100 more do not
    model = build_day_model(graph_of(three_on_a_lane()), day(("B3", 10), ("B1", 20)), operations())
    [trip] = seed.seed_trips(model, time_limit_s=0.5)
    assert searched == [] and [model.visits[n].building for n in trip.nodes] == ["B1", "B3"]
    assert trip.duration_s == model.trip_s(trip.vehicle, trip.nodes)
    model = build_day_model(graph_of(three_on_a_lane()), day(("B3", 60), ("B1", 70)), operations())
    trips = seed.seed_trips(model, time_limit_s=0.5)
    assert searched == [2] and sorted(len(t.nodes) for t in trips) == [1, 1]


def test_urgent_parcels_of_a_shift_without_riders_start_late_with_a_later_crew() -> None:
    from optimizer.problem import build_day_model
    from optimizer.seed import schedule_seed, seed_trips

    ops = operations(
        shifts=[
            {"id": "morning", "start": "08:00", "end": "12:00", "riders": 0},
            {"id": "afternoon", "start": "14:00", "end": "16:00", "riders": 2},
        ]
    )
    the_day = day(("B3", 5, "morning", 5), ("B1", 5, "afternoon"))
    model = build_day_model(graph_of(three_on_a_lane()), the_day, ops)
    [afternoon] = schedule_seed(model, seed_trips(model, time_limit_s=0.5))
    late = [n for t in afternoon for n in t if model.visits[n].late_for is not None]
    assert [model.visits[n].building for n in late] == ["B3"]
    document = _plan(three_on_a_lane(), the_day, ops)
    assert document["undelivered"] == [] and document["summary"]["late_urgent"] == 5


def test_urgent_parcels_wait_for_their_shift_and_keep_its_window() -> None:
    document = _plan(three_on_a_lane(), day(("B1", 10), ("B2", 6, "afternoon", 6)), operations())
    [urgent_stop] = [s for s in _stops(document) if s["urgent"]]
    assert urgent_stop["shift"] == "afternoon" and urgent_stop["arrive"] <= "15:00:00"


def test_urgent_parcels_arriving_mid_shift_get_their_window_from_when_they_may_be_loaded() -> None:
    # Medicine reaches the gate at 09:10 and stands 20 min: its hour runs from 09:30, not 08:00.
    ops = operations(gate={"reload_s": 240, "stand_min": 20})
    the_day = day(("B1", 10), ("B3", 2, "morning", 2, "09:10"))
    document = _plan(three_on_a_lane(), the_day, ops)
    assert document["undelivered"] == []
    [urgent_stop] = [s for s in _stops(document) if s["urgent"]]
    assert "09:30:00" <= urgent_stop["arrive"] <= "10:00:00"

    # The checker holds it to that hour: from 09:30, not from the shift's start.
    site_graph = graph_of(three_on_a_lane())
    late = operations(gate={"reload_s": 240, "stand_min": 20}, urgent_within_min=1)
    violations = check_plan(site_graph, the_day, late, document)
    assert any(f"after {format_clock(parse_clock('09:31') or 0)}" in v for v in violations), violations
    # Too short a window for any trip: they go late, and the checker takes them so.
    document = _plan(three_on_a_lane(), the_day, late)
    [urgent_stop] = [s for s in _stops(document) if s["urgent"]]
    assert document["undelivered"] == [] and urgent_stop["late_urgent"] == 2


def test_a_sealed_building_needs_a_sealed_team() -> None:
    drawing = three_on_a_lane({"B2": {"sealed": True}})
    document = _plan(drawing, day(("B1", 10), ("B2", 10)), operations(fleet=[TRICYCLE]))
    [left] = document["undelivered"]
    assert (left["building"], left["cause"]) == ("B2", "no_sealed_team")
    assert "sealed_ok" in left["reason"] and "楼已封控" in left["reason_zh"]


def test_a_designated_pair_kept_to_sealed_buildings_serves_no_other() -> None:
    # A pair doing door rounds where a positive case was may be kept from every other door.
    drawing = three_on_a_lane({"B2": {"sealed": True}})
    kept_to_sealed = {**PAIR, "sealed_only": True}
    the_day = day(("B1", 10), ("B2", 10), ("B3", 10))
    morning = [{"id": "morning", "start": "08:00", "end": "10:00", "riders": 4}]
    both = _plan(drawing, the_day, operations(fleet=[TRICYCLE, kept_to_sealed], shifts=morning))
    assert both["undelivered"] == []
    assert {(s["building"], s["vehicle"]) for s in _stops(both)} == {
        ("B1", "tricycle"),
        ("B2", "pair"),
        ("B3", "tricycle"),
    }

    alone = _plan(drawing, the_day, operations(fleet=[kept_to_sealed]))
    assert {s["building"] for s in _stops(alone)} == {"B2"}
    assert [(u["building"], u["cause"]) for u in alone["undelivered"]] == [
        ("B1", "no_crew"),
        ("B3", "no_crew"),
    ]
    assert alone["undelivered"][0]["reason"].endswith(
        "only the designated pair (pair) is out from then on, and it serves sealed buildings only "
        "(sealed_only); put a crew of another vehicle in the morning shift"
    )
    assert "只送封控楼的指定两人组（pair）" in alone["undelivered"][0]["reason_zh"]

    # The same pair without it takes the open buildings too; the checker holds that plan to the flag.
    free = _plan(drawing, the_day, operations(fleet=[PAIR]))
    assert {s["building"] for s in _stops(free)} == {"B1", "B2", "B3"}
    violations = check_plan(graph_of(drawing), the_day, operations(fleet=[kept_to_sealed]), free)
    assert any(
        "building B1 is not sealed; the pair crew serves sealed buildings only" in v for v in violations
    )


def test_a_sealed_building_with_more_parcels_than_a_pair_carries_gets_them_in_several_trips() -> None:
    # Its parcels were cut into loads of the largest vehicle reaching it (a tricycle's 80): 50
    # parcels were one load the pair (40) could not carry, left "for want of a designated pair"
    # with the pair on the roster.
    drawing = three_on_a_lane({"B2": {"sealed": True}})
    ops = operations(
        fleet=[TRICYCLE, PAIR], shifts=[{"id": "morning", "start": "08:00", "end": "10:00", "riders": 4}]
    )
    document = _plan(drawing, day(("B1", 10), ("B2", 50)), ops)
    assert document["undelivered"] == []
    [pair] = [c for s in document["shifts"] for c in s["crews"] if c["vehicle"] == "pair"]
    at_b2 = [stop["parcels"] for trip in pair["trips"] for stop in trip["stops"] if stop["building"] == "B2"]
    assert sorted(at_b2) == [10, 40]  # a full load, and the rest on another trip


def test_a_shifts_parcels_are_cut_into_loads_of_the_vehicles_out_in_it() -> None:
    # The tricycle runs mornings only; the afternoon's e-bike (30) could not carry 50 parcels cut
    # into one tricycle load, "did not fit in the crews' time" with the e-bike idle.
    ops = operations(
        fleet=[{**TRICYCLE, "shifts": ["morning"]}, fleet_entry("ebike", capacity=30, speed_kmh=12)],
    )
    document = _plan(three_on_a_lane(), day(("B1", 50, "afternoon"), ("B2", 70, "morning")), ops)
    assert document["undelivered"] == []
    by_vehicle = {
        crew["vehicle"]: sorted(t["parcels"] for t in crew["trips"])
        for s in document["shifts"]
        for crew in s["crews"]
    }
    assert by_vehicle == {"tricycle": [70], "ebike": [20, 30]}


def test_a_shifts_parcels_are_cut_into_loads_of_the_vehicles_its_riders_ride() -> None:
    # One rider: the tricycle (crew 2) stays at the gate and he rides the e-bike (30). Cut into
    # tricycle loads, 60 parcels were one load he could not carry, "did not fit in the crews'
    # time; one more e-bike crew carries about 20" with him back at the gate by 08:10.
    fleet = [TRICYCLE, fleet_entry("ebike", capacity=30, speed_kmh=12)]
    morning = {"id": "morning", "start": "08:00", "end": "11:30", "riders": 1}
    document = _plan(
        three_on_a_lane(), day(("B1", 60), ("B3", 20)), operations(fleet=fleet, shifts=[morning])
    )
    assert document["undelivered"] == []
    [crew] = [c for s in document["shifts"] for c in s["crews"]]
    assert crew["vehicle"] == "ebike" and sorted(t["parcels"] for t in crew["trips"]) == [20, 30, 30]
    # with a second rider the tricycle goes out, and its loads are the tricycle's again
    two = operations(fleet=fleet, shifts=[{**morning, "riders": 2}])
    document = _plan(three_on_a_lane(), day(("B1", 60), ("B3", 20)), two)
    [crew] = [c for s in document["shifts"] for c in s["crews"]]
    assert crew["vehicle"] == "tricycle" and [t["parcels"] for t in crew["trips"]] == [80]


def test_parcels_the_sorter_cannot_have_ready_in_time_say_to_add_a_sorter() -> None:
    # Sorting at 5 minutes a parcel, a morning of two hours sorts about 20: the rest were "did not
    # fit in the crews' time; one more crew carries ...", where a crew more sorts nothing.
    slow = operations(
        shifts=[{"id": "morning", "start": "08:00", "end": "10:00", "riders": 2, "sorters": 1}],
        gate={"reload_s": 240, "sort_s_per_parcel": 300},
    )
    document = _plan(three_on_a_lane(), day(("B1", 30), ("B3", 30)), slow)
    assert document["undelivered"], document["summary"]
    for left in document["undelivered"]:
        assert left["cause"] == "sorter_pace", left
        assert left["reason"].endswith("add a sorter in the morning shift")
    # where the crews' time is the limit, more crews is still the advice
    quick = operations(shifts=[{"id": "morning", "start": "08:00", "end": "08:20", "riders": 2}])
    [left] = _plan(three_on_a_lane(), day(("B1", 60), ("B3", 60)), quick)["undelivered"]
    assert left["cause"] == "shift_capacity"


def test_a_designated_pair_goes_out_before_a_tricycle_and_too_few_riders_for_it_are_named() -> None:
    drawing = three_on_a_lane({"B2": {"sealed": True}})
    two = operations(
        fleet=[TRICYCLE, PAIR],
        shifts=[
            {"id": "morning", "start": "08:00", "end": "10:00", "riders": 2}
        ],  # a tricycle's or the pair's
    )
    the_day = day(("B1", 10), ("B2", 10))
    document = _plan(drawing, the_day, two)
    assert document["undelivered"] == []
    assert {s["vehicle"] for s in _stops(document)} == {"pair"}  # the tricycle would leave B2's door

    ebike = {"id": "ebike", "mode": "ebike", "count": 1, "capacity": 30, "crew": 1, "speed_kmh": 12}
    one = operations(
        fleet=[ebike, PAIR], shifts=[{"id": "morning", "start": "08:00", "end": "10:00", "riders": 1}]
    )
    [left] = _plan(drawing, the_day, one)["undelivered"]
    assert (left["building"], left["cause"]) == ("B2", "no_sealed_team")
    assert left["reason"].endswith(
        "the designated pair (pair) needs 2 riders, the morning shift has 1; add 1 rider to it"
    )
    assert left["reason_zh"].endswith(
        "指定的两人组（pair）要 2 名骑手，上午班只有 1 名；请给这个班次加 1 名骑手"
    )


def test_the_designated_pair_delivers_to_the_door() -> None:
    drawing = three_on_a_lane({"B2": {"sealed": True}})
    ops = operations(
        fleet=[TRICYCLE, PAIR],
        shifts=[{"id": "morning", "start": "08:00", "end": "10:00", "riders": 4}],
        sealed={"door_s": 45, "floor_s": 20},
    )
    document = _plan(drawing, day(("B1", 10), ("B2", 10)), ops)
    [sealed_stop] = [s for s in _stops(document) if s["building"] == "B2"]
    assert sealed_stop["vehicle"] == "pair"
    # 10 parcels among 10 households reach 7 doors: 7 x 45 s + 5 floors x 20 s + 10 x 4 s
    duration = parse_clock(sealed_stop["depart"]) - parse_clock(sealed_stop["arrive"])  # type: ignore[operator]
    assert duration == 7 * 45 + 5 * 20 + 10 * 4


def test_a_door_round_on_the_road_passes_the_check_of_a_re_plan() -> None:
    # The checker let a trip on the road off the seals set after it left, and so held its door
    # round at a sealed building to the bells' time instead: "247 s at building 4, the stop
    # takes 342 s" of every re-plan after the pair had gone out.
    drawing = three_on_a_lane({"B2": {"sealed": True, "doorbell": "broken"}})  # ringing: 90 s a bell
    ops = operations(
        fleet=[PAIR],
        shifts=[{"id": "morning", "start": "08:00", "end": "10:00", "riders": 2}],
        stop={**STOP, "policy": "ring_each"},
    )
    the_day = day(("B2", 10), ("B1", 30))
    first = _plan(drawing, the_day, ops)
    [door_round] = [t for c in first["shifts"][0]["crews"] for t in c["trips"] if "B2" in _buildings(t)]
    site_graph = graph_of(drawing)
    now = parse_clock(door_round["depart"]) + 60  # type: ignore[operator]
    frozen = frozen_part(first, site_id=site_graph.site.id, date=None, operations=ops, now_s=now)
    again = json.loads(
        json.dumps(plan_day(site_graph, the_day, ops, time_limit_s=LIMIT_S, frozen=frozen).to_dict())
    )
    assert check_plan(site_graph, the_day, ops, again, frozen=frozen) == []
    assert {**door_round, "kept": True} in [t for c in again["shifts"][0]["crews"] for t in c["trips"]]


def _buildings(trip: dict[str, Any]) -> list[str]:
    return [stop["building"] for stop in trip["stops"]]


def test_a_vehicle_runs_only_in_the_shifts_it_is_there_for() -> None:
    # Two riders each shift; the e-bike (one rider) is lent for the afternoon only.
    ebike = {"id": "ebike", "mode": "ebike", "count": 1, "capacity": 30, "crew": 1, "speed_kmh": 12}
    riders = [
        {"id": "morning", "start": "08:00", "end": "10:00", "riders": 3},
        {"id": "afternoon", "start": "14:00", "end": "16:00", "riders": 3},
    ]
    lent = operations(fleet=[TRICYCLE, {**ebike, "shifts": ["afternoon"]}], shifts=riders)
    the_day = day(
        ("B1", 10, "morning"), ("B3", 10, "morning"), ("B1", 10, "afternoon"), ("B3", 10, "afternoon")
    )
    document = _plan(three_on_a_lane(), the_day, lent)
    fielded = {
        shift["id"]: sorted(crew["vehicle"] for crew in shift["crews"]) for shift in document["shifts"]
    }
    assert fielded["morning"] == ["tricycle"]  # the third rider of the morning has no vehicle
    assert "ebike" in fielded["afternoon"]
    # The checker holds a plan to it: the same day planned with the e-bike every shift fails.
    every_shift = operations(fleet=[TRICYCLE, ebike], shifts=riders)
    both = _plan(three_on_a_lane(), the_day, every_shift)
    if any(
        crew["vehicle"] == "ebike"
        for shift in both["shifts"]
        if shift["id"] == "morning"
        for crew in shift["crews"]
    ):
        violations = check_plan(graph_of(three_on_a_lane()), the_day, lent, both)
        assert "shift morning: 1 crews on ebike, the fleet has 0 in this shift" in violations


def test_a_designated_pair_on_the_morning_only_leaves_the_afternoons_sealed_parcels_and_says_why() -> None:
    drawing = three_on_a_lane({"B2": {"sealed": True}})
    ops = operations(
        fleet=[TRICYCLE, {**PAIR, "shifts": ["morning"]}],
        shifts=[
            {"id": "morning", "start": "08:00", "end": "10:00", "riders": 4},
            {"id": "afternoon", "start": "14:00", "end": "16:00", "riders": 4},
        ],
    )
    document = _plan(drawing, day(("B2", 5, "morning"), ("B1", 10, "afternoon"), ("B2", 6, "afternoon")), ops)
    [left] = document["undelivered"]
    assert (left["building"], left["parcels"], left["cause"]) == ("B2", 6, "no_sealed_team")
    assert left["reason"].endswith(
        "the designated pair (pair) does not run in the afternoon shift; add afternoon to its shifts"
    )
    assert left["reason_zh"].endswith("指定的两人组（pair）在下午班不出车；请把 afternoon 加到它的出车班次里")
    [sealed_stop] = [s for s in _stops(document) if s["building"] == "B2"]
    assert (sealed_stop["shift"], sealed_stop["vehicle"], sealed_stop["parcels"]) == ("morning", "pair", 5)


def test_a_sealed_zone_seals_the_buildings_inside() -> None:
    drawing = three_on_a_lane()
    drawing.zone("quarantine", "Quarantine", (90, 2, 110, 20), sealed=True)  # around B1's footprint
    document = _plan(drawing, day(("B1", 5), ("B3", 5)), operations(fleet=[TRICYCLE]))
    assert [(u["building"], u["cause"]) for u in document["undelivered"]] == [("B1", "no_sealed_team")]


def _between_b1_and_b2_s(document: dict[str, Any]) -> int:
    """The ride between B1 and B2 (either way) of a plan of one trip."""
    [stops] = [trip["stops"] for crew in document["shifts"][0]["crews"] for trip in crew["trips"]]
    legs = {
        (a["building"], b["building"]): parse_clock(b["arrive"]) - parse_clock(a["depart"])  # type: ignore[operator]
        for a, b in itertools.pairwise(stops)
    }
    return legs.get(("B1", "B2"), legs.get(("B2", "B1"), -1))


def _fenced(*, round_it: bool = False) -> Any:
    """Three on a lane with a sealed small zone fenced across the lane between B1 and B2 (no
    building inside); `round_it`: a lane round the fence, 20 m + 30 m + 60 m + 30 m + 20 m = 160 m
    from B1's door to B2's where the straight way is 100 m."""
    drawing = three_on_a_lane()
    drawing.zone("zone-3", "Small zone 3", (140, -10, 160, 10), sealed=True)
    if round_it:
        drawing.lane("round", [(120, 0), (120, 30), (180, 30), (180, 0)])
    return drawing


def test_crews_go_round_a_sealed_zone_and_only_the_designated_pair_goes_through() -> None:
    """A sealed small zone was fenced off: only the designated pair went in. A tricycle does not
    ride through it: beyond the fence it reaches nothing (listed, with what would fix it), and
    with a lane round the fence it takes the longer way; the pair goes straight through."""
    the_day = day(("B1", 5), ("B2", 5), ("B3", 5))
    alone = _plan(_fenced(), the_day, operations(fleet=[TRICYCLE]))
    assert [(u["building"], u["cause"]) for u in alone["undelivered"]] == [
        ("B2", "behind_sealed_zone"),
        ("B3", "behind_sealed_zone"),
    ]
    assert "through the sealed zone (Small zone 3)" in alone["undelivered"][0]["reason"]
    assert "穿过封控区（Small zone 3）" in alone["undelivered"][0]["reason_zh"]

    around = _plan(_fenced(round_it=True), the_day, operations(fleet=[TRICYCLE]))
    assert around["undelivered"] == []
    assert _between_b1_and_b2_s(around) == 80  # 160 m at 2 m/s, not 100 m's 50 s
    # The card's map draws the way round; a designated pair's trip, straight through.
    round_graph = graph_of(_fenced(round_it=True))

    def drawn(**lanes: bool) -> str:
        svg = site_map_svg(round_graph, [RouteLine(("B1", "B2"), "tricycle", "#000", **lanes)])
        [path] = re.findall(r'class="route"[^>]* d="([^"]+)"', svg)
        return path

    assert drawn(fenced=True).count("L") == drawn(fenced=False).count("L") + 4  # the loop's 4 corners

    ops = operations(
        fleet=[TRICYCLE, PAIR], shifts=[{"id": "morning", "start": "08:00", "end": "10:00", "riders": 4}]
    )
    with_pair = _plan(_fenced(), the_day, ops)
    assert with_pair["undelivered"] == []
    by_building = {s["building"]: s["vehicle"] for s in _stops(with_pair)}
    assert by_building["B2"] == by_building["B3"] == "pair"
    [pair_crew] = [c for c in with_pair["shifts"][0]["crews"] if c["vehicle"] == "pair"]
    assert pair_crew["sealed_ok"] is True
    # Handed to the tricycle, the pair's trips would go through the fence: the checker says so.
    site_graph = graph_of(_fenced())
    pair_crew["vehicle"], pair_crew["mode"] = "tricycle", "tricycle"
    del pair_crew["sealed_ok"]
    violations = check_plan(site_graph, the_day, ops, with_pair)
    assert any("cannot reach building B2 outside the sealed zones" in v for v in violations), violations


def _replanned_a_minute_out(before: Any, after: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """80 parcels for B1 and 80 for B3 (two trips) planned on the map `before`, re-planned on the
    map `after` a minute after the first trip left, the re-plan checked: the trip kept and what
    was left, by building and cause."""
    ops = operations(shifts=[{"id": "morning", "start": "08:00", "end": "10:00", "riders": 2}])
    the_day = day(("B1", 80), ("B3", 80))
    first = _plan(before, the_day, ops)
    [crew] = first["shifts"][0]["crews"]
    assert len(crew["trips"]) == 2
    changed = graph_of(after)
    now = parse_clock(crew["trips"][0]["depart"]) + 60  # type: ignore[operator]
    frozen = frozen_part(first, site_id=changed.site.id, date=None, operations=ops, now_s=now)
    again = json.loads(
        json.dumps(plan_day(changed, the_day, ops, time_limit_s=LIMIT_S, frozen=frozen).to_dict())
    )
    assert check_plan(changed, the_day, ops, again, frozen=frozen) == []
    [kept] = [t for c in again["shifts"][0]["crews"] for t in c["trips"] if t.get("kept")]
    assert kept == {**crew["trips"][0], "kept": True}
    return kept, {u["building"]: u["cause"] for u in again["undelivered"]}


def test_a_zone_sealed_mid_shift_leaves_the_trips_on_the_road_as_they_went() -> None:
    """The zone is sealed at 08:10, while the first trip is out through it. The re-plan keeps
    that trip as it went (the checker does not judge it by a fence put up after it left) and
    fences only what goes out now: B3's parcels are behind the fence."""
    kept, left = _replanned_a_minute_out(three_on_a_lane(), _fenced())
    assert left == ({} if kept["stops"][0]["building"] == "B3" else {"B3": "behind_sealed_zone"})


def test_a_closed_lane_is_ridden_by_nobody_and_what_lies_beyond_is_listed_with_the_lane() -> None:
    """A barricade across a lane closes it to every crew, the designated pair as well: the day is
    planned (not refused), the buildings beyond are listed `lane_closed` naming the lane, a way
    round is taken where there is one, and the map marks the lane."""
    the_day = day(("B1", 5), ("B2", 5), ("B3", 5))
    ops = operations(
        fleet=[TRICYCLE, PAIR], shifts=[{"id": "morning", "start": "08:00", "end": "10:00", "riders": 4}]
    )
    cut = _plan(barricaded(), the_day, ops)
    assert [(u["building"], u["cause"]) for u in cut["undelivered"]] == [
        ("B2", "lane_closed"),
        ("B3", "lane_closed"),
    ]
    assert "runs along a lane closed today (Middle lane)" in cut["undelivered"][0]["reason"]
    assert "今天封闭的道路（Middle lane）" in cut["undelivered"][0]["reason_zh"]
    assert [s["building"] for s in _stops(cut)] == ["B1"]
    # The same plan's trips handed a site where the lane is open are valid; the other way round not.
    open_plan = _plan(barricaded(closed=False), the_day, ops)
    assert open_plan["undelivered"] == []
    violations = check_plan(graph_of(barricaded()), the_day, ops, open_plan)
    assert any("cannot reach building B2 with Middle lane closed" in v for v in violations), violations

    around = _plan(barricaded(round_it=True), the_day, operations(fleet=[TRICYCLE]))
    assert around["undelivered"] == []
    assert _between_b1_and_b2_s(around) == 80  # 160 m at 2 m/s, not 100 m's 50 s
    svg = site_map_svg(graph_of(barricaded(round_it=True)), [RouteLine(("B1", "B2"), "tricycle", "#000")])
    assert re.findall(r'class="lane closed" data-lane="(\w+)"', svg) == ["middle"]
    [path] = re.findall(r'class="route"[^>]* d="([^"]+)"', svg)
    straight = site_map_svg(graph_of(barricaded(closed=False)), [RouteLine(("B1", "B2"), "tricycle", "#000")])
    [straight_path] = re.findall(r'class="route"[^>]* d="([^"]+)"', straight)
    assert path.count("L") > straight_path.count("L")  # round the barricade's corners


def test_what_each_lane_cuts_off_while_closed() -> None:
    """What closing a lane costs, or what opening it again gives back, with the others as they
    are: with Middle lane closed, closing East lane too cuts off nothing more."""
    assert cut_off_by_lane(graph_of(barricaded(closed=False))) == {
        "west": {"B1", "B2", "B3"},
        "middle": {"B2", "B3"},
        "east": {"B2", "B3"},  # B2's door joins the lane at 200 m
    }
    assert cut_off_by_lane(graph_of(barricaded())) == {"west": {"B1"}, "middle": {"B2", "B3"}, "east": set()}
    assert cut_off_by_lane(graph_of(barricaded(round_it=True)))["middle"] == set()


def test_a_lane_closed_mid_shift_leaves_the_trips_on_the_road_as_they_went() -> None:
    """Closed at 08:10 while the first trip is out past it: the re-plan keeps that trip as it
    went (the checker does not judge it by a barricade put up after it left), and what goes out
    now does not pass the barricade."""
    kept, left = _replanned_a_minute_out(barricaded(closed=False), barricaded())
    assert left == ({} if kept["stops"][0]["building"] == "B3" else {"B3": "lane_closed"})


def test_trips_wait_for_the_sorter() -> None:
    ops = operations(
        fleet=[{**TRICYCLE, "count": 2}],
        shifts=[{"id": "morning", "start": "08:00", "end": "10:00", "riders": 4, "sorters": 1}],
        gate={"reload_s": 240, "sort_s_per_parcel": 10},
    )
    document = _plan(three_on_a_lane(), day(("B1", 80), ("B3", 80)), ops)
    trips = sorted(
        (trip for crew in document["shifts"][0]["crews"] for trip in crew["trips"]), key=lambda t: t["depart"]
    )
    assert [t["sorted_by"] for t in trips] == ["08:13:20", "08:26:40"]  # 80 parcels x 10 s, twice
    assert all(t["depart"] >= t["sorted_by"] for t in trips)


def _trips_of(document: dict[str, Any], building: str) -> list[dict[str, Any]]:
    return [
        trip
        for shift in document["shifts"]
        for crew in shift["crews"]
        for trip in crew["trips"]
        if any(stop["building"] == building for stop in trip["stops"])
    ]


def test_parcels_stand_at_the_gate_before_they_are_loaded() -> None:
    # B3's parcels arrive at 08:30 and stand an hour: loaded from 09:30. B1's full load has
    # stood since before the shift and goes first (a trip of its own: 80 parcels fill the tricycle).
    ops = operations(gate={"reload_s": 240, "stand_min": 60})
    document = _plan(three_on_a_lane(), day(("B1", 80), ("B3", 10, None, 0, "08:30")), ops)
    [b1_trip], [b3_trip] = _trips_of(document, "B1"), _trips_of(document, "B3")
    assert b1_trip["load"] < "09:30:00"
    assert b3_trip["load"] >= "09:30:00" and b3_trip["return"] <= "10:00:00"
    assert document["undelivered"] == []


def test_the_trip_with_parcels_that_stand_longest_goes_last() -> None:
    # Three full loads for B1 (12 min a trip) and B3's parcels, loadable from 09:40 only: all four
    # trips fit the morning only if B3's is the crew's last.
    ops = operations(gate={"reload_s": 240, "stand_min": 60})
    the_day = day(("B1", 240), ("B3", 10, None, 0, "08:40"))
    document = _plan(three_on_a_lane(), the_day, ops)
    [crew] = document["shifts"][0]["crews"]
    assert [stop["building"] for stop in crew["trips"][-1]["stops"]] == ["B3"]
    assert crew["trips"][-1]["load"] >= "09:40:00"
    assert document["undelivered"] == []


def test_the_seed_does_not_hold_ready_parcels_back_for_standing_ones() -> None:
    from optimizer.problem import build_day_model
    from optimizer.seed import schedule_seed, seed_trips

    # One trip could carry all 30 parcels, but B3's stand till 09:00: ridden together, B1's and
    # B2's would wait an hour at the gate. The seed sends them at 08:00 and B3's at 09:00.
    ops = operations(gate={"reload_s": 240, "stand_min": 60})
    model = build_day_model(
        graph_of(three_on_a_lane()), day(("B1", 10), ("B2", 10), ("B3", 10, None, 0, "08:00")), ops
    )
    [morning, _] = schedule_seed(model, seed_trips(model, time_limit_s=0.5))
    buildings = [sorted(str(model.visits[n].building) for n in trip) for trip in morning]
    assert buildings == [["B1", "B2"], ["B3"]]


def test_parcels_still_standing_at_the_shift_end_go_later_or_are_undelivered_with_that_cause() -> None:
    ops = operations(gate={"reload_s": 240, "stand_min": 60})
    the_day = day(("B1", 10, None, 0, "09:20"), ("B2", 5, "afternoon", 0, "15:30"))
    document = _plan(three_on_a_lane(), the_day, ops)
    [b1_trip] = _trips_of(document, "B1")  # ready 10:20, after the morning: the afternoon crew takes it
    assert b1_trip["load"] == "14:00:00"
    [late] = document["undelivered"]  # ready 16:30, after the afternoon ends
    assert (late["building"], late["parcels"], late["cause"]) == ("B2", 5, "standing")
    assert "loaded only from 16:30:00 (after standing 60 min at the gate)" in late["reason"]
    assert "要在门口静置 60 分钟，16:30:00 才能装车" in late["reason_zh"]


def test_the_checker_catches_parcels_loaded_before_they_stood() -> None:
    site_graph = graph_of(three_on_a_lane())
    ops = operations(gate={"reload_s": 240, "stand_min": 60})
    unhurried = _plan(three_on_a_lane(), day(("B1", 10), ("B3", 10)), ops)  # both out at 08:00
    violations = check_plan(site_graph, day(("B1", 10), ("B3", 10, None, 0, "08:30")), ops, unhurried)
    assert violations == [
        "building B3: 10 parcels loaded by 08:00:00, but only 0 had arrived and stood 60 min at the gate by then"
    ]


def test_crews_of_a_shift_are_balanced_when_one_would_work_far_longer() -> None:
    from optimizer.balance import unbalanced_s
    from optimizer.plan import build_plan
    from optimizer.planner import _finish_targets
    from optimizer.problem import build_day_model, crews_problem
    from optimizer.routing import solve_vrp

    ops = operations(
        fleet=[{**TRICYCLE, "count": 2}],
        shifts=[{"id": "morning", "start": "08:00", "end": "10:00", "riders": 4}],
        balance_min=10,
    )
    site_graph = graph_of(three_on_a_lane())
    the_day = day(("B3", 240), ("B1", 80))  # four full loads: three to B3, one to B1
    model = build_day_model(site_graph, the_day, ops)
    b3 = [n for n, v in enumerate(model.visits) if v.building == "B3"]
    b1 = [n for n, v in enumerate(model.visits) if v.building == "B1"]
    lopsided = [[[n] for n in b3], [b1]]  # crew 1 rides three trips, crew 2 one
    unbalanced = build_plan(model, lopsided)
    finishes = sorted(c.finish_s for c in unbalanced.shifts[0].crews)
    assert finishes[1] - finishes[0] > 10 * 60
    targets = _finish_targets(model, unbalanced)
    assert set(targets) == {0, 1}
    problem, layout = crews_problem(model, trips_per_crew=[4, 4], finish_by_s=targets)
    start = [[] for _ in problem.vehicles]
    for crew, trips in enumerate(lopsided):
        for slot, nodes in zip(layout.trips_of_crew[crew], trips, strict=False):
            start[slot] = nodes
    solution = solve_vrp(problem, time_limit_s=1.0, initial_routes=start)
    balanced = build_plan(model, [[solution.routes[v] for v in vs] for vs in layout.trips_of_crew])
    new_finishes = sorted(c.finish_s for c in balanced.shifts[0].crews)
    assert new_finishes[1] - new_finishes[0] < finishes[1] - finishes[0]
    assert balanced.crew_s <= 1.02 * unbalanced.crew_s
    # what the planner asks of a balancing search's plan before it keeps it and says "balanced"
    assert unbalanced_s(model, unbalanced) == finishes[1] - finishes[0] - 10 * 60
    assert unbalanced_s(model, balanced) < unbalanced_s(model, unbalanced)
    assert_valid(site_graph, the_day, ops, balanced)


def _two_batches_for_b3() -> tuple[Any, Any, dict[str, Any]]:
    """B3's 10 parcels from 06:30 are ready at the start; its 5 from 08:30 stand till 09:30."""
    ops = operations(gate={"reload_s": 240, "stand_min": 60})
    the_day = day(("B3", 5, None, 0, "08:30"), ("B1", 80), ("B3", 10, None, 0, "06:30"))
    return ops, the_day, _plan(three_on_a_lane(), the_day, ops)


def test_each_stop_names_the_batches_the_sorter_loads() -> None:
    _, _, document = _two_batches_for_b3()
    carried: dict[str, int] = {}
    for trip in _trips_of(document, "B3"):
        for stop in trip["stops"]:
            if stop["building"] != "B3":
                assert "batches" not in stop  # B1's parcels have no arrival time
                continue
            assert sum(b["parcels"] for b in stop["batches"]) == stop["parcels"]
            for batch in stop["batches"]:
                carried[batch["arrived"]] = carried.get(batch["arrived"], 0) + batch["parcels"]
                assert trip["load"] >= format_clock(parse_clock(batch["arrived"]) + 3600)
    assert carried == {"06:30:00": 10, "08:30:00": 5}


def test_the_checker_catches_a_batch_loaded_early_or_one_the_day_does_not_have() -> None:
    ops, the_day, document = _two_batches_for_b3()
    trip = _trips_of(document, "B3")[0]
    [stop] = [s for s in trip["stops"] if s["building"] == "B3"]
    half_an_hour_before = format_clock(parse_clock(trip["load"]) - 1800)
    stop["batches"] = [
        {"arrived": half_an_hour_before, "parcels": 1},
        {"arrived": "07:00:00", "parcels": stop["parcels"]},
    ]
    violations = check_plan(graph_of(three_on_a_lane()), the_day, ops, document)
    assert any(
        f"(building B3): loads the {half_an_hour_before} batch at {trip['load']}, before it has stood 60 min"
        in v
        for v in violations
    )
    assert any(
        f"batches hold {stop['parcels'] + 1} parcels, the stop {stop['parcels']}" in v for v in violations
    )
    assert (
        f"building B3: 1 parcels loaded from the {half_an_hour_before} batch, the day has 0 arriving then"
    ) in violations


def _nodes(model: Any) -> dict[tuple[str, int], int]:
    """(building, urgent parcels) -> node, for days with at most one node of each kind."""
    return {(str(v.building), v.urgent): n for n, v in enumerate(model.visits) if n and v.late_for is None}


def test_a_building_reached_twice_in_a_shift_is_served_once_where_the_trip_has_room() -> None:
    from optimizer.plan import build_plan
    from optimizer.problem import build_day_model
    from optimizer.stop_merge import merge_split_stops

    # The urgent run goes to B3 first; B3's other 10 parcels went with B1's on a later trip.
    ops = operations(fleet=[{**TRICYCLE, "capacity": 30}])
    the_day = day(("B1", 10), ("B3", 12, None, 2))
    model = build_day_model(graph_of(three_on_a_lane()), the_day, ops)
    node = _nodes(model)
    split = [[[node[("B3", 2)]], [node[("B1", 0)], node[("B3", 0)]]], []]  # morning crew, afternoon crew
    built = lambda trips: build_plan(model, trips)  # noqa: E731
    merged, moves = merge_split_stops(model, split, built, until=float("inf"))
    assert moves == 1
    assert merged[0] == [[node[("B3", 2)], node[("B3", 0)]], [node[("B1", 0)]]]
    before, after = built(split), built(merged)
    assert after.delivered == before.delivered == 22 and after.crew_s < before.crew_s
    document = assert_valid(graph_of(three_on_a_lane()), the_day, ops, after)
    [b3] = [s for s in _stops(document) if s["building"] == "B3"]
    assert (b3["parcels"], b3["urgent"]) == (12, 2)

    # No room either way (30 parcels a trip): the two stops stay.
    full = day(("B1", 18), ("B2", 25), ("B3", 13, None, 3))
    model = build_day_model(graph_of(three_on_a_lane()), full, ops)
    node = _nodes(model)
    split = [[[node[("B3", 3)], node[("B2", 0)]], [node[("B1", 0)], node[("B3", 0)]]], []]
    kept, moves = merge_split_stops(model, split, lambda trips: build_plan(model, trips), until=float("inf"))
    assert moves == 0 and kept == split


def test_a_shift_that_cannot_take_every_trip_takes_the_most_parcels_per_minute_first() -> None:
    from optimizer.problem import build_day_model
    from optimizer.seed import schedule_seed, seed_trips

    # Twenty minutes: one trip. B3's 30 parcels are the longer trip (300 m out), B1's 60 the
    # shorter: longest first would send 30 parcels, most parcels per minute sends 60.
    ops = operations(shifts=[{"id": "morning", "start": "08:00", "end": "08:20", "riders": 2}])
    model = build_day_model(graph_of(three_on_a_lane()), day(("B1", 60), ("B3", 30)), ops)
    trips = seed_trips(model, time_limit_s=0.3)
    assert sorted(len(t.nodes) for t in trips) == [1, 1]  # 90 parcels: two trips of a tricycle

    def sent(by_density: bool) -> list[list[str]]:
        [morning] = schedule_seed(model, trips, by_density=by_density)
        return [[str(model.visits[n].building) for n in trip] for trip in morning]

    assert sent(by_density=False) == [["B3"]]
    assert sent(by_density=True) == [["B1"]]


def test_parcels_left_from_one_shift_ride_with_the_next_shifts_to_the_same_building() -> None:
    from optimizer.problem import build_day_model
    from optimizer.seed import schedule_seed, seed_trips

    # The morning has time for one trip of two; B3's 70 morning parcels wait for the afternoon,
    # when 10 more come for B3: cut again together, one trip serves B3 once with all 80.
    ops = operations(
        shifts=[
            {"id": "morning", "start": "08:00", "end": "08:15", "riders": 2},
            {"id": "afternoon", "start": "14:00", "end": "16:00", "riders": 2},
        ]
    )
    the_day = day(("B1", 70, "morning"), ("B3", 70, "morning"), ("B3", 10, "afternoon"))
    model = build_day_model(graph_of(three_on_a_lane()), the_day, ops)
    trips = seed_trips(model, time_limit_s=0.3)

    def afternoon(recut_s: float) -> list[list[tuple[str, int]]]:
        _, later = schedule_seed(model, trips, recut_s=recut_s)
        return [[(str(model.visits[n].building), model.visits[n].parcels) for n in trip] for trip in later]

    assert afternoon(0.0) == [[("B3", 70)], [("B3", 10)]]
    assert [sorted(trip) for trip in afternoon(0.3)] == [[("B3", 10), ("B3", 70)]]
    document = _plan(three_on_a_lane(), the_day, ops)  # and the whole plan, checked
    assert document["summary"]["delivered"] == 150


def test_the_last_crews_last_trip_is_handed_to_the_crew_back_first() -> None:
    import time

    from optimizer.balance import hand_over_trips, unbalanced_s
    from optimizer.plan import build_plan
    from optimizer.problem import build_day_model

    ops = operations(
        fleet=[{**TRICYCLE, "count": 2}],
        shifts=[{"id": "morning", "start": "08:00", "end": "10:00", "riders": 4}],
        balance_min=10,
    )
    site_graph = graph_of(three_on_a_lane())
    the_day = day(("B3", 240), ("B1", 80))
    model = build_day_model(site_graph, the_day, ops)
    b3 = [n for n, v in enumerate(model.visits) if v.building == "B3"]
    b1 = [n for n, v in enumerate(model.visits) if v.building == "B1"]
    lopsided = [[[n] for n in b3], [b1]]
    unbalanced = build_plan(model, lopsided)
    trips, balanced, handed = hand_over_trips(
        model, lopsided, lambda t: build_plan(model, t), plan=unbalanced, until=time.monotonic() + 5
    )
    assert handed == 1 and trips == [[[b3[0]], [b3[1]]], [b1, [b3[2]]]]
    assert unbalanced_s(model, balanced) < unbalanced_s(model, unbalanced)
    assert balanced.delivered == unbalanced.delivered == 320
    assert_valid(site_graph, the_day, ops, balanced)
    # Without balance_min nothing is handed over.
    off = replace(model, operations=replace(ops, balance_min=None))
    assert (
        hand_over_trips(
            off, lopsided, lambda t: build_plan(off, t), plan=unbalanced, until=time.monotonic() + 5
        )[2]
        == 0
    )
