"""A real server process, killed with SIGKILL mid-solve, restarted: nothing accepted is lost."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

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
