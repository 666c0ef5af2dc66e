"""What a day's held-over parcels cost to say (`GET …/counts/held-over`) when the answer follows
each planned day back a fortnight for the leftovers a day was planned without.

gelin-spring with the 2,300-parcel day's counts on `--days` days in a row, each planned
(`--time-limit` s, one tricycle a shift: ~850 parcels left a day), either with nobody adding the
day before's leftovers (all carried on, `forgotten`) or with every day adding them (a growing
backlog, nothing carried on). Prints the median of `--repeat` requests for the day after, following
one day back and `FORGOTTEN_DAYS` back, alternating, and of the compound's line of the district's
overview for that day (`GET /sites/{site}/days/{date}`), which reads the plans' columns instead
and must count as many parcels waiting. SQLite in a temporary folder, one process.

Run: python -m bench.held_over [--days 15] [--time-limit 0.5] [--repeat 10]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

from fastapi.testclient import TestClient

from api import held_over
from api.config import Settings
from api.main import create_app
from api.store import FORGOTTEN_DAYS
from bench.served import plan_finished

GELIN = Path(__file__).resolve().parent.parent / "fixtures" / "gelin-spring"
ADMIN = {"Authorization": "Bearer bench-admin"}
FIRST_DAY = date(2022, 4, 1)


def _planned_days(client: TestClient, days: int, time_limit_s: float, *, add_leftovers: bool) -> str:
    """The site and its planned days; the day after the last, whose held-over parcels are asked."""
    site = (GELIN / "site.geojson").read_text()
    json_body = {**ADMIN, "Content-Type": "application/json"}
    assert client.put("/sites/gelin-spring", content=site, headers=json_body).status_code == 201
    ops = (GELIN / "ops-3x3.json").read_text()
    assert client.put("/sites/gelin-spring/operations", content=ops, headers=json_body).status_code == 200
    counts_csv = (GELIN / "days" / "2022-04-28-2300.csv").read_bytes()
    csv = {**ADMIN, "Content-Type": "text/csv"}
    for number in range(days):
        day = (FIRST_DAY + timedelta(days=number)).isoformat()
        path = f"/sites/gelin-spring/days/{day}"
        assert client.put(f"{path}/counts", content=counts_csv, headers=csv).status_code == 200
        if add_leftovers and number:
            assert client.post(f"{path}/counts/held-over", headers=ADMIN).status_code == 200
        job = client.post(f"{path}/plans", json={"time_limit_s": time_limit_s}, headers=ADMIN)
        plan_finished(client, job.json()["id"], ADMIN)
    return (FIRST_DAY + timedelta(days=days)).isoformat()


def measure(days: int, time_limit_s: float, repeat: int, *, add_leftovers: bool) -> dict[str, float]:
    """Median ms following 1 day back and the full fortnight, and the parcels carried on."""
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), admin_token="bench-admin", workers=1)
        with TestClient(create_app(settings)) as client:
            after = _planned_days(client, days, time_limit_s, add_leftovers=add_leftovers)
            path = f"/sites/gelin-spring/days/{after}/counts/held-over"
            times: dict[int, list[float]] = {1: [], FORGOTTEN_DAYS: []}
            carried = 0
            for _ in range(repeat):
                for back in times:
                    with mock.patch.object(held_over.carried_over, "__defaults__", (back,)):
                        started = time.perf_counter()
                        answer = client.get(path, headers=ADMIN)
                        times[back].append((time.perf_counter() - started) * 1000)
                    assert answer.status_code == 200, answer.text
                    if back != 1:
                        said = answer.json()
                        carried = said["forgotten"]
            overview = []  # the compound's line of the district's day overview, which counts the same
            for _ in range(repeat):
                started = time.perf_counter()
                line = client.get(f"/sites/gelin-spring/days/{after}", headers=ADMIN)
                overview.append((time.perf_counter() - started) * 1000)
            left = line.json()["left_before"]
            waiting = said["undelivered"] + said["returned"] + said["forgotten"] - said["in_counts"]
            assert (left["parcels"] if left else 0) == waiting, (left, said)
            return {
                "one day": statistics.median(times[1]),
                "fortnight": statistics.median(times[FORGOTTEN_DAYS]),
                "carried on": carried,
                "overview": statistics.median(overview),
            }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=15)
    parser.add_argument("--time-limit", type=float, default=0.5)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    print(
        f"{'leftovers':<22}{'1 day back ms':>15}{f'{FORGOTTEN_DAYS} days back ms':>17}{'carried on':>12}"
        f"{'overview line ms':>18}"
    )
    for add in (False, True):
        found = measure(args.days, args.time_limit, args.repeat, add_leftovers=add)
        label = "added every day" if add else "never added"
        print(
            f"{label:<22}{found['one day']:>15.0f}{found['fortnight']:>17.0f}{found['carried on']:>12.0f}"
            f"{found['overview']:>18.0f}"
        )


if __name__ == "__main__":
    main()
