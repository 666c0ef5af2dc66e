"""The planning worker pool outlives the request thread that happened to start a worker."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from api.jobs import JobRunner


def test_a_worker_outlives_the_request_thread_that_started_it() -> None:
    # The server's request threads come and go (an idle one ends after 10 s); the pool starts a
    # worker from whichever thread first submits a job. Linux's parent-death signal, which kept
    # workers from outliving a killed server, fires when that thread ends: the worker was killed
    # and every later plan failed with a broken pool until the server restarted.
    runner = JobRunner("sqlite://", workers=1)
    try:
        started: list[int] = []
        thread = threading.Thread(
            target=lambda: started.append(runner.pool.submit(os.getpid).result(timeout=60))
        )
        thread.start()
        thread.join()
        time.sleep(2.0)  # the parent-death signal is delivered at once; the watch looks every 0.5 s
        assert runner.pool.submit(os.getpid).result(timeout=60) == started[0]  # the same worker, alive
    finally:
        runner.shutdown()


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status  # a zombie has ended; only its parent's reaping is left


def test_a_worker_ends_soon_after_the_server_is_killed() -> None:
    script = (
        "import os, time\n"
        "from api.jobs import JobRunner\n"
        "runner = JobRunner('sqlite://', workers=1)\n"
        "worker = runner.pool.submit(os.getpid).result(timeout=60)\n"
        "runner.pool.submit(time.sleep, 30)\n"  # busy, as mid-solve: only the watch can end it
        "print(worker, flush=True)\n"
        "time.sleep(60)\n"
    )
    server = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    assert server.stdout is not None
    worker = int(server.stdout.readline())
    assert _running(worker)
    server.kill()
    server.wait()
    deadline = time.monotonic() + 10
    while _running(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(worker)
