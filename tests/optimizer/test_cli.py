"""The command line: a plan end to end, and one clear line for each kind of bad input."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from optimizer.cli import _progress_printer, main
from optimizer.clock import format_clock, parse_clock
from optimizer.day import load_day, with_building_ids
from optimizer.plan_file import check_plan_shape
from optimizer.planner import PlanProgress
from optimizer.site import load_site
from tests.helpers import FIXTURES, three_on_a_lane

OPS = FIXTURES / "tiny" / "ops-one-tricycle.json"
SITE = FIXTURES / "tiny" / "three-on-a-lane.geojson"


def _files(
    tmp_path: Path, *, site: Any = None, counts: str | None = None, ops: Any = None
) -> dict[str, Path]:
    paths = {
        "site": tmp_path / "site.geojson",
        "day": tmp_path / "2022-04-28.csv",
        "ops": tmp_path / "ops.json",
    }
    paths["site"].write_text(
        site if isinstance(site, str) else json.dumps(site or three_on_a_lane().document())
    )
    paths["day"].write_text(counts if counts is not None else "building,parcels\nB1,10\nB2,5\n")
    paths["ops"].write_text(ops if isinstance(ops, str) else json.dumps(ops or json.loads(OPS.read_text())))
    return paths


def _plan_args(paths: dict[str, Path], out: Path, *extra: str) -> list[str]:
    return [
        "plan",
        "--site",
        str(paths["site"]),
        "--day",
        str(paths["day"]),
        "--ops",
        str(paths["ops"]),
        "--out",
        str(out),
        "--time-limit",
        "0.5",
        *extra,
    ]


def test_plan_then_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = _files(tmp_path)
    out = tmp_path / "plans" / "plan.json"
    assert main(_plan_args(paths, out)) == 0
    printed = capsys.readouterr().out
    assert "15 parcels, 15 delivered, 0 undelivered" in printed and "morning" in printed
    plan = json.loads(out.read_text())
    assert plan["date"] == "2022-04-28" and plan["summary"]["delivered"] == 15
    assert main(["check", str(paths["site"]), str(paths["day"]), str(paths["ops"]), str(out)]) == 0
    assert "plan is valid" in capsys.readouterr().out
    assert main(["notices", str(out), "--site", str(paths["site"]), "--lang", "en"]) == 0
    notices = capsys.readouterr().out.splitlines()
    stops = sum(len(t["stops"]) for s in plan["shifts"] for c in s["crews"] for t in c["trips"])
    assert len([line for line in notices if line.startswith("About ")]) == stops
    written = tmp_path / "notices.txt"
    assert main(["notices", str(out), "--site", str(paths["site"]), "--out", str(written)]) == 0
    assert written.read_text().startswith("【")
    plan["shifts"][0]["crews"][0]["trips"][0]["return"] = "23:00:00"
    out.write_text(json.dumps(plan))
    assert main(["check", str(paths["site"]), str(paths["day"]), str(paths["ops"]), str(out)]) == 1
    assert "after the shift ends" in capsys.readouterr().out


def test_a_short_day_prints_one_line_per_reason_with_its_buildings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def short(document: dict[str, Any]) -> None:
        document["shifts"] = [{"id": "morning", "start": "08:00", "end": "08:09", "riders": 2, "sorters": 1}]

    paths = _files(tmp_path, counts="building,parcels\nB1,10\nB2,10\nB3,10\n", ops=_ops_with(short))
    out = tmp_path / "plan.json"
    assert main(_plan_args(paths, out)) == 0
    printed = capsys.readouterr().out.splitlines()
    start = printed.index("undelivered: 20 parcels at 2 buildings:")
    assert printed[start + 1].startswith(
        "  - 20 parcels from the morning shift at 2 buildings did not fit in the crews' time; one more"
    )
    assert printed[start + 2] == "    B2 (10), B3 (10)"
    assert main(["check", str(paths["site"]), str(paths["day"]), str(paths["ops"]), str(out)]) == 0


def test_urgent_parcels_gone_late_are_listed_with_their_times(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def five_minutes(document: dict[str, Any]) -> None:
        document["urgent_within_min"] = 5  # loading takes 4: B3 is too far

    paths = _files(tmp_path, counts="building,parcels,shift,urgent\nB3,10,,3\n", ops=_ops_with(five_minutes))
    out = tmp_path / "plan.json"
    assert main(_plan_args(paths, out)) == 0
    printed = capsys.readouterr().out.splitlines()
    start = printed.index(
        "late: 3 urgent parcels past their window at 1 building (no crew could bring them sooner):"
    )
    [stop] = json.loads(out.read_text())["shifts"][0]["crews"][0]["trips"][0]["stops"]
    assert printed[start + 1] == f"    B3 (3, {stop['arrive'][:5]})"


def test_a_chinese_terminal_gets_the_plan_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def short(document: dict[str, Any]) -> None:
        document["shifts"] = [{"id": "morning", "start": "08:00", "end": "08:09", "riders": 2, "sorters": 1}]
        document["urgent_within_min"] = 5

    paths = _files(
        tmp_path, counts="building,parcels,shift,urgent\nB1,10,,1\nB2,10,,0\nB3,10,,0\n", ops=_ops_with(short)
    )
    out = tmp_path / "plan.json"
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert main(_plan_args(paths, out)) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].endswith("（每栋通知一户）：共 30 件，送达 10 件，未送达 20 件")
    # the table's columns line up in a terminal, where a Chinese character takes two
    head, morning = printed[1], printed[2]
    assert head.startswith("班次        时间") and morning.startswith("上午班      08:00-08:09")
    assert printed[3].startswith("合计：1 趟，")
    start = printed.index("未送达：2 栋楼的 20 件：")
    assert printed[start + 1].startswith("  - 2 栋楼上午班的 20 件在各组的时间里送不完")
    assert printed[-1] == f"路线计划已写入 {out}"
    assert main(["check", str(paths["site"]), str(paths["day"]), str(paths["ops"]), str(out)]) == 0
    assert capsys.readouterr().out == "路线计划无误：30 件中送达 10 件\n"


def _site_with(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    document = three_on_a_lane().document()
    change(document)
    return document


def _ops_with(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(OPS.read_text())
    change(document)
    return document


def _duplicate_b2(document: dict[str, Any]) -> None:
    document["features"].append(next(f for f in document["features"] if f["properties"].get("id") == "B2"))


def _no_gate(document: dict[str, Any]) -> None:
    document["features"] = [f for f in document["features"] if f["properties"]["kind"] != "gate"]


def _island(document: dict[str, Any]) -> None:
    drawing = three_on_a_lane()
    drawing.lane("island-lane", [(0, 500), (50, 500)])
    drawing.building({"id": "I1", "households": 3, "floors": 2}, (10, 505, 20, 515))
    document.update(drawing.document())


@pytest.fixture(autouse=True)
def _english_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages in English whatever the machine's locale (a Chinese one gets them in Chinese)."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)


BAD = [
    ("malformed GeoJSON", {"site": "{not json"}, "not valid JSON at line 1"),
    ("malformed CSV", {"counts": "building,parcels\nB1,3,4\n"}, "line 2: 3 fields, the header has 2"),
    ("duplicate id", {"site": _site_with(_duplicate_b2)}, "duplicate building id 'B2'"),
    ("no gate", {"site": _site_with(_no_gate)}, "site has no gate"),
    ("unreachable building", {"site": _site_with(_island)}, "building 'I1' cannot be reached from the gate"),
    ("unknown building", {"counts": "building,parcels\nB1,3\nB7,2\n"}, "line 3: unknown building 'B7'"),
    ("negative count", {"counts": "building,parcels\nB1,-3\n"}, "line 2: parcels must not be negative"),
    ("non-integer count", {"counts": "building,parcels\nB1,1.5\n"}, "line 2: parcels must be a whole number"),
    (
        "unknown shift",
        {"counts": "building,parcels,shift\nB1,3,morning\nB2,2,noon\n"},
        "line 3: unknown shift 'noon' for building B2; the roster has afternoon, morning",
    ),
    (
        "shift ends first",
        {"ops": _ops_with(lambda d: d["shifts"][0].update(end="07:00"))},
        "shift 'morning' ends (07:00) before it starts (08:00)",
    ),
    (
        "zero capacity",
        {"ops": _ops_with(lambda d: d["fleet"][0].update(capacity=0))},
        "'capacity' must be at least 1",
    ),
    (
        "zero speed",
        {"ops": _ops_with(lambda d: d["fleet"][0].update(speed_kmh=0))},
        "'speed_kmh' must be more than 0",
    ),
    ("zero crew", {"ops": _ops_with(lambda d: d["fleet"][0].update(crew=0))}, "'crew' must be at least 1"),
    (
        "unknown policy in ops",
        {"ops": _ops_with(lambda d: d["stop"].update(policy="yell"))},
        "unknown stop policy 'yell'",
    ),
]


def test_the_sheet_command_writes_a_sheet_excel_opens_and_plan_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = FIXTURES / "gelin-spring" / "site.geojson"
    out = tmp_path / "sheet.csv"
    assert main(["sheet", "--site", str(site), "--out", str(out)]) == 0
    assert "sheet of 125 buildings" in capsys.readouterr().out
    data = out.read_bytes()
    assert data.startswith("\ufeff楼号,件数\n1号楼,\n".encode())  # the mark Excel needs to read UTF-8
    assert len(data.decode("utf-8-sig").splitlines()) == 126
    filled = tmp_path / "2022-04-25.csv"
    filled.write_text(data.decode("utf-8-sig").replace("\n7号楼,\n", "\n7号楼,5\n"), encoding="utf-8")
    day = with_building_ids(load_day(filled), load_site(site))
    assert [(r.building, r.parcels) for r in day.rows] == [("7", 5)]


def test_the_roster_command_writes_operations_to_start_from_that_plan_a_day(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ops = tmp_path / "ops.json"
    assert main(["roster", "--out", str(ops)]) == 0
    assert "上午 08:00-11:30" in capsys.readouterr().out
    assert json.loads(ops.read_text(encoding="utf-8"))["shifts"][1]["id"] == "下午"
    site = FIXTURES / "gelin-spring" / "site.geojson"
    day = tmp_path / "2022-04-25.csv"
    day.write_text("楼号,件数,班次\n7号楼,5,下午\n12号楼,30,上午\n", encoding="utf-8")
    out = tmp_path / "plan.json"
    args = ["plan", "--site", str(site), "--day", str(day), "--ops", str(ops), "--out", str(out)]
    assert main([*args, "--time-limit", "1"]) == 0
    assert main(["check", str(site), str(day), str(ops), str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["delivered"] == 35
    # an edited roster is never replaced by the starting one
    ops.write_text(ops.read_text(encoding="utf-8").replace('"riders": 2', '"riders": 4'), encoding="utf-8")
    edited = ops.read_bytes()
    capsys.readouterr()
    assert main(["roster", "--out", str(ops), "--lang", "en"]) == 2
    assert "ops.json exists: give another --out, or remove it first" in capsys.readouterr().err
    assert ops.read_bytes() == edited


@pytest.mark.parametrize(("name", "files", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, files: dict[str, Any], message: str
) -> None:
    paths = _files(tmp_path, **files)
    out = tmp_path / "plan.json"
    assert main(_plan_args(paths, out)) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith("onebell: error: "), error
    assert message in error
    assert not out.exists()
    assert set(tmp_path.iterdir()) == set(paths.values())


def test_staffing_refuses_counts_for_a_shift_the_roster_lacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # it split the day by shift and dropped such rows: "0 parcels" in every shift, no word why
    paths = _files(tmp_path, counts="building,parcels,shift\nB1,3,noon\n")
    args = ["staffing", "--site", str(paths["site"]), "--day", str(paths["day"]), "--ops", str(paths["ops"])]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert "line 2: unknown shift 'noon' for building B1" in captured.err
    assert captured.out == ""


def test_staffing_says_how_many_more_vehicles_clear_a_shift_the_fleet_cannot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # 25 minutes: one tricycle takes B3's 80 parcels or B1's, not both; the roster has one
    short = _ops_with(lambda d: [shift.update(end=shift["start"][:3] + "25") for shift in d["shifts"]])
    paths = _files(tmp_path, counts="building,parcels\nB1,80\nB3,80\n", ops=short)
    table = tmp_path / "staffing.json"
    args = ["staffing", "--site", str(paths["site"]), "--day", str(paths["day"]), "--ops", str(paths["ops"])]
    assert main([*args, "--time-limit", "0.5", "--json", str(table)]) == 0
    morning = capsys.readouterr().out.splitlines()[1]
    assert morning.split()[:3] == ["notify_one", "morning", "160"]
    assert morning.endswith("clears with tricycle +1 beyond the fleet")
    assert json.loads(table.read_text())[0]["added"] == {"tricycle": 1}
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")  # the table a coordinator set up in Chinese reads
    assert main([*args, "--time-limit", "0.5"]) == 0
    head, morning, afternoon = capsys.readouterr().out.splitlines()
    assert head.split() == ["停靠方式", "班次", "件数", "骑手", "车辆", "送达", "最后回来", "人时"]
    assert morning.split()[:5] == ["每栋通知一户", "上午班", "160", "4", "tricycle"]
    assert morning.endswith("车队再加 tricycle +1 能送完") and afternoon.split()[:3] == [
        "每栋通知一户",
        "下午班",
        "0",
    ]


def test_staffing_takes_the_rosters_stop_policy_as_plan_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # it staffed for notifying one household whatever the roster said, unless told otherwise
    ringing = _ops_with(lambda d: d["stop"].update(policy="ring_each"))
    paths = _files(tmp_path, counts="building,parcels\nB1,8\n", ops=ringing)
    args = ["staffing", "--site", str(paths["site"]), "--day", str(paths["day"]), "--ops", str(paths["ops"])]
    assert main([*args, "--time-limit", "0.3"]) == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()[1:]] == [
        "ring_each",
        "ring_each",
    ]
    assert main([*args, "--time-limit", "0.3", "--policy", "notify_one"]) == 0
    assert capsys.readouterr().out.splitlines()[1].split()[0] == "notify_one"


def test_a_chinese_terminal_gets_the_messages_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _files(tmp_path, counts="楼号,件数\nB1,三\n")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert main(_plan_args(paths, tmp_path / "plan.json")) == 2
    assert (
        capsys.readouterr().err
        == f"onebell: 错误：{paths['day']} 第 2 行：件数要写整数（0、1、2 …），写的是「三」\n"
    )
    monkeypatch.setenv("LC_ALL", "C.UTF-8")  # LC_ALL overrides LANG
    assert main(_plan_args(paths, tmp_path / "plan.json")) == 2
    assert capsys.readouterr().err.startswith(
        f"onebell: error: {paths['day']} line 2: parcels must be a whole number"
    )
    monkeypatch.delenv("LC_ALL")
    paths["day"].write_text("楼号,件数\nB1,3\n")
    assert main([*_plan_args(paths, tmp_path / "plan.json"), "--policy", "shout"]) == 2
    assert capsys.readouterr().err.startswith("onebell: 错误：停靠方式 'shout' 不认识")
    assert main([*_plan_args(paths, tmp_path / "plan.json"), "--now", "10:30"]) == 2
    assert capsys.readouterr().err == "onebell: 错误：重排要同时给出 --frozen 路线计划文件 和 --now 时:分\n"


def test_a_chinese_terminal_gets_the_messages_about_plan_files_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every message, not only those about the counts, roster and map: a coordinator printing
    cards from a plan file on a Chinese laptop reads what went wrong in Chinese."""
    paths = _files(tmp_path)
    plan = tmp_path / "plan.json"
    assert main(_plan_args(paths, plan)) == 0
    document = json.loads(plan.read_text())
    other_site = tmp_path / "other-site.json"
    other_site.write_text(json.dumps({**document, "site": "elsewhere"}))
    no_list = tmp_path / "no-list.json"
    no_list.write_text(json.dumps({k: v for k, v in document.items() if k != "undelivered"}))
    broken = tmp_path / "broken.json"
    broken.write_text('{"site": ')
    site, cards = str(paths["site"]), str(tmp_path / "cards.pdf")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    capsys.readouterr()
    for args, said in (
        (
            ["cards", str(tmp_path / "nowhere.json"), "--site", site, "--out", cards],
            "nowhere.json：没有这个文件（看看路径和文件名）",
        ),
        (["cards", str(broken), "--site", site, "--out", cards], "第 1 行第 10 列不是有效的 JSON"),
        (
            ["cards", str(other_site), "--site", site, "--out", cards],
            "路线计划是小区 elsewhere 的，小区地图文件是 ",
        ),
        (
            ["cards", str(plan), "--site", site, "--out", cards, "--shift", "night"],
            "路线计划里没有班次 night；有的是 ",
        ),
        (
            ["cards", str(plan), "--site", site, "--out", cards, "--paper", "b5"],
            "纸张大小「b5」不认识；请用 a4 或 a5",
        ),
        (["notices", str(other_site), "--site", site], "路线计划是小区 elsewhere 的"),
        (
            ["held-over", str(no_list), "--day", str(paths["day"]), "--date", "2022-04-29", "--out", cards],
            "no-list.json：缺少 undelivered；这是一铃写出的完整、没改过的路线计划吗？",
        ),
        (
            ["held-over", str(plan), "--day", str(paths["day"]), "--date", "2022-04-28", "--out", cards],
            "路线计划是 2022-04-28 的；没送完的件只能留到以后的日子",
        ),
        (
            _plan_args(paths, tmp_path / "again.json", "--frozen", str(other_site), "--now", "09:00"),
            "要保留的路线计划是小区 elsewhere 的",
        ),
        (["roster", "--out", str(plan)], "已经有了：请换一个 --out，或者先把它删掉"),
    ):
        assert main(args) == 2, args
        error = capsys.readouterr().err
        assert error.startswith("onebell: 错误：") and said in error and error.count("\n") == 1, (args, error)
    assert not (tmp_path / "cards.pdf").exists() and not (tmp_path / "again.json").exists()


def _edited(document: dict[str, Any], change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    copy = json.loads(json.dumps(document))
    change(copy)
    return copy


def _first_stop(document: dict[str, Any]) -> dict[str, Any]:
    return document["shifts"][0]["crews"][0]["trips"][0]["stops"][0]  # type: ignore[no-any-return]


PLAN_EDITS: list[tuple[str, Callable[[dict[str, Any]], object], str]] = [
    (
        "stop time deleted",
        lambda d: _first_stop(d).pop("arrive"),
        "stop 1 (building B1): 'arrive' is missing",
    ),
    (
        "count typed as a word",
        lambda d: _first_stop(d).update(parcels="ten"),
        "stop 1 (building B1): 'parcels' must be a whole number, 1 or more, got 'ten'",
    ),
    (
        "trips emptied to null",
        lambda d: d["shifts"][0]["crews"][0].update(trips=None),
        "shift morning crew morning-1: 'trips' must be a list, got None",
    ),
    ("cut short", lambda d: d.pop("shifts"), "'shifts' is missing"),
    (
        "clock mistyped",
        lambda d: d["shifts"][0]["crews"][0]["trips"][0].update(depart="8.04"),
        "trip 1: 'depart' must be a time HH:MM:SS, got '8.04'",
    ),
]


@pytest.mark.parametrize(("name", "change", "message"), PLAN_EDITS, ids=[e[0] for e in PLAN_EDITS])
def test_a_plan_file_edited_out_of_shape_is_refused_naming_the_item(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    change: Callable[[dict[str, Any]], object],
    message: str,
) -> None:
    """Every command that reads a plan file back, before it walks the plan (the cards and notices
    raised a KeyError or TypeError from deep in the renderer)."""
    paths = _files(tmp_path)
    plan = tmp_path / "plan.json"
    assert main(_plan_args(paths, plan)) == 0
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(_edited(json.loads(plan.read_text()), change)))
    out = tmp_path / "out"
    site = str(paths["site"])
    capsys.readouterr()
    for args in (
        ["cards", str(edited), "--site", site, "--out", str(out)],
        ["notices", str(edited), "--site", site, "--out", str(out)],
        ["map", "--site", site, "--plan", str(edited), "--out", str(out)],
        ["held-over", str(edited), "--day", str(paths["day"]), "--date", "2022-04-29", "--out", str(out)],
        _plan_args(paths, out, "--frozen", str(edited), "--now", "09:00"),
    ):
        assert main(args) == 2, args
        error = capsys.readouterr().err
        assert error.startswith("onebell: error: ") and error.count("\n") == 1, (args, error)
        assert "edited.json: " in error and message in error, (args, error)
    assert not out.exists()
    # the checker is the tool for a plan gone wrong: it lists every violation instead
    assert main(["check", site, str(paths["day"]), str(paths["ops"]), str(edited)]) == 1
    assert capsys.readouterr().out.endswith("violation(s)\n")


def test_every_plan_onebell_writes_has_the_shape_its_commands_read(tmp_path: Path) -> None:
    """A re-plan too, whose trips are marked kept and whose stops carry their parcels' batches."""
    paths = _files(
        tmp_path, counts="building,parcels,arrived,held_from\nB1,10,,\nB2,5,08:30,\nB3,4,,2022-04-27\n"
    )
    plan, again = tmp_path / "plan.json", tmp_path / "again.json"
    assert main(_plan_args(paths, plan)) == 0
    assert main(_plan_args(paths, again, "--frozen", str(plan), "--now", "09:00")) == 0
    for path in (plan, again):
        check_plan_shape(json.loads(path.read_text()))
    document = json.loads(again.read_text())
    trips = [t for s in document["shifts"] for c in s["crews"] for t in c["trips"]]
    assert any(t.get("kept") for t in trips)
    assert any(stop.get("batches") for t in trips for stop in t["stops"])


def test_a_chinese_terminal_gets_each_commands_closing_line_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not only the errors and the plan: what a command says it wrote, too."""
    paths = _files(tmp_path)
    plan = tmp_path / "plan.json"
    assert main(_plan_args(paths, plan)) == 0
    site = str(paths["site"])
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    capsys.readouterr()
    for args, said in (
        (["roster", "--out", str(tmp_path / "ops-new.json")], "班表已写入 "),
        (["sheet", "--site", site, "--out", str(tmp_path / "sheet.csv")], "3 栋楼的件数表已写入 "),
        (["cards", str(plan), "--site", site, "--out", str(tmp_path / "cards.html")], "路线卡已写入 "),
        (["notices", str(plan), "--site", site, "--out", str(tmp_path / "notices.txt")], "楼栋通知已写入 "),
        (["map", "--site", site, "--plan", str(plan), "--out", str(tmp_path / "map.svg")], "地图已写入 "),
        (
            [
                "held-over",
                str(plan),
                "--day",
                str(paths["day"]),
                "--date",
                "2022-04-29",
                "--out",
                str(tmp_path / "d.csv"),
            ],
            "留到这一天的件：0 栋楼共 0 件（没有）；件数表已写入 ",
        ),
    ):
        assert main(args) == 0, args
        out = capsys.readouterr().out
        assert out.startswith(said) and out.count("\n") == 1, (args, out)
    osm = ["site-from-osm", str(FIXTURES / "osm" / "test-garden.osm"), "--gate", "n1"]
    assert main([*osm, "--out", str(tmp_path / "garden.geojson")]) == 0
    said = capsys.readouterr().out.splitlines()
    assert said[0].startswith("小区 test-garden（试验花园）地图已写入 ")
    assert "4 栋楼地图上没有户数（先写作 0；请填上，或用 --households 给出）：2、3、4、w306" in said
    assert said[-1] == "请用 `onebell map` 看一看，画上地图缺的路，再用 --site 排路线"


def test_the_search_progress_line_speaks_the_terminals_language() -> None:
    for lang, said in (
        ("en", "searching   2.5 s  parcels placed   120  best crew time   1.50 h"),
        ("zh", "搜索   2.5 秒  已排   120 件  最少人时   1.50"),
    ):
        stream = io.StringIO()
        show = _progress_printer(stream, lang)
        show(PlanProgress(elapsed_s=2.5, parcels_placed=120, crew_s=5400))
        show(PlanProgress(elapsed_s=3.0, parcels_placed=120, crew_s=7200))  # the best so far stays
        assert stream.getvalue().split("\r")[1:] == [said, said.replace("2.5", "3.0")], lang


def test_unknown_policy_flag_and_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = _files(tmp_path)
    out = tmp_path / "plan.json"
    assert main([*_plan_args(paths, out), "--policy", "shout"]) == 2
    assert "unknown stop policy 'shout'" in capsys.readouterr().err
    paths["day"].unlink()
    assert main(_plan_args(paths, out)) == 2
    assert "cannot read day file" in capsys.readouterr().err
    assert not out.exists()


def test_the_installed_command_prints_no_traceback(tmp_path: Path) -> None:
    paths = _files(tmp_path, counts="building,parcels\nB1,-1\n")
    result = subprocess.run(
        [sys.executable, "-m", "optimizer.cli", *_plan_args(paths, tmp_path / "plan.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert (
        result.stderr.strip()
        == f"onebell: error: {paths['day']} line 2: parcels must not be negative, got -1"
    )


def test_a_replan_keeps_the_trip_on_the_road_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = _files(tmp_path)
    first = tmp_path / "plan.json"
    assert main(_plan_args(paths, first)) == 0
    [trip] = json.loads(first.read_text())["shifts"][0]["crews"][0]["trips"]
    now = format_clock((parse_clock(trip["depart"]) or 0) + 60)[:5]  # a minute after it left
    paths["day"].write_text("building,parcels\nB1,10\nB2,5\nB3,7\n")  # a later wave
    again = tmp_path / "replan.json"
    capsys.readouterr()
    assert main(_plan_args(paths, again, "--frozen", str(first), "--now", now)) == 0
    assert f"re-planned at {now}: 1 trip(s) on the road kept as they were" in capsys.readouterr().out
    replanned = json.loads(again.read_text())
    assert replanned["summary"]["delivered"] == 22
    check = ["check", str(paths["site"]), str(paths["day"]), str(paths["ops"]), str(again)]
    assert main([*check, "--frozen", str(first), "--now", now]) == 0
    cards = tmp_path / "cards.html"
    assert main(["cards", str(again), "--site", str(paths["site"]), "--out", str(cards), "--lang", "en"]) == 0
    assert f"1 trip(s) already on the road at the {now} re-plan are not listed" in cards.read_text()
