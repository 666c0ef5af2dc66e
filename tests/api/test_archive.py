"""A compound archived once its lockdown lifted: out of the district's day overview, its one press
and the compound lists; nothing deleted, and back with one request."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import ADMIN
from tests.api.helpers import SMALL_CSV, bearer, set_up_gelin, set_up_second_site, token

DATE = "2022-04-25"
CSV = {**ADMIN, "Content-Type": "text/csv"}


def _archived(client: TestClient, site: str, archived: bool, headers: dict[str, str]) -> int:
    return client.put(f"/sites/{site}/archived", json={"archived": archived}, headers=headers).status_code


def test_an_archived_compound_leaves_the_districts_day_and_comes_back(client: TestClient) -> None:
    set_up_gelin(client)
    set_up_second_site(client)
    for site in ("gelin-spring", "gelin-b"):
        assert (
            client.put(f"/sites/{site}/days/{DATE}/counts", content=SMALL_CSV, headers=CSV).status_code == 200
        )
        assert (
            client.put(f"/sites/{site}/district", json={"district": "xuhui-1"}, headers=ADMIN).status_code
            == 200
        )
    office = bearer(
        client.post("/districts/xuhui-1/tokens", json={"label": "Xuhui office"}, headers=ADMIN).json()[
            "token"
        ]
    )
    _, gate = token(client, "gelin-b", "courier")
    assert _archived(client, "gelin-b", True, bearer(gate)) == 403  # the compound's coordinator or office

    assert _archived(client, "gelin-b", True, office) == 200
    assert _archived(client, "gelin-b", True, office) == 200  # again: no change, no second line
    assert [s["id"] for s in client.get("/sites", headers=office).json()] == ["gelin-spring"]
    listed = client.get("/sites", params={"archived": True}, headers=office).json()
    assert [(s["id"], s["archived"]) for s in listed] == [("gelin-b", True), ("gelin-spring", False)]
    overview = client.get(f"/days/{DATE}", headers=office).json()
    assert [s["site"] for s in overview["sites"]] == ["gelin-spring"] and overview["totals"]["sites"] == 1
    pressed = client.post(f"/days/{DATE}/plans", json={"time_limit_s": 1}, headers=office).json()
    assert [job["site"] for job in pressed["queued"] + pressed["waiting"]] == ["gelin-spring"]

    # nothing of it is gone, and its own team still works with it
    assert client.get(f"/sites/gelin-b/days/{DATE}/counts", headers=office).json()["totals"]["parcels"] == 25
    assert [(s["id"], s["archived"]) for s in client.get("/sites", headers=bearer(gate)).json()] == [
        ("gelin-b", True)
    ]
    assert (
        client.post(
            f"/sites/gelin-b/days/{DATE}/plans", json={"time_limit_s": 1}, headers=bearer(gate)
        ).status_code
        == 202
    )

    assert _archived(client, "gelin-b", False, office) == 200
    assert [s["site"] for s in client.get(f"/days/{DATE}", headers=office).json()["sites"]] == [
        "gelin-b",
        "gelin-spring",
    ]
    lines = client.get("/sites/gelin-b/history", headers=office).json()
    assert [(line["who"], line["text"]) for line in lines if line["action"].startswith("site_")][:2] == [
        ("Xuhui office", "brought the compound back from the archive"),
        ("Xuhui office", "archived the compound"),
    ]
    assert _archived(client, "nowhere", True, ADMIN) == 404
