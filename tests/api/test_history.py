"""A compound's history: every change, by the token's label, in the same transaction as the
change — a refused change or one that changes nothing leaves no line."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from fastapi.testclient import TestClient

from api.config import Settings
from api.main import create_app
from tests.api.conftest import ADMIN
from tests.api.helpers import GELIN, SMALL_CSV, bearer, end_job, fill_the_queue, set_up_gelin

DATE = "2022-04-25"
DAY = f"/sites/gelin-spring/days/{DATE}"
CSV = {"Content-Type": "text/csv"}


def _made(client: TestClient, label: str, role: str, headers: dict[str, str]) -> dict[str, Any]:
    made = client.post("/sites/gelin-spring/tokens", json={"role": role, "label": label}, headers=headers)
    assert made.status_code == 201, made.text
    return {"id": made.json()["id"], "headers": bearer(made.json()["token"])}


def _history(client: TestClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    answer = client.get("/sites/gelin-spring/history", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_every_change_is_written_down_with_who_made_it(settings: Settings) -> None:
    settings.max_queued_jobs = 1  # a plan asked for waits, to be taken back
    with TestClient(create_app(settings)) as client:
        set_up_gelin(client)
        lead = _made(client, "Li, coordinator", "coordinator", ADMIN)
        gate = _made(client, "gate sorter", "courier", lead["headers"])
        watch = _made(client, "residents' committee", "viewer", lead["headers"])
        coordinator, courier = lead["headers"], gate["headers"]

        assert client.put(f"{DAY}/counts", content=SMALL_CSV, headers={**courier, **CSV}).status_code == 200
        wave = client.post(f"{DAY}/counts", content="building,parcels\n4,7\n", headers={**courier, **CSV})
        assert wave.status_code == 200
        refused = client.put(f"{DAY}/counts", content="building,parcels\n77x,3\n", headers={**courier, **CSV})
        assert refused.status_code == 422  # nothing stored, nothing written down
        seal = {"sealed": True, "doorbell": "broken"}
        assert (
            client.patch("/sites/gelin-spring/buildings/1", json=seal, headers=coordinator).status_code == 200
        )
        assert (
            client.patch("/sites/gelin-spring/buildings/1", json=seal, headers=coordinator).status_code == 200
        )
        ops = json.loads((GELIN / "ops-3x3.json").read_text())
        assert client.put(f"{DAY}/operations", json=ops, headers=coordinator).status_code == 200
        assert client.delete(f"{DAY}/operations", headers=coordinator).status_code == 204
        busy = fill_the_queue(client, "gelin-spring", "2022-04-20")
        job = client.post(f"{DAY}/plans", json={"time_limit_s": 1}, headers=courier).json()
        assert job["status"] == "waiting"
        assert client.delete(f"/jobs/{job['id']}", headers=courier).status_code == 204
        end_job(client, busy)
        revoked = client.delete(f"/sites/gelin-spring/tokens/{gate['id']}", headers=coordinator)
        assert revoked.status_code == 200
        assert (
            client.delete(f"/sites/gelin-spring/tokens/{gate['id']}", headers=coordinator).status_code == 200
        )
        elsewhere = client.put(  # another day's counts: not this day's history
            "/sites/gelin-spring/days/2022-04-26/counts", content=SMALL_CSV, headers={**ADMIN, **CSV}
        )
        assert elsewhere.status_code == 200

        viewer = watch["headers"]
        lines = _history(client, viewer, date=DATE)
        assert [(line["who"], line["action"]) for line in reversed(lines)] == [
            ("admin", "site_created"),
            ("admin", "roster_changed"),  # set_up_gelin's usual roster
            ("admin", "token_made"),
            ("Li, coordinator", "token_made"),
            ("Li, coordinator", "token_made"),
            ("gate sorter", "counts_replaced"),
            ("gate sorter", "counts_added"),
            ("Li, coordinator", "building_changed"),  # once: the second changed nothing
            ("Li, coordinator", "roster_changed"),
            ("Li, coordinator", "day_roster_removed"),
            ("gate sorter", "plan_asked"),
            ("gate sorter", "plan_taken_back"),
            ("Li, coordinator", "token_revoked"),  # once: revoking again changes nothing
        ]
        said = {line["action"]: line["text"] for line in reversed(lines)}  # the latest of each
        assert said["counts_replaced"] == "sent the day's counts: 25 parcels in 3 rows"
        assert said["counts_added"] == "added a later wave: 7 parcels in 1 rows"
        assert said["building_changed"] == "changed 1号楼: doorbell broken, sealed (door delivery)"
        assert said["token_made"] == "made a viewer token for residents' committee"
        assert said["token_revoked"] == "took back the courier token of gate sorter"
        assert {line["date"] for line in lines} == {DATE, None}
        assert len(_history(client, viewer)) == len(lines) + 1  # every day: the other day's counts too
        assert len(_history(client, viewer, date=DATE, limit=3)) == 3

        chinese = client.get(
            "/sites/gelin-spring/history",
            params={"date": DATE},
            headers={**viewer, "Accept-Language": "zh-CN"},
        ).json()
        in_chinese = {line["action"]: (line["who"], line["text"]) for line in chinese}
        assert in_chinese["counts_replaced"] == ("gate sorter", "提交了当天的件数：3 行，共 25 件")
        assert in_chinese["site_created"] == ("管理员", "建立了这个小区")
        assert in_chinese["building_changed"][1] == "改了1号楼：门铃坏了，封控（送到门口）"
        assert client.get("/sites/gelin-spring/history", headers=bearer("ob_nobody")).status_code == 401
        assert client.get("/sites/nowhere/history", headers=ADMIN).status_code == 404
        assert client.get("/sites/gelin-spring/history?date=25-04-2022", headers=ADMIN).status_code == 422

        # The whole history as a sheet for the compound's records, oldest first, as the page says it.
        sheet = client.get("/sites/gelin-spring/history.csv", params={"date": DATE}, headers=viewer)
        rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig"))))
        assert rows[0] == ["时间", "日期", "谁", "角色", "改动类型", "改了什么"]
        assert [(r[2], r[4], r[5]) for r in rows[1:]] == [
            (who, line["action"], text)
            for line, (who, text) in reversed([(c, (c["who"], c["text"])) for c in chinese])
        ]
        assert rows[1][3] == "管理员" and rows[1][0].endswith("+00:00")
        english = client.get("/sites/gelin-spring/history.csv?lang=en", headers=viewer).content.decode(
            "utf-8-sig"
        )
        assert english.splitlines()[0] == "at,date,who,role,action,what"
        assert len(english.splitlines()) == len(_history(client, viewer)) + 1
        assert client.get("/sites/nowhere/history.csv", headers=ADMIN).status_code == 404


def test_a_district_office_press_and_take_back_are_written_down_at_each_compound(settings: Settings) -> None:
    settings.max_queued_jobs = 1
    with TestClient(create_app(settings)) as client:
        set_up_gelin(client)
        assert client.put(f"{DAY}/counts", content=SMALL_CSV, headers={**ADMIN, **CSV}).status_code == 200
        assert (
            client.put(
                "/sites/gelin-spring/district", json={"district": "xuhui-1"}, headers=ADMIN
            ).status_code
            == 200
        )
        made = client.post("/districts/xuhui-1/tokens", json={"label": "Xuhui office"}, headers=ADMIN).json()
        office = bearer(made["token"])
        busy = fill_the_queue(client, "gelin-spring", "2022-04-20")
        pressed = client.post(f"/days/{DATE}/plans", json={"time_limit_s": 1}, headers=office).json()
        assert [job["site"] for job in pressed["waiting"]] == ["gelin-spring"]
        assert client.delete(f"/days/{DATE}/plans", headers=office).json()["cancelled"] == ["gelin-spring"]
        assert client.delete(f"/days/{DATE}/plans", headers=office).json()["cancelled"] == []
        end_job(client, busy)
        lines = _history(client, office, date=DATE)
        assert [(line["who"], line["action"]) for line in lines[:3]] == [
            ("Xuhui office", "district_plans_taken_back"),
            ("Xuhui office", "district_plans_asked"),
            ("admin", "district_set"),
        ]
        assert lines[2]["text"] == "put the compound in district xuhui-1"
