"""A real server process, killed with SIGKILL mid-solve, restarted: nothing accepted is lost."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import ADMIN
from tests.api.helpers import GELIN, set_up_gelin
from tests.server import Server

DAY = GELIN / "days" / "2022-04-28-2300.csv"


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    running = Server(database_url, tmp_path)
    yield running
    if running.process is not None and running.process.poll() is None:
        running.kill()


def test_sigkill_mid_solve_loses_nothing(server: Server) -> None:
    client = server.start()
    set_up_gelin(client)
    counts = client.put(
        "/sites/gelin-spring/days/2022-04-28/counts",
        content=DAY.read_bytes(),
        headers={**ADMIN, "Content-Type": "text/csv"},
    )
    assert counts.status_code == 200
    job = client.post(
        "/sites/gelin-spring/days/2022-04-28/plans", json={"time_limit_s": 60}, headers=ADMIN
    ).json()
    deadline = time.monotonic() + 60
    while client.get(f"/jobs/{job['id']}", headers=ADMIN).json()["status"] != "running":
        assert time.monotonic() < deadline, "the job never started"
        time.sleep(0.2)
    time.sleep(1.0)
    server.kill()

    client = server.start()
    after = client.get("/sites/gelin-spring/days/2022-04-28/counts", headers=ADMIN).json()
    assert after == counts.json()
    status = client.get(f"/jobs/{job['id']}", headers=ADMIN).json()
    assert status["status"] in ("failed", "done")
    if status["status"] == "failed":
        assert "server stopped while this plan was being made" in status["error"]


def test_a_worker_killed_mid_solve_fails_its_plan_and_the_plans_after_it_go_ahead(server: Server) -> None:
    """The out-of-memory killer, or a crash inside the solver, ends a worker mid-plan: before,
    its job stayed running for good and every later plan request of every compound answered 500
    until the server was restarted."""
    client = _gelin_day(server)
    plans = "/sites/gelin-spring/days/2022-04-28/plans"
    doomed = client.post(plans, json={"time_limit_s": 60}, headers=ADMIN).json()
    waiting = client.post(plans, json={"time_limit_s": 1}, headers=ADMIN).json()
    deadline = time.monotonic() + 60
    while client.get(f"/jobs/{doomed['id']}", headers=ADMIN).json()["status"] != "running":
        assert time.monotonic() < deadline, "the job never started"
        time.sleep(0.2)
    (worker,) = server.workers()
    os.kill(worker, signal.SIGKILL)

    failed = _ended(client, doomed["id"])
    assert failed["status"] == "failed" and failed["plan_id"] is None
    assert "stopped unexpectedly" in failed["error"], failed
    assert _ended(client, waiting["id"])["status"] == "done"  # not started yet: run by new workers
    after = client.post(plans, json={"time_limit_s": 1}, headers=ADMIN)
    assert after.status_code == 202, after.text
    assert _ended(client, after.json()["id"])["status"] == "done"
    zh = client.get(f"/jobs/{doomed['id']}", headers={**ADMIN, "Accept-Language": "zh-CN"}).json()
    assert "排路线的进程意外停了" in zh["error"], zh


def _ended(client: httpx.Client, job_id: str) -> dict[str, object]:
    deadline = time.monotonic() + 60
    while (job := client.get(f"/jobs/{job_id}", headers=ADMIN).json())["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, f"job {job_id} never ended: {job}"
        time.sleep(0.2)
    result: dict[str, object] = job
    return result


def test_the_server_starts_new_workers_when_its_idle_ones_were_killed(server: Server) -> None:
    """Idle workers killed too (the out-of-memory killer picks the largest process): the next
    plan and the next print get new ones instead of an internal error."""
    client = _gelin_day(server)
    plans = "/sites/gelin-spring/days/2022-04-28/plans"
    planned = _ended(client, client.post(plans, json={"time_limit_s": 1}, headers=ADMIN).json()["id"])
    cards = f"/plans/{planned['plan_id']}/cards.pdf?shift=morning&part=load_list"
    assert client.get(cards, headers=ADMIN, timeout=60).status_code == 200
    workers = server.workers()
    assert len(workers) == 2  # the planner's and the card renderer's
    for worker in workers:
        os.kill(worker, signal.SIGKILL)
    time.sleep(0.5)

    printed = client.get(cards, headers=ADMIN, timeout=60)
    assert printed.status_code == 200 and printed.content.startswith(b"%PDF"), printed.text[:300]
    again = client.post(plans, json={"time_limit_s": 1}, headers=ADMIN)
    assert again.status_code == 202, again.text
    assert _ended(client, again.json()["id"])["status"] == "done"
    assert not set(workers) & set(server.workers())


def _gelin_day(server: Server) -> httpx.Client:
    """The server started with gelin-spring and its busiest day's counts."""
    client = server.start()
    set_up_gelin(client)
    client.put(
        "/sites/gelin-spring/days/2022-04-28/counts",
        content=DAY.read_bytes(),
        headers={**ADMIN, "Content-Type": "text/csv"},
    ).raise_for_status()
    return client
