"""A district office plans every compound that needs it in one request (`POST /days/{date}/plans`)."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from api.config import Settings
from api.main import create_app
from optimizer.check import check_plan
from optimizer.day import parse_day_csv
from optimizer.graph import build_graph
from optimizer.operations import parse_operations
from optimizer.site import parse_site
from tests.api.conftest import ADMIN
from tests.api.helpers import GELIN, SMALL_CSV, bearer, set_up_gelin, set_up_second_site, token, wait_for_job

DATE = "2022-04-25"
CSV = {**ADMIN, "Content-Type": "text/csv"}
ZH = {**ADMIN, "Accept-Language": "zh-CN,zh;q=0.9"}


def _statuses(client: TestClient) -> dict[str, str]:
    return {day["site"]: day["status"] for day in client.get(f"/days/{DATE}", headers=ADMIN).json()["sites"]}


def _three_sites(client: TestClient) -> None:
    """gelin-spring and gelin-b with the small day's counts; gelin-c with none."""
    set_up_gelin(client)
    set_up_second_site(client)
    site = json.loads((GELIN / "site.geojson").read_text())
    site["site"]["id"] = "gelin-c"
    assert client.put("/sites/gelin-c", json=site, headers=ADMIN).status_code == 201
    ops = json.loads((GELIN / "ops-3x3.json").read_text())
    assert client.put("/sites/gelin-c/operations", json=ops, headers=ADMIN).status_code == 200
    for site_id in ("gelin-spring", "gelin-b"):
        put = client.put(f"/sites/{site_id}/days/{DATE}/counts", content=SMALL_CSV, headers=CSV)
        assert put.status_code == 200, put.text


def test_every_site_that_needs_a_plan_gets_one_and_one_that_cannot_be_planned_says_why(
    client: TestClient,
) -> None:
    _three_sites(client)
    assert _statuses(client) == {
        "gelin-b": "not_planned",
        "gelin-c": "no_counts",
        "gelin-spring": "not_planned",
    }
    answer = client.post(f"/days/{DATE}/plans", json={"time_limit_s": 1}, headers=ADMIN)
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert [job["site"] for job in body["queued"]] == ["gelin-b", "gelin-spring"]
    assert (body["waiting"], body["refused"]) == ([], [])
    day = parse_day_csv(SMALL_CSV, date=DATE)
    for job in body["queued"]:
        site_graph = build_graph(parse_site(client.get(f"/sites/{job['site']}", headers=ADMIN).json()))
        finished = wait_for_job(client, job["id"], ADMIN)
        assert finished["status"] == "done", finished
        plan = client.get(f"/plans/{finished['plan_id']}", headers=ADMIN).json()
        ops = client.get(f"/sites/{job['site']}/operations", headers=ADMIN).json()
        assert check_plan(site_graph, day, parse_operations(ops), plan) == []
    assert _statuses(client) == {"gelin-b": "ok", "gelin-c": "no_counts", "gelin-spring": "ok"}
    again = client.post(f"/days/{DATE}/plans", headers=ADMIN).json()
    assert (again["queued"], again["waiting"], again["refused"]) == ([], [], [])  # nothing to do

    # gelin-spring's usual roster loses the afternoon its counts name; gelin-b gets a later wave.
    ops = client.get("/sites/gelin-spring/operations", headers=ADMIN).json()
    ops["shifts"] = [s for s in ops["shifts"] if s["id"] != "afternoon"]
    assert client.put("/sites/gelin-spring/operations", json=ops, headers=ADMIN).status_code == 200
    client.post(f"/sites/gelin-b/days/{DATE}/counts", content="building,parcels\n4,7\n", headers=CSV)
    assert _statuses(client)["gelin-b"] == _statuses(client)["gelin-spring"] == "outdated"
    body = client.post(f"/days/{DATE}/plans", json={"time_limit_s": 1}, headers=ZH).json()
    assert [job["site"] for job in body["queued"]] == ["gelin-b"]
    [refusal] = body["refused"]
    assert refusal["site"] == "gelin-spring" and "afternoon" in refusal["message"]
    assert "班次" in refusal["message"]  # in the language asked for
    assert wait_for_job(client, body["queued"][0]["id"], ADMIN)["status"] == "done"

    # A site's own token plans only its own site.
    client.post(f"/sites/gelin-b/days/{DATE}/counts", content="building,parcels\n5,3\n", headers=CSV)
    _, courier = token(client, "gelin-spring", "courier")
    own = client.post(f"/days/{DATE}/plans", json={"time_limit_s": 1}, headers=bearer(courier)).json()
    assert (own["queued"], own["waiting"], [r["site"] for r in own["refused"]]) == ([], [], ["gelin-spring"])
    assert _statuses(client)["gelin-b"] == "outdated"  # not the courier's to plan


def test_sites_beyond_the_queues_room_are_named_to_ask_for_again(settings: Settings) -> None:
    settings.max_queued_jobs = 1
    with TestClient(create_app(settings)) as client:
        _three_sites(client)
        body = client.post(f"/days/{DATE}/plans", json={"time_limit_s": 1}, headers=ADMIN).json()
        assert [job["site"] for job in body["queued"]] == ["gelin-b"]
        assert body["waiting"] == ["gelin-spring"]
        assert wait_for_job(client, body["queued"][0]["id"], ADMIN)["status"] == "done"
        later = client.post(f"/days/{DATE}/plans", json={"time_limit_s": 1}, headers=ADMIN).json()
        assert [job["site"] for job in later["queued"]] == ["gelin-spring"] and later["waiting"] == []
        assert wait_for_job(client, later["queued"][0]["id"], ADMIN)["status"] == "done"
        assert client.post(f"/days/{DATE}/plans", json={"time_limit_s": 0}, headers=ADMIN).status_code == 422
