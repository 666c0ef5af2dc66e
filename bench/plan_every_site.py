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

from fastapi.testclient import TestClient

from api.config import Settings
from api.db.models import JobRow
from api.main import create_app

GELIN = Path(__file__).resolve().parent.parent / "fixtures" / "gelin-spring"
DATE = "2022-04-28"
ADMIN = {"Authorization": "Bearer bench-admin"}


def _add_sites(client: TestClient, count: int) -> None:
    site = json.loads((GELIN / "site.geojson").read_text())
    operations = json.loads((GELIN / "ops-more-riders.json").read_text())
    counts = (GELIN / "days" / "2022-04-28-2300.csv").read_bytes()
    csv = {**ADMIN, "Content-Type": "text/csv"}
    for number in range(count):
        site_id = f"compound-{number:04d}"
        site["site"]["id"] = site_id
        assert client.put(f"/sites/{site_id}", json=site, headers=ADMIN).status_code == 201
        assert client.put(f"/sites/{site_id}/operations", json=operations, headers=ADMIN).status_code == 200
        assert (
            client.put(f"/sites/{site_id}/days/{DATE}/counts", content=counts, headers=csv).status_code == 200
        )


def _one_press(size: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), admin_token="bench-admin", workers=1, max_queued_jobs=1)
        with TestClient(create_app(settings)) as client:
            _add_sites(client, size)
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
            started = time.perf_counter()
            response = client.post(f"/days/{DATE}/plans", headers=ADMIN)
            elapsed = time.perf_counter() - started
            assert response.status_code == 202, response.text
            assert len(response.json()["waiting"]) == size
            return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, nargs="+", default=[10, 100, 300])
    args = parser.parse_args()
    print(f"{'sites':>6}{'request s':>11}{'ms a site':>11}")
    for size in sorted(args.sites):
        elapsed = _one_press(size)
        print(f"{size:>6}{elapsed:>11.2f}{elapsed / size * 1000:>11.1f}")


if __name__ == "__main__":
    main()
