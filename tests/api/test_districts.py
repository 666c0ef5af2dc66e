"""A district office's token: the compounds the admin put in its district, as their coordinator,
and nothing of the other districts on the same server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.cli import main
from api.config import Settings
from api.main import create_app
from optimizer.check import check_plan
from optimizer.day import parse_day_csv
from optimizer.graph import build_graph
from optimizer.operations import parse_operations
from optimizer.site import parse_site
from tests.api.conftest import ADMIN
from tests.api.helpers import GELIN, SMALL_CSV, bearer, set_up_gelin, set_up_second_site, wait_for_job

DATE = "2022-04-25"
CSV = {**ADMIN, "Content-Type": "text/csv"}


def _copy_of_gelin(client: TestClient, site_id: str, headers: dict[str, str] = ADMIN) -> int:
    site = json.loads((GELIN / "site.geojson").read_text())
    site["site"]["id"] = site_id
    return client.put(f"/sites/{site_id}", json=site, headers=headers).status_code


def _in_district(client: TestClient, site_id: str, district: str | None) -> None:
    answer = client.put(f"/sites/{site_id}/district", json={"district": district}, headers=ADMIN)
    assert answer.status_code == 200, answer.text
    assert answer.json()["district"] == district


def test_a_district_token_sees_plans_and_runs_its_districts_compounds_only(client: TestClient) -> None:
    set_up_gelin(client)
    set_up_second_site(client)
    assert _copy_of_gelin(client, "gelin-c") == 201
    ops = json.loads((GELIN / "ops-3x3.json").read_text())
    assert client.put("/sites/gelin-c/operations", json=ops, headers=ADMIN).status_code == 200
    for site_id in ("gelin-spring", "gelin-b", "gelin-c"):
        put = client.put(f"/sites/{site_id}/days/{DATE}/counts", content=SMALL_CSV, headers=CSV)
        assert put.status_code == 200, put.text
    _in_district(client, "gelin-spring", "xuhui-1")
    _in_district(client, "gelin-b", "xuhui-1")
    _in_district(client, "gelin-c", "xuhui-2")
    made = client.post("/districts/xuhui-1/tokens", json={"label": "Xuhui office"}, headers=ADMIN)
    assert made.status_code == 201, made.text
    assert (made.json()["role"], made.json()["site"], made.json()["district"]) == (
        "district",
        None,
        "xuhui-1",
    )
    office = bearer(made.json()["token"])

    assert client.get("/me", headers=office).json() == {
        "role": "district",
        "site": None,
        "district": "xuhui-1",
        "token_id": made.json()["id"],
    }
    assert [s["id"] for s in client.get("/sites", headers=office).json()] == ["gelin-b", "gelin-spring"]
    overview = client.get(f"/days/{DATE}", headers=office).json()
    assert [day["site"] for day in overview["sites"]] == ["gelin-b", "gelin-spring"]
    for path in ("/sites/gelin-c", f"/sites/gelin-c/days/{DATE}", "/sites/gelin-c/operations"):
        assert client.get(path, headers=office).status_code == 404, path  # not told it exists

    # One press plans the district's compounds, not the other district's.
    body = client.post(f"/days/{DATE}/plans", json={"time_limit_s": 1}, headers=office).json()
    jobs = body["queued"] + body["waiting"]
    assert [job["site"] for job in jobs] == ["gelin-b", "gelin-spring"]
    day = parse_day_csv(SMALL_CSV, date=DATE)
    for job in jobs:
        finished = wait_for_job(client, job["id"], office)
        assert finished["status"] == "done", finished
        plan = client.get(f"/plans/{finished['plan_id']}", headers=office).json()
        site_graph = build_graph(parse_site(client.get(f"/sites/{job['site']}", headers=office).json()))
        operations = parse_operations(client.get(f"/sites/{job['site']}/operations", headers=office).json())
        assert check_plan(site_graph, day, operations, plan) == []
    admin_view = {d["site"]: d["status"] for d in client.get(f"/days/{DATE}", headers=ADMIN).json()["sites"]}
    assert admin_view == {"gelin-b": "ok", "gelin-c": "not_planned", "gelin-spring": "ok"}

    # As the compounds' coordinator: their counts, tokens for their volunteers, a new compound.
    wave = client.post(
        f"/sites/gelin-b/days/{DATE}/counts",
        content="building,parcels\n4,7\n",
        headers={**office, "Content-Type": "text/csv"},
    )
    assert wave.status_code == 200, wave.text
    courier = client.post("/sites/gelin-b/tokens", json={"role": "courier", "label": "rider"}, headers=office)
    assert courier.status_code == 201, courier.text
    assert _copy_of_gelin(client, "gelin-d", office) == 201
    assert client.get("/sites/gelin-d", headers=office).status_code == 200
    assert [s["district"] for s in client.get("/sites", headers=ADMIN).json() if s["id"] == "gelin-d"] == [
        "xuhui-1"
    ]

    # Not the admin's: another district's compound, the districts themselves, district tokens.
    before = client.get("/sites/gelin-c", headers=ADMIN).json()
    assert _copy_of_gelin(client, "gelin-c", office) == 404
    assert client.get("/sites/gelin-c", headers=ADMIN).json() == before
    assert (
        client.put("/sites/gelin-b/district", json={"district": "xuhui-2"}, headers=office).status_code == 403
    )
    assert (
        client.put("/sites/gelin-c/district", json={"district": "xuhui-1"}, headers=office).status_code == 403
    )
    assert client.post("/districts/xuhui-1/tokens", json={}, headers=office).status_code == 403
    assert client.get("/districts/xuhui-1/tokens", headers=office).status_code == 403

    # The admin moves a compound out: out of the office's sight from the next request on.
    _in_district(client, "gelin-b", "xuhui-2")
    assert client.get("/sites/gelin-b", headers=office).status_code == 404
    assert [d["site"] for d in client.get(f"/days/{DATE}", headers=office).json()["sites"]] == [
        "gelin-d",
        "gelin-spring",
    ]
    [listed] = client.get("/districts/xuhui-1/tokens", headers=ADMIN).json()
    revoked = client.delete(f"/districts/xuhui-1/tokens/{listed['id']}", headers=ADMIN)
    assert revoked.status_code == 200 and revoked.json()["revoked"] is True
    assert client.get("/sites", headers=office).status_code == 401
    assert client.delete(f"/districts/xuhui-2/tokens/{listed['id']}", headers=ADMIN).status_code == 404


def test_bad_district_names_are_refused_and_change_nothing(client: TestClient) -> None:
    set_up_gelin(client)
    _in_district(client, "gelin-spring", "xuhui-1")
    bad = client.put("/sites/gelin-spring/district", json={"district": "徐汇 1"}, headers=ADMIN)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "district"
    assert client.put("/sites/nowhere/district", json={"district": "x"}, headers=ADMIN).status_code == 404
    assert client.post("/districts/a b/tokens", json={}, headers=ADMIN).status_code == 422
    assert [s["district"] for s in client.get("/sites", headers=ADMIN).json()] == ["xuhui-1"]
    _in_district(client, "gelin-spring", None)  # out of every district


def test_a_district_token_made_on_the_command_line(
    command_line: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "create", "--district", "xuhui-1", "--role", "courier"]) == 2
    assert main(["token", "create", "--site", "gelin-spring"]) == 2
    assert main(["token", "create", "--district", "xuhui-1", "--label", "office"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    with TestClient(create_app(Settings(data_dir=command_line, admin_token="admin-secret"))) as client:
        set_up_gelin(client)
        _in_district(client, "gelin-spring", "xuhui-1")
        assert [s["id"] for s in client.get("/sites", headers=bearer(token)).json()] == ["gelin-spring"]


def test_the_admin_lists_the_districts_with_their_compounds_and_live_tokens(client: TestClient) -> None:
    assert client.get("/districts", headers=ADMIN).json() == []
    set_up_gelin(client)
    set_up_second_site(client)
    assert _copy_of_gelin(client, "gelin-c") == 201
    _in_district(client, "gelin-spring", "xuhui-1")
    _in_district(client, "gelin-b", "xuhui-1")
    _in_district(client, "gelin-c", "xuhui-2")
    kept = client.post("/districts/xuhui-1/tokens", json={"label": "office"}, headers=ADMIN).json()
    gone = client.post("/districts/xuhui-1/tokens", json={"label": "old"}, headers=ADMIN).json()
    client.post("/districts/minhang-3/tokens", json={"label": "not yet given compounds"}, headers=ADMIN)
    client.post(
        "/districts/xuhui-2/tokens", json={"label": "street committee", "role": "viewer"}, headers=ADMIN
    )
    assert client.delete(f"/districts/xuhui-1/tokens/{gone['id']}", headers=ADMIN).status_code == 200
    assert client.get("/districts", headers=ADMIN).json() == [
        {"district": "minhang-3", "sites": 0, "tokens": 1, "viewers": 0},
        {"district": "xuhui-1", "sites": 2, "tokens": 1, "viewers": 0},
        {
            "district": "xuhui-2",
            "sites": 1,
            "tokens": 0,
            "viewers": 1,
        },  # a viewer, and no way in for its office
    ]
    for others in (bearer(kept["token"]), bearer(_site_token(client))):
        assert client.get("/districts", headers=others).status_code == 403


def _site_token(client: TestClient) -> str:
    made = client.post("/sites/gelin-spring/tokens", json={"role": "coordinator"}, headers=ADMIN)
    assert made.status_code == 201, made.text
    return str(made.json()["token"])
