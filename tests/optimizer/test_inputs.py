"""Bad input: each gets an error that names the item and field."""

from __future__ import annotations

import copy
import datetime
import io
import json
import pickle
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fixtures.generate import foot_path
from optimizer.day import (
    check_day,
    counts_sheet,
    load_day,
    parse_day_csv,
    parse_day_json,
    parse_day_xlsx,
    with_building_ids,
)
from optimizer.errors import DayError, OperationsError, SiteError
from optimizer.graph import build_graph
from optimizer.operations import VEHICLE_DEFAULTS, parse_operations, starting_operations
from optimizer.problem import build_day_model
from optimizer.site import MODES, parse_site
from tests.helpers import day, graph_of, operations, three_on_a_lane, workbook


def _site_doc() -> dict[str, Any]:
    return three_on_a_lane().document()


def _feature(document: dict[str, Any], feature_id: str) -> dict[str, Any]:
    return next(f for f in document["features"] if f["properties"].get("id") == feature_id)


def test_an_entrance_across_a_forecourt_is_no_mistake() -> None:
    document = _site_doc()
    _feature(document, "B1")["properties"]["entrance"] = [121.0010471, 31.0004]  # 29 m north of it
    assert parse_site(document).buildings[0].entrance == (121.0010471, 31.0004)


def test_a_valid_site_loads() -> None:
    site = parse_site(_site_doc())
    assert site.building_ids == ("B1", "B2", "B3")
    assert site.households == 30


@pytest.mark.parametrize(
    ("mutate", "message", "zh"),
    [
        (
            lambda d: d.update(type="Feature"),
            "expected a GeoJSON FeatureCollection",
            "^小区地图：要是一个 GeoJSON",
        ),
        (lambda d: d.pop("site"), '"site"', '^小区地图：FeatureCollection 里要有 "site"'),
        (
            lambda d: d["features"].append(copy.deepcopy(_feature(d, "B2"))),
            "duplicate building id 'B2'",
            r"^楼编号 B2 重复（要素 \d+ 和 \d+）",
        ),
        (
            lambda d: d.update(features=[f for f in d["features"] if f["properties"]["kind"] != "gate"]),
            "site has no gate",
            "^小区地图上没有大门",
        ),
        (
            lambda d: _feature(d, "B1")["properties"].update(households=-1),
            "building 'B1'.*households must be at least 0",
            r"^楼 B1（要素 \d+）：households 要至少是 0，现在是 -1",
        ),
        (
            lambda d: _feature(d, "B1")["properties"].update(households=2.5),
            "building 'B1'.*households must be a whole number",
            "^楼 B1.*households 要写整数",
        ),
        (
            lambda d: _feature(d, "B3")["properties"].update(doorbell="maybe"),
            "building 'B3'.*doorbell",
            "^楼 B3.*门铃好的写 'working'",
        ),
        (
            lambda d: _feature(d, "B3")["properties"].update(sealed="yes"),
            "building 'B3'.*sealed must be true or false",
            "^楼 B3.*sealed（封控）要写 true 或 false",
        ),
        (
            lambda d: _feature(d, "B3")["properties"].update(entrance=[121.0]),
            "building 'B3'.*entrance must be",
            r"^楼 B3.*entrance（楼门）要写成 \[经度, 纬度\]",
        ),
        (
            # latitude typed 31.01 for 31.0001: 1.1 km north of the building
            lambda d: _feature(d, "B3")["properties"].update(entrance=[121.0031412, 31.01]),
            r"building 'B3'.*its entrance is 1,091 m from the building's outline; .*within 50 m",
            r"^楼 B3.*楼门离楼的轮廓有 1091 米；楼门应在楼边上（50 米以内）",
        ),
        (
            lambda d: _feature(d, "lane")["properties"].update(modes=["hovercraft"]),
            "lane 'lane'.*unknown mode 'hovercraft'",
            "^道路 lane（要素 \\d+）：不认识的通行方式 'hovercraft'",
        ),
        (
            lambda d: _feature(d, "lane").update(geometry={"type": "LineString", "coordinates": [[1]]}),
            "lane 'lane'.*malformed geometry",
            "^道路 lane.*几何图形有误",
        ),
        (
            lambda d: _feature(d, "lane").update(geometry={"type": "Point", "coordinates": [121, 31]}),
            "lane 'lane'.*a lane must be a LineString, not a Point",
            r"^道路 lane.*道路要是一条线（LineString），不能是 Point",
        ),
        (
            lambda d: _feature(d, "B2")["geometry"].update(
                coordinates=[[[121, 31], [121.001, 31.001], [121.001, 31], [121, 31.001], [121, 31]]]
            ),
            "building 'B2'.*not a valid polygon.*Self-intersection",
            "^楼 B2.*楼的轮廓不是有效的多边形：Self-intersection",
        ),
        (
            lambda d: _feature(d, "B2")["geometry"].update(
                coordinates=[[[200, 31], [200.001, 31], [200.001, 31.001], [200, 31]]]
            ),
            "building 'B2'.*coordinates must be \\[longitude, latitude\\]",
            "^楼 B2.*坐标要写成 \\[经度, 纬度\\]",
        ),
        (
            lambda d: _feature(d, "B2")["properties"].update(kind="tower"),
            "feature 3: properties.kind is 'tower'",
            "^要素 3：properties.kind 是 'tower'",
        ),
    ],
)
def test_bad_sites_name_the_feature_in_english_and_in_chinese(mutate: Any, message: str, zh: str) -> None:
    document = _site_doc()
    mutate(document)
    with pytest.raises(SiteError, match=message) as raised:
        parse_site(document)
    assert raised.value.zh is not None and re.search(zh, raised.value.zh), raised.value.zh


def test_building_no_lane_reaches_is_rejected() -> None:
    drawing = three_on_a_lane()
    drawing.building({"id": "island", "households": 2, "floors": 2}, (100, 500, 110, 510))
    drawing.lane("island-path", [(90, 500), (120, 500)])
    with pytest.raises(SiteError, match="building 'island' cannot be reached from the gate") as raised:
        build_graph(parse_site(drawing.document()))
    assert raised.value.zh is not None
    assert raised.value.zh.startswith(
        "楼 island 从大门走不到：离它最近的道路 island-path 和大门那边的道路不相连"
    )


def test_building_no_vehicle_in_the_fleet_can_reach_is_rejected() -> None:
    site_graph = graph_of(foot_path())
    with pytest.raises(DayError, match="building 'P1' has parcels but no vehicle in the fleet can reach it"):
        build_day_model(site_graph, day(("P1", 3)), operations())


@pytest.mark.parametrize(
    ("csv_text", "message", "zh"),
    [
        (
            "building,parcels\nB1,-3\n",
            "line 2: parcels must not be negative, got -3",
            "第 2 行：件数不能是负数",
        ),
        ("building,parcels\nB1,2.5\n", "line 2: parcels must be a whole number, got '2.5'", "件数要写整数"),
        ("building,parcels\nB1,ten\n", "line 2: parcels must be a whole number", "写的是「ten」"),
        ("building,parcels\nB1,3,extra\n", "line 2: 3 fields, the header has 2", "有 3 格，表头只有 2 格"),
        ("building\nB1\n", "line 1: header has no 'parcels' column", "第 1 行：表头没有「件数」这一列"),
        ("building,parcels,colour\nB1,3,red\n", "unknown column 'colour'", "不认识「colour」这一列"),
        (
            "building,parcels,urgent\nB1,3,5\n",
            r"urgent \(5\) is more than parcels \(3\)",
            "加急件（5）比件数（3）多",
        ),
        (
            "building,parcels,arrived\nB1,3,9.30\n",
            "line 2: arrived must be a time of day HH:MM, got '9.30'",
            "到达时间要写成 时:分",
        ),
        (
            "building,parcels,held_from\nB1,3,27/4\n",
            "line 2: held_from must be a date YYYY-MM-DD, got '27/4'",
            "留下日期要写成 年-月-日",
        ),
        ("", "empty file", "day.csv：文件是空的"),
        (
            "building,parcels\nB1,3\nB2,4\rB3\n",
            "line 3: cannot read it as CSV: a line break inside a field",
            "day.csv 第 3 行：读不成 CSV：有一格里换了行",
        ),
        (
            "building,parcels\nB1," + "9" * 140_000 + "\n",
            "line 2: cannot read it as CSV: a field longer than 128 KiB",
            "长过 128 KiB",
        ),
    ],
)
def test_bad_csv_counts_name_the_line(csv_text: str, message: str, zh: str) -> None:
    """Each message also in Chinese, for the coordinator's page in Chinese, naming the same line."""
    with pytest.raises(DayError, match=message) as raised:
        parse_day_csv(csv_text, source="day.csv")
    assert raised.value.zh is not None and zh in raised.value.zh
    assert raised.value.zh.startswith("day.csv")


def test_a_coordinators_own_sheet_reads_as_the_documented_columns(tmp_path: Path) -> None:
    """Chinese headers, cells separated by tabs (copied from a sheet) or semicolons, and a file
    Excel saved as GBK all read as the English comma-separated day."""
    documented = parse_day_csv("building,parcels,urgent,arrived\n3号楼,12,1,09:40\n17,3,,\n")
    sheets = [
        "楼号,件数,加急,到达时间\n3号楼,12,1,09:40\n17,3,,\n",
        "楼栋\t包裹数\t急件\tarrived\n3号楼\t12\t1\t09:40\n17\t3\t\t\n",
        "building;parcels;urgent;arrived\n3号楼;12;1;09:40\n17;3;;\n",
    ]
    for sheet in sheets:
        assert parse_day_csv(sheet).rows == documented.rows, sheet
    saved = tmp_path / "2022-04-25.csv"
    saved.write_bytes(sheets[0].encode("gbk"))
    assert load_day(saved).rows == documented.rows
    assert load_day(saved).date == "2022-04-25"


def test_an_excel_workbook_reads_as_the_same_sheet_saved_as_csv(tmp_path: Path) -> None:
    documented = parse_day_csv(
        "building,parcels,urgent,arrived,held_from\n3号楼,12,1,09:40,\n17,3,,,2022-04-27\n5,2,,,\n"
    )
    book = workbook(
        ("楼号", "件数", "加急", "到达时间", "留下日期", None),  # an empty header cell past the last
        ("3号楼", 12, 1, datetime.time(9, 40), None),
        (None, None),  # an empty row
        (17, 3.0, None, None, datetime.datetime(2022, 4, 27)),  # Excel's numbers, a date cell
        ("5", "2"),  # the cells right of the last filled one left empty
        ("9",),  # left blank in the sheet: no parcels
    )
    read = parse_day_xlsx(book)
    assert [(r.building, r.parcels, r.urgent, r.arrived_s, r.held_from) for r in read.rows] == [
        (r.building, r.parcels, r.urgent, r.arrived_s, r.held_from) for r in documented.rows
    ]
    assert [r.line for r in read.rows] == [2, 4, 5]  # as Excel numbers its rows
    saved = tmp_path / "2022-04-28.xlsx"
    saved.write_bytes(book)
    assert load_day(saved).rows == read.rows and load_day(saved).date == "2022-04-28"

    with pytest.raises(DayError, match="row 3: unknown building 'B9'"):  # Excel's row, in the checks too
        check_day(
            parse_day_xlsx(workbook(("楼号", "件数"), ("B1", 1), ("B9", 2))),
            parse_site(_site_doc()),
            operations(),
        )

    many = workbook(("楼号", "件数"), *((str(b), 1) for b in range(1, 9)))
    assert len(parse_day_xlsx(many, max_rows=3).rows) == 4  # read no further than needed to refuse

    with pytest.raises(DayError, match=r"day\.xlsx row 3: parcels must not be negative, got -2"):
        parse_day_xlsx(workbook(("楼号", "件数"), ("1", 4), ("2", -2)), source="day.xlsx")
    with pytest.raises(DayError, match="row 2: 3 fields, the header has 2"):
        parse_day_xlsx(workbook(("楼号", "件数"), ("1", 4, "note")))
    with pytest.raises(DayError, match=r"day.xlsx: not an Excel workbook \(.xlsx\) that can be read"):
        parse_day_xlsx(b"building,parcels\n1,2\n", source="day.xlsx")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(book[: len(book) // 2])
    with pytest.raises(DayError, match=r"broken\.xlsx: not an Excel workbook"):
        load_day(broken)


def test_a_sheets_total_rows_are_checked_against_the_rows_they_sum_and_left_out() -> None:
    # an office's sheet ends in 合计 (and a sheet kept section by section has a 小计 under each):
    # read as a building, it was refused as "unknown building '合计'"
    sheet = "楼号,件数,加急\n1,4,1\n2,6,\n小计,10,1\n3,5,\n3,2,\n小 计,7,\n合　计,17,1\n"
    read = parse_day_csv(sheet)
    assert [(r.building, r.parcels, r.line) for r in read.rows] == [
        ("1", 4, 2),
        ("2", 6, 3),
        ("3", 5, 5),
        ("3", 2, 6),
    ]
    assert read.left_blank == ()
    assert [r.parcels for r in parse_day_csv("building,parcels\n1,4\nTotal,\n").rows] == [4]  # a label alone
    with pytest.raises(DayError) as mistyped:  # a count mistyped, or a row lost in copying
        parse_day_csv(sheet.replace("3,2,", "3,3,"))
    assert mistyped.value.message == (
        "counts line 7: the 小 计 row says 7 parcels, the rows it sums add up to 8; "
        "correct the counts or the total (or delete the total row)"
    )
    assert mistyped.value.zh.startswith(
        "件数表第 7 行：「小 计」这一行写的是 7 件，它合计的各行加起来是 8 件"
    )
    with pytest.raises(
        DayError, match="line 8: the 合　计 row says 2 urgent parcels, the rows it sums add up to 1"
    ):
        parse_day_csv(sheet.replace("合　计,17,1", "合　计,17,2"))
    with pytest.raises(DayError, match="row 3: parcels must be a whole number"):
        parse_day_xlsx(workbook(("楼号", "件数"), ("1", 4), ("合计", "四")))
    # in a workbook, a total's formula is read by its value, as Excel saves it
    book = workbook(("楼号", "件数"), ("1", 4), ("2", 6), ("合计", "=SUM(B2:B3)"))
    saved = _with_sheet(
        book, lambda xml: xml.replace(b"<f>SUM(B2:B3)</f><v />", b"<f>SUM(B2:B3)</f><v>10</v>")
    )
    assert [(r.building, r.parcels) for r in parse_day_xlsx(saved).rows] == [("1", 4), ("2", 6)]


def test_a_formula_in_a_workbook_reads_as_its_value_and_one_saved_without_it_is_refused() -> None:
    # a script's workbook (openpyxl here) keeps formulas without their values; read as blank
    # cells, building 2's parcels were left out as "left blank" without a word
    book = workbook(("楼号", "件数"), ("1", 4), ("2", "=B2*2"), ("3", 5))
    with pytest.raises(DayError) as refused:
        parse_day_xlsx(book, source="day.xlsx")
    assert refused.value.message == (
        "day.xlsx row 3: cell B3 holds a formula (=B2*2) whose value the file does not keep; "
        "open the workbook in Excel or WPS and save it again, or type the numbers"
    )
    assert refused.value.field == "row 3" and "B3 格是公式" in refused.value.zh
    # as Excel and WPS save it, with the value beside the formula: the value is the count
    saved = _with_sheet(book, lambda xml: xml.replace(b"<f>B2*2</f><v />", b"<f>B2*2</f><v>8</v>"))
    assert [(r.building, r.parcels) for r in parse_day_xlsx(saved).rows] == [("1", 4), ("2", 8), ("3", 5)]


def _with_sheet(book: bytes, change: Callable[[bytes], bytes]) -> bytes:
    """The workbook with its first sheet's XML changed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            data = source.read(entry)
            target.writestr(entry, change(data) if entry.filename == "xl/worksheets/sheet1.xml" else data)
    return out.getvalue()


def test_a_sheet_that_cannot_be_read_says_why(tmp_path: Path) -> None:
    with pytest.raises(DayError, match="'building' and '楼号' are the same column"):
        parse_day_csv("building,parcels,楼号\n1,2,1\n")
    with pytest.raises(DayError, match=r"unknown column '楼层'; use building, .* \(or 楼号, 件数"):
        parse_day_csv("楼号,件数,楼层\n1,2,3\n")
    broken = tmp_path / "day.csv"
    broken.write_bytes(b"building,parcels\n\xff\xff,3\n")
    with pytest.raises(DayError, match=r"day file .*day.csv: not UTF-8 or GBK text \(byte 17\)"):
        load_day(broken)


def test_bad_json_counts_name_the_entry() -> None:
    with pytest.raises(DayError, match=r"counts\[1\]: parcels must not be negative"):
        parse_day_json(
            json.dumps(
                {
                    "date": "2022-04-25",
                    "counts": [{"building": "B1", "parcels": 1}, {"building": "B2", "parcels": -1}],
                }
            )
        )
    with pytest.raises(DayError, match="date must be YYYY-MM-DD"):
        parse_day_json(json.dumps({"date": "25/04/2022", "counts": []}))


def test_count_for_unknown_building_or_shift_is_rejected() -> None:
    site = parse_site(_site_doc())
    with pytest.raises(DayError, match="line 3: unknown building 'B9'") as raised:
        check_day(day(("B1", 3), ("B9", 2)), site, operations())
    assert raised.value.zh == f"第 3 行：没有「B9」这栋楼（小区 {site.id} 没有这个楼号或楼名）"
    with pytest.raises(DayError, match="line 2: unknown shift 'night'") as raised:
        check_day(day(("B1", 3, "night")), site, operations())
    assert raised.value.zh is not None and raised.value.zh.startswith(
        "第 2 行：楼 B1 的班次「night」不在班表里"
    )


def test_a_row_may_name_its_building_as_the_map_does() -> None:
    document = _site_doc()
    _feature(document, "B1")["properties"]["name"] = "1号楼"
    _feature(document, "B2")["properties"]["name"] = "B1"  # a name that is another building's id
    _feature(document, "B3")["properties"]["name"] = "3号楼"
    site = parse_site(document)
    named = parse_day_csv("楼号,件数\n1号楼,3\nB1,4\n 3号楼 ,5\n")
    resolved = with_building_ids(named, site)
    assert [(r.building, r.parcels, r.line) for r in resolved.rows] == [
        ("B1", 3, 2),
        ("B1", 4, 3),
        ("B3", 5, 4),
    ]
    check_day(resolved, site, operations())
    with pytest.raises(DayError, match="line 2: unknown building '1号楼'"):
        check_day(named, site, operations())  # names are read by with_building_ids, not by the check

    _feature(document, "B1")["properties"]["name"] = "3号楼"
    with pytest.raises(
        DayError, match="line 4: '3号楼' is the name of buildings 'B1' and 'B3'; write the building's id"
    ):
        with_building_ids(named, parse_site(document))


def test_a_row_may_write_a_numbered_building_as_people_do() -> None:
    document = _site_doc()
    for number, building in enumerate(("B1", "B2", "B3"), start=1):
        properties = _feature(document, building)["properties"]
        properties["id"], properties["name"] = str(number * 6), f"{number * 6}号楼"
    _feature(document, "6")["properties"]["name"] = "12栋"  # a name wins over the number it reads as
    site = parse_site(document)
    written = parse_day_csv("楼号,件数\n6号,3\n12栋,4\n 18 幢 ,5\n12号,6\n7栋,1\n18座,\n")
    resolved = with_building_ids(written, site)
    assert [(r.building, r.parcels) for r in resolved.rows] == [
        ("6", 3),
        ("6", 4),
        ("18", 5),
        ("12", 6),
        ("7栋", 1),
    ]
    assert resolved.left_blank == ("18",)
    with pytest.raises(DayError, match="line 6: unknown building '7栋'"):  # no building 7
        check_day(resolved, site, operations())


def test_the_counts_sheet_lists_every_building_and_reads_back_filled_in() -> None:
    document = _site_doc()
    _feature(document, "B1")["properties"]["name"] = "1号楼"
    _feature(document, "B2")["properties"]["name"] = "B3"  # another building's id: written by its own id
    site = parse_site(document)
    sheet = counts_sheet(site)
    assert sheet == "楼号,件数\n1号楼,\nB2,\nB3,\n"
    assert counts_sheet(site, chinese=False).startswith("building,parcels\n1号楼,\n")
    blank = parse_day_csv(sheet)
    assert blank.rows == ()  # left blank: no parcels, not an error
    assert blank.left_blank == ("1号楼", "B2", "B3")
    assert with_building_ids(blank, site).left_blank == ("B1", "B2", "B3")  # named as the rows are
    filled = with_building_ids(
        parse_day_csv(sheet.replace("1号楼,", "1号楼,12").replace("B3,", "B3,4")), site
    )
    assert [(r.building, r.parcels) for r in filled.rows] == [("B1", 12), ("B3", 4)]
    assert filled.left_blank == ("B2",)
    gone = with_building_ids(parse_day_csv("building,parcels\nB2,\n77x,\nB2,\n"), site)
    assert gone.left_blank == ("B2",)  # an unknown building left blank has nothing to refuse
    with pytest.raises(DayError, match="line 2: parcels must be a whole number, got ''"):
        parse_day_csv("building,parcels,urgent\nB1,,1\n")  # urgent but no parcels is still a mistake


def test_json_and_csv_days_agree() -> None:
    from_csv = parse_day_csv(
        "building,parcels,shift,urgent,arrived\n17,12,morning,1,09:40\n18,3,,,\n", date="2022-04-25"
    )
    from_json = parse_day_json(
        {
            "date": "2022-04-25",
            "counts": [
                {"building": "17", "parcels": 12, "shift": "morning", "urgent": 1, "arrived": "09:40"},
                {"building": "18", "parcels": 3},
            ],
        }
    )
    assert [(r.building, r.parcels, r.shift, r.urgent, r.arrived_s) for r in from_csv.rows] == [
        (r.building, r.parcels, r.shift, r.urgent, r.arrived_s) for r in from_json.rows
    ]
    assert [r.arrived_s for r in from_csv.rows] == [9 * 3600 + 40 * 60, None]


TRICYCLE_T = {"id": "t", "mode": "tricycle", "count": 1, "capacity": 80, "crew": 2, "speed_kmh": 8}


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            {"shifts": [{"id": "m", "start": "11:00", "end": "08:00", "riders": 2}]},
            r"shift 'm' ends \(08:00\) before it starts \(11:00\)",
        ),
        (
            {"shifts": [{"id": "m", "start": "8am", "end": "11:00", "riders": 2}]},
            "shift 'm': start must be HH:MM",
        ),
        (
            {
                "fleet": [
                    {"id": "t", "mode": "tricycle", "count": 1, "capacity": 0, "crew": 2, "speed_kmh": 8}
                ]
            },
            "fleet entry 't': 'capacity' must be at least 1",
        ),
        (
            {
                "fleet": [
                    {"id": "t", "mode": "tricycle", "count": 1, "capacity": 80, "crew": 0, "speed_kmh": 8}
                ]
            },
            "fleet entry 't': 'crew' must be at least 1",
        ),
        (
            {
                "fleet": [
                    {"id": "t", "mode": "tricycle", "count": 1, "capacity": 80, "crew": 2, "speed_kmh": 0}
                ]
            },
            "fleet entry 't': 'speed_kmh' must be more than 0",
        ),
        (
            {
                "fleet": [
                    {"id": "t", "mode": "tricycle", "count": 1, "capacity": 80, "crew": 2, "speed_kmh": -3}
                ]
            },
            "fleet entry 't': 'speed_kmh' must be more than 0",
        ),
        (
            {"fleet": [{"id": "t", "mode": "rocket", "count": 1, "capacity": 80, "crew": 2, "speed_kmh": 8}]},
            "fleet entry 't': mode is 'rocket'",
        ),
        (
            {"fleet": [{**TRICYCLE_T, "shifts": ["evening"]}]},
            r"fleet entry 't': shifts names 'evening', which the roster does not have \(morning, afternoon\)",
        ),
        (
            {"fleet": [{**TRICYCLE_T, "shifts": "morning"}]},
            "fleet entry 't': 'shifts' must be a non-empty list of shift ids",
        ),
        ({"stop": {"policy": "shout"}}, "unknown stop policy 'shout'"),
        ({"gate": {"stand_min": -30}}, "gate: 'stand_min' must be at least 0, got -30"),
        (
            {"fleet": [{**TRICYCLE_T, "sealed_ok": True, "sealed_only": "yes"}]},
            "fleet entry 't': sealed_only must be",
        ),
        (
            {"fleet": [{**TRICYCLE_T, "sealed_only": True}]},
            "fleet entry 't': sealed_only is for a designated pair; set sealed_ok to true as well",
        ),
    ],
)
def test_bad_operations_name_the_field(override: dict[str, Any], message: str) -> None:
    with pytest.raises(OperationsError, match=message):
        operations(**override)


def test_a_vehicle_named_for_a_shift_the_roster_lacks_says_so_in_chinese_too() -> None:
    ebike = {"id": "ebike", "mode": "ebike", "count": 1, "capacity": 30, "crew": 1, "speed_kmh": 12}
    with pytest.raises(OperationsError) as raised:
        operations(fleet=[{**ebike, "shifts": ["afternoon", "晚上"]}])
    assert raised.value.zh == "车辆 ebike：出车班次里的 晚上 不在班表里（班表有：morning、afternoon）"
    assert operations(fleet=[{**ebike, "shifts": ["afternoon"]}]).fleet[0].count_in("morning") == 0


def test_a_shift_that_rides_with_nobody_sorting_at_a_sorting_pace_is_refused() -> None:
    # with no sorter the model took the sorting as keeping up: faster than with one sorter
    idle = {"id": "morning", "start": "08:00", "end": "10:00", "riders": 0, "sorters": 0}
    unsorted = {"id": "afternoon", "start": "14:00", "end": "16:00", "riders": 2, "sorters": 0}
    with pytest.raises(OperationsError, match="shift 'afternoon' has riders but no sorter") as raised:
        operations(shifts=[idle, unsorted], gate={"reload_s": 240, "sort_s_per_parcel": 4})
    assert raised.value.field == "sorters"
    assert raised.value.zh is not None and raised.value.zh.startswith("班次 afternoon 有骑手但没有分拣员")
    # a shift nobody works, or no sorting pace at all: nothing to refuse
    assert operations(shifts=[idle], gate={"reload_s": 240, "sort_s_per_parcel": 4}).shifts[0].sorters == 0
    assert operations(shifts=[idle, unsorted], gate={"reload_s": 300}).shifts[1].sorters == 0


def test_unknown_policy_override_is_rejected() -> None:
    with pytest.raises(OperationsError, match="unknown stop policy 'loud'"):
        operations().with_policy("loud")


def test_every_mode_has_a_vehicle_the_page_can_add_and_the_planner_reads() -> None:
    assert set(VEHICLE_DEFAULTS) == set(MODES)
    fleet = [{"id": mode, "mode": mode, "count": 1, **start} for mode, start in VEHICLE_DEFAULTS.items()]
    read = operations(fleet=fleet).fleet
    assert [(v.mode, v.capacity, v.crew) for v in read] == [
        (mode, start["capacity"], start["crew"]) for mode, start in VEHICLE_DEFAULTS.items()
    ]


def test_the_starting_roster_is_the_lockdown_day_and_reads_as_operations() -> None:
    read = parse_operations(starting_operations("zh"))
    assert [(s.id, s.riders, s.sorters) for s in read.shifts] == [
        ("上午", 2, 1),
        ("下午", 2, 1),
        ("晚上", 2, 1),
    ]
    assert [(v.mode, v.count, v.capacity, v.crew) for v in read.fleet] == [("tricycle", 1, 80, 2)]
    assert read.stop.policy == "notify_one"
    assert [s.id for s in parse_operations(starting_operations("en")).shifts] == [
        "morning",
        "afternoon",
        "evening",
    ]
    with pytest.raises(ValueError, match="language 'fr': use zh or en"):
        starting_operations("fr")


def test_an_error_crosses_a_process_boundary_whole() -> None:
    """The route cards are drawn in a worker process; its error must keep its field and Chinese."""
    error = OperationsError(
        "gate: 'reload_s' must be at least 0", field="gate.reload_s", zh="大门：每趟装车用时（秒）要至少 0"
    )
    back = pickle.loads(pickle.dumps(error))
    assert (type(back), back.message, back.field, back.zh, str(back)) == (
        OperationsError,
        error.message,
        "gate.reload_s",
        error.zh,
        str(error),
    )
