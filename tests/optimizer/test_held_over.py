"""Parcels a day left undelivered, held over into the next day's counts: they go first, count once,
and the sorter finds them on the load list. Three on a lane: B1..B3 at 100, 200, 300 m, 2 m/s."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from optimizer.cards.render import cards_html
from optimizer.check import check_plan
from optimizer.cli import main
from optimizer.clock import parse_clock
from optimizer.day import CountRow, Day, check_day, day_csv, parse_day_csv
from optimizer.errors import DayError, PlanError
from optimizer.held_over import held_over, held_over_rows, with_held_over
from optimizer.planner import plan_day
from optimizer.replan import frozen_part, remaining_day
from optimizer.site import parse_site
from tests.helpers import assert_valid, day, graph_of, operations, three_on_a_lane

ONE_TRIP = operations(shifts=[{"id": "morning", "start": "08:00", "end": "08:20", "riders": 2}])
"""Twenty minutes: one trip of at most 80 parcels, so not everything fits."""


def _held(the_day: Day, index: int, held_from: str | None) -> Day:
    rows = list(the_day.rows)
    rows[index] = replace(rows[index], held_from=held_from)
    return replace(the_day, rows=tuple(rows))


def _plan(the_day: Day, ops: Any = ONE_TRIP) -> dict[str, Any]:
    site_graph = graph_of(three_on_a_lane())
    return assert_valid(site_graph, the_day, ops, plan_day(site_graph, the_day, ops, time_limit_s=1.0))


def _stops(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        stop
        for shift in document["shifts"]
        for crew in shift["crews"]
        for trip in crew["trips"]
        for stop in trip["stops"]
    ]


def test_held_over_parcels_go_before_the_days_own_when_not_everything_fits() -> None:
    # One trip: B1's 80 parcels or B3's 60. Of the day's own, the 80 go; held over, B3's 60 do.
    own = day(("B1", 80), ("B3", 60))
    plain = _plan(own)
    assert [(s["building"], s["parcels"]) for s in _stops(plain)] == [("B1", 80)]
    held = _plan(_held(own, 1, "2022-04-27"))
    assert [(s["building"], s["parcels"], s.get("batches")) for s in _stops(held)] == [
        ("B3", 60, [{"held_from": "2022-04-27", "parcels": 60}])
    ]
    [left] = held["undelivered"]
    assert (left["building"], left["parcels"], "held_from" in left) == ("B1", 80, False)


def test_a_backlog_several_days_deep_goes_oldest_first() -> None:
    # One trip: B1's 80 parcels or B3's 60, both held over; B3's have waited a day longer.
    both = _held(_held(day(("B1", 80), ("B3", 60)), 0, "2022-04-27"), 1, "2022-04-26")
    assert [(s["building"], s["parcels"]) for s in _stops(_plan(both))] == [("B3", 60)]
    newer = _held(_held(day(("B1", 80), ("B3", 60)), 0, "2022-04-26"), 1, "2022-04-27")
    assert [(s["building"], s["parcels"]) for s in _stops(_plan(newer))] == [("B1", 80)]
    # urgent parcels of the day still go before the oldest held over
    urgent = replace(both, rows=(*both.rows, CountRow("B2", 70, urgent=70, line=3)))
    assert [(s["building"], s["parcels"]) for s in _stops(_plan(urgent))] == [("B2", 70)]


def test_what_is_left_over_is_held_into_the_next_day_once_and_planned_there() -> None:
    first = _plan(day(("B1", 80), ("B3", 60)))  # B3's 60 do not fit
    next_day = day(("B2", 10), date="2022-04-29")
    carried = with_held_over(next_day, first)
    assert [(r.building, r.parcels, r.held_from) for r in carried.rows] == [
        ("B2", 10, None),
        ("B3", 60, "2022-04-28"),
    ]
    assert with_held_over(carried, first).rows == carried.rows  # carried twice, counted once
    assert not held_over(next_day, first).in_counts  # said before it is added ...
    assert held_over(carried, first).in_counts  # ... and not once the day holds it
    # The day's rows of the same building, rewritten one by one, still hold the same parcels.
    split = replace(carried, rows=(carried.rows[0], *[replace(carried.rows[1], parcels=30)] * 2))
    assert held_over(split, first).in_counts
    fewer = replace(carried, rows=(carried.rows[0], replace(carried.rows[1], parcels=59)))
    waiting = held_over(fewer, first)
    assert not waiting.in_counts and waiting.replaced == (fewer.rows[1],)
    assert waiting.day.rows == carried.rows
    document = _plan(carried, operations())
    assert document["summary"]["delivered"] == 70
    assert {s["building"]: s.get("batches") for s in _stops(document)}["B3"] == [
        {"held_from": "2022-04-28", "parcels": 60}
    ]


def test_what_a_day_lacks_of_the_leftovers_is_carried_on_with_the_next_plans() -> None:
    """`not_in_counts`: per building and day held over from, what the day's counts lack (urgent
    ones first among what is lacking); carried into the day after as `forgotten`, held from the
    day they first came, and replaced there like the plan's own leftovers."""
    plan = {
        "date": "2022-04-28",
        "undelivered": [{"building": "B3", "parcels": 60, "urgent": 2}, {"building": "B1", "parcels": 5}],
    }
    partly = day(("B2", 10), date="2022-04-29")
    partly = replace(partly, rows=(*partly.rows, CountRow("B3", 20, held_from="2022-04-28")))
    lacking = held_over(partly, plan).not_in_counts
    assert [(r.building, r.parcels, r.urgent, r.held_from) for r in lacking] == [
        ("B3", 40, 2, "2022-04-28"),
        ("B1", 5, 0, "2022-04-28"),
    ]
    later_plan = {"date": "2022-04-29", "undelivered": [{"building": "B2", "parcels": 4}]}
    third = day(("B1", 1), date="2022-04-30")
    carried = held_over(third, later_plan, forgotten=lacking)
    assert sum(r.parcels for r in carried.held) == 4 + 45 and carried.forgotten == lacking
    assert [(r.building, r.parcels, r.held_from) for r in carried.day.rows] == [
        ("B1", 1, None),
        ("B2", 4, "2022-04-29"),
        ("B3", 40, "2022-04-28"),
        ("B1", 5, "2022-04-28"),
    ]
    assert held_over(carried.day, later_plan, forgotten=lacking).in_counts  # added once, said so
    assert held_over(carried.day, later_plan, forgotten=lacking).day.rows == carried.day.rows


def test_parcels_held_over_again_keep_the_day_they_first_came() -> None:
    plan = {
        "date": "2022-04-29",
        "undelivered": [
            {"building": "B3", "parcels": 5, "urgent": 1, "held_from": "2022-04-27"},
            {"building": "B1", "parcels": 7, "urgent": 0},
        ],
    }
    rows = held_over_rows(plan)
    assert [(r.building, r.parcels, r.urgent, r.held_from) for r in rows] == [
        ("B3", 5, 1, "2022-04-27"),
        ("B1", 7, 0, "2022-04-29"),
    ]
    with pytest.raises(PlanError, match="has no date"):
        held_over_rows({**plan, "date": None})
    with pytest.raises(DayError, match="only into a later day") as error:
        with_held_over(day(("B2", 1), date="2022-04-29"), plan)
    assert error.value.field == "date"


def test_held_from_is_read_checked_and_written_back() -> None:
    text = "building,parcels,urgent,held_from\nB1,4,1,2022-04-27\nB2,3,0,\n"
    the_day = parse_day_csv(text, date="2022-04-28")
    assert [(r.building, r.held_from) for r in the_day.rows] == [("B1", "2022-04-27"), ("B2", None)]
    again = parse_day_csv(day_csv(the_day), date="2022-04-28")
    assert [replace(r, line=0) for r in again.rows] == [replace(r, line=0) for r in the_day.rows]

    with pytest.raises(DayError, match="line 2: held_from must be a date YYYY-MM-DD") as error:
        parse_day_csv("building,parcels,held_from\nB1,4,2022-02-30\n")
    assert error.value.field == "held_from"
    with pytest.raises(DayError, match="both arrived and held_from") as error:
        parse_day_csv("building,parcels,arrived,held_from\nB1,4,10:30,2022-04-27\n")
    assert error.value.field == "held_from"
    site = three_on_a_lane().document()
    late = Day("2022-04-28", (CountRow("B1", 4, line=2, held_from="2022-04-28"),))
    with pytest.raises(DayError, match="line 2: building B1 held_from 2022-04-28 is not before") as error:
        check_day(late, parse_site(site), ONE_TRIP)
    assert error.value.field == "held_from"


def test_a_replan_takes_a_kept_trips_held_parcels_off_the_held_rows() -> None:
    # 95 parcels: two trips. The first is on the road; the re-plan's counts lose what it carries,
    # held-over parcels off the held-over row and the day's own off the day's rows.
    the_day = day(("B1", 50), ("B3", 30), date="2022-04-28")
    the_day = replace(the_day, rows=(*the_day.rows, CountRow("B3", 15, line=4, held_from="2022-04-27")))
    document = _plan(the_day, operations())
    trips = sorted(
        (t for s in document["shifts"] for c in s["crews"] for t in c["trips"]), key=lambda t: t["depart"]
    )
    assert len(trips) >= 2
    now_s = parse_clock(trips[0]["depart"])
    assert now_s is not None
    frozen = frozen_part(
        document, site_id="three-on-a-lane", date="2022-04-28", operations=operations(), now_s=now_s
    )
    left = remaining_day(the_day, frozen, operations())
    carried: dict[tuple[str, bool], int] = {}
    for stop in trips[0]["stops"]:
        held = sum(b["parcels"] for b in stop.get("batches", []) if "held_from" in b)
        carried[(stop["building"], True)] = held
        carried[(stop["building"], False)] = stop["parcels"] - held
    remaining = {(r.building, r.held_from is not None): r.parcels for r in left.rows}
    for key, before in {("B1", False): 50, ("B3", False): 30, ("B3", True): 15}.items():
        assert remaining[key] == before - carried.get(key, 0), key


def test_the_load_list_says_which_parcels_were_held_over() -> None:
    site_graph = graph_of(three_on_a_lane())
    the_day = _held(day(("B1", 80), ("B3", 60)), 1, "2022-04-27")
    document = _plan(the_day)
    english = cards_html(document, site_graph, lang="en", part="load_list")
    assert "60 held over from 4/27" in english
    assert "4月27日留下的60件" in cards_html(document, site_graph, lang="zh", part="load_list")
    broken = json.loads(json.dumps(document))
    broken["shifts"][0]["crews"][0]["trips"][0]["stops"][0]["batches"][0]["held_from"] = "yesterday"
    with pytest.raises(PlanError, match="'yesterday' is not a date"):
        cards_html(broken, site_graph, lang="en", part="load_list")


def test_the_checker_refuses_more_held_parcels_than_the_counts_hold() -> None:
    site_graph = graph_of(three_on_a_lane())
    the_day = _held(day(("B1", 80), ("B3", 60)), 1, "2022-04-27")
    document = _plan(the_day)
    batch = document["shifts"][0]["crews"][0]["trips"][0]["stops"][0]["batches"][0]
    batch["held_from"] = "2022-04-26"
    violations = check_plan(site_graph, the_day, ONE_TRIP, document)
    assert any("held over from 2022-04-26, the counts hold 0" in v for v in violations), violations


def test_cli_held_over_writes_the_next_days_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = {
        "date": "2022-04-28",
        "site": "three-on-a-lane",
        "shifts": [],  # nobody rode: every parcel of the day is left
        "undelivered": [{"building": "B3", "parcels": 6}],
    }
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    (tmp_path / "next.csv").write_text("building,parcels\nB1,4\n")
    out = tmp_path / "next-with-held.csv"
    args = ["held-over", str(tmp_path / "plan.json"), "--day", str(tmp_path / "next.csv")]
    assert main([*args, "--date", "2022-04-29", "--out", str(out)]) == 0
    assert "6 parcels of 1 buildings held over (2022-04-28)" in capsys.readouterr().out
    rows = parse_day_csv(out.read_text()).rows
    assert [(r.building, r.parcels, r.held_from) for r in rows] == [("B1", 4, None), ("B3", 6, "2022-04-28")]

    refused = tmp_path / "refused.csv"
    assert main([*args, "--date", "2022-04-28", "--out", str(refused)]) == 2
    assert "only into a later day" in capsys.readouterr().err
    assert not refused.exists()


def test_the_seeds_held_over_trip_takes_the_days_own_parcels_at_its_buildings() -> None:
    from optimizer.problem import build_day_model
    from optimizer.seed import schedule_seed, seed_trips

    # B3's 30 held over ride apart from the day's own (they go first); its 20 of today ride with
    # them, rather than on a second trip that stops at B3 again
    the_day = _held(day(("B3", 30), ("B1", 40), ("B3", 20)), 0, "2022-04-27")
    model = build_day_model(graph_of(three_on_a_lane()), the_day, operations())
    [morning, *_] = schedule_seed(model, seed_trips(model, time_limit_s=0.5))
    first = [(model.visits[n].building, model.visits[n].held_from) for n in morning[0]]
    assert first == [("B3", "2022-04-27"), ("B3", None)]
