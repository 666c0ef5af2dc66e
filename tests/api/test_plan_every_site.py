"""A district office plans every compound that needs it in one request (`POST /days/{date}/plans`)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from api import queue
from api.config import Settings
from api.db.models import CountRowRecord, JobRow
from api.main import create_app
from api.queue import SUPERSEDED, start_waiting
from optimizer.check import check_plan
from optimizer.day import parse_day_csv
from optimizer.graph import build_graph
from optimizer.operations import parse_operations
from optimizer.site import parse_site
from tests.api.conftest import ADMIN
from tests.api.helpers import (
    GELIN,
    SMALL_CSV,
    bearer,
    checked_against_the_counts_now,
    end_job,
    fill_the_queue,
    set_up_gelin,
    set_up_second_site,
    token,
    wait_for_job,
)

DATE = "2022-04-25"
CSV = {**ADMIN, "Content-Type": "text/csv"}
ZH = {**ADMIN, "Accept-Language": "zh-CN,zh;q=0.9"}


def _statuses(client: TestClient) -> dict[str, str]:
    return {day["site"]: day["status"] for day in client.get(f"/days/{DATE}", headers=ADMIN).json()["sites"]}


def _three_sites(client: TestClient) -> None:
    """gelin-spring and gelin-b with the small day's counts; gelin-c with none."""
    set_up_gelin(client)
    set_up_second_site(client)
    site = json.loads((GELIN / "site.geojson").read_text())
    site["site"]["id"] = "gelin-c"
    assert client.put("/sites/gelin-c", json=site, headers=ADMIN).status_code == 201
    ops = json.loads((GELIN / "ops-3x3.json").read_text())
    assert client.put("/sites/gelin-c/operations", json=ops, headers=ADMIN).status_code == 200
    for site_id in ("gelin-spring", "gelin-b"):
        put = client.put(f"/sites/{site_id}/days/{DATE}/counts", content=SMALL_CSV, headers=CSV)
        assert put.status_code == 200, put.text


def test_every_site_that_needs_a_plan_gets_one_and_one_that_cannot_be_planned_says_why(
    client: TestClient,
) -> None:
    _three_sites(client)
    assert _statuses(client) == {
        "gelin-b": "not_planned",
        "gelin-c": "no_counts",
        "gelin-spring": "not_planned",
    }
    answer = client.post(f"/days/{DATE}/plans", json={"time_limit_s": 1}, headers=ADMIN)
    assert answer.status_code == 202, answer.text
    body = answer.json()
    jobs = body["queued"] + body["waiting"]  # one solver process: one starts now, one waits for it
    assert [(job["site"], job["status"]) for job in jobs] == [
        ("gelin-b", "queued"),
        ("gelin-spring", "waiting"),
    ]
    assert body["refused"] == []
    day = parse_day_csv(SMALL_CSV, date=DATE)
    for job in jobs:
        site_graph = build_graph(parse_site(client.get(f"/sites/{job['site']}", headers=ADMIN).json()))
        finished = wait_for_job(client, job["id"], ADMIN)
        assert finished["status"] == "done", finished
        plan = client.get(f"/plans/{finished['plan_id']}", headers=ADMIN).json()
        ops = client.get(f"/sites/{job['site']}/operations", headers=ADMIN).json()
        assert check_plan(site_graph, day, parse_operations(ops), plan) == []
    assert _statuses(client) == {"gelin-b": "ok", "gelin-c": "no_counts", "gelin-spring": "ok"}
    again = client.post(f"/days/{DATE}/plans", headers=ADMIN).json()
    assert (again["queued"], again["waiting"], again["refused"]) == ([], [], [])  # nothing to do

    # gelin-spring's usual roster loses the afternoon its counts name; gelin-b gets a later wave.
    ops = client.get("/sites/gelin-spring/operations", headers=ADMIN).json()
    ops["shifts"] = [s for s in ops["shifts"] if s["id"] != "afternoon"]
    assert client.put("/sites/gelin-spring/operations", json=ops, headers=ADMIN).status_code == 200
    client.post(f"/sites/gelin-b/days/{DATE}/counts", content="building,parcels\n4,7\n", headers=CSV)
    assert _statuses(client)["gelin-b"] == _statuses(client)["gelin-spring"] == "outdated"
    body = client.post(f"/days/{DATE}/plans", json={"time_limit_s": 1}, headers=ZH).json()
    assert [job["site"] for job in body["queued"]] == ["gelin-b"]
    [refusal] = body["refused"]
    assert refusal["site"] == "gelin-spring" and "afternoon" in refusal["message"]
    assert "班次" in refusal["message"]  # in the language asked for
    assert wait_for_job(client, body["queued"][0]["id"], ADMIN)["status"] == "done"

    # A site's own token plans only its own site.
    client.post(f"/sites/gelin-b/days/{DATE}/counts", content="building,parcels\n5,3\n", headers=CSV)
    _, courier = token(client, "gelin-spring", "courier")
    own = client.post(f"/days/{DATE}/plans", json={"time_limit_s": 1}, headers=bearer(courier)).json()
    assert (own["queued"], own["waiting"], [r["site"] for r in own["refused"]]) == ([], [], ["gelin-spring"])
    assert _statuses(client)["gelin-b"] == "outdated"  # not the courier's to plan


def _check_against_the_counts_now(client: TestClient, job: dict[str, Any]) -> None:
    plan = checked_against_the_counts_now(client, DATE, job["id"], job["site"])
    counts = client.get(f"/sites/{job['site']}/days/{DATE}/counts", headers=ADMIN).json()
    assert plan["summary"]["parcels"] == counts["totals"]["parcels"]


def test_plans_beyond_the_queues_room_wait_on_the_server_and_start_by_themselves(settings: Settings) -> None:
    settings.max_queued_jobs = 1
    with TestClient(create_app(settings)) as client:
        _three_sites(client)
        other = fill_the_queue(client, "gelin-c", DATE)
        body = client.post(f"/days/{DATE}/plans", json={"time_limit_s": 1}, headers=ADMIN).json()
        assert (body["queued"], body["refused"]) == ([], [])
        assert [(job["site"], job["status"]) for job in body["waiting"]] == [
            ("gelin-b", "waiting"),
            ("gelin-spring", "waiting"),
        ]
        overview = client.get(f"/days/{DATE}", headers=ADMIN).json()
        assert {day["site"]: (day["status"], day["job"]["status"]) for day in overview["sites"]} == {
            "gelin-b": ("planning", "waiting"),
            "gelin-c": ("planning", "running"),  # the job filling the queue
            "gelin-spring": ("planning", "waiting"),
        }
        again = client.post(f"/days/{DATE}/plans", json={"time_limit_s": 1}, headers=ADMIN).json()
        assert (again["queued"], again["waiting"]) == ([], [])  # asked for already: not twice
        # A later wave while gelin-b waits: its plan takes the counts as they are when it starts.
        wave = client.post(
            f"/sites/gelin-b/days/{DATE}/counts", content="building,parcels\n4,7\n", headers=CSV
        )
        assert wave.status_code == 200, wave.text
        end_job(client, other)  # room: nobody asks again, the server starts them one after the other
        for job in body["waiting"]:
            _check_against_the_counts_now(client, job)
        assert _statuses(client) == {"gelin-b": "ok", "gelin-c": "no_counts", "gelin-spring": "ok"}


def test_a_waiting_plan_outlives_a_restart_of_the_server(settings: Settings) -> None:
    settings.max_queued_jobs = 1
    with TestClient(create_app(settings)) as client:
        _three_sites(client)
        fill_the_queue(client, "gelin-c", DATE)  # running when the server stops: failed on the restart
        body = client.post(f"/days/{DATE}/plans", json={"time_limit_s": 1}, headers=ADMIN).json()
        assert [job["site"] for job in body["waiting"]] == ["gelin-b", "gelin-spring"]
    with TestClient(create_app(settings)) as client:
        for job in body["waiting"]:
            _check_against_the_counts_now(client, job)


def test_a_waiting_plan_whose_day_was_planned_meanwhile_or_can_no_longer_be_planned_says_so(
    settings: Settings,
) -> None:
    settings.max_queued_jobs = 1
    with TestClient(create_app(settings)) as client:
        _three_sites(client)
        other = fill_the_queue(client, "gelin-c", DATE)
        body = client.post(f"/days/{DATE}/plans", json={"time_limit_s": 1}, headers=ZH).json()
        waiting = {job["site"]: job["id"] for job in body["waiting"]}
        # gelin-spring's coordinator plans the day from the page meanwhile (a newer job), and
        # gelin-b's counts are gone (no route removes a day's counts; the rows are deleted here):
        # neither waiting job has anything left to plan.
        with client.app.state.sessions() as session:  # type: ignore[attr-defined]
            session.add(
                JobRow(
                    id=str(uuid.uuid4()),
                    site_id="gelin-spring",
                    date=DATE,
                    status="done",  # ended already: a waiting job is looked at when there is room,
                    time_limit_s=1,
                    snapshot={},
                )
            )
            session.commit()
            session.execute(delete(CountRowRecord).where(CountRowRecord.site_id == "gelin-b"))
            session.commit()
        end_job(client, other)
        with client.app.state.sessions() as session:  # type: ignore[attr-defined]
            started = start_waiting(session, settings, submit=lambda job_id: None)
        assert started == []
        superseded = client.get(f"/jobs/{waiting['gelin-spring']}", headers=ZH).json()
        assert superseded["status"] == "failed" and "以那一次为准" in superseded["error"]
        no_counts = client.get(f"/jobs/{waiting['gelin-b']}", headers=ADMIN).json()
        assert no_counts["status"] == "failed" and "no counts" in no_counts["error"]


def test_a_coordinators_own_plan_goes_ahead_of_a_districts_waiting_ones(settings: Settings) -> None:
    settings.max_queued_jobs = 5  # room in the queue; one solver process (settings.workers)
    with TestClient(create_app(settings)) as client:
        _three_sites(client)
        put = client.put(f"/sites/gelin-c/days/{DATE}/counts", content=SMALL_CSV, headers=CSV)
        assert put.status_code == 200, put.text
        other = fill_the_queue(
            client, "gelin-c", "2022-04-24"
        )  # the solver process busy: the district's plans wait
        body = client.post(f"/days/{DATE}/plans", json={"time_limit_s": 1}, headers=ADMIN).json()
        assert body["queued"] == []
        assert [job["site"] for job in body["waiting"]] == ["gelin-b", "gelin-c", "gelin-spring"]
        # gelin-spring's coordinator plans from the page meanwhile: taken at once, not behind them.
        own = client.post(f"/sites/gelin-spring/days/{DATE}/plans", json={"time_limit_s": 1}, headers=ADMIN)
        assert own.status_code == 202 and own.json()["status"] == "queued"
        assert wait_for_job(client, own.json()["id"], ADMIN)["status"] == "done"
        end_job(client, other)
        for job in body["waiting"]:
            wait_for_job(client, job["id"], ADMIN)
        with client.app.state.sessions() as session:  # type: ignore[attr-defined]
            rows = {row.id: row for row in session.scalars(select(JobRow).where(JobRow.date == DATE))}
        started = sorted((row.started_at, row.id) for row in rows.values() if row.started_at)
        assert [job_id for _, job_id in started] == [
            own.json()["id"],
            *(job["id"] for job in body["waiting"][:2]),
        ]
        superseded = rows[body["waiting"][2]["id"]]  # the district's for gelin-spring: the own answers it
        assert (superseded.status, superseded.error) == ("failed", SUPERSEDED)
        assert _statuses(client) == {"gelin-b": "ok", "gelin-c": "ok", "gelin-spring": "ok"}


def test_a_waiting_plan_starts_once_when_two_servers_look_for_room(settings: Settings) -> None:
    settings.max_queued_jobs = settings.workers = 2
    with TestClient(create_app(settings)) as client:
        _three_sites(client)
        first, _ = fill_the_queue(client, "gelin-c", DATE), fill_the_queue(client, "gelin-c", DATE)
        body = client.post(f"/days/{DATE}/plans", json={"time_limit_s": 1}, headers=ADMIN).json()
        assert len(body["waiting"]) == 2
        sessions = client.app.state.sessions  # type: ignore[attr-defined]
    end_job(client, first)  # room for one; this server is stopped, two others look for it at once
    submitted: list[str] = []
    with sessions() as one, sessions() as two:
        started = start_waiting(one, settings, submitted.append) + start_waiting(
            two, settings, submitted.append
        )
    assert started == submitted == [body["waiting"][0]["id"]]  # the oldest, and once


def test_waiting_plans_are_taken_back_and_their_days_are_as_before(
    client: TestClient, settings: Settings
) -> None:
    _three_sites(client)
    other = fill_the_queue(client, "gelin-c", "2022-04-24")
    body = client.post(f"/days/{DATE}/plans", json={"time_limit_s": 1}, headers=ADMIN).json()
    assert [job["site"] for job in body["waiting"]] == ["gelin-b", "gelin-spring"]
    _, courier = token(client, "gelin-spring", "courier")
    own = client.delete(f"/days/{DATE}/plans", headers=bearer(courier))  # a site's token: its own only
    assert own.status_code == 200 and own.json() == {"date": DATE, "cancelled": ["gelin-spring"]}
    rest = client.delete(f"/days/{DATE}/plans", headers=ADMIN).json()
    assert rest == {"date": DATE, "cancelled": ["gelin-b"]}
    assert _statuses(client) == {
        "gelin-b": "not_planned",
        "gelin-c": "no_counts",
        "gelin-spring": "not_planned",
    }
    for job in body["waiting"]:
        assert client.get(f"/jobs/{job['id']}", headers=ADMIN).status_code == 404
    end_job(client, other)  # nothing left to start
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        assert start_waiting(session, settings, submit=lambda job_id: None) == []
    assert client.delete("/days/2022-02-30/plans", headers=ADMIN).status_code == 422


def test_a_waiting_plan_that_cannot_be_prepared_fails_and_the_next_one_starts(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TestClient(create_app(settings)) as client:
        _three_sites(client)
        other = fill_the_queue(client, "gelin-c", "2022-04-24")
        body = client.post(f"/days/{DATE}/plans", json={"time_limit_s": 1}, headers=ADMIN).json()
        sessions = client.app.state.sessions  # type: ignore[attr-defined]
    broken, fine = (job["id"] for job in body["waiting"])  # gelin-b's, then gelin-spring's
    real = queue.frozen_inputs

    def failing_for_gelin_b(session: Any, row: Any, date: str, policy: str | None) -> dict[str, Any]:
        if row.id == "gelin-b":
            raise KeyError("a bug")
        return real(session, row, date, policy)

    monkeypatch.setattr(queue, "frozen_inputs", failing_for_gelin_b)
    end_job(client, other)
    submitted: list[str] = []
    with sessions() as session:
        assert start_waiting(session, settings, submitted.append) == submitted == [fine]
        failed = session.get(JobRow, broken)
        assert failed is not None and failed.status == "failed"
        assert failed.error == "internal error while preparing this plan: 'a bug'"


def test_a_compound_whose_gate_holds_leftovers_is_asked_how_before_the_one_press_plans_it(
    client: TestClient,
) -> None:
    """Planning a day whose counts lack what the day before left would leave those parcels at the
    gate another day: the one press refuses such a compound, saying how many and since when, and
    changes nothing there; `held_over: add` adds them first (as the compound's own button does) and
    plans the day with them; `without` plans the day as it is; a compound that then cannot be
    planned keeps its counts as they were."""
    set_up_gelin(client, ops="ops-3x3.json")  # one tricycle a shift: 2,300 parcels do not all go
    set_up_second_site(client)
    day_before = "2022-04-24"
    busy = (GELIN / "days" / "2022-04-28-2300.csv").read_text()
    assert (
        client.put(f"/sites/gelin-spring/days/{day_before}/counts", content=busy, headers=CSV).status_code
        == 200
    )
    job = client.post(f"/sites/gelin-spring/days/{day_before}/plans", json={"time_limit_s": 1}, headers=ADMIN)
    left = checked_against_the_counts_now(client, day_before, job.json()["id"])["summary"]["undelivered"]
    assert left > 0
    for site_id in ("gelin-spring", "gelin-b"):
        put = client.put(f"/sites/{site_id}/days/{DATE}/counts", content=SMALL_CSV, headers=CSV)
        assert put.status_code == 200, put.text
    counts = f"/sites/gelin-spring/days/{DATE}/counts"
    before = client.get(counts, headers=ADMIN).json()

    asked = client.post(f"/days/{DATE}/plans", json={"time_limit_s": 1}, headers=ADMIN).json()
    assert [job["site"] for job in asked["queued"] + asked["waiting"]] == ["gelin-b"]
    [refusal] = asked["refused"]
    assert (refusal["site"], refusal["code"]) == ("gelin-spring", "held_over_waiting")
    assert refusal["message"].startswith(f"{left} parcels left at the gate since {day_before} are not in")
    assert client.get(counts, headers=ADMIN).json() == before and asked["held_over_added"] == {}
    chinese = client.post(f"/days/{DATE}/plans", json={"time_limit_s": 1}, headers=ZH).json()
    assert chinese["refused"][0]["message"].startswith(f"大门口还有 {day_before} 起留下的 {left} 件")
    for job in asked["queued"] + asked["waiting"]:
        checked_against_the_counts_now(client, DATE, job["id"], site="gelin-b")

    # Without: the day planned as it is.
    without = client.post(
        f"/days/{DATE}/plans", json={"time_limit_s": 1, "held_over": "without"}, headers=ADMIN
    )
    [job] = without.json()["queued"] + without.json()["waiting"]
    assert without.json()["held_over_added"] == {}
    assert checked_against_the_counts_now(client, DATE, job["id"])["summary"]["parcels"] == 25
    said = client.get("/sites/gelin-spring/history", headers=ADMIN).json()[0]["text"]
    assert said.endswith(f"this one's without the {left} parcels left at the gate")

    # The usual roster loses the shift the counts name (the day is planned, so it may): the day
    # cannot be planned again, and the leftovers are not added to it either.
    usual = json.loads((GELIN / "ops-3x3.json").read_text())
    lost = {**usual, "shifts": [shift for shift in usual["shifts"] if shift["id"] != "morning"]}
    assert client.put("/sites/gelin-spring/operations", json=lost, headers=ADMIN).status_code == 200
    refused = client.post(f"/days/{DATE}/plans", json={"held_over": "add"}, headers=ADMIN).json()
    assert [(r["site"], r["code"]) for r in refused["refused"]] == [("gelin-spring", "invalid")]
    assert refused["held_over_added"] == {} and client.get(counts, headers=ADMIN).json() == before
    assert client.put("/sites/gelin-spring/operations", json=usual, headers=ADMIN).status_code == 200

    added = client.post(f"/days/{DATE}/plans", json={"time_limit_s": 1, "held_over": "add"}, headers=ADMIN)
    assert added.status_code == 202, added.text
    assert added.json()["held_over_added"] == {"gelin-spring": left} and added.json()["refused"] == []
    [job] = added.json()["queued"] + added.json()["waiting"]
    plan = checked_against_the_counts_now(client, DATE, job["id"])  # every parcel, the held-over too
    assert plan["summary"]["parcels"] == 25 + left
    history = client.get("/sites/gelin-spring/history", headers=ADMIN).json()
    assert [line["action"] for line in history[:2]] == ["district_plans_asked", "held_over_added"]
    assert client.get(f"/sites/gelin-spring/days/{DATE}", headers=ADMIN).json()["left_before"] is None
