"""The planning queue: jobs queued or running, up to `ONEBELL_MAX_QUEUED_JOBS`, and behind them
jobs `waiting`, started one by one as room frees (`room`): first a compound's own plans asked for
while the queue was full (someone at the gate is waiting for each), then the plans a district
office asked for all at once, which start only into idle solver processes.

A waiting job is a row, not a promise held by a page: it starts when room frees — after any job
ends, and on the server's start — whether or not anyone is still looking. Its inputs are taken when
it starts, not when it was asked for, so a count corrected in the meantime is planned; input that
can no longer be planned then fails the job with the reason, as a refusal at request time would.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.config import Settings
from api.db.models import JobRow, PlanRow, SiteRow, StaffingRunRow
from api.errors import ApiError, not_found
from api.jobs import INTERNAL_ERROR_ZH
from api.replanning import plan_in_use, replan_inputs
from api.store import check_plannable, count_rows, domain_operations, site_row, snapshot
from optimizer.errors import OneBellError

log = logging.getLogger("onebell.queue")

OWN_PLAN = 1
"""A job's priority when a compound asked for its own plan (`POST /sites/{id}/days/{date}/plans`)."""
DISTRICT_PRESS = 0
"""A job's priority when it is one of a district office's one-press plans (`POST /days/{date}/plans`)."""
SUPERSEDED = "another plan of this day was asked for while this one waited; that one answers it"
SUPERSEDED_ZH = "排队期间这一天又另外排了一次路线，以那一次为准"
WAKE_EVERY_S = 5.0
"""How often the backlog looks for room when no job of this server has ended: another server
process on the same database may have ended one."""


def frozen_inputs(session: Session, row: SiteRow, date: str, policy: str | None) -> dict[str, Any]:
    """The day's inputs, frozen, refused at once where the solver would refuse them later."""
    domain_operations(session, row, date)
    rows = count_rows(session, row.id, date)
    if not rows:
        raise ApiError(
            409,
            "no_counts",
            f"no counts for {date} at site {row.id!r}: PUT them first",
            zh=f"{date} 还没有件数，请先填好件数再排路线",
        )
    inputs = snapshot(session, row, date, rows, policy)
    check_plannable(row, inputs)
    return inputs


def room(session: Session, settings: Settings, priority: int = DISTRICT_PRESS) -> int:
    """How many jobs of `priority` may join the queue now. A compound's own plan: up to the queue's
    limit (`ONEBELL_MAX_QUEUED_JOBS`). A district's: only as many as there are idle solver
    processes — a job queued is a job ahead of the next coordinator's own plan, and a compound's
    plan at the gate goes next, not after a district's hundred."""
    limit = settings.max_queued_jobs
    if priority < OWN_PLAN:
        limit = min(limit, settings.workers)
    return limit - busy(session)


def ahead_of(session: Session, job: JobRow) -> int:
    """How many plans start before a waiting `job`: those queued or running, and those waiting
    that go first (a higher priority, or the same and asked for earlier). What a coordinator at
    the gate wants to know while theirs waits."""
    first = (JobRow.priority > job.priority) | (
        (JobRow.priority == job.priority)
        & (
            (JobRow.created_at < job.created_at)
            | ((JobRow.created_at == job.created_at) & (JobRow.id < job.id))
        )
    )
    waiting = session.scalar(
        select(func.count()).select_from(JobRow).where(JobRow.status == "waiting", first)
    )
    return busy(session) + (waiting or 0)


def own_plans_waiting(session: Session) -> bool:
    """Whether compounds' own plans wait already: a new one joins them rather than jumping ahead
    in the moment before the backlog starts them."""
    return (
        session.scalar(
            select(JobRow.id).where(JobRow.status == "waiting", JobRow.priority >= OWN_PLAN).limit(1)
        )
        is not None
    )


def busy(session: Session) -> int:
    """Jobs queued or running, on every site: what the queue's limit counts (not those waiting).
    A staffing run counts as one: it holds a solver process as a plan does."""
    started = ("queued", "running")
    plans = session.scalar(select(func.count()).select_from(JobRow).where(JobRow.status.in_(started)))
    runs = session.scalar(
        select(func.count()).select_from(StaffingRunRow).where(StaffingRunRow.status.in_(started))
    )
    return (plans or 0) + (runs or 0)


def new_job(
    site_id: str,
    date: str,
    inputs: dict[str, Any] | None,
    time_limit_s: float | None,
    settings: Settings,
    *,
    asked: dict[str, Any],
    priority: int,
    idempotency_key: str | None = None,
) -> JobRow:
    """A queued job with its inputs, or, with `inputs` None, a waiting one that keeps only what was
    `asked` (the stop policy; for a re-plan, the plan in use and the time) until its turn."""
    return JobRow(
        id=str(uuid.uuid4()),
        site_id=site_id,
        date=date,
        status="queued" if inputs is not None else "waiting",
        time_limit_s=min(time_limit_s or settings.default_time_limit_s, settings.max_time_limit_s),
        idempotency_key=idempotency_key,
        priority=priority,
        snapshot=inputs if inputs is not None else {"asked": asked},
    )


def cancel_waiting(
    session: Session, date: str, sites: Any, noted: Callable[[list[str]], None] = lambda _: None
) -> list[str]:
    """Take back the district's one-press plans of `date` still waiting at `sites` (a select of
    site ids); the ids of those sites. A waiting job has done nothing and holds no inputs, so it is
    deleted: its compound's day is again what it was before the press (not planned, or out of
    date), not failed. Queued and running jobs are not touched, nor a compound's own plan waiting
    (its coordinator asked for it; `cancel_job` takes that back). `noted` adds the compounds'
    history lines to the same transaction."""
    condition = (
        (JobRow.date == date)
        & (JobRow.status == "waiting")
        & (JobRow.priority == DISTRICT_PRESS)
        & JobRow.site_id.in_(sites)
    )
    cancelled = sorted(set(session.scalars(select(JobRow.site_id).where(condition))))
    session.execute(delete(JobRow).where(condition))
    noted(cancelled)
    session.commit()
    return cancelled


def supersede_waiting(session: Session, job: JobRow) -> None:
    """Fail the jobs of `job`'s day still waiting from before it: it answers them (pressing again,
    or a coordinator's own plan over a district's press), and they fail now rather than at their
    turn, so the overview and the places in the queue (`ahead_of`) are true at once."""
    session.execute(
        update(JobRow)
        .where(
            JobRow.site_id == job.site_id,
            JobRow.date == job.date,
            JobRow.status == "waiting",
            JobRow.id != job.id,
            JobRow.created_at <= job.created_at,
        )
        .values(**_failed(SUPERSEDED, SUPERSEDED_ZH))
    )
    session.commit()


def cancel_job(session: Session, job_id: str, noted: Callable[[], None] = lambda: None) -> None:
    """Take back one waiting job (deleted, as `cancel_waiting` does); 409 once it has started —
    a solve is not stopped halfway, and a job done has its plan. Two at once: taken back once.
    `noted` adds the history line to the same transaction, when it was taken back."""
    taken = cast(
        CursorResult[Any],
        session.execute(delete(JobRow).where(JobRow.id == job_id, JobRow.status == "waiting")),
    )
    if taken.rowcount == 1:
        noted()
    session.commit()
    status = session.scalar(select(JobRow.status).where(JobRow.id == job_id))
    if taken.rowcount != 1 and status is not None:
        raise ApiError(
            409,
            "job_started",
            f"job {job_id!r} has started ({status}) and can no longer be taken back",
            zh="这次排路线已经开始计算，不能再撤回",
        )


def start_waiting(session: Session, settings: Settings, submit: Callable[[str], None]) -> list[str]:
    """Queue waiting jobs while there is room for them (`room`): compounds' own plans first, then
    the district's, each oldest first; the ids of those started. Safe beside other server
    processes: a job is taken by one conditional update, so it starts once."""
    started: list[str] = []
    skipped: set[str] = set()
    while (job := _next_waiting(session, settings, skipped)) is not None:
        job_id, outcome = job.id, _turn(session, job)
        session.rollback()  # end the read; the outcome is written by one conditional update below
        taken = cast(
            CursorResult[Any],
            session.execute(
                update(JobRow).where(JobRow.id == job_id, JobRow.status == "waiting").values(**outcome)
            ),
        )
        session.commit()
        if taken.rowcount != 1:  # another process took it meanwhile
            skipped.add(job_id)
            continue
        if outcome["status"] == "queued":
            submit(job_id)
            started.append(job_id)
    return started


def _next_waiting(session: Session, settings: Settings, skipped: set[str]) -> JobRow | None:
    if room(session, settings, OWN_PLAN) <= 0:
        return None
    query = select(JobRow).where(JobRow.status == "waiting", JobRow.id.not_in(skipped))
    if room(session, settings, DISTRICT_PRESS) <= 0:
        query = query.where(JobRow.priority >= OWN_PLAN)
    return session.scalar(query.order_by(JobRow.priority.desc(), JobRow.created_at, JobRow.id).limit(1))


def _turn(session: Session, job: JobRow) -> dict[str, Any]:
    """What a waiting job becomes now: queued with the day's inputs as they are, or failed with
    the reason it cannot be planned (a newer job of the same day answers it — started, or waiting
    and taking the inputs when it starts, as this one would — or the inputs)."""
    newer = session.scalar(
        select(func.count())
        .select_from(JobRow)
        .where(
            JobRow.site_id == job.site_id,
            JobRow.date == job.date,
            JobRow.created_at > job.created_at,
        )
    )
    if newer:
        return _failed(SUPERSEDED, SUPERSEDED_ZH)
    asked = job.snapshot.get("asked") or {}
    try:
        row = site_row(session, job.site_id)  # there: a site's jobs go with it (foreign key)
        inputs = frozen_inputs(session, row, job.date, asked.get("policy"))
        if replan := asked.get("replan"):
            in_use = plan_in_use(
                session, row, job.date, replan["plan_id"], lambda plan_id: _plan(session, plan_id)
            )
            inputs["replan"] = replan_inputs(session, row, job.date, in_use, replan["now"], inputs)
    except (ApiError, OneBellError) as error:
        return _failed(error.message, error.zh)
    except Exception as error:  # failed, not retried forever ahead of every later waiting job
        log.exception("preparing waiting job %s failed", job.id)
        return _failed(f"internal error while preparing this plan: {error}", f"{INTERNAL_ERROR_ZH}{error}")
    return {"status": "queued", "snapshot": inputs}


def _plan(session: Session, plan_id: str) -> PlanRow:
    plan = session.get(PlanRow, plan_id)
    if plan is None:  # named by this job when asked; gone only with its site (and this job)
        raise not_found(f"plan {plan_id!r}", f"路线计划 {plan_id}")
    return plan


def _failed(message: str, message_zh: str | None) -> dict[str, Any]:
    return {"status": "failed", "error": message, "error_zh": message_zh, "finished_at": datetime.now(UTC)}


class Backlog:
    """A thread of the server that starts waiting jobs as room frees: woken when one of this
    server's jobs ends or a request adds waiting jobs, and every `WAKE_EVERY_S` regardless."""

    def __init__(
        self, sessions: sessionmaker[Session], settings: Settings, submit: Callable[[str], None]
    ) -> None:
        self.sessions, self.settings, self.submit = sessions, settings, submit
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="onebell-backlog", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with self.sessions() as session:
                    start_waiting(session, self.settings, self.submit)
            except Exception:  # a database hiccup must not end the thread: the next wake retries
                log.exception("starting waiting plans failed")
            self._wake.wait(WAKE_EVERY_S)
            self._wake.clear()
