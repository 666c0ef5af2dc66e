"""What the request benchmarks share: waiting for a plan from the server under the test client,
and storing a plan solved once as if each compound's day had been planned (hundreds of compounds
without hundreds of searches)."""

from __future__ import annotations

import time
import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.db.models import JobRow, PlanRow
from api.store import counts_fingerprint, held_in, plan_glance


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


def store_as_planned(
    session: Session, site_id: str, date: str, plan: dict[str, Any], frozen: dict[str, Any]
) -> None:
    """`plan` (solved once, for a copy of the same compound) stored as the site's plan of `date`,
    made from the inputs `frozen` (`api.store.snapshot`), with its finished job, as the server
    stores a plan; uncommitted."""
    job_id = str(uuid.uuid4())
    session.add(JobRow(id=job_id, site_id=site_id, date=date, status="done", time_limit_s=10, snapshot={}))
    session.add(
        PlanRow(
            id=str(uuid.uuid4()),
            site_id=site_id,
            date=date,
            job_id=job_id,
            document={**plan, "site": site_id, "date": date},
            snapshot=frozen,
            counts_tag=counts_fingerprint(frozen["counts"]),
            held_in=held_in(frozen["counts"]),
            **plan_glance(plan),
        )
    )
