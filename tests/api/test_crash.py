"""A real server process, killed with SIGKILL mid-solve, restarted: nothing accepted is lost."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import ADMIN
from tests.api.helpers import GELIN, set_up_gelin

DAY = GELIN / "days" / "2022-04-28-2300.csv"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    def __init__(self, database_url: str, data_dir: Path) -> None:
        self.port = _free_port()
        self.env = {
            **os.environ,
            "ONEBELL_DATABASE_URL": database_url,
            "ONEBELL_DATA_DIR": str(data_dir),
            "ONEBELL_ADMIN_TOKEN": "admin-secret",
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.log = data_dir / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> httpx.Client:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "api.cli", "serve", "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        client = httpx.Client(base_url=self.url, timeout=10)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if client.get("/openapi.json").status_code == 200:
                    return client
            except httpx.TransportError:
                time.sleep(0.2)
        raise AssertionError(f"server did not start: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


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
