"""The district office's view of one day across sites (`GET /days/{date}`)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from api.routes.days import _status
from api.schemas import CountTotals, JobGlance, PlanGlance
from optimizer.operations import starting_operations
from tests.api.conftest import ADMIN
from tests.api.helpers import (
    GELIN,
    SMALL_CSV,
    bearer,
    planned,
    set_up_gelin,
    set_up_second_site,
    token,
)

DATE = "2022-04-25"
CSV = {**ADMIN, "Content-Type": "text/csv"}


def _plan(client: TestClient, site: str) -> dict[str, object]:
    return planned(client, site, DATE)


def _by_site(overview: dict[str, object]) -> dict[str, dict[str, object]]:
    return {day["site"]: day for day in overview["sites"]}  # type: ignore[attr-defined,index]


def test_a_compound_without_shifts_and_vehicles_says_so_and_then_takes_counts(client: TestClient) -> None:
    set_up_gelin(client)
    site = json.loads((GELIN / "site.geojson").read_text())
    site["site"]["id"] = "gelin-new"
    assert client.put("/sites/gelin-new", json=site, headers=ADMIN).status_code == 201
    days = _by_site(client.get(f"/days/{DATE}?needs_attention=true", headers=ADMIN).json())
    assert (days["gelin-new"]["status"], days["gelin-spring"]["status"]) == ("no_operations", "no_counts")
    sheet = client.get(f"/days/{DATE}/overview.csv", headers=ADMIN).content.decode("utf-8-sig")
    assert "gelin-new,格林春岸 Gelin Spring,未设班次车辆," in sheet
    assert (
        client.put("/sites/gelin-new/operations", json=starting_operations("zh"), headers=ADMIN).status_code
        == 200
    )
    assert client.get(f"/sites/gelin-new/days/{DATE}", headers=ADMIN).json()["status"] == "no_counts"


def test_a_day_across_sites_from_no_counts_to_plans(client: TestClient) -> None:
    set_up_gelin(client)
    set_up_second_site(client)
    overview = client.get(f"/days/{DATE}", headers=ADMIN).json()
    assert [(d["site"], d["status"], d["counts"], d["plan"]) for d in overview["sites"]] == [
        ("gelin-b", "no_counts", None, None),
        ("gelin-spring", "no_counts", None, None),
    ]

    client.put(f"/sites/gelin-spring/days/{DATE}/counts", content=SMALL_CSV, headers=CSV)
    # one tricycle a shift cannot carry 6,000 parcels to one building: the plan leaves some behind
    heavy = "building,parcels,urgent\n120,6000,4\n"
    client.put(f"/sites/gelin-b/days/{DATE}/counts", content=heavy, headers=CSV)
    days = _by_site(client.get(f"/days/{DATE}", headers=ADMIN).json())
    assert days["gelin-spring"]["status"] == days["gelin-b"]["status"] == "not_planned"
    assert days["gelin-spring"]["counts"] == {
        "rows": 3,
        "parcels": 25,
        "urgent": 0,
        "buildings": 3,
        "held_over": 0,
    }

    small, big = _plan(client, "gelin-spring"), _plan(client, "gelin-b")
    overview = client.get(f"/days/{DATE}", headers=ADMIN).json()
    days = _by_site(overview)
    assert days["gelin-spring"]["status"] == "ok"
    assert days["gelin-spring"]["plan"]["id"] == small["id"]  # type: ignore[index]
    assert days["gelin-spring"]["plan"]["delivered"] == 25  # type: ignore[index]
    assert days["gelin-spring"]["plan"]["up_to_date"] is True  # type: ignore[index]
    assert days["gelin-spring"]["job"]["status"] == "done"  # type: ignore[index]
    assert days["gelin-b"]["status"] == "undelivered"
    big_summary = big["summary"]
    assert days["gelin-b"]["plan"]["undelivered"] == big_summary["undelivered"] > 0  # type: ignore[index]
    urgent_left = sum(item.get("urgent", 0) for item in big["undelivered"])  # type: ignore[attr-defined]
    assert days["gelin-b"]["plan"]["urgent_undelivered"] == urgent_left  # type: ignore[index]
    assert days["gelin-b"]["plan"]["late_urgent"] == big_summary["late_urgent"]  # type: ignore[index]
    glance = days["gelin-b"]["plan"]  # as the plan itself says, without reading it
    assert (glance["parcels"], glance["trips"], glance["crew_hours"]) == (  # type: ignore[index]
        big_summary["parcels"],  # type: ignore[index]
        big_summary["trips"],  # type: ignore[index]
        round(big_summary["crew_s"] / 3600, 2),  # type: ignore[index]
    )
    assert overview["totals"] == {
        "sites": 2,
        "parcels": 6025,
        "held_over": 0,
        "delivered": 25 + big_summary["delivered"],  # type: ignore[index]
        "undelivered": big_summary["undelivered"],  # type: ignore[index]
        "urgent_undelivered": urgent_left,
        "late_urgent": big_summary["late_urgent"],  # type: ignore[index]
        "statuses": {"ok": 1, "undelivered": 1},
    }

    # a later wave of counts makes the plan out of date; only sites needing attention are listed
    client.post(f"/sites/gelin-spring/days/{DATE}/counts", content="building,parcels\n4,7\n", headers=CSV)
    attention = client.get(f"/days/{DATE}?needs_attention=true", headers=ADMIN).json()
    assert [(d["site"], d["status"]) for d in attention["sites"]] == [
        ("gelin-b", "undelivered"),
        ("gelin-spring", "outdated"),
    ]
    assert attention["totals"]["sites"] == 2
    assert _by_site(attention)["gelin-spring"]["plan"]["up_to_date"] is False  # type: ignore[index]

    # the same as a sheet, for the district's report: a compound a row, in Chinese by default
    sheet = client.get(f"/days/{DATE}/overview.csv", headers=ADMIN)
    assert sheet.status_code == 200 and sheet.content.startswith(b"\xef\xbb\xbf")
    assert f'filename="onebell-{DATE}.csv"' in sheet.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    assert rows[0][:7] == ["小区编号", "小区", "状态", "件数", "之前留下", "已送达", "未送达"]
    assert [row[:7] for row in rows[1:]] == [
        [
            "gelin-b",
            rows[1][1],
            "有未送达",
            "6000",
            "0",
            str(big_summary["delivered"]),
            str(big_summary["undelivered"]),
        ],  # type: ignore[index]
        ["gelin-spring", rows[2][1], "计划已过时", "32", "0", "25", "0"],
    ]
    assert rows[0][7:9] == ["加急未送达", "加急超时送达"]
    assert rows[2][11:] == [
        "0",
        "0",
        small["id"],
        rows[2][14],
        "否",
        "否",
        "",
        "0",
        "",
        "0",
        "0",
    ]  # none back; up to date; no own roster; no earlier day; nothing sealed or closed now
    english = client.get(f"/days/{DATE}/overview.csv?lang=en", headers=ADMIN).content.decode("utf-8-sig")
    assert english.startswith("site,name,status,parcels,held_over,delivered,undelivered,urgent_undelivered,")
    assert "\ngelin-spring," in english and ",plan outdated,32,0,25,0,0," in english
    _, courier = token(client, "gelin-b", "courier")
    own = client.get(f"/days/{DATE}/overview.csv", headers=bearer(courier)).content.decode("utf-8-sig")
    assert [line.split(",")[0] for line in own.splitlines()[1:]] == ["gelin-b"]  # a site token: its own site

    # one site's line alone, as the coordinator's page opens the day with it
    _, coordinator = token(client, "gelin-spring", "coordinator")
    one = client.get(f"/sites/gelin-spring/days/{DATE}", headers=bearer(coordinator))
    assert one.status_code == 200
    assert one.json() == _by_site(client.get(f"/days/{DATE}", headers=ADMIN).json())["gelin-spring"]
    assert one.json()["status"] == "outdated"

    # another day is untouched
    other = client.get("/days/2022-04-26", headers=ADMIN).json()
    assert {d["status"] for d in other["sites"]} == {"no_counts"}


def test_a_site_token_sees_only_its_own_site(client: TestClient) -> None:
    set_up_gelin(client)
    set_up_second_site(client)
    _, courier = token(client, "gelin-spring", "courier")
    overview = client.get(f"/days/{DATE}", headers=bearer(courier)).json()
    assert [d["site"] for d in overview["sites"]] == ["gelin-spring"]
    assert overview["totals"]["sites"] == 1
    assert client.get(f"/days/{DATE}").status_code == 401
    bad = client.get("/days/2022-02-30", headers=ADMIN)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "date"
    # one site's line: another site's is not there for this token, nor a site that does not exist
    assert (
        client.get(f"/sites/gelin-spring/days/{DATE}", headers=bearer(courier)).json()["status"]
        == "no_counts"
    )
    assert client.get(f"/sites/gelin-b/days/{DATE}", headers=bearer(courier)).status_code == 404
    missing = client.get(f"/sites/nowhere/days/{DATE}", headers=ADMIN)
    assert missing.status_code == 404 and "site 'nowhere' not found" in missing.json()["error"]["message"]
    bad_date = client.get("/sites/gelin-spring/days/2022-13-01", headers=ADMIN)
    assert bad_date.status_code == 422 and bad_date.json()["error"]["field"] == "date"


def test_the_status_names_the_most_pressing_thing() -> None:
    counted = CountTotals(rows=1, parcels=10, urgent=0, buildings=1)
    made = datetime(2022, 4, 25, 8, tzinfo=UTC)

    def plan(*, up_to_date: bool = True, undelivered: int = 0) -> PlanGlance:
        return PlanGlance(
            id="p",
            created_at=made,
            parcels=10,
            delivered=10 - undelivered,
            undelivered=undelivered,
            urgent_undelivered=0,
            trips=1,
            crew_hours=0.5,
            up_to_date=up_to_date,
        )

    def job(status: str, minutes: int) -> JobGlance:
        return JobGlance(id="j", status=status, error=None, created_at=made + timedelta(minutes=minutes))  # type: ignore[arg-type]

    assert _status(None, None, None) == "no_counts"
    assert _status(None, None, None, has_operations=False) == "no_operations"
    assert _status(counted, None, None, has_operations=False) == "not_planned"  # counts came before
    assert _status(None, None, job("running", 0)) == "planning"
    assert _status(counted, None, None) == "not_planned"
    assert _status(counted, None, job("failed", 0)) == "failed"
    assert _status(counted, plan(), job("failed", 5)) == "failed"  # a newer job failed
    assert _status(counted, plan(), job("failed", -5)) == "ok"  # the plan came after the failure
    assert _status(counted, plan(), job("queued", 5)) == "planning"
    assert _status(counted, plan(up_to_date=False, undelivered=3), None) == "outdated"
    assert _status(counted, plan(undelivered=3), job("done", -1)) == "undelivered"
    assert _status(counted, plan(), job("done", -1)) == "ok"


def test_the_days_counts_in_short_follow_every_change_of_its_rows(client: TestClient) -> None:
    """The overview reads each day's counts in short, written with the rows: after a PUT, a later
    wave, the same counts sent again and a change, its totals are the rows' and the plan is up to
    date exactly while the rows are the ones it was made from."""
    set_up_gelin(client)
    path = f"/sites/gelin-spring/days/{DATE}"

    def day() -> dict[str, object]:
        line: dict[str, object] = client.get(path, headers=ADMIN).json()
        stored = client.get(f"{path}/counts", headers=ADMIN).json()["totals"]
        assert line["counts"] == (stored if stored["rows"] else None)  # the short form is the rows' totals
        return line

    assert day()["counts"] is None
    first = "building,parcels,urgent,arrived\n1,5,1,07:30\n2,7,0,\n"
    assert client.put(f"{path}/counts", content=first, headers=CSV).status_code == 200
    day()
    wave = "building,parcels\n3,4\n1,2\n"
    assert client.post(f"{path}/counts", content=wave, headers=CSV).status_code == 200
    assert day()["counts"]["parcels"] == 18  # type: ignore[index]
    _plan(client, "gelin-spring")
    assert day()["plan"]["up_to_date"] is True  # type: ignore[index]
    rows = client.get(f"{path}/counts", headers=ADMIN).json()["rows"]
    same = {"date": DATE, "counts": rows}
    assert client.put(f"{path}/counts", json=same, headers=ADMIN).status_code == 200
    assert day()["plan"]["up_to_date"] is True  # type: ignore[index]  # the same rows again
    changed = {"date": DATE, "counts": [*rows[:-1], {**rows[-1], "parcels": 3}]}
    assert client.put(f"{path}/counts", json=changed, headers=ADMIN).status_code == 200
    assert day()["plan"]["up_to_date"] is False  # type: ignore[index]
    assert client.put(f"{path}/counts", json=same, headers=ADMIN).status_code == 200
    assert day()["plan"]["up_to_date"] is True  # type: ignore[index]  # back as planned
    days = client.get(f"/days?from={DATE}&to={DATE}", headers=ADMIN).json()
    assert (days[0]["parcels"], days[0]["counted_sites"]) == (18, 1)
