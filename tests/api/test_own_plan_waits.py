"""A compound's own plan asked for while the queue is full waits on the server, ahead of a district's
waiting plans, instead of being refused: the coordinator at the gate need not press again."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api import queue
from api.config import Settings
from api.db.models import JobRow
from api.main import create_app
from api.queue import SUPERSEDED, start_waiting
from optimizer.clock import format_clock, parse_clock
from tests.api.conftest import ADMIN
from tests.api.helpers import (
    SMALL_CSV,
    bearer,
    checked_against_the_counts_now,
    end_job,
    fill_the_queue,
    planned,
    set_up_gelin,
    set_up_second_site,
    token,
    wait_for_job,
)

DATE = "2022-04-25"
OTHER_DAY = "2022-04-24"  # the day of the job that fills the queue: it answers nothing of DATE
COUNTS = f"/sites/gelin-spring/days/{DATE}/counts"
CSV = {**ADMIN, "Content-Type": "text/csv"}
ZH = {**ADMIN, "Accept-Language": "zh-CN,zh;q=0.9"}


def _plans(site: str) -> str:
    return f"/sites/{site}/days/{DATE}/plans"


def _two_sites(client: TestClient) -> None:
    """gelin-spring and gelin-b, each with the small day's counts."""
    set_up_gelin(client)
    set_up_second_site(client)
    for site in ("gelin-spring", "gelin-b"):
        put = client.put(f"/sites/{site}/days/{DATE}/counts", content=SMALL_CSV, headers=CSV)
        assert put.status_code == 200, put.text


def _morning_planned(client: TestClient) -> dict[str, Any]:
    """gelin-spring with 200 morning parcels, planned while the queue is empty; the plan."""
    set_up_gelin(client)
    morning = "building,parcels,shift\n" + "".join(f"{b},10,morning\n" for b in range(1, 21))
    assert client.put(COUNTS, content=morning, headers=CSV).status_code == 200
    return planned(client, "gelin-spring", DATE)


def _started_in_order(client: TestClient) -> list[str]:
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        rows = session.scalars(select(JobRow).where(JobRow.date == DATE, JobRow.started_at.is_not(None)))
        return [row.id for row in sorted(rows, key=lambda row: (row.started_at, row.id))]


def test_an_own_plan_asked_for_while_the_queue_is_full_waits_and_starts_by_itself(settings: Settings) -> None:
    settings.max_queued_jobs = 1
    with TestClient(create_app(settings)) as client:
        set_up_gelin(client)
        assert (
            client.put(f"/sites/gelin-spring/days/{DATE}/counts", content=SMALL_CSV, headers=CSV).status_code
            == 200
        )
        other = fill_the_queue(client, "gelin-spring", OTHER_DAY)
        keyed = {**ADMIN, "Idempotency-Key": "gate-1"}
        asked = client.post(_plans("gelin-spring"), json={"time_limit_s": 1}, headers=keyed)
        assert asked.status_code == 202, asked.text  # not 503: it waits
        first = asked.json()
        assert (first["status"], first["ahead"]) == ("waiting", 1)  # the job filling the queue
        again = client.post(_plans("gelin-spring"), json={"time_limit_s": 1}, headers=keyed).json()
        assert (again["id"], again["status"]) == (first["id"], "waiting")  # a retry: the same job
        day = client.get(f"/sites/gelin-spring/days/{DATE}", headers=ADMIN).json()
        assert (day["status"], day["job"]["id"], day["job"]["status"]) == ("planning", first["id"], "waiting")
        # A later wave while it waits, and the coordinator presses again: one plan answers both
        # presses, made from the counts as they are when it starts.
        wave = client.post(
            f"/sites/gelin-spring/days/{DATE}/counts", content="building,parcels\n4,7\n", headers=CSV
        )
        assert wave.status_code == 200, wave.text
        second = client.post(_plans("gelin-spring"), json={"time_limit_s": 1}, headers=ZH).json()
        assert (second["status"], second["ahead"]) == ("waiting", 1)  # the first no longer ahead:
        superseded = client.get(f"/jobs/{first['id']}", headers=ZH).json()  # the second answers it
        assert superseded["status"] == "failed" and "以那一次为准" in superseded["error"]
        end_job(client, other)  # room: nobody asks again
        plan = checked_against_the_counts_now(client, DATE, second["id"])
        assert plan["summary"]["parcels"] == 25 + 7
        assert _started_in_order(client) == [second["id"]]  # the first never ran


def test_own_plans_that_wait_start_ahead_of_a_districts_press(settings: Settings) -> None:
    settings.max_queued_jobs = 1
    with TestClient(create_app(settings)) as client:
        _two_sites(client)
        other = fill_the_queue(client, "gelin-spring", OTHER_DAY)
        press = client.post(f"/days/{DATE}/plans", json={"time_limit_s": 1}, headers=ADMIN).json()
        assert [job["site"] for job in press["waiting"]] == ["gelin-b", "gelin-spring"]
        own = client.post(_plans("gelin-spring"), json={"time_limit_s": 1}, headers=ADMIN).json()
        assert (own["status"], own["ahead"]) == ("waiting", 1)  # asked after the press, starts before it
        district_b, district_spring = (
            client.get(f"/jobs/{job['id']}", headers=ADMIN).json() for job in press["waiting"]
        )
        assert (district_b["status"], district_b["ahead"]) == ("waiting", 2)  # the running one, the own
        assert (district_spring["status"], district_spring["error"]) == ("failed", SUPERSEDED)  # at once
        end_job(client, other)
        checked_against_the_counts_now(client, DATE, own["id"])
        checked_against_the_counts_now(client, DATE, press["waiting"][0]["id"], "gelin-b")
        assert _started_in_order(client) == [own["id"], press["waiting"][0]["id"]]


def test_an_own_plan_joins_those_waiting_rather_than_jumping_ahead(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Room frees, and before the backlog starts the waiting plan another coordinator asks: the
    new plan waits its turn behind the older one."""
    settings.max_queued_jobs = 1
    monkeypatch.setattr(queue, "WAKE_EVERY_S", 3600.0)  # the backlog looks only when woken
    with TestClient(create_app(settings)) as client:
        _two_sites(client)
        backlog = client.app.state.backlog  # type: ignore[attr-defined]
        # The older plan's request wakes the backlog; held until the newer one is asked, or on a
        # busy machine the backlog could look after the room frees and start the older plan first.
        monkeypatch.setattr(backlog, "wake", lambda: None)
        other = fill_the_queue(client, "gelin-spring", OTHER_DAY)
        older = client.post(_plans("gelin-b"), json={"time_limit_s": 1}, headers=ADMIN).json()
        end_job(client, other)  # room, and the backlog not woken yet
        newer = client.post(_plans("gelin-spring"), json={"time_limit_s": 1}, headers=ADMIN).json()
        assert (older["status"], newer["status"]) == ("waiting", "waiting")
        monkeypatch.undo()
        backlog.wake()
        checked_against_the_counts_now(client, DATE, older["id"], "gelin-b")
        checked_against_the_counts_now(client, DATE, newer["id"])
        assert _started_in_order(client) == [older["id"], newer["id"]]


def test_a_replan_asked_for_while_the_queue_is_full_keeps_the_trips_on_the_road(settings: Settings) -> None:
    settings.max_queued_jobs = 1
    with TestClient(create_app(settings)) as client:
        first = _morning_planned(client)
        departures = sorted(
            trip["depart"] for s in first["shifts"] for c in s["crews"] for trip in c["trips"]
        )
        now = format_clock(parse_clock(departures[1]) + 60)[:5]  # two trips are on the road
        wave = "building,parcels,shift\n30,15,morning\n"
        assert client.post(COUNTS, content=wave, headers=CSV).status_code == 200
        other = fill_the_queue(client, "gelin-spring", OTHER_DAY)
        asked = client.post(
            _plans("gelin-spring"), json={"time_limit_s": 1, "replan": {"now": now}}, headers=ADMIN
        )
        assert asked.status_code == 202 and asked.json()["status"] == "waiting", asked.text
        end_job(client, other)
        replanned = checked_against_the_counts_now(
            client, DATE, asked.json()["id"]
        )  # kept trips held to the first plan
        assert (replanned["replanned_from"], replanned["replanned_at"]) == (first["id"], f"{now}:00")
        kept = [t for s in replanned["shifts"] for c in s["crews"] for t in c["trips"] if t.get("kept")]
        assert len(kept) == 2
        assert replanned["summary"]["delivered"] == 200 + 15


def test_a_waiting_replan_whose_counts_fell_short_of_the_road_fails_saying_so(settings: Settings) -> None:
    settings.max_queued_jobs = 1
    with TestClient(create_app(settings)) as client:
        _morning_planned(client)
        other = fill_the_queue(client, "gelin-spring", OTHER_DAY)
        asked = client.post(_plans("gelin-spring"), json={"replan": {"now": "11:00"}}, headers=ADMIN).json()
        assert asked["status"] == "waiting"
        # Meanwhile the counts are replaced by one parcel: less than the trips on the road carry.
        one = client.put(
            f"/sites/gelin-spring/days/{DATE}/counts",
            content="building,parcels,shift\n1,1,morning\n",
            headers=CSV,
        )
        assert one.status_code == 200, one.text
        end_job(client, other)
        failed = wait_for_job(client, asked["id"], ZH)
        assert failed["status"] == "failed"
        assert failed["error"].startswith("楼 1：新的件数表只有 1 件，但已出发的车上已经有")
        english = client.get(f"/jobs/{asked['id']}", headers=ADMIN).json()["error"]
        assert "already on the road" in english
        assert (
            json.dumps(
                client.get(f"/sites/gelin-spring/days/{DATE}/counts", headers=ADMIN).json()["rows"]
            ).count('"parcels": 1')
            == 1
        )  # the counts as the coordinator left them


def test_start_waiting_leaves_a_districts_plan_waiting_while_no_solver_process_is_idle(
    settings: Settings,
) -> None:
    """A queue with room but every solver process busy: a compound's own waiting plan starts, a
    district's does not."""
    settings.max_queued_jobs = 3
    with TestClient(create_app(settings)) as client:
        _two_sites(client)
        sessions = client.app.state.sessions  # type: ignore[attr-defined]
        fill_the_queue(client, "gelin-spring", OTHER_DAY)
    with sessions() as session:  # the server stopped; two jobs written as if asked while it was full
        own = queue.new_job(
            "gelin-spring", DATE, None, 1, settings, asked={"policy": None}, priority=queue.OWN_PLAN
        )
        district = queue.new_job(
            "gelin-b", DATE, None, 1, settings, asked={"policy": None}, priority=queue.DISTRICT_PRESS
        )
        session.add_all([district, own])
        session.commit()
        submitted: list[str] = []
        assert start_waiting(session, settings, submitted.append) == submitted == [own.id]
        assert session.get(JobRow, district.id).status == "waiting"  # type: ignore[union-attr]


def test_a_waiting_plan_is_taken_back_on_its_own_and_a_started_one_is_not(settings: Settings) -> None:
    settings.max_queued_jobs = 1
    with TestClient(create_app(settings)) as client:
        _two_sites(client)
        other = fill_the_queue(client, "gelin-spring", OTHER_DAY)
        _, courier = token(client, "gelin-spring", "courier")
        own = client.post(_plans("gelin-spring"), json={"time_limit_s": 1}, headers=bearer(courier)).json()
        press = client.post(f"/days/{DATE}/plans", json={"time_limit_s": 1}, headers=ADMIN).json()
        assert [job["site"] for job in press["waiting"]] == ["gelin-b"]  # gelin-spring is planning already
        # The district's take-back takes back its press, not the coordinator's own plan.
        assert client.delete(f"/days/{DATE}/plans", headers=ADMIN).json()["cancelled"] == ["gelin-b"]
        assert client.get(f"/jobs/{own['id']}", headers=ADMIN).json()["status"] == "waiting"
        _, other_site = token(client, "gelin-b", "coordinator")
        assert client.delete(f"/jobs/{own['id']}", headers=bearer(other_site)).status_code == 404
        assert client.delete(f"/jobs/{own['id']}", headers=bearer(courier)).status_code == 204
        assert client.get(f"/jobs/{own['id']}", headers=ADMIN).status_code == 404
        day = client.get(f"/sites/gelin-spring/days/{DATE}", headers=ADMIN).json()
        assert (day["status"], day["job"]) == ("not_planned", None)  # as before it was asked for
        end_job(client, other)
        started = client.post(_plans("gelin-spring"), json={"time_limit_s": 1}, headers=ADMIN).json()
        assert started["status"] == "queued"
        checked_against_the_counts_now(client, DATE, started["id"])
        late = client.delete(f"/jobs/{started['id']}", headers=ZH)
        assert late.status_code == 409 and late.json()["error"]["code"] == "job_started"
        assert late.json()["error"]["message"] == "这次排路线已经开始计算，不能再撤回"
        assert client.get(f"/jobs/{started['id']}", headers=ADMIN).json()["status"] == "done"
