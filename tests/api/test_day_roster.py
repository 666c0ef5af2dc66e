"""A day's own roster: who came today and which vehicles run, set for that day alone, planned
with on that day, leaving the compound's usual roster — and so every other day — as it was."""

from __future__ import annotations

import copy
import json

from fastapi.testclient import TestClient

from optimizer.check import check_plan
from optimizer.day import parse_day_csv
from optimizer.graph import build_graph
from optimizer.operations import parse_operations
from optimizer.site import load_site
from tests.api.conftest import ADMIN
from tests.api.helpers import GELIN, SMALL_CSV, bearer, planned, set_up_gelin, token
from tests.helpers import fleet_entry

TODAY, TOMORROW = "2022-04-25", "2022-04-26"
USUAL = "/sites/gelin-spring/operations"
CSV = {**ADMIN, "Content-Type": "text/csv"}
ZH = {**ADMIN, "Accept-Language": "zh-CN,zh;q=0.9"}


def own(date: str) -> str:
    return f"/sites/gelin-spring/days/{date}/operations"


def _plan(client: TestClient, date: str) -> dict[str, object]:
    return planned(client, "gelin-spring", date)


def _vehicles(plan: dict[str, object]) -> set[str]:
    return {crew["vehicle"] for shift in plan["shifts"] for crew in shift["crews"]}  # type: ignore[attr-defined,index]


def _status(client: TestClient, date: str) -> dict[str, object]:
    return client.get(f"/sites/gelin-spring/days/{date}", headers=ADMIN).json()  # type: ignore[no-any-return]


def test_a_roster_for_one_day_plans_that_day_and_leaves_the_usual_one_for_the_others(
    client: TestClient,
) -> None:
    set_up_gelin(client)
    usual = client.get(USUAL, headers=ADMIN)
    for date in (TODAY, TOMORROW):
        assert (
            client.put(f"/sites/gelin-spring/days/{date}/counts", content=SMALL_CSV, headers=CSV).status_code
            == 200
        )
    assert client.get(own(TODAY), headers=ADMIN).status_code == 404  # the usual roster applies
    assert _status(client, TODAY)["own_roster"] is False

    # The tricycles are out today: two e-bikes come instead, for today only.
    today = copy.deepcopy(usual.json())
    today["fleet"] = [fleet_entry("ebike", count=2)]
    set_today = client.put(own(TODAY), json=today, headers={**ADMIN, "If-None-Match": "*"})
    assert set_today.status_code == 200, set_today.text
    read = client.get(own(TODAY), headers=ADMIN)
    assert read.json() == today and read.headers["ETag"] == set_today.headers["ETag"]
    assert client.get(USUAL, headers=ADMIN).json() == usual.json()  # the usual roster unchanged
    assert _status(client, TODAY)["own_roster"] is True and _status(client, TOMORROW)["own_roster"] is False
    for date, own_roster in ((TODAY, "yes"), (TOMORROW, "no")):  # the district's sheet says so too
        sheet = client.get(f"/days/{date}/overview.csv?lang=en", headers=ADMIN).content.decode("utf-8-sig")
        header, row = sheet.splitlines()
        assert header.endswith(
            ",own_roster,left_before_day,left_before_not_added,left_before_since,sealed_buildings_now,"
            "closed_lanes_now"
        )
        assert row.endswith(f",{own_roster},,0,,0,0")

    site_graph = build_graph(load_site(GELIN / "site.geojson"))
    day = parse_day_csv(SMALL_CSV, date=TODAY)
    today_plan, tomorrow_plan = _plan(client, TODAY), _plan(client, TOMORROW)
    assert _vehicles(today_plan) == {"ebike"} and _vehicles(tomorrow_plan) == {"tricycle"}
    assert check_plan(site_graph, day, parse_operations(today), today_plan) == []
    assert check_plan(site_graph, day, parse_operations(usual.json()), tomorrow_plan) == []
    assert _status(client, TODAY)["status"] == "ok"

    # A change to the day's roster outdates the day's plan, not the next day's.
    today["fleet"][0]["count"] = 3
    assert (
        client.put(own(TODAY), json=today, headers={**ADMIN, "If-Match": read.headers["ETag"]}).status_code
        == 200
    )
    assert _status(client, TODAY)["status"] == "outdated" and _status(client, TOMORROW)["status"] == "ok"
    assert _vehicles(_plan(client, TODAY)) == {"ebike"}

    # Back to the usual roster: the day's plan is out of date, and the next is made with tricycles.
    assert client.delete(own(TODAY), headers=ADMIN).status_code == 204
    assert client.get(own(TODAY), headers=ADMIN).status_code == 404
    assert _status(client, TODAY)["own_roster"] is False and _status(client, TODAY)["status"] == "outdated"
    assert _vehicles(_plan(client, TODAY)) == {"tricycle"}
    assert client.delete(own(TODAY), headers=ADMIN).status_code == 204  # again: nothing to drop


def test_a_day_roster_is_written_against_its_own_tag_and_only_by_a_coordinator(client: TestClient) -> None:
    set_up_gelin(client)
    usual = client.get(USUAL, headers=ADMIN).json()
    first = copy.deepcopy(usual)
    first["shifts"][0]["riders"] = 2
    assert client.put(own(TODAY), json=first, headers={**ADMIN, "If-None-Match": "*"}).status_code == 200

    # A second "first change for the day alone" would replace the one just set: refused.
    second = copy.deepcopy(usual)
    second["shifts"][1]["riders"] = 6
    refused = client.put(own(TODAY), json=second, headers={**ZH, "If-None-Match": "*"})
    assert refused.status_code == 412 and refused.json()["error"]["code"] == "operations_changed"
    assert refused.json()["error"]["message"].startswith("你打开之后")
    stale = client.put(own(TODAY), json=second, headers={**ADMIN, "If-Match": '"not-the-tag"'})
    assert stale.status_code == 412
    dropped = client.delete(own(TODAY), headers={**ADMIN, "If-Match": '"not-the-tag"'})
    assert dropped.status_code == 412
    assert client.get(own(TODAY), headers=ADMIN).json() == first

    # A courier reads the day's roster but does not set it; a bad roster is refused and changes nothing.
    _, courier = token(client, "gelin-spring", "courier")
    assert client.get(own(TODAY), headers=bearer(courier)).json() == first
    assert client.put(own(TODAY), json=second, headers=bearer(courier)).status_code == 403
    assert client.delete(own(TODAY), headers=bearer(courier)).status_code == 403
    bad = copy.deepcopy(first)
    bad["shifts"][2]["riders"] = -1
    response = client.put(own(TODAY), json=bad, headers=ZH)
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "班次 evening：骑手人数要至少 0，现在是 -1"
    assert client.get(own(TODAY), headers=ADMIN).json() == first
    assert client.put(own("2022-02-30"), json=first, headers=ADMIN).status_code == 422


def test_a_day_roster_without_a_shift_the_days_counts_name_is_refused(client: TestClient) -> None:
    set_up_gelin(client)
    usual = client.get(USUAL, headers=ADMIN).json()
    client.put(f"/sites/gelin-spring/days/{TODAY}/counts", content=SMALL_CSV, headers=CSV)
    no_afternoon = copy.deepcopy(usual)
    no_afternoon["shifts"] = [s for s in usual["shifts"] if s["id"] != "afternoon"]
    refused = client.put(own(TODAY), json=no_afternoon, headers=ZH)
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "shifts"
    assert refused.json()["error"]["message"].startswith(
        "这个班表没有班次「afternoon」，而 2022-04-25 的件数里楼 3"
    )
    assert client.get(own(TODAY), headers=ADMIN).status_code == 404

    # Counts posted under the day's roster name its shift; going back to a usual roster without it
    # would leave them unplannable, so it is refused until they change.
    extra = copy.deepcopy(usual)
    extra["shifts"].append({"id": "night", "start": "22:00", "end": "23:30", "riders": 2, "sorters": 1})
    assert client.put(own(TODAY), json=extra, headers=ADMIN).status_code == 200
    posted = client.post(
        f"/sites/gelin-spring/days/{TODAY}/counts", content="building,parcels,shift\n9,4,night\n", headers=CSV
    )
    assert posted.status_code == 200, posted.text
    # the usual roster has no night shift: the next day takes no such counts
    later = client.put(
        f"/sites/gelin-spring/days/{TOMORROW}/counts",
        content="building,parcels,shift\n9,4,night\n",
        headers=CSV,
    )
    assert later.status_code == 422 and later.json()["error"]["field"] == "shift"
    back = client.delete(own(TODAY), headers=ADMIN)
    assert back.status_code == 422 and "'night'" in back.json()["error"]["message"]
    assert client.get(own(TODAY), headers=ADMIN).json() == extra


def test_a_compound_with_no_usual_roster_can_plan_a_day_that_has_its_own(client: TestClient) -> None:
    site = json.loads((GELIN / "site.geojson").read_text())
    assert client.put("/sites/gelin-spring", json=site, headers=ADMIN).status_code == 201
    assert _status(client, TODAY)["status"] == "no_operations"
    refused = client.put(f"/sites/gelin-spring/days/{TODAY}/counts", content=SMALL_CSV, headers=CSV)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "no_operations"
    operations = json.loads((GELIN / "ops-more-riders.json").read_text())
    assert client.put(own(TODAY), json=operations, headers=ADMIN).status_code == 200
    assert (
        _status(client, TODAY)["status"] == "no_counts"
        and _status(client, TOMORROW)["status"] == "no_operations"
    )
    assert (
        client.put(f"/sites/gelin-spring/days/{TODAY}/counts", content=SMALL_CSV, headers=CSV).status_code
        == 200
    )
    plan = _plan(client, TODAY)
    site_graph = build_graph(load_site(GELIN / "site.geojson"))
    day = parse_day_csv(SMALL_CSV, date=TODAY)
    assert check_plan(site_graph, day, parse_operations(operations), plan) == []
    assert plan["summary"]["delivered"] == 25  # type: ignore[index]


def test_a_usual_roster_without_a_shift_a_day_still_to_plan_names_is_refused(client: TestClient) -> None:
    set_up_gelin(client)
    usual = client.get(USUAL, headers=ADMIN)
    client.put(f"/sites/gelin-spring/days/{TODAY}/counts", content=SMALL_CSV, headers=CSV)
    no_afternoon = copy.deepcopy(usual.json())
    no_afternoon["shifts"] = [s for s in no_afternoon["shifts"] if s["id"] != "afternoon"]
    refused = client.put(USUAL, json=no_afternoon, headers=ZH)
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "shifts"
    assert refused.json()["error"]["message"].startswith(
        "这个班表没有班次「afternoon」，而 2022-04-25（还没排路线）的件数里楼 3 用了它"
    )
    assert client.get(USUAL, headers=ADMIN).headers["ETag"] == usual.headers["ETag"]  # nothing changed

    # The day with a roster of its own keeps its afternoon: the usual one may drop it.
    assert client.put(own(TODAY), json=usual.json(), headers=ADMIN).status_code == 200
    assert client.put(USUAL, json=no_afternoon, headers=ADMIN).status_code == 200
    assert client.put(USUAL, json=usual.json(), headers=ADMIN).status_code == 200
    assert client.delete(own(TODAY), headers=ADMIN).status_code == 204

    # A day planned already is history: the roster may change under it.
    _plan(client, TODAY)
    assert client.put(USUAL, json=no_afternoon, headers=ADMIN).status_code == 200
