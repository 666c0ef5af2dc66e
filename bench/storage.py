"""What a compound's plans cost the database: a district office's server keeps every plan of
hundreds of compounds for the whole lockdown.

Plans gelin-spring's 2,300-parcel day `--plans` times through the API (FastAPI's test client,
SQLite in a temporary folder, 1 s searches) and prints, per plan, the bytes each stored JSON
column holds (SQLite's `length` of its text; a map kept once is spread over the plans) and the
database file's growth.

Run: python -m bench.storage [--plans 5]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

from api.config import Settings
from api.main import create_app
from bench.served import plan_finished

GELIN = Path(__file__).resolve().parent.parent / "fixtures" / "gelin-spring"
DATE = "2022-04-28"
ADMIN = {"Authorization": "Bearer bench-admin"}
COLUMNS = {
    "jobs.snapshot": "SELECT sum(length(snapshot)) FROM jobs",
    "plans.snapshot": "SELECT sum(length(snapshot)) FROM plans",
    "plans.document": "SELECT sum(length(document)) FROM plans",
    "maps.geojson": "SELECT sum(length(geojson)) FROM maps",  # kept once per map (none before 0013)
}


def _plan(client: TestClient) -> None:
    job = client.post(f"/sites/gelin-spring/days/{DATE}/plans", json={"time_limit_s": 1}, headers=ADMIN)
    assert job.status_code == 202, job.text
    plan_finished(client, job.json()["id"], ADMIN)


def measure(plans: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), admin_token="bench-admin", workers=1)
        with TestClient(create_app(settings)) as client:
            site = json.loads((GELIN / "site.geojson").read_text())
            operations = json.loads((GELIN / "ops-more-riders.json").read_text())
            counts = (GELIN / "days" / "2022-04-28-2300.csv").read_bytes()
            assert client.put("/sites/gelin-spring", json=site, headers=ADMIN).status_code == 201
            assert (
                client.put("/sites/gelin-spring/operations", json=operations, headers=ADMIN).status_code
                == 200
            )
            csv = {**ADMIN, "Content-Type": "text/csv"}
            assert (
                client.put(f"/sites/gelin-spring/days/{DATE}/counts", content=counts, headers=csv).status_code
                == 200
            )
            sessions = client.app.state.sessions  # type: ignore[attr-defined]
            database = Path(folder) / "onebell.sqlite3"

            def file_bytes() -> int:
                with sessions() as session:
                    session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
                return database.stat().st_size

            before = file_bytes()
            for _ in range(plans):
                _plan(client)
            result = {}
            with sessions() as session:
                tables = set(
                    session.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).scalars()
                )
                for name, sql in COLUMNS.items():
                    stored = session.execute(text(sql)).scalar() if name.split(".")[0] in tables else 0
                    result[name] = float(stored or 0) / plans
            result["file growth"] = (file_bytes() - before) / plans
            return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--plans", type=int, default=5)
    args = parser.parse_args()
    print(f"{'bytes a plan':<16}{'KB':>9}")
    for name, value in measure(args.plans).items():
        print(f"{name:<16}{value / 1000:>9.1f}")


if __name__ == "__main__":
    main()
