"""The lanes and what each cuts off while closed (`GET /sites/{site}/lanes`), which the page asks
each time a compound opens: the median of `--repeat` requests per fixture compound, SQLite in a
temporary folder, one process.

Run: python -m bench.lanes [--repeat 30]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from api.config import Settings
from api.main import create_app

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SITES = ("gelin-spring", "world-garden", "tongji-xincun")
ADMIN = {"Authorization": "Bearer bench-admin"}


def measure(repeat: int) -> dict[str, float]:
    """Median ms of the GET per compound."""
    found: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), admin_token="bench-admin", workers=1)
        with TestClient(create_app(settings)) as client:
            for name in SITES:
                document = json.loads((FIXTURES / name / "site.geojson").read_text())
                site_id = document["site"]["id"]
                assert client.put(f"/sites/{site_id}", json=document, headers=ADMIN).status_code == 201
                times = []
                for _ in range(repeat):
                    started = time.perf_counter()
                    answer = client.get(f"/sites/{site_id}/lanes", headers=ADMIN)
                    times.append((time.perf_counter() - started) * 1000)
                    assert answer.status_code == 200, answer.text
                found[name] = statistics.median(times)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    print(f"{'site':<16}{'median ms':>11}")
    for name, median in measure(args.repeat).items():
        print(f"{name:<16}{median:>11.1f}")


if __name__ == "__main__":
    main()
