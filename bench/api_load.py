"""Load on the API while plans are being solved: are reads still quick?

Starts a real server (SQLite in a temporary folder, one solver process), loads gelin-spring, then
measures read and write latency from concurrent clients twice — with no solve running, and while
solves run — and prints p50/p99 and the ratio of the two. All traffic stays on 127.0.0.1 and the
run stops by itself.

Run: python -m bench.api_load [--clients 8] [--seconds 15]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "gelin-spring"
ADMIN = {"Authorization": "Bearer bench-admin"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def _hammer(base: str, seconds: float, clients: int) -> dict[str, list[float]]:
    latencies: dict[str, list[float]] = {"read": [], "write": []}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    counts_csv = (FIXTURES / "days" / "2022-04-08-600.csv").read_bytes()

    def client_loop(number: int) -> None:
        with httpx.Client(base_url=base, headers=ADMIN, timeout=30) as client:
            step = 0
            while time.monotonic() < stop_at:
                kind = "write" if step % 5 == 4 else "read"
                started = time.perf_counter()
                if kind == "read":
                    response = client.get("/sites/gelin-spring/days/2022-04-28/counts")
                else:
                    response = client.put(
                        f"/sites/gelin-spring/days/2022-05-{number + 1:02d}/counts",
                        content=counts_csv,
                        headers={"Content-Type": "text/csv"},
                    )
                elapsed = time.perf_counter() - started
                assert response.status_code == 200, response.text
                with lock:
                    latencies[kind].append(elapsed * 1000)
                step += 1

    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()
    port = _free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        env = {
            **os.environ,
            "ONEBELL_DATA_DIR": data_dir,
            "ONEBELL_ADMIN_TOKEN": "bench-admin",
            "ONEBELL_WORKERS": "1",
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=base, headers=ADMIN, timeout=30) as client:
                for _ in range(300):
                    try:
                        client.get("/openapi.json")
                        break
                    except httpx.TransportError:
                        time.sleep(0.1)
                client.put("/sites/gelin-spring", json=json.loads((FIXTURES / "site.geojson").read_text()))
                client.put(
                    "/sites/gelin-spring/operations",
                    json=json.loads((FIXTURES / "ops-more-riders.json").read_text()),
                )
                day = (FIXTURES / "days" / "2022-04-28-2300.csv").read_bytes()
                client.put(
                    "/sites/gelin-spring/days/2022-04-28/counts",
                    content=day,
                    headers={"Content-Type": "text/csv"},
                )

                idle = _hammer(base, args.seconds, args.clients)
                jobs = [
                    client.post(
                        "/sites/gelin-spring/days/2022-04-28/plans", json={"time_limit_s": args.seconds}
                    ).json()["id"]
                    for _ in range(2)
                ]
                while client.get(f"/jobs/{jobs[0]}").json()["status"] != "running":
                    time.sleep(0.1)
                busy = _hammer(base, args.seconds, args.clients)
                statuses = [client.get(f"/jobs/{job}").json()["status"] for job in jobs]
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    print(
        f"{args.clients} clients, {args.seconds:.0f} s each phase, 1 solver process; jobs at the end: {statuses}"
    )
    print(f"{'phase':<16}{'kind':<7}{'requests':>9}{'p50 ms':>9}{'p99 ms':>9}")
    for phase, data in (("no solve", idle), ("during solves", busy)):
        for kind in ("read", "write"):
            values = data[kind]
            print(
                f"{phase:<16}{kind:<7}{len(values):>9}{statistics.median(values):>9.1f}{_percentile(values, 0.99):>9.1f}"
            )
    for kind in ("read", "write"):
        ratio = _percentile(busy[kind], 0.99) / _percentile(idle[kind], 0.99)
        print(f"p99 {kind} during solves / without: {ratio:.2f}x")


if __name__ == "__main__":
    main()
