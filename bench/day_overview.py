"""The district office's day overview (`GET /days/{date}`) as the number of compounds grows.

Loads N copies of gelin-spring (site, operations, the 2,300-parcel day's 375 count rows and one
plan each; the plan is solved once and stored for every site, as the API stores plans), then
times the overview in one process (FastAPI's test client, SQLite in a temporary folder) and
prints the median of five requests per size and the time per site, the median of five for the
day after (no counts yet: every compound's leftovers are looked up from the plan before), and the
median of five `GET /days` (the district's fortnight, summed, each day's leftovers waiting followed
back as the overview does: its last day's must equal the overview's) over the same compounds. With
`--days N` each compound's plan is stored for N days in a row, so the day after follows N planned
days back for leftovers planned without (up to a fortnight; the day's counts are the first day's).

Run: python -m bench.day_overview [--sites 10 100 300] [--days 1] [--ops ops-3x3.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from api.config import Settings
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
ADMIN = {"Authorization": "Bearer bench-admin"}


def _add_sites(
    client: TestClient, first: int, last: int, plan: dict[str, object], days: int, ops: str
) -> None:
    site = json.loads((GELIN / "site.geojson").read_text())
    operations = json.loads((GELIN / ops).read_text())
    counts = (GELIN / "days" / "2022-04-28-2300.csv").read_bytes()
    sessions = client.app.state.sessions  # type: ignore[attr-defined]
    for number in range(first, last):
        site_id = f"compound-{number:04d}"
        site["site"]["id"] = site_id
        assert client.put(f"/sites/{site_id}", json=site, headers=ADMIN).status_code == 201
        assert client.put(f"/sites/{site_id}/operations", json=operations, headers=ADMIN).status_code == 200
        csv = {**ADMIN, "Content-Type": "text/csv"}
        assert (
            client.put(f"/sites/{site_id}/days/{DATE}/counts", content=counts, headers=csv).status_code == 200
        )
        with sessions() as session:
            row = site_row(session, site_id)
            frozen = snapshot(session, row, DATE, count_rows(session, site_id, DATE), None)
            for day in _dates(days):
                store_as_planned(session, site_id, day, plan, frozen)
            session.commit()


def _dates(days: int) -> list[str]:
    first = dt.date.fromisoformat(DATE)
    return [(first + dt.timedelta(days=number)).isoformat() for number in range(days)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, nargs="+", default=[10, 100, 300])
    parser.add_argument(
        "--days", type=int, default=1, help="days in a row each compound's plan is stored for"
    )
    parser.add_argument(
        "--ops",
        default="ops-more-riders.json",
        help="gelin-spring's roster to plan with: ops-3x3.json leaves parcels at the gate every day, "
        "which every later day then follows back",
    )
    args = parser.parse_args()
    next_day = (dt.date.fromisoformat(_dates(args.days)[-1]) + dt.timedelta(days=1)).isoformat()
    site_graph = build_graph(load_site(GELIN / "site.geojson"))
    plan = plan_day(
        site_graph,
        load_day(GELIN / "days" / "2022-04-28-2300.csv"),
        load_operations(GELIN / args.ops),
        time_limit_s=2.0,
    ).to_dict()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), admin_token="bench-admin", workers=1)
        with TestClient(create_app(settings)) as client:
            print(
                f"{'sites':>6}{'median ms':>11}{'ms a site':>11}{'statuses':>30}{'next day ms':>13}"
                f"{'GET /days ms':>14}"
            )
            loaded = 0
            for size in sorted(args.sites):
                _add_sites(client, loaded, size, plan, args.days, args.ops)
                loaded = size
                times = []
                for _ in range(5):
                    started = time.perf_counter()
                    response = client.get(f"/days/{DATE}", headers=ADMIN)
                    times.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, response.text
                body = response.json()
                assert body["totals"]["sites"] == size
                median = statistics.median(times)
                statuses = json.dumps(body["totals"]["statuses"])
                after_times = []
                for _ in range(5):
                    started = time.perf_counter()
                    after = client.get(f"/days/{next_day}", headers=ADMIN)
                    after_times.append((time.perf_counter() - started) * 1000)
                    assert after.status_code == 200 and after.json()["totals"]["sites"] == size
                by_day = []  # the fortnight's totals (`GET /days`), over the same compounds
                for _ in range(5):
                    started = time.perf_counter()
                    days = client.get("/days", headers=ADMIN)
                    by_day.append((time.perf_counter() - started) * 1000)
                    assert days.status_code == 200
                    assert {d["date"]: d["parcels"] for d in days.json()}[DATE] == body["totals"]["parcels"]
                last = days.json()[-1]  # its leftovers waiting as the last day's overview counts them
                overview = client.get(f"/days/{last['date']}", headers=ADMIN).json()["sites"]
                assert last["left_before"] == sum(
                    s["left_before"]["parcels"] for s in overview if s["left_before"]
                )
                print(
                    f"{size:>6}{median:>11.0f}{median / size:>11.2f}{statuses:>30}"
                    f"{statistics.median(after_times):>13.0f}{statistics.median(by_day):>14.0f}"
                )


if __name__ == "__main__":
    main()
