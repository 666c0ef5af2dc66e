"""Parcels a trip brought back: checked against what the trip carried, and carried into the next
day's counts when they are to be tried again. Three on a lane: B1..B3 at 100, 200, 300 m."""

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
from optimizer.day import CountRow, Day, day_csv, parse_day_csv, parse_day_json
from optimizer.errors import DayError
from optimizer.held_over import with_held_over
from optimizer.planner import plan_day
from optimizer.replan import frozen_part, remaining_day
from optimizer.returns import ReportError, TripReport, read_returned_csv, returned_rows, trip_report
from tests.helpers import assert_valid, day, fleet_entry, graph_of, operations, three_on_a_lane

SHORT = operations(shifts=[{"id": "morning", "start": "08:00", "end": "08:20", "riders": 2}])
"""Twenty minutes: one trip of at most 80 parcels, so B3's 30 are left for the next day."""


def _plan(the_day: Day) -> dict[str, Any]:
    site_graph = graph_of(three_on_a_lane())
    return assert_valid(site_graph, the_day, SHORT, plan_day(site_graph, the_day, SHORT, time_limit_s=1.0))


@pytest.fixture(scope="module")
def planned() -> dict[str, Any]:
    the_day = day(("B1", 30, None, 2), ("B2", 50), ("B3", 30))
    rows = list(the_day.rows)
    rows[1] = replace(rows[1], held_from="2022-04-26")  # B2's parcels were left two days before
    document = _plan(replace(the_day, rows=tuple(rows)))
    [crew] = document["shifts"][0]["crews"]
    [trip] = crew["trips"]
    assert {(s["building"], s["parcels"]) for s in trip["stops"]} == {("B1", 30), ("B2", 50)}
    assert [(u["building"], u["parcels"]) for u in document["undelivered"]] == [("B3", 30)]
    return document


def _crew(document: dict[str, Any]) -> str:
    return str(document["shifts"][0]["crews"][0]["id"])


def test_a_report_names_its_trip_and_what_came_back(planned: dict[str, Any]) -> None:
    crew = _crew(planned)
    report = trip_report(
        planned,
        crew,
        1,
        [
            {"building": "B1", "parcels": 3, "urgent": 1, "reason": "no_answer"},
            {"building": "B1", "parcels": 1, "reason": "refused"},
            {"building": "B2", "parcels": 5, "reason": "sealed"},
        ],
    )
    assert (report.shift, report.crew, report.trip, report.parcels) == ("morning", crew, 1, 80)
    assert report.depart == planned["shifts"][0]["crews"][0]["trips"][0]["depart"]
    assert (report.returned_parcels, report.again_parcels) == (9, 8)  # the refused one goes back
    # B2's parcels keep the day they first reached the gate, so they stay ahead of later ones.
    assert [(r.building, r.held_from) for r in report.returned] == [
        ("B1", None),
        ("B1", None),
        ("B2", "2022-04-26"),
    ]
    assert TripReport.from_dict(report.to_dict()) == report
    # A trip back with everything delivered is a report too; with the time it was back, it says how
    # far the plan's times held.
    trip = planned["shifts"][0]["crews"][0]["trips"][0]
    assert (report.planned_return, report.back_at, report.late_s) == (trip["return"], None, None)
    on_time = trip_report(planned, crew, 1, [], back_at="08:30")
    assert on_time.returned == () and on_time.back_at == "08:30:00"
    assert on_time.late_s == 8 * 3600 + 30 * 60 - parse_clock(trip["return"])
    assert TripReport.from_dict(on_time.to_dict()) == on_time
    for wrong in ("08:00", "7:59", "soon"):  # not after it left at 08:00 or later
        with pytest.raises(ReportError, match="cannot be back at") as refused:
            trip_report(planned, crew, 1, [], back_at=wrong)
        assert refused.value.field == "back_at"


def test_what_goes_again_joins_the_next_days_counts_and_refused_parcels_do_not(
    planned: dict[str, Any],
) -> None:
    report = trip_report(
        planned,
        _crew(planned),
        1,
        [
            {"building": "B1", "parcels": 3, "urgent": 1, "reason": "no_answer"},
            {"building": "B1", "parcels": 1, "reason": "refused"},
            {"building": "B2", "parcels": 5, "reason": "sealed"},
        ],
    )
    rows = returned_rows([report], held_from=planned["date"])
    assert [(r.building, r.parcels, r.urgent, r.held_from) for r in rows] == [
        ("B1", 3, 1, "2022-04-28"),
        ("B2", 5, 0, "2022-04-26"),
    ]
    # Into the same day instead (to go again today): back at the gate in the trip's shift when its
    # plan said (no time given), the older ones keeping their day.
    today = returned_rows([report], held_from=None)
    back = parse_clock(planned["shifts"][0]["crews"][0]["trips"][0]["return"])
    assert [(r.building, r.parcels, r.held_from, r.shift, r.back_s) for r in today] == [
        ("B1", 3, None, "morning", back),
        ("B2", 5, "2022-04-26", "morning", back),
    ]
    tomorrow = day(("B3", 10), date="2022-04-29")
    merged = with_held_over(tomorrow, planned, rows)
    held = [(r.building, r.parcels, r.held_from) for r in merged.rows if r.held_from]
    assert held == [("B3", 30, "2022-04-28"), ("B1", 3, "2022-04-28"), ("B2", 5, "2022-04-26")]
    # Carried over twice (the button pressed again): each parcel counted once.
    again = with_held_over(merged, planned, rows)
    assert [(r.building, r.parcels, r.held_from) for r in again.rows] == [
        (r.building, r.parcels, r.held_from) for r in merged.rows
    ]
    # The next day's plan takes them first: B1's 3 and B2's 5 held over go out, validated.
    next_plan = _plan(merged)
    delivered = {
        (s["building"], b.get("held_from"))
        for c in next_plan["shifts"][0]["crews"]
        for t in c["trips"]
        for s in t["stops"]
        for b in s.get("batches", [])
    }
    assert {("B1", "2022-04-28"), ("B2", "2022-04-26")} <= delivered


def test_urgent_parcels_brought_back_go_out_again_within_a_new_window() -> None:
    """Medicine nobody came down for is back at the gate at 09:20 and sent out again the same day:
    its hour counts from when it was back, so the re-plan at 09:25 takes it out again at once; its
    hour from the shift's start (08:00) had closed, and counted so it was listed as too late."""
    ops = operations(shifts=[{"id": "morning", "start": "08:00", "end": "12:00", "riders": 2}])
    site_graph = graph_of(three_on_a_lane())
    first_day = day(("B1", 10, None, 2), ("B2", 20))
    first = assert_valid(site_graph, first_day, ops, plan_day(site_graph, first_day, ops, time_limit_s=1.0))
    report = trip_report(
        first,
        _crew(first),
        1,
        [{"building": "B1", "parcels": 2, "urgent": 2, "reason": "no_answer"}],
        back_at="09:20",
    )
    [back] = returned_rows([report], held_from=None)
    assert (back.building, back.parcels, back.urgent, back.shift) == ("B1", 2, 2, "morning")
    assert back.back_s == parse_clock("09:20") and back.held_from is None
    # Without a time given, the trip is back when its plan said.
    [planned_back] = returned_rows([replace(report, back_at=None)], held_from=None)
    assert planned_back.back_s == parse_clock(first["shifts"][0]["crews"][0]["trips"][0]["return"])

    def replanned(row: CountRow) -> dict[str, Any]:
        same_day = replace(first_day, rows=(*first_day.rows, row))
        frozen = frozen_part(
            first, site_id=site_graph.site.id, date=None, operations=ops, now_s=9 * 3600 + 25 * 60
        )
        again = plan_day(site_graph, same_day, ops, time_limit_s=1.0, frozen=frozen).to_dict()
        again = json.loads(json.dumps(again))
        assert check_plan(site_graph, same_day, ops, again, frozen=frozen) == []
        return again

    again = replanned(back)
    assert again["undelivered"] == []
    [stop] = [
        stop
        for crew in again["shifts"][0]["crews"]
        for trip in crew["trips"]
        if not trip.get("kept")
        for stop in trip["stops"]
    ]
    assert (stop["building"], stop["parcels"], stop["urgent"]) == ("B1", 2, 2)
    assert "09:25:00" <= stop["arrive"] <= "10:20:00"
    # The sorter takes them from the pile of what came back, and the load list says so.
    assert stop["batches"] == [{"back_at": "09:20:00", "parcels": 2}]
    assert "2 brought back 09:20" in cards_html(again, site_graph, lang="en", part="load_list")
    assert "09:20带回的2件" in cards_html(again, site_graph, lang="zh", part="load_list")
    assert "late_urgent" not in stop
    # The same row as a plain one (its window from the shift's start, long closed) goes late.
    late = replanned(replace(back, back_s=None))
    assert late["undelivered"] == [] and late["summary"]["late_urgent"] == 2


def test_a_batch_brought_back_is_checked_against_the_counts_and_kept_by_a_re_plan() -> None:
    """Parcels held over from yesterday, taken out this morning and brought back at 08:40: the
    plan lists them as a batch of their own (still held over from yesterday), the checker refuses a
    batch the counts do not hold or one loaded before it was back, and a re-plan keeping the trip
    takes them off that row, not off the building's other parcels."""
    ops = operations(shifts=[{"id": "morning", "start": "08:00", "end": "12:00", "riders": 2}])
    site_graph = graph_of(three_on_a_lane())
    back = CountRow("B3", 3, shift="morning", line=3, held_from="2022-04-27", back_s=parse_clock("08:40"))
    the_day = Day("2022-04-28", (CountRow("B3", 20, line=2), back))
    plan = assert_valid(site_graph, the_day, ops, plan_day(site_graph, the_day, ops, time_limit_s=1.0))
    [(trip, stop)] = [
        (trip, stop)
        for crew in plan["shifts"][0]["crews"]
        for trip in crew["trips"]
        for stop in trip["stops"]
        if stop.get("batches")
    ]
    assert stop["batches"] == [{"back_at": "08:40:00", "held_from": "2022-04-27", "parcels": 3}]
    assert trip["load"] >= "08:40:00"
    assert "3 brought back 08:40" in cards_html(plan, site_graph, lang="en", part="load_list")

    def violations(**changed: str) -> list[str]:
        broken = json.loads(json.dumps(plan))
        [batch] = next(
            s["batches"]
            for c in broken["shifts"][0]["crews"]
            for t in c["trips"]
            for s in t["stops"]
            if s.get("batches")
        )
        batch.update(changed)
        return check_plan(site_graph, the_day, ops, broken)

    assert any("brought back at 08:50:00, the counts hold 0" in v for v in violations(back_at="08:50:00"))
    early = violations(back_at="23:00:00")
    assert any("before they were back" in v for v in early), early
    frozen = frozen_part(
        plan, site_id=site_graph.site.id, date=None, operations=ops, now_s=parse_clock(trip["depart"]) or 0
    )
    left = remaining_day(the_day, frozen, ops)
    delivered_own = sum(s["parcels"] for s in trip["stops"] if s["building"] == "B3") - 3
    assert [(r.parcels, r.back_s) for r in left.rows] == [(20 - delivered_own, None), (0, back.back_s)]


def test_parcels_back_too_late_for_another_trip_say_so_and_wait_for_the_next_day() -> None:
    ops = operations(shifts=[{"id": "morning", "start": "08:00", "end": "10:00", "riders": 2}])
    site_graph = graph_of(three_on_a_lane())
    back = CountRow("B3", 4, shift="morning", line=3, back_s=parse_clock("09:58"))
    the_day = Day("2022-04-28", (CountRow("B1", 10, line=2), back))
    plan = assert_valid(site_graph, the_day, ops, plan_day(site_graph, the_day, ops, time_limit_s=1.0))
    [left] = plan["undelivered"]
    assert (left["building"], left["parcels"], left["cause"]) == ("B3", 4, "standing")
    assert "a trip brought them back to the gate at 09:58:00, too late" in left["reason"]
    assert "held over into the next day" in left["reason"] and "才被带回大门" in left["reason_zh"]


def test_back_at_is_read_checked_and_written_back() -> None:
    """Rows sent out again carry when they were back (`back_at`, 带回时间) through a saved day's
    CSV and JSON, so a sheet of the day uploaded again keeps them apart from the day's own."""
    text = "building,parcels,urgent,held_from,back_at\nB1,4,1,,11:20\nB2,3,0,2022-04-27,09:05\nB3,2,0,,\n"
    the_day = parse_day_csv(text, date="2022-04-28")
    assert [(r.building, r.back_s, r.loadable_s(30)) for r in the_day.rows] == [
        ("B1", parse_clock("11:20"), parse_clock("11:20")),
        ("B2", parse_clock("09:05"), parse_clock("09:05")),
        ("B3", None, 0),
    ]
    again = parse_day_csv(day_csv(the_day), date="2022-04-28")
    assert [replace(r, line=0) for r in again.rows] == [replace(r, line=0) for r in the_day.rows]
    chinese = parse_day_csv("楼号,件数,带回时间\n1号楼,4,11:20\n")
    assert chinese.rows[0].back_s == parse_clock("11:20")
    as_json = parse_day_json({"counts": [{"building": "B1", "parcels": 4, "back_at": "11:20:00"}]})
    assert as_json.rows[0].back_s == parse_clock("11:20")
    for bad, words, zh in (
        ("B1,4,,soon", "line 2: back_at must be a time of day HH:MM, got 'soon'", "带回时间要写成 时:分"),
        ("B1,4,10:30,11:20", "both arrived and back_at", "带回的件出发前已经在门口放过"),
    ):
        with pytest.raises(DayError, match=words) as error:
            parse_day_csv(f"building,parcels,arrived,back_at\n{bad}\n")
        assert error.value.field == "back_at" and error.value.zh is not None and zh in error.value.zh


@pytest.mark.parametrize(
    ("crew", "trip", "returned", "field", "words"),
    [
        ("evening-1", 1, [], "crew", "no crew 'evening-1'"),
        (None, 2, [], "trip", "trips 1 to 1 in this plan, not 2"),
        (
            None,
            1,
            [{"building": "B3", "parcels": 1, "reason": "no_answer"}],
            "returned[0].building",
            "did not go to building 'B3'",
        ),
        (
            None,
            1,
            [{"building": "B1", "parcels": 31, "reason": "no_answer"}],
            "returned[0].parcels",
            "took 30 parcels to building B1",
        ),
        (
            None,
            1,
            [
                {"building": "B1", "parcels": 20, "reason": "no_answer"},
                {"building": "B1", "parcels": 11, "reason": "refused"},
            ],
            "returned[1].parcels",
            "so 31 cannot have come back",
        ),
        (
            None,
            1,
            [{"building": "B1", "parcels": 0, "reason": "no_answer"}],
            "returned[0].parcels",
            "from 1 up",
        ),
        (
            None,
            1,
            [{"building": "B1", "parcels": 2, "reason": "lost"}],
            "returned[0].reason",
            "'lost' is not a reason",
        ),
        (
            None,
            1,
            [{"building": "B1", "parcels": 2, "urgent": 3, "reason": "other"}],
            "returned[0].urgent",
            "give from 0 to 2",
        ),
        (
            None,
            1,
            [{"building": "B2", "parcels": 2, "urgent": 1, "reason": "other"}],
            "returned[0].urgent",
            "took 0 urgent parcels",
        ),
    ],
)
def test_a_report_the_trip_could_not_have_made_is_refused_naming_the_field(
    planned: dict[str, Any],
    crew: str | None,
    trip: int,
    returned: list[dict[str, Any]],
    field: str,
    words: str,
) -> None:
    with pytest.raises(ReportError) as refused:
        trip_report(planned, crew or _crew(planned), trip, returned)
    assert refused.value.field == field
    assert words in refused.value.message
    assert field in refused.value.zh


def test_a_sheet_of_what_came_back_is_read_trip_by_trip_and_checked_naming_its_line(
    planned: dict[str, Any],
) -> None:
    crew = _crew(planned)
    sheet = f"组,趟,楼号,件数,原因\n{crew},1,B1,3,没人下来取\n{crew},1,B2,2,refused\n\n{crew},1,B1,1,\n"
    [report] = read_returned_csv(sheet, planned, source="back.csv")
    assert [(r.building, r.parcels, r.reason) for r in report.returned] == [
        ("B1", 3, "no_answer"),
        ("B2", 2, "refused"),
        ("B1", 1, "no_answer"),
    ]
    with pytest.raises(ReportError) as refused:
        read_returned_csv(
            f"crew,trip,building,parcels\n{crew},1,B1,3\n{crew},1,B3,1\n", planned, source="back.csv"
        )
    assert refused.value.field == "line 3" and refused.value.message.startswith("back.csv: line 3: ")
    assert "did not go to building 'B3'" in refused.value.message and "第 3 行" in refused.value.zh
    with pytest.raises(ReportError, match="line 2: trip, parcels and urgent must be whole numbers"):
        read_returned_csv(f"crew,trip,building,parcels\n{crew},one,B1,3\n", planned)
    with pytest.raises(ReportError, match="needs the columns crew,trip,building,parcels; parcels missing"):
        read_returned_csv("crew,trip,building\n", planned)


def test_a_sheet_names_a_crew_as_the_chinese_load_list_prints_it(planned: dict[str, Any]) -> None:
    """The load list in Chinese says 上午1组 where the plan says morning-1: a sorter copying it into
    the sheet of what came back writes either, and both mean the one trip."""
    crew = _crew(planned)
    assert crew == "morning-1"
    sheet = "组,趟,楼号,件数,原因\n上午1组,1,B1,3,没人下来取\nmorning-1,1,B2,2,refused\n上午1,1,B1,1,\n"
    [report] = read_returned_csv(sheet, planned, source="back.csv")
    assert report.crew == crew
    assert [(r.building, r.parcels) for r in report.returned] == [("B1", 3), ("B2", 2), ("B1", 1)]
    with pytest.raises(ReportError) as refused:
        read_returned_csv("组,趟,楼号,件数\n下午1组,1,B1,3\n", planned, source="back.csv")
    assert refused.value.zh == "back.csv：第 2 行：crew：路线计划里没有「下午1组」这个组；有的是 上午1组"
    with pytest.raises(ReportError) as refused:
        trip_report(planned, "上午1组", 1, [{"building": "B3", "parcels": 1, "reason": "no_answer"}])
    assert refused.value.zh.startswith("returned[0].building：上午1组第 1 趟没有去「B3」")


def test_a_sheet_names_a_building_as_people_write_its_number(planned: dict[str, Any]) -> None:
    """The load list prints 64号楼 for stop 64 (here B1号楼 for B1): copied as printed, it is that stop."""
    sheet = "组,趟,楼号,件数\n上午1组,1,B1号楼,2\n上午1组,1,B2栋,1\n"
    [report] = read_returned_csv(sheet, planned, source="back.csv")
    assert [(r.building, r.parcels) for r in report.returned] == [("B1", 2), ("B2", 1)]
    with pytest.raises(ReportError, match="did not go to building 'B3号楼'"):
        trip_report(planned, "morning-1", 1, [{"building": "B3号楼", "parcels": 1, "reason": "no_answer"}])


def test_cli_held_over_adds_what_the_trips_brought_back(
    planned: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "plan.json").write_text(json.dumps(planned))
    (tmp_path / "next.csv").write_text("building,parcels\nB1,4\n")
    crew = _crew(planned)
    (tmp_path / "back.csv").write_text(
        f"crew,trip,building,parcels,reason\n{crew},1,B2,5,sealed\n{crew},1,B1,2,refused\n"
    )
    out = tmp_path / "next-with-held.csv"
    args = [
        "held-over",
        str(tmp_path / "plan.json"),
        "--day",
        str(tmp_path / "next.csv"),
        "--date",
        "2022-04-29",
    ]
    assert main([*args, "--returned", str(tmp_path / "back.csv"), "--out", str(out)]) == 0
    assert (
        "35 parcels of 2 buildings held over (2022-04-26, 2022-04-28), 5 of them brought back"
        in capsys.readouterr().out
    )
    rows = [(r.building, r.parcels, r.held_from) for r in parse_day_csv(out.read_text()).rows]
    assert rows == [("B1", 4, None), ("B3", 30, "2022-04-28"), ("B2", 5, "2022-04-26")]
    # A line the trip could not have brought back: exit 2 naming the line, nothing written.
    (tmp_path / "bad.csv").write_text(f"crew,trip,building,parcels\n{crew},1,B2,51\n")
    refused = tmp_path / "refused.csv"
    assert main([*args, "--returned", str(tmp_path / "bad.csv"), "--out", str(refused)]) == 2
    assert "bad.csv: line 2: returned[0].parcels" in capsys.readouterr().err
    assert not refused.exists()


def test_cli_send_again_adds_what_came_back_to_the_same_day_for_a_replan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without the server: the sheet of what came back joins the same day's counts, marked back
    at the trip's time, and `plan --frozen --now` sends it out again keeping the trip that left."""
    ops_path = tmp_path / "ops.json"
    ops_path.write_text(
        json.dumps(
            {
                "shifts": [{"id": "morning", "start": "08:00", "end": "12:00", "riders": 2}],
                "fleet": [fleet_entry("tricycle")],
            }
        )
    )
    site_path = tmp_path / "site.geojson"
    three_on_a_lane().write(site_path)
    today = tmp_path / "2022-04-28.csv"
    today.write_text("building,parcels,urgent\nB1,10,2\nB2,20,0\n")
    plan_path = tmp_path / "plan.json"
    common = ["--site", str(site_path), "--ops", str(ops_path), "--time-limit", "1"]
    assert main(["plan", *common, "--day", str(today), "--out", str(plan_path)]) == 0
    plan = json.loads(plan_path.read_text())
    [crew] = plan["shifts"][0]["crews"]
    sheet = tmp_path / "back.csv"
    sheet.write_text(f"crew,trip,building,parcels,urgent,back_at\n{crew['id']},1,B1,2,2,09:20\n")
    again = tmp_path / "again.csv"
    capsys.readouterr()
    args = ["send-again", str(plan_path), "--day", str(today), "--returned", str(sheet), "--out", str(again)]
    assert main(args) == 0
    assert "2 parcels brought back added to go out again (2 urgent)" in capsys.readouterr().out
    rows = parse_day_csv(again.read_text()).rows
    assert [(r.building, r.parcels, r.urgent, r.shift, r.back_s) for r in rows] == [
        ("B1", 10, 2, None, None),
        ("B2", 20, 0, None, None),
        ("B1", 2, 2, "morning", parse_clock("09:20")),
    ]
    replanned = tmp_path / "replanned.json"
    frozen = ["--frozen", str(plan_path), "--now", "09:25"]
    assert main(["plan", *common, "--day", str(again), *frozen, "--out", str(replanned)]) == 0
    document = json.loads(replanned.read_text())
    assert document["undelivered"] == []
    check = ["check", str(site_path), str(again), str(ops_path), str(replanned)]
    assert main([*check, "--frozen", str(plan_path), "--now", "09:25"]) == 0  # validated
    [stop] = [
        s for c in document["shifts"][0]["crews"] for t in c["trips"] if not t.get("kept") for s in t["stops"]
    ]
    assert (stop["building"], stop["parcels"], stop["urgent"]) == ("B1", 2, 2) and stop["arrive"] >= "09:25"
    # Another day's counts: refused, nothing written.
    other = tmp_path / "2022-04-29.csv"
    other.write_text("building,parcels\nB1,1\n")
    refused = tmp_path / "refused.csv"
    args = [
        "send-again",
        str(plan_path),
        "--day",
        str(other),
        "--returned",
        str(sheet),
        "--out",
        str(refused),
    ]
    assert main(args) == 2 and not refused.exists()
    assert "the plan is for 2022-04-28, the counts for 2022-04-29" in capsys.readouterr().err
