"""What the request benchmarks share: waiting for a plan from the server under the test client."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient


def plan_finished(
    client: TestClient, job_id: str, headers: dict[str, str], *, timeout_s: float = 120
) -> None:
    """Wait until the planning job ends; it must end done (a benchmark's day always plans)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = client.get(f"/jobs/{job_id}", headers=headers).json()["status"]
        if status in ("done", "failed"):
            assert status == "done", f"job {job_id} failed"
            return
        time.sleep(0.1)
    raise TimeoutError(f"job {job_id} did not finish in {timeout_s:g} s")
