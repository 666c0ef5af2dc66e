"""A district office's one press (`POST /days/{date}/plans`) as the number of compounds grows.

Loads N copies of gelin-spring with the 2,300-parcel day's counts and no plan, fills the queue
(ONEBELL_MAX_QUEUED_JOBS=1) with a job that never ends, so that every compound is checked and
left waiting and no solver runs, and times the request in one process (FastAPI's test client,
SQLite in a temporary folder): what the office waits for before the page answers.

Run: python -m bench.plan_every_site [--sites 10 100 300]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.config import Settings
from api.db.models import JobRow
from api.main import create_app
from api.store import count_rows, site_row, snapshot
from bench.served import store_as_planned
from optimizer.day import load_day
from optimizer.graph import build_graph
from optimizer.operations import load_operations
from optimizer.planner import plan_day
from optimizer.site import load_site

GELIN = Path(__file__).resolve().parent.parent / "fixtures" / "gelin-spring"
DATE = "2022-04-28"
DAY_BEFORE = "2022-04-27"
ADMIN = {"Authorization": "Bearer bench-admin"}


def _add_sites(client: TestClient, count: int, day_before: dict[str, Any] | None) -> None:
    """`count` compounds with the day's counts; with `day_before`, that plan stored for the day
    before, made from the same counts, so its leftovers wait at every gate."""
    site = json.loads((GELIN / "site.geojson").read_text())
    operations = json.loads((GELIN / "ops-more-riders.json").read_text())
    counts = (GELIN / "days" / "2022-04-28-2300.csv").read_bytes()
    csv = {**ADMIN, "Content-Type": "text/csv"}
    for number in range(count):
        site_id = f"compound-{number:04d}"
        site["site"]["id"] = site_id
        assert client.put(f"/sites/{site_id}", json=site, headers=ADMIN).status_code == 201
        assert client.put(f"/sites/{site_id}/operations", json=operations, headers=ADMIN).status_code == 200
        for date in (DAY_BEFORE, DATE) if day_before else (DATE,):
            put = client.put(f"/sites/{site_id}/days/{date}/counts", content=counts, headers=csv)
            assert put.status_code == 200, put.text
        if day_before:
            with client.app.state.sessions() as session:  # type: ignore[attr-defined]
                frozen = snapshot(
                    session,
                    site_row(session, site_id),
                    DAY_BEFORE,
                    count_rows(session, site_id, DAY_BEFORE),
                    None,
                )
                store_as_planned(session, site_id, DAY_BEFORE, day_before, frozen)
                session.commit()


def leaving_parcels(time_limit_s: float = 1.0) -> dict[str, Any]:
    """The 2,300-parcel day planned with one tricycle a shift: ~850 parcels left at the gate."""
    return plan_day(
        build_graph(load_site(GELIN / "site.geojson")),
        load_day(GELIN / "days" / "2022-04-28-2300.csv"),
        load_operations(GELIN / "ops-3x3.json"),
        time_limit_s=time_limit_s,
    ).to_dict()


def _one_press(size: int, day_before: dict[str, Any] | None = None) -> float:
    """Seconds the press takes over `size` compounds (with `day_before`: adding its leftovers)."""
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), admin_token="bench-admin", workers=1, max_queued_jobs=1)
        with TestClient(create_app(settings)) as client:
            _add_sites(client, size, day_before)
            with client.app.state.sessions() as session:  # type: ignore[attr-defined]
                session.add(
                    JobRow(
                        id=str(uuid.uuid4()),
                        site_id="compound-0000",
                        date="2000-01-01",
                        status="running",
                        time_limit_s=1,
                        snapshot={},
                    )
                )
                session.commit()
            body = {"held_over": "add"} if day_before else {}
            started = time.perf_counter()
            response = client.post(f"/days/{DATE}/plans", json=body, headers=ADMIN)
            elapsed = time.perf_counter() - started
            assert response.status_code == 202, response.text
            assert len(response.json()["waiting"]) == size
            assert len(response.json()["held_over_added"]) == (size if day_before else 0)
            return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, nargs="+", default=[10, 100, 300])
    args = parser.parse_args()
    day_before = leaving_parcels()
    print(f"{'sites':>6}{'request s':>11}{'ms a site':>11}{'leftovers added s':>19}{'ms a site':>11}")
    for size in sorted(args.sites):
        elapsed = _one_press(size)
        adding = _one_press(size, day_before)
        print(
            f"{size:>6}{elapsed:>11.2f}{elapsed / size * 1000:>11.1f}{adding:>19.2f}{adding / size * 1000:>11.1f}"
        )


if __name__ == "__main__":
    main()
