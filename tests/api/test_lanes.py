"""A lane closed during the day (`PATCH /sites/{site}/lanes/{lane}`): a barricade, a gate between
zones locked. Nobody rides it; what only it led to is listed undelivered, the day not refused."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from fixtures.generate import barricaded
from optimizer.check import check_plan
from optimizer.day import parse_day_csv
from optimizer.errors import SiteError
from optimizer.graph import build_graph
from optimizer.operations import parse_operations
from optimizer.site import parse_site
from tests.api.conftest import ADMIN
from tests.api.helpers import bearer, planned, token

DATE = "2022-04-25"
SITE = "/sites/barricaded"
TRICYCLE = {"id": "tricycle", "mode": "tricycle", "count": 1, "capacity": 80, "crew": 2, "speed_kmh": 7.2}
OPERATIONS = {
    "shifts": [{"id": "morning", "start": "08:00", "end": "10:00", "riders": 2}],
    "fleet": [TRICYCLE],
}
COUNTS = "building,parcels\nB1,5\nB3,7\n"


def _set_up(client: TestClient) -> None:
    drawing = barricaded(closed=False)
    assert client.put(SITE, json=drawing.document(), headers=ADMIN).status_code == 201
    assert client.put(f"{SITE}/operations", json=OPERATIONS, headers=ADMIN).status_code == 200
    csv = {**ADMIN, "Content-Type": "text/csv"}
    assert client.put(f"{SITE}/days/{DATE}/counts", content=COUNTS, headers=csv).status_code == 200


def _lanes(answer: list[dict[str, object]]) -> dict[str, tuple[object, object]]:
    return {lane["id"]: (lane["closed"], lane["cut_off"]) for lane in answer}  # type: ignore[misc]


def test_a_lane_closed_during_the_day_is_gone_round_or_what_lies_beyond_listed(client: TestClient) -> None:
    _set_up(client)
    lanes = client.get(f"{SITE}/lanes", headers=ADMIN).json()
    assert lanes[1] == {
        "id": "middle",
        "name": "Middle lane",
        "modes": ["tricycle", "ebike", "bicycle", "cart", "foot"],
        "closed": False,
        "cut_off": ["B2", "B3"],  # what closing it would cost
    }
    before = planned(client, "barricaded", DATE)
    assert before["undelivered"] == []

    # A barricade goes up across the middle: a coordinator closes the lane.
    _, coordinator = token(client, "barricaded", "coordinator")
    changed = client.patch(f"{SITE}/lanes/middle", json={"closed": True}, headers=bearer(coordinator))
    assert changed.status_code == 200, changed.text
    assert _lanes(changed.json()) == {
        "west": (False, ["B1"]),
        "middle": (True, ["B2", "B3"]),  # what opening it again gives back
        "east": (False, []),
    }
    assert client.get(f"{SITE}/days/{DATE}", headers=ADMIN).json()["status"] == "outdated"
    history = client.get(f"{SITE}/history", headers=ADMIN).json()
    assert history[0]["text"].endswith("closed lane Middle lane")
    zh = client.get(f"{SITE}/history", headers={**ADMIN, "Accept-Language": "zh"}).json()
    assert zh[0]["text"].endswith("封闭了道路 Middle lane")

    # The map marks it; a plan made before is drawn on the map it was made from, as its cards are.
    assert 'class="lane closed" data-lane="middle"' in client.get(f"{SITE}/map.svg", headers=ADMIN).text
    old_map = client.get(f"{SITE}/map.svg", params={"plan_id": before["id"]}, headers=ADMIN)
    assert old_map.status_code == 200 and 'class="route"' in old_map.text
    assert 'class="lane closed"' not in old_map.text

    after = planned(client, "barricaded", DATE)
    new_map = client.get(f"{SITE}/map.svg", params={"plan_id": after["id"]}, headers=ADMIN).text
    assert 'class="lane closed" data-lane="middle"' in new_map and 'class="route"' in new_map
    assert [(u["building"], u["parcels"], u["cause"]) for u in after["undelivered"]] == [
        ("B3", 7, "lane_closed")
    ]
    assert "(Middle lane)" in after["undelivered"][0]["reason"]
    site = parse_site(client.get(SITE, headers=ADMIN).json())
    counts, operations = parse_day_csv(COUNTS, date=DATE), parse_operations(OPERATIONS)
    assert check_plan(build_graph(site), counts, operations, after) == []

    # The same change again outdates nothing; opening it again is the same call.
    assert client.patch(f"{SITE}/lanes/middle", json={"closed": True}, headers=ADMIN).status_code == 200
    assert client.get(f"{SITE}/days/{DATE}", headers=ADMIN).json()["status"] == "undelivered"
    opened = client.patch(f"{SITE}/lanes/middle", json={"closed": False}, headers=ADMIN)
    assert _lanes(opened.json())["middle"] == (False, ["B2", "B3"])
    assert planned(client, "barricaded", DATE)["undelivered"] == []


def test_a_bad_lane_change_names_what_is_wrong_and_changes_nothing(client: TestClient) -> None:
    _set_up(client)
    site = client.get(SITE, headers=ADMIN).json()
    missing = client.patch(f"{SITE}/lanes/north", json={"closed": True}, headers=ADMIN)
    assert missing.status_code == 404 and "lane 'north'" in missing.json()["error"]["message"]
    zh = client.patch(
        f"{SITE}/lanes/north", json={"closed": True}, headers={**ADMIN, "Accept-Language": "zh"}
    )
    assert "道路 north" in zh.json()["error"]["message"]
    for body in ({"closed": "maybe"}, {}, {"closed": True, "name": "North"}):
        refused = client.patch(f"{SITE}/lanes/middle", json=body, headers=ADMIN)
        assert refused.status_code == 422, body
    _, courier = token(client, "barricaded", "courier")
    assert client.get(f"{SITE}/lanes", headers=bearer(courier)).status_code == 200
    assert (
        client.patch(f"{SITE}/lanes/middle", json={"closed": True}, headers=bearer(courier)).status_code
        == 403
    )
    assert client.get(SITE, headers=ADMIN).json() == site


def test_a_map_with_a_lane_closed_is_read_and_a_bad_closed_named() -> None:
    """The map itself may say a lane is closed (drawn that way for the day); `closed` must be a
    boolean, and the error names the lane."""
    assert [lane.closed for lane in parse_site(barricaded().document()).lanes] == [False, True, False]
    document = barricaded().document()
    document["features"][-2]["properties"]["closed"] = "yes"
    with pytest.raises(SiteError) as refused:
        parse_site(document)
    assert "middle" in str(refused.value) and "closed must be true or false" in str(refused.value)
    assert refused.value.field is not None and refused.value.field.endswith("closed")
