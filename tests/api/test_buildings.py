"""A building's household to notify, doorbell and seal, changed during the day
(`PATCH /sites/{site_id}/buildings/{building_id}`)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import ADMIN
from tests.api.helpers import bearer, set_up_gelin, set_up_second_site, token, wait_for_job

PATH = "/sites/gelin-spring/buildings/12"


def _building(client: TestClient, building: str) -> dict[str, object]:
    [found] = [
        b for b in client.get("/sites/gelin-spring/buildings", headers=ADMIN).json() if b["id"] == building
    ]
    return found  # type: ignore[no-any-return]


def test_a_coordinator_changes_a_buildings_contact_doorbell_and_seal(client: TestClient) -> None:
    set_up_gelin(client)
    _, coordinator = token(client, "gelin-spring", "coordinator")
    before, neighbour = _building(client, "12"), _building(client, "11")
    changed = client.patch(
        PATH, json={"contact": "301 Wang", "doorbell": "broken", "sealed": True}, headers=bearer(coordinator)
    )
    assert changed.status_code == 200, changed.text
    assert changed.json() == {**before, "contact": "301 Wang", "doorbell": "broken", "sealed": True}
    assert _building(client, "12") == changed.json()
    [feature] = [
        f
        for f in client.get("/sites/gelin-spring", headers=ADMIN).json()["features"]
        if f["properties"]["kind"] == "building" and str(f["properties"]["id"]) == "12"
    ]
    assert feature["properties"]["sealed"] is True and feature["properties"]["contact"] == "301 Wang"

    # fields left out stay; a null contact means none is named
    reopened = client.patch(PATH, json={"sealed": False, "contact": None}, headers=bearer(coordinator)).json()
    assert (reopened["sealed"], reopened["contact"], reopened["doorbell"]) == (False, None, "broken")
    assert _building(client, "11") == neighbour  # others untouched

    # households, which a map read from OpenStreetMap often lacks, and the compound's total with them
    total = client.get("/sites", headers=ADMIN).json()[0]["households"]
    counted = client.patch(PATH, json={"households": before["households"] + 6}, headers=bearer(coordinator))
    assert counted.status_code == 200 and counted.json()["households"] == before["households"] + 6
    assert client.get("/sites", headers=ADMIN).json()[0]["households"] == total + 6
    history = client.get("/sites/gelin-spring/history", headers={**ADMIN, "Accept-Language": "zh"}).json()
    assert history[0]["text"].endswith(f"改了12号楼：户数改为 {before['households'] + 6}")


def test_a_bad_change_names_what_is_wrong_and_changes_nothing(client: TestClient) -> None:
    set_up_gelin(client)
    set_up_second_site(client)
    _, courier = token(client, "gelin-spring", "courier")
    _, elsewhere = token(client, "gelin-b", "coordinator")
    site_before = client.get("/sites/gelin-spring", headers=ADMIN).json()

    def error(response: object) -> tuple[int, str, str | None]:
        body = response.json()["error"]  # type: ignore[attr-defined]
        return response.status_code, body["message"], body.get("field")  # type: ignore[attr-defined]

    status, message, field = error(
        client.patch("/sites/gelin-spring/buildings/999", json={"sealed": True}, headers=ADMIN)
    )
    assert (status, field) == (404, None) and "building '999' at site 'gelin-spring' not found" in message
    status, message, field = error(client.patch(PATH, json={"doorbell": "off"}, headers=ADMIN))
    assert (status, field) == (422, "doorbell") and "'working' or 'broken'" in message
    status, message, field = error(client.patch(PATH, json={"sealed": None}, headers=ADMIN))
    assert (status, field) == (422, "sealed") and "sealed may not be null for building 12" in message
    status, message, field = error(client.patch(PATH, json={}, headers=ADMIN))
    assert status == 422 and "nothing to change" in message
    status, message, field = error(client.patch(PATH, json={"floors": 9}, headers=ADMIN))
    assert (status, field) == (422, "floors")
    status, message, field = error(client.patch(PATH, json={"households": -2}, headers=ADMIN))
    assert (status, field, message) == (422, "households", "households: must be at least 0, got -2")
    status, message, field = error(client.patch(PATH, json={"households": None}, headers=ADMIN))
    assert (status, field) == (422, "households") and "may not be null" in message
    status, _, _ = error(client.patch(PATH, json={"sealed": True}, headers=bearer(courier)))
    assert status == 403
    status, _, _ = error(client.patch(PATH, json={"sealed": True}, headers=bearer(elsewhere)))
    assert status == 404
    assert client.get("/sites/gelin-spring", headers=ADMIN).json() == site_before


def test_a_plan_made_before_a_building_was_sealed_is_outdated(client: TestClient) -> None:
    set_up_gelin(client)
    date = "2022-04-25"
    days = f"/sites/gelin-spring/days/{date}"
    client.put(
        f"{days}/counts",
        content="building,parcels\n12,9\n13,4\n",
        headers={**ADMIN, "Content-Type": "text/csv"},
    )

    def plan() -> dict[str, object]:
        job = client.post(f"{days}/plans", json={"time_limit_s": 1}, headers=ADMIN).json()
        done = wait_for_job(client, job["id"], ADMIN)
        assert done["status"] == "done", done
        return client.get(f"/plans/{done['plan_id']}", headers=ADMIN).json()  # type: ignore[no-any-return]

    plan()
    assert client.get(days, headers=ADMIN).json()["status"] == "ok"
    client.patch(PATH, json={"sealed": True}, headers=ADMIN)
    day = client.get(days, headers=ADMIN).json()
    assert (day["status"], day["plan"]["up_to_date"]) == ("outdated", False)

    # planned again, the seal counts: no crew on this roster is a sealed team
    again = plan()
    [left] = again["undelivered"]  # type: ignore[misc]
    assert (left["building"], left["parcels"], left["cause"]) == ("12", 9, "no_sealed_team")
    day = client.get(days, headers=ADMIN).json()
    assert (day["status"], day["plan"]["up_to_date"]) == ("undelivered", True)
    operations = client.get("/sites/gelin-spring/operations", headers=ADMIN).json()
    client.put("/sites/gelin-spring/operations", json=operations, headers=ADMIN)  # the same roster again
    site = client.get("/sites/gelin-spring", headers=ADMIN).json()
    client.put("/sites/gelin-spring", json=site, headers=ADMIN)  # and the same map
    assert client.get(days, headers=ADMIN).json()["status"] == "undelivered"
    operations["shifts"][0]["riders"] += 2  # two more volunteers in the morning
    client.put("/sites/gelin-spring/operations", json=operations, headers=ADMIN)
    assert client.get(days, headers=ADMIN).json()["status"] == "outdated"
