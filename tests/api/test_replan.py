"""Re-planning through the API: a later wave is planned around the trips already on the road."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from optimizer.check import check_plan
from optimizer.clock import format_clock, parse_clock
from optimizer.day import Day, parse_day_csv
from optimizer.graph import build_graph
from optimizer.names import crew_name
from optimizer.operations import parse_operations
from optimizer.replan import frozen_part
from optimizer.site import load_site
from tests.api.conftest import ADMIN
from tests.api.helpers import GELIN, bearer, set_up_gelin, token, wait_for_job

DATE = "2022-04-25"
COUNTS = f"/sites/gelin-spring/days/{DATE}/counts"
PLANS = f"/sites/gelin-spring/days/{DATE}/plans"
CSV = {**ADMIN, "Content-Type": "text/csv"}
ZH = {**ADMIN, "Accept-Language": "zh-CN,zh;q=0.9"}
MORNING = "building,parcels,shift\n" + "".join(f"{b},10,morning\n" for b in range(1, 21))
WAVE = "building,parcels,shift,urgent\n30,15,morning,1\n1,4,morning,0\n"


def _plan(client: TestClient, body: dict[str, Any], headers: dict[str, str] = ADMIN) -> dict[str, Any]:
    started = client.post(PLANS, json={"time_limit_s": 2, **body}, headers=headers)
    assert started.status_code == 202, started.text
    finished = wait_for_job(client, started.json()["id"], headers)
    assert finished["status"] == "done", finished
    plan = client.get(f"/plans/{finished['plan_id']}", headers=headers).json()
    return plan  # type: ignore[no-any-return]


def _trips(plan: dict[str, Any]) -> dict[tuple[str, int], dict[str, Any]]:
    return {
        (crew["id"], number): trip
        for shift in plan["shifts"]
        for crew in shift["crews"]
        for number, trip in enumerate(crew["trips"], start=1)
    }


def _first_plan(client: TestClient) -> dict[str, Any]:
    set_up_gelin(client)
    assert client.put(COUNTS, content=MORNING, headers=CSV).status_code == 200
    return _plan(client, {})


def test_a_later_wave_is_planned_around_the_trips_already_on_the_road(client: TestClient) -> None:
    first = _first_plan(client)
    assert (
        client.get(f"/sites/gelin-spring/days/{DATE}", headers=ADMIN).json()["plan"]["replanned_at"] is None
    )
    # "Now" is a minute after the second trip to leave: two trips are on the road.
    departures = sorted(trip["depart"] for trip in _trips(first).values())
    assert len(departures) >= 3
    now = format_clock(parse_clock(departures[1]) + 60)[:5]
    on_the_road = {key: trip for key, trip in _trips(first).items() if trip["depart"] <= f"{now}:00"}
    assert len(on_the_road) == 2

    assert client.post(COUNTS, content=WAVE, headers=CSV).status_code == 200
    _, courier = token(client, "gelin-spring", "courier")
    replanned = _plan(client, {"replan": {"now": now}}, headers=bearer(courier))

    assert replanned["replanned_at"] == f"{now}:00"
    assert replanned["replanned_from"] == first["id"]
    glance = client.get(f"/sites/gelin-spring/days/{DATE}", headers=bearer(courier)).json()["plan"]
    assert (glance["id"], glance["replanned_at"]) == (replanned["id"], f"{now}:00")  # the district sees it
    trips = _trips(replanned)
    for key, trip in on_the_road.items():
        assert trips[key] == {"kept": True, **trip}, key
    assert sum(1 for trip in trips.values() if trip.get("kept")) == 2
    later = [t for t in trips.values() if not t.get("kept")]
    assert later and all(t["depart"] >= f"{now}:00" for t in later)

    site_graph = build_graph(load_site(GELIN / "site.geojson"))
    operations = parse_operations(json.loads((GELIN / "ops-more-riders.json").read_text()))
    morning, wave = parse_day_csv(MORNING, date=DATE), parse_day_csv(WAVE, date=DATE)
    whole_day = Day(date=DATE, rows=morning.rows + wave.rows)
    frozen = frozen_part(
        first, site_id="gelin-spring", date=DATE, operations=operations, now_s=parse_clock(now) or 0
    )
    assert check_plan(site_graph, whole_day, operations, replanned, frozen=frozen) == []
    assert replanned["summary"]["delivered"] == 200 + 19

    # Cards and the load list leave out what is already loaded and gone; numbers stay the plan's.
    html = client.get(f"/plans/{replanned['id']}/cards.html?lang=en", headers=bearer(courier)).text
    for crew_id, number in on_the_road:
        assert f'data-trip="{crew_id}/{number}"' not in html
    for crew_id, number in (key for key, trip in trips.items() if not trip.get("kept")):
        assert f'data-trip="{crew_id}/{number}"' in html
    assert f"2 trip(s) already on the road at the {now} re-plan are not listed" in html
    notices = client.get(f"/plans/{replanned['id']}/notices.txt?lang=en", headers=bearer(courier)).text
    assert notices.count("About ") == sum(len(t["stops"]) for t in later)


def test_a_replan_that_cannot_work_is_refused_naming_what_to_fix(client: TestClient) -> None:
    set_up_gelin(client)
    assert client.put(COUNTS, content=MORNING, headers=CSV).status_code == 200
    no_plan = client.post(PLANS, json={"replan": {"now": "09:00"}}, headers=ADMIN)
    assert no_plan.status_code == 409 and no_plan.json()["error"]["code"] == "no_plan"
    in_chinese = client.post(PLANS, json={"replan": {"now": "09:00"}}, headers=ZH).json()["error"]
    assert in_chinese["message"] == f"{DATE} 还没有路线，无法保留已出发的车；请先排当天的路线"

    first = _plan(client, {})

    def refused(replan: dict[str, Any], headers: dict[str, str] = ADMIN) -> dict[str, Any]:
        response = client.post(PLANS, json={"replan": replan}, headers=headers)
        assert response.status_code in (404, 409, 422), response.text
        return {"status": response.status_code, **response.json()["error"]}

    late = refused({"now": "23:00"})
    assert (late["status"], late["field"]) == (422, "replan.now")
    assert "outside the day (08:00-21:30)" in late["message"]
    assert refused({"now": "23:00"}, ZH)["message"].startswith("重排时间 23:00 不在当天班次内（08:00-21:30）")
    assert refused({"now": "soon"})["field"] == "replan.now"
    assert refused({"now": "09:00", "plan_id": "no-such-plan"})["status"] == 404
    assert refused({"now": "09:00", "at": "x"})["field"] == "replan.at"

    # A plan of another day cannot be kept for this one.
    client.put("/sites/gelin-spring/days/2022-04-26/counts", content=MORNING, headers=CSV)
    other_day = client.post(
        "/sites/gelin-spring/days/2022-04-26/plans",
        json={"replan": {"now": "09:00", "plan_id": first["id"]}},
        headers=ADMIN,
    )
    assert other_day.status_code == 422 and other_day.json()["error"]["field"] == "replan.plan_id"
    assert f"is for site 'gelin-spring' on {DATE}" in other_day.json()["error"]["message"]

    # Fewer parcels than the trips on the road carry.
    client.put(COUNTS, content="building,parcels,shift\n1,1,morning\n", headers=CSV)
    short = refused({"now": "11:00"})
    assert (short["status"], short["code"]) == (409, "counts_short")
    assert "already on the road" in short["message"]
    assert refused({"now": "11:00"}, ZH)["message"].startswith(
        "楼 1：新的件数表只有 1 件，但已出发的车上已经有"
    )
    client.put(COUNTS, content=MORNING, headers=CSV)

    # A crew on the road that the roster no longer fields (the morning's riders went home).
    no_morning = json.loads((GELIN / "ops-more-riders.json").read_text())
    no_morning["shifts"][0]["riders"] = 0
    assert client.put("/sites/gelin-spring/operations", json=no_morning, headers=ADMIN).status_code == 200
    gone = refused({"now": "11:00"})
    assert (gone["status"], gone["field"]) == (422, "replan.plan_id")
    first_crew = first["shifts"][0]["crews"][0]["id"]
    assert f"crew {first_crew} is on the road at 11:00" in gone["message"]
    assert refused({"now": "11:00"}, ZH)["message"].startswith(
        f"11:00 时{crew_name(first_crew, 'zh')}还在路上"
    )

    latest = client.get(f"{PLANS}/latest", headers=ADMIN).json()
    assert latest["id"] == first["id"]  # nothing refused became a plan
