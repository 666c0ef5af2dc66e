"""The checker finds what is wrong with a plan, and names where."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from optimizer.check import check_plan
from optimizer.planner import plan_day
from tests.helpers import day, graph_of, operations, three_on_a_lane

SITE_GRAPH = graph_of(three_on_a_lane())
OPS = operations()
DAY = day(("B1", 10, "morning"), ("B2", 10, "morning"), ("B3", 10, "afternoon"))


@pytest.fixture(scope="module")
def valid_plan() -> dict[str, Any]:
    plan = json.loads(json.dumps(plan_day(SITE_GRAPH, DAY, OPS, time_limit_s=1.0).to_dict()))
    assert check_plan(SITE_GRAPH, DAY, OPS, plan) == []
    return plan


def _first_trip(plan: dict[str, Any]) -> dict[str, Any]:
    trip: dict[str, Any] = plan["shifts"][0]["crews"][0]["trips"][0]
    return trip


def _set(
    path: Callable[[dict[str, Any]], dict[str, Any]], key: str, value: Any
) -> Callable[[dict[str, Any]], None]:
    return lambda plan: path(plan).__setitem__(key, value)


def _move_b3_to_morning(plan: dict[str, Any]) -> None:
    afternoon_stop = plan["shifts"][1]["crews"][0]["trips"][0]["stops"].pop()
    plan["shifts"][1]["crews"][0]["trips"][0]["parcels"] -= afternoon_stop["parcels"]
    _first_trip(plan)["stops"].append(dict(afternoon_stop))
    _first_trip(plan)["parcels"] += afternoon_stop["parcels"]


CASES = [
    (
        "arrives too soon",
        _set(lambda p: _first_trip(p)["stops"][0], "arrive", "08:04:10"),
        "stop 1: arrives at building",
    ),
    (
        "unreadable time",
        _set(lambda p: _first_trip(p)["stops"][0], "depart", None),
        "arrive/depart must be HH:MM:SS",
    ),
    ("too little loading", _set(_first_trip, "depart", "08:01:00"), "loading takes 240 s"),
    ("after the shift", _set(_first_trip, "return", "10:30:00"), "after the shift ends (10:00:00)"),
    (
        "unknown building",
        _set(lambda p: _first_trip(p)["stops"][0], "building", "B9"),
        "unknown building 'B9'",
    ),
    (
        "wrong riders",
        _set(lambda p: p["shifts"][0]["crews"][0], "riders", 1),
        "1 riders, but a tricycle needs 2",
    ),
    (
        "unknown vehicle",
        _set(lambda p: p["shifts"][0]["crews"][0], "vehicle", "tank"),
        "vehicle 'tank' is not in the fleet",
    ),
    ("summary off", _set(lambda p: p["summary"], "delivered", 31), "summary delivered is 31"),
    ("trip count off", _set(_first_trip, "parcels", 3), "says 3 parcels, its stops add up to"),
    ("wrong site", _set(lambda p: p, "site", "elsewhere"), "plan is for site 'elsewhere'"),
    (
        "delivered before arrival",
        _move_b3_to_morning,
        "building B3: more parcels delivered by the morning shift than had arrived (0)",
    ),
]


@pytest.mark.parametrize(("name", "tamper", "expected"), CASES, ids=[c[0] for c in CASES])
def test_tampered_plans_are_caught(
    valid_plan: dict[str, Any], name: str, tamper: Callable[[dict[str, Any]], None], expected: str
) -> None:
    plan = copy.deepcopy(valid_plan)
    tamper(plan)
    violations = check_plan(SITE_GRAPH, DAY, OPS, plan)
    assert any(expected in v for v in violations), violations


def test_a_stop_shorter_than_its_work_is_caught(valid_plan: dict[str, Any]) -> None:
    plan = copy.deepcopy(valid_plan)
    stop = _first_trip(plan)["stops"][0]
    stop["depart"] = stop["arrive"]
    violations = check_plan(SITE_GRAPH, DAY, OPS, plan)
    assert any("0 s at building" in v and "the stop takes 130 s" in v for v in violations), violations


def test_a_dropped_stop_must_be_listed_as_undelivered(valid_plan: dict[str, Any]) -> None:
    plan = copy.deepcopy(valid_plan)
    trip = _first_trip(plan)
    gone = trip["stops"].pop()
    trip["parcels"] -= gone["parcels"]
    violations = check_plan(SITE_GRAPH, DAY, OPS, plan)
    assert any(
        f"building {gone['building']}: 10 parcels in the day, 0 delivered + 0 undelivered" in v
        for v in violations
    )
    plan["undelivered"].append(
        {"building": gone["building"], "parcels": 10, "shift": "morning", "reason": ""}
    )
    violations = check_plan(SITE_GRAPH, DAY, OPS, plan)
    assert any("no reason given" in v for v in violations), violations


def test_undelivered_groups_that_do_not_say_what_the_entries_say_are_caught() -> None:
    short = operations(shifts=[{"id": "morning", "start": "08:00", "end": "08:09", "riders": 2}])
    the_day = day(("B1", 10), ("B2", 10), ("B3", 10))
    plan = json.loads(json.dumps(plan_day(SITE_GRAPH, the_day, short, time_limit_s=1.0).to_dict()))
    assert check_plan(SITE_GRAPH, the_day, short, plan) == []
    [group] = plan["undelivered_groups"]
    assert group["buildings"] == ["B2", "B3"]

    def violations(tamper: Callable[[dict[str, Any]], None]) -> list[str]:
        tampered = copy.deepcopy(plan)
        tamper(tampered)
        return check_plan(SITE_GRAPH, the_day, short, tampered)

    assert violations(_set(lambda p: p["undelivered_groups"][0], "parcels", 19)) == [
        "undelivered group 0: says 19 parcels, its buildings' entries 20"
    ]
    assert violations(_set(lambda p: p["undelivered_groups"][0], "buildings", ["B2"])) == [
        "undelivered group 0: says 20 parcels, its buildings' entries 10",
        "undelivered entry for building B3 (morning, shift_capacity) is in no undelivered group",
    ]
    assert violations(_set(lambda p: p["undelivered_groups"][0], "buildings", ["B2", "B3", "B1"])) == [
        "undelivered group 0 (morning, shift_capacity): buildings B1 have no undelivered entry of its shift and cause"
    ]
    assert violations(lambda p: p["undelivered_groups"].append(copy.deepcopy(group))) == [
        "undelivered group 1: buildings B2, B3 are in another group too"
    ]
    assert violations(_set(lambda p: p["undelivered_groups"][0], "reason", " ")) == [
        "undelivered group 0: no reason given"
    ]
    # a plan made before the groups has none, and is not held to them
    assert violations(lambda p: p.pop("undelivered_groups")) == []


def test_an_overloaded_trip_is_caught() -> None:
    the_day = day(("B1", 90))
    plan = json.loads(json.dumps(plan_day(SITE_GRAPH, the_day, OPS, time_limit_s=1.0).to_dict()))
    trips = [t for s in plan["shifts"] for c in s["crews"] for t in c["trips"]]
    assert sorted(t["parcels"] for t in trips) == [10, 80]
    merged = trips[0]
    merged["stops"][0]["parcels"] = 90
    merged["parcels"] = 90
    merged["stops"][0]["depart"] = "09:59:00"
    merged["return"] = "09:59:50"
    violations = check_plan(SITE_GRAPH, the_day, OPS, plan)
    assert any("carries 90 parcels, a tricycle holds 80" in v for v in violations), violations


def test_too_many_crews_for_the_roster_is_caught(valid_plan: dict[str, Any]) -> None:
    plan = copy.deepcopy(valid_plan)
    crews = plan["shifts"][0]["crews"]
    twin = copy.deepcopy(crews[0])
    twin["id"] = "morning-2"
    twin["trips"] = []
    crews.append(twin)
    violations = check_plan(SITE_GRAPH, DAY, OPS, plan)
    assert "shift morning: crews need 4 riders, the roster has 2" in violations
    assert "shift morning: 2 crews on tricycle, the fleet has 1 in this shift" in violations
