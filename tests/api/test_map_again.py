"""A compound's map sent again (`PUT /sites/{site}`) during a lockdown day keeps the day's seals,
closed lanes and broken doorbells that the file leaves out, says so, and takes what the file says."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from api.store import site_row
from fixtures.generate import barricaded
from tests.api.conftest import ADMIN
from tests.helpers import feature_properties

SITE = "/sites/barricaded"
ZH = {**ADMIN, "Accept-Language": "zh"}


def _drawn() -> dict[str, Any]:
    """Three buildings on a lane of three pieces, B3 in a small zone; the day's state left out."""
    drawing = barricaded(closed=False)
    drawing.zone("z3", "Zone 3", (250, 0, 350, 20))
    document = drawing.document()
    feature_properties(document, "zone", "z3").pop("sealed")
    return document


def test_a_map_sent_again_keeps_the_days_seals_and_closures_it_leaves_out(client: TestClient) -> None:
    drawn = _drawn()
    assert client.put(SITE, json=drawn, headers=ADMIN).status_code == 201
    assert client.patch(f"{SITE}/lanes/middle", json={"closed": True}, headers=ADMIN).status_code == 200
    assert client.patch(f"{SITE}/zones/z3", json={"sealed": True}, headers=ADMIN).status_code == 200
    sealed = client.patch(f"{SITE}/buildings/B2", json={"sealed": True, "doorbell": "broken"}, headers=ADMIN)
    assert sealed.status_code == 200
    history_before = client.get(f"{SITE}/history", headers=ADMIN).json()

    # The same drawing again: nothing in it about the day, so the day stays and nothing changes.
    again = client.put(SITE, json=drawn, headers=ADMIN)
    assert again.status_code == 200, again.text
    assert again.json()["kept"] == [
        {"kind": "building", "id": "B2", "name": "B2", "field": "sealed", "value": True},
        {"kind": "building", "id": "B2", "name": "B2", "field": "doorbell", "value": "broken"},
        {"kind": "lane", "id": "middle", "name": "Middle lane", "field": "closed", "value": True},
        {"kind": "zone", "id": "z3", "name": "Zone 3", "field": "sealed", "value": True},
    ]
    assert client.get(f"{SITE}/history", headers=ADMIN).json() == history_before
    stored = client.get(SITE, headers=ADMIN).json()
    assert feature_properties(stored, "lane", "middle")["closed"] is True
    assert feature_properties(stored, "building", "B2")["sealed"] is True

    # A better drawing (B1 has more households) that says B2's doorbell is mended: its word on the
    # doorbell, the seal and the closed lane kept, and the history says which.
    better = _drawn()
    feature_properties(better, "building", "B1")["households"] = 12
    feature_properties(better, "building", "B2")["doorbell"] = "working"
    replaced = client.put(SITE, json=better, headers=ADMIN)
    assert replaced.status_code == 200, replaced.text
    assert [(k["id"], k["field"]) for k in replaced.json()["kept"]] == [
        ("B2", "sealed"),
        ("middle", "closed"),
        ("z3", "sealed"),
    ]
    buildings = {b["id"]: b for b in client.get(f"{SITE}/buildings", headers=ADMIN).json()}
    assert (buildings["B1"]["households"], buildings["B2"]["sealed"], buildings["B2"]["doorbell"]) == (
        12,
        True,
        "working",
    )
    line = client.get(f"{SITE}/history", headers=ADMIN).json()[0]["text"]
    assert line.endswith(
        "sent a new compound map; kept from before: B2 sealed (door delivery), lane Middle lane closed,"
        " zone Zone 3 sealed"
    )
    zh = client.get(f"{SITE}/history", headers=ZH).json()[0]["text"]
    assert zh.endswith("更新了小区地图；保留了原来的：B2封控（送到门口）、道路 Middle lane 封闭、Zone 3 封控")

    # A drawing that opens the lane and the zone: only the building's seal is kept.
    feature_properties(better, "lane", "middle")["closed"] = False
    feature_properties(better, "zone", "z3")["sealed"] = False
    opened = client.put(SITE, json=better, headers=ADMIN)
    assert [(k["id"], k["field"]) for k in opened.json()["kept"]] == [("B2", "sealed")]
    assert [z["sealed"] for z in client.get(f"{SITE}/zones", headers=ADMIN).json()] == [False]
    lanes = {lane["id"]: lane["closed"] for lane in client.get(f"{SITE}/lanes", headers=ADMIN).json()}
    assert lanes == {"west": False, "middle": False, "east": False}


def test_a_bad_map_sent_again_names_the_feature_and_keeps_the_day(client: TestClient) -> None:
    assert client.put(SITE, json=barricaded(closed=False).document(), headers=ADMIN).status_code == 201
    assert client.patch(f"{SITE}/lanes/middle", json={"closed": True}, headers=ADMIN).status_code == 200
    stored = client.get(SITE, headers=ADMIN).json()

    bad = barricaded(closed=False).document()
    feature_properties(bad, "lane", "east")["closed"] = "yes"
    answer = client.put(SITE, json=bad, headers=ADMIN)
    assert answer.status_code == 422
    assert answer.json()["error"] == {
        "code": "invalid",
        "message": "lane 'east' (feature 6): closed must be true or false",
        "field": "closed",
    }
    assert client.get(SITE, headers=ADMIN).json() == stored


def _while_b2_is_sealed(client: TestClient, change: Callable[[], Any]) -> Any:
    """`change`'s answer, asked for while another change of the stored map (B2 sealed) is under
    way: it must wait for that one, and it must not undo it."""
    assert client.put(SITE, json=barricaded(closed=False).document(), headers=ADMIN).status_code == 201
    answers: list[Any] = []
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        row = site_row(session, "barricaded", lock=True)
        changing = threading.Thread(target=lambda: answers.append(change()))
        changing.start()
        changing.join(timeout=0.5)
        assert changing.is_alive() and answers == []  # waits for the change under way
        document = copy.deepcopy(row.geojson)
        feature_properties(document, "building", "B2")["sealed"] = True
        row.geojson = document
        session.commit()
    changing.join(timeout=30)
    assert answers[0].status_code == 200, answers[0].text
    assert feature_properties(client.get(SITE, headers=ADMIN).json(), "building", "B2")["sealed"] is True
    return answers[0]


def test_a_seal_set_while_a_map_is_being_sent_again_is_kept(client: TestClient) -> None:
    answer = _while_b2_is_sealed(
        client, lambda: client.put(SITE, json=barricaded(closed=False).document(), headers=ADMIN)
    )
    assert [(k["id"], k["field"]) for k in answer.json()["kept"]] == [("B2", "sealed")]


def test_two_changes_of_the_map_at_once_both_stay(client: TestClient) -> None:
    """On SQLite as on PostgreSQL (SQLite has no row lock to ask for: its write lock is taken)."""
    _while_b2_is_sealed(
        client, lambda: client.patch(f"{SITE}/lanes/middle", json={"closed": True}, headers=ADMIN)
    )
    lanes = {lane["id"]: lane["closed"] for lane in client.get(f"{SITE}/lanes", headers=ADMIN).json()}
    assert lanes["middle"] is True


def test_the_overview_counts_what_the_map_has_sealed_and_closed_now(client: TestClient) -> None:
    """Counted whenever the map is stored — sent whole or changed a feature at a time — so the
    district's overview of many compounds reads no map."""
    date = "2022-04-25"

    def now() -> tuple[int, int]:
        [day] = client.get(f"/days/{date}", headers=ADMIN).json()["sites"]
        return day["sealed_buildings"], day["closed_lanes"]

    drawn = _drawn()
    feature_properties(drawn, "building", "B1")["sealed"] = True
    assert client.put(SITE, json=drawn, headers=ADMIN).status_code == 201
    assert now() == (1, 0)
    assert client.patch(f"{SITE}/zones/z3", json={"sealed": True}, headers=ADMIN).status_code == 200
    assert client.patch(f"{SITE}/lanes/middle", json={"closed": True}, headers=ADMIN).status_code == 200
    assert now() == (2, 1)  # B1, and B3 by its zone
    assert client.get(f"{SITE}/days/{date}", headers=ADMIN).json()["sealed_buildings"] == 2
    sheet = client.get(f"/days/{date}/overview.csv?lang=en", headers=ADMIN).content.decode("utf-8-sig")
    header, row = sheet.splitlines()
    assert header.endswith(",sealed_buildings_now,closed_lanes_now") and row.endswith(",2,1")

    feature_properties(drawn, "building", "B1")["sealed"] = False
    feature_properties(drawn, "lane", "middle")["closed"] = False
    assert client.put(SITE, json=drawn, headers=ADMIN).status_code == 200
    assert now() == (1, 0)  # the zone's seal kept, B1's and the lane's the file's word


def test_a_seal_lost_with_a_building_the_new_map_lacks_is_said(client: TestClient) -> None:
    assert client.put(SITE, json=_drawn(), headers=ADMIN).status_code == 201
    assert client.patch(f"{SITE}/buildings/B2", json={"sealed": True}, headers=ADMIN).status_code == 200
    renamed = _drawn()
    feature_properties(renamed, "building", "B2")["id"] = "B2a"  # numbered anew: not the building sealed
    answer = client.put(SITE, json=renamed, headers=ADMIN)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["kept"], answer.json()["dropped"]) == (
        [],
        [{"kind": "building", "id": "B2", "name": "B2", "field": "sealed", "value": True}],
    )
    assert [b["id"] for b in client.get(f"{SITE}/buildings", headers=ADMIN).json() if b["sealed"]] == []
    line = client.get(f"{SITE}/history", headers=ADMIN).json()[0]["text"]
    assert line.endswith(
        "sent a new compound map; gone with what the new map lacks: B2 sealed (door delivery)"
    )
    zh = client.get(f"{SITE}/history", headers=ZH).json()[0]["text"]
    assert zh.endswith("更新了小区地图；新地图里没有、随之取消的：B2封控（送到门口）")


def test_a_map_stored_before_the_entrance_check_still_serves_its_compound(client: TestClient) -> None:
    """A map sent now with an entrance far from its building is refused; one stored before that
    check was added (written into the row here) must not lock its compound out, nor the list of
    every compound, and a day's change to it still saves."""
    assert client.put(SITE, json=barricaded(closed=False).document(), headers=ADMIN).status_code == 201
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        row = site_row(session, "barricaded", lock=True)
        document = copy.deepcopy(row.geojson)
        feature_properties(document, "building", "B1")["entrance"] = [0.0, 0.0]
        row.geojson = document
        session.commit()
    assert client.get("/sites", headers=ADMIN).status_code == 200
    assert client.get(f"{SITE}/buildings", headers=ADMIN).status_code == 200
    changed = client.patch(f"{SITE}/buildings/B2", json={"doorbell": "broken"}, headers=ADMIN)
    assert changed.status_code == 200, changed.text
    refused = client.put(SITE, json=document, headers=ADMIN)
    assert refused.status_code == 422
    assert "building 'B1'" in refused.json()["error"]["message"] and "its entrance is" in refused.text
