"""Solves run in worker processes, never in the event loop.

A job row is committed (status `queued`) before the worker is asked to run it; the worker reads
everything it needs from the job's snapshot and writes progress, the plan and the final status
itself. So a crashed API loses nothing: on start, jobs that were running are marked failed and
queued ones are handed to the pool again.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.db.models import JobRow, MapRow, PlanRow, StaffingRunRow
from api.db.session import make_engine
from api.process_pool import RenewingPool
from api.store import counts_fingerprint, held_in, map_tag, plan_glance, snapshot_day
from optimizer.errors import OneBellError
from optimizer.graph import build_graph
from optimizer.operations import parse_operations
from optimizer.planner import PlanProgress, plan_day
from optimizer.replan import frozen_part, parse_now
from optimizer.site import parse_site
from optimizer.staffing import StaffingRow, staffing

log = logging.getLogger("onebell.jobs")

RESTART_MESSAGE = "the server stopped while this plan was being made; ask for the plan again"
RESTART_MESSAGE_ZH = "排路线时服务器停了，这次没有排出来；请再排一次"
INTERNAL_ERROR_ZH = "排路线时出了内部错误（请告诉管理员）："
STAFFING_RESTART_MESSAGE = "the server stopped while the riders needed were being worked out; ask again"
STAFFING_RESTART_MESSAGE_ZH = "算需要几名骑手时服务器停了，请再算一次"
STAFFING_ERROR_ZH = "算需要几名骑手时出了内部错误（请告诉管理员）："
WORKER_DIED_MESSAGE = (
    "the process making this plan stopped unexpectedly (out of memory, or a crash in the solver); "
    "ask for the plan again, and tell whoever runs the server if it happens again"
)
WORKER_DIED_MESSAGE_ZH = "排路线的进程意外停了（内存不够，或求解器出错）；请再排一次，如果再出现请告诉管理员"
STAFFING_WORKER_DIED_MESSAGE = (
    "the process working out the riders needed stopped unexpectedly (out of memory, or a crash in "
    "the solver); ask again, and tell whoever runs the server if it happens again"
)
STAFFING_WORKER_DIED_MESSAGE_ZH = (
    "算需要几名骑手的进程意外停了（内存不够，或求解器出错）；请再算一次，如果再出现请告诉管理员"
)
WORKER_DIED_RETRIES = 2
_PROGRESS_EVERY_S = 1.0
_engines: dict[str, Engine] = {}


class JobRunner:
    """The worker processes, and what to do when one dies.

    A worker killed mid-solve (the kernel's out-of-memory killer, a crash inside OR-Tools) breaks
    the whole `ProcessPoolExecutor`: its job stayed `running` for good, and every later plan or
    staffing request of every compound on the server failed with an internal error until the
    server was restarted. So a broken pool is replaced at once, the job that was running when
    its worker died ends failed saying so, and those it had not started yet go to the new pool."""

    def __init__(self, database_url: str, *, workers: int) -> None:
        self.database_url = database_url
        self.processes = RenewingPool(
            lambda: ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_die_with_parent,
            ),
            what="a worker process",
        )
        self._retries: dict[str, int] = {}
        self.on_done: Callable[[], None] = lambda: None
        """Called in this process as each job ends: room in the queue for a waiting one."""

    @property
    def pool(self) -> ProcessPoolExecutor:
        return self.processes.current

    def submit(self, job_id: str) -> None:
        self._submit(JobRow, job_id)

    def submit_staffing(self, run_id: str) -> None:
        self._submit(StaffingRunRow, run_id)

    def _submit(self, table: type[JobRow] | type[StaffingRunRow], row_id: str) -> None:
        work = run_job if table is JobRow else run_staffing
        future, pool = self.processes.submit(work, self.database_url, row_id)
        future.add_done_callback(lambda done: self._finished(pool, table, row_id, done))

    def _finished(
        self,
        pool: ProcessPoolExecutor,
        table: type[JobRow] | type[StaffingRunRow],
        row_id: str,
        done: Future[None],
    ) -> None:
        error = None if done.cancelled() else done.exception()
        if isinstance(error, BrokenProcessPool) and self.processes.renew(pool):
            self._after_worker_died(table, row_id)
        else:
            self._retries.pop(row_id, None)
        self.on_done()

    def _after_worker_died(self, table: type[JobRow] | type[StaffingRunRow], row_id: str) -> None:
        """The job whose worker died ends failed; one not yet started (another job's worker died)
        goes to the new workers, at most twice (a job that kills its worker before it starts)."""
        engine = _engine(self.database_url)
        with Session(engine) as session:
            status = session.scalar(select(table.status).where(table.id == row_id))
        tries = self._retries.get(row_id, 0)
        if status == "queued" and tries < WORKER_DIED_RETRIES:
            self._retries[row_id] = tries + 1
            self._submit(table, row_id)
            return
        if status not in ("queued", "running"):
            return
        self._retries.pop(row_id, None)
        if table is JobRow:
            _end(
                engine,
                JobRow,
                row_id,
                status="failed",
                error=WORKER_DIED_MESSAGE,
                error_zh=WORKER_DIED_MESSAGE_ZH,
            )
        else:
            _end(
                engine,
                StaffingRunRow,
                row_id,
                status="failed",
                error=STAFFING_WORKER_DIED_MESSAGE,
                error_zh=STAFFING_WORKER_DIED_MESSAGE_ZH,
                snapshot={},
            )

    def shutdown(self) -> None:
        self.processes.shutdown()


def recover(session: Session) -> list[str]:
    """After a restart: fail the jobs that were running, return the queued ones to resubmit (the
    waiting ones stay waiting: `api.queue.Backlog` starts them as room frees)."""
    session.execute(
        update(JobRow)
        .where(JobRow.status == "running")
        .values(
            status="failed", error=RESTART_MESSAGE, error_zh=RESTART_MESSAGE_ZH, finished_at=datetime.now(UTC)
        )
    )
    queued = list(
        session.scalars(select(JobRow.id).where(JobRow.status == "queued").order_by(JobRow.created_at))
    )
    session.commit()
    return queued


def recover_staffing(session: Session) -> list[str]:
    """After a restart, as `recover` does for plans: staffing runs that were running failed (their
    rows so far stay), queued ones to resubmit."""
    session.execute(
        update(StaffingRunRow)
        .where(StaffingRunRow.status == "running")
        .values(
            status="failed",
            error=STAFFING_RESTART_MESSAGE,
            error_zh=STAFFING_RESTART_MESSAGE_ZH,
            snapshot={},
            finished_at=datetime.now(UTC),
        )
    )
    queued = list(
        session.scalars(
            select(StaffingRunRow.id)
            .where(StaffingRunRow.status == "queued")
            .order_by(StaffingRunRow.created_at)
        )
    )
    session.commit()
    return queued


PARENT_WATCH_S = 0.5


def _die_with_parent() -> None:
    """A worker must not outlive a killed server and write results nobody waits for: a thread of
    the worker's own ends it once its parent is gone (it is then another process's child). Linux's
    parent-death signal (PR_SET_PDEATHSIG), used before, fires when the *thread* that started the
    worker ends — whichever request thread first submitted a job, ended after 10 s idle — so it
    killed healthy workers and left the pool broken for every later plan."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_WATCH_S)
        os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def _engine(database_url: str) -> Engine:
    if database_url not in _engines:
        _engines[database_url] = make_engine(database_url)
    return _engines[database_url]


def run_job(database_url: str, job_id: str) -> None:
    engine = _engine(database_url)
    with Session(engine) as session:
        job = session.get(JobRow, job_id)
        if job is None or job.status != "queued":
            return
        job.status = "running"
        job.started_at = datetime.now(UTC)
        session.commit()
        snapshot = job.snapshot
    try:
        plan = _solve(snapshot, time_limit_s=job.time_limit_s, on_progress=_ProgressWriter(engine, job_id))
    except Exception as error:  # the job must end failed, not stay running forever
        message, zh = _reason(error, f"job {job_id}", "planning", INTERNAL_ERROR_ZH)
        _end(engine, JobRow, job_id, status="failed", error=message, error_zh=zh)
        return
    plan_id = str(uuid.uuid4())
    inputs = {key: value for key, value in snapshot.items() if key != "site"}
    inputs["site_tag"] = _keep_map(engine, snapshot["site_id"], snapshot["site"])
    with Session(engine) as session:
        session.add(
            PlanRow(
                id=plan_id,
                site_id=snapshot["site_id"],
                date=snapshot["date"],
                job_id=job_id,
                document=plan,
                snapshot=inputs,
                counts_tag=counts_fingerprint(snapshot["counts"]),
                held_in=held_in(snapshot["counts"]),
                **plan_glance(plan),
            )
        )
        job = session.get(JobRow, job_id)
        assert job is not None
        job.status, job.plan_id, job.finished_at = "done", plan_id, datetime.now(UTC)
        # The plan keeps the inputs it was made from (site, roster, counts); a second copy on its
        # job was a third of every plan's bytes, on a server keeping hundreds of compounds' days.
        job.snapshot = {}
        session.commit()


def _keep_map(engine: Engine, site_id: str, geojson: dict[str, Any]) -> str:
    """Store the map a plan was made from once per content, and name it. Its own transaction,
    before the plan's: two workers finishing plans of one compound at once may both store it, and
    the one that loses must not lose its plan with it."""
    tag = map_tag(geojson)
    with Session(engine) as session:
        if session.get(MapRow, (site_id, tag)) is None:
            session.add(MapRow(site_id=site_id, tag=tag, geojson=geojson))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()  # the other worker stored the same map
    return tag


def _solve(
    snapshot: dict[str, Any], *, time_limit_s: float, on_progress: Callable[[PlanProgress], None]
) -> dict[str, Any]:
    site_graph = build_graph(parse_site(snapshot["site"], accepted=True))
    operations = parse_operations(snapshot["operations"], accepted=True).with_policy(snapshot.get("policy"))
    replan = snapshot.get("replan")
    frozen = None
    if replan is not None:
        frozen = frozen_part(
            replan["plan"],
            site_id=snapshot["site_id"],
            date=snapshot["date"],
            operations=operations,
            now_s=parse_now(replan["now"], operations),
        )
    plan = plan_day(
        site_graph,
        snapshot_day(snapshot),
        operations,
        time_limit_s=time_limit_s,
        on_progress=on_progress,
        frozen=frozen,
    )
    document = plan.to_dict()
    if replan is not None:
        document["replanned_from"] = replan["plan_id"]
    return document


class _ProgressWriter:
    """Writes the search's progress to the job row, at most once a second."""

    def __init__(self, engine: Engine, job_id: str) -> None:
        self.engine, self.job_id = engine, job_id
        self.last_write = 0.0
        self.best_crew_s: int | None = None

    def __call__(self, progress: PlanProgress) -> None:
        if self.best_crew_s is None or progress.crew_s < self.best_crew_s:
            self.best_crew_s = progress.crew_s
        now = time.monotonic()
        if now - self.last_write < _PROGRESS_EVERY_S:
            return
        self.last_write = now
        values = {
            "elapsed_s": round(progress.elapsed_s, 1),
            "parcels_placed": progress.parcels_placed,
            "best_crew_s": self.best_crew_s,
        }
        with Session(self.engine) as session:
            session.execute(update(JobRow).where(JobRow.id == self.job_id).values(progress=values))
            session.commit()


def _reason(error: Exception, what: str, doing: str, internal_zh: str) -> tuple[str, str | None]:
    """Why a job or run failed, in English and Chinese: the input's own message, or an internal
    error (logged with its traceback) to pass on to whoever runs the server."""
    if isinstance(error, OneBellError):
        return error.message, error.zh
    log.exception("%s failed", what, exc_info=error)
    return f"internal error while {doing}: {error}", f"{internal_zh}{error}"


def _end(engine: Engine, table: type[JobRow] | type[StaffingRunRow], row_id: str, **values: Any) -> None:
    with Session(engine) as session:
        session.execute(
            update(table).where(table.id == row_id).values(**values, finished_at=datetime.now(UTC))
        )
        session.commit()


def run_staffing(database_url: str, run_id: str) -> None:
    """A staffing run in a worker: each shift's row is written as soon as it is found, so a page
    shows the morning's answer while the evening is still being planned."""
    engine = _engine(database_url)
    with Session(engine) as session:
        run = session.get(StaffingRunRow, run_id)
        if run is None or run.status != "queued":
            return
        run.status = "running"
        session.commit()
        snapshot, policies, try_s = run.snapshot, list(run.policies), run.try_s
    found: list[dict[str, Any]] = []

    def write(row: StaffingRow) -> None:
        found.append(row.to_dict())
        with Session(engine) as session:
            session.execute(
                update(StaffingRunRow).where(StaffingRunRow.id == run_id).values(rows=list(found))
            )
            session.commit()

    try:
        staffing(
            build_graph(parse_site(snapshot["site"], accepted=True)),
            snapshot_day(snapshot),
            parse_operations(snapshot["operations"], accepted=True),
            policies=policies,
            time_limit_s=try_s,
            on_row=write,
        )
    except Exception as error:  # the run must end failed, not stay running forever
        message, zh = _reason(
            error, f"staffing run {run_id}", "working out the riders needed", STAFFING_ERROR_ZH
        )
        _end(engine, StaffingRunRow, run_id, status="failed", error=message, error_zh=zh, snapshot={})
        return
    _end(engine, StaffingRunRow, run_id, status="done", snapshot={})
