"""Steps of the API flow the tests share."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import update

from api.db.models import JobRow
from optimizer.check import check_plan
from optimizer.clock import parse_clock
from optimizer.day import parse_day_json
from optimizer.graph import build_graph
from optimizer.operations import parse_operations
from optimizer.replan import frozen_part
from optimizer.site import parse_site
from tests.api.conftest import ADMIN
from tests.helpers import FIXTURES

GELIN = FIXTURES / "gelin-spring"
SMALL_CSV = "building,parcels,shift\n1,12,morning\n2,8,morning\n3,5,afternoon\n"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def set_up_gelin(
    client: TestClient | httpx.Client, *, ops: str = "ops-more-riders.json", headers: dict[str, str] = ADMIN
) -> None:
    site = json.loads((GELIN / "site.geojson").read_text())
    assert client.put("/sites/gelin-spring", json=site, headers=headers).status_code == 201
    operations = json.loads((GELIN / ops).read_text())
    assert client.put("/sites/gelin-spring/operations", json=operations, headers=headers).status_code == 200


def set_up_second_site(client: TestClient | httpx.Client, *, name: str | None = None) -> None:
    """gelin-spring again as site 'gelin-b' (named `name` if given), one tricycle a shift (ops-3x3)."""
    site = json.loads((GELIN / "site.geojson").read_text())
    site["site"]["id"] = "gelin-b"
    if name is not None:
        site["site"]["name"] = name
    assert client.put("/sites/gelin-b", json=site, headers=ADMIN).status_code == 201
    operations = json.loads((GELIN / "ops-3x3.json").read_text())
    assert client.put("/sites/gelin-b/operations", json=operations, headers=ADMIN).status_code == 200


def token(client: TestClient, site: str, role: str, headers: dict[str, str] = ADMIN) -> tuple[int, str]:
    response = client.post(
        f"/sites/{site}/tokens", json={"role": role, "label": f"{role} test"}, headers=headers
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return body["id"], body["token"]


def planned(client: TestClient, site: str, date: str) -> dict[str, Any]:
    """The plan of a 1 s job for the site's day, which must succeed (the tests' days are small)."""
    job = client.post(f"/sites/{site}/days/{date}/plans", json={"time_limit_s": 1}, headers=ADMIN)
    assert job.status_code == 202, job.text
    finished = wait_for_job(client, job.json()["id"], ADMIN)
    assert finished["status"] == "done", finished
    return client.get(f"/plans/{finished['plan_id']}", headers=ADMIN).json()  # type: ignore[no-any-return]


def wait_for_job(
    client: TestClient, job_id: str, headers: dict[str, str], *, timeout_s: float = 90
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = client.get(f"/jobs/{job_id}", headers=headers).json()
        if job["status"] in ("done", "failed"):
            return job  # type: ignore[no-any-return]
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} did not finish in {timeout_s} s")


def fill_the_queue(client: TestClient, site: str, date: str) -> str:
    """A job of `site` on `date` running as far as the queue's count goes (no solver runs it): with
    one solver process (`settings.workers`) no waiting job starts until `end_job` ends it."""
    job_id = str(uuid.uuid4())
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        session.add(JobRow(id=job_id, site_id=site, date=date, status="running", time_limit_s=1, snapshot={}))
        session.commit()
    return job_id


def end_job(client: TestClient, job_id: str) -> None:
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        session.execute(
            update(JobRow).where(JobRow.id == job_id).values(status="failed", error="ended by the test")
        )
        session.commit()


def checked_against_the_counts_now(
    client: TestClient, date: str, job_id: str, site: str = "gelin-spring"
) -> dict[str, Any]:
    """The job's plan, checked by the validator against the site's counts, map and roster as they
    are now (a waiting job takes them when it starts); a re-plan's kept trips against the plan it
    kept them from."""
    finished = wait_for_job(client, job_id, ADMIN)
    assert finished["status"] == "done", finished
    plan: dict[str, Any] = client.get(f"/plans/{finished['plan_id']}", headers=ADMIN).json()
    counts = client.get(f"/sites/{site}/days/{date}/counts", headers=ADMIN).json()
    site_graph = build_graph(parse_site(client.get(f"/sites/{site}", headers=ADMIN).json()))
    ops = parse_operations(client.get(f"/sites/{site}/operations", headers=ADMIN).json())
    day = parse_day_json({"date": date, "counts": counts["rows"]})
    frozen = None
    if plan.get("replanned_from"):
        first = client.get(f"/plans/{plan['replanned_from']}", headers=ADMIN).json()
        now_s = parse_clock(plan["replanned_at"]) or 0
        frozen = frozen_part(first, site_id=site, date=date, operations=ops, now_s=now_s)
    assert check_plan(site_graph, day, ops, plan, frozen=frozen) == []
    return plan


def planned_anew(plan: dict[str, Any], building: str) -> int:
    """Parcels a re-plan sends to `building` on trips it planned anew (not kept from the road)."""
    return sum(
        stop["parcels"]
        for shift in plan["shifts"]
        for crew in shift["crews"]
        for trip in crew["trips"]
        if not trip.get("kept")
        for stop in trip["stops"]
        if stop["building"] == building
    )
