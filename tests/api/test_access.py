"""Who may do what: tokens per site and role; another site's data answers 404, never 403."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from fixtures.generate import three_on_a_lane
from tests.api.conftest import ADMIN
from tests.api.helpers import SMALL_CSV, bearer, set_up_gelin, token


@pytest.fixture
def two_sites(client: TestClient) -> dict[str, str]:
    set_up_gelin(client)
    other = three_on_a_lane().document()
    assert client.put("/sites/three-on-a-lane", json=other, headers=ADMIN).status_code == 201
    coordinator_id, coordinator = token(client, "gelin-spring", "coordinator")
    _, courier = token(client, "gelin-spring", "courier")
    _, stranger = token(client, "three-on-a-lane", "coordinator")
    return {
        "coordinator": coordinator,
        "courier": courier,
        "stranger": stranger,
        "coordinator_id": str(coordinator_id),
    }


def test_no_token_or_an_unknown_one_is_401(client: TestClient, two_sites: dict[str, str]) -> None:
    assert client.get("/sites/gelin-spring").status_code == 401
    response = client.get("/sites/gelin-spring", headers=bearer("ob_not-a-token"))
    assert response.status_code == 401
    assert response.json() == {
        "error": {"code": "unauthorized", "message": "unknown or revoked token", "field": None}
    }


def test_another_sites_token_sees_nothing_of_it(client: TestClient, two_sites: dict[str, str]) -> None:
    stranger = bearer(two_sites["stranger"])
    for path in (
        "/sites/gelin-spring",
        "/sites/gelin-spring/buildings",
        "/sites/gelin-spring/operations",
        "/sites/gelin-spring/days/2022-04-25/counts",
    ):
        response = client.get(path, headers=stranger)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    assert (
        client.put(
            "/sites/gelin-spring/days/2022-04-25/counts",
            content=SMALL_CSV,
            headers={**stranger, "Content-Type": "text/csv"},
        ).status_code
        == 404
    )
    assert [s["id"] for s in client.get("/sites", headers=stranger).json()] == ["three-on-a-lane"]
    assert [s["id"] for s in client.get("/sites", headers=ADMIN).json()] == [
        "gelin-spring",
        "three-on-a-lane",
    ]


def test_plans_and_jobs_of_another_site_are_404(client: TestClient, two_sites: dict[str, str]) -> None:
    courier = bearer(two_sites["courier"])
    client.put(
        "/sites/gelin-spring/days/2022-04-25/counts",
        content=SMALL_CSV,
        headers={**courier, "Content-Type": "text/csv"},
    )
    job = client.post(
        "/sites/gelin-spring/days/2022-04-25/plans", json={"time_limit_s": 1}, headers=courier
    ).json()
    assert client.get(f"/jobs/{job['id']}", headers=bearer(two_sites["stranger"])).status_code == 404
    assert client.get(f"/jobs/{job['id']}", headers=courier).status_code == 200


def test_a_courier_may_post_counts_but_not_edit_the_site(
    client: TestClient, two_sites: dict[str, str]
) -> None:
    courier = bearer(two_sites["courier"])
    site = client.get("/sites/gelin-spring", headers=courier).json()
    response = client.put("/sites/gelin-spring", json=site, headers=courier)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    ops = client.get("/sites/gelin-spring/operations", headers=courier).json()
    assert client.put("/sites/gelin-spring/operations", json=ops, headers=courier).status_code == 403
    assert (
        client.post("/sites/gelin-spring/tokens", json={"role": "courier"}, headers=courier).status_code
        == 403
    )
    counts = client.put(
        "/sites/gelin-spring/days/2022-04-25/counts",
        content=SMALL_CSV,
        headers={**courier, "Content-Type": "text/csv"},
    )
    assert counts.status_code == 200


def test_a_coordinator_edits_its_site_and_manages_its_tokens(
    client: TestClient, two_sites: dict[str, str]
) -> None:
    coordinator = bearer(two_sites["coordinator"])
    site = client.get("/sites/gelin-spring", headers=coordinator).json()
    assert client.put("/sites/gelin-spring", json=site, headers=coordinator).status_code == 200
    listed = client.get("/sites/gelin-spring/tokens", headers=coordinator).json()
    assert {t["role"] for t in listed} == {"coordinator", "courier"}
    assert all("token" not in t for t in listed)  # the secret is shown once, at creation


def test_a_revoked_token_is_refused(client: TestClient, two_sites: dict[str, str]) -> None:
    coordinator = bearer(two_sites["coordinator"])
    courier_id, courier = token(client, "gelin-spring", "courier", coordinator)
    assert client.get("/sites/gelin-spring", headers=bearer(courier)).status_code == 200
    revoked = client.delete(f"/sites/gelin-spring/tokens/{courier_id}", headers=coordinator)
    assert revoked.status_code == 200 and revoked.json()["revoked"] is True
    assert client.get("/sites/gelin-spring", headers=bearer(courier)).status_code == 401


def test_tokens_are_stored_hashed(client: TestClient, two_sites: dict[str, str], settings) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine, text

    engine = create_engine(settings.resolved_database_url)
    with engine.connect() as connection:
        stored = [row[0] for row in connection.execute(text("SELECT token_hash FROM tokens"))]
    engine.dispose()
    assert two_sites["courier"] not in json.dumps(stored)
    assert all(len(value) == 64 for value in stored)


def test_a_token_says_what_it_may_do(client: TestClient, two_sites: dict[str, str]) -> None:
    assert client.get("/me", headers=ADMIN).json() == {
        "role": "admin",
        "site": None,
        "district": None,
        "token_id": None,
    }
    tokens = client.get("/sites/gelin-spring/tokens", headers=ADMIN).json()
    courier_id = next(t["id"] for t in tokens if t["role"] == "courier")
    assert client.get("/me", headers=bearer(two_sites["courier"])).json() == {
        "role": "courier",
        "site": "gelin-spring",
        "district": None,
        "token_id": courier_id,  # which of the site's tokens is in hand
    }
    stranger = client.get("/me", headers=bearer(two_sites["stranger"])).json()
    assert stranger == {
        "role": "coordinator",
        "site": "three-on-a-lane",
        "district": None,
        "token_id": stranger["token_id"],
    }
    assert stranger["token_id"] not in (t["id"] for t in tokens)
    assert client.get("/me").status_code == 401
