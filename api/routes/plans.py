"""Plans: ask for one (a job), follow the job, read the plan or one shift of it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Request, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.auth import Principal
from api.db.models import JobRow, PlanRow, SiteRow
from api.deps import PrincipalDep, SessionDep, SettingsDep, require
from api.errors import ERROR_RESPONSES, ApiError, message_for, not_found
from api.queue import busy, cancel_waiting, frozen_inputs, new_job, room
from api.routes.days import site_days, sites_seen
from api.routes.params import AcceptLanguage, DateText, SiteId, checked_date
from api.schemas import (
    JobOut,
    JobProgress,
    PlanAllRequest,
    PlanRequest,
    PlansQueued,
    Replan,
    ShiftOut,
    SiteRefusal,
    WaitingCancelled,
)
from api.store import domain_operations, site_row, snapshot_day
from optimizer.errors import DayError, OneBellError, PlanError
from optimizer.replan import frozen_part, parse_now, remaining_day

router = APIRouter(tags=["plans"], responses=ERROR_RESPONSES)


def job_out(job: JobRow, accept_language: str) -> JobOut:
    return JobOut(
        id=job.id,
        site=job.site_id,
        date=job.date,
        status=job.status,  # type: ignore[arg-type]
        plan_id=job.plan_id,
        error=job.error and message_for(job.error, job.error_zh, accept_language),
        progress=JobProgress(**(job.progress or {})),
        created_at=job.created_at,
        finished_at=job.finished_at,
    )


@router.post("/sites/{site_id}/days/{date}/plans", response_model=JobOut, status_code=202)
def request_plan(
    site_id: SiteId,
    date: DateText,
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    body: Annotated[PlanRequest | None, Body()] = None,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    accept_language: AcceptLanguage = "",
) -> JobOut:
    """Start a solve in a worker process; poll GET /jobs/{job_id}. A retried POST with the same
    Idempotency-Key returns the same job. With `replan`, the trips of the plan in use that departed
    by `replan.now` stay as they are and only the rest of the day is planned."""
    require(principal, site_id, "courier")
    checked_date(date)
    body = body or PlanRequest()
    if idempotency_key:
        earlier = session.scalar(
            select(JobRow).where(JobRow.site_id == site_id, JobRow.idempotency_key == idempotency_key)
        )
        if earlier is not None:
            return job_out(earlier, accept_language)
    row = site_row(session, site_id)
    inputs = frozen_inputs(session, row, date, body.policy)
    if body.replan is not None:
        inputs["replan"] = _replan_inputs(session, principal, row, date, body.replan, inputs)
    queued = busy(session)
    if queued >= settings.max_queued_jobs:
        response.headers["Retry-After"] = "30"
        raise ApiError(503, "busy", f"{queued} plans are queued or running; try again shortly")
    job = new_job(site_id, date, inputs, body.time_limit_s, settings, idempotency_key=idempotency_key)
    session.add(job)
    try:
        session.commit()
    except IntegrityError:  # the same key raced in from a parallel retry
        session.rollback()
        earlier = session.scalar(
            select(JobRow).where(JobRow.site_id == site_id, JobRow.idempotency_key == idempotency_key)
        )
        if earlier is None:
            raise
        return job_out(earlier, accept_language)
    request.app.state.runner.submit(job.id)
    return job_out(job, accept_language)


NEEDS_A_PLAN = ("not_planned", "outdated", "failed")
"""Day statuses a new plan answers. Not "undelivered": the same inputs make the same plan."""


@router.post("/days/{date}/plans", response_model=PlansQueued, status_code=202)
def plan_every_site(
    date: DateText,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    body: Annotated[PlanAllRequest | None, Body()] = None,
    accept_language: AcceptLanguage = "",
) -> PlansQueued:
    """A plan for every site the token sees whose day needs one — counts and no plan, a plan out
    of date, or a failed job (`GET /days/{date}` statuses not_planned, outdated, failed). As many as
    there are idle solver processes start now; the rest wait on the server and start one by one
    as those end, whether or not anyone is still looking, and a coordinator's own plan asked for
    meanwhile goes ahead of them. A district office's morning: hundreds of compounds, one request
    instead of one page each."""
    checked_date(date)
    body = body or PlanAllRequest()
    days = site_days(session, date, sites_seen(principal), accept_language)
    needing = [day.site for day in days if day.status in NEEDS_A_PLAN]
    free = room(session, settings)
    queued: list[JobOut] = []
    waiting: list[JobOut] = []
    refused: list[SiteRefusal] = []
    for site_id in needing:
        try:  # refused now, with the reason, rather than failed later
            inputs = frozen_inputs(session, site_row(session, site_id), date, body.policy)
        except (ApiError, OneBellError) as error:  # this site's inputs cannot be planned: the others can
            code = error.code if isinstance(error, ApiError) else "invalid"
            message = message_for(error.message, error.zh, accept_language)
            refused.append(SiteRefusal(site=site_id, code=code, message=message))
            continue
        starts = len(queued) < free
        job = new_job(
            site_id, date, inputs if starts else None, body.time_limit_s, settings, policy=body.policy
        )
        session.add(job)
        session.commit()
        if starts:
            request.app.state.runner.submit(job.id)
        (queued if starts else waiting).append(job_out(job, accept_language))
    if waiting:
        request.app.state.backlog.wake()  # a job may have ended while these were asked for
    return PlansQueued(date=date, queued=queued, waiting=waiting, refused=refused)


@router.delete("/days/{date}/plans", response_model=WaitingCancelled)
def cancel_waiting_plans(date: DateText, session: SessionDep, principal: PrincipalDep) -> WaitingCancelled:
    """Take back the plans of `date` still waiting at the sites the token sees (a press on the
    wrong date, or the day is to be planned later): those not started yet are dropped, those
    queued or running finish."""
    checked_date(date)
    seen = sites_seen(principal).with_only_columns(SiteRow.id).order_by(None)
    return WaitingCancelled(date=date, cancelled=cancel_waiting(session, date, seen))


def _replan_inputs(
    session: Session, principal: Principal, row: SiteRow, date: str, replan: Replan, inputs: dict[str, Any]
) -> dict[str, Any]:
    """The plan in use and the time now, checked before any job exists (a re-plan that cannot
    work is refused at once, with what to fix). The plan goes into the job's inputs whole, so the
    job never depends on a row that might change."""
    if replan.plan_id is None:
        in_use = _latest(session, row.id, date)
        if in_use is None:
            raise ApiError(
                409,
                "no_plan",
                f"there is no plan for {date} at site {row.id!r} to keep trips from; plan the day first",
                zh=f"{date} 还没有路线，无法保留已出发的车；请先排当天的路线",
            )
    else:
        in_use = visible_plan(session, principal, replan.plan_id)
        if (in_use.site_id, in_use.date) != (row.id, date):
            raise ApiError(
                422,
                "invalid",
                f"plan {in_use.id!r} is for site {in_use.site_id!r} on {in_use.date}, not {row.id!r} on {date}",
                field="replan.plan_id",
            )
    operations = domain_operations(session, row, date)
    try:
        now_s = parse_now(replan.now, operations)
        frozen = frozen_part(in_use.document, site_id=row.id, date=date, operations=operations, now_s=now_s)
    except PlanError as error:
        raise ApiError(
            422,
            "invalid",
            error.message,
            field="replan.now" if error.field == "now" else "replan.plan_id",
            zh=error.zh,
        ) from error
    try:
        remaining_day(snapshot_day(inputs), frozen)
    except DayError as error:
        raise ApiError(409, "counts_short", error.message, field="counts", zh=error.zh) from error
    return {"plan_id": in_use.id, "now": replan.now, "plan": in_use.document}


def _latest(session: Session, site_id: str, date: str) -> PlanRow | None:
    return session.scalar(
        select(PlanRow)
        .where(PlanRow.site_id == site_id, PlanRow.date == date)
        .order_by(PlanRow.created_at.desc())
        .limit(1)
    )


@router.get("/jobs/{job_id}", response_model=JobOut)
def get_job(
    job_id: str, session: SessionDep, principal: PrincipalDep, accept_language: AcceptLanguage = ""
) -> JobOut:
    job = session.get(JobRow, job_id)
    if job is None or not principal.sees(job.site_id):
        raise not_found(f"job {job_id!r}")
    return job_out(job, accept_language)


def visible_plan(session: Session, principal: Principal, plan_id: str) -> PlanRow:
    plan = session.get(PlanRow, plan_id)
    if plan is None or not principal.sees(plan.site_id):
        raise not_found(f"plan {plan_id!r}")
    return plan


@router.get("/plans/{plan_id}", response_model=dict[str, Any])
def get_plan(plan_id: str, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    plan = visible_plan(session, principal, plan_id)
    return {"id": plan.id, **plan.document}


@router.get("/sites/{site_id}/days/{date}/plans/latest", response_model=dict[str, Any])
def latest_plan(
    site_id: SiteId, date: DateText, session: SessionDep, principal: PrincipalDep
) -> dict[str, Any]:
    require(principal, site_id, "courier")
    plan = _latest(session, site_id, date)
    if plan is None:
        raise not_found(f"a plan for {date} at site {site_id!r}")
    return {"id": plan.id, **plan.document}


@router.get("/plans/{plan_id}/shifts/{shift_id}", response_model=ShiftOut)
def plan_shift(plan_id: str, shift_id: str, session: SessionDep, principal: PrincipalDep) -> ShiftOut:
    plan = visible_plan(session, principal, plan_id)
    for shift in plan.document["shifts"]:
        if shift["id"] == shift_id:
            return ShiftOut(plan_id=plan.id, site=plan.site_id, date=plan.date, shift=shift)
    raise not_found(f"shift {shift_id!r} in plan {plan_id!r}")
