"""A small zone inside the compound sealed during the day (`PATCH /sites/{site}/zones/{zone}`):
every building in it gets door delivery by the designated pair."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from fixtures.generate import three_on_a_lane
from optimizer.check import check_plan
from optimizer.day import parse_day_csv
from optimizer.graph import build_graph
from optimizer.operations import parse_operations
from optimizer.site import parse_site
from tests.api.conftest import ADMIN
from tests.api.helpers import bearer, planned, token
from tests.helpers import FIXTURES

WORLD = FIXTURES / "world-garden"
DATE = "2022-04-25"
ZH = {**ADMIN, "Accept-Language": "zh-CN,zh;q=0.9"}


def _set_up(client: TestClient) -> dict[str, object]:
    site = json.loads((WORLD / "site.geojson").read_text())
    assert client.put("/sites/world-garden", json=site, headers=ADMIN).status_code == 201
    operations = json.loads((WORLD / "ops.json").read_text())
    assert client.put("/sites/world-garden/operations", json=operations, headers=ADMIN).status_code == 200
    return operations  # type: ignore[no-any-return]


def _zones(client: TestClient) -> dict[str, dict[str, object]]:
    return {z["id"]: z for z in client.get("/sites/world-garden/zones", headers=ADMIN).json()}


def _door_vehicles(plan: dict[str, object], buildings: set[str]) -> set[str]:
    return {
        crew["vehicle"]
        for shift in plan["shifts"]  # type: ignore[attr-defined]
        for crew in shift["crews"]
        for trip in crew["trips"]
        for stop in trip["stops"]
        if stop["building"] in buildings
    }


def test_a_zone_sealed_during_the_day_gets_door_delivery_and_outdates_the_plan(client: TestClient) -> None:
    operations = _set_up(client)
    zones = _zones(client)
    assert {z: (zones[z]["sealed"], len(zones[z]["buildings"]) > 0) for z in zones} == {  # type: ignore[arg-type]
        "A": (False, True),
        "B": (False, True),
        "D": (False, True),
        "D-court": (True, True),
    }
    buildings = {b["id"]: b for b in client.get("/sites/world-garden/buildings", headers=ADMIN).json()}
    court = set(zones["D-court"]["buildings"])  # type: ignore[call-overload]
    assert all(buildings[b]["zone_sealed"] for b in court)
    in_b: list[str] = zones["B"]["buildings"]  # type: ignore[assignment]
    assert not any(buildings[b]["zone_sealed"] or buildings[b]["sealed"] for b in in_b)

    counts = (
        "building,parcels\n" + "".join(f"{b},6\n" for b in in_b[:3]) + f"{zones['A']['buildings'][0]},9\n"
    )  # type: ignore[index]
    put = client.put(
        f"/sites/world-garden/days/{DATE}/counts",
        content=counts,
        headers={**ADMIN, "Content-Type": "text/csv"},
    )
    assert put.status_code == 200, put.text
    before = planned(client, "world-garden", DATE)
    assert _door_vehicles(before, set(in_b[:3])) - {"sealed-pair"}  # open: any crew brings them

    # Zone B is sealed after a positive case: a coordinator marks it, and only the pair goes in.
    _, coordinator = token(client, "world-garden", "coordinator")
    changed = client.patch("/sites/world-garden/zones/B", json={"sealed": True}, headers=bearer(coordinator))
    assert changed.status_code == 200, changed.text
    assert changed.json() == {**zones["B"], "sealed": True}
    assert all(
        b["zone_sealed"]
        for b in client.get("/sites/world-garden/buildings", headers=ADMIN).json()
        if b["id"] in in_b
    )
    day_line = client.get(f"/sites/world-garden/days/{DATE}", headers=ADMIN).json()
    assert day_line["status"] == "outdated"
    after = planned(client, "world-garden", DATE)
    assert after["undelivered"] == [] and _door_vehicles(after, set(in_b[:3])) == {"sealed-pair"}
    site = parse_site(client.get("/sites/world-garden", headers=ADMIN).json())
    day = parse_day_csv(counts, date=DATE)
    assert check_plan(build_graph(site), day, parse_operations(operations), after) == []

    # The same change again outdates nothing; opening the zone again is the same call.
    assert (
        client.patch("/sites/world-garden/zones/B", json={"sealed": True}, headers=ADMIN).status_code == 200
    )
    assert client.get(f"/sites/world-garden/days/{DATE}", headers=ADMIN).json()["status"] == "ok"
    opened = client.patch("/sites/world-garden/zones/B", json={"sealed": False}, headers=ADMIN)
    assert opened.json()["sealed"] is False


def test_a_bad_zone_change_names_what_is_wrong_and_changes_nothing(client: TestClient) -> None:
    _set_up(client)
    site = client.get("/sites/world-garden", headers=ADMIN).json()
    missing = client.patch("/sites/world-garden/zones/Z", json={"sealed": True}, headers=ADMIN)
    assert missing.status_code == 404 and "zone 'Z'" in missing.json()["error"]["message"]
    for body in ({"sealed": "maybe"}, {}, {"sealed": True, "name": "B"}):
        refused = client.patch("/sites/world-garden/zones/B", json=body, headers=ADMIN)
        assert refused.status_code == 422, body
    _, courier = token(client, "world-garden", "courier")
    assert client.get("/sites/world-garden/zones", headers=bearer(courier)).status_code == 200
    assert (
        client.patch(
            "/sites/world-garden/zones/B", json={"sealed": True}, headers=bearer(courier)
        ).status_code
        == 403
    )
    assert client.get("/sites/world-garden", headers=ADMIN).json() == site


def test_a_zone_sealed_across_the_only_lane_leaves_the_buildings_beyond_listed_not_the_day_refused(
    client: TestClient,
) -> None:
    """Sealed small zones are fenced: with the zone across the lane to B2 and B3 sealed and no
    designated pair on the roster, the day is still planned (B1's parcels go) and the parcels
    beyond the fence are listed, saying what would get them there."""
    drawing = three_on_a_lane()
    drawing.zone("zone-3", "Small zone 3", (140, -10, 160, 10))
    assert client.put("/sites/three-on-a-lane", json=drawing.document(), headers=ADMIN).status_code == 201
    tricycle = {"id": "tricycle", "mode": "tricycle", "count": 1, "capacity": 80, "crew": 2, "speed_kmh": 7.2}
    operations = {
        "shifts": [{"id": "morning", "start": "08:00", "end": "10:00", "riders": 2}],
        "fleet": [tricycle],
    }
    assert client.put("/sites/three-on-a-lane/operations", json=operations, headers=ADMIN).status_code == 200
    counts = "building,parcels\nB1,5\nB3,7\n"
    csv = {**ADMIN, "Content-Type": "text/csv"}
    assert (
        client.put(f"/sites/three-on-a-lane/days/{DATE}/counts", content=counts, headers=csv).status_code
        == 200
    )
    assert planned(client, "three-on-a-lane", DATE)["undelivered"] == []

    sealed = client.patch("/sites/three-on-a-lane/zones/zone-3", json={"sealed": True}, headers=ADMIN)
    assert sealed.status_code == 200 and sealed.json()["buildings"] == []
    after = planned(client, "three-on-a-lane", DATE)
    assert [(u["building"], u["parcels"], u["cause"]) for u in after["undelivered"]] == [
        ("B3", 7, "behind_sealed_zone")
    ]
    site = parse_site(client.get("/sites/three-on-a-lane", headers=ADMIN).json())
    assert (
        check_plan(build_graph(site), parse_day_csv(counts, date=DATE), parse_operations(operations), after)
        == []
    )
