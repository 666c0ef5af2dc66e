"""Each kind of bad input answers 422 (or 409/413/415) with a message that names the item."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.config import Settings
from api.main import create_app
from optimizer.workbook import MAX_UNPACKED_BYTES, XLSX_MEDIA
from tests.api.conftest import ADMIN
from tests.api.helpers import GELIN, set_up_gelin
from tests.helpers import workbook

CSV = {**ADMIN, "Content-Type": "text/csv"}


def _error(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    body: dict[str, dict[str, str]] = response.json()
    return body["error"]


def test_site_errors_name_the_feature(client: TestClient) -> None:
    site = json.loads((GELIN / "site.geojson").read_text())
    site["features"].append(dict(site["features"][5]))
    response = client.put("/sites/gelin-spring", json=site, headers=ADMIN)
    assert response.status_code == 422
    assert _error(response)["message"] == "duplicate lane id 'row-4' (features 5 and 138)"
    in_chinese = client.put("/sites/gelin-spring", json=site, headers={**ADMIN, "Accept-Language": "zh-CN"})
    assert _error(in_chinese) == {
        "code": "invalid",
        "message": "道路编号 row-4 重复（要素 5 和 138）",
        "field": "features[138].properties.id",
    }
    site = json.loads((GELIN / "site.geojson").read_text())
    response = client.put("/sites/elsewhere", json=site, headers=ADMIN)
    assert response.status_code == 422 and _error(response)["field"] == "site.id"
    assert client.get("/sites/gelin-spring", headers=ADMIN).status_code == 404  # nothing was stored


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("building,parcels\n1,-4\n", "counts line 2: parcels must not be negative, got -4"),
        ("building,parcels\n1,2.5\n", "counts line 2: parcels must be a whole number, got '2.5'"),
        ("building,parcels,shift\n1,3,night\n", "line 2: unknown shift 'night' for building 1"),
        ("building,parcels\n77x,3\n", "line 2: unknown building '77x'"),
        ("building,parcels,urgent\n1,3,4\n", "urgent (4) is more than parcels (3)"),
    ],
)
def test_count_errors_name_the_line(client: TestClient, body: str, message: str) -> None:
    set_up_gelin(client)
    response = client.put("/sites/gelin-spring/days/2022-04-25/counts", content=body, headers=CSV)
    assert response.status_code == 422
    assert message in _error(response)["message"]


def test_json_count_errors_name_the_entry_not_a_line(client: TestClient) -> None:
    # a JSON document has no lines: its rows' later checks said "line 2" of a list of entries
    set_up_gelin(client)
    where = "/sites/gelin-spring/days/2022-04-25/counts"
    body = {"counts": [{"building": "1", "parcels": 3}, {"building": "2", "parcels": 2, "shift": "noon"}]}
    for language, expected in [
        ("en", "counts[1]: unknown shift 'noon' for building 2; the roster has afternoon, evening, morning"),
        ("zh", "第 2 条：楼 2 的班次「noon」不在班表里；班表有 afternoon、evening、morning"),
    ]:
        response = client.put(where, json=body, headers={**ADMIN, "Accept-Language": language})
        assert response.status_code == 422
        assert _error(response)["message"] == expected, language
    negative = client.put(where, json={"counts": [{"building": "1", "parcels": -1}]}, headers=ADMIN)
    assert _error(negative)["message"] == "counts[0]: parcels must not be negative, got -1"


def test_count_errors_come_in_chinese_to_a_client_that_asks(client: TestClient) -> None:
    set_up_gelin(client)
    where = "/sites/gelin-spring/days/2022-04-25/counts"
    body = "楼号,件数\n1,3\n77x,5\n"
    for language, expected in [
        ("zh-CN,zh;q=0.9,en;q=0.8", "第 3 行：没有「77x」这栋楼（小区 gelin-spring 没有这个楼号或楼名）"),
        ("zh", "第 3 行：没有「77x」这栋楼（小区 gelin-spring 没有这个楼号或楼名）"),
        (
            "en-GB,zh;q=0.5",
            "line 3: unknown building '77x' (site 'gelin-spring' has no building of that id or name)",
        ),
        ("", "line 3: unknown building '77x' (site 'gelin-spring' has no building of that id or name)"),
    ]:
        response = client.put(where, content=body, headers={**CSV, "Accept-Language": language})
        assert response.status_code == 422
        assert _error(response) == {"code": "invalid", "message": expected, "field": "building"}, language
    book = workbook(("楼号", "件数"), ("1", "三"))
    read = client.post(
        f"{where}/read",
        content=book,
        headers={**ADMIN, "Content-Type": XLSX_MEDIA, "Accept-Language": "zh-CN"},
    )
    assert _error(read)["message"] == "件数表第 2 行：件数要写整数（0、1、2 …），写的是「三」"
    refused = client.put(
        where, content=b"building,parcels\n\xff\xff,3\n", headers={**CSV, "Accept-Language": "zh"}
    )
    assert _error(refused)["message"] == "件数表要是 UTF-8 或 GBK 编码的文字（第 17 个字节都不是）"
    other = client.put(
        where, json={"date": "2022-04-26", "counts": []}, headers={**ADMIN, "Accept-Language": "zh"}
    )
    assert _error(other)["message"] == "件数表写的日期是 2022-04-26，网址里的是 2022-04-25"
    misnamed = client.put(
        where,
        files={"upload": ("day.csv", b"building,parcels\n1,3\n")},
        headers={**ADMIN, "Accept-Language": "zh"},
    )
    assert _error(misnamed)["message"] == "上传件数表时，表单字段名要叫 file"
    missing = client.get("/sites/gelin-b/days/2022-04-25/counts", headers={**ADMIN, "Accept-Language": "zh"})
    assert (missing.status_code, _error(missing)["message"]) == (404, "找不到小区 gelin-b")
    english = client.get("/sites/gelin-b/days/2022-04-25/counts", headers=ADMIN)
    assert _error(english)["message"] == "site 'gelin-b' not found"


def test_counts_saved_by_a_chinese_excel_are_read_and_unreadable_bytes_named(client: TestClient) -> None:
    set_up_gelin(client)
    where = "/sites/gelin-spring/days/2022-04-25/counts"
    gbk = "楼号,件数,加急\n1号楼,4,1\n2,3,0\n".encode("gbk")  # a building by its name or its id
    response = client.put(where, content=gbk, headers=CSV)
    assert response.status_code == 200, response.text
    assert [(r["building"], r["parcels"], r["urgent"]) for r in response.json()["rows"]] == [
        ("1", 4, 1),
        ("2", 3, 0),
    ]
    refused = client.put(where, content=b"building,parcels\n\xff\xff,3\n", headers=CSV)
    assert refused.status_code == 422
    assert _error(refused)["message"] == "the counts must be UTF-8 or GBK text (byte 17 is neither)"
    assert (
        client.get(where, headers=ADMIN).json()["totals"]["parcels"] == 7
    )  # the refused body changed nothing


def test_counts_come_as_an_excel_workbook_and_can_be_read_without_storing(client: TestClient) -> None:
    set_up_gelin(client)
    where = "/sites/gelin-spring/days/2022-04-25/counts"
    book = workbook(("楼号", "件数", "班次"), ("1号楼", 4, "morning"), (2, 3.0, None))
    expected = [("1", 4, "morning"), ("2", 3, None)]

    def rows(response: Any) -> list[tuple[str, int, str | None]]:
        assert response.status_code == 200, response.text
        return [(r["building"], r["parcels"], r["shift"]) for r in response.json()["rows"]]

    upload = {"file": ("件数.xlsx", book, "application/octet-stream")}
    assert rows(client.post(f"{where}/read", files=upload, headers=ADMIN)) == expected
    assert client.get(where, headers=ADMIN).json()["rows"] == []  # read, not stored
    assert rows(client.put(where, files=upload, headers=ADMIN)) == expected
    raw = client.post(where, content=book, headers={**ADMIN, "Content-Type": XLSX_MEDIA})
    assert rows(raw) == expected * 2  # a later wave, sent as the workbook itself
    unnamed = {"file": ("blob", book, "application/octet-stream")}  # known by its content
    assert rows(client.post(f"{where}/read", files=unnamed, headers=ADMIN)) == expected
    blanks = workbook(("楼号", "件数"), ("1号楼", None), (2, 3), ("77x", None))
    read = client.post(f"{where}/read", files={"file": ("day.xlsx", blanks, XLSX_MEDIA)}, headers=ADMIN)
    assert rows(read) == [("2", 3, None)]
    assert read.json()["left_blank"] == ["1"]  # for the page to clear; an unknown one has no field

    bad = workbook(("楼号", "件数"), ("1", 4), ("77x", 2))
    refused = client.put(where, files={"file": ("day.xlsx", bad, XLSX_MEDIA)}, headers=ADMIN)
    assert refused.status_code == 422 and "row 3: unknown building '77x'" in _error(refused)["message"]
    checked = client.post(f"{where}/read", files={"file": ("day.xlsx", bad, XLSX_MEDIA)}, headers=ADMIN)
    assert checked.status_code == 422 and "row 3: unknown building '77x'" in _error(checked)["message"]
    assert client.get(where, headers=ADMIN).json()["totals"]["parcels"] == 14  # nothing changed


def test_too_many_rows_are_refused_in_any_format_and_change_nothing(settings: Settings) -> None:
    with TestClient(create_app(settings.model_copy(update={"max_count_rows": 3}))) as client:
        set_up_gelin(client)
        where = "/sites/gelin-spring/days/2022-04-25/counts"
        assert client.put(where, content="building,parcels\n1,1\n", headers=CSV).status_code == 200
        sheet = "building,parcels\n" + "".join(f"{b},1\n" for b in range(1, 6))
        book = workbook(("楼号", "件数"), *((str(b), 1) for b in range(1, 6)))
        for response in (
            client.put(where, content=sheet, headers=CSV),
            client.put(where, files={"file": ("day.xlsx", book, XLSX_MEDIA)}, headers=ADMIN),
            client.post(f"{where}/read", content=book, headers={**ADMIN, "Content-Type": XLSX_MEDIA}),
        ):
            assert response.status_code == 413
            assert _error(response) == {
                "code": "too_many_rows",
                "message": "more than 3 count rows at once; send the day in parts (POST adds rows)",
                "field": None,
            }
        assert client.get(where, headers=ADMIN).json()["totals"]["parcels"] == 1


def test_a_workbook_that_unpacks_too_large_is_refused(client: TestClient) -> None:
    set_up_gelin(client)
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"<" * (MAX_UNPACKED_BYTES + 1))
    response = client.put(
        "/sites/gelin-spring/days/2022-04-25/counts",
        content=packed.getvalue(),
        headers={**ADMIN, "Content-Type": XLSX_MEDIA},
    )
    assert len(packed.getvalue()) < 200_000 and response.status_code == 422
    assert "the workbook unpacks to 64 MiB, more than a day's counts need" in _error(response)["message"]


def test_held_over_rows_must_come_from_before_the_day_in_any_format(client: TestClient) -> None:
    set_up_gelin(client)
    where = "/sites/gelin-spring/days/2022-04-25/counts"
    late = client.put(where, content="building,parcels,held_from\n1,3,2022-04-25\n", headers=CSV)
    assert late.status_code == 422
    assert "held_from 2022-04-25 is not before the day (2022-04-25)" in _error(late)["message"]


def test_the_counts_sheet_comes_back_filled_in(client: TestClient) -> None:
    set_up_gelin(client)
    sheet = client.get("/sites/gelin-spring/counts/sheet.csv", headers=ADMIN)
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/csv")
    assert 'filename="gelin-spring-counts.csv"' in sheet.headers["content-disposition"]
    lines = sheet.content.decode("utf-8-sig").splitlines()
    assert (
        sheet.content.startswith(b"\xef\xbb\xbf")
        and lines[:2] == ["楼号,件数", "1号楼,"]
        and len(lines) == 126
    )
    english = client.get("/sites/gelin-spring/counts/sheet.csv?lang=en", headers=ADMIN)
    assert english.content.decode("utf-8-sig").startswith("building,parcels\n")
    filled = sheet.content.replace("\n3号楼,\n".encode(), "\n3号楼,6\n".encode())
    saved = client.put("/sites/gelin-spring/days/2022-04-25/counts", content=filled, headers=CSV)
    assert saved.status_code == 200, saved.text
    assert [(r["building"], r["parcels"]) for r in saved.json()["rows"]] == [("3", 6)]
    assert client.get("/sites/nowhere/counts/sheet.csv", headers=ADMIN).status_code == 404


def test_operations_errors_name_the_field(client: TestClient) -> None:
    set_up_gelin(client)
    ops = json.loads((GELIN / "ops-3x3.json").read_text())
    ops["shifts"][1]["end"] = "12:00"
    response = client.put("/sites/gelin-spring/operations", json=ops, headers=ADMIN)
    assert response.status_code == 422
    assert _error(response)["message"] == "shift 'afternoon' ends (12:00) before it starts (13:00)"


def test_the_operations_and_the_rest_of_the_refusals_come_in_chinese_to_a_client_that_asks(
    client: TestClient,
) -> None:
    set_up_gelin(client)
    zh = {**ADMIN, "Accept-Language": "zh-CN,zh;q=0.9"}
    ops = json.loads((GELIN / "ops-3x3.json").read_text())
    for change, english, chinese in (
        (
            {"gate": {"reload_s": -5}},
            "gate: 'reload_s' must be at least 0, got -5",
            "大门：每趟装车用时（秒）要至少 0，现在是 -5",
        ),
        ({"stop": {"policy": "shout"}}, "unknown stop policy 'shout'", "停靠方式 'shout' 不认识"),
        ({"sealed": []}, "operations: 'sealed' must be an object", "班表：'sealed' 要是一个 JSON 对象"),
        (
            {"balance_min": "half an hour"},
            "operations: 'balance_min' must be a whole number",
            "班表：各组收工时间相差不超过（分钟）要填整数",
        ),
    ):
        for headers, expected in ((ADMIN, english), (zh, chinese)):
            response = client.put("/sites/gelin-spring/operations", json={**ops, **change}, headers=headers)
            assert response.status_code == 422 and _error(response)["message"].startswith(expected), (
                response.text
            )
    assert client.get("/sites/gelin-spring/operations", headers=ADMIN).json() == json.loads(
        (GELIN / "ops-more-riders.json").read_text()
    )  # nothing changed

    made = client.post("/sites/gelin-spring/tokens", json={"role": "courier"}, headers=ADMIN).json()
    courier = {"Authorization": f"Bearer {made['token']}", "Accept-Language": "zh-CN"}
    refused = client.put("/sites/gelin-spring/operations", json=ops, headers=courier)
    assert (
        refused.status_code == 403
        and _error(refused)["message"] == "志愿者的令牌不能做这件事，要用协调员的令牌"
    )
    unknown = client.get("/sites", headers={"Authorization": "Bearer nope", "Accept-Language": "zh-CN"})
    assert unknown.status_code == 401 and _error(unknown)["message"] == "令牌不对，或已被收回"
    bad_date = client.get("/sites/gelin-spring/days/2022-02-30/counts", headers=zh)
    assert _error(bad_date)["message"] == "'2022-02-30' 不是日期（要写成 年-月-日，如 2022-04-28）"
    bad_json = client.put(
        "/sites/gelin-spring/days/2022-04-25/counts", json={"date": "25.4.2022", "counts": []}, headers=zh
    )
    assert _error(bad_json)["message"] == "件数表：日期要写成 年-月-日（如 2022-04-28），现在是 '25.4.2022'"
    nothing_before = client.post("/sites/gelin-spring/days/2022-04-25/counts/held-over", headers=zh)
    assert nothing_before.status_code == 409
    assert _error(nothing_before)["message"].startswith("2022-04-25 之前这个小区没有排过路线")
    no_counts = client.post("/sites/gelin-spring/days/2022-04-25/plans", headers=zh)
    assert (
        no_counts.status_code == 409
        and _error(no_counts)["message"] == "2022-04-25 还没有件数，请先填好件数再排路线"
    )


def test_dates_bodies_and_limits(client: TestClient) -> None:
    set_up_gelin(client)
    assert client.get("/sites/gelin-spring/days/2022-02-30/counts", headers=ADMIN).status_code == 422
    mismatch = client.put(
        "/sites/gelin-spring/days/2022-04-25/counts", json={"date": "2022-04-26", "counts": []}, headers=ADMIN
    )
    assert mismatch.status_code == 422 and _error(mismatch)["field"] == "date"
    wrong_type = client.put(
        "/sites/gelin-spring/days/2022-04-25/counts",
        content=b"<xml/>",
        headers={**ADMIN, "Content-Type": "application/xml"},
    )
    assert wrong_type.status_code == 415
    stray_return = client.put(
        "/sites/gelin-spring/days/2022-04-25/counts", content="building,parcels\n1,2\r3\n", headers=CSV
    )  # the csv module's own error was a 500 before
    assert stray_return.status_code == 422 and _error(stray_return)["field"] == "line 2"
    documented = client.get("/openapi.json").json()["paths"]["/sites/{site_id}/days/{date}/counts"]
    assert "415" in documented["put"]["responses"] and "415" in documented["post"]["responses"]
    huge = client.put(
        "/sites/gelin-spring/days/2022-04-25/counts",
        content="building,parcels\n" + "1,1\n" * 2_000_000,
        headers=CSV,
    )
    assert huge.status_code == 413 and _error(huge)["code"] == "too_large"
    no_counts = client.post("/sites/gelin-spring/days/2022-04-25/plans", json={}, headers=ADMIN)
    assert no_counts.status_code == 409 and _error(no_counts)["code"] == "no_counts"
    too_long = client.post(
        "/sites/gelin-spring/days/2022-04-25/plans", json={"time_limit_s": 301}, headers=ADMIN
    )
    assert too_long.status_code == 422 and "time_limit_s" in _error(too_long)["message"]


def test_counts_before_operations_are_refused(client: TestClient) -> None:
    site = json.loads((GELIN / "site.geojson").read_text())
    client.put("/sites/gelin-spring", json=site, headers=ADMIN)
    response = client.put(
        "/sites/gelin-spring/days/2022-04-25/counts", content="building,parcels\n1,2\n", headers=CSV
    )
    assert response.status_code == 409 and _error(response)["code"] == "no_operations"
