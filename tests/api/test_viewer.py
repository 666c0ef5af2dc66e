"""A viewer's token — of a site or of a district — reads what a courier reads and changes nothing:
every route that writes refuses it with 403 before it looks at anything, and the day stays as it
was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.cli import main
from api.config import Settings
from api.main import create_app
from tests.api.conftest import ADMIN
from tests.api.helpers import SMALL_CSV, bearer, planned, set_up_gelin, set_up_second_site, token
from tests.helpers import FIXTURES

DATE = "2022-04-25"
CSV = {"Content-Type": "text/csv"}

WRITES: dict[tuple[str, str], dict[str, Any]] = {
    ("PUT", "/sites/{site_id}"): {"json": "site"},
    ("POST", "/sites/{site_id}/map/osm"): {"content": (FIXTURES / "osm" / "test-garden.osm").read_bytes()},
    ("PATCH", "/sites/{site_id}/buildings/{building_id}"): {"json": {"sealed": True}},
    ("PATCH", "/sites/{site_id}/zones/{zone_id}"): {"json": {"sealed": True}},
    ("PATCH", "/sites/{site_id}/lanes/{lane_id}"): {"json": {"closed": True}},
    ("POST", "/sites/{site_id}/tokens"): {"json": {"role": "coordinator"}},
    ("DELETE", "/sites/{site_id}/tokens/{token_id}"): {},
    ("PUT", "/sites/{site_id}/days/{date}/counts"): {"content": SMALL_CSV, "headers": CSV},
    ("POST", "/sites/{site_id}/days/{date}/counts"): {"content": SMALL_CSV, "headers": CSV},
    ("POST", "/sites/{site_id}/days/{date}/counts/read"): {"content": SMALL_CSV, "headers": CSV},
    ("POST", "/sites/{site_id}/days/{date}/counts/held-over"): {},
    ("DELETE", "/sites/{site_id}/days/{date}/counts/held-over"): {},
    ("POST", "/sites/{site_id}/days/{date}/counts/brought-back"): {},
    ("PUT", "/plans/{plan_id}/crews/{crew_id}/trips/{trip}/report"): {"json": {"returned": []}},
    ("DELETE", "/plans/{plan_id}/crews/{crew_id}/trips/{trip}/report"): {},
    ("PUT", "/sites/{site_id}/operations"): {"json": "operations"},
    ("POST", "/sites/{site_id}/operations/read"): {"json": "operations"},
    ("PUT", "/sites/{site_id}/days/{date}/operations"): {"json": "operations"},
    ("DELETE", "/sites/{site_id}/days/{date}/operations"): {},
    ("POST", "/sites/{site_id}/days/{date}/plans"): {"json": {"time_limit_s": 1}},
    ("POST", "/days/{date}/plans"): {"json": {"time_limit_s": 1}},
    ("DELETE", "/days/{date}/plans"): {},
    ("POST", "/sites/{site_id}/days/{date}/staffing"): {"json": {"try_s": 1}},
    ("DELETE", "/jobs/{job_id}"): {},
    ("PUT", "/sites/{site_id}/district"): {"json": {"district": "xuhui-9"}},
    ("PUT", "/sites/{site_id}/archived"): {"json": {"archived": True}},
    ("POST", "/districts/{district}/tokens"): {"json": {"label": "x"}},
    ("DELETE", "/districts/{district}/tokens/{token_id}"): {},
}
"""Every route that is not a GET, with a body it would take from a coordinator."""


def test_every_route_that_is_not_a_read_is_in_the_viewers_list(client: TestClient) -> None:
    """A route added later that writes must be added above, so the test below asks it too."""
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    routes = {
        (method.upper(), path) for path, methods in paths.items() for method in methods if method != "get"
    }
    assert routes == set(WRITES)


@pytest.fixture
def day(client: TestClient) -> dict[str, Any]:
    """gelin-spring with counts and a plan of DATE, a site viewer's token and the job that made it."""
    set_up_gelin(client)
    put = client.put(f"/sites/gelin-spring/days/{DATE}/counts", content=SMALL_CSV, headers={**ADMIN, **CSV})
    assert put.status_code == 200, put.text
    plan = planned(client, "gelin-spring", DATE)
    token_id, viewer = token(client, "gelin-spring", "viewer")
    job = client.get(f"/sites/gelin-spring/days/{DATE}", headers=ADMIN).json()["job"]
    return {"plan": plan, "viewer": bearer(viewer), "token_id": token_id, "job_id": job["id"]}


def _state(client: TestClient) -> dict[str, Any]:
    """What a write could change, read with the admin token."""
    return {
        "site": client.get("/sites/gelin-spring", headers=ADMIN).json(),
        "buildings": client.get("/sites/gelin-spring/buildings", headers=ADMIN).json(),
        "operations": client.get("/sites/gelin-spring/operations", headers=ADMIN).json(),
        "counts": client.get(f"/sites/gelin-spring/days/{DATE}/counts", headers=ADMIN).json(),
        "day": client.get(f"/sites/gelin-spring/days/{DATE}", headers=ADMIN).json(),
        "tokens": client.get("/sites/gelin-spring/tokens", headers=ADMIN).json(),
        "districts": client.get("/districts", headers=ADMIN).json(),
        "reports": client.get(f"/sites/gelin-spring/days/{DATE}/reports", headers=ADMIN).json(),
    }


def test_a_site_viewer_reads_the_day_and_changes_nothing(client: TestClient, day: dict[str, Any]) -> None:
    viewer, plan = day["viewer"], day["plan"]
    assert client.get("/me", headers=viewer).json() == {
        "role": "viewer",
        "site": "gelin-spring",
        "district": None,
        "token_id": day["token_id"],
    }
    shift = plan["shifts"][0]["id"]
    for path in (
        "/sites",
        "/sites/gelin-spring",
        "/sites/gelin-spring/buildings",
        "/sites/gelin-spring/zones",
        "/sites/gelin-spring/history",
        "/sites/gelin-spring/operations",
        "/sites/gelin-spring/counts/sheet.csv",
        f"/sites/gelin-spring/days/{DATE}/counts",
        f"/sites/gelin-spring/days/{DATE}",
        f"/days/{DATE}",
        f"/sites/gelin-spring/days/{DATE}/plans/latest",
        f"/sites/gelin-spring/days/{DATE}/reports",
        f"/sites/gelin-spring/days/{DATE}/reports/notices.txt",
        f"/plans/{plan['id']}",
        f"/plans/{plan['id']}/shifts/{shift}",
        f"/plans/{plan['id']}/notices.txt?shift={shift}",
        f"/plans/{plan['id']}/cards.pdf?shift={shift}&part=load_list",
        f"/sites/gelin-spring/map.svg?plan_id={plan['id']}",
        f"/jobs/{day['job_id']}",
    ):
        answer = client.get(path, headers=viewer)
        assert answer.status_code == 200, (path, answer.text)
    assert client.get(f"/sites/gelin-spring/days/{DATE}/plans/latest", headers=viewer).json() == plan

    before = _state(client)
    documents = {"site": before["site"], "operations": before["operations"]}
    values = {
        "site_id": "gelin-spring",
        "building_id": "1",
        "zone_id": "A",
        "lane_id": "spine",
        "token_id": day["token_id"],
        "date": DATE,
        "job_id": day["job_id"],
        "district": "xuhui-1",
        "plan_id": plan["id"],
        "crew_id": plan["shifts"][0]["crews"][0]["id"],
        "trip": 1,
    }
    for (method, path), how in WRITES.items():
        request = {**how}
        if isinstance(request.get("json"), str):
            request["json"] = documents[request["json"]]
        headers = {**viewer, **request.pop("headers", {})}
        answer = client.request(method, path.format(**values), headers=headers, **request)
        assert answer.status_code == 403, (method, path, answer.text)
        assert answer.json()["error"]["code"] == "forbidden"
    assert _state(client) == before
    refused = client.post(
        f"/sites/gelin-spring/days/{DATE}/plans", json={}, headers={**viewer, "Accept-Language": "zh-CN"}
    )
    assert refused.json()["error"]["message"] == "只读的令牌不能做这件事，要用志愿者的令牌"


def test_a_district_viewer_sees_the_districts_days_and_plans_nothing(client: TestClient) -> None:
    set_up_gelin(client)
    set_up_second_site(client)
    for site_id in ("gelin-spring", "gelin-b"):
        put = client.put(f"/sites/{site_id}/days/{DATE}/counts", content=SMALL_CSV, headers={**ADMIN, **CSV})
        assert put.status_code == 200, put.text
    assert (
        client.put("/sites/gelin-spring/district", json={"district": "xuhui-1"}, headers=ADMIN).status_code
        == 200
    )
    made = client.post(
        "/districts/xuhui-1/tokens", json={"label": "street office", "role": "viewer"}, headers=ADMIN
    )
    assert made.status_code == 201, made.text
    assert (made.json()["role"], made.json()["district"]) == ("viewer", "xuhui-1")
    viewer = bearer(made.json()["token"])
    assert client.get("/me", headers=viewer).json() == {
        "role": "viewer",
        "site": None,
        "district": "xuhui-1",
        "token_id": made.json()["id"],
    }
    assert [s["id"] for s in client.get("/sites", headers=viewer).json()] == ["gelin-spring"]
    overview = client.get(f"/days/{DATE}", headers=viewer).json()
    assert [(s["site"], s["status"]) for s in overview["sites"]] == [("gelin-spring", "not_planned")]
    assert client.get(f"/sites/gelin-b/days/{DATE}", headers=viewer).status_code == 404  # not its district

    for method, path, body in (
        ("POST", f"/days/{DATE}/plans", {"time_limit_s": 1}),
        ("DELETE", f"/days/{DATE}/plans", None),
        ("POST", f"/sites/gelin-spring/days/{DATE}/plans", {"time_limit_s": 1}),
        ("PUT", "/sites/gelin-new", client.get("/sites/gelin-spring", headers=ADMIN).json()),
    ):
        answer = client.request(method, path, json=body, headers=viewer)
        assert answer.status_code == 403, (method, path, answer.text)
    overview = client.get(f"/days/{DATE}", headers=ADMIN).json()
    assert {s["site"]: s["job"] for s in overview["sites"]} == {"gelin-b": None, "gelin-spring": None}
    assert [s["id"] for s in client.get("/sites", headers=ADMIN).json()] == ["gelin-b", "gelin-spring"]
    assert client.get("/districts", headers=ADMIN).json() == [
        {"district": "xuhui-1", "sites": 1, "tokens": 0, "viewers": 1}  # its office has no way in yet
    ]


def test_viewer_tokens_made_on_the_command_line(
    command_line: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "create", "--district", "xuhui-1", "--role", "coordinator"]) == 2
    assert main(["token", "create", "--district", "xuhui-1", "--role", "viewer"]) == 0
    assert main(["token", "create", "--site", "gelin-spring", "--role", "viewer"]) == 0
    district, site = (bearer(made) for made in capsys.readouterr().out.split())
    with TestClient(create_app(Settings(data_dir=command_line, admin_token="admin-secret"))) as client:
        set_up_gelin(client)
        assert (
            client.put(
                "/sites/gelin-spring/district", json={"district": "xuhui-1"}, headers=ADMIN
            ).status_code
            == 200
        )
        assert client.get("/me", headers=district).json() == {
            "role": "viewer",
            "site": None,
            "district": "xuhui-1",
            "token_id": 1,  # the first token made on this server
        }
        assert client.get("/me", headers=site).json() == {
            "role": "viewer",
            "site": "gelin-spring",
            "district": None,
            "token_id": 2,
        }
        for viewer in (district, site):
            assert client.get(f"/days/{DATE}", headers=viewer).json()["totals"]["sites"] == 1
            assert client.post(f"/days/{DATE}/plans", headers=viewer).status_code == 403
