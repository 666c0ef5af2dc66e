"""How many riders a day needs, asked of the server: run in a planning worker, rows shift by
shift, refused as a plan of the day would be, a place in the queue, and a restart survived."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from fastapi.testclient import TestClient

from api.config import Settings
from api.db.models import StaffingRunRow
from api.jobs import STAFFING_RESTART_MESSAGE
from api.main import create_app
from api.queue import frozen_inputs
from api.store import site_row
from optimizer.staffing import StaffingRow
from tests.api.conftest import ADMIN
from tests.api.helpers import bearer, end_job, fill_the_queue, token
from tests.helpers import FIXTURES

DATE = "2022-04-28"
STAFFING = f"/sites/three-on-a-lane/days/{DATE}/staffing"
CSV = {**ADMIN, "Content-Type": "text/csv"}
ZH = {**ADMIN, "Accept-Language": "zh-CN,zh;q=0.9"}
# Two 80-parcel trips in a 25-minute morning take two tricycle crews; the roster has one tricycle.
COUNTS = "building,parcels,shift\nB1,80,morning\nB3,80,morning\nB2,10,afternoon\n"


def _roster() -> dict[str, Any]:
    ops: dict[str, Any] = json.loads((FIXTURES / "tiny" / "ops-one-tricycle.json").read_text())
    ops["shifts"][0]["end"], ops["shifts"][1]["end"] = "08:25", "14:25"
    return ops


def _set_up(client: TestClient, *, counts: bool = True) -> None:
    site = json.loads((FIXTURES / "tiny" / "three-on-a-lane.geojson").read_text())
    assert client.put("/sites/three-on-a-lane", json=site, headers=ADMIN).status_code == 201
    assert client.put("/sites/three-on-a-lane/operations", json=_roster(), headers=ADMIN).status_code == 200
    if counts:
        assert (
            client.put(f"/sites/three-on-a-lane/days/{DATE}/counts", content=COUNTS, headers=CSV).status_code
            == 200
        )


def _ended(client: TestClient, run_id: str, *, timeout_s: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        run: dict[str, Any] = client.get(f"/staffing/{run_id}", headers=ADMIN).json()
        if run["status"] in ("done", "failed"):
            return run
        time.sleep(0.2)
    raise AssertionError(f"staffing {run_id} did not end in {timeout_s} s")


def _shape(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(r["policy"], r["shift"], r["parcels"], r["riders"], r["added"], r["clears"]) for r in rows]


def test_the_riders_each_shift_needs_and_the_vehicles_to_borrow(client: TestClient) -> None:
    _set_up(client)
    asked = client.post(STAFFING, json={"try_s": 0.5}, headers=ADMIN)
    assert asked.status_code == 202, asked.text
    assert (asked.json()["status"], asked.json()["policies"], asked.json()["rows"]) == (
        "queued",
        ["notify_one"],
        [],
    )
    run = _ended(client, asked.json()["id"])
    assert run["status"] == "done", run
    assert _shape(run["rows"]) == [
        ("notify_one", "morning", 160, 4, {"tricycle": 1}, True),
        ("notify_one", "afternoon", 10, 2, {}, True),
    ]
    for row in run["rows"]:
        assert row["delivered"] == row["parcels"] and row["finish"] is not None
    assert run["rows"][0]["vehicles"] == {"tricycle": 2}
    assert [row["beyond_crews"] for row in run["rows"]] == [{}, {}]  # every parcel is a crew's to take
    # nothing of the day changed: the counts are as put, and no plan was made
    assert (
        client.get(f"/sites/three-on-a-lane/days/{DATE}/counts", headers=ADMIN).json()["totals"]["parcels"]
        == 170
    )
    assert client.get(f"/sites/three-on-a-lane/days/{DATE}/plans/latest", headers=ADMIN).status_code == 404

    # a viewer reads the last answer (what a page opened again shows) and may not ask for one
    viewer = bearer(token(client, "three-on-a-lane", "viewer")[1])
    latest = client.get(f"{STAFFING}/latest", headers=viewer)
    assert (latest.status_code, latest.json()["id"]) == (200, run["id"])
    assert client.post(STAFFING, headers=viewer).status_code == 403

    both = _ended(
        client, client.post(STAFFING, json={"policy": "both", "try_s": 0.5}, headers=ADMIN).json()["id"]
    )
    assert both["policies"] == ["notify_one", "ring_each"]
    assert [(r["policy"], r["shift"]) for r in both["rows"]] == [
        ("notify_one", "morning"),
        ("notify_one", "afternoon"),
        ("ring_each", "morning"),
        ("ring_each", "afternoon"),
    ]
    assert client.get(f"{STAFFING}/latest", headers=ADMIN).json()["id"] == both["id"]


def test_refused_as_a_plan_of_the_day_would_be(client: TestClient) -> None:
    _set_up(client, counts=False)
    no_counts = client.post(STAFFING, headers=ZH)
    assert (no_counts.status_code, no_counts.json()["error"]["code"]) == (409, "no_counts")
    assert "还没有件数" in no_counts.json()["error"]["message"]
    assert client.get(f"{STAFFING}/latest", headers=ADMIN).status_code == 404
    put = client.put(
        f"/sites/three-on-a-lane/days/{DATE}/counts",
        content="building,parcels,shift\nB1,5,noon\n",
        headers=CSV,
    )
    assert put.status_code == 422  # a shift the roster lacks never gets in
    for body in ({"try_s": 0}, {"try_s": 10.5}, {"policy": "ring"}, {"riders": 4}):
        refused = client.post(STAFFING, json=body, headers=ADMIN)
        assert refused.status_code == 422, (body, refused.text)
    assert client.get(f"/staffing/{uuid.uuid4()}", headers=ADMIN).status_code == 404
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        assert session.query(StaffingRunRow).count() == 0


def test_one_run_at_a_time_for_a_compound_and_a_place_in_the_queue(
    client: TestClient, settings: Settings
) -> None:
    _set_up(client)
    running = str(uuid.uuid4())
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        row = StaffingRunRow(
            id=running, site_id="three-on-a-lane", date=DATE, status="running", policies=["notify_one"]
        )
        row.try_s, row.snapshot, row.rows = 1, {}, []
        session.add(row)
        session.commit()
    again = client.post(STAFFING, headers=ADMIN)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "staffing_running")
    assert running in again.json()["error"]["message"]

    # the run holds a solver process as a plan does: with room for one, a plan asked now waits
    settings.max_queued_jobs = 1
    plan = client.post(f"/sites/three-on-a-lane/days/{DATE}/plans", json={"time_limit_s": 1}, headers=ADMIN)
    assert plan.status_code == 202, plan.text
    assert (plan.json()["status"], plan.json()["ahead"]) == ("waiting", 1)
    assert client.delete(f"/jobs/{plan.json()['id']}", headers=ADMIN).status_code == 204

    # and with the queue full of plans, a staffing run is refused rather than put behind them
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        session.get(StaffingRunRow, running).status = "done"
        session.commit()
    filler = fill_the_queue(client, "three-on-a-lane", "2022-04-27")
    full = client.post(STAFFING, headers=ZH)
    assert (full.status_code, full.json()["error"]["code"]) == (409, "queue_full")
    assert "等这些路线排完" in full.json()["error"]["message"]
    end_job(client, filler)
    room = client.post(STAFFING, json={"try_s": 0.3}, headers=ADMIN)
    assert room.status_code == 202
    assert _ended(client, room.json()["id"])["status"] == "done"


def test_a_restart_fails_the_run_it_stopped_and_runs_the_queued_one(settings: Settings) -> None:
    stopped, queued, unplannable = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    half = StaffingRow(
        "notify_one", "morning", 160, 4, {"tricycle": 2}, 160, "08:15:50", 0.94, True
    ).to_dict()
    with TestClient(create_app(settings)) as client:
        _set_up(client)
        with client.app.state.sessions() as session:  # type: ignore[attr-defined]
            inputs = frozen_inputs(session, site_row(session, "three-on-a-lane"), DATE, None)
            # a run queued before a building was taken off the map: it fails naming it
            gone = {**inputs, "counts": [*inputs["counts"], {**inputs["counts"][0], "building": "B9"}]}
            for run_id, status, rows, snapshot in (
                (stopped, "running", [half], inputs),
                (queued, "queued", [], inputs),
                (unplannable, "queued", [], gone),
            ):
                row = StaffingRunRow(
                    id=run_id, site_id="three-on-a-lane", date=DATE, status=status, policies=["notify_one"]
                )
                row.try_s, row.snapshot, row.rows = 0.5, snapshot, rows
                session.add(row)
            session.commit()
    with TestClient(create_app(settings)) as restarted:
        failed = restarted.get(f"/staffing/{stopped}", headers=ADMIN).json()
        assert (failed["status"], failed["error"], len(failed["rows"])) == (
            "failed",
            STAFFING_RESTART_MESSAGE,
            1,
        )
        done = _ended(restarted, queued)
        assert (done["status"], [r["riders"] for r in done["rows"]]) == ("done", [4, 2])
        refused = _ended(restarted, unplannable)
        assert (refused["status"], refused["rows"]) == ("failed", [])
        assert "B9" in refused["error"], refused
