"""A process pool that is replaced when one of its processes dies.

A process killed mid-task (the kernel's out-of-memory killer, a crash inside OR-Tools or the PDF
renderer) breaks its whole `ProcessPoolExecutor` for good: every later task fails with
`BrokenProcessPool` until the server is restarted. Planning (`api.jobs.JobRunner`) and card drawing
(`api.rendering.Renderer`) both hold one of these instead, and decide for themselves what the task
that was running when its process died should answer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

log = logging.getLogger("onebell.processes")

T = TypeVar("T")


class RenewingPool:
    """The current pool, made again by `new_pool` when it breaks (once, however many of its tasks
    report it), and never again after `shutdown`."""

    def __init__(self, new_pool: Callable[[], ProcessPoolExecutor], *, what: str) -> None:
        self._new_pool = new_pool
        self._what = what
        self._lock = threading.Lock()
        self._closed = False
        self.current = new_pool()

    @property
    def closed(self) -> bool:
        return self._closed

    def submit(self, work: Callable[..., T], *args: Any) -> tuple[Future[T], ProcessPoolExecutor]:
        """`work(*args)` on the pool, and the pool it went to: a pool found broken (a process died
        and its callbacks have not run yet) is renewed first."""
        with self._lock:
            try:
                future = self.current.submit(work, *args)
            except BrokenProcessPool:
                self._renew(self.current)
                future = self.current.submit(work, *args)
            return future, self.current

    def renew(self, broken: ProcessPoolExecutor) -> bool:
        """A fresh pool in place of `broken`; False once shut down (nothing is started then)."""
        with self._lock:
            if self._closed:
                return False
            self._renew(broken)
            return True

    def _renew(self, broken: ProcessPoolExecutor) -> None:
        if self.current is broken:
            log.error("%s died; starting new processes", self._what)
            broken.shutdown(wait=False, cancel_futures=True)
            self.current = self._new_pool()

    def shutdown(self) -> None:
        with self._lock:
            self._closed = True
            self.current.shutdown(wait=False, cancel_futures=True)
